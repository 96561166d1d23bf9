"""The learning programme on other apps' pages: a recommendation's learning points, with how
far each has reached (so recommendations need not know learning)."""

from django import template
from django.utils import timezone

from learning import selectors
from learning.presentation import hidden_text

register = template.Library()

SHOWN = 5


@register.inclusion_tag("learning/includes/recommendation_learning.html", takes_context=True)
def recommendation_learning(context, recommendation):
    """``{% recommendation_learning recommendation %}``: its learning points (the first few,
    with how many there are), each with the share of people who acknowledged it; links to
    the list and to add one. Nothing for a user who may not read learning points. A fixed
    number of queries."""
    user = context["user"]
    if not user.has_perm("learning.view_learningpoint"):
        return {"show": False}
    points = selectors.recommendation_learning_points(user, recommendation)
    shown = list(points[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else points.count()
    covered = selectors.coverage_by_learning_point(learning_points=shown, at=timezone.now())
    return {
        "show": True,
        "recommendation": recommendation,
        "rows": [(point, covered[point.pk]) for point in shown],
        "hidden": hidden_text(SHOWN, total, "learning point", which="first"),
        "can_add": user.has_perm("learning.add_learningpoint"),
    }
