"""Columns that apps above recommendations add to the tracker, so that a tracker kept in
Excel carries them too (an action plan's milestones), while recommendations imports none of
those apps: each registers a ``TrackerExtension`` in its ``AppConfig.ready()``.

An extension's columns are optional and come after ours (``columns.import_columns``). The
import reads them with the rest of a row, checks them with the other rows before anything is
written, and writes them in the same transaction, so the import stays all or nothing and
each problem is a row error. The export writes them for each chunk of rows at once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TrackerExtension:
    """``name`` keys the extension's value on each ``checking.Row`` (``row.extensions``).

    - ``columns``: its ``columns.Column`` s, none required.
    - ``read(cells, lookups)``: the value of one row's cells (``reading.Cells``; a problem is
      recorded with ``cells.error(column, message)``), or None for none.
    - ``check(rows, *, by)``: for [(row, its recommendation in the app or None, value)], the
      ``RowError`` s that refuse the file, before anything is written.
    - ``write(recommendation, value, *, by, at)``: record a checked value, through the
      extension's own services, inside the import's transaction. A ``ValidationError`` there
      becomes a row error and nothing is written.
    - ``cells(recommendations)``: {recommendation id: {column name: text}} for a list of
      rows of the export, in a fixed number of queries.
    """

    name: str
    columns: tuple
    read: Callable[..., Any]
    check: Callable[..., list]
    write: Callable[..., None]
    cells: Callable[[list], dict[int, dict[str, str]]]


_registered: dict[str, TrackerExtension] = {}


def tracker_extension_register(extension: TrackerExtension) -> None:
    """Add (or replace, by name) an extension; call it from ``AppConfig.ready()``."""
    _registered[extension.name] = extension


def tracker_extensions() -> tuple[TrackerExtension, ...]:
    return tuple(_registered.values())
