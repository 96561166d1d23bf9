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

from .deadlines import Counting, Unit, describe_rule


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


class DeadlineKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    S31_RESPONSE = "s31_response", "s31(2) response to the Ombudsman"
    S31_CONFIRMATION = "s31_confirmation", "s31(2A)(c) confirmation that action was taken"
    S30_PUBLIC_NOTICE = "s30_notice", "s30(5) public notice"
    S30_INSPECTION = "s30_inspection", "s30(4) public inspection period"
    AUDIT_PROGRAMME = "audit_programme", "Audit programme"
    FULL_AUDIT = "full_audit", "Full audit"
    LIVE_CONCERN = "live_concern", "Live concern awaiting a response"

    @classmethod
    def statutory(cls):
        return [cls.S31_RESPONSE, cls.S31_CONFIRMATION, cls.S30_PUBLIC_NOTICE, cls.S30_INSPECTION]


class Anchor(models.TextChoices):
    REPORT_DATE = "report_date", "the date of the report"
    RECEIVED_DATE = "received_date", "the date the report was received"
    OTHER_DATE = "other_date", "another date"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(models.TextChoices):
    """Compliance as the LGSCO records it, derived from dates; never stored."""

    OPEN = "open", "Open"
    OVERDUE = "overdue", "Overdue"
    COMPLIED_ON_TIME = "on_time", "Complied on time"
    COMPLIED_LATE = "late", "Complied late"
    NOT_COMPLIED = "not_complied", "Not complied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DeadlineStatus.OPEN)

    def overdue(self, *, at: date):
        """Open deadlines whose last day is before ``at`` (as ``Deadline.outcome`` says)."""
        return self.open().filter(due_date__lt=at)

    def due_between(self, *, start: date, end: date):
        return self.open().filter(due_date__gte=start, due_date__lte=end)


class Deadline(models.Model):
    """A date something must be done by: a recommendation's due date or a statutory clock.

    The database is the source of truth for every deadline (reminders are computed from it).
    ``original_due_date`` keeps the first date; extensions move ``due_date`` and are recorded.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="deadlines")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="deadlines"
    )
    kind = models.CharField(max_length=20, choices=DeadlineKind)
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deadlines",
        null=True,
        blank=True,
    )
    counting = models.CharField(max_length=20, choices=Counting, default=Counting.WITHIN)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=20, choices=Unit, blank=True)
    anchor = models.CharField(max_length=20, choices=Anchor, blank=True)
    anchor_date = models.DateField(null=True, blank=True)
    anchor_label = models.CharField(
        max_length=200, blank=True, help_text="What the rule counts from, in words."
    )
    computed_due_date = models.DateField(
        null=True, blank=True, help_text="What the rule gives, before any override or extension."
    )
    override_reason = models.TextField(
        blank=True, help_text="Why the due date differs from what the rule gives."
    )
    original_due_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=DeadlineStatus, default=DeadlineStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["met", "not_met"], completed_on__isnull=False)
                | Q(status__in=["open", "withdrawn"], completed_on__isnull=True),
                name="deadline_completed_on_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(counting="stated") | Q(count__gte=1, anchor_date__isnull=False),
                name="deadline_rule_has_period_and_anchor",
            ),
            models.UniqueConstraint(
                fields=["complaint", "organisation", "kind"],
                condition=Q(kind__in=DeadlineKind.statutory()),
                name="one_statutory_clock_per_organisation",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.title} (due {self.due_date:%-d %b %Y})" if self.due_date else self.title

    @property
    def rule_description(self) -> str:
        return describe_rule(
            count=self.count, unit=self.unit, counting=self.counting, anchor_label=self.anchor_label
        )

    @property
    def is_extended(self) -> bool:
        return self.due_date != self.original_due_date

    @property
    def is_statutory(self) -> bool:
        return self.kind in DeadlineKind.statutory()

    def outcome(self, *, at: date) -> Outcome:
        """Compliance on ``at``: late means completed after the (extended) due date."""
        match self.status:
            case DeadlineStatus.MET:
                if self.completed_on <= self.due_date:
                    return Outcome.COMPLIED_ON_TIME
                return Outcome.COMPLIED_LATE
            case DeadlineStatus.NOT_MET:
                return Outcome.NOT_COMPLIED
            case DeadlineStatus.WITHDRAWN:
                return Outcome.WITHDRAWN
        return Outcome.OVERDUE if self.due_date < at else Outcome.OPEN


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AGREED = "agreed", "Agreed"
    REFUSED = "refused", "Refused"


class ExtensionBasis(models.TextChoices):
    AGREED_IN_WRITING = "agreed_in_writing", "Agreed by the Ombudsman in writing"
    STATED_BY_OMBUDSMAN = "stated_by_ombudsman", "A new date stated by the Ombudsman"
    COMMITTEE_DECISION = "committee_decision", "Decision of a committee of elected members"
    OTHER = "other", "Other (explain in the reason)"


class Extension(models.Model):
    """A request for, or the record of, a later due date. Agreed extensions move the deadline."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    status = models.CharField(max_length=20, choices=ExtensionStatus)
    previous_due_date = models.DateField()
    new_due_date = models.DateField()
    reason = models.TextField()
    basis = models.CharField(max_length=30, choices=ExtensionBasis)
    basis_reference = models.CharField(
        max_length=200, blank=True, help_text="For example the date or reference of the letter."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_date__gt=models.F("previous_due_date")),
                name="extension_moves_date_later",
                violation_error_message="An extension must move the due date later.",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.previous_due_date} to {self.new_due_date}"


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


# The one map of allowed status changes; ``services.recommendation_transition`` enforces it.
TRANSITIONS: dict[str, frozenset[str]] = {
    RecommendationStatus.OPEN: frozenset(
        {
            RecommendationStatus.IN_PROGRESS,
            RecommendationStatus.COMPLIED,
            RecommendationStatus.NOT_COMPLIED,
            RecommendationStatus.WITHDRAWN,
        }
    ),
    RecommendationStatus.IN_PROGRESS: frozenset(
        {
            RecommendationStatus.COMPLIED,
            RecommendationStatus.NOT_COMPLIED,
            RecommendationStatus.WITHDRAWN,
        }
    ),
    RecommendationStatus.COMPLIED: frozenset({RecommendationStatus.IN_PROGRESS}),
    RecommendationStatus.NOT_COMPLIED: frozenset({RecommendationStatus.IN_PROGRESS}),
    RecommendationStatus.WITHDRAWN: frozenset({RecommendationStatus.OPEN}),
}

# What each status means for the recommendation's deadline.
DEADLINE_STATUS_FOR = {
    RecommendationStatus.OPEN: DeadlineStatus.OPEN,
    RecommendationStatus.IN_PROGRESS: DeadlineStatus.OPEN,
    RecommendationStatus.COMPLIED: DeadlineStatus.MET,
    RecommendationStatus.NOT_COMPLIED: DeadlineStatus.NOT_MET,
    RecommendationStatus.WITHDRAWN: DeadlineStatus.WITHDRAWN,
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
        return sorted(TRANSITIONS[self.status])

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


class StatutoryClockRule(models.Model):
    """How a statutory clock is counted. Data, not code: the council's lawyers can change it."""

    kind = models.CharField(max_length=20, choices=DeadlineKind, unique=True)
    count = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=20, choices=Unit)
    counting = models.CharField(max_length=20, choices=Counting)
    anchor = models.CharField(
        max_length=20,
        choices=Anchor,
        help_text="'Another date' means the due date of the clock this one follows.",
    )
    follows = models.CharField(max_length=20, choices=DeadlineKind, blank=True)
    legal_basis = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="recommendation") & ~Q(counting="stated"),
                name="clock_rule_is_statutory_period",
            ),
            models.CheckConstraint(
                condition=Q(anchor="other_date", follows__gt="")
                | (~Q(anchor="other_date") & Q(follows="")),
                name="clock_rule_follows_only_with_other_anchor",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the rows"
    WRITING = "writing", "Recording the recommendations"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class TrackerUpload(models.Model):
    """A spreadsheet tracker uploaded on the import page, checked and imported by a worker.

    The row records how far the import has got, for the upload's page, and then its result:
    the counts, or the problems found. The file is kept under MEDIA_ROOT (never served) only
    until the worker has imported or refused it; its checksum and row count stay.
    """

    IN_PROGRESS = (UploadStatus.QUEUED, UploadStatus.CHECKING, UploadStatus.WRITING)

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
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 checksum", max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    rows_checked = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_checked = models.PositiveBigIntegerField(default=0)
    records_to_write = models.PositiveIntegerField(
        default=0, help_text="The complaints and recommendations to record, once checked."
    )
    records_written = models.PositiveIntegerField(default=0)
    result = models.JSONField(
        default=dict,
        blank=True,
        help_text="When done, the counts; when failed, the problems found in the file.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=UploadStatus.values), name="tracker_upload_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("recommendations:tracker_upload", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

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
