"""CSV export of recommendations, and import of a council's existing spreadsheet tracker.

``tracker_export`` writes one row per recommendation for clerks to open in Excel.
``tracker_import`` reads a tracker (one row per recommendation; a complaint repeats on each of
its rows) and records it through ``recommendations.services``. The import is all-or-nothing:
every row is checked first, every problem is reported with its spreadsheet row number, and
nothing is written unless the whole file is good. Importing the same file again changes nothing,
and an import never overwrites what is already in the app.

The columns are documented for users in ``docs/tracker-csv.md``; keep that page in step with
``IMPORT_COLUMNS`` and ``EXPORT_COLUMNS``.
"""

import codecs
import csv
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from ombudsman_tracker.history import history_note
from organisations.models import Organisation

from . import services
from .deadlines import Counting, Unit, due_date
from .models import (
    Anchor,
    Complaint,
    Evidence,
    Finding,
    Ombudsman,
    Recommendation,
    RecommendationKind,
    RecommendationStatus,
)


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    required: bool = False
    format: str = ""
    example: str = ""


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("complaint_reference", "The Ombudsman's reference", True, "text", "21 000 001"),
    Column("ombudsman", "Who made the recommendation", True, "short name", "LGSCO"),
    Column(
        "complaint_title", "A short, pseudonymised title", True, "text", "Cross-border referral"
    ),
    Column("service_area", "The service complained about", False, "text", "Children's Services"),
    Column(
        "finding",
        "The Ombudsman's finding",
        True,
        "fault with injustice, fault, no fault (or fault_injustice, fault, no_fault)",
        "fault with injustice",
    ),
    Column("public_interest_report", "Was it a public interest report?", True, "yes or no", "yes"),
    Column("report_date", "The date of the report", True, "YYYY-MM-DD or DD/MM/YYYY", "2021-11-26"),
    Column("received_date", "The date the report was received", False, "a date", "29/11/2021"),
    Column(
        "organisations",
        "Every organisation the complaint binds, as named in the app",
        True,
        "names separated by ;",
        "Northam Council; Southam Council",
    ),
    Column(
        "organisation",
        "The organisation this recommendation binds (one of organisations)",
        True,
        "a name",
        "Northam Council",
    ),
    Column("recommendation_number", "Its number in the report", True, "a whole number", "1"),
    Column("recommendation", "What the Ombudsman recommended", True, "text", "Share the learning"),
    Column(
        "kind",
        "What sort of recommendation it is",
        True,
        "personal remedy, service improvement, learning, audit, committee consideration, "
        "statutory response",
        "learning",
    ),
    Column(
        "expected_evidence",
        "The evidence the Ombudsman expects",
        True,
        "text",
        "Copies of the briefing",
    ),
    Column(
        "rule",
        "How the due date is counted; blank or 'stated' for a date the Ombudsman stated",
        False,
        "stated; within N units of report date; N units beginning with date received "
        "(units: days, weeks, months, working days)",
        "within 3 months of report date",
    ),
    Column(
        "due_date",
        "Required for a stated date; otherwise optional, and it must match the rule",
        False,
        "a date",
        "2022-02-26",
    ),
    Column(
        "status",
        "Where the recommendation stands",
        True,
        "open, in progress, complied, not complied, withdrawn",
        "complied",
    ),
    Column(
        "completed_on",
        "Required for complied and not complied; blank otherwise",
        False,
        "a date",
        "2022-02-20",
    ),
    Column("owner", "Who owns it: a user of the app", False, "username or email", "officer"),
    Column(
        "evidence",
        "A link to the evidence; required for complied",
        False,
        "a web address",
        "https://example.org/minutes/12",
    ),
)

EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("complaint_reference", "The Ombudsman's reference"),
    Column("ombudsman", "The Ombudsman's short name"),
    Column("organisation", "The organisation the recommendation binds"),
    Column("recommendation_number", "Its number in the report"),
    Column("recommendation", "What the Ombudsman recommended"),
    Column("kind", "What sort of recommendation it is"),
    Column("rule", "How the due date is counted, in the syntax the import accepts"),
    Column("rule_description", "The rule in words, with the date it counts from"),
    Column("original_due_date", "The due date before any extension (YYYY-MM-DD)"),
    Column("due_date", "The due date now, after any extension (YYYY-MM-DD)"),
    Column("status", "Where the recommendation stands"),
    Column("completed_on", "When it was complied or not complied (YYYY-MM-DD)"),
    Column("outcome", "Compliance on the export date: on time, late, overdue..."),
    Column("owner", "The owner's username"),
)

_COLUMN_ORDER = {column.name: position for position, column in enumerate(IMPORT_COLUMNS)}
_REQUIRED = frozenset(column.name for column in IMPORT_COLUMNS if column.required)

IMPORT_REASON = "imported from a spreadsheet tracker"
EVIDENCE_DESCRIPTION = "Link recorded in the imported spreadsheet tracker"
ENCODING_MESSAGE = (
    "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (Comma delimited) (*.csv)'."
)


# --- Errors and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem. ``row_number`` is the spreadsheet's (the header is row 1); None: the file."""

    row_number: int | None
    column: str
    message: str

    def __str__(self):
        where = "File" if self.row_number is None else f"Row {self.row_number}"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class TrackerImportError(Exception):
    """The file has problems; nothing was imported. ``errors`` lists every one, in row order."""

    def __init__(self, *, errors: list[RowError]):
        self.errors = sorted(
            errors, key=lambda e: (e.row_number or 0, _COLUMN_ORDER.get(e.column, -1))
        )
        count = len(self.errors)
        super().__init__(
            f"The file has {count} problem{'s' if count != 1 else ''}; nothing was imported."
        )


@dataclass(frozen=True)
class ImportSummary:
    complaints_created: int
    recommendations_created: int
    rows_unchanged: int

    def __str__(self):
        return (
            f"{self.complaints_created} complaint(s) and {self.recommendations_created} "
            f"recommendation(s) created; {self.rows_unchanged} row(s) already in the app."
        )


# --- Cell formats ---------------------------------------------------------------------------


def _long_date(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(text: str) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY as UK spreadsheets write it. Raises ValueError."""
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValueError(
            f"'{text}' is not a date: write it as YYYY-MM-DD (2021-11-26) or DD/MM/YYYY "
            "(26/11/2021)."
        )
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date.") from None


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


# --- Rules ----------------------------------------------------------------------------------

_UNIT_WORDS = {
    "day": Unit.DAYS,
    "week": Unit.WEEKS,
    "month": Unit.MONTHS,
    "working day": Unit.WORKING_DAYS,
}
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            *("one", "two", "three", "four", "five", "six"),
            *("seven", "eight", "nine", "ten", "eleven", "twelve"),
        ],
        start=1,
    )
}
_ANCHOR_WORDS = {
    Anchor.REPORT_DATE: "report date",
    Anchor.RECEIVED_DATE: "date received",
}
_ANCHOR_SYNONYMS = {
    "report": Anchor.REPORT_DATE,
    "report date": Anchor.REPORT_DATE,
    "date of report": Anchor.REPORT_DATE,
    "date of the report": Anchor.REPORT_DATE,
    "receipt": Anchor.RECEIVED_DATE,
    "date received": Anchor.RECEIVED_DATE,
    "received date": Anchor.RECEIVED_DATE,
    "date of receipt": Anchor.RECEIVED_DATE,
    "date the report was received": Anchor.RECEIVED_DATE,
}
_COUNT_AND_UNIT = r"(?P<count>\d+|[a-z]+) (?P<unit>working days?|days?|weeks?|months?)"
_WITHIN = re.compile(rf"within {_COUNT_AND_UNIT} of (?:the )?(?P<anchor>.+)")
_BEGINNING_WITH = re.compile(
    rf"(?:a period of )?{_COUNT_AND_UNIT} beginning with (?:the )?(?P<anchor>.+)"
)
_RULE_HELP = (
    "write 'stated', or a rule such as 'within 3 months of report date', "
    "'3 months beginning with date received' or 'within 20 working days of report date' "
    "(units: days, weeks, months, working days; dates: report date, date received or a date)"
)
_MAX_COUNT = 32767  # Deadline.count is a PositiveSmallIntegerField


@dataclass(frozen=True)
class Rule:
    """A deadline rule as the tracker writes it: ``stated``, or a period counted from a date."""

    counting: str
    count: int | None = None
    unit: str = ""
    anchor: str = ""
    anchor_date: date | None = None  # only for another date (Anchor.OTHER_DATE)

    @classmethod
    def parse(cls, text: str) -> "Rule":
        """Read a rule as ``str(rule)`` writes it (or a few synonyms). Raises ValueError."""
        words = " ".join(text.lower().split())
        if words in ("", "stated"):
            return cls(counting=Counting.STATED)
        if match := _WITHIN.fullmatch(words):
            counting = Counting.WITHIN
        elif match := _BEGINNING_WITH.fullmatch(words):
            counting = Counting.BEGINNING_WITH
        else:
            raise ValueError(f"'{text.strip()}' is not a rule: {_RULE_HELP}.")
        count_text = match["count"]
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text)
        if count is None or not 1 <= count <= _MAX_COUNT:
            raise ValueError(
                f"'{count_text}' in '{text.strip()}' is not a number of {match['unit']}."
            )
        unit = _UNIT_WORDS[match["unit"].removesuffix("s")]
        anchor_text = match["anchor"]
        if anchor_text in _ANCHOR_SYNONYMS:
            return cls(
                counting=counting, count=count, unit=unit, anchor=_ANCHOR_SYNONYMS[anchor_text]
            )
        try:
            anchor_date = parse_date(anchor_text)
        except ValueError:
            raise ValueError(
                f"'{anchor_text}' in '{text.strip()}' is not a date to count from: use report "
                "date, date received, or a date (YYYY-MM-DD)."
            ) from None
        return cls(
            counting=counting,
            count=count,
            unit=unit,
            anchor=Anchor.OTHER_DATE,
            anchor_date=anchor_date,
        )

    @classmethod
    def of(cls, deadline) -> "Rule":
        if deadline.counting == Counting.STATED:
            return cls(counting=Counting.STATED)
        return cls(
            counting=deadline.counting,
            count=deadline.count,
            unit=deadline.unit,
            anchor=deadline.anchor,
            anchor_date=deadline.anchor_date if deadline.anchor == Anchor.OTHER_DATE else None,
        )

    def __str__(self):
        if self.counting == Counting.STATED:
            return "stated"
        unit = Unit(self.unit).label
        if self.count == 1:
            unit = unit.removesuffix("s")
        anchor = _ANCHOR_WORDS.get(self.anchor) or self.anchor_date.isoformat()
        if self.counting == Counting.WITHIN:
            return f"within {self.count} {unit} of {anchor}"
        return f"{self.count} {unit} beginning with {anchor}"

    def anchor_for(self, *, report_date: date, received_date: date | None) -> date | None:
        match self.anchor:
            case Anchor.REPORT_DATE:
                return report_date
            case Anchor.RECEIVED_DATE:
                return received_date
        return self.anchor_date

    def service_arguments(self, *, stated_date: date | None) -> dict:
        """The ``rule`` argument of ``services.recommendation_create``."""
        if self.counting == Counting.STATED:
            return {"counting": Counting.STATED, "stated_date": stated_date}
        arguments = {
            "counting": self.counting,
            "count": self.count,
            "unit": self.unit,
            "anchor": self.anchor,
        }
        if self.anchor == Anchor.OTHER_DATE:
            arguments |= {"anchor_date": self.anchor_date, "anchor_label": "the date given"}
        return arguments


# --- Export ---------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection advice)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def tracker_export(*, recommendations, out, at: date) -> int:
    """Write ``recommendations`` (a queryset, e.g. ``recommendations_visible_to(user)``) as CSV.

    One query whatever the number of rows. ``out`` is a text stream opened with
    ``newline=""``; no byte-order mark is written (write ``"\\ufeff"`` first, or open the file
    with ``encoding="utf-8-sig"``, so that Excel reads it as UTF-8). ``at`` is the day the
    outcome (on time, late, overdue) is worked out for. Returns the number of rows written.
    """
    writer = csv.writer(out)
    writer.writerow([column.name for column in EXPORT_COLUMNS])
    rows = 0
    for recommendation in recommendations.select_related(
        "complaint__ombudsman", "organisation", "deadline__owner"
    ).iterator(chunk_size=1000):
        deadline = recommendation.deadline
        cells = [
            recommendation.complaint.reference,
            recommendation.complaint.ombudsman.short_name,
            recommendation.organisation.name,
            recommendation.number,
            recommendation.text,
            recommendation.get_kind_display(),
            Rule.of(deadline),
            deadline.rule_description,
            _iso(deadline.original_due_date),
            _iso(deadline.due_date),
            recommendation.get_status_display(),
            _iso(deadline.completed_on),
            recommendation.outcome(at=at).label,
            deadline.owner.username if deadline.owner else "",
        ]
        writer.writerow([_safe_cell(cell) for cell in cells])
        rows += 1
    return rows


# --- Import: reading the file ---------------------------------------------------------------


def _text_stream(file):
    """A text stream: a binary file (an upload) is decoded as UTF-8, with or without a BOM."""
    if isinstance(file.read(0), bytes):
        return codecs.getreader("utf-8-sig")(file)
    return file


def _column_name(cell: str) -> str:
    return "_".join(_normalise(cell.removeprefix("\ufeff")).split())


def _records(file):
    """(row number, cells) for every record, counted as a spreadsheet counts its rows."""
    # csv.reader, not DictReader: DictReader skips blank lines, which are rows in Excel, so its
    # row numbers would drift from the ones the user sees.
    reader = csv.reader(_text_stream(file))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except UnicodeDecodeError:
        raise TrackerImportError(errors=[RowError(None, "", ENCODING_MESSAGE)]) from None
    except csv.Error as exc:
        raise TrackerImportError(
            errors=[RowError(number + 1, "", f"This row cannot be read as CSV ({exc}).")]
        ) from None


def _header(cells: list[str]) -> list[str]:
    """The column name at each position ('' for an unnamed column). Raises on a bad header."""
    names = [_column_name(cell) for cell in cells]
    known = {column.name for column in IMPORT_COLUMNS}
    errors = [
        RowError(
            1,
            cell.strip(),
            f"Unknown column '{cell.strip()}'. The columns are: "
            + ", ".join(column.name for column in IMPORT_COLUMNS)
            + ".",
        )
        for cell, name in zip(cells, names, strict=True)
        if name and name not in known
    ]
    seen = set()
    for name in names:
        if name and name in seen:
            errors.append(RowError(1, name, f"The column '{name}' appears more than once."))
        seen.add(name)
    errors += [
        RowError(1, column.name, f"The required column '{column.name}' is missing.")
        for column in IMPORT_COLUMNS
        if column.required and column.name not in seen
    ]
    if errors:
        raise TrackerImportError(errors=errors)
    return names


# --- Import: checking each row --------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class _Lookups:
    """Ombudsmen, organisations and users, each loaded once (no query per row)."""

    def __init__(self):
        self.ombudsmen = {}
        for ombudsman in Ombudsman.objects.all():
            self.ombudsmen[_key(ombudsman.short_name)] = ombudsman
            self.ombudsmen.setdefault(_key(ombudsman.name), ombudsman)
        self.organisations = {_key(o.name): o for o in Organisation.objects.all()}
        self.users_by_username, self.users_by_email = {}, {}
        for user in get_user_model().objects.all():
            self.users_by_username[user.username] = user
            self.users_by_username.setdefault(_key(user.username), user)
            if user.email:
                self.users_by_email.setdefault(_key(user.email), []).append(user)

    def ombudsman(self, text: str) -> Ombudsman:
        if ombudsman := self.ombudsmen.get(_key(text)):
            return ombudsman
        known = ", ".join(sorted(o.short_name for o in set(self.ombudsmen.values())))
        raise ValueError(f"Unknown ombudsman '{text}': use one of {known}.")

    def organisation(self, text: str) -> Organisation:
        if organisation := self.organisations.get(_key(text)):
            return organisation
        raise ValueError(
            f"There is no organisation called '{text}' in the app. Check the spelling, or ask an "
            "administrator to add it before importing."
        )

    def user(self, text: str):
        user = self.users_by_username.get(text) or self.users_by_username.get(_key(text))
        if user is None:
            matches = self.users_by_email.get(_key(text), [])
            if len(matches) > 1:
                raise ValueError(f"More than one user has the email '{text}': give the username.")
            user = matches[0] if matches else None
        if user is None:
            raise ValueError(f"There is no user '{text}' (give a username or an email address).")
        if not user.is_active:
            raise ValueError(f"The user '{text}' is no longer active.")
        return user


@dataclass
class _Row:
    """One row as read. A value is None where its cell could not be read (until checked)."""

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


def _complaint_values(complaint: Complaint) -> dict:
    return {
        "complaint_title": complaint.title,
        "service_area": complaint.service_area,
        "finding": complaint.get_finding_display(),
        "public_interest_report": complaint.is_public_interest_report,
        "report_date": complaint.report_date,
        "received_date": complaint.received_date,
        "organisations": frozenset(o.name for o in complaint.organisations.all()),
    }


def _recommendation_values(recommendation: Recommendation) -> dict:
    deadline = recommendation.deadline
    return {
        "recommendation": recommendation.text,
        "kind": recommendation.get_kind_display(),
        "expected_evidence": recommendation.expected_evidence,
        "rule": str(Rule.of(deadline)),
        "due_date": deadline.original_due_date,
        "status": recommendation.get_status_display(),
        "completed_on": deadline.completed_on,
        "owner": deadline.owner.username if deadline.owner else "",
    }


class _Cells:
    """One row's cells by column name; each problem is recorded against its column."""

    def __init__(self, number: int, values: dict[str, str]):
        self.number, self.values, self.errors = number, values, []

    def error(self, column: str, message: str):
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str, *, max_length: int | None = None) -> str:
        value = self.values.get(column, "").replace("\r\n", "\n").strip()
        if not value and column in _REQUIRED:
            self.error(column, f"{column} is required.")
        elif max_length and len(value) > max_length:
            self.error(column, f"{column} is {len(value)} characters long; at most {max_length}.")
        return value

    def blank(self, column: str) -> bool:
        return not self.values.get(column, "").strip()

    def parse(self, column: str, parser, *args):
        """The cell read by ``parser``; None if blank or if it cannot be read (error recorded)."""
        value = self.text(column)
        if not value:
            return None
        try:
            return parser(value, *args)
        except ValueError as exc:
            self.error(column, str(exc))
            return None


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _may_import_for(user, organisation) -> bool:
    return (
        user.is_superuser or user.sees_all_organisations or organisation.pk == user.organisation_id
    )


def _is_url(text: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        return False
    return len(text) <= _max_length(Evidence, "url")


def _parse_number(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= _MAX_COUNT):
        raise ValueError(f"'{text}' is not a recommendation number (a whole number from 1).")
    return int(text)


def _row(cells: _Cells, lookups: _Lookups, *, by, today: date) -> _Row | None:
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
            unknown.add(_key(name))
        else:
            if organisation not in organisations:
                organisations.append(organisation)
    # An unknown organisation named in both columns is reported once, against organisations.
    organisation = (
        None
        if _key(cells.text("organisation")) in unknown
        else cells.parse("organisation", lookups.organisation)
    )
    owner_name = cells.text("owner")
    try:
        owner = lookups.user(owner_name) if owner_name else None
    except ValueError as exc:
        cells.error("owner", str(exc))
        owner = None
    row = _Row(
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
    )
    return row if _check_row(row, cells, by=by, today=today) else None


def _check_row(row: _Row, cells: _Cells, *, by, today: date) -> bool:
    """The checks between one row's cells. True if the row has no problems at all."""
    if row.organisation and row.organisations and row.organisation not in row.organisations:
        cells.error(
            "organisation",
            f"{row.organisation} is not one of the organisations the complaint binds "
            "(the organisations column).",
        )
    if row.organisation and not _may_import_for(by, row.organisation):
        cells.error(
            "organisation",
            "You can import recommendations only for your own organisation, not "
            f"{row.organisation}.",
        )
    if row.report_date and row.received_date and row.received_date < row.report_date:
        cells.error(
            "received_date",
            f"The date received ({_long_date(row.received_date)}) is before the date of the "
            f"report ({_long_date(row.report_date)}).",
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
        cells.error(
            "evidence",
            "A complied recommendation needs a link to its evidence (starting https://). "
            "Evidence held as a document: import the row as in progress, then attach the file "
            "and mark it complied in the app.",
        )
    return not cells.errors


def _check_due_date(row: _Row, cells: _Cells):
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
    computed = due_date(
        anchor=anchor, count=row.rule.count, unit=row.rule.unit, counting=row.rule.counting
    )
    if cells.blank("due_date"):
        row.due_date = computed
    elif row.due_date is not None and row.due_date != computed:
        cells.error(
            "due_date",
            f"The due date {_long_date(row.due_date)} is not the date the rule gives: "
            f"'{row.rule}' from {_long_date(anchor)} gives {_long_date(computed)}. Leave due_date "
            "blank to use the rule's date, or write 'stated' as the rule if the Ombudsman "
            "stated this date.",
        )


def _check_completion(row: _Row, cells: _Cells, *, today: date):
    if row.status is None:
        return  # already reported against status
    done = row.status in (RecommendationStatus.COMPLIED, RecommendationStatus.NOT_COMPLIED)
    label = RecommendationStatus(row.status).label.lower()
    if done and cells.blank("completed_on"):
        cells.error("completed_on", f"A recommendation that is {label} needs completed_on.")
    elif not done and row.completed_on is not None:
        cells.error(
            "completed_on",
            f"A recommendation that is {label} has no completed_on: leave it blank.",
        )
    elif row.completed_on and row.completed_on > today:
        cells.error("completed_on", f"{_long_date(row.completed_on)} is in the future.")


# --- Import: checking rows against each other and against the app ---------------------------


def _show(value) -> str:
    match value:
        case None | "":
            return "blank"
        case bool():
            return "yes" if value else "no"
        case date():
            return _long_date(value)
        case frozenset():
            return "; ".join(sorted(value))
        case str() if len(value) > 60:
            return f"'{value[:57]}...'"
    return f"'{value}'"


def _differences(mine: dict, theirs: dict):
    return [(column, theirs[column]) for column, value in mine.items() if value != theirs[column]]


@dataclass
class _Plan:
    existing_complaints: dict
    new_complaints: dict  # complaint key -> the complaint's first row
    new_rows: list
    rows_unchanged: int


def _plan(rows: list[_Row], errors: list[RowError]) -> _Plan:
    """Check rows against each other and against the app, in a fixed number of queries."""
    existing_complaints = {
        (complaint.ombudsman_id, complaint.reference): complaint
        for complaint in Complaint.objects.filter(
            reference__in={row.reference for row in rows}
        ).prefetch_related("organisations")
    }
    existing = {
        (r.complaint.ombudsman_id, r.complaint.reference, r.organisation_id, r.number): r
        for r in Recommendation.objects.filter(
            complaint__in=list(existing_complaints.values())
        ).select_related("complaint", "deadline__owner")
    }
    evidence_links = set(
        Evidence.objects.filter(recommendation__in=list(existing.values()))
        .exclude(url="")
        .values_list("recommendation_id", "url")
    )
    first_rows: dict[tuple, _Row] = {}
    row_of_recommendation: dict[tuple, int] = {}
    plan = _Plan(existing_complaints, {}, [], 0)
    for row in rows:
        before = len(errors)
        complaint = f"Complaint {row.reference}"
        first = first_rows.setdefault(row.complaint_key, row)
        if first is not row:
            errors += [
                RowError(
                    row.number,
                    column,
                    f"{complaint} has {column} {_show(value)} on row {first.number}: a "
                    "complaint's columns must be the same on each of its rows.",
                )
                for column, value in _differences(row.complaint_values(), first.complaint_values())
            ]
        elif in_app := existing_complaints.get(row.complaint_key):
            errors += [
                RowError(
                    row.number,
                    column,
                    f"{complaint} already exists with a different {column} ({_show(value)} in "
                    "the app): edit it in the app, or make this row match.",
                )
                for column, value in _differences(row.complaint_values(), _complaint_values(in_app))
            ]
        recommendation = (
            f"Recommendation {row.recommendation_number} of complaint {row.reference} for "
            f"{row.organisation}"
        )
        if earlier := row_of_recommendation.get(row.recommendation_key):
            errors.append(
                RowError(
                    row.number,
                    "recommendation_number",
                    f"{recommendation} is already on row {earlier}.",
                )
            )
            continue
        row_of_recommendation[row.recommendation_key] = row.number
        in_app = existing.get(row.recommendation_key)
        if in_app is None:
            plan.new_rows.append(row)
            continue
        errors += [
            RowError(
                row.number,
                column,
                f"{recommendation} already exists with a different {column} ({_show(value)} in "
                "the app): edit it in the app, or remove this row.",
            )
            for column, value in _differences(
                row.recommendation_values(), _recommendation_values(in_app)
            )
        ]
        if row.evidence and (in_app.pk, row.evidence) not in evidence_links:
            errors.append(
                RowError(
                    row.number,
                    "evidence",
                    f"{recommendation} already exists without this evidence link: add it in "
                    "the app, or remove this row.",
                )
            )
        if len(errors) == before:
            plan.rows_unchanged += 1
    plan.new_complaints = {
        key: row for key, row in first_rows.items() if key not in existing_complaints
    }
    return plan


# --- Import: writing ------------------------------------------------------------------------


def _write(plan: _Plan, *, by, at: datetime):
    """Record the plan through the services. Call inside ``transaction.atomic()``."""
    with history_note(IMPORT_REASON):
        _write_rows(plan, by=by, at=at)


def _write_rows(plan: _Plan, *, by, at: datetime):
    today = timezone.localdate(at)
    complaints = dict(plan.existing_complaints)
    for key, row in plan.new_complaints.items():
        with _reported_against(row):
            complaints[key] = services.complaint_create(
                ombudsman=row.ombudsman,
                reference=row.reference,
                title=row.title,
                service_area=row.service_area,
                finding=row.finding,
                is_public_interest_report=row.public_interest_report,
                report_date=row.report_date,
                received_date=row.received_date,
                organisations=row.organisations,
                by=by,
            )
    for row in plan.new_rows:
        with _reported_against(row):
            recommendation = services.recommendation_create(
                complaint=complaints[row.complaint_key],
                organisation=row.organisation,
                number=row.recommendation_number,
                text=row.text,
                kind=row.kind,
                expected_evidence=row.expected_evidence,
                owner=row.owner,
                by=by,
                rule=row.rule.service_arguments(stated_date=row.due_date),
            )
            if row.evidence:
                services.evidence_add(
                    recommendation=recommendation,
                    description=EVIDENCE_DESCRIPTION,
                    url=row.evidence,
                    by=by,
                    at=at,
                )
            if row.status != RecommendationStatus.OPEN:
                services.recommendation_transition(
                    recommendation=recommendation,
                    to_status=row.status,
                    by=by,
                    on=row.completed_on or today,
                )


@contextmanager
def _reported_against(row: _Row):
    """Turn a refusal from the services (or a race lost to another user) into a row error."""
    try:
        yield
    except ValidationError as exc:
        raise TrackerImportError(errors=[RowError(row.number, "", " ".join(exc.messages))]) from exc
    except IntegrityError as exc:
        message = "Someone else recorded this complaint or recommendation while the file was read."
        raise TrackerImportError(errors=[RowError(row.number, "", message)]) from exc


# --- Import ---------------------------------------------------------------------------------


def _cells(number: int, record: list[str], names: list[str]) -> _Cells:
    cells = _Cells(number, {})
    for position, value in enumerate(record):
        name = names[position] if position < len(names) else ""
        if name:
            cells.values[name] = value
        elif value.strip():
            cells.error("", f"Column {position + 1} has a value but no name in the header row.")
    return cells


def tracker_import(*, file, by, at: datetime | None = None, dry_run: bool = False) -> ImportSummary:
    """Import a spreadsheet tracker: one row per recommendation (columns: ``IMPORT_COLUMNS``).

    ``file`` is a text stream (open it with ``newline=""``) or a binary one such as an upload,
    read as UTF-8 with or without a byte-order mark. ``by`` is recorded in the history;
    unless they see every organisation, they may import only their own organisation's
    recommendations. ``at`` (default: now) dates the evidence links and decides what is in
    the future.

    All or nothing: every row is checked, then everything is written in one transaction
    through ``services.complaint_create`` (statutory clocks included), ``recommendation_create``,
    ``evidence_add`` and ``recommendation_transition``. Rows already in the app with the same
    values are left alone; any problem raises ``TrackerImportError`` listing every one, and
    nothing is written. ``dry_run`` checks the file and returns what would be created.
    """
    at = at or timezone.now()
    lookups = _Lookups()
    records = _records(file)
    number, header = next(records, (None, []))
    if number is None:
        raise TrackerImportError(
            errors=[
                RowError(
                    None,
                    "",
                    "The file is empty: it needs a header row and one row per recommendation.",
                )
            ]
        )
    if not any(cell.strip() for cell in header):
        raise TrackerImportError(
            errors=[RowError(1, "", "Row 1 must be the header row, naming the columns.")]
        )
    names = _header(header)
    today = timezone.localdate(at)
    rows, errors = [], []
    for number, record in records:
        if not any(value.strip() for value in record):
            continue  # a blank row, as spreadsheets often leave at the end
        cells = _cells(number, record, names)
        row = _row(cells, lookups, by=by, today=today)
        errors += cells.errors
        if row is not None:
            rows.append(row)
    if not rows and not errors:
        raise TrackerImportError(
            errors=[RowError(None, "", "The file has a header row but no recommendations.")]
        )
    plan = _plan(rows, errors)
    if errors:
        raise TrackerImportError(errors=errors)
    if not dry_run:
        with transaction.atomic():
            _write(plan, by=by, at=at)
    return ImportSummary(
        complaints_created=len(plan.new_complaints),
        recommendations_created=len(plan.new_rows),
        rows_unchanged=plan.rows_unchanged,
    )
