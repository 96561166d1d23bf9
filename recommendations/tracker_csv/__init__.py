"""CSV export of recommendations, and import of a council's existing spreadsheet tracker.

``tracker_export`` writes one row per recommendation for clerks to open in Excel.
``tracker_import`` reads a tracker (one row per recommendation; a complaint repeats on each of
its rows) and records it through ``recommendations.services``. The import is all-or-nothing:
every row is checked first, every problem is reported with its spreadsheet row number, and
nothing is written unless the whole file is good. Importing the same file again changes nothing,
and an import never overwrites what is already in the app.

The modules follow the import's steps: ``reading`` (records, header, cells), ``checking``
(each row on its own, with ``lookups`` and ``rules``), ``planning`` (rows against each other and
the app), ``writing`` (through the services), tied together in ``importer``. The columns are in
``columns``, documented for users in ``docs/tracker-csv.md``; keep that page in step. A file
uploaded on the import page is imported by a worker, its progress shown: see ``uploads``.
"""

from ombudsman_tracker.csv_import import RowError, parse_date

from .columns import EXPORT_COLUMNS, IMPORT_COLUMNS, Column
from .errors import TrackerImportError
from .export import tracker_export
from .importer import ImportSummary, tracker_import
from .reading import ENCODING_MESSAGE
from .rules import Rule
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
    "ENCODING_MESSAGE",
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "Column",
    "ImportSummary",
    "RowError",
    "Rule",
    "TrackerImportError",
    "parse_date",
    "tracker_export",
    "tracker_import",
    "tracker_upload_create",
    "tracker_upload_get_for",
    "tracker_upload_progress_text",
    "tracker_upload_result_text",
    "tracker_upload_run",
    "tracker_uploads_clean",
    "tracker_uploads_visible_to",
]
