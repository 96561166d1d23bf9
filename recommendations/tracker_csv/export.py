"""The export: one row per recommendation, in the columns the import reads, for Excel.

Every column the import needs is written (``columns.COLUMNS``), so an export edited in Excel
imports back: unchanged rows change nothing, and an edited status is made (see ``planning``).
"""

import csv
from datetime import date

from django.db.models import Prefetch

from ..models import Evidence
from .columns import COLUMNS
from .escaping import escaped
from .rules import Rule


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cells(recommendation, *, at: date) -> dict:
    complaint, deadline = recommendation.complaint, recommendation.deadline
    links = recommendation.evidence_links  # prefetched, oldest first
    return {
        "complaint_reference": complaint.reference,
        "ombudsman": complaint.ombudsman.short_name,
        "complaint_title": complaint.title,
        "service_area": complaint.service_area,
        "finding": complaint.get_finding_display(),
        "public_interest_report": "yes" if complaint.is_public_interest_report else "no",
        "report_date": _iso(complaint.report_date),
        "received_date": _iso(complaint.received_date),
        "organisations": "; ".join(sorted(o.name for o in complaint.organisations.all())),
        "organisation": recommendation.organisation.name,
        "recommendation_number": recommendation.number,
        "recommendation": recommendation.text,
        "kind": recommendation.get_kind_display(),
        "expected_evidence": recommendation.expected_evidence,
        "rule": Rule.of(deadline),
        # The rule's (or the stated) date, as the import reads it; any extension is beside it.
        "due_date": _iso(deadline.original_due_date),
        "status": recommendation.get_status_display(),
        "completed_on": _iso(deadline.completed_on),
        "owner": deadline.owner.username if deadline.owner else "",
        "evidence": links[-1].url if links else "",
        "rule_description": deadline.rule_description,
        "current_due_date": _iso(deadline.due_date),
        "outcome": recommendation.outcome(at=at).label,
        "version": recommendation.version,
    }


def tracker_export(*, recommendations, out, at: date) -> int:
    """Write ``recommendations`` (a queryset, e.g. ``recommendations_visible_to(user)``) as CSV.

    Three queries for every thousand rows (the rows, their complaints' organisations, their
    evidence links). ``out`` is a text stream opened with ``newline=""``; no byte-order mark is
    written (write ``"\\ufeff"`` first, or open the file with ``encoding="utf-8-sig"``, so that
    Excel reads it as UTF-8). ``at`` is the day the outcome (on time, late, overdue) is worked
    out for. A cell Excel would run as a formula is escaped (``escaping``). Returns the number
    of rows written.
    """
    writer = csv.writer(out)
    writer.writerow([column.name for column in COLUMNS])
    rows = 0
    for recommendation in (
        recommendations.select_related("complaint__ombudsman", "organisation", "deadline__owner")
        .prefetch_related(
            "complaint__organisations",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.exclude(url="").order_by("added_at", "pk"),
                to_attr="evidence_links",
            ),
        )
        .iterator(chunk_size=1000)
    ):
        cells = _cells(recommendation, at=at)
        writer.writerow([escaped(cells[column.name]) for column in COLUMNS])
        rows += 1
    return rows
