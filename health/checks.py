"""Is the service ready? Each dependency checked, each within a bound of time.

The database and the broker are probed in threads of their own, at once, and a probe that has
not answered within ``PROBE_SECONDS`` counts as failing, so a hung server costs the answer a
few seconds, never more. What beat, the dispatchers and the workers last said is read from the
database's heartbeats only once the database has just answered.
"""

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone

from ombudsman_tracker.celery import app

from .heartbeats import (
    SCHEDULER,
    SCHEDULER_START,
    WORKER_EVERY,
    heartbeat_fresh,
    worker_heartbeat_fresh,
)

logger = logging.getLogger(__name__)

# Each probe's bound; the database's connect timeout and the broker's socket timeouts (2 s,
# settings) end a blocked probe's thread soon after.
PROBE_SECONDS = 3.0
DATABASE_CONNECT_TIMEOUT = 2  # seconds: the least libpq advises

# The periodic dispatchers (CELERY_BEAT_SCHEDULE) and how often each runs at the least: a run
# older than two periods means beat, the broker or the workers are not doing their job.
# reminders.dispatch is a crontab on a minute of every hour, so an hour is its longest gap.
DISPATCHERS = {
    "outbox.sweep": timedelta(minutes=1),
    "reminders.dispatch": timedelta(hours=1),
}

CHECKS = ("database", "broker", "scheduler", "dispatcher", "worker")


def database_answers(alias: str = DEFAULT_DB_ALIAS) -> None:
    """A trivial query, on a connection of its own with a connect timeout of its own (whatever
    the site's connections have), closed at once. Raises if the database does not answer."""
    settings_dict = {**connections.settings[alias]}
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"]}
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    if connection.vendor == "postgresql":
        settings_dict["OPTIONS"]["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def broker_answers() -> None:
    """Redis: connect and PING (kombu's channel pings as it opens), no retry. The demo's
    filesystem broker: its folder takes a new file. Raises if not."""
    with app.connection_for_write() as broker:
        if broker.transport.driver_type == "filesystem":
            folder = Path(broker.transport_options["data_folder_out"])
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-"):
                pass
        else:
            broker.ensure_connection(max_retries=0)


PROBES: dict[str, Callable[[], None]] = {"database": database_answers, "broker": broker_answers}


def probes_pass(names, *, timeout: float = PROBE_SECONDS) -> dict[str, bool]:
    """Runs the named ``PROBES`` at once, each in a daemon thread; whether each answered within
    ``timeout`` seconds. A thread still blocked is left to its own timeouts."""
    passed: dict[str, bool] = {}

    def run(name):
        try:
            PROBES[name]()
        except Exception as error:  # any failure is "failing"; the log says which
            logger.warning("Health check %s failing: %r", name, error)
            passed[name] = False
        else:
            passed[name] = True

    threads = [
        threading.Thread(target=run, args=(name,), name=f"health-{name}", daemon=True)
        for name in names
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = [name for name in names if name not in passed]
    if late:
        logger.warning("Health check %s failing: no answer within %s s", ", ".join(late), timeout)
    return {name: passed.get(name, False) for name in names}


def scheduler_ticking(*, at: datetime | None = None) -> bool:
    """Beat said it was alive within twice its longest sleep (CELERY_BEAT_MAX_LOOP_INTERVAL)."""
    within = timedelta(seconds=2 * settings.CELERY_BEAT_MAX_LOOP_INTERVAL)
    return heartbeat_fresh(SCHEDULER, within=within, at=at)


def dispatchers_on_time(*, at: datetime | None = None) -> bool:
    """Each dispatcher ran within twice its period, or beat started less than two periods ago
    (none was due yet: a fresh deployment, or beat restarted)."""
    return all(
        heartbeat_fresh(name, within=2 * period, at=at)
        or heartbeat_fresh(SCHEDULER_START, within=2 * period, at=at)
        for name, period in DISPATCHERS.items()
    )


def worker_alive(*, hostname: str | None = None, at: datetime | None = None) -> bool:
    """The worker on ``hostname`` (None: any worker) beat within twice its period."""
    return worker_heartbeat_fresh(hostname=hostname, within=2 * WORKER_EVERY, at=at)


def readiness(*, at: datetime | None = None) -> dict[str, bool]:
    """Each of ``CHECKS`` and whether it passes. Heartbeats are stored in the database, so
    with the database failing they fail too."""
    at = at or timezone.now()
    checks = probes_pass(["database", "broker"])
    database = checks["database"]
    checks["scheduler"] = database and scheduler_ticking(at=at)
    checks["dispatcher"] = database and dispatchers_on_time(at=at)
    checks["worker"] = database and worker_alive(at=at)
    return {name: checks[name] for name in CHECKS}


def worker_readiness(*, hostname: str, at: datetime | None = None) -> dict[str, bool]:
    """For a worker's own container: the database answers and the worker on ``hostname``
    beat."""
    database = probes_pass(["database"])["database"]
    return {"database": database, "worker": database and worker_alive(hostname=hostname, at=at)}


def scheduler_readiness(*, at: datetime | None = None) -> dict[str, bool]:
    """For beat's own container: the database answers and beat ticks."""
    database = probes_pass(["database"])["database"]
    return {"database": database, "scheduler": database and scheduler_ticking(at=at)}
