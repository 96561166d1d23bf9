"""Uploaded files kept only while a worker imports them (population and tracker files).

Each import deletes its file once it has imported or refused it. ``import_files_clean`` deletes
what is left behind when something went wrong: uploads still "in progress" long after they were
made (the worker died, or the queued message was lost) are marked failed and their files
deleted, and files that no upload in progress refers to are deleted.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

# A file younger than this may belong to an upload whose transaction has not committed yet.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class CleanUp:
    stale: int  # uploads stuck in progress, now marked failed
    orphans: int  # files deleted that no upload in progress refers to


def _stored_files(folder: str):
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(f"{folder}/{sub}")


def _file_delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("Could not delete the uploaded file %s", name)


def import_files_clean(*, uploads, folder: str, stale_summary: str, at: datetime) -> CleanUp:
    """Mark failed the ``uploads`` (a model with ``IN_PROGRESS``, ``status``, ``file``,
    ``uploaded_at``, ``result`` and ``finished_at``) still in progress ``UPLOAD_STALE_HOURS``
    after they were made, deleting their files, then delete every file under ``folder`` that no
    upload in progress refers to (older than ``ORPHAN_GRACE``).

    Safe to run twice or alongside the worker: each upload is claimed by a compare-and-set.
    """
    cutoff = at - timedelta(hours=settings.UPLOAD_STALE_HOURS)
    stale = 0
    for upload in uploads.objects.filter(
        status__in=uploads.IN_PROGRESS, uploaded_at__lte=cutoff
    ).only("pk", "file"):
        claimed = uploads.objects.filter(pk=upload.pk, status__in=uploads.IN_PROGRESS).update(
            status="failed",
            file="",
            result={"summary": stale_summary, "errors": []},
            finished_at=at,
        )
        if claimed:
            if upload.file:
                _file_delete(upload.file.name)
            stale += 1
    in_progress = set(
        uploads.objects.filter(status__in=uploads.IN_PROGRESS)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    orphans = 0
    for name in _stored_files(folder):
        if name in in_progress or default_storage.get_modified_time(name) > at - ORPHAN_GRACE:
            continue
        _file_delete(name)
        orphans += 1
    if stale or orphans:
        logger.info("%s cleaned: %s stale, %s orphaned files.", folder, stale, orphans)
    return CleanUp(stale=stale, orphans=orphans)
