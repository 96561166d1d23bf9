"""Importing a council's spreadsheet tracker, and exporting recommendations for Excel."""

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, Deadline, DeadlineKind
from recommendations import services
from recommendations.models import (
    Complaint,
    Evidence,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
)
from recommendations.tracker_csv import (
    COLUMNS,
    ENCODING_MESSAGE,
    IMPORT_COLUMNS,
    ImportSummary,
    RowError,
    Rule,
    TrackerImportError,
    tracker_export,
    tracker_import,
)
from tests.factories import (
    OrganisationFactory,
    complaint_recorded,
    recommendation_recorded,
    user_with_role,
)

AT = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)
HEADER = [column.name for column in IMPORT_COLUMNS]
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tracker-example.csv"


def tracker_row(**changes) -> dict:
    """A good row: recommendation 1 to Croydon on a public interest report binding two councils."""
    return {
        "complaint_reference": "21 000 001",
        "ombudsman": "LGSCO",
        "complaint_title": "Cross-border child protection referral",
        "service_area": "Children's Social Care",
        "finding": "fault with injustice",
        "public_interest_report": "yes",
        "report_date": "2021-11-26",
        "received_date": "2021-11-26",
        "organisations": "Croydon Council; Kent County Council",
        "organisation": "Croydon Council",
        "recommendation_number": "1",
        "recommendation": "Share the learning across the organisation.",
        "kind": "learning",
        "expected_evidence": "Copies of the briefing and who received it.",
        "rule": "within 3 months of report date",
        "due_date": "",
        "status": "open",
        "completed_on": "",
        "owner": "officer",
        "evidence": "",
        "milestones": "",  # the action plan (plans.tracker): none
    } | changes


def tracker_text(*rows, header=HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def tracker_file(*rows, header=HEADER) -> io.StringIO:
    return io.StringIO(tracker_text(*rows, header=header), newline="")


GOOD_ROWS = [
    tracker_row(
        status="complied",
        completed_on="2022-02-20",
        evidence="https://intranet.example.org/briefings/cross-border",
    ),
    tracker_row(
        recommendation_number="2",
        recommendation="Audit 50 cases closed in similar circumstances.",
        kind="Audit",
        expected_evidence="The audit report.",
        rule="stated",
        due_date="31/03/2022",
        owner="",
    ),
    tracker_row(
        recommendation_number="3",
        recommendation="Brief the front door team.",
        kind="service_improvement",
        expected_evidence="The briefing note.",
        rule="within 20 working days of report date",
        status="in progress",
        owner="officer@example.org",
    ),
    tracker_row(
        complaint_reference="22 000 417",
        complaint_title="Delay in assessing care needs",
        service_area="Adult Social Care",
        finding="fault",
        public_interest_report="no",
        report_date="14/03/2022",
        received_date="16/03/2022",
        organisations="Croydon Council",
        recommendation="Apologise to Mrs B.",
        kind="personal remedy",
        expected_evidence="A copy of the letter.",
        rule="1 month beginning with date received",
        status="not complied",
        completed_on="2022-05-16",
    ),
]


@pytest.fixture
def councils(db):
    return OrganisationFactory(name="Croydon Council"), OrganisationFactory(
        name="Kent County Council"
    )


@pytest.fixture
def importer(councils, manager, officer):
    """A Croydon manager, with Croydon's officer as a possible owner."""
    return manager


def import_rows(*rows, by, **kwargs):
    return tracker_import(file=tracker_file(*rows), by=by, at=AT, **kwargs)


NOTHING_WRITTEN = dict.fromkeys(("Complaint", "Recommendation", "Deadline", "Evidence"), (0, 0))


def written_counts() -> dict:
    """(rows, history rows) of each model the import writes."""
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Complaint, Recommendation, Deadline, Evidence)
    }


# --- A good file ----------------------------------------------------------------------------


def test_a_good_file_records_complaints_recommendations_and_deadlines_by_their_rules(importer):
    summary = import_rows(*GOOD_ROWS, by=importer)

    assert summary == ImportSummary(
        complaints_created=2, recommendations_created=4, rows_unchanged=0
    )
    recommendations = Recommendation.objects.order_by("complaint__reference", "number")
    assert [
        (r.complaint.reference, r.organisation.name, r.number, r.kind, r.deadline.counting)
        for r in recommendations
    ] == [
        ("21 000 001", "Croydon Council", 1, "learning", "within"),
        ("21 000 001", "Croydon Council", 2, "audit", "stated"),
        ("21 000 001", "Croydon Council", 3, "service_improvement", "within"),
        ("22 000 417", "Croydon Council", 1, "personal_remedy", "beginning_with"),
    ]
    assert [
        (
            r.deadline.due_date,
            r.status,
            r.deadline.status,
            r.deadline.completed_on,
            r.deadline.owner.username if r.deadline.owner else "",
        )
        for r in recommendations
    ] == [
        (date(2022, 2, 26), "complied", "met", date(2022, 2, 20), "officer"),
        (date(2022, 3, 31), "open", "open", None, ""),
        (date(2021, 12, 24), "in_progress", "open", None, "officer"),
        (date(2022, 4, 15), "not_complied", "not_met", date(2022, 5, 16), "officer"),
    ]


def test_a_good_file_records_the_complaint_as_written(importer):
    import_rows(*GOOD_ROWS, by=importer)

    complaint = Complaint.objects.get(reference="22 000 417")
    assert (
        complaint.ombudsman.short_name,
        complaint.title,
        complaint.service_area,
        complaint.finding,
        complaint.is_public_interest_report,
        complaint.report_date,
        complaint.received_date,
        [o.name for o in complaint.organisations.all()],
    ) == (
        "LGSCO",
        "Delay in assessing care needs",
        "Adult Social Care",
        "fault",
        False,
        date(2022, 3, 14),
        date(2022, 3, 16),
        ["Croydon Council"],
    )


def test_a_public_interest_report_gets_its_statutory_clocks_for_each_council(importer):
    import_rows(*GOOD_ROWS, by=importer)

    clocks = Deadline.objects.filter(kind__in=DeadlineKind.statutory())
    assert sorted(
        (c.complaint.reference, c.organisation.name, c.kind, c.due_date) for c in clocks
    ) == [
        ("21 000 001", "Croydon Council", "s30_inspection", date(2021, 12, 29)),
        ("21 000 001", "Croydon Council", "s30_notice", date(2021, 12, 9)),
        ("21 000 001", "Croydon Council", "s31_confirmation", date(2022, 5, 24)),
        ("21 000 001", "Croydon Council", "s31_response", date(2022, 2, 25)),
        ("21 000 001", "Kent County Council", "s30_inspection", date(2021, 12, 29)),
        ("21 000 001", "Kent County Council", "s30_notice", date(2021, 12, 9)),
        ("21 000 001", "Kent County Council", "s31_confirmation", date(2022, 5, 24)),
        ("21 000 001", "Kent County Council", "s31_response", date(2022, 2, 25)),
    ]


def test_a_complied_row_gets_its_evidence_link_and_says_it_came_from_the_import(importer):
    import_rows(*GOOD_ROWS, by=importer)

    recommendation = Recommendation.objects.get(complaint__reference="21 000 001", number=1)
    assert [
        (e.url, e.description, e.added_by, e.added_at) for e in recommendation.evidence.all()
    ] == [
        (
            "https://intranet.example.org/briefings/cross-border",
            "Link recorded in the imported spreadsheet tracker",
            importer,
            AT,
        )
    ]
    assert list(
        recommendation.history.order_by("history_date").values_list(
            "history_user", "history_change_reason"
        )
    ) == [
        (importer.pk, "Recommendation recorded (imported from a spreadsheet tracker)"),
        (importer.pk, "Status changed to Complied (imported from a spreadsheet tracker)"),
    ]


def test_the_example_file_in_the_docs_imports(db, officer):
    OrganisationFactory(name="Northam Council")
    OrganisationFactory(name="Southam County Council")
    manager = user_with_role(Role.MANAGER, username="lead", sees_all_organisations=True)

    with EXAMPLE.open(encoding="utf-8-sig", newline="") as stream:
        summary = tracker_import(file=stream, by=manager, at=AT)

    assert summary == ImportSummary(
        complaints_created=2, recommendations_created=6, rows_unchanged=0
    )


def test_an_upload_with_excels_byte_order_mark_is_read(importer):
    upload = SimpleUploadedFile(
        "tracker.csv", "\ufeff".encode() + tracker_text(*GOOD_ROWS).encode()
    )

    summary = tracker_import(file=upload, by=importer, at=AT)

    assert summary == ImportSummary(
        complaints_created=2, recommendations_created=4, rows_unchanged=0
    )


def test_a_text_stream_still_holding_the_byte_order_mark_is_read(importer):
    stream = io.StringIO("\ufeff" + tracker_text(GOOD_ROWS[1]), newline="")

    summary = tracker_import(file=stream, by=importer, at=AT)

    assert summary == ImportSummary(
        complaints_created=1, recommendations_created=1, rows_unchanged=0
    )


def test_column_names_may_be_written_as_words_in_any_case(importer):
    header = [name.replace("_", " ").title() for name in HEADER]
    row = dict(zip(header, tracker_row().values(), strict=True))

    summary = tracker_import(file=tracker_file(row, header=header), by=importer, at=AT)

    assert summary == ImportSummary(
        complaints_created=1, recommendations_created=1, rows_unchanged=0
    )


def test_optional_columns_may_be_left_out(importer):
    header = [c.name for c in IMPORT_COLUMNS if c.required or c.name in ("rule", "due_date")]

    summary = tracker_import(file=tracker_file(tracker_row(), header=header), by=importer, at=AT)

    recommendation = Recommendation.objects.get()
    assert summary.recommendations_created == 1
    assert (
        recommendation.complaint.service_area,
        recommendation.complaint.received_date,
        recommendation.deadline.owner,
        recommendation.deadline.due_date,
    ) == ("", None, None, date(2022, 2, 26))


def test_without_a_rule_column_every_due_date_is_one_the_ombudsman_stated(importer):
    header = [c.name for c in IMPORT_COLUMNS if c.name != "rule"]

    summary = tracker_import(
        file=tracker_file(tracker_row(due_date="2022-01-31"), header=header), by=importer, at=AT
    )

    deadline = Recommendation.objects.get().deadline
    assert summary.recommendations_created == 1
    assert (deadline.counting, deadline.due_date) == ("stated", date(2022, 1, 31))


def test_a_dry_run_reports_what_would_be_created_and_writes_nothing(importer):
    summary = import_rows(*GOOD_ROWS, by=importer, dry_run=True)

    assert summary == ImportSummary(
        complaints_created=2, recommendations_created=4, rows_unchanged=0
    )
    assert written_counts() == NOTHING_WRITTEN


# --- Bad rows: every problem, with its row number, and nothing written ----------------------

RULE_HELP = (
    "write 'stated', or a rule such as 'within 3 months of report date', '3 months beginning "
    "with date received' or 'within 20 working days of report date' (units: days, weeks, "
    "months, working days; dates: report date, date received or a date)"
)
DOCUMENT_EVIDENCE = (
    "Evidence held as a document: import the row as in progress, then attach the file and mark "
    "it complied in the app."
)


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        pytest.param(
            {"organisations": "Croydon Council; Surrey Council"},
            "organisations",
            "There is no organisation called 'Surrey Council' in the app. Check the spelling, or "
            "ask an administrator to add it before importing.",
            id="unknown organisation among those the complaint binds",
        ),
        pytest.param(
            {"organisations": "Surrey Council", "organisation": "surrey council"},
            "organisations",
            "There is no organisation called 'Surrey Council' in the app. Check the spelling, or "
            "ask an administrator to add it before importing.",
            id="unknown organisation in both columns, reported once",
        ),
        pytest.param(
            {"report_date": "31/02/2021"},
            "report_date",
            "'31/02/2021' is not a real date.",
            id="impossible date",
        ),
        pytest.param(
            {"received_date": "26 Nov 2021"},
            "received_date",
            "'26 Nov 2021' is not a date: write it as YYYY-MM-DD (2021-11-26) or DD/MM/YYYY "
            "(26/11/2021).",
            id="date in words",
        ),
        pytest.param(
            {"kind": "apology"},
            "kind",
            "'apology' is not a kind of recommendation: use one of personal remedy, service "
            "improvement, learning, audit, committee consideration, statutory response.",
            id="unknown kind",
        ),
        pytest.param(
            {"status": "done"},
            "status",
            "'done' is not a status: use one of open, in progress, complied, not complied, "
            "withdrawn, evidence sent, awaiting the ombudsman.",
            id="unknown status",
        ),
        pytest.param(
            {"ombudsman": "Housing"},
            "ombudsman",
            "Unknown ombudsman 'Housing': use one of HOS, LGSCO, PHSO.",
            id="unknown ombudsman",
        ),
        pytest.param(
            {"rule": "by the end of March"},
            "rule",
            f"'by the end of March' is not a rule: {RULE_HELP}.",
            id="rule without a period",
        ),
        pytest.param(
            {"rule": "within 3 months of the meeting"},
            "rule",
            "'meeting' in 'within 3 months of the meeting' is not a date to count from: use "
            "report date, date received, or a date (YYYY-MM-DD).",
            id="rule counting from an unknown date",
        ),
        pytest.param(
            {"rule": "3 months beginning with date received", "received_date": ""},
            "rule",
            "The rule '3 months beginning with date received' counts from the date received: "
            "give received_date.",
            id="rule counting from a date not given",
        ),
        pytest.param(
            {"due_date": "soon"},
            "due_date",
            "'soon' is not a date: write it as YYYY-MM-DD (2021-11-26) or DD/MM/YYYY (26/11/2021).",
            id="due date that is not a date",
        ),
        pytest.param(
            {"rule": "stated", "due_date": ""},
            "due_date",
            "The rule is 'stated': give the date the Ombudsman stated.",
            id="stated rule without a due date",
        ),
        pytest.param(
            {"due_date": "2022-02-28"},
            "due_date",
            "The due date 28 February 2022 is not the date the rule gives: 'within 3 months of "
            "report date' from 26 November 2021 gives 26 February 2022. Leave due_date blank to "
            "use the rule's date, or write 'stated' as the rule if the Ombudsman stated this "
            "date.",
            id="due date disagreeing with the rule",
        ),
        pytest.param(
            {"status": "complied", "completed_on": "2022-02-20", "evidence": "Minute 12/2022"},
            "evidence",
            f"'Minute 12/2022' is not a link (starting https://). {DOCUMENT_EVIDENCE}",
            id="complied with evidence that is not a link",
        ),
        pytest.param(
            {"status": "complied", "completed_on": "2022-02-20"},
            "evidence",
            "A complied recommendation needs a link to its evidence (starting https://). "
            + DOCUMENT_EVIDENCE,
            id="complied without evidence",
        ),
        pytest.param(
            {"status": "complied", "evidence": "https://example.org/briefing"},
            "completed_on",
            "A recommendation that is complied needs completed_on.",
            id="complied without a date",
        ),
        pytest.param(
            {"completed_on": "2022-02-20"},
            "completed_on",
            "A recommendation that is open has no completed_on: leave it blank.",
            id="open with a completion date",
        ),
        pytest.param(
            {"status": "not complied", "completed_on": "2022-06-02"},
            "completed_on",
            "2 June 2022 is in the future.",
            id="completed in the future",
        ),
        pytest.param(
            {"owner": "nobody"},
            "owner",
            "There is no user 'nobody' (give a username or an email address).",
            id="unknown owner",
        ),
        pytest.param(
            {"expected_evidence": " "},
            "expected_evidence",
            "expected_evidence is required.",
            id="no expected evidence",
        ),
        pytest.param(
            {"recommendation_number": "2a"},
            "recommendation_number",
            "'2a' is not a recommendation number (a whole number from 1).",
            id="number that is not a number",
        ),
        pytest.param(
            {"received_date": "2021-11-25"},
            "received_date",
            "The date received (25 November 2021) is before the date of the report "
            "(26 November 2021).",
            id="received before the report",
        ),
        pytest.param(
            {"organisation": "Kent County Council"},
            "organisation",
            "You can import recommendations only for your own organisation, not Kent County "
            "Council.",
            id="another council's recommendation",
        ),
        pytest.param(
            {"organisations": "Kent County Council", "organisation": "Croydon Council"},
            "organisation",
            "Croydon Council is not one of the organisations the complaint binds (the "
            "organisations column).",
            id="organisation the complaint does not bind",
        ),
        pytest.param(
            {"complaint_title": "Another title"},
            "complaint_title",
            "Complaint 21 000 001 has complaint_title 'Cross-border child protection referral' "
            "on row 2: a complaint's columns must be the same on each of its rows.",
            id="complaint columns differing between its rows",
        ),
        pytest.param(
            {"recommendation_number": "1"},
            "recommendation_number",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council is already on row 2.",
            id="duplicate row",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_written(
    importer, changes, column, message
):
    rows = [tracker_row(), tracker_row(recommendation_number="2") | changes]

    with pytest.raises(TrackerImportError) as raised:
        import_rows(*rows, by=importer)

    assert raised.value.errors == [RowError(3, column, message)]
    assert str(raised.value) == "The file has 1 problem; nothing was imported."
    assert written_counts() == NOTHING_WRITTEN


def test_every_problem_is_listed_with_the_row_number_a_spreadsheet_shows(importer):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    # A cell across three lines is still one row; a blank line is a row in Excel.
    writer.writerow(tracker_row(recommendation="Share:\nreferrals,\ncuriosity.").values())
    writer.writerow(tracker_row(recommendation_number="2", kind="apology", owner="nobody").values())
    writer.writerow([])
    writer.writerow(tracker_row(recommendation_number="3", report_date="x").values())

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=io.StringIO(out.getvalue(), newline=""), by=importer, at=AT)

    assert [(e.row_number, e.column) for e in raised.value.errors] == [
        (3, "kind"),
        (3, "owner"),
        (5, "report_date"),
    ]
    assert str(raised.value.errors[0]) == (
        "Row 3, kind: 'apology' is not a kind of recommendation: use one of personal remedy, "
        "service improvement, learning, audit, committee consideration, statutory response."
    )


def test_an_organisation_repeated_with_another_spelling_is_one_organisation(importer):
    import_rows(
        tracker_row(organisations="Croydon Council;croydon council ; Kent County Council"),
        by=importer,
    )

    assert [o.name for o in Complaint.objects.get().organisations.all()] == [
        "Croydon Council",
        "Kent County Council",
    ]


def test_a_row_the_app_refuses_while_writing_undoes_the_whole_import(importer, monkeypatch):
    create = services.recommendation_create

    def refuse_the_fourth(**kwargs):
        if kwargs["complaint"].reference == "22 000 417":
            raise ValidationError("Someone closed this complaint meanwhile.")
        return create(**kwargs)

    monkeypatch.setattr(services, "recommendation_create", refuse_the_fourth)

    with pytest.raises(TrackerImportError) as raised:
        import_rows(*GOOD_ROWS, by=importer)

    assert raised.value.errors == [RowError(5, "", "Someone closed this complaint meanwhile.")]
    assert written_counts() == NOTHING_WRITTEN


# --- Bad files ------------------------------------------------------------------------------


def test_a_missing_column_stops_the_import_and_is_named(importer):
    header = [name for name in HEADER if name != "kind"]

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=tracker_file(tracker_row(), header=header), by=importer, at=AT)

    assert raised.value.errors == [RowError(1, "kind", "The required column 'kind' is missing.")]


def test_an_unknown_column_stops_the_import_and_is_named(importer):
    text = tracker_text(tracker_row(), header=[*HEADER, "Notes"])

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=io.StringIO(text), by=importer, at=AT)

    assert raised.value.errors == [
        RowError(
            1,
            "Notes",
            "Unknown column 'Notes'. The columns are: "
            + ", ".join(HEADER)
            + "; an export adds rule_description, current_due_date, outcome, version. The "
            "import page describes each one.",
        )
    ]


def test_a_value_under_a_column_without_a_name_is_an_error(importer):
    header, row = tracker_text(tracker_row()).splitlines()
    text = f"{header},\r\n{row},stray\r\n"

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=io.StringIO(text), by=importer, at=AT)

    assert raised.value.errors == [
        RowError(2, "", f"Column {len(HEADER) + 1} has a value but no name in the header row.")
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "",
            RowError(
                None,
                "",
                "The file is empty: it needs a header row and one row per recommendation.",
            ),
        ),
        (",,,\r\n", RowError(1, "", "Row 1 must be the header row, naming the columns.")),
        (
            ",".join(HEADER) + "\r\n,,\r\n",
            RowError(None, "", "The file has a header row but no recommendations."),
        ),
    ],
    ids=["empty", "no header", "header only"],
)
def test_a_file_without_recommendations_is_refused_clearly(importer, text, error):
    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=io.StringIO(text), by=importer, at=AT)

    assert raised.value.errors == [error]


def test_a_file_that_is_not_utf8_is_refused_with_advice(importer):
    text = tracker_text(tracker_row(recommendation="Pay Mrs B £300."))
    upload = SimpleUploadedFile("tracker.csv", text.encode("cp1252"))

    with pytest.raises(TrackerImportError) as raised:
        tracker_import(file=upload, by=importer, at=AT)

    assert raised.value.errors == [RowError(None, "", ENCODING_MESSAGE)]
    assert Complaint.objects.count() == 0


def test_checking_a_file_runs_the_same_queries_for_one_row_as_for_many(importer):
    def queries_for(rows):
        with CaptureQueriesContext(connection) as queries, pytest.raises(TrackerImportError):
            import_rows(*rows, by=importer)
        return len(queries)

    one = queries_for([tracker_row(owner="nobody")])
    many = queries_for(
        [tracker_row(recommendation_number=str(n), owner="nobody") for n in range(1, 21)]
    )

    assert one == many


# --- Importing again ------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(importer):
    import_rows(*GOOD_ROWS, by=importer)
    before = written_counts()

    summary = import_rows(*GOOD_ROWS, by=importer)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=0, rows_unchanged=4
    )
    assert written_counts() == before


def test_a_new_row_for_a_complaint_already_imported_adds_only_its_recommendation(importer):
    import_rows(*GOOD_ROWS, by=importer)
    new_row = tracker_row(recommendation_number="4", recommendation="Train the team.")

    summary = import_rows(*GOOD_ROWS, new_row, by=importer)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=1, rows_unchanged=4
    )
    assert (
        Recommendation.objects.get(number=4, complaint__reference="21 000 001").text
        == "Train the team."
    )


def test_a_row_that_differs_from_the_app_is_refused_rather_than_overwritten(importer):
    import_rows(*GOOD_ROWS, by=importer)
    changed = [GOOD_ROWS[0] | {"status": "in progress", "completed_on": "", "evidence": ""}]

    with pytest.raises(TrackerImportError) as raised:
        import_rows(*changed, by=importer)

    assert raised.value.errors == [
        RowError(
            2,
            "status",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council already exists with a "
            "different status ('Complied' in the app): edit it in the app, or remove this row.",
        ),
        RowError(
            2,
            "completed_on",
            "Recommendation 1 of complaint 21 000 001 for Croydon Council already exists with a "
            "different completed_on (20 February 2022 in the app): edit it in the app, or remove "
            "this row.",
        ),
    ]
    assert (
        Recommendation.objects.get(number=1, complaint__reference="21 000 001").status == "complied"
    )


def test_a_complaint_recorded_in_the_app_with_other_details_is_not_overwritten(importer, councils):
    complaint_recorded(
        reference="21 000 001", organisations=list(councils), title="Referral", by=importer
    )

    with pytest.raises(TrackerImportError) as raised:
        import_rows(tracker_row(), by=importer)

    assert raised.value.errors == [
        RowError(
            2,
            "complaint_title",
            "Complaint 21 000 001 already exists with a different complaint_title ('Referral' "
            "in the app): edit it in the app, or make this row match.",
        )
    ]
    assert Recommendation.objects.count() == 0


def test_a_complaint_recorded_in_the_app_gets_the_recommendations_of_a_matching_row(
    importer, councils
):
    complaint = complaint_recorded(
        reference="21 000 001", organisations=list(councils), by=importer
    )

    summary = import_rows(tracker_row(), by=importer)

    assert summary == ImportSummary(
        complaints_created=0, recommendations_created=1, rows_unchanged=0
    )
    assert [r.number for r in complaint.recommendations.all()] == [1]


# --- Rules as the tracker writes them -------------------------------------------------------

STATED, WITHIN, BEGINNING = Counting.STATED, Counting.WITHIN, Counting.BEGINNING_WITH
REPORT, RECEIVED, OTHER = Anchor.REPORT_DATE, Anchor.RECEIVED_DATE, Anchor.OTHER_DATE


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("stated", Rule(STATED)),
        ("within 3 months of report date", Rule(WITHIN, 3, Unit.MONTHS, REPORT)),
        ("3 months beginning with date received", Rule(BEGINNING, 3, Unit.MONTHS, RECEIVED)),
        ("within 20 working days of report date", Rule(WITHIN, 20, Unit.WORKING_DAYS, REPORT)),
        ("within 1 week of date received", Rule(WITHIN, 1, Unit.WEEKS, RECEIVED)),
        ("within 10 days of 2022-01-05", Rule(WITHIN, 10, Unit.DAYS, OTHER, date(2022, 1, 5))),
    ],
)
def test_a_rule_reads_back_as_it_is_written(text, rule):
    assert (Rule.parse(text), str(rule)) == (rule, text)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", Rule(STATED)),
        ("Within three months of the date of the report", Rule(WITHIN, 3, Unit.MONTHS, REPORT)),
        (
            "A period of 3 months beginning with the date received",
            Rule(BEGINNING, 3, Unit.MONTHS, RECEIVED),
        ),
        ("within 1 working day of  received date", Rule(WITHIN, 1, Unit.WORKING_DAYS, RECEIVED)),
        ("within 2 weeks of 05/01/2022", Rule(WITHIN, 2, Unit.WEEKS, OTHER, date(2022, 1, 5))),
    ],
)
def test_a_rule_may_be_written_the_way_a_clerk_would(text, rule):
    assert Rule.parse(text) == rule


# --- Export ---------------------------------------------------------------------------------


def exported_rows(recommendations, *, at=date(2022, 3, 1)) -> list[dict[str, str]]:
    """The export's rows, by column name (its header is checked: every column, in order)."""
    out = io.StringIO(newline="")
    tracker_export(recommendations=recommendations, out=out, at=at)
    reader = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    rows = list(reader)
    assert reader.fieldnames == [column.name for column in COLUMNS]
    return rows


def test_an_export_has_a_row_per_recommendation_in_the_columns_the_import_reads(manager, officer):
    complaint = complaint_recorded(reference="21 000 001", by=manager)
    recommendation_recorded(complaint=complaint, owner=officer, by=manager)
    stated = recommendation_recorded(
        complaint=complaint,
        by=manager,
        kind=RecommendationKind.AUDIT,
        text="Audit 50 cases.",
        rule={"counting": Counting.STATED, "stated_date": date(2022, 3, 31)},
    )
    services.evidence_add(
        recommendation=stated,
        description="Audit report",
        url="https://example.org/a",
        by=manager,
        at=AT,
    )
    services.recommendation_transition(
        recommendation=stated,
        to_status=RecommendationStatus.COMPLIED,
        by=manager,
        on=date(2022, 4, 2),
    )

    rows = exported_rows(Recommendation.objects.order_by("number"))

    complaint_columns = {
        "complaint_reference": "21 000 001",
        "ombudsman": "LGSCO",
        "complaint_title": complaint.title,
        "service_area": complaint.service_area,
        "finding": complaint.get_finding_display(),
        "public_interest_report": "yes" if complaint.is_public_interest_report else "no",
        "report_date": "2021-11-26",
        "received_date": complaint.received_date.isoformat() if complaint.received_date else "",
        "organisations": "Croydon Council",
        "organisation": "Croydon Council",
    }
    assert rows == [
        complaint_columns
        | {
            "recommendation_number": "1",
            "recommendation": "Share the learning across the organisation.",
            "kind": "Learning",
            "expected_evidence": Recommendation.objects.get(number=1).expected_evidence,
            "rule": "within 3 months of report date",
            "due_date": "2022-02-26",
            "status": "Open",
            "completed_on": "",
            "owner": "officer",
            "evidence": "",
            "milestones": "",
            "rule_description": "Within 3 months of the date of the report (26 November 2021) "
            "(the corresponding date, clipped to the end of the month)",
            "current_due_date": "2022-02-26",
            "outcome": "Overdue",
            "version": "1",
        },
        complaint_columns
        | {
            "recommendation_number": "2",
            "recommendation": "Audit 50 cases.",
            "kind": "Audit",
            "expected_evidence": stated.expected_evidence,
            "rule": "stated",
            "due_date": "2022-03-31",
            "status": "Complied",
            "completed_on": "2022-04-02",
            "owner": "",
            "evidence": "https://example.org/a",
            "milestones": "",
            "rule_description": "A date stated by the Ombudsman",
            "current_due_date": "2022-03-31",
            "outcome": "Complied late",
            "version": "2",
        },
    ]


def test_an_export_shows_an_extended_due_date_beside_the_rules_date(manager):
    recommendation = recommendation_recorded(complaint=complaint_recorded(by=manager), by=manager)
    deadline_services.extension_record(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 3, 31),
        reason="Committee meets in March.",
        basis="agreed_in_writing",
        by=manager,
        at=AT,
    )

    [row] = exported_rows(Recommendation.objects.all())

    assert (row["due_date"], row["current_due_date"], row["outcome"]) == (
        "2022-02-26",
        "2022-03-31",
        "Open",
    )


def test_an_export_gives_the_latest_evidence_link_and_leaves_files_out(manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    recommendation = recommendation_recorded(complaint=complaint_recorded(by=manager), by=manager)
    for url in ("https://example.org/first", "https://example.org/latest", ""):
        services.evidence_add(
            recommendation=recommendation,
            description="Evidence",
            url=url,
            file=None if url else SimpleUploadedFile("minute.txt", b"Minute 12 of 2022"),
            by=manager,
            at=AT,
        )

    [row] = exported_rows(Recommendation.objects.all())

    assert row["evidence"] == "https://example.org/latest"


def test_an_exported_rule_reads_back_as_the_same_rule(manager):
    complaint = complaint_recorded(by=manager)
    recommendation_recorded(
        complaint=complaint,
        by=manager,
        rule={
            "counting": Counting.BEGINNING_WITH,
            "count": 20,
            "unit": Unit.WORKING_DAYS,
            "anchor": Anchor.OTHER_DATE,
            "anchor_date": date(2022, 1, 5),
            "anchor_label": "the committee meeting",
        },
    )

    rule_cell = exported_rows(Recommendation.objects.all())[0]["rule"]

    assert rule_cell == "20 working days beginning with 2022-01-05"
    assert Rule.parse(rule_cell) == Rule.of(Recommendation.objects.get().deadline)


def test_an_export_runs_the_same_queries_for_one_recommendation_as_for_many(manager, officer):
    complaint = complaint_recorded(by=manager)
    recommendation_recorded(complaint=complaint, owner=officer, by=manager)

    def queries_for_export():
        with CaptureQueriesContext(connection) as queries:
            exported_rows(Recommendation.objects.all())
        return len(queries)

    one = queries_for_export()
    for _ in range(4):
        recommendation = recommendation_recorded(
            complaint=complaint_recorded(by=manager), owner=officer, by=manager
        )
        services.evidence_add(
            recommendation=recommendation,
            description="Briefing",
            url="https://example.org/briefing",
            by=manager,
            at=AT,
        )

    # The rows, their complaints' organisations, their evidence links, their action plans'
    # milestones (the column plans adds).
    assert (one, queries_for_export()) == (4, 4)


def test_an_export_of_what_a_user_may_see_leaves_out_other_councils(manager, officer):
    from recommendations.selectors import recommendations_visible_to

    kent = OrganisationFactory(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    recommendation_recorded(complaint=complaint_recorded(by=manager), by=manager)
    recommendation_recorded(complaint=complaint_recorded(by=kent_manager), by=kent_manager)

    rows = exported_rows(recommendations_visible_to(officer))

    assert [row["organisation"] for row in rows] == ["Croydon Council"]


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("https://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn"],
)
def test_an_exported_cell_that_excel_would_run_as_a_formula_is_escaped(manager, text):
    recommendation_recorded(complaint=complaint_recorded(by=manager), by=manager, text=text)

    assert exported_rows(Recommendation.objects.all())[0]["recommendation"] == "'" + text


def test_an_exported_cell_starting_with_an_apostrophe_is_escaped_too(manager):
    recommendation_recorded(
        complaint=complaint_recorded(by=manager), by=manager, text="'Tis the season."
    )

    assert exported_rows(Recommendation.objects.all())[0]["recommendation"] == "''Tis the season."


def test_an_owner_whose_username_looks_like_a_formula_is_escaped(manager):
    owner = user_with_role(Role.OFFICER, username="@owner")
    recommendation_recorded(complaint=complaint_recorded(by=manager), owner=owner, by=manager)

    assert exported_rows(Recommendation.objects.all())[0]["owner"] == "'@owner"


# --- Commands -------------------------------------------------------------------------------


def test_the_import_command_prints_what_it_created(importer, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("\ufeff" + tracker_text(*GOOD_ROWS), encoding="utf-8", newline="")
    out = io.StringIO()

    call_command("import_tracker", str(path), "--user", "manager", stdout=out)

    assert out.getvalue() == (
        "2 complaint(s) and 4 recommendation(s) created; 0 row(s) already in the app.\n"
    )
    assert Recommendation.objects.count() == 4


def test_the_import_command_lists_every_problem_and_fails(importer, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(tracker_text(tracker_row(kind="apology", owner="nobody")), newline="")
    err = io.StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_tracker", str(path), "--user", "manager", stderr=err)

    assert str(raised.value) == "The file has 2 problems; nothing was imported."
    assert err.getvalue().splitlines() == [
        "Row 2, kind: 'apology' is not a kind of recommendation: use one of personal remedy, "
        "service improvement, learning, audit, committee consideration, statutory response.",
        "Row 2, owner: There is no user 'nobody' (give a username or an email address).",
    ]
    assert Complaint.objects.count() == 0


def test_the_import_command_refuses_a_user_who_may_not_import(importer, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text(tracker_text(tracker_row()), newline="")

    with pytest.raises(CommandError) as not_allowed:
        call_command("import_tracker", str(path), "--user", "officer")
    with pytest.raises(CommandError) as unknown:
        call_command("import_tracker", str(path), "--user", "nobody")

    assert str(not_allowed.value) == "The user 'officer' is not allowed to import a tracker."
    assert str(unknown.value) == "There is no active user 'nobody'."
    assert Complaint.objects.count() == 0


def test_the_import_command_says_when_the_file_cannot_be_read(importer, tmp_path):
    path = tmp_path / "missing.csv"

    with pytest.raises(CommandError) as raised:
        call_command("import_tracker", str(path), "--user", "manager")

    assert str(raised.value) == f"Cannot read {path}: No such file or directory."


def test_the_export_command_writes_what_the_user_sees_to_stdout(manager, officer):
    kent = OrganisationFactory(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    user_with_role(
        Role.MANAGER, username="regional", organisation=kent, sees_all_organisations=True
    )
    recommendation_recorded(complaint=complaint_recorded(by=manager), owner=officer, by=manager)
    recommendation_recorded(complaint=complaint_recorded(by=kent_manager), by=kent_manager)

    def exported(user):
        out = io.StringIO()
        call_command("export_tracker", "--user", user, "--at", "2022-01-01", stdout=out)
        rows = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
        return [(row["organisation"], row["outcome"]) for row in rows]

    assert exported("kent-manager") == [("Kent County Council", "Open")]
    assert exported("regional") == [("Croydon Council", "Open"), ("Kent County Council", "Open")]


def test_the_export_command_refuses_a_user_without_the_permission(db):
    user_with_role(Role.AUDITOR, username="auditor")

    with pytest.raises(CommandError, match="not allowed to export the tracker"):
        call_command("export_tracker", "--user", "auditor")


def test_the_export_command_writes_a_file_excel_reads_as_utf8(manager, tmp_path):
    recommendation_recorded(
        complaint=complaint_recorded(by=manager), by=manager, text="Pay Mrs B £300."
    )
    path = tmp_path / "export.csv"
    out = io.StringIO()

    call_command("export_tracker", "--user", "manager", "--output", str(path), stdout=out)

    assert out.getvalue() == f"1 recommendation(s) written to {path}.\n"
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfcomplaint_reference,")
    assert "Pay Mrs B £300." in content.decode("utf-8-sig")
