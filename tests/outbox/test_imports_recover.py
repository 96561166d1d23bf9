"""An import whose worker was killed mid-way is started again once its lease runs out, and
marked failed, with words the uploader sees, if the second attempt dies too."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits import uploads
from audits.models import PopulationCase, PopulationUpload, UploadStatus
from outbox.models import Job
from outbox.services import jobs_sweep
from tests.outbox.jobs import job_of, lease_run_out, run_job
from tests.reminders.worker import running_worker, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def upload(audit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return uploads.population_upload_create(
        file=SimpleUploadedFile(
            "population.csv",
            b"case_reference,team,opened_on,closed_on,presenting_needs,cross_border,"
            b"other_council\nCR-90001,Front Door,2019-01-01,2019-02-01,neglect,yes,Kent\n",
        ),
        organisation=audit.auditor.organisation,
        by=audit.auditor,
        at=timezone.now(),
    )


def killed_while_writing(upload, *, attempts=1):
    """As a worker killed during the write leaves it: the upload "writing", the job claimed."""
    PopulationUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.WRITING)
    Job.objects.filter(pk=job_of(uploads.IMPORT_JOB, upload.pk).pk).update(
        attempts=attempts, claimed_until=timezone.now() + timedelta(minutes=17)
    )


def _imported():
    """the import to finish"""
    return PopulationUpload.objects.filter(status=UploadStatus.DONE).exists()


def test_an_import_whose_worker_was_killed_is_started_again_after_its_lease(upload, redis_url):
    killed_while_writing(upload)
    assert jobs_sweep(at=timezone.now()) == 0  # the lease still holds

    lease_run_out(uploads.IMPORT_JOB, upload.pk)
    with running_worker():
        assert jobs_sweep(at=timezone.now()) == 1
        wait_until(_imported)

    job = job_of(uploads.IMPORT_JOB, upload.pk)
    assert (job.attempts, job.last_error) == (2, "Attempt 1 stopped before it finished.")
    assert PopulationCase.objects.filter(case_reference="CR-90001").count() == 1


def test_an_import_killed_twice_is_marked_failed_and_its_file_deleted(upload, settings):
    killed_while_writing(upload, attempts=2)
    lease_run_out(uploads.IMPORT_JOB, upload.pk)

    run_job(uploads.IMPORT_JOB, upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.file.name) == (UploadStatus.FAILED, "")
    assert upload.result == {"summary": uploads.STALE_SUMMARY, "errors": []}
    assert list((settings.MEDIA_ROOT / "population-uploads").rglob("*.csv")) == []
    assert not PopulationCase.objects.filter(case_reference="CR-90001").exists()
