"""A clerk keeps the tracker in Excel between visits: export, edit, import.

The export has every column the import reads, so importing an export unchanged changes
nothing at all (no history, no version moves), whatever the app holds: an overridden or
extended due date, evidence held as a file, an owner who has left, text that Excel would take
for a formula. An export with one status edited makes exactly that change, through the same
rules as the status page, or refuses it with the row's number.
"""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.roles import Role
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, Deadline
from recommendations import services
from recommendations.models import Complaint, Recommendation, RecommendationStatus
from recommendations.selectors import recommendations_visible_to
from recommendations.tracker_csv import (
    COLUMNS,
    ImportSummary,
    RowError,
    TrackerImportError,
    tracker_export,
    tracker_import,
)
from recommendations.tracker_csv.escaping import escaped, unescaped
from tests.factories import (
    OrganisationFactory,
    complaint_recorded,
    recommendation_recorded,
    user_with_role,
)
from tests.recommendations.test_tracker_csv import tracker_file, tracker_row, written_counts

AT = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
EXPORTED_ON = date(2022, 6, 1)
DATE_COLUMNS = ("report_date", "received_date", "due_date", "completed_on", "current_due_date")


@pytest.fixture
def tracker(db, manager, officer, settings, tmp_path):
    """Croydon's recommendations as a year of work leaves them, on a report shared with Kent."""
    settings.MEDIA_ROOT = tmp_path
    kent = OrganisationFactory(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    leaver = user_with_role(Role.OFFICER, username="leaver", organisation=manager.organisation)
    shared = complaint_recorded(
        reference="21 000 001",
        organisations=[manager.organisation, kent],
        by=user_with_role(Role.ADMINISTRATOR, sees_all_organisations=True),
    )

    def recorded(**fields):
        return recommendation_recorded(complaint=shared, by=manager, **fields)

    open_one = recorded(text="Share the learning:\r\ninformation sharing. ", owner=officer)
    with_file = recorded(kind="audit", text="Audit 50 cases.")
    services.evidence_add(
        recommendation=with_file,
        description="Audit report",
        file=SimpleUploadedFile("audit.txt", b"12 of 50 cases showed similar issues."),
        by=manager,
        at=AT,
    )
    services.recommendation_transition(
        recommendation=with_file,
        to_status=RecommendationStatus.COMPLIED,
        by=manager,
        on=date(2022, 2, 1),
    )
    extended = recorded(rule={"counting": Counting.STATED, "stated_date": date(2022, 3, 31)})
    deadline_services.extension_record(
        deadline=extended.deadline,
        new_due_date=date(2022, 4, 30),
        reason="The committee meets in April.",
        basis="agreed_in_writing",
        by=manager,
        at=AT,
    )
    overridden = recorded()
    deadline_services.deadline_override(
        deadline=overridden.deadline,
        due_date=date(2022, 3, 4),
        reason="The Ombudsman agreed a later date by email.",
        by=manager,
    )
    recorded(text="=1+1 is how the spreadsheet counted them", expected_evidence="'Quoted' minutes")
    recorded(owner=leaver)
    get_user_model().objects.filter(pk=leaver.pk).update(is_active=False)
    # Kent's own recommendation: not in Croydon's export.
    recommendation_recorded(complaint=shared, organisation=kent, by=kent_manager)
    other = complaint_recorded(reference="22 000 417", public_interest_report=False, by=manager)
    withdrawn = recommendation_recorded(
        complaint=other,
        by=manager,
        rule={
            "counting": Counting.WITHIN,
            "count": 10,
            "unit": Unit.WORKING_DAYS,
            "anchor": Anchor.OTHER_DATE,
            "anchor_date": date(2022, 1, 5),
            "anchor_label": "the committee meeting",
        },
    )
    services.recommendation_transition(
        recommendation=withdrawn,
        to_status=RecommendationStatus.WITHDRAWN,
        by=manager,
        on=date(2022, 2, 1),
    )
    return {"open": open_one, "with file": with_file}


def exported(user) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    tracker_export(
        recommendations=recommendations_visible_to(user).order_by("complaint__reference", "number"),
        out=out,
        at=EXPORTED_ON,
    )
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def as_csv(rows: list[dict[str, str]]) -> io.StringIO:
    return tracker_file(*rows, header=[column.name for column in COLUMNS])


def as_excel_saves_it(rows: list[dict[str, str]]) -> io.BytesIO:
    """The CSV Excel writes back: dates as a UK Excel shows them, a byte-order mark."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=[column.name for column in COLUMNS])
    writer.writeheader()
    for row in rows:
        writer.writerow(
            row
            | {
                column: date.fromisoformat(row[column]).strftime("%d/%m/%Y")
                for column in DATE_COLUMNS
                if row[column]
            }
        )
    return io.BytesIO(("\ufeff" + out.getvalue()).encode())


def as_workbook(rows: list[dict[str, str]]) -> io.BytesIO:
    """The export opened in Excel and saved as a workbook: dates and numbers become real
    dates and numbers; escaped text stays text, apostrophe and all."""
    book = Workbook()
    sheet = book.active
    names = [column.name for column in COLUMNS]
    sheet.append(names)
    for row in rows:
        cells = []
        for name in names:
            value = row[name]
            if name in DATE_COLUMNS and value:
                value = datetime.fromisoformat(value)
            elif name in ("recommendation_number", "version"):
                value = int(value)
            cells.append(value)
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as Excel keeps it, never a formula
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def snapshot() -> dict:
    """Every row the import could write, with its history and version."""
    return written_counts() | {
        "versions": sorted(
            (model.__name__, pk, version)
            for model in (Complaint, Recommendation, Deadline)
            for pk, version in model.objects.values_list("pk", "version")
        )
    }


def edit(rows, which, /, **changes) -> int:
    """Change the row of recommendation ``which`` as a clerk would in Excel; its row number."""
    number, row = row_of(rows, which)
    row.update(changes)
    return number


def row_of(rows, recommendation) -> tuple[int, dict]:
    """The spreadsheet row number (the header is row 1) and the row of ``recommendation``."""
    for number, row in enumerate(rows, start=2):
        if (row["complaint_reference"], row["recommendation_number"]) == (
            recommendation.complaint.reference,
            str(recommendation.number),
        ):
            return number, row
    raise AssertionError(f"{recommendation} is not in the export")


# --- Unchanged: nothing changes -------------------------------------------------------------


@pytest.mark.parametrize(
    "saved_as", [as_csv, as_excel_saves_it, as_workbook], ids=["csv", "excel-csv", "xlsx"]
)
def test_an_unchanged_export_imports_back_changing_nothing(tracker, manager, saved_as):
    rows = exported(manager)
    before = snapshot()

    summary = tracker_import(file=saved_as(rows), by=manager, at=AT)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=0, rows_unchanged=7
    )
    assert len(rows) == 7
    assert snapshot() == before


def test_an_export_edited_by_hand_in_columns_the_import_ignores_changes_nothing(tracker, manager):
    rows = exported(manager)
    for row in rows:
        row |= {"rule_description": "", "current_due_date": "2099-01-01", "outcome": "Great"}
    before = snapshot()

    summary = tracker_import(file=as_csv(rows), by=manager, at=AT)

    assert summary.rows_unchanged == 7
    assert snapshot() == before


# --- One status edited: exactly that change -------------------------------------------------


def test_one_status_edited_in_an_export_makes_exactly_that_change(tracker, manager):
    rows = exported(manager)
    edit(
        rows,
        tracker["open"],
        status="Complied",
        completed_on="2022-05-20",
        evidence="https://intranet.example.org/briefings/2022-05",
    )
    before = snapshot()
    deadline_version = tracker["open"].deadline.version

    summary = tracker_import(file=as_csv(rows), by=manager, at=AT)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=0, rows_unchanged=6, recommendations_changed=1
    )
    assert str(summary) == (
        "0 complaint(s) and 0 recommendation(s) created; 1 recommendation(s) changed; 6 row(s) "
        "already in the app."
    )
    recommendation = Recommendation.objects.get(pk=tracker["open"].pk)
    assert (
        recommendation.status,
        recommendation.deadline.status,
        recommendation.deadline.completed_on,
        recommendation.outcome(at=EXPORTED_ON).label,
    ) == ("complied", "met", date(2022, 5, 20), "Complied late")
    assert [(e.url, e.added_by) for e in recommendation.evidence.all()] == [
        ("https://intranet.example.org/briefings/2022-05", manager)
    ]
    assert recommendation.history.latest().history_change_reason == (
        "Status changed to Complied (imported from a spreadsheet tracker)"
    )
    after = snapshot()
    assert {
        model: (after[model][0] - before[model][0], after[model][1] - before[model][1])
        for model in ("Complaint", "Recommendation", "Deadline", "Evidence")
    } == {
        "Complaint": (0, 0),
        "Recommendation": (0, 1),
        "Deadline": (0, 1),
        "Evidence": (1, 1),
    }
    moved = set(after["versions"]) - set(before["versions"])
    assert moved == {
        ("Recommendation", recommendation.pk, 2),
        ("Deadline", recommendation.deadline.pk, deadline_version + 1),
    }


def test_an_export_edited_again_after_its_import_changes_nothing_more(tracker, manager):
    rows = exported(manager)
    edit(rows, tracker["open"], status="In progress")
    tracker_import(file=as_csv(rows), by=manager, at=AT)
    before = snapshot()

    again = tracker_import(file=as_csv(exported(manager)), by=manager, at=AT)

    assert again.rows_unchanged == 7
    assert snapshot() == before


def test_a_status_edited_in_a_workbook_with_an_excel_date_is_made(tracker, manager):
    rows = exported(manager)
    edit(rows, tracker["with file"], status="In progress", completed_on="")
    edit(rows, tracker["open"], status="Not complied", completed_on="2022-05-31")

    summary = tracker_import(file=as_workbook(rows), by=manager, at=AT)

    assert summary.recommendations_changed == 2
    reopened = Recommendation.objects.get(pk=tracker["with file"].pk)
    closed = Recommendation.objects.get(pk=tracker["open"].pk)
    assert (reopened.status, reopened.deadline.status, reopened.deadline.completed_on) == (
        "in_progress",
        "open",
        None,
    )
    assert (closed.status, closed.deadline.completed_on) == ("not_complied", date(2022, 5, 31))


def test_a_recommendation_with_its_evidence_in_the_app_may_be_marked_complied_without_a_link(
    tracker, manager
):
    with_file = tracker["with file"]
    services.recommendation_transition(
        recommendation=with_file,
        to_status=RecommendationStatus.IN_PROGRESS,
        by=manager,
        on=date(2022, 3, 1),
    )
    rows = exported(manager)
    edit(rows, with_file, status="Complied", completed_on="2022-04-01")

    summary = tracker_import(file=as_csv(rows), by=manager, at=AT)

    assert summary.recommendations_changed == 1
    assert Recommendation.objects.get(pk=with_file.pk).deadline.completed_on == date(2022, 4, 1)


# --- Refused changes: the row, and nothing written ------------------------------------------


def refused(rows, by) -> list[RowError]:
    before = snapshot()
    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=as_csv(rows), by=by, at=AT)
    assert snapshot() == before
    return raised.value.errors


def test_complied_without_evidence_in_an_export_is_refused_with_its_row(tracker, manager):
    rows = exported(manager)
    number = edit(rows, tracker["open"], status="Complied", completed_on="2022-05-20")

    assert refused(rows, manager) == [
        RowError(
            number,
            "evidence",
            "A complied recommendation needs evidence: give a link to it (starting https://), "
            "or add the evidence to the recommendation in the app first.",
        )
    ]


def test_a_status_the_app_would_not_allow_is_refused(tracker, manager):
    rows = exported(manager)
    number = edit(rows, tracker["with file"], status="Open", completed_on="")

    assert refused(rows, manager) == [
        RowError(
            number,
            "status",
            "Recommendation 2 of complaint 21 000 001 for Croydon Council is complied in the "
            "app, so it cannot become open: it can become in progress.",
        )
    ]


def test_a_change_to_a_recommendation_changed_in_the_app_since_the_export_is_refused(
    tracker, manager
):
    rows = exported(manager)
    number = edit(rows, tracker["open"], status="Withdrawn")
    services.recommendation_transition(
        recommendation=tracker["open"],
        to_status=RecommendationStatus.IN_PROGRESS,
        by=manager,
        on=date(2022, 5, 2),
    )

    assert refused(rows, manager) == [
        RowError(
            number,
            "version",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council has changed in the app "
            "since this file was exported (it is at version 2, the file has 1): export the "
            "tracker again and make the change in the new file.",
        )
    ]


def test_an_export_cannot_change_what_only_the_app_changes(tracker, manager):
    rows = exported(manager)
    number = edit(rows, tracker["open"], recommendation="Something else.", status="In progress")

    assert refused(rows, manager) == [
        RowError(
            number,
            "recommendation",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council already exists with a "
            "different recommendation ('Share the learning:\ninformation sharing.' in the app): "
            "an import changes only a recommendation's status and evidence; edit recommendation "
            "in the app, or make this row match.",
        )
    ]


def test_a_tracker_made_by_hand_still_never_changes_a_status(tracker, manager):
    """Without the export's version, an old spreadsheet imported again cannot undo what was
    recorded in the app since."""
    rows = exported(manager)
    number = edit(rows, tracker["open"], status="In progress")
    header = [column.name for column in COLUMNS if column.name != "version"]
    before = snapshot()

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=tracker_file(*rows, header=header), by=manager, at=AT)

    assert raised.value.errors == [
        RowError(
            number,
            "status",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council already exists with a "
            "different status ('Open' in the app): edit it in the app, or remove this row.",
        )
    ]
    assert snapshot() == before


def test_a_version_that_is_not_the_exports_is_refused(tracker, manager):
    rows = exported(manager)
    number = edit(rows, tracker["open"], version="two")

    assert refused(rows, manager) == [
        RowError(
            number,
            "version",
            "'two' is not a version: leave the version the export wrote as it is (blank for a "
            "new recommendation).",
        )
    ]


# --- Formulas: escaped on export, read back as they were ------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+44 20 7946 0000", "-2", "@SUM(A1)", "'quoted'", "''", "'", "plain"]
)
def test_a_cell_escaped_on_export_reads_back_as_the_original_text(text):
    assert unescaped(escaped(text)) == text


@pytest.mark.parametrize("text", ["=1+1", "'quoted' minutes", "-2 days late"])
def test_a_recommendation_whose_text_looks_like_a_formula_is_imported_as_that_text(manager, text):
    row = tracker_row(organisations="Croydon Council", owner="", recommendation=escaped(text))

    tracker_import(file=tracker_file(row), by=manager, at=AT)

    assert Recommendation.objects.get().text == text


def test_an_importer_not_allowed_to_change_a_status_is_refused_that_change(tracker, manager):
    """The import asks the permission the status page asks for the same change."""
    importer_only = user_with_role(Role.VIEWER, username="importer-only")
    importer_only.user_permissions.add(Permission.objects.get(codename="import_tracker"))
    importer_only = get_user_model().objects.get(pk=importer_only.pk)  # permissions afresh
    rows = exported(manager)
    number = edit(rows, tracker["open"], status="In progress")

    assert refused(rows, importer_only) == [
        RowError(
            number,
            "status",
            "You are not allowed to change a recommendation's status: ask someone who is, or "
            "undo this change.",
        )
    ]
