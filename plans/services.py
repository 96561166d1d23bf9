"""Every change to an action plan and its milestones that carries a rule.

Views, the admin and the tracker import all call these functions. Each saves through
django-simple-history with a reason. Edits made from a form carry the ``version`` the user
saw: if someone else saved first, ``ConflictError`` is raised and nothing is written. A
milestone's deadline (its planned date and owner) is made, moved, completed, withdrawn and
reopened only through ``deadlines.services``, whose history says why it moved.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from deadlines import services as deadlines
from deadlines.arithmetic import Counting
from deadlines.models import DeadlineKind
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import ConflictError as ConflictError  # for callers
from ombudsman_tracker.history import (
    brought_up_to_date,
    conflict_on_duplicate,
    locked,
    save_with_history,
)

from .models import REOPENED_AS, TRANSITIONS, ActionPlan, Milestone, MilestoneStatus

# A sentinel for "leave the owner as it is" (None removes the owner).
UNCHANGED = object()


def _stated(planned_date: date) -> dict:
    """The deadline rule of a milestone: a date the council set itself."""
    return {"counting": Counting.STATED, "stated_date": planned_date}


def _deadline_title(plan: ActionPlan, title: str) -> str:
    recommendation = plan.recommendation
    prefix = f"{recommendation.complaint.reference} recommendation {recommendation.number}: "
    return (prefix + title)[:300]


def _owner_check(owner, organisation) -> None:
    if owner is not None and (owner.organisation_id != organisation.pk or not owner.is_active):
        raise ValidationError(
            {"owner": f"Select an owner who works for {organisation} and can sign in."}
        )


def _transition_check(milestone: Milestone, to_status: str) -> None:
    if to_status not in TRANSITIONS[milestone.status]:
        raise ValidationError(
            f"A milestone that is {milestone.get_status_display().lower()} cannot become "
            f"{MilestoneStatus(to_status).label.lower()}: reload the page."
        )


def _with_reason(change: str, reason: str) -> str:
    return f"{change}: {reason.strip()}" if reason.strip() else change


# --- Plans ----------------------------------------------------------------------------------


def plan_get_or_create(*, recommendation, by) -> ActionPlan:
    """The recommendation's action plan, started (with history) if it has none. Two people
    starting it at the same moment get the same plan."""
    plan = ActionPlan.objects.filter(recommendation=recommendation).first()
    if plan is not None:
        return plan
    plan = ActionPlan(recommendation=recommendation)
    try:
        with conflict_on_duplicate(plan):
            save_with_history(plan, by=by, reason="Action plan started")
    except ConflictError:
        return ActionPlan.objects.get(recommendation=recommendation)
    return plan


@transaction.atomic
def plan_baseline(
    *,
    plan: ActionPlan,
    agreed_on: date,
    note: str,
    by,
    at: datetime,
    reason: str = "",
    version: int | None = None,
) -> ActionPlan:
    """Freeze the plan as a committee agreed it on ``agreed_on``: each milestone not dropped
    takes its planned date as its baseline date (a dropped one leaves the baseline).

    ``note`` says who agreed it ("Agreed by the General Purposes & Audit Committee on 14 Dec
    2021"). Baselining again replaces every baseline date and needs a ``reason``; the earlier
    baseline stays in the plan's and each milestone's history. ``ValidationError`` for a
    plan with no milestone to baseline; with ``version``, ``ConflictError`` if the plan was
    saved since.
    """
    brought_up_to_date(plan)
    errors = {}
    if not note.strip():
        errors["note"] = "Enter who agreed the plan, for example the committee and its meeting"
    if plan.is_baselined and not reason.strip():
        errors["reason"] = "Enter why the plan is baselined again"
    if errors:
        raise ValidationError(errors)
    milestones = list(
        plan.milestones.select_for_update().select_related("deadline").order_by("order", "pk")
    )
    kept = [m for m in milestones if m.status != MilestoneStatus.DROPPED]
    if not kept:
        raise ValidationError("Add the plan's milestones before baselining it.")
    again = plan.is_baselined
    plan.baselined_at, plan.baselined_by = at, by
    plan.agreed_on, plan.baseline_note = agreed_on, note.strip()
    plan.baseline_count += 1
    change = (
        f"Baseline {plan.baseline_count} agreed on {date_text(agreed_on)} ({note.strip()})"
        if again
        else f"Baselined: agreed on {date_text(agreed_on)} ({note.strip()})"
    )
    change = _with_reason(change, reason) if again else change
    save_with_history(plan, by=by, reason=change, expected_version=version)
    for milestone in milestones:
        baseline = milestone.planned_date if milestone in kept else None
        if milestone.baseline_date == baseline and not again:
            continue
        milestone.baseline_date = baseline
        why = (
            f"Baseline date {date_text(baseline)}"
            if baseline
            else "Left out of the baseline: dropped"
        )
        save_with_history(milestone, by=by, reason=f"{why} ({change})")
    return plan


# --- Milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, recommendation, title: str, planned_date: date, owner, by, reason: str = ""
) -> Milestone:
    """Add a milestone at the end of the recommendation's plan (started if need be), with its
    deadline (``DeadlineKind.MILESTONE``, a date the council set) so that its owner is
    reminded like any deadline's. Added to a baselined plan, it is "not in the baseline"
    until the plan is baselined again."""
    plan = locked(plan_get_or_create(recommendation=recommendation, by=by))
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter what the milestone is"})
    _owner_check(owner, recommendation.organisation)
    last = plan.milestones.order_by("-order").values_list("order", flat=True).first() or 0
    plan.recommendation = recommendation
    change = "Milestone added" + (" after the baseline" if plan.is_baselined else "")
    change = _with_reason(change, reason)
    deadline = deadlines.deadline_create(
        complaint=recommendation.complaint,
        organisation=recommendation.organisation,
        kind=DeadlineKind.MILESTONE,
        title=_deadline_title(plan, title),
        owner=owner,
        rule=_stated(planned_date),
        by=by,
        reason=change,
    )
    milestone = Milestone(plan=plan, title=title, deadline=deadline, order=last + 1)
    milestone.full_clean()
    save_with_history(milestone, by=by, reason=change)
    return milestone


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    version: int,
    by,
    reason: str = "",
    title: str | None = None,
    planned_date: date | None = None,
    owner=UNCHANGED,
    status: str | None = None,
) -> Milestone:
    """Change a milestone's title, planned date, owner or open status (planned or in
    progress; done and dropped have their own functions).

    A new planned date moves the deadline (``deadlines.services.deadline_update``) and needs
    a ``reason``, kept in both histories; the baseline date does not move. ``ConflictError``
    if the milestone was saved since ``version``; nothing is written then.
    """
    recommendation = milestone.plan.recommendation
    changes = []
    if title is not None and title.strip() != milestone.title:
        if not title.strip():
            raise ValidationError({"title": "Enter what the milestone is"})
        milestone.title = title.strip()
        changes.append("title changed")
    moved = planned_date is not None and planned_date != milestone.deadline.due_date
    if moved:
        if not reason.strip():
            raise ValidationError({"reason": "Enter why the planned date moves"})
        changes.append(
            f"planned date moved from {date_text(milestone.deadline.due_date)} to "
            f"{date_text(planned_date)}"
        )
    if status is not None and status != milestone.status:
        if status not in MilestoneStatus.open():
            raise ValidationError({"status": "Mark a milestone done or dropped on its own page"})
        _transition_check(milestone, status)
        milestone.status = status
        changes.append(f"now {MilestoneStatus(status).label.lower()}")
    owner_changed = owner is not UNCHANGED and owner != milestone.deadline.owner
    if owner_changed:
        _owner_check(owner, recommendation.organisation)
    if not changes and not owner_changed:
        return milestone
    change = _with_reason("Milestone " + ", ".join(changes or ["owner changed"]), reason)
    save_with_history(milestone, by=by, reason=change, expected_version=version)
    if moved or "title changed" in changes:
        milestone.deadline = deadlines.deadline_update(
            deadline=milestone.deadline,
            by=by,
            reason=change,
            title=_deadline_title(milestone.plan, milestone.title),
            rule=_stated(planned_date) if moved else None,
        )
    if owner_changed:
        # Saves the milestone too (its history says who took over; its version moves).
        milestone.deadline = deadlines.deadline_owner_change(
            deadline=milestone.deadline, owner=owner, by=by
        )
        milestone.refresh_from_db(fields=["version"])
    return milestone


@transaction.atomic
def milestone_complete(
    *,
    milestone: Milestone,
    on: date,
    by,
    evidence=None,
    reason: str = "",
    version: int | None = None,
) -> Milestone:
    """Mark the milestone done on ``on`` (its actual date), with one of the recommendation's
    pieces of evidence if given; its deadline is met on that day (on time or late)."""
    brought_up_to_date(milestone)
    _transition_check(milestone, MilestoneStatus.DONE)
    if evidence is not None and evidence.recommendation_id != milestone.plan.recommendation_id:
        raise ValidationError({"evidence": "Choose evidence of this recommendation"})
    milestone.status, milestone.actual_date = MilestoneStatus.DONE, on
    if evidence is not None:
        milestone.evidence = evidence
    change = _with_reason(f"Milestone done on {date_text(on)}", reason)
    save_with_history(milestone, by=by, reason=change, expected_version=version)
    milestone.deadline = deadlines.deadline_complete(
        deadline=milestone.deadline, on=on, by=by, reason=change
    )
    return milestone


@transaction.atomic
def milestone_drop(
    *, milestone: Milestone, by, reason: str, version: int | None = None
) -> Milestone:
    """Drop a milestone that no longer applies, with the reason; its deadline is withdrawn
    (no more reminders). It stays on the plan, shown as dropped."""
    brought_up_to_date(milestone)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the milestone is dropped"})
    _transition_check(milestone, MilestoneStatus.DROPPED)
    milestone.status = MilestoneStatus.DROPPED
    change = _with_reason("Milestone dropped", reason)
    save_with_history(milestone, by=by, reason=change, expected_version=version)
    milestone.deadline = deadlines.deadline_withdraw(
        deadline=milestone.deadline, by=by, reason=change
    )
    return milestone


@transaction.atomic
def milestone_reopen(
    *, milestone: Milestone, by, reason: str, version: int | None = None
) -> Milestone:
    """Open a done milestone again (in progress) or a dropped one (planned), with the
    reason; its deadline is reopened, its dates as they were, and reminded again."""
    brought_up_to_date(milestone)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the milestone is reopened"})
    if milestone.status not in REOPENED_AS:
        raise ValidationError("This milestone is open already: reload the page.")
    to_status = REOPENED_AS[milestone.status]
    _transition_check(milestone, to_status)
    milestone.status, milestone.actual_date = to_status, None
    change = _with_reason(f"Milestone reopened as {to_status.label.lower()}", reason)
    save_with_history(milestone, by=by, reason=change, expected_version=version)
    milestone.deadline = deadlines.deadline_reopen(
        deadline=milestone.deadline, by=by, reason=change
    )
    return milestone
