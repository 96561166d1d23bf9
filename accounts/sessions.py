"""How long a signed-in session lasts, and ending a user's sessions.

A session ends after ``SESSION_IDLE_TIMEOUT`` seconds without a request (Django's own
``SESSION_COOKIE_AGE``, the expiry the session store gives a session each time it is saved) and,
however busy, ``SESSION_ABSOLUTE_TIMEOUT`` seconds after signing in (both by
``accounts.middleware.SessionLifetimeMiddleware``). The idle timeout is renewed by saving the
session when it was last renewed more than ``SESSION_RENEW_AFTER`` seconds before (a minute), not
on every request: a write a page cost more than the rest of a small page's reads. A session so
ends up to a minute before the idle timeout after its last request, never after it. A changed
password ends the user's other sessions through Django's session hash; deactivating a user ends
all of theirs here.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from ombudsman_tracker.formats import counted

# Seconds since the epoch at which the session's user signed in.
SIGNED_IN_AT = "signed_in_at"
# Seconds since the epoch at which the session's idle timeout was last renewed.
RENEWED_AT = "renewed_at"


def session_sign_in_record(*, session, at: datetime) -> None:
    session[SIGNED_IN_AT] = at.timestamp()
    session[RENEWED_AT] = at.timestamp()


def session_idle_renew(*, session, at: datetime) -> bool:
    """Renew the idle timeout of ``session`` if it was last renewed more than
    ``SESSION_RENEW_AFTER`` seconds before ``at`` (or never): changing it has the session
    middleware save it, with a new expiry ``SESSION_COOKIE_AGE`` seconds from ``at``. Returns
    whether it did. Reads the session, so call it only for a request that has one; one that
    has expired (or never existed) is left to end rather than made again."""
    renewed_at = session.get(RENEWED_AT)
    if session.is_empty():
        return False
    # Never as long as half the idle timeout, should it be set that short.
    renew_after = min(settings.SESSION_RENEW_AFTER, settings.SESSION_COOKIE_AGE / 2)
    if renewed_at is not None and 0 <= at.timestamp() - renewed_at < renew_after:
        return False
    session[RENEWED_AT] = at.timestamp()
    return True


def session_outlived(*, session, at: datetime) -> bool:
    """Whether the session was signed in more than ``SESSION_ABSOLUTE_TIMEOUT`` seconds before
    ``at``. A session from before the limit existed starts counting now."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        session_sign_in_record(session=session, at=at)
        return False
    return at.timestamp() - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT


def absolute_timeout_message() -> str:
    seconds = settings.SESSION_ABSOLUTE_TIMEOUT
    if seconds % 3600 == 0:
        hours = seconds // 3600
        length = counted(hours, "hour")
    else:
        minutes = max(seconds // 60, 1)
        length = counted(minutes, "minute")
    return f"You were signed out after {length}: sign in again"


def user_sessions_end(*, user, at: datetime | None = None) -> int:
    """Deletes every unexpired session signed in as ``user`` (the database session backend's
    rows); returns how many. Reads each live session, which is cheap at a council's scale and
    happens only when a user is deactivated."""
    at = at or timezone.now()
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=at).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()
    return len(theirs)
