"""Complaints, the recommendations the Ombudsman made, and the deadlines they run to.

Every change goes through ``recommendations.services``; models hold facts about their own row.
"""

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from deadlines.models import Deadline, DeadlineStatus, Outcome
from ombudsman_tracker.kept_files import ImportUpload


class Ombudsman(models.Model):
    """The LGSCO, and others as data (the Housing Ombudsman, the PHSO)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "ombudsmen"

    def __str__(self):
        return self.short_name


class Finding(models.TextChoices):
    FAULT_WITH_INJUSTICE = "fault_injustice", "Fault with injustice"
    FAULT = "fault", "Fault"
    NO_FAULT = "no_fault", "No fault"


class Complaint(models.Model):
    """The Ombudsman's case. One complaint can bind several councils (cross-border)."""

    ombudsman = models.ForeignKey(Ombudsman, on_delete=models.PROTECT, related_name="complaints")
    reference = models.CharField("Ombudsman's reference", max_length=50)
    title = models.CharField(max_length=200)
    service_area = models.CharField(max_length=200, blank=True)
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        related_name="complaints",
        verbose_name="organisations bound",
    )
    finding = models.CharField(max_length=20, choices=Finding)
    is_public_interest_report = models.BooleanField("public interest report", default=False)
    report_date = models.DateField("date of the report")
    received_date = models.DateField("date received", null=True, blank=True)
    summary = models.TextField(
        blank=True,
        help_text="Pseudonymised: never a child's or family member's name.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        ordering = ["-report_date", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["ombudsman", "reference"], name="complaint_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(received_date__isnull=True)
                | Q(received_date__gte=models.F("report_date")),
                name="complaint_received_after_report",
                violation_error_message="The date received cannot be before the report date.",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("recommendations:complaint_detail", args=[self.pk])


class RecommendationKind(models.TextChoices):
    PERSONAL_REMEDY = "personal_remedy", "Personal remedy"
    SERVICE_IMPROVEMENT = "service_improvement", "Service improvement"
    LEARNING = "learning", "Learning"
    AUDIT = "audit", "Audit"
    COMMITTEE_CONSIDERATION = "committee", "Committee consideration"
    STATUTORY_RESPONSE = "statutory_response", "Statutory response"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLIED = "complied", "Complied"
    NOT_COMPLIED = "not_complied", "Not complied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    AWAITING_OMBUDSMAN = "awaiting_ombudsman", "Evidence sent, awaiting the Ombudsman"


# Reached and left only from the Ombudsman's correspondence (``verdicts.services``: evidence
# sent, then the Ombudsman's verdict), never from the status page or a tracker import.
OMBUDSMAN_DECIDES = frozenset({RecommendationStatus.AWAITING_OMBUDSMAN})

# The one map of allowed status changes; ``services.recommendation_transition`` enforces it.
TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.OPEN: frozenset(
        {
            RecommendationStatus.IN_PROGRESS,
            RecommendationStatus.COMPLIED,
            RecommendationStatus.NOT_COMPLIED,
            RecommendationStatus.WITHDRAWN,
            RecommendationStatus.AWAITING_OMBUDSMAN,
        }
    ),
    RecommendationStatus.IN_PROGRESS: frozenset(
        {
            RecommendationStatus.COMPLIED,
            RecommendationStatus.NOT_COMPLIED,
            RecommendationStatus.WITHDRAWN,
            RecommendationStatus.AWAITING_OMBUDSMAN,
        }
    ),
    # The Ombudsman's verdict: satisfied, not satisfied (with what to do next), further report.
    RecommendationStatus.AWAITING_OMBUDSMAN: frozenset(
        {
            RecommendationStatus.COMPLIED,
            RecommendationStatus.IN_PROGRESS,
            RecommendationStatus.NOT_COMPLIED,
        }
    ),
    # Evidence sent after a recommendation was marked complied or not complied: the
    # Ombudsman's verdict decides it again.
    RecommendationStatus.COMPLIED: frozenset(
        {RecommendationStatus.IN_PROGRESS, RecommendationStatus.AWAITING_OMBUDSMAN}
    ),
    RecommendationStatus.NOT_COMPLIED: frozenset(
        {RecommendationStatus.IN_PROGRESS, RecommendationStatus.AWAITING_OMBUDSMAN}
    ),
    RecommendationStatus.WITHDRAWN: frozenset({RecommendationStatus.OPEN}),
}

# What each status means for the recommendation's deadline.
DEADLINE_STATUS_FOR = {
    RecommendationStatus.OPEN: DeadlineStatus.OPEN,
    RecommendationStatus.IN_PROGRESS: DeadlineStatus.OPEN,
    RecommendationStatus.COMPLIED: DeadlineStatus.MET,
    RecommendationStatus.NOT_COMPLIED: DeadlineStatus.NOT_MET,
    RecommendationStatus.WITHDRAWN: DeadlineStatus.WITHDRAWN,
    RecommendationStatus.AWAITING_OMBUDSMAN: DeadlineStatus.AWAITING,
}


class Recommendation(models.Model):
    """What the Ombudsman told one organisation to do, by when, and with what evidence."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="recommendations"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField(help_text="Its number in the Ombudsman's report.")
    text = models.TextField("recommendation")
    kind = models.CharField(max_length=30, choices=RecommendationKind)
    expected_evidence = models.TextField(
        "evidence the Ombudsman expects",
        help_text="The recommendation cannot be marked complied without evidence.",
    )
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="recommendation"
    )
    status = models.CharField(
        max_length=20, choices=RecommendationStatus, default=RecommendationStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["complaint", "organisation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "organisation", "number"],
                name="recommendation_number_unique",
            ),
        ]
        permissions = [
            ("change_recommendation_status", "Can change a recommendation's status"),
            ("request_extension", "Can request an extension"),
            ("decide_extension", "Can record or decide an extension"),
            ("import_tracker", "Can import a spreadsheet tracker"),
            ("export_tracker", "Can export the tracker"),
        ]

    def __str__(self):
        return f"{self.complaint.reference} recommendation {self.number} ({self.organisation})"

    def get_absolute_url(self):
        return reverse("recommendations:recommendation_detail", args=[self.pk])

    @property
    def allowed_statuses(self) -> list[str]:
        """The statuses a user may choose on the status page: none while the Ombudsman's
        verdict is awaited, which only that verdict changes."""
        if self.status in OMBUDSMAN_DECIDES:
            return []
        return sorted(TRANSITIONS[self.status] - OMBUDSMAN_DECIDES)

    @property
    def is_awaiting_ombudsman(self) -> bool:
        return self.status == RecommendationStatus.AWAITING_OMBUDSMAN

    def outcome(self, *, at: date) -> Outcome:
        return self.deadline.outcome(at=at)


def evidence_upload_to(instance, filename):
    # A folder of its own under a random name: the file keeps the name shown and downloaded
    # (``services.evidence_add`` makes it, with the extension of what the file really is).
    return f"evidence/{instance.recommendation_id}/{secrets.token_hex(16)}/{filename}"


class Evidence(models.Model):
    """A file or a link showing what was done. Files keep a SHA-256 checksum."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="evidence"
    )
    description = models.CharField(max_length=300)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    url = models.URLField("link", blank=True, max_length=500)
    sha256 = models.CharField("SHA-256 checksum", max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidence_is_a_file_or_a_link",
                violation_error_message="Evidence is either a file or a link.",
            ),
        ]

    def __str__(self):
        return self.description


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the rows"
    WRITING = "writing", "Recording the recommendations"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class TrackerUpload(ImportUpload):
    """A spreadsheet tracker uploaded on the import page, checked and imported by a worker."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The uploader's organisation, whose importers follow the import. Blank when "
        "the uploader sees every organisation: the file may hold any council's rows.",
    )
    file = models.FileField(upload_to="tracker-uploads/%Y/%m/", max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    records_to_write = models.PositiveIntegerField(
        default=0, help_text="The complaints and recommendations to record, once checked."
    )
    records_written = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=UploadStatus.values), name="tracker_upload_status_valid"
            ),
        ]

    def get_absolute_url(self):
        return reverse("recommendations:tracker_upload", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        """Checking is quick and fills a tenth of the bar; recording the rows is most of it."""
        if self.status == UploadStatus.DONE:
            return 100
        if self.status == UploadStatus.WRITING:
            if not self.records_to_write:
                return 10
            return min(99, 10 + self.records_written * 90 // self.records_to_write)
        if self.status == UploadStatus.CHECKING and self.bytes_total:
            return min(10, self.bytes_checked * 10 // self.bytes_total)
        return 0
