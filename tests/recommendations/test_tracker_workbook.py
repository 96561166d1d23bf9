"""A tracker kept as an Excel workbook: the first worksheet is read, the header in row 1.

Cells come as Excel holds them (real dates, numbers, TRUE and FALSE) and read as the CSV
import reads their text. A workbook is a ZIP, so it is looked into before it is opened: one
that would unpack to too much (a zip bomb), or has more rows than a CSV may have, is refused
with a clear message, as is one that is damaged.
"""

import io
import re
import zipfile
from datetime import date, datetime, time

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from ombudsman_tracker.csv_import import parse_date
from recommendations.models import Recommendation
from recommendations.tracker_csv import (
    ImportSummary,
    RowError,
    TrackerImportError,
    reading,
    tracker_import,
)
from recommendations.tracker_csv.workbook import cell_text, workbook_problem
from tests.factories import OrganisationFactory
from tests.recommendations.test_tracker_csv import (
    AT,
    GOOD_ROWS,
    HEADER,
    NOTHING_WRITTEN,
    tracker_file,
    tracker_row,
    written_counts,
)

NUMBERS = ("recommendation_number",)
DATES = ("report_date", "received_date", "due_date", "completed_on")


@pytest.fixture
def importer(db, manager, officer):
    """A Croydon manager, with Croydon's officer as a possible owner; Kent exists too."""
    OrganisationFactory(name="Kent County Council")
    return manager


def excel_date(day: date, at: time = time()) -> datetime:
    """A date as Excel holds it: a moment with no time zone (midnight, unless a time is typed)."""
    return datetime.combine(day, at)


def as_excel_holds_it(row: dict) -> dict:
    """A row as typed into Excel: dates become dates, numbers numbers, yes and no booleans."""
    held = dict(row)
    for column in DATES:
        if held[column]:
            held[column] = excel_date(parse_date(held[column]))
    for column in NUMBERS:
        held[column] = int(held[column])
    held["public_interest_report"] = held["public_interest_report"] == "yes"
    return held


def workbook_file(*rows: dict, header=HEADER, extra_sheets=()) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "Tracker"
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name) for name in header])
    for title in extra_sheets:
        book.create_sheet(title).append(["not", "a", "tracker"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def rewritten(file: io.BytesIO, part: str, change) -> io.BytesIO:
    """The workbook with one of its parts changed by ``change(bytes) -> bytes``."""
    out = io.BytesIO()
    with zipfile.ZipFile(file) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info.filename)
            copy.writestr(info.filename, change(data) if info.filename == part else data)
    out.seek(0)
    return out


def refusal(file, by) -> list[RowError]:
    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=file, by=by, at=AT)
    assert written_counts() == NOTHING_WRITTEN
    return raised.value.errors


# --- Good workbooks -------------------------------------------------------------------------


def test_a_workbook_with_real_excel_dates_numbers_and_booleans_imports_as_its_csv_would(
    importer,
):
    summary = tracker_import(
        file=workbook_file(*[as_excel_holds_it(row) for row in GOOD_ROWS]), by=importer, at=AT
    )

    assert summary == ImportSummary(
        complaints_created=2, recommendations_created=4, rows_unchanged=0
    )
    assert [
        (r.complaint.report_date, r.number, r.deadline.due_date, r.deadline.completed_on)
        for r in Recommendation.objects.order_by("complaint__reference", "number")
    ] == [
        (date(2021, 11, 26), 1, date(2022, 2, 26), date(2022, 2, 20)),
        (date(2021, 11, 26), 2, date(2022, 3, 31), None),
        (date(2021, 11, 26), 3, date(2021, 12, 24), None),
        (date(2022, 3, 14), 1, date(2022, 4, 15), date(2022, 5, 16)),
    ]
    # The same file again, as CSV, is the same tracker.
    again = tracker_import(file=tracker_file(*GOOD_ROWS), by=importer, at=AT)
    assert again.rows_unchanged == 4


def test_dates_typed_as_text_in_a_workbook_are_read_like_a_csvs(importer):
    summary = tracker_import(file=workbook_file(*GOOD_ROWS), by=importer, at=AT)

    assert summary.recommendations_created == 4


def test_only_the_first_worksheet_is_read(importer):
    file = workbook_file(GOOD_ROWS[1], extra_sheets=["Notes", "Old tracker"])

    summary = tracker_import(file=file, by=importer, at=AT)

    assert summary.recommendations_created == 1


def test_problems_in_a_workbook_carry_the_row_numbers_excel_shows(importer):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([tracker_row()[name] for name in HEADER])
    # Row 3 is left blank; row 4 has a date with a time of day, which is not a date.
    bad = tracker_row(
        recommendation_number="2", report_date=excel_date(date(2021, 11, 26), time(10, 30))
    )
    for position, name in enumerate(HEADER, start=1):
        sheet.cell(row=4, column=position, value=bad[name])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)

    assert refusal(out, importer) == [
        RowError(
            4,
            "report_date",
            "'2021-11-26T10:30:00' is not a date: write it as YYYY-MM-DD (2021-11-26) or "
            "DD/MM/YYYY (26/11/2021).",
        )
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("text", "text"),
        (True, "yes"),
        (False, "no"),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        (excel_date(date(2022, 2, 26)), "2022-02-26"),
        (date(2022, 2, 26), "2022-02-26"),
        (excel_date(date(2022, 2, 26), time(9, 30)), "2022-02-26T09:30:00"),
        (time(9, 30), "09:30:00"),
    ],
)
def test_a_cell_reads_as_the_csv_import_would_read_its_text(value, text):
    assert cell_text(value) == text


# --- Refused workbooks ----------------------------------------------------------------------


def test_a_damaged_workbook_is_refused_with_advice(importer):
    file = rewritten(workbook_file(tracker_row()), "xl/workbook.xml", lambda data: data[:50])

    [error] = refusal(file, importer)

    assert error.row_number is None
    assert error.message.startswith("This workbook cannot be read (")
    assert error.message.endswith(
        "). Open it in Excel, save it again as an Excel Workbook (.xlsx), and upload it again; "
        "or save it as 'CSV UTF-8 (Comma delimited)'."
    )


def test_a_zip_that_is_not_a_workbook_is_refused(importer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    out.seek(0)

    [error] = refusal(out, importer)

    assert error.message.startswith("This workbook cannot be read (")


def test_a_workbook_that_would_unpack_to_too_much_is_refused_before_it_is_opened(
    importer, settings
):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024  # so at most 10MB unpacked
    padded = rewritten(
        workbook_file(tracker_row()), "docProps/app.xml", lambda data: data + b" " * 11_000_000
    )
    message = (
        "This workbook unpacks to more than 10MB: save it as 'CSV UTF-8 (Comma delimited)', or "
        "split it into smaller workbooks."
    )

    assert padded.getbuffer().nbytes < 100_000  # small to upload, large once unpacked
    assert workbook_problem(padded) == message
    assert refusal(padded, importer) == [RowError(None, "", message)]


def test_a_workbook_declaring_more_rows_than_a_tracker_may_have_is_refused_before_reading(
    importer, monkeypatch
):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [tracker_row(recommendation_number=str(n)) for n in range(1, 5)]
    message = (
        "This workbook's first sheet has 4 rows below its header; at most 3 can be imported at "
        "once: split it into smaller workbooks."
    )

    assert workbook_problem(workbook_file(*rows)) == message
    assert refusal(workbook_file(*rows), importer) == [RowError(None, "", message)]


def test_a_workbook_that_understates_its_rows_is_stopped_at_the_limit_as_it_is_read(
    importer, monkeypatch
):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [tracker_row(recommendation_number=str(n)) for n in range(1, 5)]
    lying = rewritten(
        workbook_file(*rows),
        "xl/worksheets/sheet1.xml",
        lambda data: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:T2"', data),
    )

    assert workbook_problem(lying) == ""
    assert refusal(lying, importer) == [
        RowError(
            None,
            "",
            "The file has more than 3 rows below its header: split it into files of at most "
            "that many and import each.",
        )
    ]


def test_a_csv_with_more_rows_than_a_tracker_may_have_is_refused(importer, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [tracker_row(recommendation_number=str(n)) for n in range(1, 5)]

    assert refusal(tracker_file(*rows), importer) == [
        RowError(
            None,
            "",
            "The file has more than 3 rows below its header: split it into files of at most "
            "that many and import each.",
        )
    ]


def test_the_import_command_reads_a_workbook_too(importer, tmp_path):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(workbook_file(GOOD_ROWS[1]).getvalue())
    out = io.StringIO()

    call_command("import_tracker", str(path), "--user", "manager", stdout=out)

    assert out.getvalue() == (
        "1 complaint(s) and 1 recommendation(s) created; 0 row(s) already in the app.\n"
    )
