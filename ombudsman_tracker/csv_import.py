"""Cell handling shared by the CSV importers (the tracker and the audit population).

Both report problems against the row number a spreadsheet shows, read dates the way UK
spreadsheets write them, accept column names in any case, and take an upload as it comes.
"""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date


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


def header_key(name: str) -> str:
    """A header cell as a column name: ``Report date`` and ``REPORT-DATE`` are ``report_date``."""
    # Any run of other characters (a byte-order mark included) separates words, so that the
    # population import's check for personal identifiers sees "Surname/Forename" as two words.
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@contextmanager
def text_stream(file) -> Iterator[io.TextIOBase]:
    """``file`` as text: a binary file (an upload) is read as UTF-8, with or without a BOM.

    A binary file is left open, and where the reading stopped, when the block ends, so that it
    can be read again. A text stream is used as it is (open it with ``newline=""``).
    """
    if not isinstance(file.read(0), bytes):
        yield file
        return
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.detach()  # closing the wrapper would close the file
