"""Who looked at what: an append-only log of the pages and files that hold case data.

A council's information governance team asks who opened a complaint, an audit case or a
committee report, and when. ``services.view_record`` writes each entry; nothing changes one,
and only ``services.view_log_purge`` removes them, once ``VIEW_LOG_RETENTION_DAYS`` have passed
(on PostgreSQL a trigger refuses any other UPDATE or DELETE: migration 0002).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class ViewKind(models.TextChoices):
    """What was looked at. Each kind but the tracker export is one model's record."""

    COMPLAINT = "complaint", "Complaint"
    AUDIT_PROGRAMME = "audit_programme", "Audit programme"
    AUDIT_CASE = "audit_case", "Audit case"
    AUDIT_OUTCOME = "audit_outcome", "Audit outcome"
    LIVE_CONCERN = "live_concern", "Live concern"
    EVIDENCE = "evidence", "Evidence"
    TRACKER_EXPORT = "tracker_export", "Tracker export"
    COMMITTEE_REPORT = "committee_report", "Committee report"
    MINUTES = "minutes", "Committee minutes"
    POPULATION_UPLOAD = "population_upload", "Population upload"
    LEARNING_ATTACHMENT = "learning_attachment", "Learning attachment"
    EVIDENCE_SUBMISSION = "evidence_submission", "Evidence submission"
    OMBUDSMAN_LETTER = "ombudsman_letter", "The Ombudsman's letter"


class ViewHow(models.TextChoices):
    PAGE = "page", "Opened the page"
    DOWNLOAD = "download", "Downloaded"


class RecordViewQuerySet(models.QuerySet):
    def before(self, at):
        """The entries from before ``at``, strictly: those the purge deletes."""
        return self.filter(at__lt=at)


class RecordView(models.Model):
    """One look at one record (or one tracker export), by one user, at one time.

    The record is a generic reference (content type and id), not a foreign key per kind: an
    access log must outlive the record (CASCADE would delete it with the record, SET_NULL is an
    UPDATE, PROTECT would keep records from being deleted for years), and "who has viewed
    this" is one lookup on the (content type, id, time) index. No copy of the record's text is
    kept: the log must not become a second store of case references.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(
        max_length=150, help_text="As it was at the time, should the account be renamed."
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=(
            "Whose record it is. For a complaint several councils share, the viewer's own; "
            "empty when they see every organisation from outside the councils it binds."
        ),
    )
    kind = models.CharField(max_length=20, choices=ViewKind)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField("record id", null=True, blank=True)
    at = models.DateTimeField("when")
    how = models.CharField(max_length=10, choices=ViewHow, default=ViewHow.PAGE)
    file_format = models.CharField(max_length=20, blank=True, help_text="Of a download.")

    objects = RecordViewQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        # Nobody may be given the right to add, change or delete an entry, even in the admin.
        default_permissions = ["view"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="viewlog_of_record"),
            models.Index(fields=["organisation", "-at"], name="viewlog_of_organisation"),
            models.Index(fields=["at"], name="viewlog_at"),  # the purge
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=ViewKind.TRACKER_EXPORT,
                        content_type__isnull=True,
                        object_id__isnull=True,
                    )
                    | (
                        ~Q(kind=ViewKind.TRACKER_EXPORT)
                        & Q(content_type__isnull=False, object_id__isnull=False)
                    )
                ),
                name="viewlog_record_unless_export",
            ),
            models.CheckConstraint(
                condition=Q(how=ViewHow.DOWNLOAD) | Q(how=ViewHow.PAGE, file_format=""),
                name="viewlog_format_of_downloads_only",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ViewKind.values) & Q(how__in=ViewHow.values),
                name="viewlog_kind_and_how_known",
            ),
        ]

    def __str__(self):
        return f"{self.username}: {self.how_label} of {self.record_label}, {self.at:%Y-%m-%d %H:%M}"

    @property
    def record_label(self) -> str:
        """``Complaint 12``: the kind and id only (see the class docstring)."""
        kind = self.get_kind_display()
        return kind if self.object_id is None else f"{kind} {self.object_id}"

    @property
    def how_label(self) -> str:
        """``Opened the page``, ``Downloaded (PDF)``."""
        if self.how == ViewHow.DOWNLOAD and self.file_format:
            return f"Downloaded ({self.file_format.upper()})"
        return self.get_how_display()

    @property
    def viewer_label(self) -> str:
        """``Morgan Manager (manager)``; select the user with the entry."""
        name = self.user.get_full_name()
        return f"{name} ({self.username})" if name else self.username
