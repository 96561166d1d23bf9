"""Filters for ``LOGGING`` (settings.py)."""

import logging

from django.core.exceptions import PermissionDenied


def _escaped(text: str) -> str:
    """One line whatever was asked for: a newline in a path (``%0A``) is written as ``\\n``,
    as Django's own request log writes it."""
    return text.encode("unicode_escape").decode("ascii")


def _user_id(request) -> str:
    try:
        user = request.user
        return str(user.pk) if user.is_authenticated else "anonymous"
    except Exception:  # a log line must not fail the response it describes
        return "unknown"


class ForbiddenOnOneLine(logging.Filter):
    """Every 403 as one line: who (user id), where (path) and why (the reason).

    Django logs a ``PermissionDenied`` to ``django.request`` with its whole traceback (a
    refusal is expected, not a fault) and a CSRF refusal to ``django.security.csrf`` without
    the user. On those two loggers this rewrites each 403 record in place: the logger name
    stays the record's own, and the formatter prints it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or getattr(record, "on_one_line", False):
            return True  # not a refusal, or rewritten already by this filter on another handler
        request = getattr(record, "request", None)
        reason = self._reason(record)
        record.msg = "Forbidden: user %s, path %s, reason: %s"
        record.args = (
            _user_id(request) if request is not None else "unknown",
            _escaped(request.path) if request is not None else "unknown",
            reason,
        )
        record.exc_info = record.exc_text = record.stack_info = None
        record.on_one_line = True
        return True

    @staticmethod
    def _reason(record: logging.LogRecord) -> str:
        exception = record.exc_info[1] if record.exc_info else None
        if isinstance(exception, PermissionDenied):
            return _escaped(str(exception)) or "permission denied"
        if record.name == "django.security.csrf" and record.args:
            # Django logs "Forbidden (%s): %s" with the CSRF reason first, already escaped.
            return f"CSRF check failed ({record.args[0]})"
        return "forbidden"
