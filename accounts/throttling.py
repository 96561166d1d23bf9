"""Limits on guessing: sign-in lockouts (django-axes) and password reset requests.

django-axes counts failed sign-ins for each username from each address and, past
``AXES_FAILURE_LIMIT``, refuses that pair for ``AXES_COOLOFF_TIME`` (settings, "Sign-in
throttling"). This module tells axes who the client is and what to show; the password reset
limits count requests in Django's cache (in each process's memory while that cache fails).
"""

import hashlib
import ipaddress
import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from axes.helpers import (
    get_client_parameters,
    get_client_username,
    get_cool_off,
    get_failure_limit,
)
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.shortcuts import render
from django.utils import dateformat, timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_address(request) -> str | None:
    """The client's IP address: ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` proxies stand in
    front of the app, each appending the address it was reached from to X-Forwarded-For.

    Then the client is the entry that many places from the right: anything to its left came
    from the client itself and could be forged to dodge a lockout or fill another's.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lock_ends(
    attempts: Iterable[tuple[datetime, int]], *, limit: int, cool_off: timedelta
) -> datetime | None:
    """When a lock on ``attempts`` ((last failure time, failures) rows, newest first) ends.

    axes adds up the failures of the rows whose last failure is within the cool-off; the lock
    holds until the row that brings that sum to ``limit`` falls out of it.
    """
    failures = 0
    for attempt_time, count in attempts:
        failures += count
        if failures >= limit:
            return attempt_time + cool_off
    return None


def lockout_ends_at(request, credentials=None) -> datetime | None:
    """When the sign-in this request tried is allowed again (None: it is not locked)."""
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    username = get_client_username(request, credentials)
    ends = []
    for filters in get_client_parameters(
        username, request.axes_ip_address, request.axes_user_agent, request, credentials
    ):
        rows = (
            AccessAttempt.objects.filter(**filters)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")
        )
        ends.append(
            lock_ends(rows, limit=get_failure_limit(request, credentials), cool_off=cool_off)
        )
    return max((end for end in ends if end is not None), default=None)


def time_of_day(at: datetime) -> str:
    """``at`` as GOV.UK writes a time and date: "3:45pm on 5 June 2025", in local time."""
    local = timezone.localtime(at)
    return f"{dateformat.format(local, 'g:i')}{'am' if local.hour < 12 else 'pm'} on " + (
        dateformat.format(local, "j F Y")
    )


def lockout_message(*, username: str | None, ends_at: datetime | None) -> str:
    """What the locked-out page says. A single sign-on names no username: it is locked by
    address alone."""
    who = f"as {username}" if username else "from this network"
    when = f"after {time_of_day(ends_at)}" if ends_at else "later"
    return f"Too many failed attempts to sign in {who}: try again {when}"


def locked_out_response(request, original_response=None, credentials=None):
    """axes' ``AXES_LOCKOUT_CALLABLE``: the sign-in page's own look, saying when to try again,
    for the app's sign-in and the admin's alike."""
    problem = lockout_message(
        username=get_client_username(request, credentials),
        ends_at=lockout_ends_at(request, credentials),
    )
    return render(
        request,
        "registration/locked_out.html",
        {"problem": problem},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


# --- Password reset --------------------------------------------------------------------------

# The counts live in Django's cache: Redis, shared by every web process. While Redis fails (down,
# or hung past its 2 s socket timeout) each process counts in its own memory instead and leaves
# Redis alone for SHARED_COUNTS_RETRY_SECONDS: a reset request never fails and costs at most one
# timeout per process in that time, and the limits still hold within each web process (so at
# most the number of processes times the limit). Refusing every reset instead would lock out
# staff who forgot a password, for an outage they cannot see, to stop a flood nobody can start
# by taking Redis down from the reset page.
SHARED_COUNTS_RETRY_SECONDS = 30


class _ResetCounts:
    """Where this process counts: the shared cache, or its own memory after that failed."""

    def __init__(self):
        self.in_memory = LocMemCache("password-reset-counts", {})
        self.shared_failed_at = None  # time.monotonic()

    def count(self, key: str) -> int:
        """Adds one to ``key``; the count since its hour started (see ``_counted``)."""
        if (
            self.shared_failed_at is None
            or time.monotonic() - self.shared_failed_at >= SHARED_COUNTS_RETRY_SECONDS
        ):
            try:
                return _hourly_incr(cache, key)
            except RedisError as error:
                logger.warning(
                    "Password reset requests counted in this process's memory for %s s: "
                    "the shared cache does not answer (%r)",
                    SHARED_COUNTS_RETRY_SECONDS,
                    error,
                )
                self.shared_failed_at = time.monotonic()
        return _hourly_incr(self.in_memory, key)


_reset_counts = _ResetCounts()


def _hourly_incr(counts, key: str) -> int:
    counts.add(key, 0, timeout=3600)
    try:
        return counts.incr(key)
    except ValueError:  # expired between add and incr: this starts a new hour
        counts.set(key, 1, timeout=3600)
        return 1


def _counted(kind: str, value: str, *, limit: int) -> bool:
    """Counts one request for ``value``; whether it is within ``limit`` for the hour that the
    first counted request started (no clock-hour boundary to burst across). The key carries a
    hash, never the address itself. Redis and the local-memory cache keep the key's expiry
    when it is incremented."""
    key = f"password-reset:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"
    return _reset_counts.count(key) <= limit


def password_reset_allowed(*, ip_address: str | None, email: str) -> bool:
    """Whether a reset email may go out for this request: at most
    ``PASSWORD_RESET_LIMIT_PER_ADDRESS`` requests an hour from one address and
    ``PASSWORD_RESET_LIMIT_PER_EMAIL`` to one email address. Every request counts, refused
    ones included, so a flood stays refused."""
    by_address = _counted(
        "address",
        ip_address or "unknown",
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
    )
    by_email = _counted(
        "email", email.strip().lower(), limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    )
    if not (by_address and by_email):
        logger.warning("Password reset email not sent: over the hourly limit")
        return False
    return True
