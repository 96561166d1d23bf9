"""Every change to committee reports and the distribution ledger.

Views, admin actions and commands call these functions. Each saves through
``save_with_history``, so the record's history says who made the change and why.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from deadlines import services as deadline_services
from deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import (
    brought_up_to_date,
    is_unique_violation,
    save_with_history,
)
from ombudsman_tracker.uploads import evidence_for_keeping

from .document import report_document
from .docx import render_docx
from .models import (
    TRANSITIONS,
    Body,
    CommitteeReport,
    DistributionEntry,
    ReportStatus,
)
from .pdf import render_pdf


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_body(body: Body, organisation) -> None:
    if not body.is_active or body.organisation_id not in (None, organisation.pk):
        raise ValidationError({"body": f"{body} is not a body {organisation} reports to."})


def _check_complaints(complaints, organisation) -> None:
    if not complaints:
        raise ValidationError({"complaints": "Select at least one complaint."})
    for complaint in complaints:
        if not complaint.organisations.filter(pk=organisation.pk).exists():
            raise ValidationError(
                {"complaints": f"Complaint {complaint.reference} does not bind {organisation}."}
            )


def _complaints_key(complaints) -> str:
    return ",".join(str(pk) for pk in sorted(complaint.pk for complaint in complaints))


def _check_draft(report: CommitteeReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(
            f"Version {report.version_number} is issued and cannot change: prepare a new version."
        )


@transaction.atomic
def report_draft_create(
    *, organisation, complaints, body, meeting_date: date, asked_to: str, by, at: datetime
) -> CommitteeReport:
    """A draft report on ``complaints`` for ``body``'s meeting. Nothing is frozen yet."""
    complaints = list(complaints)
    _check_complaints(complaints, organisation)
    _check_body(body, organisation)
    report = CommitteeReport(
        organisation=organisation,
        complaints_key=_complaints_key(complaints),
        body=body,
        meeting_date=meeting_date,
        asked_to=asked_to,
        created_by=by,
        created_at=at,
    )
    report.full_clean(exclude=["complaints"])
    save_with_history(report, by=by, reason="Draft report prepared")
    report.complaints.set(complaints)
    return report


@transaction.atomic
def report_draft_update(
    *, report: CommitteeReport, complaints, body, meeting_date: date, asked_to: str, by
) -> CommitteeReport:
    """Change a draft's complaints, body, meeting or text. An issued report never changes."""
    report = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    _check_draft(report)
    complaints = list(complaints)
    _check_complaints(complaints, report.organisation)
    _check_body(body, report.organisation)
    report.complaints_key = _complaints_key(complaints)
    report.body, report.meeting_date, report.asked_to = body, meeting_date, asked_to
    report.full_clean(exclude=["complaints"])
    save_with_history(report, by=by, reason="Draft report changed")
    report.complaints.set(complaints)
    return report


DRAFT_STATUS = "Draft: not issued"


def issued_status(*, version_number: int, by, on: date) -> str:
    return f"Version {version_number}, issued on {date_text(on)} by {by}"


@transaction.atomic
def report_issue(*, report: CommitteeReport, by, at: datetime) -> CommitteeReport:
    """Freeze a draft: build its Word and PDF files as at ``at``, store them with their SHA-256
    checksums and the content they came from, and give it the next version number for its
    complaints, body and meeting. Records who issued it and when, in its history."""
    report = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if ReportStatus.ISSUED not in TRANSITIONS[report.status]:
        raise ValidationError(f"Version {report.version_number} is already issued.")
    on = timezone.localdate(at)
    earlier = CommitteeReport.objects.filter(
        organisation=report.organisation,
        complaints_key=report.complaints_key,
        body=report.body,
        meeting_date=report.meeting_date,
        status=ReportStatus.ISSUED,
    ).aggregate(latest=Max("version_number"))["latest"]
    number = (earlier or 0) + 1
    document = report_document(
        report=report, at=on, status=issued_status(version_number=number, by=by, on=on)
    )
    docx, pdf = render_docx(document), render_pdf(document)
    name = f"{slugify(report.body.name)[:60]}-{report.meeting_date:%Y-%m-%d}-version-{number}"
    report.docx.save(f"{name}.docx", ContentFile(docx), save=False)
    report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.docx_sha256, report.pdf_sha256 = _sha256(docx), _sha256(pdf)
    report.content = document.to_json()
    report.status, report.version_number, report.position_at = ReportStatus.ISSUED, number, on
    report.issued_by, report.issued_at = by, at
    try:
        with transaction.atomic():
            save_with_history(report, by=by, reason=f"Issued as version {number}")
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ValidationError(
            f"Version {number} was issued by someone else at the same moment: issue it again."
        ) from None
    return report


@dataclass(frozen=True)
class Distributed:
    entry: DistributionEntry
    clock_completed: Deadline | None  # the s31(2) clock an entry to the Ombudsman completed


@transaction.atomic
def distribution_record(
    *,
    complaint,
    organisation,
    body: Body,
    meeting_date: date,
    what_was_sent: str,
    by,
    at: datetime,
    meeting: str = "",
    agenda_item: str = "",
    resolution: str = "",
    minutes=None,
    report: CommitteeReport | None = None,
) -> Distributed:
    """Record that an output went to a body, with the meeting, agenda item and resolution.

    A meeting after ``at``'s date is recorded as planned: its resolution and minutes are refused
    until it has taken place, then recorded with ``distribution_outcome_record``. An entry to
    the Ombudsman is the s31(2) response: it completes ``organisation``'s open
    s31(2) clock on the complaint (met, completed on the date sent), in the clock's history.
    """
    if not complaint.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(
            f"Complaint {complaint.reference} does not bind {organisation}: select another "
            "organisation"
        )
    _check_body(body, organisation)
    if report is not None and not (
        report.is_issued
        and report.organisation_id == organisation.pk
        and report.complaints.filter(pk=complaint.pk).exists()
    ):
        raise ValidationError(
            {"report": "Select an issued report on this complaint, or None if no report went"}
        )
    on = timezone.localdate(at)
    if body.is_ombudsman:
        if meeting_date > on:
            raise ValidationError(
                {
                    "meeting_date": "The date sent to the Ombudsman must be today or in the "
                    "past: record the response once it has been sent"
                }
            )
        if meeting_date < complaint.report_date:
            raise ValidationError(
                {
                    "meeting_date": "The date sent cannot be before the date of the report, "
                    f"{date_text(complaint.report_date)}"
                }
            )
    _check_meeting_held(meeting_date=meeting_date, on=on, resolution=resolution, minutes=minutes)
    entry = DistributionEntry(
        complaint=complaint,
        organisation=organisation,
        body=body,
        report=report,
        what_was_sent=what_was_sent,
        meeting=meeting,
        meeting_date=meeting_date,
        agenda_item=agenda_item,
        resolution=resolution,
        recorded_by=by,
        recorded_at=at,
    )
    if minutes is not None:
        entry.minutes, entry.minutes_sha256 = evidence_for_keeping(minutes, field="minutes")
    entry.full_clean()
    if entry.is_planned(on=on):
        reason = f"Planned: to go to {body} on {date_text(meeting_date)}"
    else:
        reason = f"Sent or presented to {body}"
    save_with_history(entry, by=by, reason=reason)
    clock = None
    if body.is_ombudsman:
        clock = _s31_response_complete(entry, by=by)
    return Distributed(entry=entry, clock_completed=clock)


def _check_meeting_held(*, meeting_date: date, on: date, resolution: str, minutes) -> None:
    """A meeting still to come on ``on`` has no resolution or minutes yet: it is recorded as
    planned, and they are recorded after it (``distribution_outcome_record``)."""
    if meeting_date <= on:
        return
    when = date_text(meeting_date)
    errors = {}
    if resolution.strip():
        errors["resolution"] = (
            f"The meeting on {when} has not taken place yet: leave the resolution empty and "
            "record it after the meeting"
        )
    if minutes is not None:
        errors["minutes"] = (
            f"The meeting on {when} has not taken place yet: upload the minutes after the meeting"
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def distribution_outcome_record(
    *, entry: DistributionEntry, by, at: datetime, resolution: str = "", minutes=None
) -> DistributionEntry:
    """Record the resolution or the minutes of a meeting that has taken place since its entry
    was recorded (as planned, or before they were known), in the entry's history.

    Each is recorded once and then kept, as the rest of the ledger: one that someone else
    recorded first is refused, not overwritten.
    """
    entry = brought_up_to_date(entry)
    on = timezone.localdate(at)
    when = date_text(entry.meeting_date)
    if entry.is_planned(on=on):
        raise ValidationError(
            f"The meeting on {when} has not taken place yet: record its resolution and minutes "
            "after the meeting"
        )
    resolution = resolution.strip()
    if not resolution and minutes is None:
        if entry.resolution:
            raise ValidationError({"minutes": "Select the minutes to upload"})
        if entry.minutes:
            raise ValidationError({"resolution": "Enter the resolution"})
        raise ValidationError("Enter the resolution or upload the minutes, or both")
    errors = {}
    if resolution and entry.resolution:
        errors["resolution"] = (
            f"The resolution of the meeting on {when} is already recorded: it is kept as it was"
        )
    if minutes is not None and entry.minutes:
        errors["minutes"] = (
            f"The minutes of the meeting on {when} are already attached: they are kept as they were"
        )
    if errors:
        raise ValidationError(errors)
    recorded = []
    if resolution:
        entry.resolution = resolution
        recorded.append("resolution")
    if minutes is not None:
        entry.minutes, entry.minutes_sha256 = evidence_for_keeping(minutes, field="minutes")
        recorded.append("minutes")
    entry.full_clean()
    what = " and ".join(recorded).capitalize()
    save_with_history(entry, by=by, reason=f"{what} of the meeting on {when} recorded")
    return entry


def _s31_response_complete(entry: DistributionEntry, *, by) -> Deadline | None:
    clock = (
        Deadline.objects.select_for_update()
        .filter(
            complaint=entry.complaint,
            organisation=entry.organisation,
            kind=DeadlineKind.S31_RESPONSE,
            status=DeadlineStatus.OPEN,
        )
        .first()
    )
    if clock is None:
        return None
    return deadline_services.deadline_complete(
        deadline=clock,
        on=entry.meeting_date,
        by=by,
        reason=f"s31(2) response sent to the {entry.body} on {date_text(entry.meeting_date)} "
        "(distribution ledger)",
    )
