"""A worker killed (SIGKILL, as the OOM killer does) while it writes an uploaded population
file: nothing half-written, the upload's page stops refreshing once the attempt's lease has
run out, and after the sweep the next worker imports the file, each case once."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import uploads
from audits.models import PopulationCase, PopulationUpload, UploadStatus
from organisations.models import Organisation
from outbox.services import jobs_sweep
from tests.factories import user_with_role
from tests.faults.conftest import CountingClient, wait_until
from tests.outbox.jobs import job_of, lease_run_out

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Enough for the write to take a few seconds (about 4,000 rows a second), so the kill lands in it.
ROWS = 30_000
HEADER = "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council\n"
REFRESHING = "This page updates itself every 2 seconds"


def population_file() -> SimpleUploadedFile:
    rows = "".join(
        f"CR-{n:06d},Front Door,2019-01-01,2019-02-01,neglect,yes,Kent\n" for n in range(ROWS)
    )
    return SimpleUploadedFile("population.csv", (HEADER + rows).encode(), content_type="text/csv")


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def status_of(upload) -> str:
    upload.refresh_from_db()
    return upload.status


def test_an_import_whose_worker_is_killed_mid_write_is_imported_once_by_the_next_worker(
    worker, figures
):
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    browser = CountingClient()
    browser.force_login(user_with_role(Role.MANAGER, username="manager", organisation=croydon))
    started = time.monotonic()
    uploaded = browser.post(reverse("audits:population_import"), {"file": population_file()})
    upload = PopulationUpload.objects.get()

    def writing():
        """the worker to start writing the cases"""
        return status_of(upload) == UploadStatus.WRITING

    wait_until(writing, timeout=60, interval=0.05)
    worker.kill()
    killed_while = status_of(upload)
    cases_after_the_kill = PopulationCase.objects.count()

    lease_run_out(uploads.IMPORT_JOB, upload.pk)  # as a lease (17 minutes) later
    stalled_page = browser.get(uploaded.url)
    worker.start()
    swept = jobs_sweep(at=timezone.now())

    def finished():
        """the import to finish"""
        return status_of(upload) in (UploadStatus.DONE, UploadStatus.FAILED)

    wait_until(finished, timeout=60)
    seconds = time.monotonic() - started
    finished_page = browser.get(uploaded.url)
    references = PopulationCase.objects.values_list("case_reference", flat=True)
    figures(
        "worker-killed-mid-import",
        requests=browser.requests,
        errors=browser.errors,
        rows=ROWS,
        cases=references.count(),
        duplicates=references.count() - references.distinct().count(),
        attempts=job_of(uploads.IMPORT_JOB, upload.pk).attempts,
        seconds=seconds,
    )

    assert browser.errors == 0
    assert (killed_while, cases_after_the_kill) == (UploadStatus.WRITING, 0)
    assert "This import seems to have stopped" in page_text(stalled_page)
    assert REFRESHING not in page_text(stalled_page)
    assert swept == 1
    assert upload.status == UploadStatus.DONE
    assert upload.result["created"] == references.count() == references.distinct().count() == ROWS
    assert job_of(uploads.IMPORT_JOB, upload.pk).attempts == 2
    assert REFRESHING not in page_text(finished_page)
