"""With the broker down or hung, a request that records background work still succeeds
within a few seconds; once the broker is back, the sweep queues the work and a real worker
does it once. Queueing is only ever a best effort: the database knows what must happen."""

import logging
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import emails, uploads
from audits.models import LiveConcern, PopulationCase, PopulationUpload, UploadStatus
from health.heartbeats import heartbeat_fresh
from outbox.models import Job
from outbox.services import jobs_sweep, task_publish
from outbox.tasks import run
from reminders.models import Reminder, ReminderStatus
from tests.audits.test_views import page_text
from tests.factories import user_with_role
from tests.outbox.broker import broker_down, broker_hung
from tests.outbox.jobs import job_of
from tests.reminders.worker import deadlines_due, running_worker, wait_until

# Serialized rollback keeps the data migrations (roles, ombudsmen) between tests; the
# requests commit for real, so their on-commit publishing runs as in production.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEAM_MANAGER = "front.door.manager@example.org"


@pytest.mark.parametrize(("broker", "within_seconds"), [(broker_down, 1), (broker_hung, 5)])
def test_a_publish_the_broker_cannot_take_returns_false_and_logs_a_warning(
    redis_url, broker, within_seconds, caplog
):
    started = time.monotonic()
    # The level is set on the logger itself: a Celery worker started by an earlier test
    # leaves the root logger's level at its own.
    with broker(), caplog.at_level(logging.WARNING, logger="outbox.services"):
        published = task_publish(run, 123)
    took = time.monotonic() - started

    print(f"publish with the broker {broker.__name__}: {took:.2f} s")
    assert published is False
    assert took < within_seconds
    assert "Could not queue outbox.run(123,): the broker refused it" in caplog.text


def _emailed():
    """the team manager to be emailed"""
    return LiveConcern.objects.filter(emailed_at__isnull=False).exists()


def test_a_concern_raised_with_the_broker_down_is_saved_and_emailed_once_after_the_sweep(
    client, audit, redis_url
):
    client.force_login(audit.auditor)
    url = reverse("audits:concern_raise", args=[audit.own_case.pk])

    with broker_down():
        response = client.post(
            url, {"concern": "At risk now", "team_manager_email": TEAM_MANAGER}, follow=True
        )

    concern = LiveConcern.objects.get()
    job = job_of(emails.LIVE_CONCERN_EMAIL, concern.pk)
    assert response.redirect_chain == [(reverse("audits:concern_detail", args=[concern.pk]), 302)]
    assert "The team manager will be emailed within a minute" in page_text(response)
    assert f"Waiting to be emailed to {TEAM_MANAGER}" in page_text(response)
    assert (job.published_at, job.attempts, mail.outbox) == (None, 0, [])

    with running_worker():
        assert jobs_sweep(at=timezone.now()) == 1  # the broker is back
        wait_until(_emailed)
        # Later sweeps find nothing to do: the job is done.
        assert jobs_sweep(at=timezone.now() + timedelta(minutes=5)) == 0

    job.refresh_from_db()
    print(f"concerns: {LiveConcern.objects.count()}, emails sent: {len(mail.outbox)}")
    assert [email.to for email in mail.outbox] == [[TEAM_MANAGER]]
    assert (job.attempts, job.done_at is not None) == (1, True)
    assert LiveConcern.objects.count() == 1


def _imported():
    """the population to be imported"""
    return PopulationUpload.objects.filter(status=UploadStatus.DONE).exists()


def test_a_population_uploaded_with_the_broker_hung_returns_in_seconds_and_is_imported_later(
    client, audit, redis_url, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = user_with_role(
        Role.MANAGER, username="importer", organisation=audit.auditor.organisation
    )
    client.force_login(manager)
    file = SimpleUploadedFile(
        "population.csv",
        b"case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council\n"
        b"CR-90001,Front Door,2019-01-01,2019-02-01,neglect,yes,Kent\n",
        content_type="text/csv",
    )

    started = time.monotonic()
    with broker_hung():
        response = client.post(reverse("audits:population_import"), {"file": file})
    took = time.monotonic() - started

    upload = PopulationUpload.objects.get()
    print(f"upload with the broker hung: {took:.2f} s, status {response.status_code}")
    assert (response.status_code, response.url) == (302, upload.get_absolute_url())
    assert took < 5
    assert upload.status == UploadStatus.QUEUED

    with running_worker():
        jobs_sweep(at=timezone.now())
        wait_until(_imported)

    assert PopulationCase.objects.filter(case_reference="CR-90001").count() == 1
    assert job_of(uploads.IMPORT_JOB, upload.pk).attempts == 1


def test_reminders_dispatched_with_the_broker_down_stay_pending_for_the_next_dispatch(
    redis_url,
):
    deadlines_due(1, due_in_days=7)
    out, err = StringIO(), StringIO()

    with broker_down():
        call_command("dispatch_reminders", stdout=out, stderr=err)

    assert out.getvalue() == "0 of 1 reminder(s) queued for sending.\n"
    assert "the next dispatch queues them" in err.getvalue()
    assert Reminder.objects.get().status == ReminderStatus.PENDING
    assert heartbeat_fresh("reminders.dispatch", within=timedelta(seconds=10))
    assert not Job.objects.exists()  # reminders keep their own rows and claim
