"""The error an import raises: every problem in the file, in row order."""

from ombudsman_tracker.csv_import import RowError
from ombudsman_tracker.formats import counted

from .columns import column_order


class TrackerImportError(Exception):
    """The file has problems; nothing was imported. ``errors`` lists every one, in row order."""

    def __init__(self, *, errors: list[RowError]):
        order = column_order()
        self.errors = sorted(errors, key=lambda e: (e.row_number or 0, order.get(e.column, -1)))
        count = len(self.errors)
        super().__init__(f"The file has {counted(count, 'problem')}; nothing was imported.")
