"""Reads scoped to the user: a plan and its milestones are visible exactly when their
recommendation is (``recommendations.selectors.recommendations_visible_to``)."""

from django.shortcuts import get_object_or_404

from recommendations.selectors import recommendations_visible_to

from .models import ActionPlan, Milestone


def plan_of(recommendation) -> ActionPlan | None:
    """The recommendation's action plan, or None before one is started."""
    return (
        ActionPlan.objects.filter(recommendation=recommendation)
        .select_related("baselined_by")
        .first()
    )


def plan_milestones(plan: ActionPlan | None):
    """The plan's milestones in order, with what their rows show, in one query."""
    if plan is None:
        return Milestone.objects.none()
    return plan.milestones.select_related("deadline__owner", "evidence").order_by("order", "pk")


def milestones_visible_to(user):
    return Milestone.objects.filter(
        plan__recommendation__in=recommendations_visible_to(user).select_related(None).values("pk")
    )


def milestone_get_for(user, pk) -> Milestone:
    """The milestone, or 404 if it does not exist or its recommendation is not the user's."""
    return get_object_or_404(
        milestones_visible_to(user).select_related(
            "plan__recommendation__complaint",
            "plan__recommendation__organisation",
            "deadline__owner",
            "evidence",
        ),
        pk=pk,
    )
