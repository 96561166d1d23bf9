"""CSV export of recommendations, one row per recommendation, for clerks to open in Excel."""

import csv
from datetime import date

from .columns import EXPORT_COLUMNS
from .rules import Rule

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection advice)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def tracker_export(*, recommendations, out, at: date) -> int:
    """Write ``recommendations`` (a queryset, e.g. ``recommendations_visible_to(user)``) as CSV.

    One query whatever the number of rows. ``out`` is a text stream opened with
    ``newline=""``; no byte-order mark is written (write ``"\\ufeff"`` first, or open the file
    with ``encoding="utf-8-sig"``, so that Excel reads it as UTF-8). ``at`` is the day the
    outcome (on time, late, overdue) is worked out for. Returns the number of rows written.
    """
    writer = csv.writer(out)
    writer.writerow([column.name for column in EXPORT_COLUMNS])
    rows = 0
    for recommendation in recommendations.select_related(
        "complaint__ombudsman", "organisation", "deadline__owner"
    ).iterator(chunk_size=1000):
        deadline = recommendation.deadline
        cells = [
            recommendation.complaint.reference,
            recommendation.complaint.ombudsman.short_name,
            recommendation.organisation.name,
            recommendation.number,
            recommendation.text,
            recommendation.get_kind_display(),
            Rule.of(deadline),
            deadline.rule_description,
            _iso(deadline.original_due_date),
            _iso(deadline.due_date),
            recommendation.get_status_display(),
            _iso(deadline.completed_on),
            recommendation.outcome(at=at).label,
            deadline.owner.username if deadline.owner else "",
        ]
        writer.writerow([_safe_cell(cell) for cell in cells])
        rows += 1
    return rows
