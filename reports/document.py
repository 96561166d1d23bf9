"""The content of a committee report, built once and rendered as Word, PDF, HTML and CSV.

``report_document`` reads the data and returns a ``ReportDocument``: a title, a few facts, the
body's blocks (headings, paragraphs, tables) holding only text, and an appendix listing the
cases of each case audit. The body summarises what an audit found in counts, so its length does
not grow with the audit: a full audit of 600 cases adds its 600 case references to the appendix
and nothing to the body. The renderers
(``reports.docx``, ``reports.pdf``, the preview template, ``tables_csv``) lay the blocks out and
decide nothing, so every format says the same. An issued report keeps its document as JSON
(``to_json``), so its preview and CSV show what its files show, whatever changes later.
"""

import csv
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

from annual_review.models import AnnualLetter
from annual_review.reconciliation import reconcile
from audits.models import Answer, AuditOutcome, AuditProgramme, Grade, ProgrammeKind, SampleCase
from audits.presentation import decision_explanation, rate_text
from audits.selectors import QUESTIONS, counted_outcomes, findings_summary
from deadlines.compliance import ALL_DUE_DEFINITION, ComplianceFigures
from deadlines.models import (
    ComplianceRate,
    ComplianceSettings,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    ExtensionStatus,
    Outcome,
)
from learning.selectors import coverage_by_recommendation
from ombudsman_tracker.financial_years import financial_year
from ombudsman_tracker.formats import counted, date_text, listed
from plans.models import ActionPlan
from plans.timeline import complaint_timeline, timeline_svg
from recommendations.models import Recommendation
from remedies.models import RemedyPayment
from remedies.presentation import money
from remedies.selectors import payment_totals

from .models import DistributionEntry

# --- The document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1 for a section, 2 for a part of one
    kind: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass(frozen=True)
class Bullets:
    """A bullet list. Reports no longer make them, but those issued before keep theirs (each
    audited case's findings) in their stored content, which their preview and CSV still read."""

    items: list[str]
    kind: str = "bullets"


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    kind: str = "table"


@dataclass(frozen=True)
class Figure:
    """A chart drawn on the server as SVG markup (``plans.timeline.timeline_svg``: every text
    in it escaped), with its text alternative. The preview and the PDF draw the SVG; Word gets
    it as a picture (``reports.docx``). A table after it always carries the same facts."""

    caption: str
    description: str
    svg: str
    kind: str = "figure"


BLOCK_TYPES = {cls.kind: cls for cls in (Heading, Paragraph, Bullets, Table, Figure)}


@dataclass(frozen=True)
class ReportDocument:
    title: str
    facts: list[tuple[str, str]]
    blocks: list = field(default_factory=list)
    # After the body, on a new page: a table per case audit, a row per team and outcome with its
    # cases' references. Empty when no sample is drawn (and in reports issued before it existed).
    appendix: list = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [block for block in (*self.blocks, *self.appendix) if block.kind == "table"]

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "facts": [list(fact) for fact in self.facts],
            "blocks": [asdict(block) for block in self.blocks],
            "appendix": [asdict(block) for block in self.appendix],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ReportDocument":
        return cls(
            title=data["title"],
            facts=[tuple(fact) for fact in data["facts"]],
            blocks=_blocks(data["blocks"]),
            appendix=_blocks(data.get("appendix", [])),
        )


def _blocks(data: list[dict]) -> list:
    return [BLOCK_TYPES[block["kind"]](**block) for block in data]


def _date(day: date | None) -> str:
    """A date in the report: ``5 March 2026``, or ``Not yet`` for one still to come."""
    return date_text(day, missing="Not yet")


# --- Building it ----------------------------------------------------------------------------


TITLE = "Progress on the Ombudsman's recommendations"


def report_document(*, report, at: date, status: str) -> ReportDocument:
    """The document for ``report`` (saved, draft or being issued) with the figures as at ``at``.

    Only the records of ``report.organisation`` are read: each council bound by a complaint
    keeps its own recommendations and clocks. ``status`` is the line saying draft or version.
    Live concerns are never in a committee report: they are about a child at risk now.
    Both compliance rates are given, the one ``report.organisation`` leads with first.
    """
    complaints = list(report.complaints.select_related("ombudsman").order_by("reference"))
    organisation, body = report.organisation, report.body
    references = [complaint.reference for complaint in complaints]
    facts = [
        ("Report to", body.name),
        ("Meeting", _date(report.meeting_date)),
        ("Organisation", str(organisation)),
        ("Complaint" if len(complaints) == 1 else "Complaints", listed(references)),
        ("Position as at", _date(at)),
        ("Status", status),
    ]
    ombudsmen = listed(sorted({complaint.ombudsman.name for complaint in complaints}))
    blocks = [
        Heading("Purpose of the report", 1),
        Paragraph(
            f"This report tells the {body.name} what {organisation} has done about the "
            f"recommendations of the {ombudsmen} in "
            f"{'complaint' if len(complaints) == 1 else 'complaints'} {listed(references)}, for "
            f"its meeting on {_date(report.meeting_date)}. The figures are as at "
            f"{_date(at)}."
        ),
        Heading("Summary", 1),
    ]
    lead = ComplianceSettings.objects.lead_for(organisation)
    parts = [_ComplaintPart(complaint, organisation, at, lead) for complaint in complaints]
    blocks += [Paragraph(part.summary()) for part in parts]
    for part in parts:
        blocks += part.blocks()
    blocks += annual_letter_blocks(
        letter=annual_letter_for_meeting(organisation, report.meeting_date), at=at
    )
    blocks += [Heading("What the meeting is asked to do", 1)]
    blocks += [Paragraph(text) for text in _paragraphs(report.asked_to)]
    cases = [block for part in parts for block in part.appendix()]
    return ReportDocument(
        title=TITLE, facts=facts, blocks=blocks, appendix=_appendix(cases) if cases else []
    )


APPENDIX = "Appendix: the cases audited"


def _appendix(cases: list) -> list:
    return [
        Heading(APPENDIX, 1),
        Paragraph(
            "Every case in each audit's sample by its pseudonymised case reference, grouped by "
            "its team and its outcome: the overall grade and whether it shows similar issues, "
            "as its auditor submitted them or as a manager settled them after moderation."
        ),
        *cases,
    ]


def _paragraphs(text: str) -> list[str]:
    return [
        " ".join(part.split()) for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()
    ]


class _ComplaintPart:
    """One complaint's sections, from a fixed number of queries."""

    def __init__(self, complaint, organisation, at: date, lead: ComplianceRate):
        self.complaint, self.organisation, self.at, self.lead = complaint, organisation, at, lead
        mine = {"complaint": complaint, "organisation": organisation}
        self.recommendations = list(
            Recommendation.objects.filter(**mine)
            .select_related("deadline__owner")
            .prefetch_related("evidence", "deadline__extensions")
            .order_by("number")
        )
        # Milestones have their own section (the action plan), against their baseline.
        self.deadlines = list(
            Deadline.objects.filter(**mine)
            .exclude(
                kind__in=[
                    DeadlineKind.LIVE_CONCERN,
                    DeadlineKind.MILESTONE,
                    DeadlineKind.REMEDY_PAYMENT,
                ]
            )
            .order_by("original_due_date", "due_date", "pk")
        )
        self.clocks = [d for d in self.deadlines if d.is_statutory]
        self.figures = ComplianceFigures.of(
            (r.deadline for r in self.recommendations), today=self.at
        )
        self.programmes = list(
            AuditProgramme.objects.filter(
                recommendation__complaint=complaint, recommendation__organisation=organisation
            ).order_by("pk")
        )
        self.distribution = list(
            DistributionEntry.objects.filter(**mine)
            .select_related("body")
            .order_by("meeting_date", "pk")
        )

    @property
    def name(self) -> str:
        return f"complaint {self.complaint.reference}"

    def summary(self) -> str:
        complaint = self.complaint
        found = complaint.get_finding_display().lower()
        issued = "a public interest report" if complaint.is_public_interest_report else "a report"
        text = (
            f"Complaint {complaint.reference} ({complaint.title}): the {complaint.ombudsman.name} "
            f"found {found} and issued {issued} dated {_date(complaint.report_date)}. "
        )
        outcomes = Counter(r.outcome(at=self.at) for r in self.recommendations)
        if outcomes:
            counts = [
                f"{outcomes[outcome]} {outcome.label.lower()}"
                for outcome in Outcome
                if outcomes[outcome]
            ]
            text += (
                f"{counted(len(self.recommendations), 'recommendation')} for "
                f"{self.organisation}: {listed(counts)}. {_rates_sentence(self.figures, self.lead)}"
            )
        else:
            text += f"No recommendations for {self.organisation} are recorded yet."
        open_clocks = [c for c in self.clocks if c.status == DeadlineStatus.OPEN]
        if open_clocks:
            first = open_clocks[0]
            text += f" Next statutory deadline: {first.title}, due on {_date(first.due_date)}."
        return text

    def blocks(self) -> list:
        complaint = self.complaint
        return [
            Heading(f"Complaint {complaint.reference}: {complaint.title}", 1),
            *self._recommendations(),
            *self._clocks(),
            *self._audits(),
            *self._action_plan(),
            *self._learning(),
            *self._payments(),
            *self._timeline(),
            *self._distribution(),
        ]

    # Recommendations, evidence and next steps

    def _recommendations(self) -> list:
        blocks = [Heading("Recommendations", 2)]
        if not self.recommendations:
            return [*blocks, Paragraph(f"No recommendations for {self.organisation} yet.")]
        blocks.append(
            Table(
                f"Recommendations of {self.name}",
                ["No.", "Recommendation", "Due date", "Status", "Outcome"],
                [
                    [
                        str(r.number),
                        r.text,
                        _date(r.deadline.due_date),
                        r.get_status_display(),
                        r.outcome(at=self.at).label,
                    ]
                    for r in self.recommendations
                ],
            )
        )
        blocks += self._compliance()
        blocks.append(Heading("Evidence", 2))
        evidence = [
            [str(r.number), _evidence_text(item), _date(item.added_at.date())]
            for r in self.recommendations
            for item in r.evidence.all()
        ]
        if evidence:
            blocks.append(
                Table(f"Evidence for {self.name}", ["No.", "Evidence", "Added on"], evidence)
            )
        else:
            blocks.append(Paragraph("No evidence has been recorded yet."))
        blocks += [
            Heading("Next steps", 2),
            Table(
                f"Next steps for {self.name}",
                ["No.", "Next step", "Owner"],
                [
                    [str(r.number), next_step(r, at=self.at), str(r.deadline.owner or "Nobody yet")]
                    for r in self.recommendations
                ],
            ),
        ]
        return blocks

    # Both compliance rates, the one that leads first

    def _compliance(self) -> list:
        figures = self.figures
        if figures.all_due:
            due = (
                f"As at {_date(self.at)}, {counted(figures.all_due, 'recommendation')} "
                f"{'has' if figures.all_due == 1 else 'have'} fallen due: "
                f"{figures.on_time} complied on time, {figures.late} complied late, "
                f"{figures.not_complied} not complied and {figures.overdue} still open after "
                "the due date"
                + (
                    f", and {figures.awaiting_due} with evidence sent, awaiting the Ombudsman"
                    if figures.awaiting_due
                    else ""
                )
                + "."
            )
        else:
            due = f"As at {_date(self.at)}, no recommendation has fallen due yet."
        return [
            Heading("Compliance rates", 2),
            Paragraph(
                f"{due} Two rates are given, because it is not confirmed whether the "
                "Ombudsman's annual letter counts a recommendation implemented late as "
                f"complied. {self.organisation} leads with the first. {ALL_DUE_DEFINITION}"
            ),
            Table(
                f"Compliance rates of {self.name}",
                ["Compliance rate", "What it counts", "Rate", "Recommendations"],
                [
                    [
                        rate.label,
                        rate.definition,
                        rate.rate_percent or "None due",
                        rate.of_due or "None due yet",
                    ]
                    for rate in figures.rates(lead=self.lead)
                ],
            ),
        ]

    # Statutory clocks

    def _clocks(self) -> list:
        blocks = [Heading("Statutory clocks", 2)]
        if not self.clocks:
            why = (
                "their start dates are not recorded yet"
                if self.complaint.is_public_interest_report
                else "this is not a public interest report"
            )
            return [*blocks, Paragraph(f"There are no statutory clocks: {why}.")]
        blocks.append(
            Table(
                f"Statutory clocks for {self.name}",
                ["Clock", "Rule", "Due date", "Outcome", "Completed on"],
                [
                    [
                        clock.title,
                        clock.rule_description,
                        _date(clock.due_date),
                        clock.outcome(at=self.at).label,
                        _date(clock.completed_on),
                    ]
                    for clock in self.clocks
                ],
            )
        )
        return blocks

    # The case audit

    def _audits(self) -> list:
        if not self.programmes:
            return [
                Heading("Case audit", 2),
                Paragraph("No case audit has been set up for this complaint."),
            ]
        blocks = []
        for programme in self.programmes:
            blocks.append(Heading(f"Case audit: {programme.title}", 2))
            if not programme.is_drawn:
                blocks.append(Paragraph("The sample has not been drawn yet."))
                continue
            blocks += _audit_blocks(programme)
        return blocks

    def appendix(self) -> list:
        """Each drawn sample's cases, for the report's appendix."""
        blocks = []
        for programme in (p for p in self.programmes if p.is_drawn):
            blocks += [
                Heading(programme.title, 2),
                Table(
                    f"Cases in the sample of {programme.title}, by team and outcome",
                    ["Team", "Outcome", "Cases"],
                    _case_groups(programme),
                ),
            ]
        return blocks

    # The action plan: each milestone against the baseline the committee agreed

    def _action_plan(self) -> list:
        blocks = [Heading("Action plan", 2)]
        mine = Recommendation.objects.filter(
            complaint=self.complaint, organisation=self.organisation
        )
        timeline = complaint_timeline(complaint=self.complaint, at=self.at, recommendations=mine)
        if not timeline.total:
            return [*blocks, Paragraph("No action plan milestones are recorded yet.")]
        blocks += [Paragraph(text) for text in self._baselines()]
        blocks += [
            Figure(
                caption=timeline.title,
                description=timeline.description,
                svg=str(timeline_svg(timeline, id=f"plan-{self.complaint.pk}")),
            ),
            Table(
                f"Action plan milestones of {self.name}: baseline, planned and done",
                ["No.", "Milestone", "Owner", "Baseline", "Planned", "Done", "Slippage"],
                [
                    [
                        str(row.recommendation_number),
                        row.title,
                        row.owner or "Nobody yet",
                        _date(row.baseline) if row.baseline else "Not in the baseline",
                        _date(row.planned),
                        _date(row.actual) if row.actual else row.status_label,
                        row.slippage,
                    ]
                    for row in timeline.rows
                ],
            ),
        ]
        if timeline.hidden:
            blocks.append(
                Paragraph(
                    f"{counted(timeline.hidden, 'more milestone')} "
                    f"{'is' if timeline.hidden == 1 else 'are'} not listed here: each "
                    "recommendation's action plan in the tracker lists them all."
                )
            )
        return blocks

    def _baselines(self) -> list[str]:
        """When each plan's baseline was agreed, and by whom (the committee's note)."""
        plans = ActionPlan.objects.filter(
            recommendation__complaint=self.complaint,
            recommendation__organisation=self.organisation,
        ).order_by("recommendation__number")
        texts = []
        for number, agreed_on, note in plans.values_list(
            "recommendation__number", "agreed_on", "baseline_note"
        ):
            if agreed_on:
                agreed = f"The plan for recommendation {number} was agreed on {_date(agreed_on)}"
                texts.append(f"{agreed}: {note}" if note else f"{agreed}.")
            else:
                texts.append(f"The plan for recommendation {number} has no agreed baseline yet.")
        return texts

    # The learning programme: how far each learning point reached (figures, never names)

    def _learning(self) -> list:
        coverages = coverage_by_recommendation(recommendations=self.recommendations, at=self.at)
        if not coverages:
            return []
        blocks = [Heading("Learning", 2)]
        for recommendation in self.recommendations:
            for coverage in coverages.get(recommendation.pk, []):
                point = coverage.learning_point
                blocks += [
                    Paragraph(
                        f"Recommendation {recommendation.number}, {point.title}: "
                        f"{coverage.text}, {coverage.overall.attended} of them at a session."
                    ),
                    Table(
                        f"Who {point.title} reached, by audience, as at {_date(self.at)}",
                        ["Audience", "People", "Acknowledged", "Attended a session"],
                        [
                            [
                                part.audience.name,
                                str(part.figures.people),
                                f"{part.figures.acknowledged} ({part.figures.percent})",
                                str(part.figures.attended),
                            ]
                            for part in coverage.audiences
                        ],
                    ),
                ]
        return blocks

    # Remedy payments: what was paid and what is owed (no payee: a pseudonymised reference
    # is for the finance team, not a committee)

    def _payments(self) -> list:
        # A cancelled payment is owed to nobody: it is in no total and not listed.
        owed = RemedyPayment.objects.filter(
            recommendation__in=[r.pk for r in self.recommendations]
        ).exclude(deadline__status=DeadlineStatus.WITHDRAWN)
        payments = list(
            owed.select_related("deadline", "recommendation").order_by(
                "recommendation__number", "deadline__due_date", "pk"
            )
        )
        if not payments:
            return []
        totals = payment_totals(payments=owed, today=self.at).overall
        return [
            Heading("Remedy payments", 2),
            Paragraph(
                f"{money(totals.paid)} paid and {money(totals.outstanding)} still to pay, of "
                f"which {money(totals.overdue)} is overdue, as at {_date(self.at)}."
            ),
            Table(
                f"Remedy payments of {self.name}",
                ["No.", "For", "Amount", "Due", "Paid"],
                [
                    [
                        str(payment.recommendation.number),
                        payment.get_kind_display(),
                        money(payment.amount),
                        _date(payment.deadline.due_date),
                        _date(payment.paid_on)
                        if payment.paid_on
                        else payment.deadline.outcome(at=self.at).label,
                    ]
                    for payment in payments
                ],
            ),
        ]

    # The agreed timeline: planned against actual dates

    def _timeline(self) -> list:
        blocks = [Heading("Timeline", 2)]
        if not self.deadlines:
            return [*blocks, Paragraph("No deadlines are recorded yet.")]
        blocks.append(
            Table(
                f"Timeline of {self.name}: planned and actual dates",
                ["What", "Planned", "Due now", "Completed", "Outcome"],
                [
                    [
                        deadline.title,
                        _date(deadline.original_due_date),
                        _date(deadline.due_date),
                        _date(deadline.completed_on),
                        deadline.outcome(at=self.at).label,
                    ]
                    for deadline in self.deadlines
                ],
            )
        )
        return blocks

    # Where it has been so far

    def _distribution(self) -> list:
        blocks = [Heading("Reported so far", 2)]
        if not self.distribution:
            return [*blocks, Paragraph("Not yet sent or presented to any body.")]
        blocks.append(
            Table(
                f"Where {self.name} has been sent or presented",
                ["Body", "Date", "What was sent or presented", "Agenda item", "Resolution"],
                [
                    [
                        entry.body.name,
                        _date(entry.meeting_date),
                        entry.what_was_sent,
                        entry.agenda_item or "None",
                        entry.resolution or "Not recorded",
                    ]
                    for entry in self.distribution
                ],
            )
        )
        return blocks


def _rates_sentence(figures: ComplianceFigures, lead: ComplianceRate) -> str:
    """Both rates in a sentence, the one that leads first: 'Implemented, late or not: 50%, 1
    of 2 due (1 late); implemented on time: 0%, 0 of 2 due.'"""
    if not figures.all_due:
        return "None has fallen due yet, so there is no compliance rate."
    first, second = figures.rates(lead=lead)
    return (
        f"{first.label}: {first.rate_percent}, {first.of_due}; "
        f"{second.label.lower()}: {second.rate_percent}, {second.of_due}."
    )


def _evidence_text(evidence) -> str:
    return f"{evidence.description} ({evidence.url})" if evidence.url else evidence.description


def next_step(recommendation, *, at: date) -> str:
    """What happens next to a recommendation, in words, from its status and dates."""
    deadline = recommendation.deadline
    outcome = deadline.outcome(at=at)
    match outcome:
        case Outcome.COMPLIED_ON_TIME | Outcome.COMPLIED_LATE:
            return f"None: {outcome.label.lower()} on {_date(deadline.completed_on)}."
        case Outcome.NOT_COMPLIED:
            return f"None: recorded as not complied on {_date(deadline.completed_on)}."
        case Outcome.WITHDRAWN:
            return "None: withdrawn."
        case Outcome.AWAITING:
            return (
                f"Evidence sent on {_date(deadline.completed_on)}: awaiting the Ombudsman's "
                "verdict, which decides whether it is complied."
            )
    due = _date(deadline.due_date)
    overdue = outcome == Outcome.OVERDUE
    lead, by = (f"Overdue: it was due on {due}. ", "") if overdue else ("", f" by {due}")
    requested = [e for e in deadline.extensions.all() if e.status == ExtensionStatus.REQUESTED]
    if requested:
        lead += (
            f"An extension to {_date(requested[-1].new_due_date)} has been requested "
            "and awaits a decision. "
        )
    expected = recommendation.expected_evidence.strip().rstrip(".")
    if not recommendation.evidence.all():
        return f"{lead}Complete it{by} and record the evidence the Ombudsman expects: {expected}."
    return (
        f"{lead}Evidence is recorded: mark it complied{by} once the evidence shows what the "
        f"Ombudsman expects: {expected}."
    )


# --- The Ombudsman's annual letter ---------------------------------------------------------

LETTER_HEADING = "The Ombudsman's annual letter"
# References behind a difference named in the report, at most: the letter's page has them all.
LETTER_REFERENCES = 10


def annual_letter_for_meeting(organisation, meeting_date: date):
    """The organisation's annual letter for the financial year of the meeting, or else the
    year before (the LGSCO writes each year's letter in the summer after it ends): one query.
    None if neither is recorded."""
    year = financial_year(meeting_date).start_year
    return (
        AnnualLetter.objects.filter(organisation=organisation, year__in=[year, year - 1])
        .order_by("-year")
        .first()
    )


def _letter_result(row) -> str:
    """'Matches', 'Not stated in the letter', or the difference in a sentence, with the
    references of the complaints behind it (never more about them)."""
    if row.matches is None:
        return "Not stated in the letter"
    if row.matches:
        return "Matches"
    first_sentence = row.difference.split(". ")[0].rstrip(".") + "."
    references = sorted({line.complaint.reference for line in row.lines})
    if not references:
        return f"Differs: {first_sentence}"
    shown = references[:LETTER_REFERENCES]
    more = len(references) - len(shown)
    named = listed([*shown, f"{counted(more, 'other')}"]) if more else listed(shown)
    return f"Differs: {first_sentence} To check: {named}."


def annual_letter_blocks(*, letter, at: date) -> list:
    """The letter's figures beside the records' (``annual_review.reconciliation``, four
    queries), with a sentence on how the records count them; nothing without a letter."""
    if letter is None:
        return []
    result = reconcile(letter, today=at)
    organisation, label = letter.organisation, letter.financial_year.label
    differences = len(result.differences)
    lead = result.rates[0]
    if differences:
        verdict = (
            f"{counted(differences, 'figure')} {'differs' if differences == 1 else 'differ'} "
            "from the records."
        )
    else:
        verdict = "Every figure the letter states matches the records."
    return [
        Heading(LETTER_HEADING, 1),
        Paragraph(
            f"The Local Government and Social Care Ombudsman's annual review letter for "
            f"{label} (1 April {result.year.start.year} to 31 March {result.year.end.year}) "
            f"states these figures for {organisation}; beside them are the same figures from "
            f"the records as at {_date(at)}. {verdict}"
        ),
        Table(
            f"The annual letter for {label} beside the records",
            ["Figure", "The letter", "The records", "Result"],
            [
                [row.label, row.stated or "Not stated", row.computed, _letter_result(row)]
                for row in result.rows
            ],
        ),
        Paragraph(
            f"How the records count: decisions are complaints to the LGSCO binding "
            f"{organisation} whose report is dated in the year, and upheld ones those recorded "
            f"with a finding of fault; the letter's compliance rate is compared with the "
            f"{lead.label.lower()} rate of the recommendations due in the year, whose number "
            f"is the compliance outcomes; satisfactory remedies are upheld decisions with no "
            f"recommendation to {organisation}. The Ombudsman counts every decision it made "
            "in the year, including some the records may not hold."
        ),
    ]


# --- The case audit -------------------------------------------------------------------------


def _audit_blocks(programme) -> list:
    summary = findings_summary(programme)
    threshold = summary.threshold
    figures = [
        ["Cases in the sample", str(threshold.sample_size)],
        ["Cases audited", str(threshold.audited)],
        ["Cases with similar issues", str(threshold.with_similar_issues)],
        [
            "Share of the audited cases with similar issues",
            rate_text(threshold),
        ],
    ]
    blocks = []
    if programme.kind == ProgrammeKind.SAMPLE:
        blocks.append(Paragraph(decision_explanation(threshold)))
        figures += [
            ["Decision", threshold.decision.label],
        ]
    else:
        blocks.append(Paragraph("A full audit: every case closed in similar circumstances."))
    blocks.append(Table(f"Figures of {programme.title}", ["Figure", "Value"], figures))
    if not threshold.audited:
        return blocks
    blocks.append(
        Table(
            f"Overall grades in {programme.title}",
            ["Grade", "Cases"],
            [[Grade(value).label, str(count)] for value, count in summary.grades.items()],
        )
    )
    blocks.append(
        Table(
            f"Answers to the audit questions in {programme.title}",
            ["Question", *Answer.labels],
            [
                [
                    str(AuditOutcome._meta.get_field(name).verbose_name),
                    *(str(summary.answers[name][answer]) for answer in Answer.values),
                ]
                for name in QUESTIONS
            ],
        )
    )
    if summary.median_days_to_strategy_discussion is not None:
        blocks.append(
            Paragraph(
                "Median time from referral to strategy discussion: "
                f"{summary.median_days_to_strategy_discussion:g} days."
            )
        )
    blocks.append(Paragraph(_written_text(summary)))
    return blocks


def _written_text(summary) -> str:
    """How many cases have written findings and learning, and where to read them. Not the text
    itself: a line per case would grow the report with the audit, and the programme's page
    shows the auditors' words only to those who run the audit."""
    audited = summary.threshold.audited
    return (
        f"The auditors wrote findings on {len(summary.findings)} and learning on "
        f"{len(summary.learning)} of the {counted(audited, 'audited case')}. Those who run the "
        "audit read them, and the cases' references, on its page in the tracker. The appendix "
        "counts the sample's cases by team and outcome."
    )


NOT_AUDITED = "Not audited yet"


def _outcome(outcome) -> tuple[tuple, str]:
    """A case's counted outcome in words, after a key that orders them by grade, best first."""
    if outcome is None:
        return (len(Grade.values),), NOT_AUDITED
    similar = "similar issues" if outcome.similar_issues else "no similar issues"
    key = (Grade.values.index(outcome.grade), not outcome.similar_issues)
    return key, f"{outcome.get_grade_display()}, {similar}"


def _case_groups(programme) -> list[list[str]]:
    """The sample's cases counted by team and outcome: a row for each pair, never a row per
    case, so the report does not grow with the audit. No case references: which cases were
    audited is need-to-know, on the programme's page for those who run the audit, while the
    report goes to everyone who reads reports and to committees."""
    outcomes = {outcome.sample_case_id: outcome for outcome in counted_outcomes(programme)}
    cases = SampleCase.objects.filter(programme=programme).values_list("pk", "case__team")
    groups = Counter(
        (team, _outcome(outcomes.get(pk))) for pk, team in cases.iterator(chunk_size=2000)
    )
    return [[team, outcome, str(count)] for (team, (_, outcome)), count in sorted(groups.items())]


# --- CSV ------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(text: str) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection advice)."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def tables_csv(document: ReportDocument, out) -> None:
    """Every table of the document, one after another: its caption, header and rows, then a
    blank line. ``out`` is a text stream opened with ``newline=""``."""
    writer = csv.writer(out)
    for table in document.tables:
        writer.writerow([_safe_cell(table.caption)])
        writer.writerow([_safe_cell(cell) for cell in table.header])
        writer.writerows([_safe_cell(cell) for cell in row] for row in table.rows)
        writer.writerow([])
