"""The evidence zip: each evidence file checked against its SHA-256, and an index.

The index lists every piece of evidence enclosed: a file by its name in the zip, its
recommendation's number, its description and its SHA-256; a link by its address, with no
checksum (there is no file to check). Each stored file is read and hashed as it is copied into
the zip; one whose checksum differs from its ``Evidence`` record's refuses the whole zip, so
nothing changed since it was uploaded is ever sent as if it were the original.

The zip's entries carry the date they were assembled for (not the moment), so the same
evidence on the same day gives the same bytes.
"""

import csv
import hashlib
import io
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

INDEX_NAME = "index.csv"
INDEX_HEADER = ["File in the zip", "Recommendation", "Description", "Address", "SHA-256"]
CHUNK = 1 << 16
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class IndexRow:
    evidence_id: int
    name: str  # in the zip; empty for a link
    recommendation: int
    description: str
    address: str  # a link's; empty for a file
    sha256: str  # a file's; empty for a link

    @property
    def is_link(self) -> bool:
        return bool(self.address)

    def to_json(self) -> dict:
        return asdict(self)


def evidence_index(items) -> list[IndexRow]:
    """A row per piece of evidence of ``items`` (each with ``recommendation`` and
    ``evidence``), in order: recommendation by recommendation, files numbered within each."""
    rows = []
    for item in items:
        number = item.recommendation.number
        for position, evidence in enumerate(item.evidence, start=1):
            if evidence.file:
                stored = PurePosixPath(evidence.file.name).name
                name = f"recommendation-{number}/{position:02d}-{stored}"
                rows.append(
                    IndexRow(evidence.pk, name, number, evidence.description, "", evidence.sha256)
                )
            else:
                rows.append(
                    IndexRow(evidence.pk, "", number, evidence.description, evidence.url, "")
                )
    return rows


def _safe_cell(text: str) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection advice)."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def index_csv(rows: list[IndexRow]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(INDEX_HEADER)
    for row in rows:
        writer.writerow(
            _safe_cell(cell)
            for cell in (
                row.name,
                str(row.recommendation),
                row.description,
                row.address,
                row.sha256,
            )
        )
    return out.getvalue()


def _copy_checked(evidence, row: IndexRow, archive: zipfile.ZipFile, stamp) -> None:
    digest = hashlib.sha256()
    info = zipfile.ZipInfo(row.name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    try:
        source = evidence.file.open("rb")
    except OSError:
        raise ValidationError(
            f"The file of '{evidence.description}' (recommendation {row.recommendation}) is "
            "missing from the store: it cannot be sent"
        ) from None
    with source, archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != evidence.sha256:
        raise ValidationError(
            f"The file of '{evidence.description}' (recommendation {row.recommendation}) no "
            "longer matches the SHA-256 checksum recorded when it was added: it may have been "
            "changed or damaged, so nothing can be sent. Ask an administrator to check it"
        )


def evidence_zip_write(items, out, *, on: date) -> list[IndexRow]:
    """Write the zip of ``items``' evidence files and its index to ``out`` (a binary file),
    checking each file's SHA-256 against its record; ``ValidationError`` if one differs or is
    missing. Returns the index's rows."""
    rows = evidence_index(items)
    by_id = {evidence.pk: evidence for item in items for evidence in item.evidence}
    stamp = (on.year, on.month, on.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w") as archive:
        for row in rows:
            if not row.is_link:
                _copy_checked(by_id[row.evidence_id], row, archive, stamp)
        index = zipfile.ZipInfo(INDEX_NAME, date_time=stamp)
        index.compress_type = zipfile.ZIP_DEFLATED
        # A byte-order mark, so that Excel reads it as UTF-8.
        archive.writestr(index, ("\ufeff" + index_csv(rows)).encode())
    return rows
