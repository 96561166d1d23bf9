"""Trackers uploaded on the import page, imported by a worker with its progress shown.

As for the audit population (``audits.uploads``): ``tracker_upload_create`` checks the file's
content (``ombudsman_tracker.uploads``), keeps it under a name the server makes and records
the import as an outbox job (``IMPORT_JOB``, run by ``recommendations.jobs``), so that no
request reads the rows; ``tracker_upload_run`` (the worker's side) asks again whether the
uploader may import, runs ``tracker_import`` recording how far it has got, then the counts or
the problems found, and deletes the file (its checksum and row count stay). Progress is written
outside the import's transaction, so the upload's page, on another connection, sees it while
the import runs. An attempt that crashes or is killed is tried once more; then the upload is
marked failed (``tracker_upload_give_up``).
"""

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ombudsman_tracker.checksums import upload_sha256
from ombudsman_tracker.kept_files import (
    CleanUp,
    ImportWatch,
    import_files_clean,
    import_mark_failed,
    import_watch,
)
from ombudsman_tracker.uploads import XLSX, upload_check
from outbox.kinds import kind_get
from outbox.services import job_for, job_record

from ..models import TrackerUpload, UploadStatus
from .errors import TrackerImportError
from .importer import ImportSummary, tracker_import
from .workbook import workbook_problem

logger = logging.getLogger(__name__)

PERMISSION = "recommendations.import_tracker"
ALLOWED_EXTENSIONS = ["csv", "xlsx"]
UPLOAD_FOLDER = "tracker-uploads"  # as TrackerUpload.file's upload_to
# The name of the outbox job that imports an upload (stored in its rows: never rename it).
IMPORT_JOB = "recommendations.tracker_import"
STALE_SUMMARY = (
    "The import did not finish, so it was stopped and the file deleted; nothing was imported. "
    "Upload the file again."
)
# A file with a problem in every cell could list hundreds of thousands: the page shows these.
MAX_ERRORS_KEPT = 500


# --- Reads ----------------------------------------------------------------------------------


def tracker_uploads_visible_to(user):
    """Uploads by the user's organisation; all of them for a user who sees every organisation.

    An upload by someone who sees every organisation has none (it may hold any council's
    rows), so only those who see every organisation see it.
    """
    uploads = TrackerUpload.objects.select_related("organisation", "uploaded_by")
    if user.sees_every_organisation:
        return uploads
    if user.organisation_id is None:
        return uploads.none()
    return uploads.filter(organisation_id=user.organisation_id)


def tracker_upload_get_for(user, pk) -> TrackerUpload:
    """An upload the user may follow; any other is a 404."""
    return get_object_or_404(tracker_uploads_visible_to(user), pk=pk)


# --- Changes --------------------------------------------------------------------------------


def tracker_file_check(file):
    """What the uploaded tracker is (a CSV or an Excel workbook, by its content), or
    ``ValidationError``. A workbook is looked into too: one that would unpack to too much, or
    declares more rows than may be imported, is refused here rather than by the worker."""
    sniffed = upload_check(
        file, allowed=ALLOWED_EXTENSIONS, max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES
    )
    if sniffed == XLSX and (problem := workbook_problem(file)):
        raise ValidationError(problem, code="workbook")
    return sniffed


@transaction.atomic
def tracker_upload_create(*, file, by, at: datetime) -> TrackerUpload:
    """Check and keep the uploaded file, and record its import (an outbox job, queued when the
    transaction commits).

    Raises ``ValidationError`` if the file is not a CSV or an Excel workbook by its content
    (or carries a virus, or is a workbook too large once unpacked).
    The file is kept under a name the server makes; the user's name for it is shown.
    """
    sniffed = tracker_file_check(file)
    kept = File(file, name=f"{secrets.token_hex(16)}.{sniffed.extension}")
    upload = TrackerUpload.objects.create(
        organisation=None if by.sees_every_organisation else by.organisation,
        file=kept,
        file_name=file.name,
        sha256=upload_sha256(kept),
        uploaded_by=by,
        uploaded_at=at,
        bytes_total=file.size,
    )
    job_record(kind=IMPORT_JOB, object_id=upload.pk)
    return upload


def tracker_upload_run(*, upload_id: int) -> None:
    """Import an uploaded tracker, recording its progress, then the counts or the problems.

    The uploader is asked again whether they may import (they may have lost the permission,
    or moved council, since they uploaded), and the import checks each row against what they
    may do now. Run by the outbox, which runs one attempt at a time: an upload already finished
    is left alone; one still in progress starts again from the top (the attempt before was
    killed), and the import itself is all-or-nothing (see ``tracker_import``), so nothing was
    written. Once imported or refused, the file is deleted; after a crash it is kept for the
    next attempt (or deleted by ``tracker_upload_give_up``).
    """
    unfinished = TrackerUpload.objects.filter(pk=upload_id, status__in=TrackerUpload.IN_PROGRESS)
    if not unfinished.update(
        status=UploadStatus.CHECKING,
        rows_checked=0,
        bytes_checked=0,
        records_to_write=0,
        records_written=0,
    ):
        return
    upload = TrackerUpload.objects.select_related("organisation", "uploaded_by").get(pk=upload_id)
    mine = TrackerUpload.objects.filter(pk=upload_id)
    try:
        _import(upload, mine)
    except Exception:
        # A crash or the soft time limit: the write is one transaction, so nothing was written.
        # Back in the queue with its file, for the outbox's next attempt or its give-up.
        mine.update(
            status=UploadStatus.QUEUED,
            rows_checked=0,
            bytes_checked=0,
            records_to_write=0,
            records_written=0,
        )
        raise
    _delete_file(upload, mine)


def _import(upload: TrackerUpload, mine) -> None:
    def checked(rows: int, bytes_read: int) -> None:
        mine.update(rows_checked=rows, bytes_checked=bytes_read)

    def writing(records: int) -> None:
        mine.update(status=UploadStatus.WRITING, records_to_write=records)

    if refusal := _refusal(upload):
        _finish(mine, UploadStatus.FAILED, {"summary": refusal, "errors": []})
        return
    try:
        with upload.file.open("rb") as file, _progress_elsewhere(upload.pk) as written:
            summary = tracker_import(
                file=file,
                by=upload.uploaded_by,
                at=upload.uploaded_at,
                checked=checked,
                writing=writing,
                written=written,
            )
    except TrackerImportError as error:
        _finish(mine, UploadStatus.FAILED, _problems(error))
        return
    _finish(
        mine,
        UploadStatus.DONE,
        {
            "complaints_created": summary.complaints_created,
            "recommendations_created": summary.recommendations_created,
            "rows_unchanged": summary.rows_unchanged,
            "recommendations_changed": summary.recommendations_changed,
        },
        # The final count too, in case the progress connection could not save it.
        records_written=summary.complaints_created
        + summary.recommendations_created
        + summary.recommendations_changed,
    )


def _refusal(upload: TrackerUpload) -> str:
    """Why the uploader may no longer import this file, or "" if they still may."""
    by = upload.uploaded_by  # fetched afresh by the worker: its permissions are today's
    if not by.has_perm(PERMISSION):  # False for a deactivated user too
        return (
            f"Nothing was imported: {by} is no longer allowed to import a tracker. Ask a "
            "manager to upload the file."
        )
    if upload.organisation is not None and not by.acts_for(upload.organisation):
        return (
            f"Nothing was imported: {by} no longer works for {upload.organisation}. Ask one of "
            "its managers to upload the file."
        )
    return ""


def _problems(error: TrackerImportError) -> dict:
    kept = error.errors[:MAX_ERRORS_KEPT]
    summary = str(error)
    if len(error.errors) > len(kept):
        summary += f" The first {len(kept):,} are listed."
    return {
        "summary": summary,
        "errors": [
            {"row_number": e.row_number, "column": e.column, "message": e.message} for e in kept
        ],
    }


def _finish(mine, status: str, result: dict, **fields) -> None:
    mine.update(status=status, result=result, finished_at=timezone.now(), **fields)


def _delete_file(upload: TrackerUpload, mine) -> None:
    """The file is needed no more once imported or refused: only its checksum is kept."""
    if not upload.file:
        return
    try:
        upload.file.delete(save=False)
    except OSError:
        logger.exception("Could not delete the tracker upload %s's file", upload.pk)
        return
    mine.update(file="")


@contextmanager
def _progress_elsewhere(upload_id: int) -> Iterator[Callable[[int], None]]:
    """``written(records)`` for the import, saving the count through a connection of its own.

    The import records everything in one transaction, which no other connection sees until it
    commits: progress saved through it would show only at the end. A second connection, in
    autocommit, shows it as it goes. Best effort: if that connection fails (SQLite, say, takes
    one writer at a time), the import carries on and the page shows the count at the end.
    """
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    failed = False
    table = side.ops.quote_name(TrackerUpload._meta.db_table)
    column = side.ops.quote_name("records_written")
    key = side.ops.quote_name(TrackerUpload._meta.pk.column)
    # Names from the model, quoted; the values go as parameters.
    statement = f"UPDATE {table} SET {column} = %s WHERE {key} = %s"  # noqa: S608

    def written(records: int) -> None:
        nonlocal failed
        if failed:
            return
        try:
            with side.cursor() as cursor:
                cursor.execute(statement, [records, upload_id])
        except DatabaseError:
            failed = True
            logger.warning("Progress of tracker upload %s not saved", upload_id, exc_info=True)

    try:
        yield written
    finally:
        side.close()


# --- Words for the upload's page ------------------------------------------------------------


def tracker_upload_progress_text(upload: TrackerUpload) -> str:
    """What the upload's page says while the import runs."""
    percent = upload.progress_percent
    match upload.status:
        case UploadStatus.QUEUED:
            return "Waiting to start checking the file"
        case UploadStatus.WRITING:
            return (
                f"Every row checked: recorded {upload.records_written:,} of "
                f"{upload.records_to_write:,} complaints and recommendations (about {percent}%)"
            )
    return f"Checked {upload.rows_checked:,} rows (about {percent}%)"


def tracker_upload_result_text(upload: TrackerUpload) -> str:
    """The counts of a finished import, as the success banner words them ("" until done)."""
    if upload.status != UploadStatus.DONE:
        return ""
    return f"Tracker imported: {ImportSummary(**upload.result)}"


def tracker_upload_watch(upload: TrackerUpload, *, at: datetime) -> ImportWatch:
    """Whether the upload's page should update itself, and what it says of a retry or stall."""
    job = job_for(kind=IMPORT_JOB, object_id=upload.pk)
    return import_watch(upload, job, lease=kind_get(IMPORT_JOB).lease, at=at)


def tracker_upload_give_up(upload_id: int) -> None:
    """The outbox gave up on the import: the upload is marked failed and its file deleted."""
    import_mark_failed(
        uploads=TrackerUpload, upload_id=upload_id, summary=STALE_SUMMARY, at=timezone.now()
    )


def tracker_uploads_clean(*, at: datetime) -> CleanUp:
    """Tracker uploads stuck in progress marked failed, and files left behind deleted
    (``ombudsman_tracker.kept_files``)."""
    return import_files_clean(
        uploads=TrackerUpload, folder=UPLOAD_FOLDER, stale_summary=STALE_SUMMARY, at=at
    )
