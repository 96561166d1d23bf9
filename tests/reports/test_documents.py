"""The issued files themselves: the Word document's styles and tables, the PDF's text and tags."""

import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pypdf import PdfReader

from accounts.roles import Role
from deadlines.compliance import DEFINITIONS
from deadlines.models import ComplianceRate, ComplianceSettings
from reports import services
from reports.document import ReportDocument, Table, report_document, tables_csv
from reports.models import Body
from tests.dashboard.conftest import AT, TODAY, known_records
from tests.factories import user_with_role
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
        ("Heading 2", "Compliance rates"),
        ("Heading 2", "Evidence"),
        ("Heading 2", "Next steps"),
        ("Heading 2", "Statutory clocks"),
        ("Heading 2", "Case audit"),
        ("Heading 2", "Action plan"),
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
        ["s31(2A)(c) confirmation that action was taken", "24 May 2022", "Open", "Not yet"],
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
            "24 May 2022",
            "24 May 2022",
            "Not yet",
            "Open",
        ],
    ]


def test_every_word_table_repeats_its_header_row_and_has_a_title(issued):
    document = _docx(issued)

    assert len(document.tables) == 6
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
    assert lines.count("") == 6


def test_a_cell_that_excel_would_run_as_a_formula_is_quoted():
    document = ReportDocument(
        title="T", facts=[], blocks=[Table(caption="C", header=["A"], rows=[["=1+1"]])]
    )
    out = io.StringIO(newline="")

    tables_csv(document, out)

    assert out.getvalue().splitlines()[2] == "'=1+1"


# --- Compliance: both rates, each with its definition, the one that leads first ------------


@pytest.fixture
def known(db):
    """The dashboard's known records (tests/dashboard/conftest.py), on its day: Croydon's
    21 000 001 has 1 and 3 complied on time, 2 late, 4 not complied and 5 overdue; on 25 000 002
    it has 10 complied on time, 6 withdrawn, and 7 and 8 not yet due."""
    return known_records(TODAY)


def _known_report(known):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="clerk", organisation=known.croydon)
    complaints = [known.recommendations[n].complaint for n in (1, 10)]
    draft = services.report_draft_create(
        organisation=known.croydon,
        complaints=complaints,
        body=Body.objects.get(name="General Purposes & Audit Committee", organisation=None),
        meeting_date=date(2026, 7, 1),
        asked_to="Note the compliance rates.",
        by=clerk,
        at=AT,
    )
    return draft, clerk


def _compliance_tables(document):
    return {
        table.caption: [table.header, *table.rows]
        for table in document.tables
        if table.caption.startswith("Compliance rates of")
    }


IMPLEMENTED = DEFINITIONS[ComplianceRate.IMPLEMENTED]
ON_TIME = DEFINITIONS[ComplianceRate.ON_TIME]
HEADER = ["Compliance rate", "What it counts", "Rate", "Recommendations"]


def test_the_report_gives_both_compliance_rates_each_with_its_definition(known):
    draft, _ = _known_report(known)

    document = report_document(report=draft, at=TODAY, status="Draft")

    assert _compliance_tables(document) == {
        "Compliance rates of complaint 21 000 001": [
            HEADER,
            ["Implemented, late or not", IMPLEMENTED, "60%", "3 of 5 due (1 late)"],
            ["Implemented on time", ON_TIME, "40%", "2 of 5 due"],
        ],
        # 6 withdrawn, 7 and 8 not yet due: only 10 counts. Kent's 9 is Kent's.
        "Compliance rates of complaint 25 000 002": [
            HEADER,
            ["Implemented, late or not", IMPLEMENTED, "100%", "1 of 1 due"],
            ["Implemented on time", ON_TIME, "100%", "1 of 1 due"],
        ],
    }
    paragraphs = [block.text for block in document.blocks if block.kind == "paragraph"]
    assert any(
        text.startswith(
            "As at 15 June 2026, 5 recommendations have fallen due: 2 complied on time, 1 "
            "complied late, 1 not complied and 1 still open after the due date. Two rates are "
            "given, because it is not confirmed whether the Ombudsman's annual letter counts a "
            "recommendation implemented late as complied. Croydon Council leads with the first. "
            "All due means"
        )
        for text in paragraphs
    )
    assert any(
        "Implemented, late or not: 60%, 3 of 5 due (1 late); implemented on time: 40%, 2 of 5 "
        "due." in text
        for text in paragraphs
    )


def test_a_report_with_nothing_due_yet_says_there_is_no_rate(issued):
    document = ReportDocument.from_json(issued.content)

    assert _compliance_tables(document) == {
        "Compliance rates of complaint 21 000 001": [
            HEADER,
            ["Implemented, late or not", IMPLEMENTED, "None due", "None due yet"],
            ["Implemented on time", ON_TIME, "None due", "None due yet"],
        ]
    }


def test_the_rate_the_council_leads_with_comes_first_in_the_report_and_its_csv(client, known):
    draft, clerk = _known_report(known)
    ComplianceSettings.objects.create(organisation=known.croydon, lead_rate=ComplianceRate.ON_TIME)
    client.force_login(clerk)

    document = report_document(report=draft, at=TODAY, status="Draft")
    csv = client.get(reverse("reports:report_csv", args=[draft.pk]))

    assert _compliance_tables(document)["Compliance rates of complaint 21 000 001"] == [
        HEADER,
        ["Implemented on time", ON_TIME, "40%", "2 of 5 due"],
        ["Implemented, late or not", IMPLEMENTED, "60%", "3 of 5 due (1 late)"],
    ]
    assert any(
        "Implemented on time: 40%, 2 of 5 due; implemented, late or not: 60%, 3 of 5 due "
        "(1 late)." in block.text
        for block in document.blocks
        if block.kind == "paragraph"
    )
    lines = csv.content.decode("utf-8-sig").splitlines()
    at = lines.index("Compliance rates of complaint 21 000 001")
    # The draft's CSV is built from today's data: the rates' order is what matters here.
    assert lines[at + 1] == "Compliance rate,What it counts,Rate,Recommendations"
    assert lines[at + 2].startswith("Implemented on time,")
    assert lines[at + 3].startswith('"Implemented, late or not",')


def test_an_issued_report_keeps_the_order_it_was_issued_with(known):
    draft, clerk = _known_report(known)
    issued = services.report_issue(report=draft, by=clerk, at=AT)

    ComplianceSettings.objects.create(organisation=known.croydon, lead_rate=ComplianceRate.ON_TIME)

    tables = _compliance_tables(ReportDocument.from_json(issued.content))
    assert [row[0] for row in tables["Compliance rates of complaint 21 000 001"][1:]] == [
        "Implemented, late or not",
        "Implemented on time",
    ]


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
    assert (
        "The auditors wrote findings on 1 and learning on 1 of the 3 audited cases. Those who run "
        "the audit read them, and the cases' references, on its page in the tracker. The "
        "appendix counts the sample's cases by team and outcome."
    ) in texts
    assert not [p for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "No strategy discussion was held." not in texts


def test_the_appendix_lists_the_sample_by_team_and_outcome_after_the_body(
    audited, complaint, croydon, committee, clerk
):
    report = report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)
    document = _docx(report)
    # The outcomes went to the first three cases drawn; the fourth is still to audit.
    drawn = [sc.case.case_reference for sc in audited.sample_cases.order_by("position")]
    texts = " ".join(p.text for p in document.paragraphs)

    _, cases = _table(document, ["Team", "Outcome"])
    headings = [p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")][
        -3:
    ]

    assert cases == [
        ["Team", "Outcome", "Cases"],
        ["Front Door", "Good, no similar issues", "1"],
        ["Front Door", "Requires improvement, similar issues", "1"],
        ["Front Door", "Inadequate, similar issues", "1"],
        ["Front Door", "Not audited yet", "1"],
    ]
    assert not [reference for reference in drawn if reference in texts]  # need-to-know
    assert headings == [
        "What the meeting is asked to do",
        "Appendix: the cases audited",
        "Audit of 50 cross-border cases",
    ]
    starts = next(n for n, p in enumerate(document.paragraphs) if p.text == headings[1])
    assert document.paragraphs[starts - 1]._p.xpath("./w:r/w:br[@w:type='page']")


# --- Every page: running header, page numbers, and DRAFT on a draft only ---------------------

RUNNING_HEAD = (
    "Progress on the Ombudsman's recommendations: General Purposes & Audit Committee, "
    "15\N{NO-BREAK SPACE}February\N{NO-BREAK SPACE}2022"
)


@pytest.fixture
def draft_document(issued):
    """The same report as a draft: built from the data now, as its downloads are."""
    from reports.document import report_document
    from reports.services import DRAFT_STATUS

    return report_document(report=issued, at=issued.position_at, status=DRAFT_STATUS)


def _fields(part) -> list[str]:
    return [field.get(qn("w:instr")).strip() for field in part._element.iter(qn("w:fldSimple"))]


def test_word_pages_carry_the_running_header_and_page_x_of_y(issued):
    section = _docx(issued).sections[0]

    assert [p.text for p in section.header.paragraphs] == [RUNNING_HEAD]
    assert [p.text for p in section.footer.paragraphs] == ["Page  of "]
    assert _fields(section.footer) == ["PAGE", "NUMPAGES"]
    assert section.footer.paragraphs[0].style.name == "Footer"


def test_a_draft_word_document_says_draft_in_every_pages_header(draft_document):
    from reports.docx import render_docx

    section = Document(io.BytesIO(render_docx(draft_document, draft=True))).sections[0]

    head = section.header.paragraphs[0]
    assert head.text == f"DRAFT {RUNNING_HEAD}"
    assert (head.runs[0].text, head.runs[0].bold) == ("DRAFT", True)
    assert _fields(section.footer) == ["PAGE", "NUMPAGES"]


def test_an_issued_word_document_says_draft_nowhere(issued):
    with issued.docx.open("rb") as file:
        package = file.read()

    parts = zipfile.ZipFile(io.BytesIO(package))
    headers = [name for name in parts.namelist() if name.startswith("word/header")]
    assert headers
    for name in [*headers, "word/document.xml"]:
        assert b"DRAFT" not in parts.read(name)


def test_a_council_template_keeps_its_header_and_footer_and_gets_the_page_numbers(
    issued, settings, tmp_path
):
    from reports.docx import render_docx

    template = Document()
    template.sections[0].header.paragraphs[0].text = "Croydon Council: OFFICIAL"
    template.sections[0].footer.paragraphs[0].text = "Children's Services"
    template.save(tmp_path / "council.docx")
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "council.docx")

    rendered = render_docx(ReportDocument.from_json(issued.content))

    section = Document(io.BytesIO(rendered)).sections[0]

    assert [p.text for p in section.header.paragraphs] == [
        "Croydon Council: OFFICIAL",
        RUNNING_HEAD,
    ]
    assert [p.text for p in section.footer.paragraphs] == ["Children's Services", "Page  of "]
    assert _fields(section.footer) == ["PAGE", "NUMPAGES"]


def test_a_council_template_that_numbers_its_pages_gets_no_second_number(
    issued, draft_document, settings, tmp_path
):
    from reports.docx import render_docx

    template = Document()
    template.sections[0].different_first_page_header_footer = True
    template.sections[0].first_page_header.paragraphs[0].text = "Croydon Council letterhead"
    footer = template.sections[0].footer.paragraphs[0]
    footer.text = "Page "
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE \\* MERGEFORMAT")
    footer._p.append(field)
    template.save(tmp_path / "council.docx")
    settings.REPORTS_DOCX_TEMPLATE = str(tmp_path / "council.docx")

    section = Document(io.BytesIO(render_docx(draft_document, draft=True))).sections[0]

    assert _fields(section.footer) == ["PAGE \\* MERGEFORMAT"]
    assert [p.text for p in section.header.paragraphs] == [f"DRAFT {RUNNING_HEAD}"]
    assert [p.text for p in section.first_page_header.paragraphs] == [
        "Croydon Council letterhead",
        f"DRAFT {RUNNING_HEAD}",
    ]
    assert _fields(section.first_page_footer) == ["PAGE", "NUMPAGES"]


def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_pdf_pages_carry_the_running_header_and_page_x_of_y_and_no_draft_once_issued(issued):
    with issued.pdf.open("rb") as file:
        pages = _pdf_pages(file.read())

    count = len(pages)
    assert count > 1
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in text
        assert "Croydon Council Progress on the Ombudsman's recommendations:" in text
        assert "DRAFT" not in text


def test_a_draft_pdf_says_draft_on_every_page(draft_document):
    from reports.pdf import render_pdf

    pages = _pdf_pages(render_pdf(draft_document, draft=True))

    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert text.count("DRAFT") == 2  # in the header and across the page
