"""Links to action plans from the recommendation and complaint pages, so that
recommendations need not know plans: ``{% load plan_tags %}``, then
``{% action_plan_summary recommendation %}`` or ``{% plan_timeline_link complaint %}``."""

from django import template
from django.db.models import Count, Q

from plans.models import ActionPlan, MilestoneStatus

register = template.Library()


@register.inclusion_tag("plans/includes/plan_summary.html", takes_context=True)
def action_plan_summary(context, recommendation):
    """The recommendation's plan in a sentence, with a link: how many milestones, how many
    done, whether it is baselined. One query; nothing for a user who may not read plans."""
    user = context["request"].user
    if not user.has_perm("plans.view_actionplan"):
        return {"show": False}
    plan = (
        ActionPlan.objects.filter(recommendation=recommendation)
        .annotate(
            milestone_count=Count("milestones"),
            done_count=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE)),
        )
        .first()
    )
    return {
        "show": True,
        "recommendation": recommendation,
        "plan": plan,
        "may_add": user.has_perm("plans.add_milestone"),
    }


@register.inclusion_tag("plans/includes/timeline_link.html", takes_context=True)
def plan_timeline_link(context, complaint):
    """A link to the complaint's action plan timeline, for users who may read plans."""
    user = context["request"].user
    return {"show": user.has_perm("plans.view_actionplan"), "complaint": complaint}
