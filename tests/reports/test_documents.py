"""The issued files themselves: the Word document's styles and tables, the PDF's text and tags."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from reports.document import ReportDocument, Table, tables_csv
from tests.reports.conftest import report_issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(complaint, recommendations, briefing, croydon, committee, clerk):
    return report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)


def _docx(report):
    with report.docx.open("rb") as file:
        return Document(io.BytesIO(file.read()))


def _table(document, first_header_cells):
    """The table whose header row starts with ``first_header_cells``, as lists of cell text."""
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows[0][: len(first_header_cells)] == first_header_cells:
            return table, rows
    raise AssertionError(f"No table starting {first_header_cells}")


def test_word_document_marks_its_title_and_headings_with_named_styles(issued):
    document = _docx(issued)

    headings = [
        (paragraph.style.name, paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style.name in ("Title", "Heading 1", "Heading 2")
    ]

    assert headings == [
        ("Title", "Progress on the Ombudsman's recommendations"),
        ("Heading 1", "Purpose of the report"),
        ("Heading 1", "Summary"),
        ("Heading 1", "Complaint 21 000 001: Cross-border child protection referral"),
        ("Heading 2", "Recommendations"),
        ("Heading 2", "Evidence"),
        ("Heading 2", "Next steps"),
        ("Heading 2", "Statutory clocks"),
        ("Heading 2", "Case audit"),
        ("Heading 2", "Timeline"),
        ("Heading 2", "Reported so far"),
        ("Heading 1", "What the meeting is asked to do"),
    ]
    assert document.core_properties.title == "Progress on the Ombudsman's recommendations"
    assert document.core_properties.language == "en-GB"


def test_word_document_facts_say_the_body_meeting_and_version(issued):
    document = _docx(issued)

    facts = [p.text for p in document.paragraphs[1:7]]

    assert facts == [
        "Report to: General Purposes & Audit Committee",
        "Meeting: 15 February 2022",
        "Organisation: Croydon Council",
        "Complaint: 21 000 001",
        "Position as at: 1 February 2022",
        "Status: Version 1, issued on 1 February 2022 by Chris Clerk",
    ]


def test_word_tables_hold_only_the_organisations_recommendations_with_their_outcomes(issued):
    _, rows = _table(_docx(issued), ["No.", "Recommendation"])

    assert rows == [
        ["No.", "Recommendation", "Due date", "Status", "Outcome"],
        ["1", "Share the learning across the organisation.", "26 February 2022", "Open", "Open"],
        [
            "2",
            "Audit 50 cases closed in similar circumstances.",
            "26 February 2022",
            "Open",
            "Open",
        ],
    ]


def test_word_tables_list_the_evidence_and_next_steps(issued):
    document = _docx(issued)

    _, evidence = _table(document, ["No.", "Evidence"])
    _, next_steps = _table(document, ["No.", "Next step"])

    assert evidence == [
        ["No.", "Evidence", "Added on"],
        ["1", "Briefing to social care staff", "20 January 2022"],
    ]
    assert next_steps == [
        ["No.", "Next step", "Owner"],
        [
            "1",
            "Evidence is recorded: mark it complied by 26 February 2022 once the evidence shows "
            "what the Ombudsman expects: Copies of the briefing and who received it.",
            "Olu Officer",
        ],
        [
            "2",
            "Complete it by 26 February 2022 and record the evidence the Ombudsman expects: "
            "The audit report.",
            "Olu Officer",
        ],
    ]


def test_word_tables_give_the_statutory_clocks_and_the_planned_and_actual_dates(issued):
    document = _docx(issued)

    _, clocks = _table(document, ["Clock"])
    _, timeline = _table(document, ["What", "Planned"])

    assert [[row[0], *row[2:]] for row in clocks] == [
        ["Clock", "Due date", "Outcome", "Completed on"],
        ["s30(5) public notice", "9 December 2021", "Overdue", "Not yet"],
        ["s30(4) public inspection period", "29 December 2021", "Overdue", "Not yet"],
        ["s31(2) response to the Ombudsman", "25 February 2022", "Open", "Not yet"],
        ["s31(2A)(c) confirmation that action was taken", "25 May 2022", "Open", "Not yet"],
    ]
    assert timeline == [
        ["What", "Planned", "Due now", "Completed", "Outcome"],
        ["s30(5) public notice", "9 December 2021", "9 December 2021", "Not yet", "Overdue"],
        [
            "s30(4) public inspection period",
            "29 December 2021",
            "29 December 2021",
            "Not yet",
            "Overdue",
        ],
        [
            "s31(2) response to the Ombudsman",
            "25 February 2022",
            "25 February 2022",
            "Not yet",
            "Open",
        ],
        [
            "21 000 001 recommendation 1",
            "26 February 2022",
            "26 February 2022",
            "Not yet",
            "Open",
        ],
        [
            "21 000 001 recommendation 2",
            "26 February 2022",
            "26 February 2022",
            "Not yet",
            "Open",
        ],
        [
            "s31(2A)(c) confirmation that action was taken",
            "25 May 2022",
            "25 May 2022",
            "Not yet",
            "Open",
        ],
    ]


def test_every_word_table_repeats_its_header_row_and_has_a_title(issued):
    document = _docx(issued)

    assert len(document.tables) == 5
    for table in document.tables:
        first, *others = table.rows
        assert first._tr.trPr.find(qn("w:tblHeader")).get(qn("w:val")) == "true"
        assert all(row._tr.trPr is None for row in others)
        assert table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
        assert table.style.name == "Table Grid"


def test_a_council_template_restyles_the_word_document(issued, settings, tmp_path):
    from reports.docx import render_docx

    template = Document()
    template.styles["Heading 1"].font.name = "Verdana"
    template.add_paragraph("The council's letterhead text, dropped from reports")
    template.save(tmp_path / "council.docx")
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "council.docx")

    document = Document(io.BytesIO(render_docx(ReportDocument.from_json(issued.content))))

    assert document.styles["Heading 1"].font.name == "Verdana"
    assert document.paragraphs[0].text == "Progress on the Ombudsman's recommendations"


def test_pdf_is_tagged_and_says_what_the_word_document_says(issued):
    with issued.pdf.open("rb") as file:
        reader = PdfReader(io.BytesIO(file.read()))

    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    root = reader.trailer["/Root"]

    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Progress on the Ombudsman's recommendations"
    for expected in [
        "Report to General Purposes & Audit Committee",
        "Status Version 1, issued on 1 February 2022 by Chris Clerk",
        "Purpose of the report",
        "1 Share the learning across the organisation. 26 February 2022 Open Open",
        "Briefing to social care staff 20 January 2022",
        "s31(2) response to the Ombudsman",
        "What the meeting is asked to do",
        "Note the progress made.",
        "Agree the timeline for the case audit.",
    ]:
        assert expected in text
    assert "Kent's own recommendation" not in text


def test_csv_holds_every_table_with_its_caption_and_header(issued):
    out = io.StringIO(newline="")

    tables_csv(ReportDocument.from_json(issued.content), out)

    lines = out.getvalue().splitlines()
    assert lines[:5] == [
        "Recommendations of complaint 21 000 001",
        "No.,Recommendation,Due date,Status,Outcome",
        "1,Share the learning across the organisation.,26 February 2022,Open,Open",
        "2,Audit 50 cases closed in similar circumstances.,26 February 2022,Open,Open",
        "",
    ]
    assert lines.count("") == 5


def test_a_cell_that_excel_would_run_as_a_formula_is_quoted():
    document = ReportDocument(
        title="T", facts=[], blocks=[Table(caption="C", header=["A"], rows=[["=1+1"]])]
    )
    out = io.StringIO(newline="")

    tables_csv(document, out)

    assert out.getvalue().splitlines()[2] == "'=1+1"


# --- The case audit -------------------------------------------------------------------------


@pytest.fixture
def audited(recommendations, croydon, manager):
    """A sample of 4 with 3 outcomes submitted, 2 of them with similar issues: triggered."""
    from django.utils import timezone

    from audits import services as audit_services
    from tests.factories import population_imported, programme_set_up, user_with_role

    population_imported(organisation=croydon, count=4, by=manager)
    programme = programme_set_up(
        recommendation=recommendations[1], by=manager, target_sample_size=4
    )
    audit_services.sample_draw(programme=programme, by=manager, at=timezone.now())
    auditor = user_with_role(
        "Auditors", username="auditor", organisation=croydon, team="Quality Assurance"
    )
    programme.auditors.add(auditor)
    audit_services.auditors_assign(programme=programme, by=manager)
    answers = [
        {
            "grade": "inadequate",
            "similar_issues": True,
            "strategy_discussion_held": "no",
            "findings": "No strategy discussion was held.",
        },
        {"grade": "requires_improvement", "similar_issues": True, "strategy_discussion_held": "no"},
        {
            "grade": "good",
            "similar_issues": False,
            "strategy_discussion_held": "yes",
            "learning": "Record which council leads.",
        },
    ]
    for sample_case, given in zip(
        programme.sample_cases.order_by("position")[:3], answers, strict=True
    ):
        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=auditor,
            answers=given,
            version=None,
            submit=True,
            at=timezone.now(),
        )
    return programme


def test_the_report_gives_the_audit_figures_decision_and_findings(
    audited, complaint, croydon, committee, clerk
):
    report = report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)
    document = _docx(report)

    _, figures = _table(document, ["Figure", "Value"])
    _, grades = _table(document, ["Grade", "Cases"])
    _, answers = _table(document, ["Question"])
    texts = [p.text for p in document.paragraphs]

    assert figures == [
        ["Figure", "Value"],
        ["Cases in the sample", "4"],
        ["Cases audited", "3"],
        ["Cases with similar issues", "2"],
        ["Share of the audited cases with similar issues", "66.7%"],
        ["Decision", "Triggered: a full audit is needed"],
    ]
    assert grades == [
        ["Grade", "Cases"],
        ["Outstanding", "0"],
        ["Good", "1"],
        ["Requires improvement", "1"],
        ["Inadequate", "1"],
    ]
    assert answers[:2] == [
        ["Question", "Yes", "No", "Not applicable"],
        ["Was a strategy discussion held when the threshold was met?", "1", "2", "0"],
    ]
    assert (
        "2 of the 4 cases in the sample show similar issues: more than 25% of the sample, "
        "whatever the cases still to audit show. A full audit of all cases closed in similar "
        "circumstances is needed."
    ) in texts
    assert "Case audit: Audit of 50 cross-border cases" in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["No strategy discussion was held.", "Record which council leads."]
