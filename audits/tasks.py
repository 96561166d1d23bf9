"""Thin Celery tasks. The rest of audits' background work goes through the outbox (``jobs.py``)."""

from celery import shared_task
from django.utils import timezone

from . import uploads


@shared_task(name="audits.clean_population_uploads", soft_time_limit=300, time_limit=360)
def clean_population_uploads() -> None:
    # Hourly (CELERY_BEAT_SCHEDULE); the clean-up claims each upload, so an overlap is harmless.
    uploads.population_uploads_clean(at=timezone.now())
