"""A report touching a full audit: its body sums the audit up in counts whatever the audit's size,
and its appendix lists every case once, by pseudonymised reference, grouped by team and outcome.
"""

import io
import re
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from audits import services as audit_services
from audits.models import AuditOutcome, OutcomeRole, OutcomeStatus, ProgrammeKind, SampleCase
from recommendations.models import RecommendationKind
from reports.document import APPENDIX, ReportDocument, report_document
from reports.docx import render_docx
from reports.pdf import render_pdf
from reports.services import DRAFT_STATUS
from tests.factories import (
    complaint_recorded,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)
from tests.reports.conftest import ISSUED_AT, draft_prepared

pytestmark = pytest.mark.django_db

TEAMS = ("Assessment", "Front Door", "Leaving Care")
# The outcomes go round in turn, so every team has cases with each of them.
OUTCOMES = [
    ("good", False, "The referral was handled well."),
    ("requires_improvement", True, "The other council was told late."),
    ("inadequate", True, "No strategy discussion was held."),
    ("outstanding", False, ""),
]


def _report_on_full_audit(*, cases: int, year: int, number: int, croydon, manager, clerk, body):
    """A draft report on a complaint whose recommendation has a full audit of ``cases`` cases,
    all closed in ``year``, every one audited. The outcomes are written straight to the table:
    the test is about the report, and 600 submissions through the service take a minute."""
    complaint = complaint_recorded(
        by=manager, organisations=[croydon], reference=f"21 000 {number:03d}"
    )
    recommendation = recommendation_recorded(
        complaint=complaint,
        organisation=croydon,
        number=1,
        by=manager,
        kind=RecommendationKind.AUDIT,
        text="Audit every case closed in similar circumstances.",
    )
    population_imported(
        organisation=croydon,
        count=cases,
        by=manager,
        teams=TEAMS,
        start=number * 1000,
        opened_on=date(year, 1, 10),
        closed_on=date(year, 6, 30),
    )
    programme = programme_set_up(
        recommendation=recommendation,
        by=manager,
        kind=ProgrammeKind.FULL,
        closed_from=date(year, 1, 1),
        closed_to=date(year, 12, 31),
    )
    audit_services.sample_draw(programme=programme, by=manager, at=ISSUED_AT)
    auditor = user_with_role("Auditors", organisation=croydon, team="Quality Assurance")
    sample = SampleCase.objects.filter(programme=programme).order_by("position")
    sample.update(auditor=auditor)
    AuditOutcome.objects.bulk_create(
        AuditOutcome(
            sample_case=sample_case,
            role=OutcomeRole.AUDIT,
            auditor=auditor,
            status=OutcomeStatus.SUBMITTED,
            submitted_at=ISSUED_AT,
            grade=grade,
            similar_issues=similar,
            findings=f"{findings} Case note {n}." if findings else "",
            learning=f"Record which council leads (case note {n}).",
        )
        for n, sample_case in enumerate(sample)
        for grade, similar, findings in [OUTCOMES[n % len(OUTCOMES)]]
    )
    draft = draft_prepared(complaint=complaint, organisation=croydon, body=body, by=clerk)
    return report_document(report=draft, at=ISSUED_AT.date(), status=DRAFT_STATUS)


@pytest.fixture
def full_audits(croydon, manager, clerk, committee):
    """Reports on a full audit of 8 cases and on one of 600."""
    people = {"croydon": croydon, "manager": manager, "clerk": clerk, "body": committee}
    small = _report_on_full_audit(cases=8, year=2019, number=1, **people)
    large = _report_on_full_audit(cases=600, year=2020, number=2, **people)
    return small, large


def _body(document: ReportDocument) -> list[tuple[str, str]]:
    """The body's blocks with their figures blanked: what the body says, not the counts."""
    return [
        (block.kind, re.sub(r"\d+", "#", getattr(block, "text", ""))) for block in document.blocks
    ]


def test_a_full_audit_of_600_cases_makes_the_body_no_longer_than_one_of_8(full_audits):
    small, large = full_audits

    assert _body(large) == _body(small)
    assert [len(getattr(block, "rows", [])) for block in large.blocks] == [
        len(getattr(block, "rows", [])) for block in small.blocks
    ]
    large_word, small_word = (
        Document(io.BytesIO(render_docx(document))) for document in (large, small)
    )
    assert len(large_word.paragraphs) == len(small_word.paragraphs)
    # Every table but the appendix's has the same rows; the appendix has a row for each team and
    # outcome, whatever the number of cases.
    assert [len(table.rows) for table in large_word.tables[:-1]] == [
        len(table.rows) for table in small_word.tables[:-1]
    ]
    assert len(large_word.tables[-1].rows) == 1 + len(TEAMS) * len(OUTCOMES)


def test_the_appendix_lists_every_case_once_by_team_and_outcome(full_audits):
    small, large = full_audits
    (cases,) = [table for table in large.tables if table.caption.startswith("Cases in the sample")]

    assert [block.text for block in large.appendix if block.kind == "heading"] == [
        APPENDIX,
        "Audit of 50 cross-border cases",
    ]
    assert cases.header == ["Team", "Outcome", "Cases"]
    assert [row[:2] for row in cases.rows] == [
        [team, outcome]
        for team in TEAMS
        for outcome in (
            "Outstanding, no similar issues",
            "Good, no similar issues",
            "Requires improvement, similar issues",
            "Inadequate, similar issues",
        )
    ]
    assert sum(int(row[2]) for row in cases.rows) == 600
    cells = " ".join(" ".join(row) for table in large.tables for row in table.rows)
    assert "CR-" not in cells  # which cases were sampled is need-to-know
    assert len(small.appendix) == len(large.appendix)


def test_the_report_counts_the_written_findings_but_never_repeats_them(full_audits):
    _, large = full_audits
    body = " ".join(getattr(block, "text", "") for block in large.blocks)
    cells = " ".join(" ".join(row) for table in large.tables for row in table.rows)

    assert (
        "The auditors wrote findings on 450 and learning on 600 of the 600 audited cases. Those "
        "who run the audit read them, and the cases' references, on its page in the tracker. "
        "The appendix counts the sample's cases by team and outcome."
    ) in body
    assert "Case note" not in body + cells
    assert "CR-02000" not in body


def test_the_pdf_holds_the_appendix_after_the_body_on_a_page_of_its_own(full_audits):
    _, large = full_audits

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(large))).pages]
    first = next(n for n, text in enumerate(pages) if APPENDIX in text)

    assert "What the meeting is asked to do" not in pages[first]
    assert "What the meeting is asked to do" in " ".join(pages[:first])
    assert "Cases in the sample of Audit of 50 cross-border cases" in " ".join(pages[first:])


def test_a_report_issued_before_the_appendix_still_opens():
    stored = {
        "title": "Progress on the Ombudsman's recommendations",
        "facts": [["Report to", "Cabinet"]],
        "blocks": [
            {"kind": "paragraph", "text": "What the auditors found:"},
            {"kind": "bullets", "items": ["No strategy discussion was held."]},
        ],
    }

    document = ReportDocument.from_json(stored)

    assert document.appendix == []
    assert document.blocks[1].items == ["No strategy discussion was held."]
    assert ReportDocument.from_json(document.to_json()) == document


def test_the_documents_json_keeps_its_appendix(full_audits):
    small, _ = full_audits

    assert ReportDocument.from_json(small.to_json()) == small
