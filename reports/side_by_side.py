"""A shared complaint, each council's position side by side: for partners on a cross-border
case who see every council it binds, one picture of what each was told to do, by when, and
how far it has got.

``side_by_side(complaint=..., organisations=..., at=...)`` reads each council's
recommendations (at most ``RECOMMENDATIONS_SHOWN`` each, the rest counted), its statutory
clocks and both compliance rates, in four queries whatever the number of councils or
recommendations. ``side_by_side_document`` lays it out in the blocks of a committee report,
so the page, the Word file and the PDF say the same (``reports.drafts``: marked DRAFT, as the
picture is live, never issued). Who may see it is ``selectors.side_by_side_get_for``.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils.text import Truncator

from deadlines.buckets import bucket_expression
from deadlines.compliance import ALL_DUE_DEFINITION, DEFINITIONS, ComplianceFigures, RateFigure
from deadlines.models import (
    ComplianceRate,
    ComplianceSettings,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
)
from ombudsman_tracker.formats import counted, date_text, listed
from recommendations.models import Recommendation

from .document import Heading, Paragraph, ReportDocument, Table

# A complaint has a handful of recommendations for each council; the page stays short for one
# that has many, and says how many more each council has (the complaint's page lists them).
RECOMMENDATIONS_SHOWN = 25
# Recommendation texts are shortened to this many words: the complaint's page has them whole.
TEXT_WORDS = 20

TITLE = "Each council's position side by side"


@dataclass(frozen=True)
class CouncilPosition:
    """One council's column: its recommendations (the first ``RECOMMENDATIONS_SHOWN`` by
    number), its statutory clocks and its figures, as at the picture's day."""

    organisation: object
    recommendations: list[Recommendation]
    clocks: list[Deadline]
    figures: ComplianceFigures
    lead: ComplianceRate

    @property
    def recommendation_count(self) -> int:
        return self.figures.total

    @property
    def not_shown(self) -> int:
        return self.figures.total - len(self.recommendations)

    def rate(self, kind: ComplianceRate) -> RateFigure:
        return self.figures.rate_figure(kind)

    @property
    def rates(self) -> list[RateFigure]:
        """Both rates, the one this council leads with first."""
        return self.figures.rates(lead=self.lead)


@dataclass(frozen=True)
class SideBySide:
    complaint: object
    at: date
    councils: list[CouncilPosition]


def side_by_side(*, complaint, organisations, at: date) -> SideBySide:
    """Each of ``organisations`` (those ``complaint`` binds, in the order given) with its
    position on ``at``. Four queries: the figures per council and bucket, the recommendations
    listed, the clocks, and the rate each council leads with."""
    organisations = list(organisations)
    ids = [organisation.pk for organisation in organisations]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Deadline.objects.filter(
            complaint=complaint, organisation__in=ids, kind=DeadlineKind.RECOMMENDATION
        )
        .annotate(bucket=bucket_expression(today=at))
        .order_by()
        .values("organisation_id", "bucket")
        .annotate(n=Count("pk"))
    ):
        counts[row["organisation_id"]][row["bucket"]] = row["n"]
    listed_recommendations: dict[int, list[Recommendation]] = defaultdict(list)
    for recommendation in (
        Recommendation.objects.filter(complaint=complaint, organisation__in=ids)
        .select_related("deadline")
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("organisation_id")], order_by=[F("number").asc()]
            )
        )
        .filter(place__lte=RECOMMENDATIONS_SHOWN)
        .order_by("organisation_id", "number")
    ):
        listed_recommendations[recommendation.organisation_id].append(recommendation)
    clocks: dict[int, list[Deadline]] = defaultdict(list)
    for clock in Deadline.objects.filter(
        complaint=complaint, organisation__in=ids, kind__in=DeadlineKind.statutory()
    ).order_by("organisation_id", "due_date", "pk"):
        clocks[clock.organisation_id].append(clock)
    leads = dict(
        ComplianceSettings.objects.filter(organisation__in=ids).values_list(
            "organisation_id", "lead_rate"
        )
    )
    return SideBySide(
        complaint=complaint,
        at=at,
        councils=[
            CouncilPosition(
                organisation=organisation,
                recommendations=listed_recommendations[organisation.pk],
                clocks=clocks[organisation.pk],
                figures=ComplianceFigures.from_counts(counts[organisation.pk]),
                lead=ComplianceRate(leads.get(organisation.pk, ComplianceRate.IMPLEMENTED)),
            )
            for organisation in organisations
        ],
    )


# --- As a document --------------------------------------------------------------------------


def _date(day: date | None) -> str:
    return date_text(day, missing="Not yet")


def short_text(text: str) -> str:
    """A recommendation's text shortened to ``TEXT_WORDS`` words."""
    return Truncator(" ".join(text.split())).words(TEXT_WORDS)


def _rate_cell(rate: RateFigure) -> str:
    return f"{rate.rate_percent} ({rate.of_due})" if rate.all_due else "None due yet"


def _comparison(picture: SideBySide) -> Table:
    """The councils as columns, a row a figure: what a partner reads first."""
    councils = picture.councils

    def row(label, value) -> list[str]:
        return [label, *(value(position) for position in councils)]

    def next_clock(position: CouncilPosition) -> str:
        open_clocks = [clock for clock in position.clocks if clock.status == DeadlineStatus.OPEN]
        if not open_clocks:
            return "None open"
        first = open_clocks[0]  # soonest due: the clocks are in that order
        outcome = first.outcome(at=picture.at).label.lower()
        return f"{first.title}, due {_date(first.due_date)}: {outcome}"

    return Table(
        f"Each council's position on complaint {picture.complaint.reference} as at "
        f"{_date(picture.at)}",
        ["Figure", *(str(position.organisation) for position in councils)],
        [
            row("Recommendations", lambda p: str(p.recommendation_count)),
            row("Complied on time", lambda p: str(p.figures.on_time)),
            row("Complied late", lambda p: str(p.figures.late)),
            row("Not complied", lambda p: str(p.figures.not_complied)),
            row("Open, past the due date", lambda p: str(p.figures.overdue)),
            row("Open, not yet due", lambda p: str(p.figures.open - p.figures.overdue)),
            row(
                "Evidence sent, awaiting the Ombudsman",
                lambda p: str(p.figures.awaiting_ombudsman),
            ),
            row("Withdrawn", lambda p: str(p.figures.withdrawn)),
            *(
                row(kind.label, lambda p, kind=kind: _rate_cell(p.rate(kind)))
                for kind in ComplianceRate
            ),
            row("Rate it leads with", lambda p: p.lead.label),
            row("First open statutory clock", next_clock),
        ],
    )


def _council_blocks(position: CouncilPosition, picture: SideBySide) -> list:
    name = str(position.organisation)
    reference = picture.complaint.reference
    blocks = [Heading(name, 2)]
    if position.recommendations:
        blocks.append(
            Table(
                f"Recommendations of complaint {reference} for {name}",
                ["No.", "Recommendation", "Status", "Due date", "Outcome"],
                [
                    [
                        str(r.number),
                        short_text(r.text),
                        r.get_status_display(),
                        _date(r.deadline.due_date),
                        r.outcome(at=picture.at).label,
                    ]
                    for r in position.recommendations
                ],
            )
        )
        if position.not_shown:
            blocks.append(
                Paragraph(
                    f"{counted(position.not_shown, 'more recommendation')} for {name} "
                    f"{'is' if position.not_shown == 1 else 'are'} not listed here: the "
                    "complaint's page lists them all."
                )
            )
    else:
        blocks.append(Paragraph(f"No recommendations for {name} are recorded yet."))
    if position.clocks:
        blocks.append(
            Table(
                f"Statutory clocks of complaint {reference} for {name}",
                ["Clock", "Rule", "Due date", "Outcome", "Completed on"],
                [
                    [
                        clock.title,
                        clock.rule_description,
                        _date(clock.due_date),
                        clock.outcome(at=picture.at).label,
                        _date(clock.completed_on),
                    ]
                    for clock in position.clocks
                ],
            )
        )
    else:
        why = (
            "their start dates are not recorded yet"
            if picture.complaint.is_public_interest_report
            else "this is not a public interest report"
        )
        blocks.append(Paragraph(f"{name} has no statutory clocks: {why}."))
    return blocks


def side_by_side_document(picture: SideBySide, *, status: str) -> ReportDocument:
    """The picture in a report's blocks: the figures with a column per council, then each
    council's recommendations and clocks. ``status`` says it is a live picture, not issued."""
    complaint = picture.complaint
    names = [str(position.organisation) for position in picture.councils]
    facts = [
        ("Complaint", f"{complaint.reference}: {complaint.title}"),
        ("Ombudsman", complaint.ombudsman.name),
        ("Councils bound", listed(names)),
        ("Position as at", _date(picture.at)),
        ("Status", status),
    ]
    rates = " ".join(f"{kind.label}: {DEFINITIONS[kind]}" for kind in ComplianceRate)
    blocks = [
        Paragraph(
            f"The {complaint.ombudsman.name}'s report dated {_date(complaint.report_date)} "
            f"binds {listed(names)}. Each keeps its own recommendations, deadlines and "
            f"outcomes; this sets them side by side as at {_date(picture.at)}."
        ),
        Heading("The councils side by side", 1),
        _comparison(picture),
        Paragraph(
            f"Two compliance rates are given for each council, each over its own "
            f"recommendations on this complaint. {rates} {ALL_DUE_DEFINITION}"
        ),
        Heading("Each council's recommendations and clocks", 1),
    ]
    for position in picture.councils:
        blocks += _council_blocks(position, picture)
    return ReportDocument(
        title=f"{TITLE}: complaint {complaint.reference}", facts=facts, blocks=blocks
    )
