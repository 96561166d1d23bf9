"""The case audit an Ombudsman recommends: population, sample, auditors, outcomes, concerns.

Case references are pseudonymised by the performance team before import; no names, dates of
birth or addresses are ever stored. Changes go through ``audits.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ombudsman_tracker.kept_files import ImportUpload


class PopulationImport(models.Model):
    """One file of cases from the case-management system, as imported."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    cases_created = models.PositiveIntegerField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.file_name} ({self.rows} rows)"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the rows"
    WRITING = "writing", "Adding the cases"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class PopulationUpload(ImportUpload):
    """A population file uploaded on the managers' page, imported by a worker.

    The file holds children's case data: it is kept (under a name the server makes) only while
    the import is in progress, then deleted and ``file`` emptied.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(
        upload_to="population-uploads/%Y/%m/",
        max_length=300,
        blank=True,
        help_text="Empty once the import has finished: the file is deleted then.",
    )
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=UploadStatus.values), name="population_upload_status_valid"
            ),
        ]

    def get_absolute_url(self):
        return reverse("audits:population_upload", args=[self.pk])

    @property
    def progress_percent(self) -> int:
        """Checking is most of the work: it fills the bar to 90%, and writing holds it there."""
        if self.status == UploadStatus.DONE:
            return 100
        if self.status == UploadStatus.WRITING:
            return 90
        if self.status == UploadStatus.CHECKING and self.bytes_total:
            return min(90, self.bytes_checked * 90 // self.bytes_total)
        return 0


class PopulationCase(models.Model):
    """A closed case that may fall within an audit's criteria. Pseudonymised reference only."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="population_cases"
    )
    case_reference = models.CharField("pseudonymised case reference", max_length=50)
    team = models.CharField(max_length=200)
    opened_on = models.DateField()
    closed_on = models.DateField()
    presenting_needs = models.JSONField(default=list, blank=True)
    cross_border = models.BooleanField()
    other_council = models.CharField(max_length=200, blank=True)
    context = models.TextField(blank=True)
    imported_in = models.ForeignKey(
        PopulationImport, on_delete=models.PROTECT, related_name="cases"
    )

    class Meta:
        ordering = ["case_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_reference"], name="population_case_unique"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__gte=models.F("opened_on")),
                name="population_case_closed_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "closed_on"])]

    def __str__(self):
        return self.case_reference


class ProgrammeKind(models.TextChoices):
    SAMPLE = "sample", "Sample audit"
    FULL = "full", "Full audit"


class AuditProgramme(models.Model):
    """An audit that a recommendation asks for: its criteria, sample, threshold and owner."""

    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.PROTECT,
        related_name="audit_programmes",
    )
    kind = models.CharField(max_length=10, choices=ProgrammeKind, default=ProgrammeKind.SAMPLE)
    title = models.CharField(max_length=200)
    triggered_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="full_audit",
        null=True,
        blank=True,
        help_text="The sample audit whose threshold this full audit follows.",
    )
    closed_from = models.DateField("cases closed from")
    closed_to = models.DateField("cases closed up to")
    cross_border_only = models.BooleanField(default=True)
    presenting_needs = models.JSONField(
        default=list, blank=True, help_text="Cases with any of these needs (none: any needs)."
    )
    target_sample_size = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1)]
    )
    threshold_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(25),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="A full audit is needed if MORE than this share of the sample show similar "
        "issues.",
    )
    moderation_percent = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(100)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_audits"
    )
    deadline = models.OneToOneField(
        "deadlines.Deadline",
        on_delete=models.PROTECT,
        related_name="audit_programme",
        null=True,
        blank=True,
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="audit_programmes", blank=True
    )
    # How the sample was drawn, so anyone can redraw it.
    sampling_method = models.CharField(max_length=40, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    population_checksum = models.CharField(max_length=64, blank=True)
    population_size = models.PositiveIntegerField(null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    drawn_at = models.DateTimeField(null=True, blank=True)
    full_audit_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    full_audit_confirmed_at = models.DateTimeField(null=True, blank=True)
    another_audit_reason = models.TextField(
        "why another audit of the recommendation is needed",
        blank=True,
        help_text="A recommendation has one sample audit; a manager who sets up another says "
        "why (empty for the first).",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[auditors])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_to__gte=models.F("closed_from")),
                name="programme_criteria_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(kind="full") | Q(triggered_by__isnull=True),
                name="only_a_full_audit_is_triggered",
            ),
            # Two sample audits of one recommendation would audit (and count) the same cases
            # twice: any after the first carries the reason a manager gave for it.
            models.UniqueConstraint(
                fields=["recommendation"],
                condition=Q(kind="sample", another_audit_reason=""),
                name="one_sample_audit_per_recommendation_unless_explained",
                violation_error_message=(
                    "This recommendation already has an audit: enter why another audit is needed."
                ),
            ),
        ]
        permissions = [
            ("manage_audit", "Can draw samples, assign auditors and settle moderation"),
            ("record_audit_outcome", "Can record audit outcomes for assigned cases"),
            ("import_population", "Can import a case population"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:programme_detail", args=[self.pk])

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class PopulationMember(models.Model):
    """A case in the population a programme's sample was drawn from, frozen at the draw."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(PopulationCase, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "case"], name="population_member_unique")
        ]

    def __str__(self):
        return f"{self.case_id} in programme {self.programme_id}"


class SampleCase(models.Model):
    """A case chosen for audit: drawn at ``position`` in the ranking, or added as a substitute."""

    programme = models.ForeignKey(
        AuditProgramme, on_delete=models.CASCADE, related_name="sample_cases"
    )
    case = models.ForeignKey(PopulationCase, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    substitute_reason = models.TextField(
        blank=True, help_text="Why a similar case stands in for one the criteria did not find."
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_cases",
        null=True,
        blank=True,
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="moderation_cases",
        null=True,
        blank=True,
    )
    settled_similar_issues = models.BooleanField(null=True, blank=True)
    settled_grade = models.CharField(max_length=30, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "case"], name="sample_case_unique"),
            models.UniqueConstraint(
                fields=["programme", "position"], name="sample_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(moderator__isnull=True)
                | Q(auditor__isnull=True)
                | ~Q(moderator=models.F("auditor")),
                name="moderator_is_a_second_auditor",
            ),
        ]

    def __str__(self):
        return f"{self.case} in {self.programme}"

    @property
    def is_substitute(self) -> bool:
        return bool(self.substitute_reason)


# The audit instrument's answers, in the order the outcome form asks them (its error summary
# and the check-your-answers page follow the same order).
OUTCOME_FIELDS = [
    "strategy_discussion_held",
    "days_to_strategy_discussion",
    "agencies_involved",
    "other_council_contacted",
    "other_council_contacted_on",
    "information_shared",
    "child_seen_and_heard",
    "professional_curiosity",
    "lead_council_decided",
    "grade",
    "similar_issues",
    "findings",
    "learning",
]


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "n/a", "Not applicable"


class Grade(models.TextChoices):
    """The Ofsted scale."""

    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class OutcomeRole(models.TextChoices):
    AUDIT = "audit", "Audit"
    MODERATION = "moderation", "Moderation"


class OutcomeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class AuditOutcome(models.Model):
    """One auditor's answers for one case. Submitted outcomes are locked until reopened."""

    sample_case = models.ForeignKey(SampleCase, on_delete=models.CASCADE, related_name="outcomes")
    role = models.CharField(max_length=12, choices=OutcomeRole, default=OutcomeRole.AUDIT)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=OutcomeStatus, default=OutcomeStatus.DRAFT)
    strategy_discussion_held = models.CharField(
        "Was a strategy discussion held when the threshold was met?",
        max_length=3,
        choices=Answer,
        blank=True,
    )
    agencies_involved = models.JSONField("Which agencies were involved?", default=list, blank=True)
    other_council_contacted = models.CharField(
        "Was the other council contacted?", max_length=3, choices=Answer, blank=True
    )
    other_council_contacted_on = models.DateField(
        "When was the other council contacted?", null=True, blank=True
    )
    information_shared = models.CharField(
        "Was information shared across the border?", max_length=3, choices=Answer, blank=True
    )
    child_seen_and_heard = models.CharField(
        "Was the child seen and heard?", max_length=3, choices=Answer, blank=True
    )
    professional_curiosity = models.CharField(
        "Is there evidence of professional curiosity?", max_length=3, choices=Answer, blank=True
    )
    lead_council_decided = models.CharField(
        "Was it decided which council leads?", max_length=3, choices=Answer, blank=True
    )
    days_to_strategy_discussion = models.PositiveIntegerField(
        "Days from referral to strategy discussion", null=True, blank=True
    )
    grade = models.CharField("Overall grade", max_length=30, choices=Grade, blank=True)
    similar_issues = models.BooleanField(
        "Similar issues to the Ombudsman's case?", null=True, blank=True
    )
    findings = models.TextField(blank=True)
    learning = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample_case", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample_case", "role"], name="one_outcome_per_case_and_role"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(similar_issues__isnull=False, submitted_at__isnull=False) & ~Q(grade=""),
                name="submitted_outcome_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} of {self.sample_case}"

    @property
    def is_locked(self) -> bool:
        return self.status == OutcomeStatus.SUBMITTED


class LiveConcern(models.Model):
    """A child at risk now, found during an audit: raised at once, kept out of the figures."""

    sample_case = models.ForeignKey(
        SampleCase, on_delete=models.PROTECT, related_name="live_concerns"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    raised_at = models.DateTimeField()
    concern = models.TextField()
    team_manager_email = models.EmailField()
    emailed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the email to the team manager was sent (by the outbox: see "
        "audits.jobs); empty while it waits, or if it could not be sent.",
    )
    deadline = models.OneToOneField(
        "deadlines.Deadline", on_delete=models.PROTECT, related_name="live_concern"
    )
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return f"Live concern on {self.sample_case.case}"

    def get_absolute_url(self):
        return reverse("audits:concern_detail", args=[self.pk])
