"""Population files uploaded on the managers' page, imported by a worker with its progress shown.

``population_upload_create`` checks the file's content (``ombudsman_tracker.uploads``), keeps it
under a name the server makes and queues the import; ``population_upload_run`` (the worker's
side) runs ``population_csv.population_import`` and records how far it has got. Progress is
written with ``QuerySet.update`` outside the import's transaction, so the upload's page, on
another connection, sees it while the import runs.

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
from django.utils import timezone

from ombudsman_tracker.checksums import upload_sha256
from ombudsman_tracker.kept_files import CleanUp, import_files_clean
from ombudsman_tracker.uploads import upload_check

from . import population_csv, tasks
from .models import PopulationUpload, UploadStatus

logger = logging.getLogger(__name__)

# About 500,000 cases; the import streams the file, so the size only bounds the wait.
POPULATION_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOAD_FOLDER = "population-uploads"


def population_file_check(file):
    """What the uploaded file is (a CSV, by its content), or ``ValidationError``."""
    return upload_check(file, allowed=["csv"], max_bytes=POPULATION_MAX_UPLOAD_BYTES)


def population_upload_create(*, file, organisation, by, at: datetime) -> PopulationUpload:
    """Check and keep the uploaded file, and queue its import when the transaction commits.

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
    tasks.import_population.delay_on_commit(upload.pk)
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

    An upload already finished is left alone, so a task delivered twice does nothing the
    second time. The import itself is all-or-nothing: see ``population_csv``.
    """
    unfinished = PopulationUpload.objects.filter(
        pk=upload_id, status__in=PopulationUpload.IN_PROGRESS
    )
    # Compare-and-set: a redelivered task (acks late) starts again, a finished one stops here.
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
        # Say so rather than leave the page refreshing for ever; the worker logs the traceback.
        finished(
            status=UploadStatus.FAILED,
            result={
                "summary": "The import stopped before it finished; nothing was imported.",
                "errors": [],
            },
        )
        raise
    finished(
        status=UploadStatus.DONE,
        result={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged},
    )


STALE_SUMMARY = (
    "The import did not finish, so it was stopped and the file deleted. Upload the file again: "
    "cases already held are never imported twice."
)


def population_uploads_clean(*, at: datetime) -> CleanUp:
    """Population uploads stuck in progress marked failed, and files left behind deleted
    (``ombudsman_tracker.kept_files``)."""
    return import_files_clean(
        uploads=PopulationUpload, folder=UPLOAD_FOLDER, stale_summary=STALE_SUMMARY, at=at
    )
