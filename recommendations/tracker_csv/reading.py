"""Reading the file: records numbered as a spreadsheet numbers its rows, the header, the cells.

A CSV file is read here; a workbook by ``workbook``, into the same (row number, cells) records.
"""

import csv

from ombudsman_tracker.csv_import import RowError, header_key

from .columns import FROM_EXPORT, REQUIRED, all_columns, import_columns
from .errors import TrackerImportError
from .escaping import unescaped

ENCODING_MESSAGE = (
    "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (Comma delimited) (*.csv)', "
    "or upload the Excel workbook (.xlsx) itself."
)
# The most rows a file may have below its header, CSV or workbook alike. A 20 MB CSV of
# typical rows (200 to 350 bytes) holds 60,000 to 100,000; recording 100,000 takes about 25
# minutes, within the import job's time limit (recommendations/jobs.py).
MAX_ROWS = 100_000


def numbered_records(text):
    """(row number, cells) for every record, counted as a spreadsheet counts its rows."""
    # csv.reader, not DictReader: DictReader skips blank lines, which are rows in Excel, so its
    # row numbers would drift from the ones the user sees.
    reader = csv.reader(text)
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


def too_many_rows() -> TrackerImportError:
    return TrackerImportError(
        errors=[
            RowError(
                None,
                "",
                f"The file has more than {MAX_ROWS:,} rows below its header: split it into "
                "files of at most that many and import each.",
            )
        ]
    )


def header_names(cells: list[str]) -> list[str]:
    """The column name at each position ('' for an unnamed column). Raises on a bad header."""
    names = [header_key(cell) for cell in cells]
    columns = all_columns()
    known = {column.name for column in columns}
    errors = [
        RowError(
            1,
            cell.strip(),
            f"Unknown column '{cell.strip()}'. The columns are: "
            + ", ".join(column.name for column in import_columns())
            + "; an export adds "
            + ", ".join(column.name for column in FROM_EXPORT)
            + ". The import page describes each one.",
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
        for column in columns
        if column.required and column.name not in seen
    ]
    if errors:
        raise TrackerImportError(errors=errors)
    return names


class Cells:
    """One row's cells by column name; each problem is recorded against its column."""

    def __init__(self, number: int, values: dict[str, str]):
        self.number, self.values, self.errors = number, values, []

    @classmethod
    def of_record(cls, number: int, record: list[str], names: list[str]) -> "Cells":
        cells = cls(number, {})
        for position, value in enumerate(record):
            name = names[position] if position < len(names) else ""
            if name:
                cells.values[name] = unescaped(value)
            elif value.strip():
                cells.error("", f"Column {position + 1} has a value but no name in the header row.")
        return cells

    def error(self, column: str, message: str):
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str, *, max_length: int | None = None) -> str:
        value = self.values.get(column, "").replace("\r\n", "\n").strip()
        if not value and column in REQUIRED:
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
