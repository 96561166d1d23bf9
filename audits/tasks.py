"""Thin Celery tasks: take ids, re-fetch, return quietly if the row has gone, call a function."""

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from . import emails, uploads
from .models import AuditProgramme, LiveConcern


@shared_task(
    name="audits.send_live_concern_email",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def send_live_concern_email(concern_id: int) -> None:
    concern = (
        LiveConcern.objects.select_related("sample_case__case", "raised_by")
        .filter(pk=concern_id)
        .first()
    )
    if concern is not None:
        emails.live_concern_send(concern)


@shared_task(
    name="audits.send_full_audit_notice",
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def send_full_audit_notice(programme_id: int) -> None:
    programme = (
        AuditProgramme.objects.select_related(
            "triggered_by", "owner", "deadline", "recommendation__organisation"
        )
        .filter(pk=programme_id)
        .first()
    )
    if programme is not None:
        emails.full_audit_created_send(programme)


# 100,000 rows take about 25 seconds on PostgreSQL; the limits leave room for files far larger.
@shared_task(name="audits.import_population", soft_time_limit=900, time_limit=960)
def import_population(upload_id: int) -> None:
    # The service returns quietly if the upload has gone or has already finished.
    uploads.population_upload_run(upload_id=upload_id)


@shared_task(name="audits.clean_population_uploads", soft_time_limit=300, time_limit=360)
def clean_population_uploads() -> None:
    # Hourly (CELERY_BEAT_SCHEDULE); the clean-up claims each upload, so an overlap is harmless.
    uploads.population_uploads_clean(at=timezone.now())
