"""Every change to evidence submissions: preparing a draft, changing it, sending it.

Views, admin actions and commands call these functions. Each saves through
``save_with_history``, so the record's history says who made the change and why; drafts are
changed only from the version the user saw (``ConflictError`` otherwise).
"""

import hashlib
import tempfile
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import ConflictError, save_with_history
from recommendations.models import Recommendation, RecommendationStatus
from reports import services as report_services
from reports.docx import render_docx
from reports.models import Body, BodyKind
from reports.pdf import render_pdf
from verdicts import services as verdict_services

from .evidence_zip import evidence_zip_write
from .letter import LetterItem, letter_document, sent_status
from .models import TRANSITIONS, Submission, SubmissionItem, SubmissionStatus

__all__ = [
    "ConflictError",
    "ItemChoice",
    "submission_draft_create",
    "submission_draft_update",
    "submission_send",
]


@dataclass(frozen=True)
class ItemChoice:
    """A recommendation chosen for a submission, what was done, when, and its evidence."""

    recommendation: Recommendation
    what_was_done: str
    done_on: date
    evidence: list  # Evidence records of the recommendation


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_complaint(complaint, organisation) -> None:
    if not complaint.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(
            f"Complaint {complaint.reference} does not bind {organisation}: only a council it "
            "binds reports on it"
        )


def _check_items(items: list[ItemChoice], *, complaint, organisation, on: date) -> None:
    """Each recommendation is the organisation's on the complaint, not withdrawn, done by
    ``on``, with some of its own evidence; at least one is chosen."""
    if not items:
        raise ValidationError("Choose at least one recommendation to report")
    errors = {}
    numbers = [item.recommendation.pk for item in items]
    if len(set(numbers)) != len(numbers):
        raise ValidationError("Each recommendation can be reported once in a submission")
    for item in items:
        recommendation = item.recommendation
        field = f"r{recommendation.pk}"
        if (
            recommendation.complaint_id != complaint.pk
            or recommendation.organisation_id != organisation.pk
        ):
            raise ValidationError(
                f"Recommendation {recommendation.number} is not one of {organisation}'s on "
                f"complaint {complaint.reference}"
            )
        if recommendation.status == RecommendationStatus.WITHDRAWN:
            errors[f"{field}_include"] = (
                f"Recommendation {recommendation.number} is withdrawn: it is not reported"
            )
        if not item.what_was_done.strip():
            errors[f"{field}_done"] = (
                f"Enter what was done for recommendation {recommendation.number}"
            )
        if item.done_on > on:
            errors[f"{field}_done_on"] = (
                f"The date recommendation {recommendation.number} was done must be today or "
                "in the past"
            )
        if not item.evidence:
            errors[f"{field}_evidence"] = (
                f"Choose the evidence for recommendation {recommendation.number}: the "
                "Ombudsman checks what was done against it"
            )
        elif any(evidence.recommendation_id != recommendation.pk for evidence in item.evidence):
            errors[f"{field}_evidence"] = (
                f"Choose evidence of recommendation {recommendation.number} only"
            )
    if errors:
        raise ValidationError(errors)


def _items_save(submission: Submission, items: list[ItemChoice], *, by, reason: str) -> None:
    submission.items.all().delete()
    for choice in sorted(items, key=lambda choice: choice.recommendation.number):
        item = SubmissionItem(
            submission=submission,
            recommendation=choice.recommendation,
            what_was_done=choice.what_was_done.strip(),
            done_on=choice.done_on,
        )
        save_with_history(item, by=by, reason=reason)
        item.evidence.set(choice.evidence)


@transaction.atomic
def submission_draft_create(
    *, complaint, organisation, items: list[ItemChoice], by, at: datetime
) -> Submission:
    """A draft submission of ``organisation``'s evidence on ``complaint``. Nothing is sent."""
    _check_complaint(complaint, organisation)
    _check_items(items, complaint=complaint, organisation=organisation, on=timezone.localdate(at))
    submission = Submission(
        complaint=complaint, organisation=organisation, created_by=by, created_at=at
    )
    submission.full_clean()
    save_with_history(submission, by=by, reason="Evidence submission prepared")
    _items_save(submission, items, by=by, reason="Chosen for the evidence submission")
    return submission


def _check_draft(submission: Submission) -> None:
    if submission.status != SubmissionStatus.DRAFT:
        raise ValidationError(
            f"This submission was sent on {date_text(submission.sent_on)} and cannot change: "
            "prepare a new one"
        )


@transaction.atomic
def submission_draft_update(
    *, submission: Submission, items: list[ItemChoice], by, at: datetime, version: int
) -> Submission:
    """Change a draft's recommendations, what was done and the evidence, from ``version`` (the
    one the user saw). A sent submission never changes."""
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    _check_draft(locked)
    _check_items(
        items,
        complaint=locked.complaint,
        organisation=locked.organisation,
        on=timezone.localdate(at),
    )
    save_with_history(locked, by=by, reason="Evidence submission changed", expected_version=version)
    _items_save(locked, items, by=by, reason="Chosen for the evidence submission")
    return locked


def letter_items(submission: Submission) -> list[LetterItem]:
    """The submission's items as the letter and the zip read them, in a fixed number of
    queries."""
    items = (
        submission.items.select_related("recommendation__deadline")
        .prefetch_related("evidence")
        .order_by("recommendation__number")
    )
    return [
        LetterItem(
            recommendation=item.recommendation,
            what_was_done=item.what_was_done,
            done_on=item.done_on,
            evidence=sorted(
                item.evidence.all(), key=lambda evidence: (evidence.added_at, evidence.pk)
            ),
        )
        for item in items
    ]


def ombudsman_body(submission: Submission) -> Body:
    """The body of the complaint's Ombudsman in the distribution ledger (the LGSCO's, seeded
    by reports' migration)."""
    body = (
        Body.objects.for_organisation(submission.organisation)
        .filter(kind=BodyKind.OMBUDSMAN, name=submission.complaint.ombudsman.name)
        .first()
    )
    if body is None:
        raise ValidationError(
            f"The {submission.complaint.ombudsman.name} is not among the bodies in use: ask an "
            "administrator to add it, then send again"
        )
    return body


def file_stem(submission: Submission, on: date) -> str:
    reference = slugify(submission.complaint.reference)[:40]
    return f"{reference}-evidence-{on:%Y-%m-%d}-{submission.pk}"


def _what_was_sent(submission: Submission, rows) -> str:
    files = [row for row in rows if not row.is_link]
    links = [row for row in rows if row.is_link]
    lines = [
        "Evidence submission: cover letter and evidence zip.",
        f"Letter (Word) SHA-256 {submission.letter_docx_sha256}",
        f"Letter (PDF) SHA-256 {submission.letter_pdf_sha256}",
        f"Evidence zip SHA-256 {submission.evidence_zip_sha256}",
        *(f"{row.name} SHA-256 {row.sha256}" for row in files),
        *(f"Link for recommendation {row.recommendation}: {row.address}" for row in links),
    ]
    return "\n".join(lines)


@transaction.atomic
def submission_send(
    *, submission: Submission, redaction_confirmed: bool, by, at: datetime, version: int
) -> Submission:
    """Send a draft, from ``version`` (the one the user checked), once ``by`` confirms that the
    evidence files are redacted.

    Builds the evidence zip (refused if a file no longer matches its SHA-256) and the letter
    dated ``at``'s day, stores them with their checksums and the content they came from,
    records the confirmation (who, when) and the sending, and then: a distribution ledger entry
    to the Ombudsman (``reports.services.distribution_record``, which completes the
    organisation's open s31(2) clock) and, for each recommendation,
    ``verdicts.services.evidence_sent_record`` (awaiting the Ombudsman, with a reply deadline).
    All in one transaction: nothing is recorded if any step is refused.
    """
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.version != version:
        raise ConflictError(locked)
    if SubmissionStatus.SENT not in TRANSITIONS[locked.status]:
        _check_draft(locked)
    if not redaction_confirmed:
        raise ValidationError(
            {"redaction_confirmed": "Confirm that the evidence files are redacted"}
        )
    on = timezone.localdate(at)
    items = letter_items(locked)
    _check_items(
        [ItemChoice(i.recommendation, i.what_was_done, i.done_on, i.evidence) for i in items],
        complaint=locked.complaint,
        organisation=locked.organisation,
        on=on,
    )
    body = ombudsman_body(locked)
    stem = file_stem(locked, on)
    with tempfile.TemporaryFile() as archive:
        rows = evidence_zip_write(items, archive, on=on)
        archive.seek(0)
        digest = hashlib.sha256()
        while chunk := archive.read(1 << 16):
            digest.update(chunk)
        archive.seek(0)
        locked.evidence_zip.save(f"{stem}.zip", File(archive), save=False)
        locked.evidence_zip_sha256 = digest.hexdigest()
    document = letter_document(
        complaint=locked.complaint,
        organisation=locked.organisation,
        items=items,
        on=on,
        status=sent_status(on=on),
    )
    docx, pdf = render_docx(document), render_pdf(document)
    locked.letter_docx.save(f"{stem}-letter.docx", ContentFile(docx), save=False)
    locked.letter_pdf.save(f"{stem}-letter.pdf", ContentFile(pdf), save=False)
    locked.letter_docx_sha256, locked.letter_pdf_sha256 = _sha256(docx), _sha256(pdf)
    locked.content = {
        "letter": document.to_json(),
        "index": [row.to_json() for row in rows],
    }
    locked.redaction_confirmed_by, locked.redaction_confirmed_at = by, at
    locked.distribution_entry = report_services.distribution_record(
        complaint=locked.complaint,
        organisation=locked.organisation,
        body=body,
        meeting_date=on,
        what_was_sent=_what_was_sent(locked, rows),
        by=by,
        at=at,
    ).entry
    locked.status, locked.sent_on, locked.sent_by, locked.sent_at = (
        SubmissionStatus.SENT,
        on,
        by,
        at,
    )
    save_with_history(
        locked,
        by=by,
        reason=f"Sent to the {body} on {date_text(on)}; the evidence files were confirmed "
        "redacted by the sender",
    )
    for item in items:
        verdict_services.evidence_sent_record(
            recommendation=item.recommendation,
            sent_on=on,
            by=by,
            reference=f"Evidence submission {locked.pk}",
        )
    return locked
