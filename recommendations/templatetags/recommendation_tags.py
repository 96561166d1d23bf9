"""Show what ``recommendations.presentation`` decided: tags for deadlines, and breadcrumbs.

A deadline's link is its own ``get_absolute_url``."""

from pathlib import PurePosixPath

from django import template

from recommendations.presentation import deadline_tag as tag_for

register = template.Library()


@register.inclusion_tag("includes/tag.html")
def deadline_tag(deadline, at):
    """``{% deadline_tag deadline today %}``: Overdue, Due soon, On track, or how it ended."""
    tag = tag_for(deadline, at=at)
    return {"text": tag.text, "colour": tag.colour}


@register.simple_tag
def trail(*labels_and_hrefs):
    """``{% trail "Home" home_url "Complaints" list_url as crumbs %}``: breadcrumb items."""
    pairs = zip(labels_and_hrefs[::2], labels_and_hrefs[1::2], strict=True)
    return [{"label": label, "href": href} for label, href in pairs]


@register.filter
def basename(path):
    """``evidence/12/minute.pdf`` -> ``minute.pdf``."""
    return PurePosixPath(str(path)).name
