"""The Ombudsman's reply on a recommendation's page (so recommendations need not know
verdicts)."""

from django import template

from verdicts import selectors

register = template.Library()


@register.inclusion_tag("verdicts/includes/recommendation_reply.html", takes_context=True)
def ombudsman_reply(context, recommendation):
    """``{% ombudsman_reply recommendation %}``: "Evidence sent on ..., awaiting the Ombudsman
    (reply chased from ...)" with a link to record the reply, and the verdicts so far with
    their letters; nothing where no evidence was ever sent, or for a user who may not read
    verdicts. One query."""
    user = context["user"]
    if not user.has_perm(selectors.READ):
        return {"show": False}
    replies = list(selectors.recommendation_replies(recommendation))
    awaited = next((reply for reply in replies if reply.is_awaiting), None)
    answered = [reply.verdict for reply in replies if hasattr(reply, "verdict")]
    return {
        "show": bool(replies),
        "recommendation": recommendation,
        "awaited": awaited,
        "verdicts": answered,
        "may_record": awaited is not None and user.has_perm(selectors.RECORD),
    }
