"""How dates, moments, percentages and counts read on pages, documents and emails.

Dates read as the templates write them with the ``date`` filter (``|date:"j F Y"``; short,
``j M Y``; moments ``j F Y, H:i`` in local time), so a date in a message, a committee report or
an email reads as it does on the page beside it. The formats are spelt out, not taken from
``DATE_FORMAT``: the en-gb locale's own formats take precedence over that setting.
"""

import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list


def moment_text(moment: datetime) -> str:
    """``29 November 2026, 16:20``."""
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def date_text(day: date | None, *, missing: str = "") -> str:
    """``5 March 2026``; ``missing`` where there is no date."""
    return date_format(day, "j F Y") if day else missing


def short_date_text(day: date, *, year: bool = True) -> str:
    """``5 Mar 2026``, or ``5 Mar`` where the year is plain from the context (a chart's weeks)."""
    return date_format(day, "j M Y" if year else "j M")


def percent(share: Fraction | float | None, *, places: int = 0, missing: str = "") -> str:
    """A share between 0 and 1 as a percentage, rounded from its exact value with halves up
    (as people expect, and as the committee report, the dashboard and the audit pages all
    show it), to ``places`` decimals without trailing zeros: 2/3 gives ``67%`` (one place:
    ``66.7%``), 1/8 gives ``13%``, 3/4 gives ``75%`` at any number of places. ``None``
    (nothing to divide by: no rate, not 0%) gives ``missing``.

    Pass a ``Fraction`` for counts (``Fraction(on_time, all_due)``): a float such as 7/80 is
    stored just under 0.0875 and would round down.
    """
    if share is None:
        return missing
    rounded = math.floor(Fraction(share) * 100 * 10**places + Fraction(1, 2))
    text = f"{Decimal(rounded).scaleb(-places):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 recommendation``, ``3 recommendations``; ``plural`` where adding an s is wrong
    (``counted(2, "entry", "entries")``)."""
    return f"{count} {singular if count == 1 else (plural or f'{singular}s')}"


def listed(items: Iterable, *, last: str = "and") -> str:
    """``a, b and c`` (``last="or"``: ``a, b or c``), each item as ``str`` gives it."""
    return get_text_list([str(item) for item in items], last)
