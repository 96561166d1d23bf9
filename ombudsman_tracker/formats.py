"""How dates and moments read on pages, documents and emails, as the templates' ``date``
filter writes them (``DATE_FORMAT``, ``j F Y``; moments ``j F Y, H:i`` in local time)."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format


def moment_text(moment: datetime) -> str:
    """``29 November 2026, 16:20``."""
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def date_text(day: date) -> str:
    """``5 March 2026``."""
    return date_format(day, "j F Y")
