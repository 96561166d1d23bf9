"""Reads of deadlines scoped to the user, for every app that shows them (recommendations,
reminders...), so who may open a deadline is decided once."""

from .models import Deadline


def deadlines_visible_to(user):
    """The deadlines of the user's own organisation, or of every organisation for staff who
    see them all: those whose page (``Deadline.get_absolute_url``) the user may open."""
    if user.sees_every_organisation:
        return Deadline.objects.all()
    return Deadline.objects.filter(organisation=user.organisation_id)
