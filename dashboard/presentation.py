"""What the dashboard shows, decided here and not in templates: figures, words and tags.

Pure functions of what ``dashboard.selectors`` read.
"""

from dataclasses import dataclass

from audits.models import AuditProgramme
from audits.presentation import decision_explanation, decision_tag
from deadlines.compliance import ComplianceFigures, RateFigure, rates_in_order
from deadlines.models import ComplianceRate
from ombudsman_tracker.formats import counted, listed
from ombudsman_tracker.presentation import Tag

from .compliance import QuarterSeries
from .selectors import Breakdown, Clocks, GroupFigures, Owners, ProgrammeProgress, Programmes


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
    if figures.awaiting_ombudsman:  # only where evidence has been sent through the app
        counts.append(
            Figure(
                "awaiting",
                str(figures.awaiting_ombudsman),
                "evidence sent, awaiting the Ombudsman",
                hint=f"{figures.awaiting_due} past the due date, counted as due, not complied"
                if figures.awaiting_due
                else "",
            )
        )
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


def figures_table(
    groups: list[GroupFigures], total: ComplianceFigures, *, lead, groups_in_total: int = 0
) -> FiguresTable:
    """A breakdown (per organisation, service area or owner) as its table shows it.
    ``groups_in_total``: how many groups the total adds up, where the table lists fewer."""
    return FiguresTable(
        rate_labels=[kind.label for kind in rates_in_order(lead)],
        rows=[FiguresRow(g.label, g.figures, g.figures.rates(lead=lead)) for g in groups],
        total=(
            FiguresRow("All", total, total.rates(lead=lead))
            if max(len(groups), groups_in_total) > 1
            else None
        ),
    )


def breakdown_tables(breakdown: Breakdown, owners: Owners, *, lead) -> dict[str, FiguresTable]:
    """The three tabs' tables, by the name of their grouping: the owners' lists only those
    ``owners`` chose to show, its total still counts everyone's."""
    total = breakdown.total
    return {
        "organisation": figures_table(breakdown.by_organisation, total, lead=lead),
        "service_area": figures_table(breakdown.by_service_area, total, lead=lead),
        "owner": figures_table(owners.shown, total, lead=lead, groups_in_total=owners.all),
    }


# --- What a section leaves out --------------------------------------------------------------


def owners_not_shown(owners: Owners) -> list[str]:
    """Sentences saying which owners the by-owner table leaves out, and why; none if it
    lists them all."""
    sentences = []
    if owners.due_not_shown:
        sentences.append(
            f"Showing the {len(owners.shown)} owners with the most overdue, then the most due "
            f"soonest, of {owners.with_something_due} with a recommendation overdue or due in "
            f"the next 30 days: {counted(owners.due_not_shown, 'other')} "
            f"{'is' if owners.due_not_shown == 1 else 'are'} not shown."
        )
    if owners.nothing_due:
        sentences.append(
            f"{counted(owners.nothing_due, 'owner')} with nothing overdue or due in the next "
            f"30 days {'is' if owners.nothing_due == 1 else 'are'} not shown."
        )
    if sentences:
        sentences.append("The All row counts every owner's recommendations.")
    return sentences


def clocks_not_shown(clocks: Clocks) -> str:
    """What the clocks table leaves out, in words; empty if it lists every clock."""
    left_out = []
    if clocks.open_not_shown:
        left_out.append(counted(clocks.open_not_shown, "less urgent open clock"))
    if clocks.closed:
        left_out.append(f"{counted(clocks.closed, 'closed clock')} (met, not met or withdrawn)")
    if not left_out:
        return ""
    shown = (
        f"Showing the {len(clocks.most_urgent)} open clocks due soonest. "
        if clocks.open_not_shown
        else ""
    )
    return f"{shown}Not shown: {listed(left_out)}."


def programmes_not_shown(programmes: Programmes) -> str:
    """What the audit programmes table leaves out, in words; empty if it lists every one."""
    left_out = []
    if programmes.open_not_shown:
        left_out.append(
            counted(programmes.open_not_shown, "open audit due later", "open audits due later")
        )
    if programmes.closed:
        left_out.append(counted(programmes.closed, "closed audit"))
    if not left_out:
        return ""
    shown = (
        f"Showing the {len(programmes.most_urgent)} open audits due soonest. "
        if programmes.open_not_shown
        else ""
    )
    return f"{shown}Not shown: {listed(left_out)}."


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
