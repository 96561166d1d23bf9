"""What the plan pages, the timeline and the committee report say about a milestone, decided
here and not in templates. Pure functions of the objects and the date."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from ombudsman_tracker.formats import counted
from ombudsman_tracker.presentation import Action, Tag

from .models import ActionPlan, Milestone, MilestoneStatus


def slippage_text(days: int | None, *, status: str, in_baseline: bool) -> str:
    """How far a milestone is from its baseline, in words: "12 days later than the
    baseline", "On the baseline", "Not in the baseline" (added after it), "Dropped"."""
    if status == MilestoneStatus.DROPPED:
        return "Dropped"
    if not in_baseline:
        return "Not in the baseline"
    if days == 0:
        return "On the baseline"
    if days > 0:
        return f"{counted(days, 'day')} later than the baseline"
    return f"{counted(-days, 'day')} earlier than the baseline"


def milestone_slippage(milestone: Milestone) -> str:
    return slippage_text(
        milestone.slippage_days, status=milestone.status, in_baseline=milestone.in_baseline
    )


def milestone_tag(milestone: Milestone, *, at: date) -> Tag:
    """Done green, dropped grey, overdue red, in progress blue, planned teal."""
    match milestone.status:
        case MilestoneStatus.DONE:
            return Tag("Done", "green")
        case MilestoneStatus.DROPPED:
            return Tag("Dropped", "grey")
    if milestone.planned_date < at:
        return Tag("Overdue", "red")
    if milestone.status == MilestoneStatus.IN_PROGRESS:
        return Tag("In progress", "blue")
    return Tag("Planned", "teal")


@dataclass(frozen=True)
class MilestoneRow:
    """One row of a plan's milestones table, with the actions ``user`` may take on it."""

    milestone: Milestone
    tag: Tag
    slippage: str
    actions: list[Action]


def milestone_actions(milestone: Milestone, *, user) -> list[Action]:
    if not user.has_perm("plans.change_milestone"):
        return []
    pk, title = milestone.pk, milestone.title
    if milestone.is_open:
        return [
            Action("Change", reverse("plans:milestone_update", args=[pk]), title),
            Action("Mark done", reverse("plans:milestone_complete", args=[pk]), title),
            Action("Drop", reverse("plans:milestone_drop", args=[pk]), title),
        ]
    return [Action("Reopen", reverse("plans:milestone_reopen", args=[pk]), title)]


def milestone_rows(milestones, *, user, at: date) -> list[MilestoneRow]:
    return [
        MilestoneRow(
            milestone=milestone,
            tag=milestone_tag(milestone, at=at),
            slippage=milestone_slippage(milestone),
            actions=milestone_actions(milestone, user=user),
        )
        for milestone in milestones
    ]


def plan_actions(recommendation, plan: ActionPlan | None, *, user, has_milestones: bool):
    """What ``user`` may do with the plan as a whole."""
    pk = recommendation.pk
    actions = []
    if user.has_perm("plans.add_milestone"):
        actions.append(
            Action(
                "Add a milestone",
                reverse("plans:milestone_add", args=[pk]),
                "A step with an owner and a planned date; its owner is reminded as it nears.",
            )
        )
    if has_milestones and user.has_perm("plans.baseline_actionplan"):
        again = plan is not None and plan.is_baselined
        actions.append(
            Action(
                "Baseline the plan again" if again else "Baseline the plan",
                reverse("plans:plan_baseline", args=[pk]),
                "Record the plan as a committee agreed it: later changes show against it.",
            )
        )
    return actions
