"""Uploaded files kept only while a worker imports them (population and tracker files).

Each import deletes its file once it has imported or refused it; one the outbox gave up on is
marked failed and its file deleted (``import_mark_failed``). ``import_files_clean`` deletes
what is left behind when something else went wrong: uploads still "in progress" long after
they were made are marked failed and their files deleted, and files that no upload in progress
refers to are deleted. ``import_watch`` tells an upload's page whether the import looks alive.
``ImportUpload`` is what both kinds of upload record.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models

from .formats import moment_text

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


def import_mark_failed(*, uploads, upload_id: int, summary: str, at: datetime) -> bool:
    """Mark failed, with ``summary`` for the user, an upload of ``uploads`` still in progress,
    and delete its file. Returns whether it was in progress: a compare-and-set, so an upload
    that finished meanwhile is left alone."""
    upload = uploads.objects.filter(pk=upload_id).only("pk", "file").first()
    if upload is None:
        return False
    claimed = uploads.objects.filter(pk=upload_id, status__in=uploads.IN_PROGRESS).update(
        status="failed", file="", result={"summary": summary, "errors": []}, finished_at=at
    )
    if claimed and upload.file:
        _file_delete(upload.file.name)
    return bool(claimed)


def import_files_clean(*, uploads, folder: str, stale_summary: str, at: datetime) -> CleanUp:
    """Mark failed the ``uploads`` (a model with ``IN_PROGRESS``, ``status``, ``file``,
    ``uploaded_at``, ``result`` and ``finished_at``) still in progress ``UPLOAD_STALE_HOURS``
    after they were made, deleting their files, then delete every file under ``folder`` that no
    upload in progress refers to (older than ``ORPHAN_GRACE``).

    Safe to run twice or alongside the worker: each upload is claimed by a compare-and-set.
    """
    cutoff = at - timedelta(hours=settings.UPLOAD_STALE_HOURS)
    stale = 0
    for upload_id in uploads.objects.filter(
        status__in=uploads.IN_PROGRESS, uploaded_at__lte=cutoff
    ).values_list("pk", flat=True):
        if import_mark_failed(uploads=uploads, upload_id=upload_id, summary=stale_summary, at=at):
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


class ImportUpload(models.Model):
    """An uploaded file a worker imports. The row records how far the import has got, for the
    upload's page, and then its result: the counts, or the problems found. The file is kept
    under MEDIA_ROOT (never served) only until the worker has imported or refused it; its name,
    checksum and row count stay.

    Each app's upload adds its organisation, ``file`` (its folder), ``status`` (its own words
    for each step), its progress bar and its page.
    """

    # The statuses every upload shares (each app's ``UploadStatus`` has these values).
    QUEUED, CHECKING, WRITING, DONE, FAILED = "queued", "checking", "writing", "done", "failed"
    IN_PROGRESS = (QUEUED, CHECKING, WRITING)

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 checksum", max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    rows_checked = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_checked = models.PositiveBigIntegerField(default=0)
    result = models.JSONField(
        default=dict,
        blank=True,
        help_text="When done, the counts; when failed, the problems found in the file.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS


# --- Whether an import looks alive, for its page ---------------------------------------------


@dataclass(frozen=True)
class ImportWatch:
    refreshing: bool  # whether the page should update itself
    notice: str  # what the page says about a retry or a stall ("" when all is well)


def import_watch(upload, job, *, lease: timedelta, at: datetime) -> ImportWatch:
    """Whether ``upload``'s import, run by the outbox ``job`` (None for an upload recorded
    before jobs were), looks alive at ``at``; ``lease`` is its kind's.

    Final: nothing to watch. An attempt whose lease ran out, or a job waiting longer than a
    lease to start (no worker took it), is stalled: the page stops updating itself and says
    what happens next. A job waiting for its retry is alive, and the page says so.
    """
    if not upload.in_progress:
        return ImportWatch(refreshing=False, notice="")
    if job is not None and job.is_running(at=at):
        return ImportWatch(refreshing=True, notice="")
    failed_by = moment_text(upload.uploaded_at + timedelta(hours=settings.UPLOAD_STALE_HOURS))
    if job is not None and job.lease_expired(at=at):
        return ImportWatch(
            refreshing=False,
            notice="This import seems to have stopped. It will be started again, or marked "
            f"failed, within a few minutes, and by {failed_by} at the latest.",
        )
    if job is not None and job.is_finished:  # given up, and the upload not yet marked failed
        return ImportWatch(
            refreshing=False,
            notice=f"This import could not finish. It will be marked failed by {failed_by}.",
        )
    waiting_since = upload.uploaded_at if job is None else job.due_at
    if at - waiting_since > lease:
        return ImportWatch(
            refreshing=False,
            notice="This import is taking longer than it should to start: the service may be "
            f"busy or stopped. It will start when it can, or be marked failed by {failed_by}.",
        )
    if job is not None and job.attempts:
        return ImportWatch(
            refreshing=True,
            notice="The import stopped before it finished, so nothing was imported. It will "
            f"be tried again at {moment_text(job.due_at)}.",
        )
    return ImportWatch(refreshing=True, notice="")
