"""A committee report shows each recommendation's action plan: the timeline the committee agreed,
drawn as in the tracker, with a table giving every milestone's baseline, planned and done dates,
in the preview, the Word document (as a picture with its description) and the PDF."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from learning import services as learning_services
from learning.models import Person, SessionFormat
from plans import services as plan_services
from remedies import services as remedy_services
from reports.document import Figure, ReportDocument, report_document
from tests.factories import (
    audience_made,
    learning_point_recorded,
    milestone_added,
    payment_recorded,
    person_added,
    remedy_recommended,
)
from tests.reports.conftest import draft_prepared, report_issued

pytestmark = pytest.mark.django_db

AGREED = date(2022, 1, 20)


@pytest.fixture
def planned(recommendations, manager, officer):
    """Recommendation 1's plan, agreed by the committee, then one milestone done late and one
    added after the baseline."""
    share, _, kents = recommendations
    written = milestone_added(
        recommendation=share, title="Briefing written", planned_date=date(2022, 1, 14), by=manager
    )
    delivered = milestone_added(
        recommendation=share,
        title="Briefing delivered to the front door",
        planned_date=date(2022, 1, 31),
        owner=officer,
        by=manager,
    )
    milestone_added(recommendation=kents, title="Kent's own milestone", planned_date=AGREED)
    plan_services.plan_baseline(
        plan=written.plan,
        agreed_on=AGREED,
        note="Agreed by the General Purposes & Audit Committee.",
        by=manager,
        at=datetime(2022, 1, 21, 9, 0, tzinfo=UTC),
    )
    plan_services.milestone_complete(milestone=written, on=date(2022, 1, 12), by=manager)
    delivered.refresh_from_db()
    plan_services.milestone_update(
        milestone=delivered,
        version=delivered.version,
        by=manager,
        planned_date=date(2022, 2, 7),
        reason="Front door team meeting moved",
    )
    milestone_added(
        recommendation=share, title="Learning in the CPD cycle", planned_date=date(2022, 3, 31)
    )
    return share


def _plan_table(document):
    return next(
        block
        for block in document.blocks
        if block.kind == "table" and block.caption.startswith("Action plan milestones")
    )


def test_the_report_gives_the_plan_against_its_baseline_for_its_organisation_only(
    complaint, croydon, committee, clerk, planned
):
    report = draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    document = report_document(report=report, at=date(2022, 2, 1), status="Draft")

    texts = [block.text for block in document.blocks if block.kind == "paragraph"]
    assert (
        "The plan for recommendation 1 was agreed on 20 January 2022: Agreed by the General "
        "Purposes & Audit Committee."
    ) in texts
    assert _plan_table(document).rows == [
        ["1", "Briefing written", "Nobody yet", "14 January 2022", "14 January 2022",
         "12 January 2022", "2 days earlier than the baseline"],
        ["1", "Briefing delivered to the front door", "Olu Officer", "31 January 2022",
         "7 February 2022", "Planned", "7 days later than the baseline"],
        ["1", "Learning in the CPD cycle", "Nobody yet", "Not in the baseline", "31 March 2022",
         "Planned", "Not in the baseline"],
    ]  # fmt: skip
    figure = next(block for block in document.blocks if block.kind == "figure")
    assert figure.caption == f"Action plan timeline of complaint {complaint.reference}"
    assert "<title" in figure.svg
    assert "Kent" not in figure.svg
    # Milestones are in the plan's table, not again among the other deadlines.
    timeline = next(
        b for b in document.blocks if b.kind == "table" and "planned and actual" in b.caption
    )
    assert not [row for row in timeline.rows if row[0] == "Briefing written"]


def test_a_report_without_milestones_says_so(complaint, croydon, committee, clerk, recommendations):
    report = draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    document = report_document(report=report, at=date(2022, 2, 1), status="Draft")

    assert "No action plan milestones are recorded yet." in [
        block.text for block in document.blocks if block.kind == "paragraph"
    ]
    assert not [block for block in document.blocks if block.kind == "figure"]


def test_word_draws_the_timeline_as_a_picture_described_for_screen_readers(
    complaint, croydon, committee, clerk, planned
):
    report = report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    with report.docx.open("rb") as file:
        document = Document(io.BytesIO(file.read()))

    pictures = list(document.element.body.iter(qn("wp:docPr")))
    assert len(pictures) == 1
    assert pictures[0].get("title") == f"Action plan timeline of complaint {complaint.reference}"
    assert pictures[0].get("descr").startswith("3 milestones from ")
    assert document.inline_shapes[0].width > 0
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert f"Action plan timeline of complaint {complaint.reference}" in captions


def test_the_pdf_and_an_issued_reports_stored_document_keep_the_timeline(
    complaint, croydon, committee, clerk, planned
):
    report = report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    with report.pdf.open("rb") as file:
        text = " ".join(
            " ".join(
                page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages
            ).split()
        )
    assert "Action plan" in text
    assert "Briefing delivered to the front door" in text
    assert "7 days later than the baseline" in text
    stored = ReportDocument.from_json(report.content)
    assert [type(block) for block in stored.blocks if block.kind == "figure"] == [Figure]


def test_the_report_gives_the_learnings_reach_and_the_payments_owed_without_names(
    complaint, croydon, committee, clerk, manager, recommendations
):
    share = recommendations[0]
    front_door = audience_made(organisation=croydon, by=manager)
    for n in range(4):
        person_added(organisation=croydon, name=f"Worker {n}", audiences=[front_door])
    point = learning_point_recorded(recommendation=share, by=manager, audiences=[front_door])
    session = learning_services.session_record(
        learning_point=point,
        held_on=date(2022, 1, 25),
        format=SessionFormat.FACE_TO_FACE,
        facilitator="Head of Service",
        by=manager,
        at=datetime(2022, 1, 25, 9, 0, tzinfo=UTC),
    )
    worker = Person.objects.get(name="Worker 0")
    learning_services.attendance_import(
        session=session,
        file=SimpleUploadedFile("attendance.csv", f"work_email\n{worker.email}\n".encode()),
        by=manager,
        at=datetime(2022, 1, 26, 9, 0, tzinfo=UTC),
    )
    remedy = remedy_recommended(complaint=complaint, organisation=croydon, number=3, by=manager)
    payment_recorded(recommendation=remedy, by=manager, amount="250.00", due_date=date(2022, 1, 31))
    twice = payment_recorded(
        recommendation=remedy, by=manager, amount="250.00", payee_reference="PR-2021-0009"
    )
    remedy_services.payment_cancel(payment=twice, reason="Recorded twice", by=manager, version=None)
    report = draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    document = report_document(report=report, at=date(2022, 2, 1), status="Draft")

    texts = [block.text for block in document.blocks if block.kind == "paragraph"]
    assert (
        "Recommendation 1, Cross-border referrals: 25% of 4 people acknowledged version 1, "
        "1 of them at a session."
    ) in texts
    assert (
        "£0.00 paid and £250.00 still to pay, of which £250.00 is overdue, as at 1 February 2022."
        in texts
    )
    tables = {block.caption: block.rows for block in document.blocks if block.kind == "table"}
    assert tables["Who Cross-border referrals reached, by audience, as at 1 February 2022"] == [
        ["Front door (MASH)", "4", "1 (25%)", "1"]
    ]
    assert tables[f"Remedy payments of complaint {complaint.reference}"] == [
        ["3", "Distress", "£250.00", "31 January 2022", "Overdue"]
    ]
    assert "Worker 0" not in str(document.to_json())
    assert "PR-2021-0001" not in str(document.to_json())
