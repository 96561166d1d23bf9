"""The annual letter reconciled: the LGSCO's figures for a council and year beside the same
figures computed from the app's records, and the complaints behind each difference.

``reconcile(letter, today=...)`` runs four queries, whatever the number of complaints. What
each computed figure counts is in ``DEFINITIONS``, shown on the page beside it: the LGSCO
counts the decisions it made in the year, and the app can only count the complaints someone
recorded, so some differences cannot be listed by complaint (the page says so), while others
(a finding or a compliance outcome recorded differently) can.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Exists, OuterRef

from deadlines.compliance import ALL_DUE_DEFINITION, ComplianceFigures, RateFigure
from deadlines.models import ComplianceRate, ComplianceSettings, Outcome
from ombudsman_tracker.financial_years import FinancialYear
from ombudsman_tracker.formats import counted, date_text
from recommendations.models import Complaint, Finding, Recommendation

from .models import AnnualLetter

# The annual review letters are the LGSCO's: complaints to other ombudsmen are not counted.
LGSCO = "LGSCO"
UPHELD_FINDINGS = (Finding.FAULT_WITH_INJUSTICE, Finding.FAULT)

DEFINITIONS = {
    "decisions": (
        "Complaints to the LGSCO that bind this council and whose report (the Ombudsman's "
        "decision) is dated in the year. The LGSCO counts every decision it made in the year, "
        "including complaints it decided without investigating: the app holds those only if "
        "someone recorded them."
    ),
    "upheld": (
        "Of those decisions, the ones recorded with a finding of fault, with or without "
        "injustice: what the LGSCO calls upheld."
    ),
    "compliance_rate": (
        "The council's recommendations on LGSCO complaints that fell due in the year (by the "
        "due date in force), each with its outcome as recorded today. The LGSCO counts the "
        "compliance outcomes it recorded in the year, so a recommendation due near the end of "
        "one year may be in the next year's letter."
    ),
    "compliance_outcomes": ALL_DUE_DEFINITION,
    "satisfactory_remedies": (
        "Upheld decisions on which the Ombudsman made no recommendation to this council: the "
        'nearest the records come to "the council had already put things right", which the '
        "app does not record as such."
    ),
}
LABELS = {
    "decisions": "Decisions",
    "upheld": "Upheld",
    "compliance_rate": "Compliance rate",
    "compliance_outcomes": "Compliance outcomes",
    "satisfactory_remedies": "Satisfactory remedies provided by the council",
}
NOT_HELD = (
    "A decision the app does not hold cannot be listed by complaint: record the complaint, "
    "with the date of the Ombudsman's decision as its report date, and it will be counted."
)


@dataclass(frozen=True)
class Line:
    """A complaint behind a difference, and what about it may explain the difference."""

    complaint: Complaint
    note: str


@dataclass(frozen=True)
class FigureRow:
    key: str
    stated: str  # as the letter states it; '' where it states none
    computed: str
    matches: bool | None  # None: the letter states no figure to compare
    difference: str = ""  # the difference in words, '' where they match
    lines: list[Line] = field(default_factory=list)  # the complaints behind the difference
    unlisted: str = ""  # what cannot be listed by complaint, and why

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.key]


@dataclass(frozen=True)
class Reconciliation:
    letter: AnnualLetter
    year: FinancialYear
    today: date
    rows: list[FigureRow]
    rates: list[RateFigure]  # both compliance rates, the organisation's lead first

    @property
    def differences(self) -> list[FigureRow]:
        return [row for row in self.rows if row.matches is False]

    def row(self, key: str) -> FigureRow:
        return next(row for row in self.rows if row.key == key)


# --- Pure helpers ------------------------------------------------------------------------------


def stated_places(rate: Decimal) -> int:
    """How many decimal places a stated percentage has: 98 (or 98.00) 0, 97.5 1."""
    exponent = rate.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate_at_places(rate: Fraction, places: int) -> Decimal:
    """``rate`` (a share, 0 to 1) as a percentage rounded half up to ``places``, as the
    letter would print it: 44/45 at 0 places is 98."""
    scaled = math.floor(rate * 100 * 10**places + Fraction(1, 2))
    return Decimal(scaled).scaleb(-places)


def percent_text(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def rate_matches(stated: Decimal, rate: Fraction | None) -> bool:
    return rate is not None and rate_at_places(rate, stated_places(stated)) == stated.normalize()


def _count_difference(stated: int, computed: int, noun: str) -> str:
    if stated > computed:
        return f"The letter counts {counted(stated - computed, noun)} more than the app holds."
    return f"The app counts {counted(computed - stated, noun)} more than the letter."


# --- The figures ------------------------------------------------------------------------------


def _decisions_row(letter, complaints) -> FigureRow:
    computed = len(complaints)
    if letter.decisions == computed:
        return FigureRow("decisions", str(letter.decisions), str(computed), True)
    if letter.decisions > computed:
        return FigureRow(
            "decisions",
            str(letter.decisions),
            str(computed),
            False,
            _count_difference(letter.decisions, computed, "decision"),
            unlisted=NOT_HELD,
        )
    return FigureRow(
        "decisions",
        str(letter.decisions),
        str(computed),
        False,
        _count_difference(letter.decisions, computed, "decision")
        + " Check these against the LGSCO's list: one may be dated in another year, or not be "
        "a decision of the LGSCO's.",
        lines=[Line(c, f"Report dated {date_text(c.report_date)}") for c in complaints],
    )


def _upheld_row(letter, complaints) -> FigureRow:
    upheld = [c for c in complaints if c.finding in UPHELD_FINDINGS]
    not_upheld = [c for c in complaints if c.finding not in UPHELD_FINDINGS]
    computed = len(upheld)
    if letter.upheld == computed:
        return FigureRow("upheld", str(letter.upheld), str(computed), True)
    difference = _count_difference(letter.upheld, computed, "upheld decision")
    if letter.upheld > computed:
        return FigureRow(
            "upheld",
            str(letter.upheld),
            str(computed),
            False,
            difference,
            lines=[
                Line(
                    c,
                    f"Recorded as {c.get_finding_display().lower()}: the LGSCO may have upheld it",
                )
                for c in not_upheld
            ],
            unlisted=NOT_HELD,
        )
    return FigureRow(
        "upheld",
        str(letter.upheld),
        str(computed),
        False,
        difference,
        lines=[
            Line(
                c,
                f"Recorded as {c.get_finding_display().lower()}: the letter may count it as "
                "not upheld",
            )
            for c in upheld
        ],
    )


def _outcome_note(recommendation, *, today) -> str:
    deadline = recommendation.deadline
    outcome = deadline.outcome(at=today)
    due = date_text(deadline.due_date)
    what = f"Recommendation {recommendation.number}"
    match outcome:
        case Outcome.COMPLIED_ON_TIME:
            return f"{what}: complied on time on {date_text(deadline.completed_on)} (due {due})"
        case Outcome.COMPLIED_LATE:
            return f"{what}: complied late on {date_text(deadline.completed_on)} (due {due})"
        case Outcome.NOT_COMPLIED:
            return f"{what}: recorded as not complied (due {due})"
        case Outcome.OVERDUE:
            return f"{what}: still open, overdue since {due}"
        case Outcome.AWAITING:
            sent = date_text(deadline.completed_on)
            return f"{what}: evidence sent on {sent}, awaiting the Ombudsman (due {due})"
    return f"{what}: {outcome.label.lower()} (due {due})"


# Which recorded outcomes pull the app's rate down (each rate's "not complied" side). Evidence
# sent and awaiting the Ombudsman does, once due: the Ombudsman may have been satisfied since.
_AGAINST = {
    ComplianceRate.IMPLEMENTED: {Outcome.NOT_COMPLIED, Outcome.OVERDUE, Outcome.AWAITING},
    ComplianceRate.ON_TIME: {
        Outcome.NOT_COMPLIED,
        Outcome.OVERDUE,
        Outcome.COMPLIED_LATE,
        Outcome.AWAITING,
    },
}
_FOR = {
    ComplianceRate.IMPLEMENTED: {Outcome.COMPLIED_ON_TIME, Outcome.COMPLIED_LATE},
    ComplianceRate.ON_TIME: {Outcome.COMPLIED_ON_TIME},
}


def _rate_text(rate: RateFigure) -> str:
    if rate.rate is None:
        return f"{rate.label}: none (nothing due)"
    return f"{rate.label}: {rate.rate_percent} ({rate.of_due})"


def _compliance_row(letter, recommendations, rates, *, today) -> FigureRow:
    lead, other = rates
    computed = "; ".join(_rate_text(rate) for rate in rates)
    stated = letter.compliance_rate
    if stated is None:
        return FigureRow("compliance_rate", "", computed, None)
    if rate_matches(stated, lead.rate):
        return FigureRow("compliance_rate", percent_text(stated), computed, True)
    if lead.rate is None:
        return FigureRow(
            "compliance_rate",
            percent_text(stated),
            computed,
            False,
            "The app holds no recommendation on an LGSCO complaint due in the year.",
            unlisted=NOT_HELD,
        )
    app = rate_at_places(lead.rate, stated_places(stated))
    higher = stated > app
    outcomes = _AGAINST[lead.kind] if higher else _FOR[lead.kind]
    difference = (
        f"The letter's rate is {'higher' if higher else 'lower'} than the app's "
        f"{lead.label.lower()} rate ({percent_text(app)}). "
        + (
            "The LGSCO may have counted as complied a recommendation the app records as not "
            "complied, overdue or late:"
            if higher
            else "The LGSCO may have counted as not complied a recommendation the app records "
            "as complied:"
        )
        + " check these outcomes."
    )
    if rate_matches(stated, other.rate):
        difference += (
            f" The letter's rate matches the app's {other.label.lower()} rate: the difference "
            "may be only in how late compliance is counted."
        )
    lines = [
        Line(r.complaint, _outcome_note(r, today=today))
        for r in recommendations
        if r.deadline.outcome(at=today) in outcomes
    ]
    return FigureRow(
        "compliance_rate", percent_text(stated), computed, False, difference, lines=lines
    )


def _outcomes_row(letter, recommendations, figures, *, today) -> FigureRow:
    stated, computed = letter.compliance_outcomes, figures.all_due
    if stated is None:
        return FigureRow("compliance_outcomes", "", str(computed), None)
    if stated == computed:
        return FigureRow("compliance_outcomes", str(stated), str(computed), True)
    difference = _count_difference(stated, computed, "outcome")
    if stated > computed:
        return FigureRow(
            "compliance_outcomes",
            str(stated),
            str(computed),
            False,
            difference,
            unlisted=(
                "Recommendations the app does not hold, or holds with a due date in another "
                "year, cannot be listed here. " + NOT_HELD
            ),
        )
    overdue = [
        Line(
            r.complaint,
            _outcome_note(r, today=today) + ": the LGSCO may not have recorded an outcome yet",
        )
        for r in recommendations
        if r.deadline.outcome(at=today) == Outcome.OVERDUE
    ]
    return FigureRow(
        "compliance_outcomes", str(stated), str(computed), False, difference, lines=overdue
    )


def _remedies_row(letter, complaints) -> FigureRow:
    upheld = [c for c in complaints if c.finding in UPHELD_FINDINGS]
    remedied = [c for c in upheld if not c.has_recommendations]
    stated, computed = letter.satisfactory_remedies, len(remedied)
    if stated == computed:
        return FigureRow("satisfactory_remedies", str(stated), str(computed), True)
    difference = _count_difference(stated, computed, "remedy")
    if stated > computed:
        return FigureRow(
            "satisfactory_remedies",
            str(stated),
            str(computed),
            False,
            difference,
            lines=[
                Line(
                    c,
                    "Upheld, with recommendations recorded: if the council had already put "
                    "things right, the LGSCO counts it here",
                )
                for c in upheld
                if c.has_recommendations
            ],
            unlisted=NOT_HELD,
        )
    return FigureRow(
        "satisfactory_remedies",
        str(stated),
        str(computed),
        False,
        difference,
        lines=[
            Line(c, "Upheld with no recommendation recorded: is one missing from the records?")
            for c in remedied
        ],
    )


# --- The records ------------------------------------------------------------------------------


def complaints_decided(organisation, year: FinancialYear):
    """The LGSCO's complaints binding ``organisation`` whose report is dated in ``year``,
    oldest first, each annotated ``has_recommendations`` (to this organisation)."""
    return (
        Complaint.objects.filter(
            organisations=organisation,
            ombudsman__short_name=LGSCO,
            report_date__gte=year.start,
            report_date__lte=year.end,
        )
        .annotate(
            has_recommendations=Exists(
                Recommendation.objects.filter(complaint=OuterRef("pk"), organisation=organisation)
            )
        )
        .order_by("report_date", "reference")
    )


def recommendations_due(organisation, year: FinancialYear):
    """The organisation's recommendations on LGSCO complaints due in ``year`` (by the date in
    force), with their deadlines and complaints."""
    return (
        Recommendation.objects.filter(
            organisation=organisation,
            complaint__ombudsman__short_name=LGSCO,
            deadline__due_date__gte=year.start,
            deadline__due_date__lte=year.end,
        )
        .select_related("deadline", "complaint")
        .order_by("deadline__due_date", "complaint__reference", "number")
    )


def reconcile(letter: AnnualLetter, *, today: date) -> Reconciliation:
    """The letter's figures beside the app's for the same council and year, with the
    complaints behind each difference. The compliance rate is compared with the rate the
    organisation leads with (``ComplianceSettings``; the LGSCO's apparent reading unless it
    chose); both are shown. Four queries."""
    year = letter.financial_year
    organisation = letter.organisation
    complaints = list(complaints_decided(organisation, year))
    recommendations = list(recommendations_due(organisation, year))
    figures = ComplianceFigures.of((r.deadline for r in recommendations), today=today)
    rates = figures.rates(lead=ComplianceSettings.objects.lead_for(organisation))
    rows = [
        _decisions_row(letter, complaints),
        _upheld_row(letter, complaints),
        _compliance_row(letter, recommendations, rates, today=today),
        _outcomes_row(letter, recommendations, figures, today=today),
        _remedies_row(letter, complaints),
    ]
    return Reconciliation(letter=letter, year=year, today=today, rows=rows, rates=rates)
