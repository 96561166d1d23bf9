"""The sweep (every minute, from beat): queues what is due and not done, so no lost message
leaves work undone; purges what was done long ago. Publishes to the real Redis."""

import json
import time
from datetime import timedelta

import pytest
import redis
from django.utils import timezone

from health.heartbeats import heartbeat_fresh
from outbox import services, tasks
from outbox.models import Job
from outbox.services import job_record, jobs_sweep
from tests.outbox.broker import broker_down, broker_hung

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def queue(redis_url):
    """The broker's default queue in the test Redis, emptied first."""
    connection = redis.Redis.from_url(redis_url)
    connection.delete("celery")
    yield connection
    connection.close()


def queued(queue) -> list[tuple]:
    """(task, arguments, time limits) of each message waiting, oldest first."""
    messages = [json.loads(raw) for raw in reversed(queue.lrange("celery", 0, -1))]
    return [
        (m["headers"]["task"], m["headers"]["argsrepr"], m["headers"]["timelimit"])
        for m in messages
    ]


def recorded(object_id, *, at, **fields) -> Job:
    job = job_record(kind="tests.note", object_id=object_id, at=at)
    Job.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def test_the_sweep_queues_a_job_the_broker_did_not_take_with_its_kinds_time_limits(note, queue):
    now = timezone.now()
    job = recorded(7, at=now)  # its commit's publish failed: never queued

    assert jobs_sweep(at=now) == 1

    assert queued(queue) == [("outbox.run", f"({job.pk},)", [60, 30])]
    job.refresh_from_db()
    assert job.published_at is not None


def test_a_job_just_queued_is_left_alone_then_queued_again_if_no_worker_took_it(note, queue):
    now = timezone.now()
    recorded(7, at=now, published_at=now)

    assert jobs_sweep(at=now + timedelta(seconds=119)) == 0
    assert jobs_sweep(at=now + services.REPUBLISH_AFTER) == 1
    assert len(queued(queue)) == 1


def test_a_running_job_is_left_alone_until_its_lease_runs_out(note, queue):
    now = timezone.now()
    recorded(7, at=now, attempts=1, claimed_until=now + timedelta(seconds=90))

    assert jobs_sweep(at=now + timedelta(seconds=89)) == 0
    assert jobs_sweep(at=now + timedelta(seconds=90)) == 1


def test_finished_jobs_and_jobs_not_yet_due_are_left_alone(note, queue):
    now = timezone.now()
    recorded(1, at=now, done_at=now)
    recorded(2, at=now, given_up_at=now)
    recorded(3, at=now, due_at=now + timedelta(seconds=30))  # a retry, later

    assert jobs_sweep(at=now) == 0
    assert jobs_sweep(at=now + timedelta(seconds=30)) == 1


def test_the_sweep_takes_the_oldest_first_and_at_most_its_batch(note, queue, monkeypatch):
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    now = timezone.now()
    newest = recorded(1, at=now)
    oldest = recorded(2, at=now - timedelta(minutes=10))
    middle = recorded(3, at=now - timedelta(minutes=5))

    assert jobs_sweep(at=now) == 2

    assert [args for _, args, _ in queued(queue)] == [f"({oldest.pk},)", f"({middle.pk},)"]
    assert jobs_sweep(at=now) == 1  # the next run takes the rest
    assert [args for _, args, _ in queued(queue)][-1] == f"({newest.pk},)"


@pytest.mark.parametrize(("broker", "within_seconds"), [(broker_down, 1), (broker_hung, 5)])
def test_with_the_broker_down_or_hung_the_sweep_stops_at_its_first_refusal(
    note, broker, within_seconds
):
    now = timezone.now()
    jobs = [recorded(n, at=now) for n in range(5)]

    started = time.monotonic()
    with broker():
        swept = jobs_sweep(at=now)
    took = time.monotonic() - started

    print(f"sweep of {len(jobs)} jobs with the broker {broker.__name__}: {took:.2f} s")
    assert swept == 0
    assert took < within_seconds
    assert list(Job.objects.values_list("published_at", flat=True)) == [None] * 5


def test_the_sweep_task_says_it_ran_and_purges_jobs_done_long_ago(note, queue):
    now = timezone.now()
    recorded(1, at=now - timedelta(days=40), done_at=now - timedelta(days=31))
    kept = [
        recorded(2, at=now - timedelta(days=40), done_at=now - timedelta(days=29)),
        # Given up: the record that something could not be done stays.
        recorded(3, at=now - timedelta(days=90), given_up_at=now - timedelta(days=89)),
    ]

    tasks.sweep()

    assert heartbeat_fresh("outbox.sweep", within=timedelta(seconds=10))
    assert sorted(Job.objects.values_list("pk", flat=True)) == sorted(job.pk for job in kept)
