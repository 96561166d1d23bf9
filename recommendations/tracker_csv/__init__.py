"""CSV export of recommendations, and import of a council's spreadsheet tracker (CSV or .xlsx).

``tracker_export`` writes one row per recommendation for clerks to open in Excel, in the same
columns the import reads (plus a few the app fills in), so an export edited in Excel imports
back; ``tracker_export_chunks`` gives the same text in pieces, for a streamed download.
``tracker_import`` reads a tracker (one row per recommendation; a complaint repeats on
each of its rows) and records it through ``recommendations.services``. The import is
all-or-nothing: every row is checked first, every problem is reported with its spreadsheet
row number, and nothing is written unless the whole file is good. Importing the same file
again changes nothing, and an import never overwrites what is already in the app, except the
status (and evidence links) of a recommendation edited in an export, if nobody has changed it
since. ``tracker_template_csv`` and ``tracker_template_xlsx`` give the empty file to fill in.

The modules follow the import's steps: ``reading`` (records, header, cells) or ``workbook``
(an Excel workbook's records), ``checking`` (each row on its own, with ``lookups`` and
``rules``), ``planning`` (rows against each other and the app), ``writing`` (through the
services), tied together in ``importer``. The columns are in ``columns``, shown on the import
page and documented for users in ``docs/tracker-csv.md``; keep that page in step. Apps above
add their own columns through ``extensions`` (an action plan's milestones). Formulas are
escaped on export and read back on import by ``escaping``. A file uploaded on the import page
is imported by a worker, its progress shown: see ``uploads``.
"""

from ombudsman_tracker.csv_import import RowError, parse_date

from .columns import Column, all_columns, import_columns
from .errors import TrackerImportError
from .export import tracker_export, tracker_export_chunks
from .extensions import TrackerExtension, tracker_extension_register, tracker_extensions
from .importer import ImportSummary, tracker_import
from .reading import ENCODING_MESSAGE, MAX_ROWS
from .rules import Rule
from .template import tracker_template_csv, tracker_template_xlsx
from .uploads import (
    tracker_upload_create,
    tracker_upload_get_for,
    tracker_upload_progress_text,
    tracker_upload_result_text,
    tracker_upload_run,
    tracker_uploads_clean,
    tracker_uploads_visible_to,
)

__all__ = [
    "COLUMNS",
    "ENCODING_MESSAGE",
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "MAX_ROWS",
    "Column",
    "ImportSummary",
    "RowError",
    "Rule",
    "TrackerExtension",
    "TrackerImportError",
    "all_columns",
    "import_columns",
    "parse_date",
    "tracker_export",
    "tracker_export_chunks",
    "tracker_extension_register",
    "tracker_extensions",
    "tracker_import",
    "tracker_template_csv",
    "tracker_template_xlsx",
    "tracker_upload_create",
    "tracker_upload_get_for",
    "tracker_upload_progress_text",
    "tracker_upload_result_text",
    "tracker_upload_run",
    "tracker_uploads_clean",
    "tracker_uploads_visible_to",
]


def __getattr__(name: str):
    """``COLUMNS`` (also ``EXPORT_COLUMNS``) and ``IMPORT_COLUMNS``, read when asked for, so
    that they hold the columns the apps above register in their ``AppConfig.ready()``
    (``extensions``), whenever this package was first imported."""
    if name in ("COLUMNS", "EXPORT_COLUMNS"):
        return all_columns()
    if name == "IMPORT_COLUMNS":
        return import_columns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
