"""A job recorded with a change runs once, is retried while it fails, then is given up."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from outbox import kinds
from outbox.models import Job
from outbox.services import job_record, job_run

pytestmark = pytest.mark.django_db

AT = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


def recorded(object_id=7, *, at=AT) -> Job:
    return job_record(kind="tests.note", object_id=object_id, at=at)


def fresh(job: Job) -> Job:
    job.refresh_from_db()
    return job


def test_a_job_runs_once_and_is_marked_done(note):
    job = recorded()

    first = job_run(job_id=job.pk, at=AT)
    again = job_run(job_id=job.pk, at=AT + timedelta(minutes=5))  # the sweep's copy, say

    job = fresh(job)
    assert (first, again, note.ran) == (True, False, [7])
    assert (job.attempts, job.claimed_until, job.last_error) == (1, None, "")
    assert job.done_at >= AT


def test_a_job_an_attempt_is_running_is_not_run_by_a_second_delivery(note):
    job = recorded()
    Job.objects.filter(pk=job.pk).update(attempts=1, claimed_until=AT + timedelta(seconds=90))

    assert job_run(job_id=job.pk, at=AT + timedelta(seconds=89)) is False

    assert note.ran == []
    assert fresh(job).attempts == 1


def test_a_job_not_yet_due_waits(note):
    job = recorded()

    assert job_run(job_id=job.pk, at=AT - timedelta(seconds=1)) is False

    assert (note.ran, fresh(job).attempts) == ([], 0)


def test_a_job_whose_row_has_gone_does_nothing(note):
    assert job_run(job_id=123_456, at=AT) is False


def test_a_failed_attempt_is_recorded_and_falls_due_again_after_the_delay(note):
    note.failures_left = 1
    job = recorded()

    assert job_run(job_id=job.pk, at=AT) is False

    job = fresh(job)
    assert (job.attempts, job.claimed_until, job.done_at, job.given_up_at) == (1, None, None, None)
    assert job.last_error == "Attempt 1: ConnectionError: the mail server hung up"
    assert AT + timedelta(seconds=30) <= job.due_at < AT + timedelta(seconds=31)
    assert job_run(job_id=job.pk, at=AT + timedelta(seconds=29)) is False  # not yet
    assert job_run(job_id=job.pk, at=job.due_at) is True
    assert (note.ran, fresh(job).attempts) == ([7], 2)


def test_after_its_last_attempt_fails_the_job_is_given_up_and_its_kind_told(note):
    note.failures_left = 3
    job = recorded()

    job_run(job_id=job.pk, at=AT)
    job_run(job_id=job.pk, at=fresh(job).due_at)
    job_run(job_id=job.pk, at=fresh(job).due_at)
    after = job_run(job_id=job.pk, at=AT + timedelta(days=1))

    job = fresh(job)
    assert (after, note.ran, note.given_up) == (False, [], [7])
    assert (job.attempts, job.done_at) == (3, None)
    assert job.given_up_at is not None
    assert job.last_error == "Attempt 3: ConnectionError: the mail server hung up"


def test_an_attempt_whose_worker_died_is_run_again_once_its_lease_runs_out(note):
    job = recorded()
    # A worker claimed it at AT, then was killed: nothing recorded the end of the attempt.
    Job.objects.filter(pk=job.pk).update(attempts=1, claimed_until=AT + timedelta(seconds=120))

    assert job_run(job_id=job.pk, at=AT + timedelta(seconds=120)) is True

    job = fresh(job)
    assert (note.ran, job.attempts) == ([7], 2)
    assert job.last_error == "Attempt 1 stopped before it finished."


def test_a_job_whose_last_attempt_died_is_given_up_not_run_again(note):
    job = recorded()
    Job.objects.filter(pk=job.pk).update(attempts=3, claimed_until=AT + timedelta(seconds=120))

    assert job_run(job_id=job.pk, at=AT + timedelta(seconds=121)) is False

    job = fresh(job)
    assert (note.ran, note.given_up, job.attempts) == ([], [7], 3)
    assert job.given_up_at == AT + timedelta(seconds=121)
    assert job.last_error == "Attempt 3 stopped before it finished."


def test_a_job_of_a_kind_this_worker_does_not_know_is_left_for_one_that_does(note, caplog):
    job = recorded()
    Job.objects.filter(pk=job.pk).update(kind="tests.from_a_newer_release")

    assert job_run(job_id=job.pk, at=AT) is False

    job = fresh(job)
    assert (job.attempts, job.done_at, job.given_up_at) == (0, None, None)
    assert "does not know: tests.from_a_newer_release" in caplog.text


def test_recording_a_job_of_an_unknown_kind_is_refused(db):
    with pytest.raises(LookupError, match=r"No job kind is registered as 'tests\.typo'"):
        job_record(kind="tests.typo", object_id=1)


def test_one_job_per_object_and_kind(note):
    recorded(7)

    with pytest.raises(Exception, match="one_job_per_object"), transaction.atomic():
        recorded(7)


def test_a_job_recorded_in_a_change_that_rolls_back_is_neither_kept_nor_queued(
    note, django_capture_on_commit_callbacks
):
    def change_that_fails():
        with transaction.atomic():
            recorded(7)
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks() as queued, pytest.raises(RuntimeError):
        change_that_fails()

    assert (Job.objects.exists(), queued) == (False, [])


def test_each_app_registers_its_kinds_when_django_starts():
    assert {
        "audits.live_concern_email",
        "audits.full_audit_notice",
        "audits.population_import",
        "recommendations.tracker_import",
    } <= set(kinds._kinds)
    assert kinds.kind_get("audits.population_import").lease == timedelta(seconds=960 + 60)
    assert kinds.kind_get("recommendations.tracker_import").lease == timedelta(seconds=2760 + 60)


def test_two_kinds_of_one_name_are_refused(note):
    other = kinds.Kind(
        name="tests.note",
        run=print,
        soft_time_limit=1,
        time_limit=2,
        max_attempts=1,
        first_retry=timedelta(0),
        last_retry=timedelta(0),
    )

    with pytest.raises(ImproperlyConfigured, match=r"Two job kinds are named 'tests\.note'"):
        kinds.kind_register(other)


def test_an_email_is_retried_after_30_s_doubling_to_10_minutes_eight_times_in_all():
    email = kinds.kind_get("audits.live_concern_email")

    delays = [email.retry_delay(attempts).total_seconds() for attempts in range(1, 8)]

    assert (email.max_attempts, delays) == (8, [30, 60, 120, 240, 480, 600, 600])
    assert sum(delays) / 60 == 35.5  # given up about 35 minutes after the first attempt


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_of_eight_workers_running_one_job_at_once_one_runs_it(note):
    job = recorded(at=timezone.now())
    note.seconds = 0.2  # long enough for every other worker to try its claim
    barrier = threading.Barrier(8)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(job_run(job_id=job.pk, at=timezone.now()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    job = fresh(job)
    assert (sorted(results), note.ran, job.attempts) == ([False] * 7 + [True], [7], 1)
    assert job.done_at is not None
