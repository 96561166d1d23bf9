"""Downloads are sent only through views that check who may see them, and each is in the view
log: kept files (evidence, minutes) and CSV files made on request (the tracker, a report's
tables)."""

from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .services import view_record


def kept_file_download(request, *, record, kind: str, file) -> FileResponse:
    """``file`` of ``record`` as an attachment under its kept name (never a media URL), its
    download recorded for ``request.user``."""
    view_record(user=request.user, record=record, kind=kind, at=timezone.now(), download=file.name)
    return FileResponse(file.open("rb"), as_attachment=True, filename=Path(file.name).name)


def csv_download(request, *, record, kind: str, filename: str) -> HttpResponse:
    """An empty CSV attachment for the view to write rows to, its download recorded. It starts
    with a byte-order mark, so that Excel reads it as UTF-8."""
    view_record(user=request.user, record=record, kind=kind, at=timezone.now(), download="csv")
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    response.write("\ufeff")
    return response


def csv_streamed_download(
    request, *, record, kind: str, filename: str, text: Iterable[str]
) -> StreamingHttpResponse:
    """``csv_download`` for a file too large to hold: ``text`` (the CSV in pieces, made as
    they are sent) follows the byte-order mark. The download is recorded before it starts."""
    view_record(user=request.user, record=record, kind=kind, at=timezone.now(), download="csv")
    return StreamingHttpResponse(
        chain(["\ufeff"], text),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
