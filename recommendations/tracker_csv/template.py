"""The empty tracker a council fills in: the header row of ``import_columns()``, as CSV or as an
Excel workbook. An export has the same columns first, then those the app fills in."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .columns import import_columns

SHEET_TITLE = "Tracker"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tracker_template_csv(out) -> None:
    """Write the header row to ``out`` (a text stream opened with ``newline=""``)."""
    csv.writer(out).writerow([column.name for column in import_columns()])


def tracker_template_xlsx() -> bytes:
    """A workbook whose first sheet has the header row, bold and frozen, each column as wide
    as its name."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append([column.name for column in import_columns()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, len(cell.value) + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
