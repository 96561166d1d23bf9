"""The remedy payments section of a recommendation's page (so recommendations need not know
remedies), and money as it reads."""

from django import template
from django.utils import timezone

from remedies import presentation, selectors

register = template.Library()


@register.filter
def money(amount):
    """``{{ amount|money }}``: ``£1,250.50``."""
    return presentation.money(amount)


@register.inclusion_tag("remedies/includes/recommendation_payments.html", takes_context=True)
def remedy_payments(context, recommendation):
    """``{% remedy_payments recommendation %}``: on a personal remedy, its payments' totals
    (paid, still to pay, overdue) with links to them; nothing on other kinds, or for a user
    who may not read payments. Two queries."""
    user = context["user"]
    if not selectors.takes_payments(recommendation) or not user.has_perm(selectors.READ):
        return {"show": False}
    totals = selectors.payment_totals(
        payments=selectors.recommendation_payments(recommendation), today=timezone.localdate()
    ).overall
    return {
        "show": True,
        "recommendation": recommendation,
        "totals": totals,
        "may_add": user.has_perm("remedies.add_remedypayment"),
    }
