"""Population files uploaded on the managers' page, imported by a worker with its progress shown.

``population_upload_create`` checks the file's content (``ombudsman_tracker.uploads``), keeps it
under a name the server makes and records the import as an outbox job (``IMPORT_JOB``, run by
``audits.jobs``); ``population_upload_run`` (the worker's side) runs
``population_csv.population_import`` and records how far it has got. Progress is written with
``QuerySet.update`` outside the import's transaction, so the upload's page, on another
connection, sees it while the import runs. An attempt that crashes or is killed is tried once
more; then the upload is marked failed (``population_upload_give_up``).

The file holds children's case data, so it is kept only while it is being imported: once
imported or refused it is deleted, and the upload keeps its name, checksum and row count.
``population_uploads_clean`` (hourly, and the ``clean_uploads`` command) deletes
what is left behind: uploads stuck in progress, and files no upload in progress refers to.
"""

import logging
import secrets
from datetime import datetime

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ombudsman_tracker.checksums import upload_sha256
from ombudsman_tracker.kept_files import (
    CleanUp,
    ImportWatch,
    import_files_clean,
    import_mark_failed,
    import_watch,
)
from ombudsman_tracker.uploads import upload_check
from outbox.kinds import kind_get
from outbox.services import job_for, job_record

from . import population_csv
from .models import PopulationUpload, UploadStatus

logger = logging.getLogger(__name__)

# About 500,000 cases; the import streams the file, so the size only bounds the wait.
POPULATION_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_FOLDER = "population-uploads"
# The name of the outbox job that imports an upload (stored in its rows: never rename it).
IMPORT_JOB = "audits.population_import"


def population_file_check(file):
    """What the uploaded file is (a CSV, by its content), or ``ValidationError``."""
    return upload_check(file, allowed=["csv"], max_bytes=POPULATION_MAX_UPLOAD_BYTES)


@transaction.atomic
def population_upload_create(*, file, organisation, by, at: datetime) -> PopulationUpload:
    """Check and keep the uploaded file, and record its import (an outbox job, queued when the
    transaction commits).

    Raises ``ValidationError`` if the file is not a CSV by its content (or carries a virus).
    """
    sniffed = population_file_check(file)
    kept = File(file, name=f"{secrets.token_hex(16)}.{sniffed.extension}")
    upload = PopulationUpload.objects.create(
        organisation=organisation,
        file=kept,
        file_name=file.name,
        sha256=upload_sha256(kept),
        uploaded_by=by,
        uploaded_at=at,
        bytes_total=file.size,
    )
    job_record(kind=IMPORT_JOB, object_id=upload.pk)
    return upload


def _file_delete(name: str) -> None:
    """Delete a kept file; one that cannot be deleted now is left to the clean-up."""
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.exception("Could not delete the population file %s; the clean-up will.", name)


def _errors(errors) -> list[dict]:
    return [
        {"row_number": error.row_number, "column": error.column, "message": error.message}
        for error in errors
    ]


def population_upload_run(*, upload_id: int) -> None:
    """Import an uploaded file, recording its progress, then the counts or the problems found.

    Run by the outbox, which runs one attempt at a time. An upload already finished is left
    alone; one still in progress starts again from the top (the attempt before was killed):
    the import itself is all-or-nothing (see ``population_csv``), so nothing was written.
    """
    unfinished = PopulationUpload.objects.filter(
        pk=upload_id, status__in=PopulationUpload.IN_PROGRESS
    )
    if not unfinished.update(status=UploadStatus.CHECKING, rows_checked=0, bytes_checked=0):
        return
    upload = PopulationUpload.objects.select_related("organisation", "uploaded_by").get(
        pk=upload_id
    )
    mine = PopulationUpload.objects.filter(pk=upload_id)

    def checked(rows: int, bytes_read: int) -> None:
        mine.update(rows_checked=rows, bytes_checked=bytes_read)

    def writing() -> None:
        mine.update(status=UploadStatus.WRITING)

    def finished(**fields) -> None:
        # The file goes as soon as the import has finished, whatever its outcome.
        mine.update(file="", finished_at=timezone.now(), **fields)
        _file_delete(upload.file.name)

    try:
        with upload.file.open("rb") as file:
            summary = population_csv.population_import(
                file=file,
                file_name=upload.file_name,
                organisation=upload.organisation,
                by=upload.uploaded_by,
                at=upload.uploaded_at,
                checked=checked,
                writing=writing,
            )
    except population_csv.PopulationImportError as error:
        finished(
            status=UploadStatus.FAILED,
            result={"summary": str(error), "errors": _errors(error.errors)},
        )
        return
    except Exception:
        # A crash or the soft time limit: the write is one transaction, so nothing was written.
        # Back in the queue with its file, for the outbox's next attempt or its give-up.
        mine.update(status=UploadStatus.QUEUED, rows_checked=0, bytes_checked=0)
        raise
    finished(
        status=UploadStatus.DONE,
        result={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged},
    )


STALE_SUMMARY = (
    "The import did not finish, so it was stopped and the file deleted. Upload the file again: "
    "cases already held are never imported twice."
)


def population_upload_give_up(upload_id: int) -> None:
    """The outbox gave up on the import: the upload is marked failed and its file deleted."""
    import_mark_failed(
        uploads=PopulationUpload, upload_id=upload_id, summary=STALE_SUMMARY, at=timezone.now()
    )


def population_upload_watch(upload: PopulationUpload, *, at: datetime) -> ImportWatch:
    """Whether the upload's page should update itself, and what it says of a retry or stall."""
    job = job_for(kind=IMPORT_JOB, object_id=upload.pk)
    return import_watch(upload, job, lease=kind_get(IMPORT_JOB).lease, at=at)


def population_uploads_clean(*, at: datetime) -> CleanUp:
    """Population uploads stuck in progress marked failed, and files left behind deleted
    (``ombudsman_tracker.kept_files``)."""
    return import_files_clean(
        uploads=PopulationUpload, folder=UPLOAD_FOLDER, stale_summary=STALE_SUMMARY, at=at
    )
