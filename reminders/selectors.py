"""Reads for reminders: who is responsible for a deadline once it needs a manager, what each
manager's digest lists, the in-app notices and the deadlines in a calendar feed."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.selectors import is_manager, managers
from deadlines.models import Deadline, DeadlineStatus
from deadlines.selectors import deadline_holders, deadlines_visible_to

from .models import ManagerDigest, ManagerDigestStatus, Reminder, ReminderStatus

NOTICE_DAYS = 30
# What a deadline's description needs, joined to it.
LINKED = ("complaint", "organisation")


def holders(prefix: str = "") -> list[str]:
    """What a deadline's link needs: the record holding it, whichever app's, prefetched (a
    query a kind of holder) rather than joined, which made PostgreSQL choose among too many
    join orders (``deadlines.selectors.deadlines_with_holders``)."""
    return [f"{prefix}{holder}" for holder in deadline_holders()]


def _responsible(*, organisation, team, prefix: str = "") -> Q:
    """The escalation rule, as a filter on deadlines (or on rows that reach them by ``prefix``):
    those a manager of ``organisation`` in ``team`` is told of when they are overdue or nobody
    owns them. That is the deadlines of the manager's organisation whose owner's team or
    complaint's service area is the manager's team, and those of the organisation for which no
    manager has either team, so that every manager of it is told rather than nobody.

    ``organisation`` and ``team`` are a manager's values, or ``OuterRef``s to a manager.
    """
    owner_team, service_area = f"{prefix}owner__team", f"{prefix}complaint__service_area"
    if isinstance(organisation, OuterRef):
        # The deadline's own, which the filter makes the manager's.
        organisation_managed = OuterRef(f"{prefix}organisation")
    else:
        organisation_managed = organisation  # not correlated: the database reads it once
    managed = managers().filter(organisation=organisation_managed).exclude(team="").values("team")
    in_team = Q(**{owner_team: team, f"{owner_team}__gt": ""}) | Q(
        **{service_area: team, f"{service_area}__gt": ""}
    )
    # Spelled out for a deadline nobody owns: NOT IN is never true of a missing team.
    owners_team_unmanaged = Q(**{f"{prefix}owner": None}) | ~Q(**{f"{owner_team}__in": managed})
    nobody_manages = owners_team_unmanaged & ~Q(**{f"{service_area}__in": managed})
    return Q(**{f"{prefix}organisation": organisation}) & (in_team | nobody_manages)


def _told_as_manager(user) -> Q:
    """Reminders to the managers about deadlines ``user`` is responsible for as a manager,
    other than their own (an owner has their own reminder)."""
    return (
        Q(recipient=None)
        & _responsible(organisation=user.organisation_id, team=user.team, prefix="deadline__")
        & ~Q(deadline__owner=user)
    )


def managers_responsible_for(deadline):
    """The active managers told when ``deadline`` is overdue or has no owner (``_responsible``):
    those of its organisation whose team is its owner's team or its complaint's service area,
    or, if none is, every manager of its organisation."""
    return managers().filter(
        Exists(
            Deadline.objects.filter(pk=deadline.pk).filter(
                _responsible(organisation=OuterRef("organisation"), team=OuterRef("team"))
            )
        )
    )


def managers_to_tell(*, dispatched_at: datetime):
    """The managers responsible for a deadline the dispatch at ``dispatched_at`` recorded a
    reminder for managers about (other than deadlines they own): one digest each."""
    told = Deadline.objects.filter(
        reminders__recipient=None, reminders__created_at=dispatched_at
    ).filter(_responsible(organisation=OuterRef("organisation"), team=OuterRef("team")))
    return managers().filter(Exists(told.exclude(owner=OuterRef("pk"))))


def manager_digest_reminders(digest: ManagerDigest):
    """What ``digest`` lists: the reminders for managers its dispatch recorded about deadlines
    its manager is responsible for, soonest due first."""
    return (
        Reminder.objects.filter(_told_as_manager(digest.recipient), created_at=digest.dispatched_at)
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related(*(f"deadline__{related}" for related in LINKED), "deadline__owner")
        .prefetch_related(*holders("deadline__"))
        .order_by("deadline__due_date", "deadline__pk")
    )


def sends_waiting() -> int:
    """How many reminders and managers' digests wait to be sent."""
    return (
        Reminder.objects.filter(status=ReminderStatus.PENDING).count()
        + ManagerDigest.objects.filter(status=ManagerDigestStatus.PENDING).count()
    )


def reminders_to_send():
    """The ids of the reminders waiting to be sent one by one, read in chunks (there can be
    thousands after a first dispatch)."""
    return (
        Reminder.objects.filter(status=ReminderStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=1000)
    )


def manager_digests_to_send():
    return (
        ManagerDigest.objects.filter(status=ManagerDigestStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=1000)
    )


def notices_for(user, *, at: date, limit: int = 10):
    """The latest reminders sent to the user in the last 30 days, in an email of their own or
    in one of their managers' digests, about deadlines still open that the user may open: a
    reminder about another council's deadline (sent to a named officer of another council, or
    before the user moved) would link to a page they cannot see."""
    since = timezone.make_aware(datetime.combine(at - timedelta(days=NOTICE_DAYS), time.min))
    told = Q(recipient=user)
    # The dispatches that sent the user a digest, read first: their reminders are then found
    # by the index on their time, not by checking the month's against the user's area.
    digested = ManagerDigest.objects.filter(
        recipient=user, status=ManagerDigestStatus.SENT, dispatched_at__gte=since
    ).order_by("-dispatched_at")
    if dispatches := list(digested.values_list("dispatched_at", flat=True)[:limit]):
        told |= _told_as_manager(user) & Q(created_at__in=dispatches)
    return (
        Reminder.objects.filter(
            told,
            created_at__gte=since,
            deadline__status=DeadlineStatus.OPEN,
            deadline__in=deadlines_visible_to(user),
        )
        .exclude(status=ReminderStatus.CANCELLED)
        .select_related(*(f"deadline__{related}" for related in LINKED))
        .prefetch_related(*holders("deadline__"))
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
        Deadline.objects.filter(owner=user)
        .filter(_recent_or_open(at=at))
        .select_related(*LINKED)
        .prefetch_related(*holders())
    )


def may_subscribe_to_organisation(user) -> bool:
    return user.organisation_id is not None and (user.is_superuser or is_manager(user))


def organisation_feed_deadlines(user, *, at: date):
    """Every deadline of the manager's organisation, for the organisation's calendar."""
    return (
        Deadline.objects.filter(organisation=user.organisation_id)
        .filter(_recent_or_open(at=at))
        .select_related(*LINKED, "owner")
        .prefetch_related(*holders())
    )
