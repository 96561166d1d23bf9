"""The background work of audits, run by the outbox (``outbox.services``): the live concern's
email, the full audit's notice and the population import. Found by ``OutboxConfig.ready``.

Each runs with an id, re-fetches its row, returns quietly if the row has gone, and calls a
function; an exception is a failed attempt, which the outbox retries.
"""

from django.utils import timezone

from outbox.kinds import EMAIL, IMPORT, Kind, kind_register

from . import emails, uploads
from .models import AuditProgramme, LiveConcern


def _live_concern_email(concern_id: int) -> None:
    concern = (
        LiveConcern.objects.select_related("sample_case__case", "raised_by")
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        return
    emails.live_concern_send(concern)
    # For the concern's page. An update, not a history entry: nobody changed the concern.
    LiveConcern.objects.filter(pk=concern_id).update(emailed_at=timezone.now())


def _full_audit_notice(programme_id: int) -> None:
    programme = (
        AuditProgramme.objects.select_related(
            "triggered_by", "owner", "deadline", "recommendation__organisation"
        )
        .filter(pk=programme_id)
        .first()
    )
    if programme is not None:
        emails.full_audit_created_send(programme)


def _population_import(upload_id: int) -> None:
    # Returns quietly if the upload has gone or has already finished.
    uploads.population_upload_run(upload_id=upload_id)


kind_register(Kind(name=emails.LIVE_CONCERN_EMAIL, run=_live_concern_email, **EMAIL))
kind_register(Kind(name=emails.FULL_AUDIT_NOTICE, run=_full_audit_notice, **EMAIL))
# 100,000 rows take about 25 seconds on PostgreSQL; the limits leave room for files far larger.
kind_register(
    Kind(
        name=uploads.IMPORT_JOB,
        run=_population_import,
        soft_time_limit=900,
        time_limit=960,
        give_up=uploads.population_upload_give_up,
        **IMPORT,
    )
)
