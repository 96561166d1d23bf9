"""Thin Celery tasks: take ids, re-fetch, return quietly if the row has gone, call a function."""

from celery import shared_task
from django.utils import timezone

from . import tracker_csv


# Recording takes about 14 ms a row on PostgreSQL (30,000 rows, a 10 MB file: about 7 minutes;
# checking them takes seconds). The limits leave room for a 20 MB file on a slower server.
@shared_task(name="recommendations.import_tracker", soft_time_limit=2700, time_limit=2760)
def import_tracker(upload_id: int) -> None:
    # The service returns quietly if the upload has gone or has already finished.
    tracker_csv.tracker_upload_run(upload_id=upload_id)


@shared_task(name="recommendations.clean_tracker_uploads", soft_time_limit=300, time_limit=360)
def clean_tracker_uploads() -> None:
    # Hourly (CELERY_BEAT_SCHEDULE); the clean-up claims each upload, so an overlap is harmless.
    tracker_csv.tracker_uploads_clean(at=timezone.now())
