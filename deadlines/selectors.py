"""Reads of deadlines scoped to the user, for every app that shows them (recommendations,
reminders...), so who may open a deadline is decided once."""

from django.db.models import prefetch_related_objects

from .models import Deadline


def deadlines_visible_to(user):
    """The deadlines of the user's own organisation, or of every organisation for staff who
    see them all: those whose page (``Deadline.get_absolute_url``) the user may open."""
    if user.sees_every_organisation:
        return Deadline.objects.all()
    return Deadline.objects.filter(organisation=user.organisation_id)


def deadline_holders() -> list[str]:
    """The names of the records that may hold a deadline by a one-to-one field (a
    recommendation, an audit programme, a live concern, and those of the apps built since):
    fetch them with the deadlines a page links (``deadlines_with_holders``), and
    ``Deadline.get_absolute_url`` runs no query. Read from the model, so that a new kind of
    holder is never a query a row."""
    return [
        relation.get_accessor_name()
        for relation in Deadline._meta.related_objects
        if relation.one_to_one
    ]


def deadlines_with_holders(deadlines) -> list[Deadline]:
    """``deadlines`` (a short list: a page's), each with the record that holds it, for its
    link: a query a kind of holder. Joining every holder to the deadlines instead made
    PostgreSQL spend longer choosing the joins' order (8 to 18 ms with five holders) than
    running the query."""
    deadlines = list(deadlines)
    prefetch_related_objects(deadlines, *deadline_holders())
    return deadlines
