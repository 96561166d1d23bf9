"""The cover letter to the Ombudsman, as a ``reports.document.ReportDocument``.

The same document model as committee reports, so the same renderers lay it out
(``reports.docx.render_docx`` with the council's Word template, ``reports.pdf.render_pdf``) and
the same template previews it. The letter names nobody: it holds the complaint's reference
and title, the recommendations' text, and what officers typed for each recommendation (what was
done, the evidence's descriptions), which the check page shows them before sending. Never a
user's name: not who prepared it, sent it or added the evidence.
"""

from dataclasses import dataclass
from datetime import date

from ombudsman_tracker.formats import counted, date_text
from reports.document import Heading, Paragraph, ReportDocument, Table

from .evidence_zip import IndexRow, evidence_index

DRAFT_STATUS = "Draft: not sent"


def sent_status(*, on: date) -> str:
    return f"Sent on {date_text(on)}"


@dataclass(frozen=True)
class LetterItem:
    """What the letter says of one recommendation (from a saved item, or a form being checked)."""

    recommendation: object
    what_was_done: str
    done_on: date
    evidence: list  # the Evidence records enclosed, in the order the index lists them


def letter_title(complaint) -> str:
    return f"Action taken on complaint {complaint.reference}"


def letter_document(
    *, complaint, organisation, items: list[LetterItem], on: date | None, status: str
) -> ReportDocument:
    """The letter on ``items`` (ordered by recommendation number), dated ``on`` (None: a draft,
    not sent yet). ``status`` is the line saying draft or sent."""
    ombudsman = complaint.ombudsman.name
    rows = evidence_index(items)
    facts = [
        ("To", ombudsman),
        ("From", str(organisation)),
        ("Complaint", f"{complaint.reference}: {complaint.title}"),
        ("Date", date_text(on, missing="Not sent yet")),
        ("Status", status),
    ]
    numbers = [str(item.recommendation.number) for item in items]
    s31 = (
        " It is the council's response under section 31(2) of the Local Government Act 1974 "
        "to the public interest report."
        if complaint.is_public_interest_report
        else ""
    )
    blocks = [
        Heading("Purpose of this letter", 1),
        Paragraph(
            f"{organisation} writes to the {ombudsman} about complaint {complaint.reference}, "
            f"to report the action taken on "
            f"{'recommendation' if len(items) == 1 else 'recommendations'} "
            f"{_listed(numbers)}: for each, what was recommended, what was done and when, and "
            f"the evidence enclosed.{s31}"
        ),
    ]
    for item in items:
        blocks += _item_blocks(item, [row for row in rows if row.evidence_id in _ids(item)])
    files = [row for row in rows if not row.is_link]
    blocks += [
        Heading("The evidence enclosed", 1),
        Paragraph(
            f"{counted(len(files), 'evidence file')} {'is' if len(files) == 1 else 'are'} "
            "enclosed in one zip file, with an index (index.csv) giving each file's name in the "
            "zip, its recommendation, its description and its SHA-256 checksum, so that each "
            "file can be confirmed to be the one the council holds. Evidence held at an address "
            "is listed in the index with its address."
        ),
        Paragraph(
            "The evidence enclosed has been checked and redacted: it names nobody the "
            "Ombudsman's report does not name."
        ),
    ]
    return ReportDocument(title=letter_title(complaint), facts=facts, blocks=blocks)


def _ids(item: LetterItem) -> set[int]:
    return {evidence.pk for evidence in item.evidence}


def _listed(numbers: list[str]) -> str:
    if len(numbers) < 2:
        return "".join(numbers)
    return f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def _item_blocks(item: LetterItem, rows: list[IndexRow]) -> list:
    recommendation = item.recommendation
    number = recommendation.number
    return [
        Heading(f"Recommendation {number}", 1),
        Paragraph(f"What was recommended: {recommendation.text}"),
        Paragraph(f"What was done: {' '.join(item.what_was_done.split())}"),
        Paragraph(
            f"When: done on {date_text(item.done_on)}; it was due on "
            f"{date_text(recommendation.deadline.due_date)}."
        ),
        Table(
            f"Evidence enclosed for recommendation {number}",
            ["Evidence", "In the zip as, or address", "SHA-256"],
            [
                [row.description, row.address or row.name, row.sha256 or "None: a link"]
                for row in rows
            ],
        ),
    ]
