"""Deadlines and statutory clocks: the dates every other app's work runs to.

A ``Deadline`` belongs to a complaint and one organisation it binds. It is made, moved and
closed only through ``deadlines.services``; the arithmetic is in ``deadlines.arithmetic``.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ombudsman_tracker.formats import short_date_text

from .arithmetic import Counting, Unit, describe_rule


class DeadlineKind(models.TextChoices):
    RECOMMENDATION = "recommendation", "Recommendation"
    S31_RESPONSE = "s31_response", "s31(2) response to the Ombudsman"
    S31_CONFIRMATION = "s31_confirmation", "s31(2A)(c) confirmation that action was taken"
    S30_PUBLIC_NOTICE = "s30_notice", "s30(5) public notice"
    S30_INSPECTION = "s30_inspection", "s30(4) public inspection period"
    AUDIT_PROGRAMME = "audit_programme", "Audit programme"
    FULL_AUDIT = "full_audit", "Full audit"
    LIVE_CONCERN = "live_concern", "Live concern awaiting a response"
    MILESTONE = "milestone", "Action plan milestone"
    REMEDY_PAYMENT = "remedy_payment", "Remedy payment"
    OMBUDSMAN_REPLY = "ombudsman_reply", "The Ombudsman's reply to evidence sent"

    @classmethod
    def statutory(cls):
        return [cls.S31_RESPONSE, cls.S31_CONFIRMATION, cls.S30_PUBLIC_NOTICE, cls.S30_INSPECTION]


COUNCIL_SET_KINDS = frozenset(
    {
        DeadlineKind.AUDIT_PROGRAMME,
        DeadlineKind.FULL_AUDIT,
        DeadlineKind.LIVE_CONCERN,
        DeadlineKind.MILESTONE,
    }
)


class Anchor(models.TextChoices):
    REPORT_DATE = "report_date", "the date of the report"
    RECEIVED_DATE = "received_date", "the date the report was received"
    OTHER_DATE = "other_date", "another date"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # The work was done and its evidence sent (``completed_on``) to an ombudsman, whose verdict
    # decides whether it is met: neither open (so not chased, nor ever overdue) nor met.
    AWAITING = "awaiting", "Evidence sent, awaiting the Ombudsman"


class Outcome(models.TextChoices):
    """Compliance as the LGSCO records it, derived from dates; never stored."""

    OPEN = "open", "Open"
    OVERDUE = "overdue", "Overdue"
    COMPLIED_ON_TIME = "on_time", "Complied on time"
    COMPLIED_LATE = "late", "Complied late"
    NOT_COMPLIED = "not_complied", "Not complied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    # Evidence sent, the Ombudsman not yet satisfied: not complied for the figures, never
    # overdue (``deadlines.compliance`` counts it as due, not complied, once its date passes).
    AWAITING = "awaiting", "Evidence sent, awaiting the Ombudsman"


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

    complaint = models.ForeignKey(
        "recommendations.Complaint", on_delete=models.CASCADE, related_name="deadlines"
    )
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
                condition=Q(status__in=["met", "not_met", "awaiting"], completed_on__isnull=False)
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
        indexes = [
            models.Index(fields=["status", "due_date"]),
            # Lists soonest due first read a page from here, not every row sorted.
            models.Index(fields=["due_date", "id"], name="deadline_soonest_due"),
        ]

    def __str__(self):
        return (
            f"{self.title} (due {short_date_text(self.due_date)})" if self.due_date else self.title
        )

    def get_absolute_url(self):
        """The page of the record the deadline belongs to, where its work is done: the
        recommendation, audit programme or live concern that holds it by a one-to-one field
        (each has its own ``get_absolute_url``). Statutory clocks, and a deadline nothing holds,
        are shown on their complaint's page.

        Generic, so that deadlines know nothing of the apps built on them. Select the holders
        with the deadline (``select_related("recommendation", "audit_programme", ...)``) and
        this runs no query; otherwise it runs one, for all of them.
        """
        if not self.is_statutory:
            holders = [rel for rel in self._meta.related_objects if rel.one_to_one]
            self._holders_fetch(holders)
            for rel in holders:
                holder = rel.get_cached_value(self)
                if holder is not None:
                    return holder.get_absolute_url()
        return reverse("recommendations:complaint_detail", args=[self.complaint_id])

    def _holders_fetch(self, holders) -> None:
        """Cache the ``holders`` not selected with the deadline (None for those it has not)."""
        missing = [rel for rel in holders if not rel.is_cached(self)]
        if not missing:
            return
        fetched = (
            type(self)
            ._base_manager.select_related(*(rel.get_accessor_name() for rel in missing))
            .filter(pk=self.pk)
            .first()
        )
        for rel in missing:
            rel.set_cached_value(self, rel.get_cached_value(fetched) if fetched else None)

    @property
    def rule_description(self) -> str:
        """How the date was reached. A stated date is the Ombudsman's only on a recommendation
        or a statutory clock: the council sets its audits' and live concerns' dates itself."""
        if self.counting == Counting.STATED and self.kind in COUNCIL_SET_KINDS:
            return "A date set by the council"
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
            case DeadlineStatus.AWAITING:
                return Outcome.AWAITING
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


class StatutoryClockRule(models.Model):
    """How a statutory clock is counted. Data, not code: the council's lawyers can change it."""

    kind = models.CharField(max_length=20, choices=DeadlineKind, unique=True)
    count = models.PositiveSmallIntegerField()
    unit = models.CharField(max_length=20, choices=Unit)
    counting = models.CharField(
        max_length=20,
        choices=Counting,
        help_text=(
            "'A period beginning with a date' makes that date the period's first day; "
            "'beginning with the day after' starts it the next day. s31(2A)(c) (\"beginning with "
            "the end of the period so allowed\") can be read either way: the council's lawyers "
            "choose. A change applies to clocks made after it; those made before keep their rule."
        ),
    )
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

    @property
    def anchor_label(self) -> str:
        """What the rule counts from, in words: for a clock that follows another, the end of
        the period allowed for that one (its due date)."""
        if self.anchor == Anchor.OTHER_DATE:
            return f"the end of the period allowed for the {DeadlineKind(self.follows).label}"
        return Anchor(self.anchor).label

    @property
    def rule_description(self) -> str:
        return describe_rule(
            count=self.count, unit=self.unit, counting=self.counting, anchor_label=self.anchor_label
        )


# --- Which compliance rate leads ------------------------------------------------------------


class ComplianceRate(models.TextChoices):
    """The two compliance rates (``deadlines.compliance`` computes them). Whether the LGSCO's
    annual letter counts a remedy completed late as complied is unverified: it appears to,
    reporting the lateness beside the rate. So both are shown, and each council chooses which
    leads."""

    IMPLEMENTED = "implemented", "Implemented, late or not"
    ON_TIME = "on_time", "Implemented on time"


class ComplianceSettingsQuerySet(models.QuerySet):
    def lead_for(self, organisation) -> ComplianceRate:
        """The rate ``organisation`` (or its id) leads with: the LGSCO's reading where it
        chose none, or where there is no organisation to ask (None)."""
        if organisation is None:
            return ComplianceRate.IMPLEMENTED
        lead = self.filter(organisation=organisation).values_list("lead_rate", flat=True).first()
        return ComplianceRate(lead or ComplianceRate.IMPLEMENTED)


class ComplianceSettings(models.Model):
    """An organisation's choice of the compliance rate it leads with: first on the dashboard,
    in committee reports and in their CSV tables. One row per organisation at most; none means
    the LGSCO's reading. Its administrators change it in the administration site."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="compliance_settings",
    )
    lead_rate = models.CharField(
        "rate that leads",
        max_length=20,
        choices=ComplianceRate,
        default=ComplianceRate.IMPLEMENTED,
        help_text=(
            "Shown first on the dashboard and in committee reports; the other is shown beside "
            "it. 'Implemented, late or not' is how the Ombudsman's annual letter appears to "
            "count compliance (unverified), with lateness reported beside it. Reports already "
            "issued keep the order they were issued with."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = ComplianceSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "compliance settings"
        verbose_name_plural = "compliance settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_rate__in=ComplianceRate.values), name="compliance_lead_rate_known"
            )
        ]

    def __str__(self):
        return f"Compliance settings of {self.organisation}"
