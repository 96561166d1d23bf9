"""What the dashboard shows, decided here and not in templates: figures, words and tags.

Pure functions of what ``dashboard.selectors`` read.
"""

from dataclasses import dataclass

from audits.models import AuditProgramme
from audits.presentation import decision_explanation, decision_tag
from deadlines.compliance import ComplianceFigures, RateFigure, rates_in_order
from deadlines.models import ComplianceRate
from ombudsman_tracker.presentation import Tag

from .compliance import QuarterSeries
from .selectors import Breakdown, GroupFigures, ProgrammeProgress


@dataclass(frozen=True)
class Figure:
    id: str
    value: str
    label: str
    hint: str = ""
    emphasis: str = ""  # a modifier class: "overdue" draws the figure in red


# The rates' figures on the page: ``figure-rate-implemented`` and ``figure-rate-on-time``.
RATE_IDS = {ComplianceRate.IMPLEMENTED: "implemented", ComplianceRate.ON_TIME: "on-time"}


def headline(figures: ComplianceFigures, *, lead: ComplianceRate) -> list[Figure]:
    """The figures at the top of the page, in the order a manager reads them: the two
    compliance rates side by side, the one that leads first."""
    counts = [
        Figure(
            "open",
            str(figures.open),
            "open recommendation" if figures.open == 1 else "open recommendations",
        ),
        Figure(
            "overdue",
            str(figures.overdue),
            "overdue",
            emphasis="overdue" if figures.overdue else "",
        ),
        Figure("due-14", str(figures.due_within_14_days), "due in the next 14 days"),
        Figure("due-30", str(figures.due_within_30_days), "due in the next 30 days"),
        Figure("on-time", str(figures.on_time), "complied on time"),
        Figure("late", str(figures.late), "complied late"),
    ]
    rates = [
        Figure(
            f"rate-{RATE_IDS[rate.kind]}",
            rate.rate_percent or "No rate",
            rate.label.lower(),
            hint=rate.of_due or "No recommendation is due yet",
        )
        for rate in figures.rates(lead=lead)
    ]
    return counts + rates


# --- Tables of figures, with both rates in the order they lead ------------------------------


@dataclass(frozen=True)
class FiguresRow:
    label: str
    figures: ComplianceFigures
    rates: list[RateFigure]  # the one that leads first


@dataclass(frozen=True)
class FiguresTable:
    rate_labels: list[str]  # the rates' column headers, the one that leads first
    rows: list[FiguresRow]
    total: FiguresRow | None  # only where there is more than one row to add up


def figures_table(groups: list[GroupFigures], total: ComplianceFigures, *, lead) -> FiguresTable:
    """A breakdown (per organisation, service area or owner) as its table shows it."""
    return FiguresTable(
        rate_labels=[kind.label for kind in rates_in_order(lead)],
        rows=[FiguresRow(g.label, g.figures, g.figures.rates(lead=lead)) for g in groups],
        total=FiguresRow("All", total, total.rates(lead=lead)) if len(groups) > 1 else None,
    )


def breakdown_tables(breakdown: Breakdown, *, lead) -> dict[str, FiguresTable]:
    """The three tabs' tables, by the name of their grouping."""
    return {
        name: figures_table(getattr(breakdown, f"by_{name}"), breakdown.total, lead=lead)
        for name in ("organisation", "service_area", "owner")
    }


def quarters_table(series: QuarterSeries, *, lead) -> FiguresTable:
    """The quarterly series as its table shows it: one row a bar of the chart."""
    return FiguresTable(
        rate_labels=[kind.label for kind in rates_in_order(lead)],
        rows=[FiguresRow(r.label, r.figures, r.figures.rates(lead=lead)) for r in series.rows],
        total=None,
    )


# --- Audit programmes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeRow:
    programme: AuditProgramme
    audited: int
    sample_size: int
    progress_label: str  # "23 of 50 cases audited", or why there is no progress yet
    tag: Tag | None
    reason: str


def programme_rows(progress: list[ProgrammeProgress]) -> list[ProgrammeRow]:
    rows = []
    for each in progress:
        threshold = each.threshold
        if not threshold.sample_size:
            label, tag, reason = "No sample drawn yet", None, ""
        else:
            label = f"{threshold.audited} of {threshold.sample_size} cases audited"
            if each.has_threshold:
                tag, reason = decision_tag(threshold), decision_explanation(threshold)
            else:
                tag, reason = None, "A full audit has no threshold: every case is audited."
        rows.append(
            ProgrammeRow(
                programme=each.programme,
                audited=threshold.audited,
                sample_size=threshold.sample_size,
                progress_label=label,
                tag=tag,
                reason=reason,
            )
        )
    return rows
