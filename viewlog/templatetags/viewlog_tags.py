"""``{% who_has_viewed record %}``: the "Who has viewed this" section of a record's page."""

from django import template

from viewlog.selectors import views_shown_to

register = template.Library()


@register.inclusion_tag("viewlog/includes/who_has_viewed.html", takes_context=True)
def who_has_viewed(context, record):
    """Nothing for those who may not read the view log (``views_shown_to`` says who may)."""
    return {"views": views_shown_to(context["request"].user, record=record)}
