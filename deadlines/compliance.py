"""The compliance figures and their two rates: pure functions, no database, written once for the
dashboard and the committee report (which cannot import each other).

Every deadline falls in exactly one *bucket* on a given day (``deadlines.buckets``). The
figures are sums of bucket counts, so the same arithmetic serves one deadline, a group of
deadlines counted in SQL (``dashboard.selectors``) or the recommendations of a report.

**All due** is every recommendation that, on the day, is complied on time, complied late, not
complied, still open after its due date, or past its due date with its evidence sent and the
Ombudsman's verdict awaited. Open ones not yet due are left out (they may still be complied on
time), and so are those awaiting the Ombudsman before their due date; withdrawn ones are left
out entirely. Both rates share it:

Implemented, late or not (``ComplianceRate.IMPLEMENTED``)
    complied on time or late / all due. The LGSCO's annual letter appears to count compliance
    this way, reporting lateness beside it (unverified), so it leads unless a council chooses.
Implemented on time (``ComplianceRate.ON_TIME``)
    complied on time / all due. "On time" means completed on or before the due date in force,
    so a date extended with the Ombudsman's agreement counts.

A recommendation whose evidence was sent to the Ombudsman is complied only once the Ombudsman
is satisfied. Until then it is *awaiting the Ombudsman* (``awaiting``, ``awaiting_due``):
counted in neither rate's complied, never overdue (the council has done its part), and due,
not complied, once its due date has passed. Satisfied, it is complied on time if its evidence
was sent by the due date, late otherwise (or when the Ombudsman found it late).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from fractions import Fraction

from ombudsman_tracker.formats import percent

from .buckets import Bucket, bucket_for
from .models import ComplianceRate, Deadline

# What each rate counts, in the words every page, document and CSV gives beside it.
DEFINITIONS = {
    ComplianceRate.IMPLEMENTED: (
        "Recommendations implemented, on time or late, as a share of all those due. The "
        "Ombudsman's annual letter appears to count compliance this way, with lateness "
        "reported beside it."
    ),
    ComplianceRate.ON_TIME: (
        "Recommendations implemented on or before the due date in force (the extended date "
        "where the Ombudsman agreed an extension), as a share of all those due."
    ),
}
ALL_DUE_DEFINITION = (
    "All due means every recommendation that has been complied with (on time or late) or "
    "marked not complied, and every one still open after its due date. Open recommendations "
    "not yet due, and withdrawn ones, are not counted. A recommendation is complied only once "
    "the Ombudsman is satisfied: one whose evidence has been sent, awaiting the Ombudsman, "
    "counts as due and not complied once its due date has passed, and is never overdue."
)


@dataclass(frozen=True)
class RateFigure:
    """One rate, as a reader sees it: its name, what it counts and its value."""

    kind: ComplianceRate
    counted: int  # the recommendations the rate counts as complied
    all_due: int
    late: int  # of ``counted``, those complied late (none for the on-time rate)

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.kind]

    @property
    def rate(self) -> Fraction | None:
        """None when nothing is due yet (no rate, not 0%)."""
        return Fraction(self.counted, self.all_due) if self.all_due else None

    @property
    def rate_percent(self) -> str:
        """'67%', or '' where there is no rate."""
        return percent(self.rate)

    @property
    def of_due(self) -> str:
        """'4 of 6 due (1 late)', '3 of 6 due', or '' where nothing is due."""
        if not self.all_due:
            return ""
        text = f"{self.counted} of {self.all_due} due"
        return f"{text} ({self.late} late)" if self.late else text


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
    awaiting: int = 0  # evidence sent, awaiting the Ombudsman, not yet due
    awaiting_due: int = 0  # evidence sent, awaiting the Ombudsman, past its due date

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> "ComplianceFigures":
        unknown = set(counts) - set(Bucket.ALL)
        if unknown:
            raise ValueError(f"Unknown buckets: {sorted(unknown)}")
        return cls(**counts)

    @classmethod
    def of(cls, deadlines: Iterable[Deadline], *, today: date) -> "ComplianceFigures":
        """Figures for deadlines already in memory (a report's, a test's)."""
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
        return self.on_time + self.late + self.not_complied + self.overdue + self.awaiting_due

    @property
    def awaiting_ombudsman(self) -> int:
        """Evidence sent, awaiting the Ombudsman's verdict, due or not."""
        return self.awaiting + self.awaiting_due

    @property
    def implemented(self) -> int:
        """Complied with, on time or late."""
        return self.on_time + self.late

    def rate_figure(self, kind: ComplianceRate) -> RateFigure:
        if kind == ComplianceRate.IMPLEMENTED:
            return RateFigure(kind, counted=self.implemented, all_due=self.all_due, late=self.late)
        return RateFigure(kind, counted=self.on_time, all_due=self.all_due, late=0)

    def rates(self, *, lead: ComplianceRate) -> list[RateFigure]:
        """Both rates, the one that leads first."""
        return [self.rate_figure(kind) for kind in rates_in_order(lead)]

    @property
    def rate(self) -> Fraction | None:
        """The on-time rate (complied on time / all due); None when nothing is due yet."""
        return self.rate_figure(ComplianceRate.ON_TIME).rate

    @property
    def rate_percent(self) -> str:
        """The on-time rate: '67%', or '' where there is no rate."""
        return percent(self.rate)

    @property
    def due_part(self) -> "ComplianceFigures":
        """Only the buckets the rates count (what a quarterly series adds up to)."""
        return ComplianceFigures.from_counts({b: getattr(self, b) for b in Bucket.DUE})

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


def rates_in_order(lead: ComplianceRate) -> list[ComplianceRate]:
    """The two rates, ``lead`` first."""
    return [lead, *(kind for kind in ComplianceRate if kind != lead)]


def sum_figures(figures: Iterable[ComplianceFigures]) -> ComplianceFigures:
    total = ComplianceFigures()
    for each in figures:
        total += each
    return total
