"""The import: read and check every row, check them together, then write all or nothing."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from ombudsman_tracker.csv_import import RowError, text_stream

from .checking import Row, checked_row
from .errors import TrackerImportError
from .lookups import Lookups
from .planning import plan_rows
from .reading import Cells, header_names, numbered_records
from .writing import write_plan


@dataclass(frozen=True)
class ImportSummary:
    complaints_created: int
    recommendations_created: int
    rows_unchanged: int

    def __str__(self):
        return (
            f"{self.complaints_created} complaint(s) and {self.recommendations_created} "
            f"recommendation(s) created; {self.rows_unchanged} row(s) already in the app."
        )


def tracker_import(*, file, by, at: datetime | None = None, dry_run: bool = False) -> ImportSummary:
    """Import a spreadsheet tracker: one row per recommendation (columns: ``IMPORT_COLUMNS``).

    ``file`` is a text stream (open it with ``newline=""``) or a binary one such as an upload,
    read as UTF-8 with or without a byte-order mark. ``by`` is recorded in the history;
    unless they see every organisation, they may import only their own organisation's
    recommendations. ``at`` (default: now) dates the evidence links and decides what is in
    the future.

    All or nothing: every row is checked, then everything is written in one transaction
    through ``services.complaint_create`` (statutory clocks included), ``recommendation_create``,
    ``evidence_add`` and ``recommendation_transition``. Rows already in the app with the same
    values are left alone; any problem raises ``TrackerImportError`` listing every one, and
    nothing is written. ``dry_run`` checks the file and returns what would be created.
    """
    at = at or timezone.now()
    lookups = Lookups()
    with text_stream(file) as text:
        rows, errors = _read(text, lookups, by=by, today=timezone.localdate(at))
    if not rows and not errors:
        raise TrackerImportError(
            errors=[RowError(None, "", "The file has a header row but no recommendations.")]
        )
    plan = plan_rows(rows, errors, by=by)
    if errors:
        raise TrackerImportError(errors=errors)
    if not dry_run:
        with transaction.atomic():
            write_plan(plan, by=by, at=at)
    return ImportSummary(
        complaints_created=len(plan.new_complaints),
        recommendations_created=len(plan.new_rows),
        rows_unchanged=plan.rows_unchanged,
    )


def _read(text, lookups: Lookups, *, by, today: date) -> tuple[list[Row], list[RowError]]:
    """Every row read and checked on its own: the rows without problems, and every problem."""
    records = numbered_records(text)
    number, header = next(records, (None, []))
    if number is None:
        raise TrackerImportError(
            errors=[
                RowError(
                    None,
                    "",
                    "The file is empty: it needs a header row and one row per recommendation.",
                )
            ]
        )
    if not any(cell.strip() for cell in header):
        raise TrackerImportError(
            errors=[RowError(1, "", "Row 1 must be the header row, naming the columns.")]
        )
    names = header_names(header)
    rows, errors = [], []
    for number, record in records:
        if not any(value.strip() for value in record):
            continue  # a blank row, as spreadsheets often leave at the end
        cells = Cells.of_record(number, record, names)
        row = checked_row(cells, lookups, by=by, today=today)
        errors += cells.errors
        if row is not None:
            rows.append(row)
    return rows, errors
