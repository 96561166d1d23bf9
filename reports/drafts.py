"""A draft's Word and PDF files, laid out once for each thing the draft says.

A draft is built from the data each time it is downloaded (``report_document``: a few queries,
a tenth of a second); laying it out as Word or PDF is what costs. The files are kept in the
cache under a key made from the document itself, so downloading an unchanged draft again costs
only the build, and any change to what it says (an outcome submitted, a day passing, the
draft's own text) gives a new key. Nothing has to know which records a report reads, and a file
that no longer matches its draft is never served. The key also covers what else the files
depend on: the renderers' code, templates and stylesheet, the council's Word template and name,
and the libraries' versions.

Issued reports never come here: their files are frozen when they are issued.
"""

import functools
import hashlib
import json
import logging
import os
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from redis.exceptions import RedisError

from . import docx, page_marks, pdf
from .document import ReportDocument

logger = logging.getLogger(__name__)

RENDERERS = {"docx": docx.render_docx, "pdf": pdf.render_pdf}
# Long enough for the downloads of one sitting; a day passing changes the draft anyway.
KEPT_FOR = 60 * 60
TEMPLATES = (
    "reports/report_pdf.html",
    "reports/includes/document.html",
    "reports/includes/blocks.html",
)


@functools.cache
def _renderers_fingerprint() -> str:
    """What the files are laid out with, read once per process (a deployment restarts it)."""
    digest = hashlib.sha256()
    for module in (docx, pdf, page_marks):
        digest.update(Path(module.__file__).read_bytes())
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    digest.update(pdf.STYLESHEET.read_bytes())
    digest.update(f"{version('python-docx')} {version('weasyprint')}".encode())
    return digest.hexdigest()


def _settings_fingerprint() -> str:
    """The council's name and Word template, as it is now: a template replaced in place keeps
    its path but not its size and time."""
    template = settings.REPORTS_DOCX_TEMPLATE
    stamp = ""
    if template:
        try:
            stat = os.stat(template)
        except OSError:
            stat = None
        stamp = f"{stat.st_mtime_ns}:{stat.st_size}" if stat else "missing"
    return json.dumps([settings.COUNCIL_NAME, template, stamp])


def _key(document: ReportDocument, kind: str) -> str:
    digest = hashlib.sha256()
    for part in (
        kind,
        _renderers_fingerprint(),
        _settings_fingerprint(),
        json.dumps(document.to_json(), sort_keys=True),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"reports:draft:{digest.hexdigest()}"


def draft_file(document: ReportDocument, *, kind: str) -> bytes:
    """The draft as a Word document (``kind="docx"``) or PDF, marked DRAFT on every page: from
    the cache when this very document was laid out within the hour, else laid out now. A cache
    that fails costs the lay-out, never the download."""
    key = _key(document, kind)
    try:
        cached = cache.get(key)
    except RedisError:
        logger.warning("The cache could not be read: the draft %s is laid out again", kind)
        cached = None
    if cached is not None:
        return cached
    data = RENDERERS[kind](document, draft=True)
    try:
        cache.set(key, data, KEPT_FOR)
    except RedisError:
        logger.warning("The cache could not be written: the draft %s is not kept", kind)
    return data
