"""Import the case population the performance team extracts from the case-management system.

The file holds pseudonymised case references only. A column that looks like a personal
identifier (a name, a date of birth, an address...) aborts the import before anything is read,
and so does a value that looks like one (``personal_data``), reported by row and column without
being repeated. The import is all-or-nothing: the file is read twice, once to check every row
and once to write, so nothing is written unless every row is good, and the file is never held
in memory. Importing the same file again changes nothing; a case already held with different
details is an error rather than a silent overwrite. For speed (a council's population is some
100,000 cases), each import screens a repeated value once (``_Parser``), and on PostgreSQL
writes by COPY (``_new_cases``).
"""

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache, partial

from django.db import connection, transaction

from ombudsman_tracker.csv_import import RowError, header_key, parse_date, text_stream
from organisations.models import Organisation

from .models import PopulationCase, PopulationImport
from .personal_data import masked, personal_column, personal_value

COLUMNS = [
    "case_reference",
    "team",
    "opened_on",
    "closed_on",
    "presenting_needs",
    "cross_border",
    "other_council",
    "context",
]
REQUIRED = {"case_reference", "team", "opened_on", "closed_on", "cross_border"}
BATCH_SIZE = 2000
INSERT_BATCH_SIZE = 1000  # larger multi-row INSERTs cost more to bind than they save
MAX_ERRORS = 200
# A file repeats its teams, dates, needs and councils row after row: each import remembers
# what it made of this many short values, so memory stays flat however long the file.
REMEMBERED = 4096
REMEMBERED_LENGTH = 200
STAGED = "population_case_new"  # the temporary table of the cases an import is writing

# Columns of words, where a date may be a date of birth (the dates have their own columns).
FREE_TEXT = ["case_reference", "team", "presenting_needs", "other_council", "context"]
MAX_LENGTH = {"team": 200, "other_council": 200}  # as the model's fields
PERSONAL_DATA = "the population must hold pseudonymised case references only"
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,49}$")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class PopulationImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was imported.")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    batch: PopulationImport | None = field(default=None, repr=False)


def _shown(name: str) -> str:
    """A header cell as it may be shown: printable, and short."""
    name = "".join(char if char.isprintable() else "?" for char in name)
    return name if len(name) <= 60 else name[:57] + "..."


def _check_header(header: list[str] | None) -> None:
    if not header:
        raise PopulationImportError([RowError(1, "", "The file is empty.")])
    keys = [header_key(name) for name in header]
    personal = [
        _shown(name)
        for name, key in zip(header, keys, strict=True)
        if key not in COLUMNS and personal_column(key)
    ]
    if personal:
        raise PopulationImportError(
            [
                RowError(
                    1,
                    name,
                    f"Column '{name}' looks like personal data: {PERSONAL_DATA}. Remove the "
                    "column and import again.",
                )
                for name in personal
            ]
        )
    errors = []
    for number, (name, key) in enumerate(zip(header, keys, strict=True), start=1):
        if key in COLUMNS:
            continue
        what = personal_value(name, free_text=True, reference=True)
        if what == "a name":
            # Headings such as "Date Opened" look like names too: not shown, but not blamed.
            errors.append(
                RowError(
                    1,
                    f"column {number}",
                    f"Unknown column {number} ({masked(name)}): its heading is not shown, as it "
                    f"may be a name. Expected: {', '.join(COLUMNS)}.",
                )
            )
        elif what:
            # No header row: the first case's values were read as column names.
            errors.append(
                RowError(
                    1,
                    f"column {number}",
                    f"The heading of column {number} looks like {what} ({masked(name)}): "
                    f"{PERSONAL_DATA}. The first row must be the column names: "
                    f"{', '.join(COLUMNS)}.",
                )
            )
        else:
            errors.append(
                RowError(
                    1,
                    _shown(name),
                    f"Unknown column '{_shown(name)}'. Expected: {', '.join(COLUMNS)}.",
                )
            )
    errors += [
        RowError(1, column, f"Column '{column}' is missing.")
        for column in sorted(REQUIRED - set(keys))
    ]
    if errors:
        raise PopulationImportError(errors)


def _refusal(value: str, *, free_text: bool, reference: bool = False) -> str | None:
    """Why a value cannot be imported as it may hold personal data, or None."""
    if "\0" in value:
        return "This value holds a NUL character: export the file again."
    what = personal_value(value, free_text=free_text, reference=reference)
    if what:
        return (
            f"This value looks like {what} ({masked(value)}): {PERSONAL_DATA}. Remove it and "
            "import again."
        )
    return None


def _date(column: str, text: str):
    try:
        return parse_date(text)
    except ValueError as error:
        if re.fullmatch(r"[0-9/ .-]*", text):
            raise ValueError(column, str(error)) from None
        # Anything but digits may be a name in the wrong column: never repeated back.
        raise ValueError(
            column,
            f"This is not a date ({masked(text)}): write it as YYYY-MM-DD (2021-11-26) or "
            "DD/MM/YYYY (26/11/2021).",
        ) from None


def _needs(text: str) -> list[str]:
    return sorted({need.strip().lower() for need in text.split(";") if need.strip()})


class _Parser:
    """One import's reading of rows, each distinct value screened and parsed once.

    The case reference differs on every row, so it is screened afresh each time; what the
    other columns hold is remembered (up to ``REMEMBERED`` short values each), for this import
    only.
    """

    def __init__(self):
        remember = lru_cache(maxsize=REMEMBERED)
        self._refusals = [
            (column, remember(partial(_refusal, free_text=column in FREE_TEXT)))
            for column in COLUMNS
            if column != "case_reference"
        ]
        self._dates = {
            column: remember(partial(_date, column)) for column in ("opened_on", "closed_on")
        }
        self._needs = remember(_needs)

    def __call__(self, cells: dict[str, str]) -> dict:
        """One row's values, or ValueError naming the column."""
        values = {column: (cells.get(column) or "").strip() for column in COLUMNS}
        # Screened in the order of COLUMNS, the case reference first.
        if message := _refusal(values["case_reference"], free_text=True, reference=True):
            raise ValueError("case_reference", message)
        for column, refusal in self._refusals:
            value = values[column]
            if len(value) > REMEMBERED_LENGTH:
                refusal = refusal.__wrapped__
            if message := refusal(value):
                raise ValueError(column, message)
        for column in REQUIRED:
            if not values[column]:
                raise ValueError(column, f"Enter the {column.replace('_', ' ')}.")
        if not REFERENCE.match(values["case_reference"]):
            raise ValueError(
                "case_reference",
                "A case reference is letters, numbers and / _ . - only (at most 50): it must be "
                "the pseudonymised reference.",
            )
        for column, limit in MAX_LENGTH.items():
            if len(values[column]) > limit:
                raise ValueError(
                    column,
                    f"The {column.replace('_', ' ')} must be at most {limit} characters.",
                )
        parsed = {"case_reference": values["case_reference"], "team": values["team"]}
        for column, date in self._dates.items():
            parsed[column] = date(values[column])
        if parsed["closed_on"] < parsed["opened_on"]:
            raise ValueError("closed_on", "The case cannot close before it opened.")
        flag = values["cross_border"].lower()
        if flag not in YES and flag not in NO:
            raise ValueError("cross_border", "Cross-border must be yes or no.")
        parsed["cross_border"] = flag in YES
        needs = values["presenting_needs"]
        parsed["presenting_needs"] = (
            self._needs(needs) if len(needs) <= REMEMBERED_LENGTH else _needs(needs)
        )
        parsed["other_council"] = values["other_council"]
        parsed["context"] = values["context"]
        return parsed


def _rows(stream) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(stream)
    _check_header(reader.fieldnames)
    reader.fieldnames = [header_key(name) for name in reader.fieldnames]
    yield from enumerate(reader, start=2)  # row 1 is the header, as in a spreadsheet


def _names(*fields: str) -> list[str]:
    """The population table's name and its columns for these fields, quoted for SQL."""
    quote = connection.ops.quote_name
    meta = PopulationCase._meta
    return [quote(meta.db_table), *(quote(meta.get_field(name).column) for name in fields)]


def _held(organisation, references: list[str]) -> dict[str, dict]:
    """The organisation's cases already held for these references, as a row is parsed."""
    if connection.vendor != "postgresql":
        return {
            case["case_reference"]: case
            for case in PopulationCase.objects.filter(
                organisation=organisation, case_reference__in=references
            ).values(*COLUMNS)
        }
    # The references as one text, split by the server: thousands of parameters, or an array
    # of thousands, cost more to bind than the look-up. A reference holds no comma.
    table, organisation_id, reference = _names("organisation", "case_reference")
    columns = ", ".join(_names(*COLUMNS)[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {organisation_id} = %s "  # noqa: S608 (names are the model's, values parameters)
            f"AND {reference} = ANY(string_to_array(%s, ','))",
            [organisation.pk, ",".join(references)],
        )
        held = [dict(zip(COLUMNS, row, strict=True)) for row in cursor]
    needs = PopulationCase._meta.get_field("presenting_needs")
    for case in held:
        case["presenting_needs"] = needs.from_db_value(case["presenting_needs"], None, connection)
    return {case["case_reference"]: case for case in held}


def _batches(stream, organisation, parse: _Parser):
    """Parsed rows in batches, each with the cases already held for its references."""
    batch: list[tuple[int, dict | ValueError]] = []

    def flush():
        references = [values["case_reference"] for _, values in batch if isinstance(values, dict)]
        return batch, _held(organisation, references)

    for row_number, cells in _rows(stream):
        try:
            batch.append((row_number, parse(cells)))
        except ValueError as error:
            batch.append((row_number, error))
        if len(batch) == BATCH_SIZE:
            yield flush()
            batch = []
    if batch:
        yield flush()


def _checksum(file) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    return digest.hexdigest()


def _check(
    file, organisation, parse: _Parser, checked: Callable[[int, int], None] | None = None
) -> int:
    """First pass: every row checked; raises with every problem found (up to MAX_ERRORS)."""
    errors: list[RowError] = []
    seen: set[str] = set()
    rows = 0
    file.seek(0)
    try:
        with text_stream(file) as text:
            for batch, held in _batches(text, organisation, parse):
                rows += len(batch)
                errors += _batch_errors(batch, held, seen)
                if checked:
                    # Where the text reader has got to in the bytes: a little ahead of the
                    # rows parsed (it reads in chunks), which is close enough for a progress bar.
                    checked(rows, file.tell())
                if len(errors) >= MAX_ERRORS:
                    break
    except UnicodeDecodeError:
        raise PopulationImportError(
            [RowError(1, "", "The file is not UTF-8 text: save it as CSV UTF-8 and try again.")]
        ) from None
    except csv.Error as error:
        raise PopulationImportError(
            [RowError(1, "", f"The file is not valid CSV: {error}")]
        ) from None
    if errors:
        raise PopulationImportError(errors[:MAX_ERRORS])
    if not rows:
        raise PopulationImportError([RowError(2, "", "The file has a header but no cases.")])
    return rows


def _batch_errors(batch, held, seen: set[str]) -> list[RowError]:
    errors = []
    for row_number, values in batch:
        if isinstance(values, ValueError):
            column, message = values.args
            errors.append(RowError(row_number, column, message))
            continue
        reference = values["case_reference"]
        if reference in seen:
            errors.append(RowError(row_number, "case_reference", f"{reference} appears twice."))
        seen.add(reference)
        if reference in held and held[reference] != values:
            errors.append(
                RowError(
                    row_number,
                    "case_reference",
                    f"{reference} is already held with different details; the import never "
                    "overwrites a case.",
                )
            )
    return errors


@contextmanager
def _new_cases(organisation) -> Iterator[Callable[[list[dict], PopulationImport], None]]:
    """A function to write new cases with; they are in the population when the block ends.

    On PostgreSQL they wait in a temporary table, put there by COPY (several times quicker than
    INSERT), and join the population in one statement at the end. Until then the organisation's
    cases, looked up batch by batch, are only those held before: were they to grow as the
    import writes, they would outgrow the planner's statistics, and each look-up would come to
    read all of them. Elsewhere (SQLite), multi-row INSERTs as the import goes.
    """
    if connection.vendor != "postgresql":

        def insert(cases: list[dict], batch: PopulationImport) -> None:
            PopulationCase.objects.bulk_create(
                (
                    PopulationCase(organisation=organisation, imported_in=batch, **values)
                    for values in cases
                ),
                batch_size=INSERT_BATCH_SIZE,
            )

        yield insert
        return
    table, *columns = _names("organisation", "imported_in", *COLUMNS)
    columns = ", ".join(columns)
    staged = connection.ops.quote_name(STAGED)
    needs = 2 + COLUMNS.index("presenting_needs")  # in the rows written below
    as_json = lru_cache(maxsize=REMEMBERED)(lambda values: json.dumps(list(values)))

    def stage(cases: list[dict], batch: PopulationImport) -> None:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {staged} ({columns}) FROM STDIN") as copy,
        ):
            for values in cases:
                row = [organisation.pk, batch.pk, *(values[column] for column in COLUMNS)]
                row[needs] = as_json(tuple(row[needs]))
                copy.write_row(row)

    with connection.cursor() as cursor:
        # Dropped below, or with the transaction if the import fails.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP AS "  # noqa: S608 (the model's names)
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
    yield stage
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staged}")  # noqa: S608 (the model's names)
        cursor.execute(f"DROP TABLE {staged}")


def population_import(
    *,
    file,
    file_name: str,
    organisation,
    by,
    at: datetime,
    checked: Callable[[int, int], None] | None = None,
    writing: Callable[[], None] | None = None,
) -> ImportSummary:
    """Check every row, then write the new cases in one transaction. Returns the counts.

    ``file`` is a binary file object (an upload) that can be read twice. For a progress
    indicator, ``checked`` is called with (rows checked, bytes read) after each batch of the
    check, and ``writing`` once every row has passed, just before the write transaction opens:
    both run outside that transaction, so what they record can be seen by other connections.
    """
    parse = _Parser()
    total = _check(file, organisation, parse, checked)
    summary = ImportSummary(rows=total)
    checksum = _checksum(file)
    file.seek(0)
    if writing:
        writing()
    seen: set[str] = set()
    with transaction.atomic(), text_stream(file) as text:
        # Imports for one organisation take turns (the same file uploaded twice, the command run
        # meanwhile): each finds what the other wrote already held, so none inserts it again.
        Organisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)
        with _new_cases(organisation) as write:
            for batch, held in _batches(text, organisation, parse):
                if errors := _batch_errors(batch, held, seen):
                    # Held since the check, by an import that ran at the same time.
                    raise PopulationImportError(errors[:MAX_ERRORS])
                new = [values for _, values in batch if values["case_reference"] not in held]
                if not new:
                    continue
                if summary.batch is None:
                    summary.batch = PopulationImport.objects.create(
                        organisation=organisation,
                        file_name=file_name,
                        sha256=checksum,
                        rows=total,
                        cases_created=0,
                        imported_by=by,
                        imported_at=at,
                    )
                write(new, summary.batch)
                summary.created += len(new)
        summary.unchanged = total - summary.created
        if summary.batch:
            summary.batch.cases_created = summary.created
            summary.batch.save(update_fields=["cases_created"])
    return summary
