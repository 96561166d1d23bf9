"""Reads behind the managers' dashboard, scoped to the user, in a fixed number of queries.

Built on ``recommendations.selectors`` (what a user may see) and the model querysets (what
open means). Figures are counted in SQL, one grouped query each with a row a group, then
added up by the pure functions in ``deadlines.compliance`` and ``dashboard.compliance``; a
test checks the SQL buckets agree with ``Deadline.outcome`` row by row. The compliance
figures and the quarterly series come from the same grouped rows, so the chart counts what
the figures count. Sections that grow with the records list a bounded number of rows and
count the rest (``CLOCKS_SHOWN`` and the others).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear, Least
from django.utils import timezone

from accounts.models import User
from annual_review.reconciliation import Reconciliation, reconcile
from annual_review.selectors import letters_allowed, letters_visible_to
from audits.models import (
    AuditProgramme,
    ProgrammeKind,
)
from audits.selectors import programmes_visible_to, threshold_rows
from audits.threshold import ThresholdResult
from deadlines.buckets import bucket_expression
from deadlines.compliance import ComplianceFigures, sum_figures
from deadlines.models import (
    ComplianceRate,
    ComplianceSettings,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
)
from deadlines.selectors import deadlines_with_holders
from learning.selectors import Coverage, coverage_by_learning_point, learning_points_visible_to
from organisations.models import Organisation
from recommendations.models import Complaint
from recommendations.selectors import complaints_visible_to, deadlines_visible_to
from remedies.selectors import PaymentTotals, payment_totals, payments_visible_to

from .compliance import (
    TIMELINE_DAYS,
    Quarter,
    QuarterSeries,
    Week,
    quarter_series,
    timeline_weeks,
)

logger = logging.getLogger(__name__)

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


def _of_recommendations_chosen(records: QuerySet, filters: Filters) -> QuerySet:
    """``records`` of a recommendation (audit programmes, learning points, payments) whose
    recommendation's organisation and complaint's service area the filters choose."""
    if filters.organisation is not None:
        records = records.filter(recommendation__organisation=filters.organisation)
    if filters.service_area:
        records = records.filter(recommendation__complaint__service_area=filters.service_area)
    return records


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
    """Everyone who owns a deadline ``user`` may see, read only for their names: the filter
    lists hundreds of them."""
    return User.objects.filter(pk__in=deadlines_visible_to(user).values("owner")).only(
        "first_name", "last_name", "username"
    )


def service_areas_for_filters(user) -> list[str]:
    areas = (
        complaints_visible_to(user)
        .exclude(service_area="")
        .order_by("service_area")
        .values_list("service_area", flat=True)
        .distinct()
    )
    return list(areas)


# --- How much the page lists ------------------------------------------------------------

# What the dashboard lists of each section that grows with the records, at most: a council has
# hundreds of clocks, owners and audits over the years, and the page must stay quick to load
# and to read. Each section says what it leaves out and links to the rest.
CLOCKS_SHOWN = 10
OWNERS_SHOWN = 20
PROGRAMMES_SHOWN = 10


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


def _owner_names(rows: list[dict]) -> dict[int, str]:
    """The name of each owner in ``rows``, as ``User.__str__`` gives it: one query. (Grouping
    by the names as well as the ids took twice as long.)"""
    owners = User.objects.filter(pk__in=[row["owner_id"] for row in rows if row["owner_id"]])
    return {
        pk: f"{first_name} {last_name}".strip() or username
        for pk, first_name, last_name, username in owners.values_list(
            "pk", "first_name", "last_name", "username"
        )
    }


def _settled_on() -> Least:
    """``compliance.settled_on`` in SQL: the day a due recommendation was closed, or its due
    date if that came first."""
    return Least("due_date", Coalesce("completed_on", "due_date"))


def _counted_by(recommendations: QuerySet, *fields: str, today: date) -> list[dict]:
    """A row for each group of ``fields``, with its count in each bucket (``buckets``): one
    query, however many recommendations the groups hold."""
    rows: dict[tuple, dict] = {}
    counted = (
        recommendations.annotate(bucket=bucket_expression(today=today))
        .values(*fields, "bucket")
        .annotate(n=Count("pk"))
    )
    for row in counted:
        group = rows.setdefault(
            tuple(row[f] for f in fields), {f: row[f] for f in fields} | {"buckets": {}}
        )
        group["buckets"][row["bucket"]] = row["n"]
    return list(rows.values())


def _groups(rows: list[dict], key, label, *, none_label="") -> list[GroupFigures]:
    groups = [
        GroupFigures(
            label(row) if key(row) is not None else none_label,
            ComplianceFigures.from_counts(row["buckets"]),
            is_none=key(row) is None,
        )
        for row in rows
    ]
    # Alphabetical, with the "nobody" row last where it stands out.
    return sorted(groups, key=lambda g: (g.is_none, g.label.casefold()))


def _per_quarter(deadlines: QuerySet, *, today: date) -> dict[Quarter, dict[str, int]]:
    """Bucket counts per quarter of ``compliance.settled_on``: one query. The total and the
    quarterly series both add up these rows, so that the chart counts what the figures count."""
    recommendations = _recommendations(deadlines).annotate(
        year=ExtractYear(_settled_on()), quarter=ExtractQuarter(_settled_on())
    )
    return {
        Quarter(row["year"], row["quarter"]): row["buckets"]
        for row in _counted_by(recommendations, "year", "quarter", today=today)
    }


def _breakdown(
    deadlines: QuerySet, per_quarter: dict[Quarter, dict[str, int]], *, today: date
) -> Breakdown:
    """The total (from ``per_quarter``) and a grouped query per organisation, service area
    and owner, a row a group, so that a council's thousands of recommendations are added up
    in the database. (One query grouped by all of them returned a row for nearly every
    recommendation. Being separate statements, a change saved between them shows in some
    tables and not yet in others, until the page is loaded again.)"""
    recommendations = _recommendations(deadlines)
    per_owner = _counted_by(recommendations, "owner_id", today=today)
    names = _owner_names(per_owner)
    return Breakdown(
        total=sum_figures(ComplianceFigures.from_counts(c) for c in per_quarter.values()),
        by_organisation=_groups(
            _counted_by(recommendations, "organisation_id", "organisation__name", today=today),
            lambda r: r["organisation_id"],
            lambda r: r["organisation__name"],
        ),
        by_service_area=_groups(
            _counted_by(recommendations, "complaint__service_area", today=today),
            lambda r: r["complaint__service_area"] or None,
            lambda r: r["complaint__service_area"],
            none_label=NO_SERVICE_AREA,
        ),
        by_owner=_groups(
            per_owner,
            lambda r: r["owner_id"],
            lambda r: names[r["owner_id"]],
            none_label=NO_OWNER,
        ),
    )


def compliance_breakdown(deadlines: QuerySet, *, today: date) -> Breakdown:
    """The figures in total and per organisation, service area and owner: five queries."""
    return _breakdown(deadlines, _per_quarter(deadlines, today=today), today=today)


def compliance_by_quarter(
    deadlines: QuerySet, *, today: date, start: date | None = None, end: date | None = None
) -> QuarterSeries:
    """Due recommendations per quarter, each counted in the quarter of ``compliance.settled_on``
    (the day it was closed, or its due date if that came first): one query."""
    return quarter_series(_per_quarter(deadlines, today=today), today=today, start=start, end=end)


@dataclass(frozen=True)
class Compliance:
    """The figures and the quarterly series, from the same rows: the series adds up to the
    due part of ``breakdown.total``. ``lead``: the rate shown first. ``counted_at``: when the
    figures were counted (they are kept a while: ``compliance_counts``)."""

    breakdown: Breakdown
    quarters: QuarterSeries
    lead: ComplianceRate
    counted_at: datetime | None = None


def compliance_lead(user, filters: Filters) -> ComplianceRate:
    """The rate that leads: the chosen organisation's, or else the user's own organisation's
    (its administrators set it); the LGSCO's reading for a user with no organisation."""
    organisation = filters.organisation.pk if filters.organisation else user.organisation_id
    return ComplianceSettings.objects.lead_for(organisation)


# The grouped counts over every recommendation take most of the dashboard's time at a
# council's scale (four queries over 10,000 recommendations), yet change only when a deadline
# or a complaint does. So they are kept in the cache under the last change saved to either
# (the latest id of their history, which every change writes: ``counted_state``), and a change
# saved since is counted on the next load. At most this many seconds, all the same: the names
# of owners and organisations are not in that history.
COMPLIANCE_CACHE_SECONDS = 5 * 60


def counted_state() -> str:
    """The last change saved to any deadline or complaint, as the figures' cache key has it:
    two lookups of a maximum on a primary key."""
    last_deadline = Deadline.history.aggregate(last=Max("pk"))["last"] or 0
    last_complaint = Complaint.history.aggregate(last=Max("pk"))["last"] or 0
    return f"{last_deadline}.{last_complaint}"


def _compliance_key(user, filters: Filters, *, today: date) -> str:
    """Whose deadlines (``deadlines_visible_to``: the user's organisation, or every one), what
    the filters choose, the day (the buckets count from it) and the state counted."""
    scope = "all" if user.sees_every_organisation else f"organisation-{user.organisation_id}"
    chosen = (
        filters.organisation.pk if filters.organisation else None,
        filters.service_area,
        filters.owner.pk if filters.owner else None,
        filters.due_from,
        filters.due_to,
    )
    digest = hashlib.sha256(repr(chosen).encode()).hexdigest()[:32]
    return f"dashboard:compliance:{scope}:{digest}:{today.isoformat()}:{counted_state()}"


def compliance_counts(
    user, deadlines: QuerySet, *, today: date, filters: Filters
) -> tuple[Breakdown, dict[Quarter, dict[str, int]], datetime]:
    """The breakdown, the counts per quarter and when they were counted: from the cache if
    nothing was saved to a deadline or complaint since (two small queries), else counted (five
    queries) and kept. Without the cache (Redis down) they are counted each time."""
    key = _compliance_key(user, filters, today=today)
    try:
        kept = cache.get(key)
    except Exception:  # a cache that fails costs the counting, not the page
        logger.warning("The dashboard's figures could not be read from the cache", exc_info=True)
        kept, key = None, None
    if kept is not None:
        return kept
    per_quarter = _per_quarter(deadlines, today=today)
    counted = (_breakdown(deadlines, per_quarter, today=today), per_quarter, timezone.now())
    if key is not None:
        try:
            cache.set(key, counted, COMPLIANCE_CACHE_SECONDS)
        except Exception:
            logger.warning("The dashboard's figures could not be kept in the cache", exc_info=True)
    return counted


def compliance_for(user, deadlines: QuerySet, *, today: date, filters: Filters) -> Compliance:
    """Everything the dashboard's compliance section shows: three queries when the figures
    are kept (``compliance_counts``), six when they are counted."""
    breakdown, per_quarter, counted_at = compliance_counts(
        user, deadlines, today=today, filters=filters
    )
    return Compliance(
        breakdown=breakdown,
        quarters=quarter_series(
            per_quarter, today=today, start=filters.due_from, end=filters.due_to
        ),
        lead=compliance_lead(user, filters),
        counted_at=counted_at,
    )


# --- Owners to chase ------------------------------------------------------------------------


@dataclass(frozen=True)
class Owners:
    """The owners the by-owner table lists, of all those with a recommendation chosen."""

    shown: list[GroupFigures]
    with_something_due: int  # overdue, or due in the next 30 days
    all: int

    @property
    def due_not_shown(self) -> int:
        return self.with_something_due - len(self.shown)

    @property
    def nothing_due(self) -> int:
        return self.all - self.with_something_due


def owners_to_chase(
    groups: list[GroupFigures], *, chosen: bool = False, limit: int = OWNERS_SHOWN
) -> Owners:
    """The owners with a recommendation overdue or due in the next 30 days, the most overdue
    first, then the most due soonest; at most ``limit``. An owner the filters chose is shown
    whatever is due: choosing them is how a manager sees anyone left out."""
    due = [g for g in groups if chosen or g.figures.overdue or g.figures.due_within_30_days]
    due.sort(
        key=lambda g: (
            -g.figures.overdue,
            -g.figures.due_within_14_days,
            -g.figures.due_within_30_days,
            g.is_none,
            g.label.casefold(),
        )
    )
    return Owners(shown=due[:limit], with_something_due=len(due), all=len(groups))


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
    """Recommendations, audits and live concerns (statutory clocks are listed apart); page
    them with ``page_by_urgency(..., holders=True)``, which reads the record holding each one
    for its link."""
    return _by_urgency(deadlines.exclude(kind__in=DeadlineKind.statutory()))


def page_by_urgency(ordered: QuerySet, *, number, per_page: int, holders: bool = False) -> Page:
    """Page ``number`` of ``ordered`` (``deadlines_by_urgency`` or ``clocks_by_urgency``): its
    ids are chosen on the deadlines alone, then only its rows are read with what they show.
    Joining every deadline to its complaint, owner and links before sorting them cost more
    than the rest of the dashboard at a council's scale. With ``holders``, the record that
    holds each deadline too, for its link (``deadlines_with_holders``)."""
    page = Paginator(ordered.values_list("pk", flat=True), per_page).get_page(number)
    rows = ordered.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    if holders:
        page.object_list = deadlines_with_holders(page.object_list)
    return page


def clocks_by_urgency(deadlines: QuerySet) -> QuerySet:
    """Every statutory clock among ``deadlines``, open first: the clocks page pages through it."""
    return _by_urgency(deadlines.filter(kind__in=DeadlineKind.statutory()))


@dataclass(frozen=True)
class Clocks:
    """The most urgent open clocks, and how many there are of each kind."""

    most_urgent: list
    open: int
    closed: int  # met, not met or withdrawn

    @property
    def open_not_shown(self) -> int:
        return self.open - len(self.most_urgent)


def clocks_most_urgent(deadlines: QuerySet, *, limit: int = CLOCKS_SHOWN) -> Clocks:
    """The ``limit`` open statutory clocks due soonest; closed ones are only counted (the
    clocks page lists them all): two queries."""
    clocks = deadlines.filter(kind__in=DeadlineKind.statutory()).order_by()
    is_open = Q(status=DeadlineStatus.OPEN)
    counts = clocks.aggregate(open=Count("pk", filter=is_open), closed=Count("pk", filter=~is_open))
    return Clocks(
        most_urgent=list(clocks.filter(is_open).order_by("due_date", "pk")[:limit]),
        open=counts["open"],
        closed=counts["closed"],
    )


# --- Audit programmes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeProgress:
    programme: AuditProgramme
    threshold: ThresholdResult

    @property
    def has_threshold(self) -> bool:
        """A full audit audits every case: it has no threshold to decide."""
        return self.programme.kind == ProgrammeKind.SAMPLE


@dataclass(frozen=True)
class Programmes:
    """The most urgent open programmes, and how many there are of each kind."""

    most_urgent: list[ProgrammeProgress]
    open: int
    closed: int  # their deadline met, not met or withdrawn

    @property
    def open_not_shown(self) -> int:
        return self.open - len(self.most_urgent)


def _programmes_filtered(user, filters: Filters) -> QuerySet:
    programmes = programmes_visible_to(user)
    programmes = _of_recommendations_chosen(programmes, filters)
    if filters.owner is not None:
        programmes = programmes.filter(owner=filters.owner)
    if filters.due_from:
        programmes = programmes.filter(deadline__due_date__gte=filters.due_from)
    if filters.due_to:
        programmes = programmes.filter(deadline__due_date__lte=filters.due_to)
    return programmes


# An audit is open until its deadline is closed; one without a deadline has nothing to close it.
PROGRAMME_OPEN = Q(deadline__isnull=True) | Q(deadline__status=DeadlineStatus.OPEN)


def programmes_most_urgent(user, filters: Filters, *, limit: int = PROGRAMMES_SHOWN) -> Programmes:
    """The ``limit`` open programmes due soonest, with their threshold figures (two queries
    for all, ``threshold_rows``); the others are only counted (the audit list has them all):
    three queries."""
    programmes = _programmes_filtered(user, filters)
    counts = programmes.aggregate(
        open=Count("pk", filter=PROGRAMME_OPEN, distinct=True),
        all=Count("pk", distinct=True),
    )
    most_urgent = threshold_rows(
        programmes.filter(PROGRAMME_OPEN).order_by(
            F("deadline__due_date").asc(nulls_last=True), "pk"
        )[:limit]
    )
    return Programmes(
        most_urgent=[
            ProgrammeProgress(programme=row.programme, threshold=row.threshold)
            for row in most_urgent
        ],
        open=counts["open"],
        closed=counts["all"] - counts["open"],
    )


# --- The whole page -------------------------------------------------------------------------


# --- Learning and remedies --------------------------------------------------------------------

LEARNING_ROWS = 10


@dataclass(frozen=True)
class Learning:
    """How far the newest learning points have reached, and how many more there are."""

    coverages: list[Coverage]
    total: int

    @property
    def not_shown(self) -> int:
        return self.total - len(self.coverages)


def learning_most_recent(user, filters: Filters, *, at: date) -> Learning:
    """The coverage of the ``LEARNING_ROWS`` learning points published most recently that the
    filters choose (by the recommendation's organisation and service area; owners and due
    dates are a deadline's, not a learning point's). A fixed number of queries."""
    points = learning_points_visible_to(user)
    points = _of_recommendations_chosen(points, filters)
    newest = list(points.order_by("-current_version__published_at", "-pk")[:LEARNING_ROWS])
    if not newest:
        return Learning(coverages=[], total=0)
    coverages = coverage_by_learning_point(learning_points=newest, at=at)
    return Learning(
        coverages=[coverages[point.pk] for point in newest if point.pk in coverages],
        total=points.count(),
    )


def payments_summary(user, filters: Filters, *, today: date) -> PaymentTotals:
    """Remedy payments the filters choose (organisation and service area), totalled by
    financial year and kind, in pounds and pence: one query."""
    payments = payments_visible_to(user)
    payments = _of_recommendations_chosen(payments, filters)
    return payment_totals(payments=payments, today=today)


# --- The Ombudsman's annual letter ---------------------------------------------------------


@dataclass(frozen=True)
class LetterFigures:
    """The newest annual letter of ``organisation`` (the filters' organisation, or else the
    user's) reconciled with the records; ``reconciliation`` is None where no letter is
    recorded for it, ``organisation`` None for a user with no organisation who chose none."""

    organisation: Organisation | None
    reconciliation: Reconciliation | None = None

    @property
    def differences(self) -> int:
        return len(self.reconciliation.differences) if self.reconciliation else 0


def annual_letter_newest(user, filters: Filters, *, today: date) -> LetterFigures | None:
    """The newest letter's figures beside the records', for a user who may read letters
    (``annual_review.selectors.letters_allowed``; None for anyone else): five rows whatever
    the records, in at most six queries (the organisation, the letter, ``reconcile``)."""
    if not letters_allowed(user):
        return None
    organisation = filters.organisation or user.organisation
    if organisation is None:
        return LetterFigures(organisation=None)
    letter = letters_visible_to(user).filter(organisation=organisation).order_by("-year").first()
    return LetterFigures(
        organisation=organisation,
        reconciliation=reconcile(letter, today=today) if letter else None,
    )


@dataclass(frozen=True)
class Dashboard:
    today: date
    filters: Filters
    compliance: Compliance
    owners: Owners  # the by-owner table's rows
    timeline: list[Week]
    deadlines: QuerySet  # paginated by the view
    clocks: Clocks
    programmes: Programmes
    learning: Learning
    payments: PaymentTotals
    annual_letter: LetterFigures | None = None  # None: the user may not read letters


def dashboard_for(user, *, today: date, filters: Filters) -> Dashboard:
    """Everything the page shows, each section bounded whatever the number of records."""
    deadlines = deadlines_filtered(user, filters)
    compliance = compliance_for(user, deadlines, today=today, filters=filters)
    return Dashboard(
        today=today,
        filters=filters,
        compliance=compliance,
        owners=owners_to_chase(compliance.breakdown.by_owner, chosen=filters.owner is not None),
        timeline=deadline_timeline(deadlines, today=today),
        deadlines=deadlines_by_urgency(deadlines),
        clocks=clocks_most_urgent(deadlines),
        programmes=programmes_most_urgent(user, filters),
        learning=learning_most_recent(user, filters, at=today),
        payments=payments_summary(user, filters, today=today),
        annual_letter=annual_letter_newest(user, filters, today=today),
    )
