"""Kept files (evidence, minutes) are sent only through views that check who may see them, and
each download is in the view log."""

from pathlib import Path

from django.http import FileResponse
from django.utils import timezone

from .services import view_record


def kept_file_download(request, *, record, kind: str, file) -> FileResponse:
    """``file`` of ``record`` as an attachment under its kept name (never a media URL), its
    download recorded for ``request.user``."""
    view_record(user=request.user, record=record, kind=kind, at=timezone.now(), download=file.name)
    return FileResponse(file.open("rb"), as_attachment=True, filename=Path(file.name).name)
