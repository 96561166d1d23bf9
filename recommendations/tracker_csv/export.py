"""The export: one row per recommendation, in the columns the import reads, for Excel.

Every column the import needs is written (``columns.all_columns()``, with the columns apps
above add through ``extensions``), so an export edited in Excel
imports back: unchanged rows change nothing, and an edited status is made (see ``planning``).
"""

import csv
from collections.abc import Iterator
from datetime import date
from itertools import islice

from django.db.models import Prefetch

from ..models import Evidence
from .columns import all_columns
from .escaping import escaped
from .extensions import tracker_extensions
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


# Rows read from the database, and rows sent on to the browser, at a time.
CHUNK_ROWS = 1000


def batched(rows, size: int) -> Iterator[list]:
    """Lists of ``size`` rows (the last may be shorter): ``itertools.batched`` from 3.12."""
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes, so each row's CSV text
    can be sent on as it is made rather than kept."""

    def write(self, text: str) -> str:
        return text


def _lines(recommendations, *, at: date) -> Iterator[str]:
    """The header's CSV text, then each row's."""
    writer = csv.writer(_Line())
    names = [column.name for column in all_columns()]
    extensions = tracker_extensions()
    yield writer.writerow(names)
    rows = (
        recommendations.select_related("complaint__ombudsman", "organisation", "deadline__owner")
        .prefetch_related(
            "complaint__organisations",
            Prefetch(
                "evidence",
                queryset=Evidence.objects.exclude(url="").order_by("added_at", "pk"),
                to_attr="evidence_links",
            ),
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for chunk in batched(rows, CHUNK_ROWS):
        extra: dict[int, dict[str, str]] = {}
        for extension in extensions:
            for pk, cells in extension.cells(chunk).items():
                extra.setdefault(pk, {}).update(cells)
        for recommendation in chunk:
            cells = _cells(recommendation, at=at) | extra.get(recommendation.pk, {})
            yield writer.writerow([escaped(cells.get(name, "")) for name in names])


def tracker_export_chunks(*, recommendations, at: date) -> Iterator[str]:
    """The export of ``recommendations`` (a queryset, e.g. ``recommendations_visible_to(user)``)
    as CSV text in pieces of ``CHUNK_ROWS`` rows (the header first): memory stays flat however
    many rows there are, so a download can be streamed (``StreamingHttpResponse``).

    Three queries for every ``CHUNK_ROWS`` rows (the rows, their complaints' organisations,
    their evidence links), and those of each extension's ``cells``. No byte-order mark is
    written (write ``"\ufeff"`` first, or open the file with ``encoding="utf-8-sig"``, so that
    Excel reads it as UTF-8). ``at`` is the day the
    outcome (on time, late, overdue) is worked out for. A cell Excel would run as a formula is
    escaped (``escaping``).
    """
    chunk = []
    for line in _lines(recommendations, at=at):
        chunk.append(line)
        if len(chunk) == CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def tracker_export(*, recommendations, out, at: date) -> int:
    """Write the export (as ``tracker_export_chunks`` gives it) to ``out``, a text stream
    opened with ``newline=""``. Returns the number of rows written."""
    rows = -1  # the header is not a row
    for line in _lines(recommendations, at=at):
        out.write(line)
        rows += 1
    return rows
