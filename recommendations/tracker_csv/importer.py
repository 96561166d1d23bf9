"""The import: read and check every row, check them together, then write all or nothing."""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from ombudsman_tracker.csv_import import RowError, text_stream

from . import reading
from .checking import Row, checked_row
from .errors import TrackerImportError
from .extensions import tracker_extensions
from .lookups import Lookups
from .planning import plan_rows
from .reading import Cells, header_names, numbered_records, too_many_rows
from .workbook import is_workbook, workbook_records
from .writing import write_plan

# How often ``checked`` is called: checking a row takes tens of microseconds (recording one
# takes tens of milliseconds: see ``writing.WRITE_PROGRESS_EVERY``).
CHECK_PROGRESS_EVERY = 1000  # rows


@dataclass(frozen=True)
class ImportSummary:
    complaints_created: int
    recommendations_created: int
    rows_unchanged: int
    # Changed by an edited export (a status, an evidence link). A default, as the summaries
    # of imports finished before it existed are kept without it (``TrackerUpload.result``).
    recommendations_changed: int = 0

    def __str__(self):
        changed = (
            f" {self.recommendations_changed} recommendation(s) changed;"
            if self.recommendations_changed
            else ""
        )
        return (
            f"{self.complaints_created} complaint(s) and {self.recommendations_created} "
            f"recommendation(s) created;{changed} {self.rows_unchanged} row(s) already in the "
            "app."
        )


def tracker_import(
    *,
    file,
    by,
    at: datetime | None = None,
    dry_run: bool = False,
    checked: Callable[[int, int], None] | None = None,
    writing: Callable[[int], None] | None = None,
    written: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a spreadsheet tracker: one row per recommendation (columns: ``COLUMNS``).

    ``file`` is a text stream (open it with ``newline=""``) or a binary one such as an upload:
    an Excel workbook (.xlsx, known by its content: see ``workbook``), or CSV read as UTF-8
    with or without a byte-order mark. ``by`` is recorded in the history; unless they see
    every organisation, they may import only their own organisation's recommendations. ``at``
    (default: now) dates the evidence links and decides what is in the future.

    All or nothing: every row is checked, then everything is written in one transaction
    through ``services.complaint_create`` (statutory clocks included), ``recommendation_create``,
    ``evidence_add`` and ``recommendation_transition``. Rows already in the app with the same
    values are left alone. A row of an export (it has the ``version`` the export wrote) may
    change its recommendation's status and add an evidence link, if nobody has changed the
    recommendation since: see ``planning``. Any problem raises ``TrackerImportError`` listing
    every one, and nothing is written. ``dry_run`` checks the file and returns what would be
    created and changed.

    For a progress indicator (the worker's import of an upload): ``checked(rows, bytes read)``
    after every ``CHECK_PROGRESS_EVERY`` rows and at the end of the check (bytes read is 0 for
    a text stream; for a workbook, the file's size times the share of its declared rows
    read); ``writing(records)`` once every row has passed, with the number of complaints and
    recommendations to record or change, before the write transaction opens; and
    ``written(records)`` every ``writing.WRITE_PROGRESS_EVERY`` records inside it: what that
    saves must go through another connection to be seen before the import commits.
    """
    at = at or timezone.now()
    lookups = Lookups()
    today = timezone.localdate(at)
    binary = isinstance(file.read(0), bytes)
    if binary and is_workbook(file):
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
        with workbook_records(file) as sheet:

            def rows_read(rows: int) -> None:
                # The share of the rows the sheet declares, as a share of the file's bytes.
                if checked:
                    share = rows / max(1, (sheet.declared_rows or rows + 1) - 1)
                    checked(rows, min(size, int(size * share)))

            rows, errors = _read(sheet.records, lookups, by=by, today=today, progress=rows_read)
    else:

        def rows_checked(rows: int) -> None:
            if checked:
                # Where the text reader has got to in the bytes: a little ahead of the rows
                # parsed (it reads in chunks), which is close enough for a progress bar.
                checked(rows, file.tell() if binary else 0)

        with text_stream(file) as text:
            rows, errors = _read(
                numbered_records(text), lookups, by=by, today=today, progress=rows_checked
            )
    if not rows and not errors:
        raise TrackerImportError(
            errors=[RowError(None, "", "The file has a header row but no recommendations.")]
        )
    plan = plan_rows(rows, errors, by=by)
    if errors:
        raise TrackerImportError(errors=errors)
    if not dry_run:
        if writing:
            writing(len(plan.new_complaints) + len(plan.new_rows) + len(plan.changes))
        with transaction.atomic():
            write_plan(plan, by=by, at=at, written=written)
    return ImportSummary(
        complaints_created=len(plan.new_complaints),
        recommendations_created=len(plan.new_rows),
        rows_unchanged=plan.rows_unchanged,
        recommendations_changed=len(plan.changes),
    )


def _read(
    records: Iterator[tuple[int, list[str]]],
    lookups: Lookups,
    *,
    by,
    today: date,
    progress: Callable[[int], None],
) -> tuple[list[Row], list[RowError]]:
    """Every row read and checked on its own: the rows without problems, and every problem."""
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
    extensions = tracker_extensions()
    rows, errors, count = [], [], 0
    for number, record in records:
        if number > reading.MAX_ROWS + 1:
            raise too_many_rows()
        if not any(value.strip() for value in record):
            continue  # a blank row, as spreadsheets often leave at the end
        cells = Cells.of_record(number, record, names)
        row = checked_row(cells, lookups, by=by, today=today)
        values = {extension.name: extension.read(cells, lookups) for extension in extensions}
        errors += cells.errors
        if row is not None:
            row.extensions = {name: value for name, value in values.items() if value is not None}
            rows.append(row)
        count += 1
        if count % CHECK_PROGRESS_EVERY == 0:
            progress(count)
    progress(count)
    return rows, errors
