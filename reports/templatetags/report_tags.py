"""Links to reports' pages from other apps' pages, so that those apps need not know reports:
``{% load report_tags %}``, then ``{% side_by_side_link complaint organisations %}``."""

from django import template

from reports.selectors import side_by_side_allowed

register = template.Library()


@register.inclusion_tag("reports/includes/side_by_side_link.html", takes_context=True)
def side_by_side_link(context, complaint, organisations):
    """A link to the complaint's councils side by side, only for a user who may see it
    (``selectors.side_by_side_allowed``): nothing for anyone else, not even that it exists.
    ``organisations``: those the complaint binds, as the page has already read them."""
    user = context["request"].user
    return {
        "show": side_by_side_allowed(user, list(organisations)),
        "complaint": complaint,
        "count": len(organisations),
    }
