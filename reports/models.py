"""Committee reports, the bodies they go to, and the ledger of what each body received.

An issued report is frozen: its files, their SHA-256 checksums and the content they were built
from never change. A later change to the data gives a new version. Every change goes through
``reports.services``; models hold facts about their own row.
"""

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ombudsman_tracker.formats import date_text


class BodyKind(models.TextChoices):
    COUNCIL = "council", "Full Council"
    CABINET = "cabinet", "Cabinet"
    COMMITTEE = "committee", "Committee of elected members"
    BOARD = "board", "Board"
    PARTNERSHIP = "partnership", "Partnership"
    OMBUDSMAN = "ombudsman", "Ombudsman"
    OTHER = "other", "Other"


class BodyQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        """The organisation's own bodies and those every organisation shares (the LGSCO)."""
        return self.filter(
            Q(organisation=organisation) | Q(organisation__isnull=True), is_active=True
        )


class Body(models.Model):
    """A body that receives the council's outputs: a committee, a board, the Ombudsman.

    A body belongs to one organisation (its own committees), or to none: then every
    organisation may use it (the standard bodies seeded by a migration, and the LGSCO).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="bodies",
        null=True,
        blank=True,
        help_text="Leave empty for a body every organisation may use.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BodyKind)
    is_active = models.BooleanField(
        "in use", default=True, help_text="Bodies no longer in use are not offered."
    )
    history = HistoricalRecords()

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "bodies"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="body_name_unique_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(organisation__isnull=True),
                name="shared_body_name_unique",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_ombudsman(self) -> bool:
        return self.kind == BodyKind.OMBUDSMAN


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


# The one map of allowed status changes: an issued report never changes again.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.DRAFT: frozenset({ReportStatus.ISSUED}),
    ReportStatus.ISSUED: frozenset(),
}

DEFAULT_RECOMMENDATION = (
    "The committee is asked to note the progress made on the Ombudsman's recommendations, "
    "the position of the statutory deadlines and the findings of the case audit so far, and "
    "to agree the next steps set out in this report."
)


def issued_file_path(instance, filename):
    return f"reports/issued/{instance.pk}/{filename}"


class CommitteeReport(models.Model):
    """A clerk's progress report on one or more complaints, for a body's meeting.

    A draft is built from the data each time it is opened (its Word and PDF files are laid out
    once for each thing it says: ``reports.drafts``). Issuing it stores the Word and PDF
    files, their checksums and the content they were built from, with who issued it and when,
    and gives it the next version number for its complaints, body and meeting.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="committee_reports"
    )
    complaints = models.ManyToManyField(
        "recommendations.Complaint", related_name="committee_reports"
    )
    # The sorted complaint ids ("3,12"): the key the version number counts within.
    complaints_key = models.CharField(max_length=200, editable=False)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="reports")
    meeting_date = models.DateField("date of the meeting")
    asked_to = models.TextField("what the committee is asked to do", default=DEFAULT_RECOMMENDATION)
    status = models.CharField(max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT)
    version_number = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    position_at = models.DateField(
        "position as at", null=True, blank=True, help_text="The date the figures were taken."
    )
    content = models.JSONField(
        null=True, blank=True, editable=False, help_text="What the issued files were built from."
    )
    docx = models.FileField(upload_to=issued_file_path, blank=True, max_length=300)
    docx_sha256 = models.CharField("Word file SHA-256", max_length=64, blank=True)
    pdf = models.FileField(upload_to=issued_file_path, blank=True, max_length=300)
    pdf_sha256 = models.CharField("PDF file SHA-256", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[complaints])

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="draft", version_number__isnull=True, issued_at__isnull=True)
                    & Q(issued_by__isnull=True, docx="", pdf="")
                )
                | (
                    Q(status="issued", version_number__gte=1, issued_at__isnull=False)
                    & Q(issued_by__isnull=False, position_at__isnull=False)
                    & ~Q(docx="")
                    & ~Q(pdf="")
                    & ~Q(docx_sha256="")
                    & ~Q(pdf_sha256="")
                ),
                name="issued_report_has_its_files",
            ),
            models.UniqueConstraint(
                fields=["organisation", "complaints_key", "body", "meeting_date", "version_number"],
                name="one_version_number_per_meeting",
            ),
        ]
        permissions = [
            ("generate_report", "Can prepare and preview committee reports"),
            ("issue_report", "Can issue committee reports"),
        ]

    def __str__(self):
        what = f"version {self.version_number}" if self.is_issued else "draft"
        return f"Report to {self.body} on {date_text(self.meeting_date)} ({what})"

    def get_absolute_url(self):
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def is_issued(self) -> bool:
        return self.status == ReportStatus.ISSUED


def minutes_upload_to(instance, filename):
    # As evidence: a random folder, the name made by ``services.distribution_record``.
    return f"reports/minutes/{instance.complaint_id}/{secrets.token_hex(16)}/{filename}"


class DistributionEntry(models.Model):
    """One output going to one body: what went, the meeting, its agenda item and resolution.

    An entry to the Ombudsman is the council's s31(2) response: recording it completes that
    organisation's s31(2) clock for the complaint.
    """

    complaint = models.ForeignKey(
        "recommendations.Complaint", on_delete=models.PROTECT, related_name="distribution"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="distribution")
    report = models.ForeignKey(
        CommitteeReport,
        on_delete=models.PROTECT,
        related_name="distribution",
        null=True,
        blank=True,
        help_text="The issued report that was presented, if any.",
    )
    what_was_sent = models.TextField("what was sent or presented")
    meeting = models.CharField(
        max_length=200, blank=True, help_text="For example 'Extraordinary meeting'."
    )
    meeting_date = models.DateField("date of the meeting, or the date sent")
    agenda_item = models.CharField(max_length=100, blank=True)
    resolution = models.TextField(blank=True)
    minutes = models.FileField(upload_to=minutes_upload_to, blank=True, max_length=300)
    minutes_sha256 = models.CharField("minutes SHA-256", max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_date", "pk"]
        verbose_name_plural = "distribution entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes="", minutes_sha256="")
                | (~Q(minutes="") & ~Q(minutes_sha256="")),
                name="minutes_have_a_checksum",
            ),
        ]

    def __str__(self):
        return f"{self.complaint.reference} to {self.body} on {date_text(self.meeting_date)}"

    def is_planned(self, *, on: date) -> bool:
        """Whether the meeting is still to come on ``on``: it is recorded as planned, and its
        resolution and minutes only once it has taken place."""
        return self.meeting_date > on

    def resolution_text(self, *, on: date) -> str:
        """The resolution, or why there is none on ``on``."""
        if self.resolution:
            return self.resolution
        if self.is_planned(on=on):
            return f"Resolution due after the meeting on {date_text(self.meeting_date)}"
        return "Not recorded"

    def awaits_outcome(self, *, on: date) -> bool:
        """Whether the meeting has taken place by ``on`` and its resolution or minutes are still
        to be recorded (a letter to the Ombudsman has neither)."""
        if self.body.is_ombudsman or self.is_planned(on=on):
            return False
        return not (self.resolution and self.minutes)
