"""Reminder schedules per kind of deadline, and the record of every reminder sent.

The database is the source of truth: a reminder is claimed by inserting its row under a unique
constraint (deadline, due date, stage, recipient) before any email goes out, so two
dispatchers, a redelivered task or a retry can never send it twice. What managers are told is
recorded once per deadline and stage (no recipient), and reaches each responsible manager in
one ``ManagerDigest`` per dispatch, itself unique per manager and dispatch.
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
    FOR_MANAGERS = "for_managers", "Waiting for the managers' digests"
    CANCELLED = "cancelled", "Cancelled: the deadline changed"


class Reminder(models.Model):
    """One reminder for one stage of one deadline (also the in-app notice): to one person, or,
    with no recipient, to the managers responsible for the deadline (``managers_responsible_for``
    in ``reminders.selectors``), who each get it in their ``ManagerDigest``."""

    deadline = models.ForeignKey(
        "deadlines.Deadline", on_delete=models.CASCADE, related_name="reminders"
    )
    for_due_date = models.DateField(help_text="The due date the reminder was about.")
    stage = models.CharField(max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
        help_text="Blank: the managers responsible for the deadline, told in one digest each: "
        "the managers of its organisation whose team is the owner's team or the complaint's "
        "service area, or every manager of the organisation if none is.",
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
                # Also once per stage for the managers (no recipient).
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            # A manager's digest lists the managers' reminders its dispatch recorded.
            models.Index(fields=["created_at"], name="reminder_created_at"),
        ]

    def __str__(self):
        to = self.recipient or "the managers responsible"
        return f"{self.deadline.title}: {self.summary} (to {to})"


class ManagerDigestStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Not sent: its deadlines changed before it went"


class ManagerDigest(models.Model):
    """One email to one manager listing the reminders for managers that one dispatch recorded
    (those dated ``dispatched_at``) about deadlines the manager is responsible for: one email
    per manager and dispatch however many deadlines are overdue. Unique per manager and
    dispatch, and claimed before it is sent, like a ``Reminder``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manager_digests"
    )
    dispatched_at = models.DateTimeField(help_text="The dispatch whose reminders it lists.")
    status = models.CharField(
        max_length=12, choices=ManagerDigestStatus, default=ManagerDigestStatus.PENDING
    )
    listed = models.PositiveIntegerField(default=0, help_text="How many deadlines it listed.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-dispatched_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dispatched_at"], name="one_manager_digest_per_dispatch"
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self):
        return f"Deadlines for {self.recipient} as a manager"
