from datetime import datetime

from django.db import models
from django.db.models import Q


class Job(models.Model):
    """A piece of background work that must happen: recorded in the transaction that makes it
    necessary, run by a worker, re-queued by the sweep until it is done or given up.

    ``kind`` names what runs (``outbox.kinds``) on the row ``object_id``. Changes go through
    ``outbox.services``.
    """

    kind = models.CharField(max_length=100)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="When the next attempt may start.")
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a run was last handed to the broker; cleared when a worker takes it.",
    )
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The lease of the attempt running now: past it, the worker is taken to have "
        "stopped and the job may be claimed again.",
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One job per thing to do: the concern is emailed once, the upload imported once.
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_job_per_object"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(given_up_at__isnull=True),
                name="job_done_or_given_up_not_both",
            ),
        ]
        indexes = [
            # What the sweep reads: jobs not finished, oldest first.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(done_at__isnull=True, given_up_at__isnull=True),
                name="outbox_job_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"

    @property
    def is_finished(self) -> bool:
        return self.done_at is not None or self.given_up_at is not None

    def is_running(self, *, at: datetime) -> bool:
        """An attempt holds the lease now."""
        return not self.is_finished and self.claimed_until is not None and self.claimed_until > at

    def lease_expired(self, *, at: datetime) -> bool:
        """An attempt started and neither finished nor failed within its lease: its worker
        stopped (killed, or past its time limit)."""
        return not self.is_finished and self.claimed_until is not None and self.claimed_until <= at
