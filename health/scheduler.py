"""Celery beat's scheduler, saying that beat is alive (``CELERY_BEAT_SCHEDULER``)."""

import time

from celery.beat import PersistentScheduler

from .heartbeats import SCHEDULER, SCHEDULER_START, heartbeat_record_quietly


class HeartbeatScheduler(PersistentScheduler):
    """Celery's own scheduler (the schedule file under ``var/celery/``), recording heartbeat
    ``scheduler`` as it ticks, at most every ``heartbeat_every`` seconds. Beat ticks at least
    every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` (30 s), so a live beat's heartbeat is never older.

    Its first heartbeat also records ``scheduler.start``: until beat has been up for two of a
    dispatcher's periods, that dispatcher not having run yet is no fault (health.checks).
    A failed write is logged and tried again at a later tick: beat never stops for it.
    """

    heartbeat_every = 15.0

    def __init__(self, *args, **kwargs):
        self.heartbeat_tried_at = None  # time.monotonic() of the last try
        self.start_recorded = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        now = time.monotonic()
        if self.heartbeat_tried_at is None or now - self.heartbeat_tried_at >= self.heartbeat_every:
            self.heartbeat_tried_at = now
            if not self.start_recorded:
                self.start_recorded = heartbeat_record_quietly(SCHEDULER_START)
            heartbeat_record_quietly(SCHEDULER)
        return interval
