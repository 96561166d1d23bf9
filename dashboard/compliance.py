"""The dashboard's compliance arithmetic: pure functions, no database.

The figures and their two rates are ``deadlines.compliance`` (written once there, so the
committee report counts the same); here they are spread over quarters and weeks.

The quarterly series and the figures above it count the same recommendations: every one that
is due (``Bucket.DUE``) falls in exactly one row of the series, quarters older than the chart
shows being added together in a first "earlier" row, so the series always adds up to the
figures (``QuarterSeries.total``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from deadlines.buckets import Bucket
from deadlines.compliance import ComplianceFigures, sum_figures
from deadlines.models import Deadline

# Named here too, where the dashboard's callers have always found them.
from ombudsman_tracker.formats import percent as percent

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


# At most this many quarters are charted one by one (three years), so the bars stay readable;
# older ones are added together in one "earlier" bar, so nothing due is left out (a date
# range shows them one by one).
MAX_QUARTERS = 12


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    figures: ComplianceFigures
    earlier: bool = False  # the quarters before ``quarter``, added together

    @property
    def label(self) -> str:
        return f"Before {self.quarter.label}" if self.earlier else self.quarter.label


@dataclass(frozen=True)
class QuarterSeries:
    quarters: list[QuarterFigures]  # the quarters shown one by one, oldest first
    left_out: int  # earlier quarters with figures, added together in ``earlier``
    earlier: QuarterFigures | None = None

    @property
    def rows(self) -> list[QuarterFigures]:
        """What the chart and its table show: the earlier quarters (if any), then each one."""
        return [self.earlier, *self.quarters] if self.earlier else list(self.quarters)

    @property
    def total(self) -> ComplianceFigures:
        """Every due recommendation the series counts: the due part of the figures."""
        return sum_figures(row.figures for row in self.rows)

    @property
    def has_figures(self) -> bool:
        return bool(self.total.all_due)


def quarter_series(
    counts: Mapping[Quarter, Mapping[str, int]],
    *,
    today: date,
    start: date | None = None,
    end: date | None = None,
) -> QuarterSeries:
    """Due recommendations per quarter (``counts``: bucket counts per quarter of
    ``settled_on``), from the first quarter with any (or ``start``'s, if earlier) to the
    current one (or ``end``'s, if earlier), empty quarters included so gaps show as gaps.

    Every due recommendation in ``counts`` is in the series: one settled after the last
    quarter (closed ahead of time, on a date still to come) extends it; quarters before the
    last ``MAX_QUARTERS`` are added together in ``earlier``."""
    due = {
        quarter: ComplianceFigures.from_counts(
            {bucket: n for bucket, n in bucket_counts.items() if bucket in Bucket.DUE}
        )
        for quarter, bucket_counts in counts.items()
    }
    with_figures = sorted(quarter for quarter, figures in due.items() if figures.all_due)
    last = Quarter.of(min(end, today) if end else today)
    first = min(Quarter.of(start), last) if start else last
    if with_figures:
        first, last = min(first, with_figures[0]), max(last, with_figures[-1])
    shown = quarters_between(first, last)[-MAX_QUARTERS:]
    before = [quarter for quarter in with_figures if quarter < shown[0]]
    return QuarterSeries(
        quarters=[QuarterFigures(q, due.get(q, ComplianceFigures())) for q in shown],
        left_out=len(before),
        earlier=(
            QuarterFigures(shown[0], sum_figures(due[q] for q in before), earlier=True)
            if before
            else None
        ),
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
