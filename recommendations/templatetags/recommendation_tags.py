"""Show what ``recommendations.presentation`` decided: tags for deadlines, and breadcrumbs.

A deadline's link is its own ``get_absolute_url``."""

from pathlib import PurePosixPath

from django import template

from recommendations.presentation import deadline_tag as tag_for
from recommendations.presentation import extension_requests_waiting_text, tag_html
from recommendations.selectors import extension_requests_for

register = template.Library()


@register.simple_tag
def deadline_tag(deadline, at):
    """``{% deadline_tag deadline today %}``: Overdue, Due soon, On track, or how it ended."""
    return tag_html(tag_for(deadline, at=at))


@register.simple_tag
def govuk_tag(tag):
    """``{% govuk_tag row.tag %}``: a ``Tag`` as ``includes/tag.html`` shows it, without
    rendering a template for each row of a long table."""
    return tag_html(tag)


@register.simple_tag
def trail(*labels_and_hrefs):
    """``{% trail "Home" home_url "Complaints" list_url as crumbs %}``: breadcrumb items."""
    pairs = zip(labels_and_hrefs[::2], labels_and_hrefs[1::2], strict=True)
    return [{"label": label, "href": href} for label, href in pairs]


@register.filter
def basename(path):
    """``evidence/12/minute.pdf`` -> ``minute.pdf``."""
    return PurePosixPath(str(path)).name


@register.inclusion_tag(
    "recommendations/includes/extension_requests_waiting.html", takes_context=True
)
def extension_requests_waiting(context):
    """``{% extension_requests_waiting %}``: how many extension requests wait for the user's
    decision, with a link to them on the home page; nothing if none does. For pages such as
    the dashboard, whose own figures leave extensions out."""
    count = extension_requests_for(context["request"].user).count()
    return {"count": count, "text": extension_requests_waiting_text(count) if count else ""}
