"""Evidence submissions: the council's letter to the Ombudsman, with the evidence enclosed.

A draft names the recommendations being reported, what was done for each and when, and which of
each one's evidence goes with it. Sending freezes it as an issued committee report is frozen:
the letter (Word and PDF) and the evidence zip are stored with their SHA-256 checksums and the
content they were built from, with who confirmed the files redacted and when, and a distribution
ledger entry to the Ombudsman. Every change goes through ``submissions.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ombudsman_tracker.formats import date_text


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


# The one map of allowed status changes: a sent submission never changes again.
TRANSITIONS: dict[str, frozenset[str]] = {
    SubmissionStatus.DRAFT: frozenset({SubmissionStatus.SENT}),
    SubmissionStatus.SENT: frozenset(),
}


def sent_file_path(instance, filename):
    return f"submissions/sent/{instance.pk}/{filename}"


class Submission(models.Model):
    """One organisation's evidence on some of its recommendations on one complaint."""

    complaint = models.ForeignKey(
        "recommendations.Complaint", on_delete=models.PROTECT, related_name="submissions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=SubmissionStatus, default=SubmissionStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # Once sent: when, by whom, the redaction confirmation, and the frozen files.
    sent_on = models.DateField("date sent", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    redaction_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    redaction_confirmed_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(
        null=True, blank=True, editable=False, help_text="What the sent files were built from."
    )
    letter_docx = models.FileField(upload_to=sent_file_path, blank=True, max_length=300)
    letter_docx_sha256 = models.CharField("letter (Word) SHA-256", max_length=64, blank=True)
    letter_pdf = models.FileField(upload_to=sent_file_path, blank=True, max_length=300)
    letter_pdf_sha256 = models.CharField("letter (PDF) SHA-256", max_length=64, blank=True)
    evidence_zip = models.FileField(upload_to=sent_file_path, blank=True, max_length=300)
    evidence_zip_sha256 = models.CharField("evidence zip SHA-256", max_length=64, blank=True)
    distribution_entry = models.OneToOneField(
        "reports.DistributionEntry",
        on_delete=models.PROTECT,
        related_name="submission",
        null=True,
        blank=True,
        help_text="The distribution ledger's record of sending it to the Ombudsman.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="draft", sent_on__isnull=True, sent_at__isnull=True)
                    & Q(sent_by__isnull=True, redaction_confirmed_by__isnull=True)
                    & Q(letter_docx="", letter_pdf="", evidence_zip="")
                    & Q(distribution_entry__isnull=True)
                )
                | (
                    Q(status="sent", sent_on__isnull=False, sent_at__isnull=False)
                    & Q(sent_by__isnull=False, distribution_entry__isnull=False)
                    & Q(redaction_confirmed_by__isnull=False)
                    & Q(redaction_confirmed_at__isnull=False)
                    & ~Q(letter_docx="")
                    & ~Q(letter_pdf="")
                    & ~Q(evidence_zip="")
                    & ~Q(letter_docx_sha256="")
                    & ~Q(letter_pdf_sha256="")
                    & ~Q(evidence_zip_sha256="")
                ),
                name="sent_submission_has_its_files_and_confirmation",
            ),
        ]
        permissions = [
            ("prepare_submission", "Can prepare evidence submissions to the Ombudsman"),
            ("send_submission", "Can send evidence submissions to the Ombudsman"),
        ]

    def __str__(self):
        if self.is_sent:
            return f"Evidence on {self.complaint.reference} sent on {date_text(self.sent_on)}"
        return f"Draft evidence submission on {self.complaint.reference}"

    def get_absolute_url(self):
        return reverse("submissions:submission_detail", args=[self.pk])

    @property
    def is_sent(self) -> bool:
        return self.status == SubmissionStatus.SENT


class SubmissionItem(models.Model):
    """A recommendation being reported: what was done, when, and the evidence enclosed."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="items")
    recommendation = models.ForeignKey(
        "recommendations.Recommendation", on_delete=models.PROTECT, related_name="+"
    )
    what_was_done = models.TextField(
        help_text="Goes into the letter: name nobody the Ombudsman's report does not name."
    )
    done_on = models.DateField("date done")
    evidence = models.ManyToManyField("recommendations.Evidence", related_name="+", blank=True)
    history = HistoricalRecords(m2m_fields=[evidence])

    class Meta:
        ordering = ["submission", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "recommendation"], name="one_item_per_recommendation"
            ),
        ]

    def __str__(self):
        return f"Recommendation {self.recommendation.number} in {self.submission}"
