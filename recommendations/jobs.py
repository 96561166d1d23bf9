"""The background work of recommendations, run by the outbox (``outbox.services``): the
tracker import. Found by ``OutboxConfig.ready``."""

from outbox.kinds import IMPORT, Kind, kind_register

from .tracker_csv import uploads


def _tracker_import(upload_id: int) -> None:
    # Returns quietly if the upload has gone or has already finished.
    uploads.tracker_upload_run(upload_id=upload_id)


# Recording takes about 14 ms a row on PostgreSQL (30,000 rows, a 10 MB file: about 7 minutes;
# checking them takes seconds). The limits leave room for a 20 MB file on a slower server.
kind_register(
    Kind(
        name=uploads.IMPORT_JOB,
        run=_tracker_import,
        soft_time_limit=2700,
        time_limit=2760,
        give_up=uploads.tracker_upload_give_up,
        **IMPORT,
    )
)
