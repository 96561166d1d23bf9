"""The learning programme: what a recommendation asks staff to learn, who it must reach, and
who it has reached.

A ``LearningPoint`` belongs to a recommendation (and so to its organisation). Its text is
versioned: each ``LearningPointVersion`` is kept as published, and publishing a new one means
everyone must acknowledge again. The people it must reach are in ``Audience``s (teams or roles
of the organisation and its partner agencies); most ``Person``s are not users of the app, and
acknowledge through a ``PersonalLink`` emailed to them (``LinkEmail``), or by attending a
``DeliverySession``. A ``FollowUpCheck`` asks, months later, whether the learning stuck.

Every change goes through ``learning.services``; models hold facts about their own row.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Audience(models.Model):
    """A team or role the learning must reach, in the organisation or a partner agency
    ("Front door (MASH)", "Police child abuse investigation team", "Health safeguarding")."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    agency = models.CharField(
        max_length=200,
        blank=True,
        help_text="The partner agency it belongs to, if not the organisation itself.",
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="learning_audience_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.agency})" if self.agency else self.name

    def get_absolute_url(self):
        return reverse("learning:audience_detail", args=[self.pk])


class Person(models.Model):
    """Someone a learning point must reach. Only what reaching them needs is kept: a name, a
    work email and their teams (these are staff, never children or families)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("work email", help_text="Kept in lower case.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text="Set when they use the app: they then acknowledge in the app as well.",
    )
    audiences = models.ManyToManyField(Audience, related_name="people", blank=True)
    added_on = models.DateField(help_text="When they joined the audience lists.")
    left_on = models.DateField(
        null=True,
        blank=True,
        help_text="When they left: from then on they are out of every coverage figure.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[audiences])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="learning_person_email_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(user__isnull=False),
                name="learning_person_user_unique",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="learning_person_email_lower_case"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("added_on")),
                name="learning_person_left_after_added",
                violation_error_message="The date they left cannot be before they were added.",
            ),
        ]

    def __str__(self):
        return self.name


class LearningPoint(models.Model):
    """What a recommendation asks staff to learn ("share the learning"), and who must learn it."""

    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.PROTECT,
        related_name="learning_points",
    )
    title = models.CharField(max_length=200)
    audiences = models.ManyToManyField(
        Audience,
        related_name="learning_points",
        blank=True,
        help_text="The teams and roles it must reach.",
    )
    current_version = models.ForeignKey(
        "LearningPointVersion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The version people must acknowledge: set by publishing one.",
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[audiences])

    class Meta:
        ordering = ["recommendation", "pk"]
        permissions = [
            ("see_coverage", "Can see who a learning point has reached, by name"),
            ("send_learning_links", "Can email the personal links"),
            ("send_learning_reminders", "Can remind those who have not acknowledged"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("learning:point_detail", args=[self.pk])


class LearningPointVersion(models.Model):
    """The text of a learning point as published. Kept as it was: people acknowledge a
    version, so a new version asks everyone again."""

    learning_point = models.ForeignKey(
        LearningPoint, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    change_note = models.CharField(
        "what changed", max_length=300, blank=True, help_text="Blank for the first version."
    )
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["learning_point", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["learning_point", "number"], name="learning_version_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="learning_version_from_1"),
        ]

    def __str__(self):
        return f"{self.learning_point} (version {self.number})"


def attachment_upload_to(instance, filename):
    # A folder of its own under a random name, as evidence files have (``services``).
    return f"learning/{instance.learning_point_id}/{secrets.token_hex(16)}/{filename}"


class LearningAttachment(models.Model):
    """A file that goes with a learning point (a briefing note, slides), checksummed."""

    learning_point = models.ForeignKey(
        LearningPoint, on_delete=models.PROTECT, related_name="attachments"
    )
    description = models.CharField(max_length=300)
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    sha256 = models.CharField("SHA-256 checksum", max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self):
        return self.description


class SessionFormat(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ONLINE = "online", "Online"
    E_LEARNING = "e_learning", "E-learning"
    BRIEFING_NOTE = "briefing_note", "Briefing note"


class DeliverySession(models.Model):
    """A session that delivered a version of a learning point, and who attended."""

    learning_point = models.ForeignKey(
        LearningPoint, on_delete=models.PROTECT, related_name="sessions"
    )
    delivered_version = models.ForeignKey(
        LearningPointVersion,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text="The version current when the session was recorded.",
    )
    held_on = models.DateField("date")
    format = models.CharField(max_length=20, choices=SessionFormat)
    facilitator = models.CharField(max_length=200)
    audiences = models.ManyToManyField(Audience, related_name="sessions", blank=True)
    attendees = models.ManyToManyField(Person, related_name="sessions_attended", blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[audiences, attendees])

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=SessionFormat.values), name="learning_session_format_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_format_display()} on {self.held_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("learning:session_detail", args=[self.pk])


class AcknowledgementHow(models.TextChoices):
    LINK = "link", "Personal link"
    APP = "app", "In the app"
    SESSION = "session", "Attended a session"


class Acknowledgement(models.Model):
    """That a person has read a version of a learning point: once per person per version."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="acknowledgements")
    learning_version = models.ForeignKey(
        LearningPointVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    at = models.DateTimeField()
    how = models.CharField(max_length=10, choices=AcknowledgementHow)
    session = models.ForeignKey(
        DeliverySession,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Blank when the person acknowledged through their personal link.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "learning_version"], name="learning_acknowledged_once"
            ),
            models.CheckConstraint(
                condition=Q(how="session", session__isnull=False)
                | (Q(how__in=["link", "app"]) & Q(session__isnull=True)),
                name="learning_acknowledgement_session_when_attended",
            ),
        ]

    def __str__(self):
        return f"{self.person} acknowledged {self.learning_version}"


class PersonalLink(models.Model):
    """A person's link to acknowledge one version, used once. Each email signs it afresh
    (``learning.links``), so a reminder's link runs from the reminder."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    learning_version = models.ForeignKey(
        LearningPointVersion, on_delete=models.PROTECT, related_name="links"
    )
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "learning_version"], name="learning_one_link_per_version"
            ),
        ]

    def __str__(self):
        return f"Link for {self.person} to {self.learning_version}"


class LinkEmailKind(models.TextChoices):
    INVITATION = "invitation", "Personal link"
    REMINDER = "reminder", "Reminder"


class LinkEmail(models.Model):
    """An email of a personal link, asked for on a day. The constraints are what stop a double
    click or a retried job from sending a second: one invitation per link, and one email of a
    kind per link a day. ``sent_at`` is set when the job claims it (``learning.jobs``)."""

    link = models.ForeignKey(PersonalLink, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=10, choices=LinkEmailKind)
    on = models.DateField("day asked for")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "kind", "on"], name="learning_one_link_email_a_day"
            ),
            models.UniqueConstraint(
                fields=["link"],
                condition=Q(kind="invitation"),
                name="learning_one_invitation_per_link",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.link.person} on {self.on}"


class CheckKind(models.TextChoices):
    RE_AUDIT = "re_audit", "Re-audit"
    KNOWLEDGE_CHECK = "knowledge_check", "Knowledge check"


class CheckResult(models.TextChoices):
    STUCK = "stuck", "The learning stuck"
    PARTLY = "partly", "The learning partly stuck"
    NOT_STUCK = "not_stuck", "The learning did not stick"


class FollowUpCheck(models.Model):
    """A re-audit or knowledge check some months after delivery: did the learning stick?

    Its date is a milestone of the recommendation's action plan (``plans.services``), so the
    plan's timeline shows it and its owner is reminded as of any deadline; recording the
    result completes the milestone. Held by a unique foreign key.
    """

    learning_point = models.ForeignKey(
        LearningPoint, on_delete=models.PROTECT, related_name="follow_up_checks"
    )
    kind = models.CharField(max_length=20, choices=CheckKind)
    delivered_on = models.DateField(help_text="When the learning was delivered.")
    interval_months = models.PositiveSmallIntegerField(
        help_text="How many months after delivery to check."
    )
    milestone = models.ForeignKey("plans.Milestone", on_delete=models.PROTECT, related_name="+")
    audit_programme = models.ForeignKey(
        "audits.AuditProgramme",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The re-audit that checks it, if it is one.",
    )
    result = models.CharField(max_length=20, choices=CheckResult, blank=True)
    result_notes = models.TextField("what the check found", blank=True)
    result_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    result_recorded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["delivered_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["milestone"], name="learning_check_milestone_unique"),
            models.CheckConstraint(
                condition=Q(interval_months__gte=1, interval_months__lte=36),
                name="learning_check_interval_1_to_36_months",
            ),
            models.CheckConstraint(
                condition=Q(result="", result_recorded_on__isnull=True)
                | (~Q(result="") & Q(result_recorded_on__isnull=False)),
                name="learning_check_result_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.learning_point}"

    def get_absolute_url(self):
        return reverse("learning:point_detail", args=[self.learning_point_id])

    @property
    def deadline(self):
        """The milestone's deadline: the check's due date and owner."""
        return self.milestone.deadline
