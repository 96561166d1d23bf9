"""The kinds of background work the outbox runs, each registered by the app it belongs to.

Each app declares its kinds in a ``jobs.py`` module, which ``OutboxConfig.ready`` imports in
every process (web and worker alike), as the admin finds ``admin.py``: the outbox knows nothing
of audits or trackers, and a kind sits next to the app's own code. A kind's name is stored in
each ``Job`` row, so it must never change once released.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

# How far past its hard time limit an attempt's lease runs: the worker is killed at the limit,
# so a lease that has run out means the attempt is over.
LEASE_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class Kind:
    """What runs for a job of this kind, how long it may take and how often it is tried.

    ``run(object_id)`` does the work and returns normally when it is done (or has nothing to
    do, the row having gone); any exception is a failed attempt, retried after
    ``retry_delay`` (doubling from ``first_retry`` up to ``last_retry``) until
    ``max_attempts``, when the job is given up and ``give_up(object_id)``, if set, says so
    where the user will see it.
    """

    name: str
    run: Callable[[int], object]
    soft_time_limit: int  # seconds
    time_limit: int  # seconds: the worker kills the attempt here
    max_attempts: int
    first_retry: timedelta
    last_retry: timedelta
    give_up: Callable[[int], object] | None = None

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.time_limit) + LEASE_MARGIN

    def retry_delay(self, attempts: int) -> timedelta:
        """How long to wait after ``attempts`` failed attempts: doubling, capped."""
        return min(self.first_retry * 2 ** (attempts - 1), self.last_retry)


# Emails: the mail server may be down for a while. 30 s doubling to 10 minutes, 8 attempts:
# given up about 35 minutes after the first.
EMAIL = {
    "soft_time_limit": 30,
    "time_limit": 60,
    "max_attempts": 8,
    "first_retry": timedelta(seconds=30),
    "last_retry": timedelta(minutes=10),
}

# Imports of an uploaded file: all or nothing, so a second attempt is safe if the first crashes
# or its worker dies (a minute later); then the upload is marked failed. Time limits per kind.
IMPORT = {
    "max_attempts": 2,
    "first_retry": timedelta(minutes=1),
    "last_retry": timedelta(minutes=1),
}

_kinds: dict[str, Kind] = {}


def kind_register(kind: Kind) -> Kind:
    """Make ``kind`` known to the outbox (from an app's ``jobs.py``)."""
    if _kinds.get(kind.name, kind) != kind:
        raise ImproperlyConfigured(f"Two job kinds are named {kind.name!r}.")
    _kinds[kind.name] = kind
    return kind


def kind_get(name: str) -> Kind:
    """The kind registered as ``name``, or ``LookupError``."""
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No job kind is registered as {name!r}.") from None
