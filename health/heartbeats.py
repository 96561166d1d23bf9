"""Recording and reading heartbeats: one row per name, overwritten each time."""

import logging
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

# Celery beat, as it ticks (health.scheduler), and when it started: a fresh deployment's
# dispatchers have not run yet, and are not late until beat has been up for two periods.
SCHEDULER = "scheduler"
SCHEDULER_START = "scheduler.start"
# Each worker, as "worker:<host>" (health.bootsteps).
WORKER_PREFIX = "worker:"
WORKER_EVERY = timedelta(seconds=30)


def worker_heartbeat_name(hostname: str) -> str:
    return f"{WORKER_PREFIX}{hostname}"


def heartbeat_record(name: str, at: datetime | None = None) -> None:
    """Say that ``name`` is alive now (or at ``at``). One upsert statement, in autocommit or the
    caller's transaction, so two writers of one name never collide."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )


def heartbeat_record_quietly(name: str) -> bool:
    """``heartbeat_record`` for beat and the workers, which must outlive the database's bad
    moments (down, restarted, or SQLite locked in the demo): a failure is logged, never raised.
    Returns whether the heartbeat was recorded.

    Around the write, the process's connection is closed if the database dropped it or it is
    past ``CONN_MAX_AGE``, as Celery does around each task; never call this inside a
    transaction."""
    close_old_connections()
    try:
        heartbeat_record(name)
    except DatabaseError:
        logger.warning("Could not record the heartbeat %r", name, exc_info=True)
        return False
    finally:
        close_old_connections()
    return True


def heartbeat_fresh(name: str, *, within: timedelta, at: datetime | None = None) -> bool:
    """Whether ``name`` said it was alive within ``within`` of ``at`` (now)."""
    now = at or timezone.now()
    return Heartbeat.objects.filter(name=name, at__gte=now - within).exists()


def worker_heartbeat_fresh(
    *, hostname: str | None = None, within: timedelta, at: datetime | None = None
) -> bool:
    """Whether the worker on ``hostname`` (None: any worker) said it was alive within
    ``within`` of ``at`` (now)."""
    now = at or timezone.now()
    workers = Heartbeat.objects.filter(at__gte=now - within)
    if hostname is None:
        return workers.filter(name__startswith=WORKER_PREFIX).exists()
    return workers.filter(name=worker_heartbeat_name(hostname)).exists()
