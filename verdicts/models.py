"""The Ombudsman's replies: evidence sent and awaited, and the verdict on each recommendation.

Sending a recommendation's evidence (``AwaitedReply``) makes it *awaiting the Ombudsman* and
starts a deadline of kind ``OMBUDSMAN_REPLY``, so a reply that does not come is chased. The
Ombudsman's ``Verdict`` then decides the recommendation: complied only once the Ombudsman is
satisfied. Everything here changes only through ``verdicts.services``.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from deadlines.models import Deadline
from ombudsman_tracker.formats import date_text


class ReplyStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting the Ombudsman"
    SUPERSEDED = "superseded", "Superseded by evidence sent again"
    ANSWERED = "answered", "Answered"


class AwaitedReply(models.Model):
    """A recommendation's evidence sent to the Ombudsman on a day, and the reply it awaits.

    At most one is awaited per recommendation (a database constraint): sending again
    supersedes it. Its ``deadline`` (``related_name="ombudsman_reply"``) is when a reply is
    expected; reminders chase it until the verdict is recorded.
    """

    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.PROTECT,
        related_name="awaited_replies",
    )
    sent_on = models.DateField("date the evidence was sent")
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="What was sent, for example the submission's number.",
    )
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="ombudsman_reply"
    )
    status = models.CharField(
        max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.AWAITING
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "sent_on", "pk"]
        verbose_name = "evidence sent to the Ombudsman"
        verbose_name_plural = "evidence sent to the Ombudsman"
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(status="awaiting"),
                name="one_awaited_reply_per_recommendation",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReplyStatus.values), name="awaited_reply_status_valid"
            ),
        ]

    def __str__(self):
        return f"Evidence sent on {date_text(self.sent_on)} for {self.recommendation}"

    def get_absolute_url(self):
        return self.recommendation.get_absolute_url()

    @property
    def is_awaiting(self) -> bool:
        return self.status == ReplyStatus.AWAITING


class VerdictKind(models.TextChoices):
    SATISFIED = "satisfied", "Satisfied"
    SATISFIED_LATE = "satisfied_late", "Satisfied, but the council complied late"
    NOT_SATISFIED = "not_satisfied", "Not satisfied"
    FURTHER_REPORT = "further_report", "Further report (s31(2A))"

    @classmethod
    def satisfied(cls):
        return [cls.SATISFIED, cls.SATISFIED_LATE]


def letter_upload_to(instance, filename):
    # A folder of its own under a random name, as for evidence: the file keeps its name.
    return f"ombudsman-letters/{secrets.token_hex(16)}/{filename}"


class Verdict(models.Model):
    """The Ombudsman's reply to evidence sent for one recommendation.

    Satisfied (on time or late) makes the recommendation complied; not satisfied puts it back
    in progress with what the Ombudsman asks next and a new due date; a further report
    (s31(2A)) makes it not complied.
    """

    awaited = models.OneToOneField(
        AwaitedReply, on_delete=models.PROTECT, related_name="verdict", verbose_name="evidence"
    )
    kind = models.CharField("the Ombudsman's verdict", max_length=20, choices=VerdictKind)
    letter_date = models.DateField("date of the Ombudsman's letter")
    letter = models.FileField(
        "the Ombudsman's letter", upload_to=letter_upload_to, blank=True, max_length=300
    )
    letter_sha256 = models.CharField("SHA-256 checksum", max_length=64, blank=True)
    completed_on = models.DateField(
        "date the Ombudsman found it complied",
        null=True,
        blank=True,
        help_text="Satisfied but late only: the day the council complied, as the letter says.",
    )
    next_steps = models.TextField("what the Ombudsman asks next", blank=True)
    new_due_date = models.DateField("new due date", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["letter_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=VerdictKind.values), name="verdict_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="not_satisfied") & Q(new_due_date__isnull=False))
                | (~Q(kind="not_satisfied") & Q(new_due_date__isnull=True)),
                name="verdict_new_due_date_only_when_not_satisfied",
                violation_error_message="Only a verdict of not satisfied sets a new due date.",
            ),
            models.CheckConstraint(
                condition=Q(kind="satisfied_late") | Q(completed_on__isnull=True),
                name="verdict_completed_on_only_when_late",
                violation_error_message="Only a verdict of satisfied but late gives a date.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (letter of {date_text(self.letter_date)})"

    def get_absolute_url(self):
        return self.awaited.recommendation.get_absolute_url()

    @property
    def is_satisfied(self) -> bool:
        return self.kind in VerdictKind.satisfied()

    @property
    def letter_download_url(self) -> str:
        return reverse("verdicts:letter_download", args=[self.pk]) if self.letter else ""
