"""The outbox's two Celery tasks: run one job, and the sweep. Thin: the work is in services."""

from celery import shared_task
from django.utils import timezone

from health.heartbeats import heartbeat_record

from . import services


# Each message carries its kind's time limits (``services.job_publish``); these are for one
# published without them.
@shared_task(name="outbox.run", soft_time_limit=90, time_limit=120)
def run(job_id: int) -> None:
    services.job_run(job_id=job_id, at=timezone.now())


@shared_task(name="outbox.sweep", soft_time_limit=45, time_limit=55)
def sweep() -> None:
    """Every minute (beat): say the sweep is alive, queue what is due, purge what is old."""
    heartbeat_record("outbox.sweep")
    now = timezone.now()
    services.jobs_sweep(at=now)
    services.jobs_purge(at=now)
