"""Thin Celery tasks. The tracker import itself goes through the outbox (``jobs.py``)."""

from celery import shared_task
from django.utils import timezone

from . import tracker_csv


@shared_task(name="recommendations.clean_tracker_uploads", soft_time_limit=300, time_limit=360)
def clean_tracker_uploads() -> None:
    # Hourly (CELERY_BEAT_SCHEDULE); the clean-up claims each upload, so an overlap is harmless.
    tracker_csv.tracker_uploads_clean(at=timezone.now())
