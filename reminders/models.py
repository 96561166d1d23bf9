"""Reminder schedules per kind of deadline, and the record of every reminder sent.

The database is the source of truth: a reminder is claimed by inserting its row under a unique
constraint (deadline, due date, stage, recipient) before any email goes out, so two
dispatchers, a redelivered task or a retry can never send it twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from deadlines.models import DeadlineKind


def default_days_before():
    return [28, 14, 7, 1]


class ReminderSchedule(models.Model):
    """When reminders go out for one kind of deadline. Administrators can change it."""

    deadline_kind = models.CharField(max_length=20, choices=DeadlineKind, unique=True)
    days_before = models.JSONField(
        default=default_days_before, help_text="Days before the deadline, e.g. [28, 14, 7, 1]."
    )
    on_the_day = models.BooleanField(default=True)
    overdue_every_days = models.PositiveSmallIntegerField(default=7)
    escalate_after = models.PositiveSmallIntegerField(
        default=2,
        help_text="After this many overdue reminders, the escalation officer is told as well.",
    )
    escalation_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The named senior officer who receives escalations.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(overdue_every_days__gte=1), name="overdue_reminders_repeat"
            ),
        ]

    def __str__(self):
        return f"Reminders for {self.get_deadline_kind_display().lower()}"


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    IN_DIGEST = "in_digest", "Waiting for the daily digest"
    CANCELLED = "cancelled", "Cancelled: the deadline changed"


class Reminder(models.Model):
    """One reminder to one person for one stage of one deadline (also the in-app notice)."""

    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.CASCADE, related_name="reminders"
    )
    for_due_date = models.DateField(help_text="The due date the reminder was about.")
    stage = models.CharField(max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    is_escalation = models.BooleanField(default=False)
    summary = models.CharField(max_length=100, help_text="For example 'due in 7 days'.")
    status = models.CharField(max_length=12, choices=ReminderStatus, default=ReminderStatus.PENDING)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "for_due_date", "stage", "recipient"],
                name="one_reminder_per_stage_and_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"{self.deadline.title}: {self.summary} (to {self.recipient})"
