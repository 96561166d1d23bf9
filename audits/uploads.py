"""Population files uploaded on the managers' page, imported by a worker with its progress shown.

``population_upload_create`` keeps the file and queues the import; ``population_upload_run``
(the worker's side) runs ``population_csv.population_import`` and records how far it has got.
Progress is written with ``QuerySet.update`` outside the import's transaction, so the upload's
page, on another connection, sees it while the import runs.
"""

from datetime import datetime

from django.utils import timezone

from . import population_csv, tasks
from .models import PopulationUpload, UploadStatus


def population_upload_create(*, file, organisation, by, at: datetime) -> PopulationUpload:
    """Keep the uploaded file and queue its import when the transaction commits."""
    upload = PopulationUpload.objects.create(
        organisation=organisation,
        file=file,
        file_name=file.name,
        uploaded_by=by,
        uploaded_at=at,
        bytes_total=file.size,
    )
    tasks.import_population.delay_on_commit(upload.pk)
    return upload


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
        mine.update(
            status=UploadStatus.FAILED,
            result={"summary": str(error), "errors": _errors(error.errors)},
            finished_at=timezone.now(),
        )
        return
    except Exception:
        # A crash or the soft time limit: the write is one transaction, so nothing was written.
        # Say so rather than leave the page refreshing for ever; the worker logs the traceback.
        mine.update(
            status=UploadStatus.FAILED,
            result={
                "summary": "The import stopped before it finished; nothing was imported.",
                "errors": [],
            },
            finished_at=timezone.now(),
        )
        raise
    mine.update(
        status=UploadStatus.DONE,
        result={"rows": summary.rows, "created": summary.created, "unchanged": summary.unchanged},
        finished_at=timezone.now(),
    )
