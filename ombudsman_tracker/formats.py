"""How a moment reads on pages, documents and emails, as the templates' ``date`` filter writes
it (``j F Y, H:i``), in local time."""

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format


def moment_text(moment: datetime) -> str:
    """``29 November 2026, 16:20``."""
    return date_format(timezone.localtime(moment), "j F Y, H:i")
