"""A link to a complaint's evidence submissions from its page, so that recommendations need not
know submissions: ``{% load submission_tags %}{% submissions_link complaint %}``."""

from django import template

register = template.Library()


@register.inclusion_tag("submissions/includes/submissions_link.html", takes_context=True)
def submissions_link(context, complaint):
    """For users who may read submissions; no query."""
    user = context["request"].user
    return {"show": user.has_perm("submissions.view_submission"), "complaint": complaint}
