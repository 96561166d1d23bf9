"""Writing the view log, and purging it once its retention period has passed.

Every page and download that shows case data calls ``view_record`` once, after the lookup
that 404s for another organisation's records (so a refused look writes nothing).
"""

import operator
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from .models import RecordView, ViewHow, ViewKind

# Each kind's model, and where its record keeps its organisation's id. The paths are those
# the views' lookups already select, so reading them costs no query.
KIND_MODELS = {
    ViewKind.COMPLAINT: ("recommendations.complaint", None),  # several: see below
    ViewKind.AUDIT_PROGRAMME: ("audits.auditprogramme", "recommendation.organisation_id"),
    ViewKind.AUDIT_CASE: ("audits.samplecase", "programme.recommendation.organisation_id"),
    ViewKind.AUDIT_OUTCOME: ("audits.auditoutcome", "sample_case.case.organisation_id"),
    ViewKind.LIVE_CONCERN: ("audits.liveconcern", "sample_case.case.organisation_id"),
    ViewKind.EVIDENCE: ("recommendations.evidence", "recommendation.organisation_id"),
    ViewKind.COMMITTEE_REPORT: ("reports.committeereport", "organisation_id"),
    ViewKind.MINUTES: ("reports.distributionentry", "organisation_id"),
    ViewKind.POPULATION_UPLOAD: ("audits.populationupload", "organisation_id"),
    ViewKind.LEARNING_ATTACHMENT: (
        "learning.learningattachment",
        "learning_point.recommendation.organisation_id",
    ),
    ViewKind.EVIDENCE_SUBMISSION: ("submissions.submission", "organisation_id"),
    ViewKind.OMBUDSMAN_LETTER: ("verdicts.verdict", "awaited.recommendation.organisation_id"),
}
_PATHS = dict(KIND_MODELS.values())  # model label: path


def record_organisation_id(record) -> int | None:
    """The id of the organisation ``record`` belongs to; None for a complaint, which binds
    several."""
    path = _PATHS[record._meta.label_lower]
    return None if path is None else operator.attrgetter(path)(record)


def _viewed_organisation_id(user, record, kind) -> int | None:
    """Whose managers see the entry. A complaint binds several councils: the viewer's own
    (the lookups find a complaint only for the councils it binds), or none for a viewer who
    sees every organisation from outside them (a regional manager)."""
    if record is None:
        return user.organisation_id  # the tracker export: the viewer's own recommendations
    if kind != ViewKind.COMPLAINT:
        return record_organisation_id(record)
    if user.organisation_id is None or not user.sees_every_organisation:
        return user.organisation_id
    binds = record.organisations.filter(pk=user.organisation_id).exists()
    return user.organisation_id if binds else None


def _file_format(download: str) -> str:
    """``pdf`` from ``pdf``, ``.PDF`` or ``evidence/12/minute.pdf``."""
    suffix = PurePosixPath(download).suffix or download
    return suffix.lstrip(".").lower()[:20]


def view_record(*, user, record, kind, at: datetime, download: str | None = None) -> RecordView:
    """Log that ``user`` opened ``record`` (a page), or downloaded it when ``download`` names
    the file's format or name (``"pdf"``, ``evidence.file.name``). ``record`` is None only
    for a tracker export.

    One INSERT, inside the request's transaction (``ATOMIC_REQUESTS``): the entry is kept
    with the response the user saw, and a request that fails writes none.
    """
    kind = ViewKind(kind)
    if record is None:
        if kind != ViewKind.TRACKER_EXPORT:
            raise ValueError(f"A {kind.label.lower()} view needs its record.")
    elif record._meta.label_lower != KIND_MODELS.get(kind, ("", None))[0]:
        raise ValueError(f"{record._meta.label} is not a {kind.label.lower()}.")
    return RecordView.objects.create(
        user=user,
        username=user.get_username(),
        organisation_id=_viewed_organisation_id(user, record, kind),
        kind=kind,
        content_type=None if record is None else ContentType.objects.get_for_model(record),
        object_id=None if record is None else record.pk,
        at=at,
        how=ViewHow.PAGE if download is None else ViewHow.DOWNLOAD,
        file_format="" if download is None else _file_format(download),
    )


def retention_start(*, at: datetime) -> datetime:
    """Entries from before this moment are past ``VIEW_LOG_RETENTION_DAYS``."""
    return at - timedelta(days=settings.VIEW_LOG_RETENTION_DAYS)


def _allow_purge(allowed: bool) -> None:
    """Let this transaction through the PostgreSQL trigger that otherwise refuses deletes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('viewlog.purge', %s, true)", ["on" if allowed else "off"]
            )


def view_log_purge(*, before: datetime) -> int:
    """Delete the entries from before ``before`` (strictly), and say how many. The only
    deletion the log allows; running it twice deletes nothing more."""
    with transaction.atomic():
        _allow_purge(True)
        deleted, _ = RecordView.objects.before(before).delete()
        _allow_purge(False)
    return deleted
