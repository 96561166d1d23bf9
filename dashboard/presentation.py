"""What the dashboard shows, decided here and not in templates: figures, words and tags.

Pure functions of what ``dashboard.selectors`` read.
"""

from dataclasses import dataclass

from audits.models import AuditProgramme
from audits.presentation import decision_explanation, decision_tag
from ombudsman_tracker.formats import percent
from ombudsman_tracker.presentation import Tag

from .compliance import ComplianceFigures
from .selectors import ProgrammeProgress


@dataclass(frozen=True)
class Figure:
    id: str
    value: str
    label: str
    hint: str = ""
    emphasis: str = ""  # a modifier class: "overdue" draws the figure in red


def headline(figures: ComplianceFigures) -> list[Figure]:
    """The figures at the top of the page, in the order a manager reads them."""
    rate = percent(figures.rate)
    return [
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
        Figure(
            "rate",
            rate or "No rate",
            "compliance rate",
            hint=(
                f"{figures.on_time} on time of {figures.all_due} due"
                if figures.all_due
                else "No recommendation is due yet"
            ),
        ),
    ]


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
