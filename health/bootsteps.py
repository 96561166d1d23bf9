"""The Celery worker's heartbeat, registered in ``ombudsman_tracker.celery``."""

import socket

from celery import bootsteps

from .heartbeats import WORKER_EVERY, heartbeat_record_quietly, worker_heartbeat_name


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Records heartbeat ``worker:<host>`` (``socket.gethostname()``, what ``manage.py health
    worker`` asks about in the same container) as the worker starts and every ``WORKER_EVERY``
    after, on the worker's own timer: with Redis that timer runs in the worker's event loop, so
    the heartbeat stops when the loop does. A failed write is logged, never raised."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.heartbeat_name = worker_heartbeat_name(socket.gethostname())
        self.timer_entry = None

    def start(self, worker):
        self.beat()
        self.timer_entry = worker.timer.call_repeatedly(
            WORKER_EVERY.total_seconds(), self.beat, priority=10
        )

    def stop(self, worker):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    def beat(self):
        heartbeat_record_quietly(self.heartbeat_name)
