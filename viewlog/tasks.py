"""The nightly purge of view log entries past their retention period."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="viewlog.purge", soft_time_limit=240, time_limit=300)
def purge() -> int:
    """Periodic: delete what is older than ``VIEW_LOG_RETENTION_DAYS`` (``<``, so a missed
    night is caught up by the next; a second run finds nothing)."""
    return services.view_log_purge(before=services.retention_start(at=timezone.now()))
