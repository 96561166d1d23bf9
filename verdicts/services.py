"""The one way evidence sent to the Ombudsman, and the Ombudsman's verdict on it, are recorded.

``evidence_sent_record`` (called when a submission is sent) makes the recommendation *awaiting
the Ombudsman* and starts a deadline for the reply; ``verdict_record`` closes that wait with
the Ombudsman's verdict, which alone makes a recommendation complied for the figures. The
recommendation moves through ``recommendations.services.recommendation_transition`` and every
deadline through ``deadlines.services``. Everything is saved with history (who and why); a
verdict recorded from a form carries the ``version`` of the recommendation the user saw, and one
recorded on top of someone else's change is refused (``ConflictError``) with nothing written.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from deadlines import services as deadline_services
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor, DeadlineKind, ExtensionBasis
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import ConflictError, locked, save_with_history
from ombudsman_tracker.uploads import evidence_for_keeping
from recommendations import services as recommendation_services
from recommendations.models import Recommendation, RecommendationStatus

from .models import AwaitedReply, ReplyStatus, Verdict, VerdictKind

__all__ = ["ConflictError", "evidence_sent_record", "verdict_record"]


def reply_due_days() -> int:
    """Days after the evidence is sent by which a reply is expected (``OMBUDSMAN_REPLY_DAYS``)."""
    return settings.OMBUDSMAN_REPLY_DAYS


def _reply_rule(sent_on: date) -> dict:
    return {
        "counting": Counting.WITHIN,
        "count": reply_due_days(),
        "unit": Unit.DAYS,
        "anchor": Anchor.OTHER_DATE,
        "anchor_date": sent_on,
        "anchor_label": "the date the evidence was sent",
    }


def _awaited(recommendation: Recommendation) -> AwaitedReply | None:
    return (
        AwaitedReply.objects.select_for_update()
        .filter(recommendation=recommendation, status=ReplyStatus.AWAITING)
        .first()
    )


@transaction.atomic
def evidence_sent_record(
    *, recommendation: Recommendation, sent_on: date, by, reference: str = ""
) -> AwaitedReply:
    """Record that the council sent the Ombudsman its evidence for ``recommendation`` on
    ``sent_on``: the recommendation becomes *evidence sent, awaiting the Ombudsman* (its own
    deadline awaits the verdict: neither chased nor overdue, not yet met), and a deadline of kind
    ``OMBUDSMAN_REPLY``, owned by the recommendation's owner, falls due ``OMBUDSMAN_REPLY_DAYS``
    after ``sent_on``, so reminders chase a reply that has not come.

    Sending again while a reply is awaited supersedes the one awaited (its reply deadline is
    withdrawn, with the reason). A recommendation marked complied or not complied before its
    evidence was sent awaits the Ombudsman again: only the Ombudsman's satisfaction makes it
    complied. Refused (``ValidationError``) on a withdrawn recommendation. History on the
    recommendation, both deadlines and the record returned.
    """
    recommendation = locked(recommendation)
    reference = reference.strip()
    if recommendation.status == RecommendationStatus.WITHDRAWN:
        raise ValidationError(
            "This recommendation was withdrawn: there is no evidence to send the Ombudsman."
        )
    sent = f"Evidence sent to the Ombudsman on {date_text(sent_on)}" + (
        f" ({reference})" if reference else ""
    )
    previous = _awaited(recommendation)
    if previous is not None:
        previous.status = ReplyStatus.SUPERSEDED
        save_with_history(previous, by=by, reason=f"Superseded: {sent}")
        deadline_services.deadline_withdraw(
            deadline=previous.deadline, by=by, reason=f"Superseded: {sent}"
        )
        save_with_history(recommendation, by=by, reason=sent)
    else:
        recommendation = recommendation_services.recommendation_transition(
            recommendation=recommendation,
            to_status=RecommendationStatus.AWAITING_OMBUDSMAN,
            by=by,
            on=sent_on,
            reason=sent,
            ombudsman=True,
        )
    complaint = recommendation.complaint
    deadline = deadline_services.deadline_create(
        complaint=complaint,
        organisation=recommendation.organisation,
        kind=DeadlineKind.OMBUDSMAN_REPLY,
        title=f"{complaint.reference} recommendation {recommendation.number}: "
        "the Ombudsman's reply",
        owner=recommendation.deadline.owner,
        rule=_reply_rule(sent_on),
        by=by,
        reason=sent,
    )
    awaited = AwaitedReply(
        recommendation=recommendation,
        sent_on=sent_on,
        reference=reference,
        deadline=deadline,
        sent_by=by,
    )
    awaited.full_clean()
    save_with_history(awaited, by=by, reason=sent)
    return awaited


def _letter_kept(letter) -> tuple:
    """The letter's file and SHA-256, kept only if ``upload_check`` accepts it (as evidence)."""
    if letter is None:
        return "", ""
    return evidence_for_keeping(letter, field="letter")


def _verdict_check(
    *,
    awaited: AwaitedReply,
    kind: str,
    letter_date: date,
    letter,
    completed_on: date | None,
    next_steps: str,
    new_due_date: date | None,
    today: date,
) -> None:
    """Raise ``ValidationError`` (by field) unless the verdict makes sense against the
    evidence sent and the recommendation's deadline."""
    errors = {}
    due = awaited.recommendation.deadline.due_date
    if letter_date > today:
        errors["letter_date"] = "The date of the letter must be today or in the past"
    elif letter_date < awaited.sent_on:
        errors["letter_date"] = (
            "The date of the letter must be on or after the day the evidence was sent, "
            f"{date_text(awaited.sent_on)}"
        )
    if kind in VerdictKind.satisfied() and letter is None:
        errors["letter"] = "Attach the Ombudsman's letter of satisfaction"
    if kind == VerdictKind.SATISFIED_LATE:
        if completed_on is None and awaited.sent_on <= due:
            errors["completed_on"] = (
                f"The evidence was sent by the due date ({date_text(due)}): enter the date the "
                "Ombudsman found the council complied, as the letter says"
            )
        elif completed_on is not None and completed_on <= due:
            errors["completed_on"] = (
                f"A late compliance was after the due date ({date_text(due)}): enter a later "
                "date, or record the verdict as satisfied"
            )
        elif completed_on is not None and completed_on > letter_date:
            errors["completed_on"] = "The date complied must be on or before the letter's date"
    if kind == VerdictKind.NOT_SATISFIED:
        if not next_steps.strip():
            errors["next_steps"] = "Enter what the Ombudsman asks the council to do next"
        if new_due_date is None:
            errors["new_due_date"] = "Enter the new due date the Ombudsman gave"
        elif new_due_date <= due:
            errors["new_due_date"] = (
                f"The new due date must be after the current due date, {date_text(due)}"
            )
        elif new_due_date <= letter_date:
            errors["new_due_date"] = "The new due date must be after the date of the letter"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def verdict_record(
    *,
    recommendation: Recommendation,
    kind: str,
    letter_date: date,
    by,
    at: datetime,
    version: int | None,
    letter=None,
    completed_on: date | None = None,
    next_steps: str = "",
    new_due_date: date | None = None,
) -> Verdict:
    """Record the Ombudsman's reply to the evidence awaited for ``recommendation``.

    - *Satisfied*: the recommendation is complied. Its deadline is met on the day the evidence
      was sent, so it is on time if that was by the due date in force, late otherwise.
    - *Satisfied, but late*: complied late, always. If the evidence was sent by the due date,
      the day the Ombudsman found the council complied (``completed_on``, after the due date)
      is the day it is met: every date recorded is one the letter gives, none is made up.
    - *Not satisfied*: back in progress; what the Ombudsman asks next (``next_steps``) and its
      new due date extend the recommendation's own deadline (``deadlines.services`` extension,
      basis "a new date stated by the Ombudsman", the original date kept), so it is one
      recommendation with one deadline, counted once, chased again, on time if met by the new
      date.
    - *Further report* (s31(2A)): not complied, on the letter's date.

    The letter (required when satisfied) is kept with its SHA-256, checked like evidence. The
    reply's deadline is met on the letter's date and the evidence sent marked answered.
    ``version``: the recommendation's, as the user saw it (``ConflictError`` if it changed).
    Refused (``ValidationError``) when no evidence is awaiting a reply. History on everything
    it changes.
    """
    fresh = locked(recommendation)
    if version is not None and fresh.version != version:
        raise ConflictError(fresh)
    awaited = _awaited(fresh)
    if awaited is None or fresh.status != RecommendationStatus.AWAITING_OMBUDSMAN:
        raise ValidationError(
            "No evidence sent for this recommendation is awaiting the Ombudsman's reply."
        )
    awaited.recommendation = fresh
    next_steps = next_steps.strip()
    _verdict_check(
        awaited=awaited,
        kind=kind,
        letter_date=letter_date,
        letter=letter,
        completed_on=completed_on,
        next_steps=next_steps,
        new_due_date=new_due_date,
        today=at.date(),
    )
    verdict = Verdict(
        awaited=awaited,
        kind=kind,
        letter_date=letter_date,
        completed_on=completed_on if kind == VerdictKind.SATISFIED_LATE else None,
        next_steps=next_steps if kind == VerdictKind.NOT_SATISFIED else "",
        new_due_date=new_due_date if kind == VerdictKind.NOT_SATISFIED else None,
        recorded_by=by,
        recorded_at=at,
    )
    verdict.letter, verdict.letter_sha256 = _letter_kept(letter)
    verdict.full_clean(exclude=["awaited"])
    label = VerdictKind(kind).label
    said = f"The Ombudsman's verdict, letter of {date_text(letter_date)}: {label}"
    save_with_history(verdict, by=by, reason=said)
    awaited.status = ReplyStatus.ANSWERED
    save_with_history(awaited, by=by, reason=said)
    deadline_services.deadline_complete(
        deadline=awaited.deadline, on=letter_date, by=by, reason=f"The Ombudsman replied: {label}"
    )
    _recommendation_decide(verdict, recommendation=fresh, by=by, at=at, version=version)
    recommendation.refresh_from_db()
    return verdict


def _recommendation_decide(
    verdict: Verdict, *, recommendation: Recommendation, by, at: datetime, version
) -> None:
    """Move the recommendation (and its deadline) as the verdict says."""
    awaited, said = verdict.awaited, f"{verdict.get_kind_display()} (letter of "
    said += f"{date_text(verdict.letter_date)})"
    transition = {
        VerdictKind.SATISFIED: (RecommendationStatus.COMPLIED, awaited.sent_on),
        VerdictKind.SATISFIED_LATE: (
            RecommendationStatus.COMPLIED,
            verdict.completed_on or awaited.sent_on,
        ),
        VerdictKind.NOT_SATISFIED: (RecommendationStatus.IN_PROGRESS, verdict.letter_date),
        VerdictKind.FURTHER_REPORT: (RecommendationStatus.NOT_COMPLIED, verdict.letter_date),
    }
    to_status, on = transition[VerdictKind(verdict.kind)]
    recommendation = recommendation_services.recommendation_transition(
        recommendation=recommendation,
        to_status=to_status,
        by=by,
        on=on,
        version=version,
        reason=f"The Ombudsman's verdict: {said}",
        ombudsman=True,
    )
    if verdict.kind == VerdictKind.NOT_SATISFIED:
        deadline_services.extension_record(
            deadline=recommendation.deadline,
            new_due_date=verdict.new_due_date,
            reason=f"The Ombudsman is not satisfied and asks: {verdict.next_steps}",
            basis=ExtensionBasis.STATED_BY_OMBUDSMAN,
            basis_reference=f"The Ombudsman's letter of {date_text(verdict.letter_date)}",
            by=by,
            at=at,
        )
