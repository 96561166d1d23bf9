"""What an uploaded file really is, decided by its content, and whether it may be kept.

Every upload (evidence, committee minutes, the audit population) goes through ``upload_check``.
Its name must end in an allowed extension, and its content must be of an allowed type that
goes by that extension: the bytes decide (magic numbers, through ``filetype``), never the name.
Web pages, SVG images, XML, scripts, programs and documents with macros are refused whatever
they are called, since a browser or an office suite could run what they hold. Text (CSV, plain
text, email) must decode as UTF-8 or the encoding it declares, with no NUL characters. When
``CLAMAV_URL`` is set, the file is then scanned by ClamAV; if the daemon gives no verdict the
file is refused (fail closed) and the failure logged.
"""

import codecs
import email
import email.policy
import logging
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

from . import clamav
from .checksums import upload_sha256

logger = logging.getLogger(__name__)

HEAD_BYTES = 8192  # what ``filetype`` reads
TEXT_CHUNK = 1 << 16
EMAIL_HEADER_BYTES = 256 * 1024  # long Received and signature chains fit
STEM_LENGTH = 100


@dataclass(frozen=True)
class SniffedType:
    """A kind of file. ``extensions`` are the names it may go by (the first is the one a stored
    copy gets); ``refused`` says why it is never accepted, whatever it is called."""

    key: str
    label: str  # in a sentence: "This file is <label>"
    extensions: tuple[str, ...] = ()
    refused: str = ""

    @property
    def extension(self) -> str:
        return self.extensions[0] if self.extensions else ""


PDF = SniffedType("pdf", "a PDF document", ("pdf",))
DOCX = SniffedType("docx", "a Word document", ("docx",))
DOC = SniffedType("doc", "a Word 97-2003 document", ("doc",))
XLSX = SniffedType("xlsx", "an Excel spreadsheet", ("xlsx",))
XLS = SniffedType("xls", "an Excel 97-2003 spreadsheet", ("xls",))
ODT = SniffedType("odt", "an OpenDocument text document", ("odt",))
ODS = SniffedType("ods", "an OpenDocument spreadsheet", ("ods",))
PNG = SniffedType("png", "a PNG image", ("png",))
JPEG = SniffedType("jpg", "a JPEG image", ("jpg", "jpeg"))
TEXT = SniffedType("txt", "plain text", ("txt",))
CSV = SniffedType("csv", "a CSV file", ("csv",))
EMAIL = SniffedType("eml", "an email", ("eml",))
MSG = SniffedType("msg", "an Outlook message", ("msg",))
PPT = SniffedType("ppt", "a PowerPoint presentation", ("ppt",))
PPTX = SniffedType("pptx", "a PowerPoint presentation", ("pptx",))
ODP = SniffedType("odp", "an OpenDocument presentation", ("odp",))
ZIP = SniffedType("zip", "a ZIP archive", ("zip",))
# Never accepted: each can carry something that runs.
HTML = SniffedType(
    "html", "a web page (HTML)", refused="web pages can run scripts, so they are never accepted"
)
SVG = SniffedType(
    "svg", "an SVG image", refused="SVG images can run scripts, so they are never accepted"
)
XML = SniffedType(
    "xml",
    "an XML document",
    refused="XML can carry web pages and scripts, so it is never accepted",
)
SCRIPT = SniffedType("script", "a script", refused="scripts are never accepted")
PROGRAM = SniffedType("program", "a program", refused="programs are never accepted")
MACROS = SniffedType(
    "macros",
    "an Office document with macros",
    refused="macros are programs, so they are never accepted",
)
UNKNOWN = SniffedType("unknown", "")
# The allow-list: a kind outside it is refused even if its extension is configured as allowed.
ACCEPTABLE = frozenset({PDF, DOCX, DOC, XLSX, XLS, ODT, ODS, PNG, JPEG, TEXT, CSV, EMAIL, MSG})

TEXT_TYPES = {kind.extension: kind for kind in (TEXT, CSV, EMAIL)}
# What ``filetype`` names, as our kinds; ZIP and OLE containers are looked into further.
# A strong magic number decides on its own; a weak one only if the file is not text.
_STRONG_KINDS = {"pdf": PDF, "png": PNG, "apng": PNG, "jpg": JPEG}
_WEAK_KINDS = dict.fromkeys(["exe", "elf", "swf", "wasm", "crx", "deb", "rpm", "nes"], PROGRAM)
_ZIP_KINDS = {"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "zip"}
_OLE_KINDS = {"doc", "xls", "ppt"}
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The names of the streams that tell one kind of OLE (Office 97-2003) file from another.
_OLE_STREAMS = [
    (MSG, ["__substg1.0_", "__properties_version1.0\0"]),
    (DOC, ["WordDocument\0"]),
    (XLS, ["Workbook\0", "Book\0"]),
    (PPT, ["PowerPoint Document\0"]),
]
_OPEN_DOCUMENT = {
    "application/vnd.oasis.opendocument.text": ODT,
    "application/vnd.oasis.opendocument.spreadsheet": ODS,
    "application/vnd.oasis.opendocument.presentation": ODP,
}
# Markers a browser would take as a web page, an SVG image or a script, wherever they are.
_SVG_MARKERS = ("<svg",)
_HTML_MARKERS = ("<html", "<!doctype html", "<body", "<head", "<iframe", "<object", "<embed")
_SCRIPT_MARKERS = ("<script", "<?php")
_MARKERS = _SVG_MARKERS + _HTML_MARKERS + _SCRIPT_MARKERS
_OVERLAP = max(len(marker) for marker in _MARKERS)
_EMAIL_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "received",
    "return-path",
    "mime-version",
}
_HEADER_LINE = re.compile(r"^([!-9;-~]+):")


def _a(name: str) -> str:
    """The article for an abbreviation spoken letter by letter: a PDF, an XLSX, an MSG."""
    return f"an {name}" if name[:1] in "AEFHILMNORSX" else f"a {name}"


def file_types(extensions: Iterable[str]) -> str:
    """["pdf", "docx", "csv"] -> "PDF, DOCX or CSV", as the GOV.UK file upload message puts it."""
    names = [extension.upper() for extension in extensions]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def size_in_mb(size: int) -> str:
    return f"{size / (1024 * 1024):g}MB"


def _head(file) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def _chunks(file) -> Iterable[bytes]:
    file.seek(0)
    while chunk := file.read(TEXT_CHUNK):
        yield chunk
    file.seek(0)


def _zip_kind(file) -> SniffedType:
    """An Office Open XML or OpenDocument file is a ZIP: its parts say which it is."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if any(name.endswith("vbaProject.bin") for name in names):
                return MACROS
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "ppt/presentation.xml" in names:
                return PPTX
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    mime = part.read(100).decode("ascii", "replace").strip()
                return _OPEN_DOCUMENT.get(mime, ZIP)
            return ZIP
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error):
        return ZIP  # damaged, encrypted or of a compression zipfile cannot read
    finally:
        file.seek(0)


def _ole_kind(file, guessed: str | None, claimed: str) -> SniffedType:
    """Office 97-2003 files and Outlook messages share one container (OLE): the names of the
    streams in it tell them apart. The one the name claims wins when its streams are there."""
    found = []
    if guessed in _OLE_KINDS:
        found.append({"doc": DOC, "xls": XLS, "ppt": PPT}[guessed])
    tail = b""
    seen: set[str] = set()
    wanted = {
        marker.encode("utf-16-le"): kind for kind, markers in _OLE_STREAMS for marker in markers
    }
    longest = max(len(marker) for marker in wanted)
    for chunk in _chunks(file):
        window = tail + chunk
        for marker, kind in wanted.items():
            if kind.key not in seen and marker in window:
                seen.add(kind.key)
                found.append(kind)
        tail = window[-longest:]
    for kind in found:
        if claimed in kind.extensions:
            return kind
    return found[0] if found else SniffedType("ole", "an Office file of an unknown kind")


def _decode(file, encoding: str) -> tuple[bool, set[str], str]:
    """Decode the whole file: (decoded without error and without NUL, markers seen, its start)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    markers: set[str] = set()
    start, tail = "", ""
    try:
        for chunk in _chunks(file):
            text = decoder.decode(chunk)
            if "\0" in text:
                return False, markers, start
            if len(start) < 1024:
                start += text[: 1024 - len(start)]
            window = (tail + text).lower()
            markers.update(marker for marker in _MARKERS if marker in window)
            tail = window[-_OVERLAP:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False, markers, start
    return True, markers, start


def _email_header(text: str) -> str | None:
    """The header block, if the text starts like an email (RFC 5322), else None."""
    lines = text.split("\n")
    names = set()
    for number, line in enumerate(lines):
        line = line.rstrip("\r")
        if not line:
            return "\n".join(lines[:number]) if names & _EMAIL_HEADERS else None
        if line[0] in " \t" and number:
            continue  # a folded header
        match = _HEADER_LINE.match(line)
        if not match:
            return None
        names.add(match.group(1).lower())
    return None


def _email_decodes(file) -> bool:
    """Each text part of an email decodes strictly in the character set it declares, and the
    file holds no NUL byte."""
    if any(b"\0" in chunk for chunk in _chunks(file)):
        return False
    file.seek(0)
    try:
        message = email.message_from_binary_file(file, policy=email.policy.compat32)
        for part in message.walk():
            if part.get_content_maintype() != "text":
                continue
            payload = part.get_payload(decode=True) or b""
            text = payload.decode(part.get_content_charset() or "us-ascii")
            if "\0" in text:
                return False
    except (LookupError, UnicodeDecodeError, ValueError):
        return False
    finally:
        file.seek(0)
    return True


def _text_kind(file, head: bytes, claimed: str) -> SniffedType:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\0" in head:
        return UNKNOWN
    else:
        encoding = "utf-8-sig"
    decoded, markers, start = _decode(file, encoding)
    header = None
    if claimed == EMAIL.extension:
        file.seek(0)
        header = _email_header(file.read(EMAIL_HEADER_BYTES).decode("utf-8", "replace"))
        file.seek(0)
        if header is not None and not decoded:
            decoded = _email_decodes(file)
    if not decoded:
        return UNKNOWN
    if header is not None:
        # An email's body may well hold an HTML part: it is never shown in a browser (it is
        # downloaded as an attachment), so only its header block must be free of markup.
        markers = {marker for marker in _MARKERS if marker in header.lower()}
    if markers & set(_SVG_MARKERS) and not markers & set(_HTML_MARKERS):
        return SVG
    if markers & set(_HTML_MARKERS):
        return HTML
    if markers & set(_SCRIPT_MARKERS) or start.lstrip("\ufeff").startswith("#!"):
        return SCRIPT
    if start.lstrip("\ufeff \t\r\n").lower().startswith("<?xml"):
        return XML
    if header is not None:
        return EMAIL
    if claimed in TEXT_TYPES and claimed != EMAIL.extension:
        return TEXT_TYPES[claimed]
    return TEXT


def sniff(file, *, claimed: str = "") -> SniffedType:
    """What ``file`` (a binary file object, rewound afterwards) holds, by its bytes.

    ``claimed`` (the extension it came with) only chooses between kinds the bytes cannot tell
    apart: CSV, plain text and email, or the kinds of OLE container.
    """
    head = _head(file)
    guessed = filetype.guess(head)
    name = guessed.extension if guessed else None
    try:
        if head.startswith(b"PK\x03\x04") or name in _ZIP_KINDS:
            return _zip_kind(file)
        if head.startswith(_OLE_SIGNATURE):
            return _ole_kind(file, name, claimed)
        if name in _STRONG_KINDS:
            return _STRONG_KINDS[name]
        text = _text_kind(file, head, claimed)
        if text is not UNKNOWN or not guessed:
            # Some magic numbers are two or three letters ("BM", "ID3"): text is text.
            return text
        return _WEAK_KINDS.get(name) or SniffedType(name, f"{_a(name.upper())} file", (name,))
    finally:
        file.seek(0)


def _virus_check(file) -> None:
    url = settings.CLAMAV_URL
    if not url:
        return
    try:
        virus = clamav.scan(_chunks(file), url=url, timeout=settings.CLAMAV_TIMEOUT)
    except clamav.ScanError as error:
        file.seek(0)
        logger.error("Upload refused: the virus scan failed: %s", error)
        raise ValidationError(
            "The selected file could not be checked for viruses, try again later",
            code="virus_scan_failed",
        ) from None
    if virus:
        logger.warning("Upload refused: ClamAV found %s", virus)
        raise ValidationError(
            f"The selected file contains a virus ({virus}) and has not been kept",
            code="virus_found",
        )


def _content_problem(sniffed: SniffedType, claimed: str, allowed: list[str]) -> str | None:
    """Why a file of kind ``sniffed`` named ``.<claimed>`` is refused, or None."""
    claim = _a(claimed.upper())
    upload_instead = f"upload {_a(file_types(allowed))} file"
    if sniffed.refused:
        return f"This file is {sniffed.label}, not {claim}: {sniffed.refused}"
    if sniffed is UNKNOWN and claimed in TEXT_TYPES:
        return (
            f"This file is not {claim}: it is not text in UTF-8 (or in the encoding it "
            "declares). Save it as UTF-8 and upload it again"
        )
    if sniffed is UNKNOWN:
        return f"This file is not {claim}: its content is not of a type that is accepted"
    if claimed not in sniffed.extensions:
        accepted = sniffed in ACCEPTABLE and any(ext in allowed for ext in sniffed.extensions)
        advice = (
            f"give it the extension .{sniffed.extension} and upload it again"
            if accepted
            else upload_instead
        )
        return f"This file is {sniffed.label}, not {claim}: {advice}"
    if sniffed not in ACCEPTABLE:
        return f"This file is {sniffed.label}, which is not accepted: {upload_instead}"
    return None


def upload_check(file, *, allowed: Iterable[str], max_bytes: int) -> SniffedType:
    """What the uploaded ``file`` really is, or ``ValidationError`` with the GOV.UK message.

    Checked in turn: the name's extension is in ``allowed``, the file is not empty nor larger
    than ``max_bytes``, the content is a type accepted under that name, and (with
    ``CLAMAV_URL`` set) ClamAV finds no virus. A file checked once is not checked again with
    the same limits (the form checks it, then the service), so it is scanned once.
    """
    allowed = [extension.lower() for extension in allowed]
    limits = (tuple(allowed), max_bytes)
    previous = getattr(file, "_upload_checked", None)
    if previous and previous[0] == limits:
        return previous[1]
    claimed = Path(file.name or "").suffix.lower().removeprefix(".")
    if claimed not in allowed:
        raise ValidationError(
            f"The selected file must be {_a(file_types(allowed))}", code="extension"
        )
    if file.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if file.size > max_bytes:
        raise ValidationError(
            f"The selected file must be smaller than {size_in_mb(max_bytes)}", code="size"
        )
    sniffed = sniff(file, claimed=claimed)
    if problem := _content_problem(sniffed, claimed, allowed):
        raise ValidationError(problem, code="content")
    _virus_check(file)
    file._upload_checked = (limits, sniffed)
    return sniffed


def stored_name(original: str, sniffed: SniffedType) -> str:
    """The name a kept copy gets: the original's stem, made safe, with the extension of what
    the file really is. The folder it goes in is the upload_to callable's (a random token)."""
    stem = re.sub(r"[^\w.-]+", "_", Path(original or "").stem).strip("._")[:STEM_LENGTH]
    return f"{stem or 'file'}.{sniffed.extension}"


def upload_for_keeping(file, *, allowed: Iterable[str], max_bytes: int, field: str) -> File:
    """``file`` checked by ``upload_check`` (its ``ValidationError`` against ``field``), under
    the name its kept copy gets: for a service to assign to a FileField."""
    try:
        sniffed = upload_check(file, allowed=allowed, max_bytes=max_bytes)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return File(file, name=stored_name(file.name, sniffed))


def evidence_for_keeping(file, *, field: str) -> tuple[File, str]:
    """An evidence-like document (evidence, minutes) checked against the evidence settings, for
    a service to keep, with its SHA-256 checksum: ``ValidationError`` against ``field``."""
    kept = upload_for_keeping(
        file,
        allowed=settings.EVIDENCE_ALLOWED_EXTENSIONS,
        max_bytes=settings.EVIDENCE_MAX_UPLOAD_BYTES,
        field=field,
    )
    return kept, upload_sha256(kept)
