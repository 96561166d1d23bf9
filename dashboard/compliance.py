"""Compliance figures as the LGSCO's annual letter counts them: pure functions, no database.

Every deadline falls in exactly one *bucket* on a given day (``deadlines.buckets``). The
figures are sums of bucket counts, so the same arithmetic serves one deadline, a group of deadlines
counted in SQL (``dashboard.selectors``) or a committee report.

The compliance rate
    complied on time / all due, where **all due** is every recommendation that, on the day,
    is complied on time, complied late, not complied, or still open after its due date.
    Open recommendations not yet due are left out (they may still be complied on time);
    withdrawn ones are left out entirely. "On time" means completed on or before the due
    date in force, so a date extended with the Ombudsman's agreement counts.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from fractions import Fraction

from deadlines.buckets import Bucket, bucket_for
from deadlines.models import Deadline
from ombudsman_tracker.formats import percent


@dataclass(frozen=True)
class ComplianceFigures:
    """Counts of recommendations per bucket, and the figures a manager reads from them."""

    overdue: int = 0
    due_soon: int = 0
    due_month: int = 0
    later: int = 0
    on_time: int = 0
    late: int = 0
    not_complied: int = 0
    withdrawn: int = 0

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> "ComplianceFigures":
        unknown = set(counts) - set(Bucket.ALL)
        if unknown:
            raise ValueError(f"Unknown buckets: {sorted(unknown)}")
        return cls(**counts)

    @classmethod
    def of(cls, deadlines: Iterable[Deadline], *, today: date) -> "ComplianceFigures":
        """Figures for deadlines already in memory (a test, or a handful of rows)."""
        counts: dict[str, int] = {}
        for deadline in deadlines:
            bucket = bucket_for(deadline, today=today)
            counts[bucket] = counts.get(bucket, 0) + 1
        return cls.from_counts(counts)

    def __add__(self, other: "ComplianceFigures") -> "ComplianceFigures":
        return ComplianceFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def open(self) -> int:
        """Still open, overdue or not."""
        return self.overdue + self.due_soon + self.due_month + self.later

    @property
    def due_within_14_days(self) -> int:
        return self.due_soon

    @property
    def due_within_30_days(self) -> int:
        return self.due_soon + self.due_month

    @property
    def all_due(self) -> int:
        return self.on_time + self.late + self.not_complied + self.overdue

    @property
    def rate(self) -> Fraction | None:
        """Complied on time / all due; None when nothing is due yet (no rate, not 0%)."""
        return Fraction(self.on_time, self.all_due) if self.all_due else None

    @property
    def rate_percent(self) -> str:
        """'67%', or '' where there is no rate."""
        return percent(self.rate)

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


def sum_figures(figures: Iterable[ComplianceFigures]) -> ComplianceFigures:
    total = ComplianceFigures()
    for each in figures:
        total += each
    return total


# --- Quarters -------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter. Financial-year quarters (April to March) are the same months, so
    each is named by its months ("Apr to Jun 2026", with an en dash) rather than a number
    that means different things to different readers."""

    year: int
    number: int  # 1 to 4, from January

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def months(self) -> str:
        first = (self.number - 1) * 3
        return f"{MONTHS[first]}\N{EN DASH}{MONTHS[first + 2]}"

    @property
    def label(self) -> str:
        return f"{self.months} {self.year}"

    @property
    def first_day(self) -> date:
        return date(self.year, (self.number - 1) * 3 + 1, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def settled_on(deadline: Deadline) -> date:
    """The day a due recommendation's outcome counts from, for the quarterly figures: the
    day it was closed, or its due date if that came first (so an overdue one counts from
    its due date, and one complied late from the date it became late)."""
    if deadline.completed_on is None:
        return deadline.due_date
    return min(deadline.completed_on, deadline.due_date)


# At most this many quarters are charted (three years), so the bars stay readable; older
# ones are left out and the page says so (a date range brings them back).
MAX_QUARTERS = 12


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    figures: ComplianceFigures


@dataclass(frozen=True)
class QuarterSeries:
    quarters: list[QuarterFigures]
    left_out: int  # earlier quarters with figures, not shown

    @property
    def has_figures(self) -> bool:
        return any(q.figures.all_due for q in self.quarters)


def quarter_series(
    counts: Mapping[Quarter, Mapping[str, int]],
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
) -> QuarterSeries:
    """Every quarter from the first with a due recommendation (or ``start``) to the current
    one (or ``end``, if earlier), empty quarters included, so gaps show as gaps."""
    last = Quarter.of(min(end, today) if end else today)
    with_figures = sorted(q for q, c in counts.items() if any(c.get(b) for b in Bucket.DUE))
    if start:
        first = Quarter.of(start)
    elif with_figures:
        first = min(with_figures[0], last)
    else:
        first = last
    quarters = quarters_between(first, last)
    shown = quarters[-MAX_QUARTERS:]
    left_out = sum(1 for q in with_figures if shown and q < shown[0])
    return QuarterSeries(
        quarters=[
            QuarterFigures(q, ComplianceFigures.from_counts(counts.get(q, {}))) for q in shown
        ],
        left_out=left_out,
    )


# --- The timeline of what falls due ---------------------------------------------------------

TIMELINE_DAYS = 90
TIMELINE_WEEK = 7


@dataclass(frozen=True)
class Week:
    first_day: date
    last_day: date
    counts: dict[str, int]  # per series (see selectors.TIMELINE_SERIES)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def label(self) -> str:
        if self.first_day.month == self.last_day.month:
            return f"{self.first_day.day} to {self.last_day:%-d %b}"
        return f"{self.first_day:%-d %b} to {self.last_day:%-d %b}"


def timeline_weeks(
    due: Iterable[tuple[date, str, int]], *, today: date, series: Iterable[str]
) -> list[Week]:
    """Seven-day periods from ``today`` to ``today + TIMELINE_DAYS`` (13 weeks, 91 days), each
    with the number of open deadlines due in it per series. ``due``: (due date, series, n)."""
    series = list(series)
    weeks = []
    for start in range(0, TIMELINE_DAYS + 1, TIMELINE_WEEK):
        first = today + timedelta(days=start)
        last = min(first + timedelta(days=TIMELINE_WEEK - 1), today + timedelta(TIMELINE_DAYS))
        weeks.append(Week(first, last, dict.fromkeys(series, 0)))
    for day, name, n in due:
        offset = (day - today).days
        if 0 <= offset <= TIMELINE_DAYS:
            weeks[offset // TIMELINE_WEEK].counts[name] += n
    return weeks
