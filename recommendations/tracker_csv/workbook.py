"""Reading a tracker saved as an Excel workbook (.xlsx): its first worksheet, the header in row 1.

A workbook is a ZIP of XML parts, so it is looked into before it is opened: a small file can
unpack to gigabytes (a zip bomb) or declare a sheet of a million rows. ``workbook_problem``
says why a workbook is refused; the upload page asks it (so the user hears at once), and so
does the import before openpyxl reads anything. ``workbook_records`` then yields the rows as
``reading.numbered_records`` yields a CSV's: (row number, cells as text), where a real Excel
date is written YYYY-MM-DD and a whole number without a decimal point. The row limit is the
CSV's (``reading.MAX_ROWS``), counted as the rows are read, since a sheet's declared size
can lie. XML is parsed through defusedxml (openpyxl uses it when it is installed).
"""

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from posixpath import join, normpath

from defusedxml import ElementTree
from django.conf import settings
from openpyxl import load_workbook

from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.uploads import size_in_mb

from . import reading
from .errors import TrackerImportError
from .reading import too_many_rows

SIGNATURE = b"PK\x03\x04"  # every ZIP, so every .xlsx, starts so
# Unpacked, a workbook's XML is several times the size of the CSV holding the same rows; ten
# times the upload limit leaves room for MAX_ROWS rows of long text and stops a zip bomb.
UNPACKED_PER_UPLOAD_BYTE = 10
MAX_PARTS = 10_000  # a tracker has a dozen; a ZIP of a million empty parts is an attack
DIMENSION_BYTES = 64 * 1024  # the <dimension> element is near the start of a sheet's XML
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+\d+:)?[A-Z]+(\d+)\"")
NOT_READABLE = (
    "This workbook cannot be read ({detail}). Open it in Excel, save it again as an Excel "
    "Workbook (.xlsx), and upload it again; or save it as 'CSV UTF-8 (Comma delimited)'."
)


def is_workbook(file) -> bool:
    """Whether ``file`` (a binary file, rewound afterwards) is a ZIP, as a workbook is."""
    head = file.read(len(SIGNATURE))
    file.seek(0)
    return head == SIGNATURE


def max_unpacked_bytes() -> int:
    return UNPACKED_PER_UPLOAD_BYTE * settings.EVIDENCE_MAX_UPLOAD_BYTES


def workbook_problem(file) -> str:
    """Why this workbook is refused before it is opened, or "" (``file`` is rewound).

    Only the ZIP's directory and the start of the first sheet are read: the parts' sizes
    once unpacked (which bound what reading them can unpack) and the rows the sheet declares.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                return f"This workbook has {len(parts):,} parts: it is not an Excel workbook."
            if sum(part.file_size for part in parts) > max_unpacked_bytes():
                return (
                    f"This workbook unpacks to more than {size_in_mb(max_unpacked_bytes())}: "
                    "save it as 'CSV UTF-8 (Comma delimited)', or split it into smaller "
                    "workbooks."
                )
            rows = _declared_rows(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:
        return NOT_READABLE.format(detail=str(exc) or type(exc).__name__)
    finally:
        file.seek(0)
    if rows is not None and rows > reading.MAX_ROWS + 1:
        return (
            f"This workbook's first sheet has {rows - 1:,} rows below its header; at most "
            f"{reading.MAX_ROWS:,} can be imported at once: split it into smaller workbooks."
        )
    return ""


def _declared_rows(archive: zipfile.ZipFile) -> int | None:
    """The last row the first worksheet says it uses, or None if it does not say."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError):
        return None  # openpyxl will say what is wrong
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in relationships.iter(f"{_RELATIONSHIPS}Relationship")
        if rel.get("Type", "").endswith("/worksheet")
    }
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIP_ID))
        if target is None:
            continue  # a chart sheet: openpyxl skips those too
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        try:
            with archive.open(path) as part:
                start = part.read(DIMENSION_BYTES)
        except KeyError:
            return None
        match = _DIMENSION.search(start)
        return int(match[1]) if match else None
    return None


def cell_text(value) -> str:
    """A cell's value as the CSV reader would have it."""
    match value:
        case None:
            return ""
        case bool():
            return "yes" if value else "no"
        case datetime() if value.time() == time(0):
            return value.date().isoformat()
        case date():  # a datetime with a time of day is not a date: it is refused as text
            return value.isoformat()
        case float() if value.is_integer():
            return str(int(value))
    return str(value)


@dataclass
class Sheet:
    """The first worksheet's rows as (row number, cells as text); ``declared_rows`` for a
    progress estimate (None if the sheet does not say)."""

    records: Iterator[tuple[int, list[str]]]
    declared_rows: int | None


@contextmanager
def workbook_records(file) -> Iterator[Sheet]:
    """Open the workbook in ``file`` (binary) and yield its first worksheet's rows.

    Raises ``TrackerImportError`` if it is refused by ``workbook_problem``, cannot be read,
    has no worksheet, or has more than ``MAX_ROWS`` rows below its header.
    """
    if problem := workbook_problem(file):
        raise TrackerImportError(errors=[RowError(None, "", problem)])
    try:
        book = load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file: all say so
        raise _not_readable(exc) from None
    try:
        if not book.worksheets:
            raise TrackerImportError(errors=[RowError(None, "", "This workbook has no worksheet.")])
        sheet = book.worksheets[0]
        declared = sheet.max_row
        # Rows as long as their last cell, not as the declared size (which may be wrong).
        sheet.reset_dimensions()
        yield Sheet(records=_records(sheet), declared_rows=declared)
    finally:
        book.close()


def _records(sheet) -> Iterator[tuple[int, list[str]]]:
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(rows, None)
        except Exception as exc:  # a damaged sheet: openpyxl's parser says why
            raise _not_readable(exc) from None
        if values is None:
            return
        number += 1
        if number > reading.MAX_ROWS + 1:
            raise too_many_rows()
        yield number, [cell_text(value) for value in values]


def _not_readable(exc: Exception) -> TrackerImportError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return TrackerImportError(errors=[RowError(None, "", NOT_READABLE.format(detail=detail))])
