"""Deciding which reminders are due, claiming them, and sending them exactly once.

The guarantee, from the user's point of view: each reminder (deadline, due date, stage,
recipient) is sent once. It is claimed twice over before any email goes out: its row is
inserted under a unique constraint (a second dispatcher's insert is ignored), and the sender
moves it from pending to sending with a compare-and-set update (a redelivered or duplicated
task finds nothing to claim). The limit: a worker that dies after the mail server accepted the
email but before the row is marked sent leaves it "sending"; after ``STALE_CLAIM`` the
dispatcher releases it and it is sent again. That window is a few milliseconds wide; the
alternative (never retrying) would lose reminders instead.

Managers are told of a deadline once it is overdue, or at every stage if nobody owns it: not
every manager of the council, but those responsible for it (``selectors.managers_responsible_for``),
and each in one digest per dispatch listing all such deadlines rather than one email each. So
the rows recorded grow with the deadlines, not with deadlines times managers: what managers
are told is recorded once per deadline and stage (with no recipient), and each digest is a row
of its own (``ManagerDigest``), unique per manager and dispatch and claimed like a reminder.
"""

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import managers
from deadlines.models import Deadline, DeadlineStatus
from ombudsman_tracker.history import save_with_history

from . import emails
from .models import (
    ManagerDigest,
    ManagerDigestStatus,
    Reminder,
    ReminderSchedule,
    ReminderStatus,
)
from .schedule import Stage, current_stage, stage_description
from .selectors import LINKED, holders, manager_digest_reminders, managers_to_tell

STALE_CLAIM = timedelta(minutes=15)
CHUNK = 500
# The recipient of a reminder to the managers responsible for its deadline.
MANAGERS = None


class Due(NamedTuple):
    """One reminder due: to ``recipient_id``, or to ``MANAGERS``."""

    deadline_id: int
    due_date: date
    stage: Stage
    recipient_id: int | None
    is_escalation: bool
    status: ReminderStatus


def recipients_for(
    *, owner: tuple[int, bool] | None, stage: Stage, schedule: ReminderSchedule, has_managers: bool
) -> list[tuple[int | None, bool, ReminderStatus]]:
    """(user id, is_escalation, status) for each reminder of a deadline at ``stage``, given its
    active ``owner`` (id, chose the daily digest) or None. The owner before the deadline; once
    it is overdue, or at every stage if nobody owns it, also ``MANAGERS`` (the managers
    responsible for it, ``selectors.managers_responsible_for``, told in one digest each per
    dispatch) if its organisation has any; after ``escalate_after`` overdue reminders the
    named officer. Whoever chose the daily digest is told in it."""

    def one_by_one_or_digest(by_digest):
        return ReminderStatus.IN_DIGEST if by_digest else ReminderStatus.PENDING

    chosen = {}
    if owner is not None:
        chosen[owner[0]] = (owner[0], False, one_by_one_or_digest(owner[1]))
    if (stage.is_overdue or owner is None) and has_managers:
        chosen[MANAGERS] = (MANAGERS, False, ReminderStatus.FOR_MANAGERS)
    officer = schedule.escalation_officer
    if stage.overdue_count > schedule.escalate_after and officer and officer.is_active:
        chosen[officer.pk] = (officer.pk, True, one_by_one_or_digest(officer.reminder_digest))
    return list(chosen.values())


def reminders_due(*, today: date) -> Iterator[Due]:
    """Every reminder due by ``today`` for an open deadline (``<=``: a missed run catches up),
    recorded or not. Reads the deadlines in chunks, as plain values: there can be thousands."""
    schedules = {
        schedule.deadline_kind: schedule
        for schedule in ReminderSchedule.objects.select_related("escalation_officer")
    }
    if not schedules:
        return
    horizon = today + timedelta(days=max(max(s.days_before, default=0) for s in schedules.values()))
    managed = set(
        managers().exclude(organisation=None).values_list("organisation_id", flat=True).distinct()
    )
    deadlines = (
        Deadline.objects.open()
        .filter(due_date__lte=horizon, kind__in=schedules)
        .order_by()
        .values_list(
            "pk",
            "kind",
            "due_date",
            "organisation_id",
            "owner_id",
            "owner__is_active",
            "owner__reminder_digest",
        )
    )
    for pk, kind, due_date, organisation_id, owner_id, active, by_digest in deadlines.iterator(
        chunk_size=2000
    ):
        schedule = schedules[kind]
        stage = current_stage(
            due_date=due_date,
            days_before=schedule.days_before,
            on_the_day=schedule.on_the_day,
            overdue_every_days=schedule.overdue_every_days,
            today=today,
        )
        if stage is None:
            continue
        owner = (owner_id, by_digest) if owner_id and active else None
        for recipient_id, is_escalation, status in recipients_for(
            owner=owner, stage=stage, schedule=schedule, has_managers=organisation_id in managed
        ):
            yield Due(pk, due_date, stage, recipient_id, is_escalation, status)


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """``items`` as lists of ``size``, read as they are needed."""
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def reminders_unrecorded(*, today: date) -> Iterator[Due]:
    """The reminders due by ``today`` (``reminders_due``) not yet recorded, looking up what is
    recorded one chunk at a time."""
    for chunk in chunks(reminders_due(today=today), CHUNK):
        recorded = set(
            Reminder.objects.filter(
                deadline__in={due.deadline_id for due in chunk},
                stage__in={due.stage.key for due in chunk},
            ).values_list("deadline_id", "for_due_date", "stage", "recipient_id")
        )
        for due in chunk:
            if (due.deadline_id, due.due_date, due.stage.key, due.recipient_id) not in recorded:
                yield due


def _reminders_insert(chunk: list[Due], *, now: datetime, today: date) -> int:
    """Insert the reminders, skipping any another dispatcher recorded meanwhile (the unique
    constraint); returns how many were inserted. One statement over arrays, one per column:
    ``bulk_create`` spends longer building its SQL for thousands of rows than the database
    takes to insert them."""
    if connection.vendor != "postgresql":  # SQLite (the demo): the same rows, more slowly
        Reminder.objects.bulk_create(
            [
                Reminder(
                    deadline_id=due.deadline_id,
                    for_due_date=due.due_date,
                    stage=due.stage.key,
                    recipient_id=due.recipient_id,
                    is_escalation=due.is_escalation,
                    summary=stage_description(due.stage, due.due_date, today),
                    status=due.status,
                    created_at=now,
                )
                for due in chunk
            ],
            ignore_conflicts=True,
        )
        return len(chunk)
    table = Reminder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (deadline_id, for_due_date, stage, recipient_id, is_escalation,
                                 summary, status, created_at, attempts)
            SELECT deadline_id, for_due_date, stage, recipient_id, is_escalation, summary,
                   status, %s, 0
            FROM unnest(%s::bigint[], %s::date[], %s::varchar[], %s::bigint[], %s::boolean[],
                        %s::varchar[], %s::varchar[])
                 AS due(deadline_id, for_due_date, stage, recipient_id, is_escalation,
                        summary, status)
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (the table name is the model's, every value a parameter)
            [
                now,
                [due.deadline_id for due in chunk],
                [due.due_date for due in chunk],
                [due.stage.key for due in chunk],
                [due.recipient_id for due in chunk],
                [due.is_escalation for due in chunk],
                [stage_description(due.stage, due.due_date, today) for due in chunk],
                [str(due.status) for due in chunk],
            ],
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Dispatched:
    """What one dispatch did."""

    recorded: int  # reminders recorded, to one person or to the managers responsible
    manager_digests: int  # digests recorded, one per manager told
    released: int  # claims released from workers that died mid-send, to be sent again


def reminders_dispatch(*, now: datetime) -> Dispatched:
    """Record every reminder that is due or overdue and not yet recorded, and one digest for
    each manager responsible for a deadline this dispatch told the managers about; release
    claims abandoned by workers that died mid-send. What then waits to be sent is read with
    ``selectors.reminders_to_send`` and ``selectors.manager_digests_to_send``.

    Safe to run twice, or in two places at once: rows that exist are left alone. Reads and
    writes in chunks, so its memory does not grow with the number of deadlines.
    """
    today = timezone.localdate(now)
    with transaction.atomic():
        recorded = sum(
            _reminders_insert(chunk, now=now, today=today)
            for chunk in chunks(reminders_unrecorded(today=today), CHUNK)
        )
        digests = ManagerDigest.objects.bulk_create(
            [
                ManagerDigest(recipient_id=manager, dispatched_at=now)
                for manager in managers_to_tell(dispatched_at=now).values_list("pk", flat=True)
            ],
            ignore_conflicts=True,
        )
        abandoned = now - STALE_CLAIM
        released = Reminder.objects.filter(
            status=ReminderStatus.SENDING, claimed_at__lt=abandoned
        ).update(status=ReminderStatus.PENDING)
        released += ManagerDigest.objects.filter(
            status=ManagerDigestStatus.SENDING, claimed_at__lt=abandoned
        ).update(status=ManagerDigestStatus.PENDING)
    return Dispatched(recorded=recorded, manager_digests=len(digests), released=released)


def _still_wanted(reminder: Reminder) -> bool:
    deadline = reminder.deadline
    return deadline.status == DeadlineStatus.OPEN and deadline.due_date == reminder.for_due_date


def reminder_send(*, reminder_id: int, now: datetime) -> bool:
    """Claim one pending reminder and email it. Returns whether this call sent it.

    A reminder whose deadline was met, withdrawn or extended since is cancelled instead (an
    extension gives new reminders, counted from the new date). If the mail server fails, the
    claim is released and the error raised, so the task retries.
    """
    claimed = Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.PENDING).update(
        status=ReminderStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    reminder = (
        Reminder.objects.select_related(
            *(f"deadline__{related}" for related in LINKED), "deadline__owner", "recipient"
        )
        .prefetch_related(*holders("deadline__"))
        .get(pk=reminder_id)
    )
    if not _still_wanted(reminder):
        Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.CANCELLED)
        return False
    try:
        emails.reminder_send(reminder)
    except Exception:
        Reminder.objects.filter(pk=reminder_id, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.PENDING
        )
        raise
    Reminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.SENT, sent_at=now)
    return True


def manager_digest_send(*, digest_id: int, now: datetime) -> int:
    """Claim one manager's digest and email it: the deadlines its dispatch told the managers
    about that the manager is responsible for. Returns how many it listed (0 if this call did
    not send it).

    Deadlines met, withdrawn or extended since are left out (their reminders cancelled); a
    digest left with nothing is not sent. If the mail server fails, the claim is released and
    the error raised, so the task retries.
    """
    claimed = ManagerDigest.objects.filter(pk=digest_id, status=ManagerDigestStatus.PENDING).update(
        status=ManagerDigestStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return 0
    digest = ManagerDigest.objects.select_related("recipient").get(pk=digest_id)
    reminders = list(manager_digest_reminders(digest))
    wanted = [reminder for reminder in reminders if _still_wanted(reminder)]
    # Not those another manager's digest has sent: they stay sent.
    Reminder.objects.filter(
        pk__in={r.pk for r in reminders} - {r.pk for r in wanted},
        status=ReminderStatus.FOR_MANAGERS,
    ).update(status=ReminderStatus.CANCELLED)
    if not wanted:
        ManagerDigest.objects.filter(pk=digest_id).update(status=ManagerDigestStatus.CANCELLED)
        return 0
    try:
        emails.manager_digest_send(digest.recipient, wanted)
    except Exception:
        ManagerDigest.objects.filter(pk=digest_id, status=ManagerDigestStatus.SENDING).update(
            status=ManagerDigestStatus.PENDING
        )
        raise
    ManagerDigest.objects.filter(pk=digest_id).update(
        status=ManagerDigestStatus.SENT, sent_at=now, listed=len(wanted)
    )
    # Sent to at least one manager; the other managers' digests list it all the same.
    Reminder.objects.filter(
        pk__in=[r.pk for r in wanted], status=ReminderStatus.FOR_MANAGERS
    ).update(status=ReminderStatus.SENT, sent_at=now)
    return len(wanted)


def digest_send(*, recipient_id: int, now: datetime) -> int:
    """Send one user the reminders gathered for their daily digest. Returns how many."""
    with transaction.atomic():
        waiting = Reminder.objects.select_for_update(skip_locked=True).filter(
            recipient_id=recipient_id, status=ReminderStatus.IN_DIGEST
        )
        ids = list(waiting.values_list("pk", flat=True))
        Reminder.objects.filter(pk__in=ids).update(
            status=ReminderStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    reminders = list(
        Reminder.objects.filter(pk__in=ids)
        .select_related(*(f"deadline__{related}" for related in LINKED), "recipient")
        .prefetch_related(*holders("deadline__"))
        .order_by("deadline__due_date")
    )
    wanted = [reminder for reminder in reminders if _still_wanted(reminder)]
    Reminder.objects.filter(pk__in=[r.pk for r in reminders if r not in wanted]).update(
        status=ReminderStatus.CANCELLED
    )
    if not wanted:
        return 0
    try:
        emails.digest_send(wanted[0].recipient, wanted)
    except Exception:
        Reminder.objects.filter(pk__in=[r.pk for r in wanted]).update(
            status=ReminderStatus.IN_DIGEST
        )
        raise
    Reminder.objects.filter(pk__in=[r.pk for r in wanted]).update(
        status=ReminderStatus.SENT, sent_at=now
    )
    return len(wanted)


def digest_recipients() -> list[int]:
    return list(
        Reminder.objects.filter(status=ReminderStatus.IN_DIGEST)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def calendar_token_reset(*, user) -> str:
    """A new secret for the user's calendar feed addresses; the old addresses stop working."""
    user.calendar_token = secrets.token_urlsafe(32)
    save_with_history(user, by=user, reason="Calendar feed address reset")
    return user.calendar_token


def reminder_preferences_set(*, user, digest: bool) -> None:
    user.reminder_digest = digest
    save_with_history(
        user, by=user, reason="Reminders by daily digest" if digest else "Reminders one by one"
    )
