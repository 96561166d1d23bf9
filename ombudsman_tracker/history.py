"""Saving a record with its history entry, and refusing edits made from a stale copy."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.db.models import F

_note: ContextVar[str] = ContextVar("history_note", default="")


@contextmanager
def history_note(note: str):
    """Add ``note`` to the reason of every change saved inside the block (e.g. an import)."""
    token = _note.set(note)
    try:
        yield
    finally:
        _note.reset(token)


class ConflictError(Exception):
    """Someone else saved the record after the user opened it; nothing was written.

    ``first_save``: the user was creating it, and someone else created it at the same moment.
    """

    def __init__(self, instance, *, first_save: bool = False):
        self.instance = instance
        name = instance._meta.verbose_name
        happened = (
            f"This {name} was saved by someone else first, while you were entering it."
            if first_save
            else f"This {name} was changed by someone else while you were editing it."
        )
        super().__init__(
            f"{happened} Your changes have not been saved: check the latest version and make "
            "them again."
        )


# SQLSTATE unique_violation; SQLite has no codes, only its message.
UNIQUE_VIOLATION = "23505"


def is_unique_violation(error: IntegrityError) -> bool:
    """Whether ``error`` is a unique constraint refusing a row, not NOT NULL, a foreign key or
    a check constraint."""
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == UNIQUE_VIOLATION
    return str(error).startswith("UNIQUE constraint failed")


@contextmanager
def conflict_on_duplicate(instance):
    """Save the first version of ``instance`` inside the block, or raise ``ConflictError``.

    Checking for the row first cannot stop two requests both finding nothing and both
    inserting: the database's unique constraint refuses the second. The block runs in a
    savepoint, so the caller's transaction (the request's) stays usable to show the conflict;
    any other integrity error is raised as it is.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise ConflictError(instance, first_save=True) from error


def save_with_history(instance, *, by, reason: str, expected_version: int | None = None):
    """Save ``instance`` so its history says who and why.

    With ``expected_version``, the row's ``version`` is compared and bumped in one UPDATE
    first: if another save got there before, ``ConflictError`` is raised and nothing changes.
    Without it (a service acting on a locked or fresh row), the version is bumped all the same,
    so any form opened before this save is refused as stale.
    """
    versioned = instance.pk is not None and hasattr(instance, "version")
    if versioned and expected_version is not None:
        claimed = (
            type(instance)
            .objects.filter(pk=instance.pk, version=expected_version)
            .update(version=expected_version + 1)
        )
        if not claimed:
            raise ConflictError(instance)
        instance.version = expected_version + 1
    elif versioned:
        # Every save moves the version, so a form opened before this change is stale.
        rows = type(instance).objects.filter(pk=instance.pk)
        rows.update(version=F("version") + 1)
        instance.version = rows.values_list("version", flat=True).get()
    instance._history_user = by
    instance._change_reason = f"{reason} ({_note.get()})" if _note.get() else reason
    instance.save()


def locked(instance):
    """A fresh copy of the row, locked until the transaction ends, so a stale copy held by
    the caller never overwrites a change made in between (for example an extension)."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


def brought_up_to_date(instance):
    """Lock the row and bring the caller's own copy up to date with it, so the state a service
    checks is the state saved, not the one the caller read: of two stale copies, the second
    sees what the first did. (The caller's copy, not another, so the caller sees the result.)"""
    instance.refresh_from_db(from_queryset=type(instance).objects.select_for_update())
    return instance
