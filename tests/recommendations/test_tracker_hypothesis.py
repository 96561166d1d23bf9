"""The tracker import given anything at all: a clear refusal or a correct import, never a crash.

Hypothesis draws whole files (any bytes, any text, any cells under the real header) and rows
that are good but for a few cells given arbitrary or awkward values. Whatever comes in, the
import either raises ``TrackerImportError`` with its problems listed and has written nothing,
or reports exactly what it wrote, and importing the same file again then changes nothing.
Each example runs in a savepoint rolled back afterwards, so every one starts from the same
database.
"""

import csv
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from ombudsman_tracker.csv_import import RowError
from recommendations.tracker_csv import IMPORT_COLUMNS, TrackerImportError, tracker_import
from tests.factories import OrganisationFactory, user_with_role
from tests.recommendations.test_tracker_csv import (
    AT,
    GOOD_ROWS,
    HEADER,
    tracker_row,
    tracker_text,
    written_counts,
)

# Each example imports a file into the database: fewer of them than for the pure functions.
# The fixtures (two councils and their staff) are made once per test, not per example; each
# example's writes are rolled back, which is what the function-scoped-fixture check guards.
DB = settings(
    max_examples=60,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

COLUMNS = [column.name for column in IMPORT_COLUMNS]

# Values that have tripped importers up: edges of the calendar and of the counts, numbers in
# other scripts, spreadsheet formulas, separators, blanks that are not empty, and good values
# of other columns.
AWKWARD = [
    "",
    " ",
    "\u00a0",
    "\t",
    "0",
    "-1",
    "32767",
    "32768",
    "99999999999999999999",
    "\u0661",  # an Arabic-Indic one: a digit to str.isdigit, not to a spreadsheet
    "²",
    "1.5",
    "1e3",
    "=1+1",
    "yes",
    "no",
    "Y",
    "TRUE",
    "29/02/2023",
    "29/02/2024",
    "31/12/9999",
    "9999-12-31",
    "0001-01-01",
    "01/01/0001",
    "2022-13-01",
    "2099-01-01",
    "stated",
    "within 32767 days of 9999-12-31",
    "within 3 months of 31/12/9999",
    "32767 working days beginning with report date",
    "within 0 days of report date",
    "within twelve months of date received",
    "within 3 fortnights of report date",
    "Croydon Council",
    "Kent County Council",
    "croydon council;;KENT COUNTY COUNCIL",
    "Croydon Council; Croydon Council",
    "Nowhere Council",
    "LGSCO",
    "lgsco",
    "officer",
    "officer@example.org",
    "manager",
    "https://intranet.example.org/briefing",
    "https://",
    "javascript:alert(1)",
    "ftp://example.org/file",
    "x" * 300,
    '"',
    "a,b",
    "line one\nline two",
    "\r\n",
]

CELL = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=40))


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def _imported(file, by):
    """Import ``file``: the summary, checked against what was written, or None if refused."""
    before = written_counts()
    refusal = None
    try:
        summary = tracker_import(file=file, by=by, at=AT)
    except TrackerImportError as error:
        refusal = error
    after = written_counts()
    event("refused" if refusal else "imported")  # shown by --hypothesis-show-statistics
    if refusal is not None:
        assert refusal.errors
        assert all(isinstance(e, RowError) and e.message for e in refusal.errors)
        assert str(refusal).endswith("; nothing was imported.")
        assert after == before, "a refused file must write nothing"
        return None

    def added(model):
        return after[model][0] - before[model][0]

    assert added("Complaint") == summary.complaints_created
    assert added("Recommendation") == summary.recommendations_created
    # Each new recommendation has its deadline; a public interest report adds its clocks.
    assert added("Deadline") >= summary.recommendations_created
    return summary


def _import(file, by):
    """Import ``file`` in a savepoint rolled back afterwards."""
    with transaction.atomic():
        _imported(file, by)
        transaction.set_rollback(True)


def _import_twice(data: bytes, by):
    """Import the bytes; if they are imported, importing them again changes nothing."""
    with transaction.atomic():
        summary = _imported(io.BytesIO(data), by)
        if summary is not None:
            again = _imported(io.BytesIO(data), by)
            assert (again.complaints_created, again.recommendations_created) == (0, 0)
            assert again.rows_unchanged == summary.recommendations_created + summary.rows_unchanged
        transaction.set_rollback(True)


@pytest.fixture
def importer(db):
    """A Croydon manager; Croydon's officer is a possible owner; Kent exists too."""
    croydon = OrganisationFactory(name="Croydon Council")
    OrganisationFactory(name="Kent County Council")
    user_with_role(
        Role.OFFICER, username="officer", email="officer@example.org", organisation=croydon
    )
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


# --- Whole files ----------------------------------------------------------------------------


@DB
@given(data=st.binary(max_size=3000))
@example(data=b"")
@example(data=b"\xff\xfe\x00\x00")
@example(data=b"\x00")
@example(data=",".join(HEADER).encode() + b"\r\n\x00")
def test_any_bytes_are_refused_clearly_or_imported(importer, data):
    _import(io.BytesIO(data), importer)


@DB
@given(text=st.text(max_size=3000), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_text_is_refused_clearly_or_imported(importer, text, encoding):
    _import(io.BytesIO(_encode(text, encoding)), importer)


@DB
@given(
    header=st.lists(st.sampled_from([*COLUMNS, *AWKWARD]), max_size=len(COLUMNS) + 3),
    rows=st.lists(st.lists(CELL, max_size=len(COLUMNS) + 3), max_size=5),
)
def test_any_cells_under_any_header_are_refused_clearly_or_imported(importer, header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    _import(io.StringIO(out.getvalue(), newline=""), importer)


# --- Good rows with a few awkward cells -----------------------------------------------------


@st.composite
def tracker_rows(draw):
    """One to four good rows, then up to three of their cells replaced by anything at all.

    Rows of the same complaint agree about it and are numbered apart, so a file with no cell
    replaced imports; a replaced reference or number often makes rows collide.
    """
    rows = [dict(row) for row in draw(st.lists(st.sampled_from(GOOD_ROWS), min_size=1, max_size=4))]
    for position, row in enumerate(rows, start=1):
        row["recommendation_number"] = str(position)
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(COLUMNS))] = draw(CELL)
    return rows


@DB
@given(
    rows=tracker_rows(),
    columns=st.lists(st.sampled_from(COLUMNS), min_size=1, unique=True).map(
        lambda kept: [column for column in COLUMNS if column in kept]
    )
    | st.just(HEADER)
    | st.permutations(HEADER),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]),
)
@example(rows=[tracker_row()], columns=HEADER, encoding="utf-8")
@example(rows=GOOD_ROWS, columns=HEADER, encoding="utf-8-sig")
@example(
    rows=[tracker_row(rule="within 3 months of report date", report_date="31/12/9999")],
    columns=HEADER,
    encoding="utf-8",
)
@example(
    rows=[
        tracker_row(
            report_date="31/12/9999", received_date="", rule="stated", due_date="2022-01-01"
        )
    ],
    columns=HEADER,
    encoding="utf-8",
)
def test_rows_with_awkward_cells_are_refused_clearly_or_imported_once(
    importer, rows, columns, encoding
):
    _import_twice(_encode(tracker_text(*rows, header=columns), encoding), importer)
