"""Reads for reminders: the in-app notices and the deadlines in a calendar feed."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.selectors import is_manager
from deadlines.models import Deadline, DeadlineStatus
from deadlines.selectors import deadlines_visible_to

from .models import Reminder, ReminderStatus

NOTICE_DAYS = 30
# What a deadline's link and description need, fetched with it.
LINKED = ("complaint", "organisation", "recommendation", "audit_programme", "live_concern")


def notices_for(user, *, at: date, limit: int = 10):
    """The reminders sent to the user in the last 30 days about deadlines still open that the
    user may open: a reminder about another council's deadline (sent to a named officer of
    another council, or before the user moved) would link to a page they cannot see."""
    return (
        Reminder.objects.filter(
            recipient=user,
            created_at__date__gte=at - timedelta(days=NOTICE_DAYS),
            deadline__status=DeadlineStatus.OPEN,
            deadline__in=deadlines_visible_to(user),
        )
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related(*(f"deadline__{related}" for related in LINKED))
        .order_by("-created_at", "-pk")[:limit]
    )


def feed_user(token: str):
    """The active user whose calendar feed address holds ``token``, or None."""
    if not token:
        return None
    return get_user_model().objects.filter(calendar_token=token, is_active=True).first()


def _recent_or_open(*, at: date):
    return Q(status=DeadlineStatus.OPEN) | Q(completed_on__gte=at - timedelta(days=90))


def own_feed_deadlines(user, *, at: date):
    """The deadlines the user owns: open ones, and those completed in the last 90 days."""
    return (
        Deadline.objects.filter(owner=user).filter(_recent_or_open(at=at)).select_related(*LINKED)
    )


def may_subscribe_to_organisation(user) -> bool:
    return user.organisation_id is not None and (user.is_superuser or is_manager(user))


def organisation_feed_deadlines(user, *, at: date):
    """Every deadline of the manager's organisation, for the organisation's calendar."""
    return (
        Deadline.objects.filter(organisation=user.organisation_id)
        .filter(_recent_or_open(at=at))
        .select_related(*LINKED, "owner")
    )
