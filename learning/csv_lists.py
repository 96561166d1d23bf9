"""Reading the two lists the learning programme imports: an audience list (name, work email,
team or agency) and a session's attendance list (work email, maybe a name).

Both are read whole and checked row by row before anything is written: ``ListImportError``
carries every problem found (``RowError``, with the row number a spreadsheet shows), and the
services write nothing then. The lists are of staff, a few thousand rows at most, so they are
read in memory.
"""

import csv
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ombudsman_tracker.csv_import import RowError, header_key, text_stream

MAX_ROWS = 5000
MAX_ERRORS = 200
MAX_LENGTH = 200  # a name or a team, as the models' fields
EMAIL_MAX_LENGTH = 254

# Accepted headings (as ``header_key`` reads them) for each column.
AUDIENCE_COLUMNS = {
    "name": {"name", "full_name"},
    "email": {"work_email", "email", "email_address"},
    "team": {"team", "team_or_agency", "agency", "audience", "role"},
}
AUDIENCE_REQUIRED = ("name", "email", "team")
ATTENDANCE_COLUMNS = {
    "email": AUDIENCE_COLUMNS["email"],
    "name": AUDIENCE_COLUMNS["name"],
}
ATTENDANCE_REQUIRED = ("email",)
# The heading each column is written with in the template and in messages.
HEADINGS = {"name": "name", "email": "work_email", "team": "team"}
# Several teams in one cell are separated by semicolons ("Front door (MASH); Duty").
TEAM_SEPARATOR = ";"


class ListImportError(Exception):
    """The list has problems; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors[:MAX_ERRORS]
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported.")


@dataclass
class ListedPerson:
    """One person of an audience list: the first row that names them, and every team."""

    row_number: int
    name: str
    email: str
    teams: list[str] = field(default_factory=list)


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in text)[:60]


def _rows(file, columns: dict[str, set[str]], required: tuple[str, ...]):
    """(row number, {column: value}) for each row that is not blank; ``ListImportError`` for a
    file that is not UTF-8 CSV, or a header that lacks a column or has one it does not know."""
    try:
        with text_stream(file) as stream:
            reader = csv.reader(stream)
            header = next(reader, None)
            if not header:
                raise ListImportError([RowError(None, "", "The file is empty.")])
            keys = {}
            errors = []
            for index, name in enumerate(header):
                key = header_key(name)
                column = next((column for column, names in columns.items() if key in names), None)
                if column is None:
                    if key:
                        errors.append(
                            RowError(
                                1,
                                _printable(name),
                                f"Unknown column '{_printable(name)}'. Expected: "
                                f"{', '.join(HEADINGS[column] for column in columns)}.",
                            )
                        )
                    continue
                keys[index] = column
            errors += [
                RowError(1, HEADINGS[column], f"Column '{HEADINGS[column]}' is missing.")
                for column in required
                if column not in keys.values()
            ]
            if errors:
                raise ListImportError(errors)
            rows = []
            for number, cells in enumerate(reader, start=2):
                values = {
                    column: (cells[index] if index < len(cells) else "").strip()
                    for index, column in keys.items()
                }
                if not any(values.values()):
                    continue
                rows.append((number, values))
                if len(rows) > MAX_ROWS:
                    raise ListImportError(
                        [RowError(None, "", f"The file has more than {MAX_ROWS} rows: split it.")]
                    )
    except UnicodeDecodeError:
        raise ListImportError(
            [RowError(None, "", "The file is not UTF-8 text: save it as CSV UTF-8 and try again.")]
        ) from None
    except csv.Error as error:
        raise ListImportError([RowError(None, "", f"The file is not valid CSV: {error}")]) from None
    if not rows:
        raise ListImportError([RowError(2, "", "The file has a header but no rows.")])
    return rows


def _text(number: int, column: str, value: str, errors: list[RowError], *, what: str) -> str:
    if "\0" in value:
        errors.append(RowError(number, column, "This value holds a NUL character."))
    elif not value:
        errors.append(RowError(number, column, f"Enter {what}."))
    elif len(value) > MAX_LENGTH:
        errors.append(RowError(number, column, f"This is longer than {MAX_LENGTH} characters."))
    return value


def _email(number: int, value: str, errors: list[RowError]) -> str:
    email = value.lower()
    if not email:
        errors.append(RowError(number, "work_email", "Enter the work email address."))
        return email
    try:
        if len(email) > EMAIL_MAX_LENGTH or "\0" in email:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors.append(
            RowError(
                number,
                "work_email",
                f"'{_printable(value)}' is not an email address: write it like "
                "name@council.gov.uk.",
            )
        )
    return email


def audience_list_read(file) -> list[ListedPerson]:
    """The people of an audience list, once each (by work email), with their teams; or
    ``ListImportError`` with every problem. A person's teams may be in several rows or in one
    cell separated by semicolons; the same email with two different names is a problem."""
    errors: list[RowError] = []
    people: dict[str, ListedPerson] = {}
    for number, values in _rows(file, AUDIENCE_COLUMNS, AUDIENCE_REQUIRED):
        found = len(errors)
        name = _text(number, "name", values["name"], errors, what="the person's name")
        email = _email(number, values["email"], errors)
        teams = [team.strip() for team in values["team"].split(TEAM_SEPARATOR) if team.strip()]
        if not teams:
            errors.append(RowError(number, "team", "Enter the team or agency."))
        for team in teams:
            _text(number, "team", team, errors, what="the team or agency")
        if len(errors) > found:
            continue
        listed = people.get(email)
        if listed is None:
            people[email] = ListedPerson(number, name, email, list(dict.fromkeys(teams)))
        elif listed.name != name:
            errors.append(
                RowError(
                    number,
                    "name",
                    f"Row {listed.row_number} gives this email address to '{listed.name}': "
                    "one address is one person.",
                )
            )
        else:
            listed.teams += [team for team in teams if team not in listed.teams]
    if errors:
        raise ListImportError(errors)
    return list(people.values())


def attendance_list_read(file) -> list[tuple[int, str, str]]:
    """(row number, work email, name as written) for each attendee, once each; or
    ``ListImportError``. Whether each is a known person is for the service to say."""
    errors: list[RowError] = []
    attendees: dict[str, tuple[int, str, str]] = {}
    for number, values in _rows(file, ATTENDANCE_COLUMNS, ATTENDANCE_REQUIRED):
        found = len(errors)
        email = _email(number, values["email"], errors)
        name = values.get("name", "")
        if "\0" in name or len(name) > MAX_LENGTH:
            errors.append(RowError(number, "name", "This name is not valid."))
        if len(errors) == found:
            attendees.setdefault(email, (number, email, name))
    if errors:
        raise ListImportError(errors)
    return list(attendees.values())
