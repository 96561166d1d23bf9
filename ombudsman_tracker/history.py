"""Saving a record with its history entry, and refusing edits made from a stale copy."""

from contextlib import contextmanager
from contextvars import ContextVar

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
    """Someone else saved the record after the user opened it; nothing was written."""

    def __init__(self, instance):
        self.instance = instance
        super().__init__(
            f"This {instance._meta.verbose_name} was changed by someone else while you were "
            "editing it. Your changes have not been saved: check the latest version and make "
            "them again."
        )


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
