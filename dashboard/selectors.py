"""Reads behind the managers' dashboard, scoped to the user, in a fixed number of queries.

Built on ``recommendations.selectors`` (what a user may see) and the model querysets (what
open means). Figures are counted in SQL, one grouped query each, then added up by the pure
functions in ``deadlines.compliance`` and ``dashboard.compliance``; a test checks the SQL
buckets agree with ``Deadline.outcome`` row by row. The compliance figures and the quarterly
series come from the same grouped rows, so the chart counts what the figures count.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Least

from accounts.models import User
from audits.models import (
    AuditProgramme,
    ProgrammeKind,
)
from audits.selectors import programmes_visible_to, threshold_of_annotated, with_threshold_figures
from audits.threshold import ThresholdResult
from deadlines.buckets import Bucket, bucket_expression
from deadlines.compliance import ComplianceFigures, sum_figures
from deadlines.models import ComplianceRate, ComplianceSettings, DeadlineKind, DeadlineStatus
from organisations.models import Organisation
from recommendations.selectors import complaints_visible_to, deadlines_visible_to

from .compliance import (
    TIMELINE_DAYS,
    Quarter,
    QuarterSeries,
    Week,
    quarter_series,
    timeline_weeks,
)

# --- Who may see it -------------------------------------------------------------------------

PERMISSION = "dashboard.view_dashboard"


def dashboard_allowed(user) -> bool:
    """Managers and administrators (the permission), and staff who see every organisation
    and may read deadlines (a regional manager in another role)."""
    if not user.is_authenticated:
        return False
    if user.has_perm(PERMISSION):
        return True
    return user.sees_all_organisations and user.has_perm("deadlines.view_deadline")


# --- The deadlines the filters choose -------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation | None = None
    service_area: str = ""
    owner: User | None = None
    due_from: date | None = None
    due_to: date | None = None


def deadlines_filtered(user, filters: Filters) -> QuerySet:
    """Every deadline ``user`` may see that the filters choose (by its current due date)."""
    deadlines = deadlines_visible_to(user)
    if filters.organisation is not None:
        deadlines = deadlines.filter(organisation=filters.organisation)
    if filters.service_area:
        deadlines = deadlines.filter(complaint__service_area=filters.service_area)
    if filters.owner is not None:
        deadlines = deadlines.filter(owner=filters.owner)
    if filters.due_from:
        deadlines = deadlines.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        deadlines = deadlines.filter(due_date__lte=filters.due_to)
    return deadlines


def organisations_for_filters(user) -> QuerySet:
    return Organisation.objects.filter(pk__in=deadlines_visible_to(user).values("organisation"))


def owners_for_filters(user) -> QuerySet:
    return User.objects.filter(pk__in=deadlines_visible_to(user).values("owner"))


def service_areas_for_filters(user) -> list[str]:
    areas = (
        complaints_visible_to(user)
        .exclude(service_area="")
        .order_by("service_area")
        .values_list("service_area", flat=True)
        .distinct()
    )
    return list(areas)


# --- Compliance figures ---------------------------------------------------------------------


def _recommendations(deadlines: QuerySet) -> QuerySet:
    # The LGSCO's letter counts what it recommended; statutory clocks and audit deadlines
    # have their own sections.
    return deadlines.filter(kind=DeadlineKind.RECOMMENDATION).order_by()


def compliance_figures(deadlines: QuerySet, *, today: date) -> ComplianceFigures:
    """The figures for the recommendation deadlines among ``deadlines``: one query."""
    counts = (
        _recommendations(deadlines)
        .annotate(bucket=bucket_expression(today=today))
        .values("bucket")
        .annotate(n=Count("pk"))
    )
    return ComplianceFigures.from_counts({row["bucket"]: row["n"] for row in counts})


@dataclass(frozen=True)
class GroupFigures:
    label: str
    figures: ComplianceFigures
    is_none: bool = False  # the row for "no owner" or "no service area recorded"


@dataclass(frozen=True)
class Breakdown:
    total: ComplianceFigures
    by_organisation: list[GroupFigures]
    by_service_area: list[GroupFigures]
    by_owner: list[GroupFigures]


NO_SERVICE_AREA = "No service area recorded"
NO_OWNER = "Nobody yet"


def _owner_label(row) -> str:
    # As User.__str__ says it.
    full_name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return full_name or row["owner__username"]


def _grouped(rows, key, label, *, none_label="") -> list[GroupFigures]:
    counts: dict = {}
    labels: dict = {}
    for row in rows:
        k = key(row)
        labels[k] = label(row) if k is not None else none_label
        bucket_counts = counts.setdefault(k, {})
        bucket_counts[row["bucket"]] = bucket_counts.get(row["bucket"], 0) + row["n"]
    groups = [
        GroupFigures(labels[k], ComplianceFigures.from_counts(c), is_none=k is None)
        for k, c in counts.items()
    ]
    # Alphabetical, with the "nobody" row last where it stands out.
    return sorted(groups, key=lambda g: (g.is_none, g.label.casefold()))


def _settled_on() -> Least:
    """``compliance.settled_on`` in SQL: the day a due recommendation was closed, or its due
    date if that came first."""
    return Least("due_date", Coalesce("completed_on", "due_date"))


def _compliance_rows(deadlines: QuerySet, *, today: date) -> list[dict]:
    """Recommendation counts per bucket, group and quarter settled: the one query behind the
    figures, their breakdowns and the quarterly series, so that they count the same."""
    return list(
        _recommendations(deadlines)
        .annotate(
            bucket=bucket_expression(today=today),
            year=ExtractYear(_settled_on()),
            quarter=ExtractQuarter(_settled_on()),
        )
        .values(
            "bucket",
            "year",
            "quarter",
            "organisation_id",
            "organisation__name",
            "complaint__service_area",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )
        .annotate(n=Count("pk"))
    )


def _breakdown(rows: list[dict]) -> Breakdown:
    by_organisation = _grouped(
        rows, lambda r: r["organisation_id"], lambda r: r["organisation__name"]
    )
    return Breakdown(
        total=sum_figures(g.figures for g in by_organisation),
        by_organisation=by_organisation,
        by_service_area=_grouped(
            rows,
            lambda r: r["complaint__service_area"] or None,
            lambda r: r["complaint__service_area"],
            none_label=NO_SERVICE_AREA,
        ),
        by_owner=_grouped(rows, lambda r: r["owner_id"], _owner_label, none_label=NO_OWNER),
    )


def _quarters(
    rows: list[dict], *, today: date, start: date | None, end: date | None
) -> QuarterSeries:
    counts: dict[Quarter, dict[str, int]] = {}
    for row in rows:
        if row["bucket"] in Bucket.DUE:
            buckets = counts.setdefault(Quarter(row["year"], row["quarter"]), {})
            buckets[row["bucket"]] = buckets.get(row["bucket"], 0) + row["n"]
    return quarter_series(counts, today=today, start=start, end=end)


def compliance_breakdown(deadlines: QuerySet, *, today: date) -> Breakdown:
    """The figures in total and per organisation, service area and owner: one query."""
    return _breakdown(_compliance_rows(deadlines, today=today))


def compliance_by_quarter(
    deadlines: QuerySet, *, today: date, start: date | None = None, end: date | None = None
) -> QuarterSeries:
    """Due recommendations per quarter, each counted in the quarter of ``compliance.settled_on``
    (the day it was closed, or its due date if that came first): one query."""
    return _quarters(_compliance_rows(deadlines, today=today), today=today, start=start, end=end)


@dataclass(frozen=True)
class Compliance:
    """The figures and the quarterly series, from the same rows: the series adds up to the
    due part of ``breakdown.total``. ``lead``: the rate shown first."""

    breakdown: Breakdown
    quarters: QuarterSeries
    lead: ComplianceRate


def compliance_lead(user, filters: Filters) -> ComplianceRate:
    """The rate that leads: the chosen organisation's, or else the user's own organisation's
    (its administrators set it); the LGSCO's reading for a user with no organisation."""
    organisation = filters.organisation.pk if filters.organisation else user.organisation_id
    return ComplianceSettings.objects.lead_for(organisation)


def compliance_for(user, deadlines: QuerySet, *, today: date, filters: Filters) -> Compliance:
    """Everything the dashboard's compliance section shows: two queries."""
    rows = _compliance_rows(deadlines, today=today)
    return Compliance(
        breakdown=_breakdown(rows),
        quarters=_quarters(rows, today=today, start=filters.due_from, end=filters.due_to),
        lead=compliance_lead(user, filters),
    )


# --- What falls due -------------------------------------------------------------------------

# The timeline's series, in the order its table lists them.
TIMELINE_SERIES = {
    "recommendation": "Recommendations",
    "statutory": "Statutory clocks",
    "other": "Audits and live concerns",
}


def deadline_timeline(deadlines: QuerySet, *, today: date) -> list[Week]:
    """Open deadlines of every kind due in each week of the next ``TIMELINE_DAYS``: one query."""
    rows = (
        deadlines.due_between(start=today, end=today + timedelta(days=TIMELINE_DAYS))
        .annotate(
            series=Case(
                When(kind=DeadlineKind.RECOMMENDATION, then=Value("recommendation")),
                When(kind__in=DeadlineKind.statutory(), then=Value("statutory")),
                default=Value("other"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("due_date", "series")
        .annotate(n=Count("pk"))
    )
    return timeline_weeks(
        ((row["due_date"], row["series"], row["n"]) for row in rows),
        today=today,
        series=TIMELINE_SERIES,
    )


def _by_urgency(deadlines: QuerySet) -> QuerySet:
    """Open first, soonest due first (overdue, then due soon, then on track, as the tags
    say); then closed ones, most recently closed first; withdrawn last."""
    is_open = Q(status=DeadlineStatus.OPEN)
    return deadlines.order_by(
        Case(When(is_open, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(is_open, then=F("due_date"))).asc(nulls_last=True),
        F("completed_on").desc(nulls_last=True),
        "due_date",
        "pk",
    )


def deadlines_by_urgency(deadlines: QuerySet) -> QuerySet:
    """Recommendations, audits and live concerns (statutory clocks are listed apart), with
    what ``Deadline.get_absolute_url`` needs to link each one without another query."""
    return _by_urgency(
        deadlines.exclude(kind__in=DeadlineKind.statutory()).select_related(
            "recommendation", "audit_programme", "live_concern"
        )
    )


def clocks_by_urgency(deadlines: QuerySet) -> QuerySet:
    return _by_urgency(deadlines.filter(kind__in=DeadlineKind.statutory()))


# --- Audit programmes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: AuditProgramme
    threshold: ThresholdResult

    @property
    def has_threshold(self) -> bool:
        """A full audit audits every case: it has no threshold to decide."""
        return self.programme.kind == ProgrammeKind.SAMPLE


def programmes_progress(user, filters: Filters) -> list[ProgrammeProgress]:
    """Each programme ``user`` may see, with its threshold figures (one query for all)."""
    programmes = with_threshold_figures(programmes_visible_to(user))
    if filters.organisation is not None:
        programmes = programmes.filter(recommendation__organisation=filters.organisation)
    if filters.service_area:
        programmes = programmes.filter(recommendation__complaint__service_area=filters.service_area)
    if filters.owner is not None:
        programmes = programmes.filter(owner=filters.owner)
    if filters.due_from:
        programmes = programmes.filter(deadline__due_date__gte=filters.due_from)
    if filters.due_to:
        programmes = programmes.filter(deadline__due_date__lte=filters.due_to)
    programmes = programmes.order_by(F("deadline__due_date").asc(nulls_last=True), "pk")
    return [ProgrammeProgress(programme=p, threshold=threshold_of_annotated(p)) for p in programmes]


# --- The whole page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: date
    filters: Filters
    compliance: Compliance
    timeline: list[Week]
    deadlines: QuerySet  # paginated by the view
    clocks: list
    programmes: list[ProgrammeProgress]


def dashboard_for(user, *, today: date, filters: Filters) -> Dashboard:
    deadlines = deadlines_filtered(user, filters)
    return Dashboard(
        today=today,
        filters=filters,
        compliance=compliance_for(user, deadlines, today=today, filters=filters),
        timeline=deadline_timeline(deadlines, today=today),
        deadlines=deadlines_by_urgency(deadlines),
        clocks=list(clocks_by_urgency(deadlines)),
        programmes=programmes_progress(user, filters),
    )
