"""Running an outbox job in the test, as a worker would."""

from django.utils import timezone

from outbox.models import Job
from outbox.services import job_run


def job_of(kind: str, object_id: int) -> Job:
    return Job.objects.get(kind=kind, object_id=object_id)


def run_job(kind: str, object_id: int, *, at=None) -> bool:
    """Run the job of ``kind`` for ``object_id`` at ``at`` (now); whether it ran."""
    return job_run(job_id=job_of(kind, object_id).pk, at=at or timezone.now())


def lease_run_out(kind: str, object_id: int) -> None:
    """Act as if the running attempt's lease had run out (its worker was killed a lease ago).

    A worker in another process reads the real clock, so a test cannot hand it a later time:
    it moves the lease back instead. The sweep then queues the job, and the worker claims it.
    """
    Job.objects.filter(kind=kind, object_id=object_id, claimed_until__isnull=False).update(
        claimed_until=timezone.now(), published_at=None
    )
