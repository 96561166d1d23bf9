"""Reading and checking each row on its own: its cells, and the checks between them."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from deadlines.arithmetic import Counting, DateOutOfRangeError, due_date
from ombudsman_tracker.csv_import import RowError, parse_date
from ombudsman_tracker.formats import date_text
from organisations.models import Organisation

from .. import services
from ..models import (
    OMBUDSMAN_DECIDES,
    Complaint,
    Evidence,
    Finding,
    Ombudsman,
    RecommendationKind,
    RecommendationStatus,
)
from .lookups import Lookups, name_key
from .reading import Cells
from .rules import MAX_COUNT, Rule


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _parse_choice(text: str, choices, what: str) -> str:
    wanted = _normalise(text)
    for value, label in choices.choices:
        if wanted in (_normalise(value), _normalise(label)):
            return value
    allowed = ", ".join(label.lower() for label in choices.labels)
    raise ValueError(f"'{text}' is not a {what}: use one of {allowed}.")


def _parse_yes_no(text: str) -> bool:
    match text.strip().lower():
        case "yes" | "y" | "true":
            return True
        case "no" | "n" | "false":
            return False
    raise ValueError(f"'{text}' is not yes or no.")


@dataclass
class Row:
    """One row as read. A value is None where its cell could not be read (until checked).

    ``creation_problems`` stop the row only if it records a new recommendation: a complied
    row without evidence, a due date that is not the rule's, an owner no longer active. A row
    matching a recommendation already in the app is compared with it instead (``planning``),
    so an export of a recommendation whose date was overridden, or whose evidence is a file,
    imports back unchanged.
    """

    number: int
    ombudsman: Ombudsman | None
    reference: str
    title: str
    service_area: str
    finding: str | None
    public_interest_report: bool | None
    report_date: date | None
    received_date: date | None
    organisations: list[Organisation]
    organisation: Organisation | None
    recommendation_number: int | None
    text: str
    kind: str | None
    expected_evidence: str
    rule: Rule | None
    due_date: date | None
    status: str | None
    completed_on: date | None
    owner: object
    evidence: str
    version: int | None = None  # as an export wrote it; None in a tracker made by hand
    creation_problems: list[RowError] = field(default_factory=list)
    # The values of the columns apps above add (``extensions``), by extension name.
    extensions: dict = field(default_factory=dict)

    def creation_problem(self, column: str, message: str):
        self.creation_problems.append(RowError(self.number, column, message))

    @property
    def complaint_key(self):
        return (self.ombudsman.pk, self.reference)

    @property
    def recommendation_key(self):
        return (*self.complaint_key, self.organisation.pk, self.recommendation_number)

    def complaint_values(self) -> dict:
        return {
            "complaint_title": self.title,
            "service_area": self.service_area,
            "finding": Finding(self.finding).label,
            "public_interest_report": self.public_interest_report,
            "report_date": self.report_date,
            "received_date": self.received_date,
            "organisations": frozenset(o.name for o in self.organisations),
        }

    def recommendation_values(self) -> dict:
        return {
            "recommendation": self.text,
            "kind": RecommendationKind(self.kind).label,
            "expected_evidence": self.expected_evidence,
            "rule": str(self.rule),
            "due_date": self.due_date,
            "status": RecommendationStatus(self.status).label,
            "completed_on": self.completed_on,
            "owner": self.owner.username if self.owner else "",
        }


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _is_url(text: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return False
    return len(text) <= _max_length(Evidence, "url")


def _parse_number(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_COUNT):
        raise ValueError(f"'{text}' is not a recommendation number (a whole number from 1).")
    return int(text)


def _parse_version(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 9 and int(text) >= 1):
        raise ValueError(
            f"'{text}' is not a version: leave the version the export wrote as it is (blank "
            "for a new recommendation)."
        )
    return int(text)


def checked_row(cells: Cells, lookups: Lookups, *, by, today: date) -> Row | None:
    """Read and check one row on its own; None if it has problems (recorded in ``cells``)."""
    organisation_names = [
        name.strip() for name in cells.text("organisations").split(";") if name.strip()
    ]
    organisations, unknown = [], set()
    for name in organisation_names:
        try:
            organisation = lookups.organisation(name)
        except ValueError as exc:
            cells.error("organisations", str(exc))
            unknown.add(name_key(name))
        else:
            if organisation not in organisations:
                organisations.append(organisation)
    # An unknown organisation named in both columns is reported once, against organisations.
    organisation = (
        None
        if name_key(cells.text("organisation")) in unknown
        else cells.parse("organisation", lookups.organisation)
    )
    owner_name = cells.text("owner")
    try:
        owner = lookups.user(owner_name) if owner_name else None
    except ValueError as exc:
        cells.error("owner", str(exc))
        owner = None
    row = Row(
        number=cells.number,
        ombudsman=cells.parse("ombudsman", lookups.ombudsman),
        reference=cells.text("complaint_reference", max_length=_max_length(Complaint, "reference")),
        title=cells.text("complaint_title", max_length=_max_length(Complaint, "title")),
        service_area=cells.text("service_area", max_length=_max_length(Complaint, "service_area")),
        finding=cells.parse("finding", _parse_choice, Finding, "finding"),
        public_interest_report=cells.parse("public_interest_report", _parse_yes_no),
        report_date=cells.parse("report_date", parse_date),
        received_date=cells.parse("received_date", parse_date),
        organisations=organisations,
        organisation=organisation,
        recommendation_number=cells.parse("recommendation_number", _parse_number),
        text=cells.text("recommendation"),
        kind=cells.parse("kind", _parse_choice, RecommendationKind, "kind of recommendation"),
        expected_evidence=cells.text("expected_evidence"),
        rule=None,  # read with the due date, which it decides
        due_date=cells.parse("due_date", parse_date),
        status=cells.parse("status", _parse_choice, RecommendationStatus, "status"),
        completed_on=cells.parse("completed_on", parse_date),
        owner=owner,
        evidence=cells.text("evidence"),
        version=cells.parse("version", _parse_version),
    )
    if owner is not None and not owner.is_active:
        row.creation_problem("owner", f"The user '{owner_name}' is no longer active.")
    return row if _check_row(row, cells, by=by, today=today) else None


def _check_row(row: Row, cells: Cells, *, by, today: date) -> bool:
    """The checks between one row's cells. True if the row has no problems at all."""
    if row.organisation and row.organisations and row.organisation not in row.organisations:
        cells.error(
            "organisation",
            f"{row.organisation} is not one of the organisations the complaint binds "
            "(the organisations column).",
        )
    if row.organisation and not services.covers_every_organisation(by, [row.organisation]):
        cells.error(
            "organisation",
            "You can import recommendations only for your own organisation, not "
            f"{row.organisation}.",
        )
    if row.report_date and row.received_date and row.received_date < row.report_date:
        cells.error(
            "received_date",
            f"The date received ({date_text(row.received_date)}) is before the date of the "
            f"report ({date_text(row.report_date)}).",
        )
    _check_due_date(row, cells)
    _check_completion(row, cells, today=today)
    if row.evidence and not _is_url(row.evidence):
        cells.error(
            "evidence",
            f"'{row.evidence}' is not a link (starting https://). Evidence held as a document: "
            "import the row as in progress, then attach the file and mark it complied in the app.",
        )
    elif row.status == RecommendationStatus.COMPLIED and not row.evidence:
        row.creation_problem(
            "evidence",
            "A complied recommendation needs a link to its evidence (starting https://). "
            "Evidence held as a document: import the row as in progress, then attach the file "
            "and mark it complied in the app.",
        )
    return not cells.errors


def _check_due_date(row: Row, cells: Cells):
    try:
        row.rule = Rule.parse(cells.values.get("rule", ""))
    except ValueError as exc:
        cells.error("rule", str(exc))
        return
    if row.rule.counting == Counting.STATED:
        if cells.blank("due_date"):
            cells.error("due_date", "The rule is 'stated': give the date the Ombudsman stated.")
        return
    if row.report_date is None:
        return  # already reported against report_date
    anchor = row.rule.anchor_for(report_date=row.report_date, received_date=row.received_date)
    if anchor is None:
        cells.error(
            "rule", f"The rule '{row.rule}' counts from the date received: give received_date."
        )
        return
    try:
        computed = due_date(
            anchor=anchor, count=row.rule.count, unit=row.rule.unit, counting=row.rule.counting
        )
    except DateOutOfRangeError as exc:
        cells.error("rule", f"The rule '{row.rule}' from {date_text(anchor)} gives no date: {exc}")
        return
    if cells.blank("due_date"):
        row.due_date = computed
    elif row.due_date is not None and row.due_date != computed:
        row.creation_problem(
            "due_date",
            f"The due date {date_text(row.due_date)} is not the date the rule gives: "
            f"'{row.rule}' from {date_text(anchor)} gives {date_text(computed)}. Leave due_date "
            "blank to use the rule's date, or write 'stated' as the rule if the Ombudsman "
            "stated this date.",
        )


# The statuses with a completed_on: the day it was complied or not complied, or the day its
# evidence was sent to the Ombudsman (its deadline's ``completed_on``).
DATED_STATUSES = (
    RecommendationStatus.COMPLIED,
    RecommendationStatus.NOT_COMPLIED,
    RecommendationStatus.AWAITING_OMBUDSMAN,
)


def _check_completion(row: Row, cells: Cells, *, today: date):
    if row.status is None:
        return  # already reported against status
    done = row.status in DATED_STATUSES
    label = RecommendationStatus(row.status).label.lower()
    if row.status in OMBUDSMAN_DECIDES:
        row.creation_problem(
            "status",
            f"A recommendation becomes {label} when its evidence is sent to the Ombudsman, not "
            "by an import: import the row as in progress, then send the evidence in the app.",
        )
    if done and cells.blank("completed_on"):
        cells.error("completed_on", f"A recommendation that is {label} needs completed_on.")
    elif not done and row.completed_on is not None:
        cells.error(
            "completed_on",
            f"A recommendation that is {label} has no completed_on: leave it blank.",
        )
    elif row.completed_on and row.completed_on > today:
        cells.error("completed_on", f"{date_text(row.completed_on)} is in the future.")
