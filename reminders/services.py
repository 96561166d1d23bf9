"""Deciding which reminders are due, claiming them, and sending them exactly once.

The guarantee, from the user's point of view: each reminder (deadline, due date, stage,
recipient) is sent once. It is claimed twice over before any email goes out: its row is
inserted under a unique constraint (a second dispatcher's insert is ignored), and the sender
moves it from pending to sending with a compare-and-set update (a redelivered or duplicated
task finds nothing to claim). The limit: a worker that dies after the mail server accepted the
email but before the row is marked sent leaves it "sending"; after ``STALE_CLAIM`` the
dispatcher releases it and it is sent again. That window is a few milliseconds wide; the
alternative (never retrying) would lose reminders instead.
"""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import managers
from deadlines.models import Deadline, DeadlineStatus
from ombudsman_tracker.history import save_with_history

from . import emails
from .models import Reminder, ReminderSchedule, ReminderStatus
from .schedule import Stage, current_stage, stage_description
from .selectors import LINKED

STALE_CLAIM = timedelta(minutes=15)


def _managers_by_organisation() -> dict[int, list]:
    by_organisation: dict[int, list] = {}
    for user in managers().exclude(organisation=None):
        by_organisation.setdefault(user.organisation_id, []).append(user)
    return by_organisation


def recipients_for(
    deadline: Deadline, stage: Stage, schedule: ReminderSchedule, managers: list
) -> list[tuple[object, bool]]:
    """(user, is_escalation) pairs: the owner before the deadline; once overdue also the
    organisation's managers; after ``escalate_after`` overdue reminders the named officer."""
    people = [deadline.owner] if deadline.owner and deadline.owner.is_active else []
    if stage.is_overdue or not people:
        people += managers
    chosen = {person.pk: (person, False) for person in people}
    officer = schedule.escalation_officer
    if stage.overdue_count > schedule.escalate_after and officer and officer.is_active:
        chosen[officer.pk] = (officer, True)
    return list(chosen.values())


def reminders_due(*, today):
    """Yield (deadline, stage, recipients) for every open deadline with a stage due by today."""
    schedules = {
        schedule.deadline_kind: schedule
        for schedule in ReminderSchedule.objects.select_related("escalation_officer")
    }
    if not schedules:
        return
    horizon = today + timedelta(days=max(max(s.days_before, default=0) for s in schedules.values()))
    managers = _managers_by_organisation()
    deadlines = (
        Deadline.objects.open()
        .filter(due_date__lte=horizon, kind__in=schedules)
        .select_related("owner", "complaint", "organisation")
    )
    for deadline in deadlines.iterator(chunk_size=500):
        schedule = schedules[deadline.kind]
        stage = current_stage(
            due_date=deadline.due_date,
            days_before=schedule.days_before,
            on_the_day=schedule.on_the_day,
            overdue_every_days=schedule.overdue_every_days,
            today=today,
        )
        if stage is None:
            continue
        recipients = recipients_for(
            deadline, stage, schedule, managers.get(deadline.organisation_id, [])
        )
        yield deadline, stage, recipients


def reminders_dispatch(*, now: datetime) -> list[int]:
    """Record every reminder that is due or overdue and not yet recorded; return the ids of
    those waiting to be sent (including ones released from a worker that died mid-send).

    Safe to run twice, or in two places at once: rows that exist are left alone.
    """
    today = timezone.localdate(now)
    rows = [
        Reminder(
            deadline=deadline,
            for_due_date=deadline.due_date,
            stage=stage.key,
            recipient=recipient,
            is_escalation=is_escalation,
            summary=stage_description(stage, deadline.due_date, today),
            status=ReminderStatus.IN_DIGEST
            if recipient.reminder_digest
            else ReminderStatus.PENDING,
            created_at=now,
        )
        for deadline, stage, recipients in reminders_due(today=today)
        for recipient, is_escalation in recipients
    ]
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    Reminder.objects.filter(status=ReminderStatus.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=ReminderStatus.PENDING
    )
    return list(Reminder.objects.filter(status=ReminderStatus.PENDING).values_list("pk", flat=True))


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
    reminder = Reminder.objects.select_related(
        *(f"deadline__{related}" for related in LINKED), "deadline__owner", "recipient"
    ).get(pk=reminder_id)
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
