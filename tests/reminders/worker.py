"""A real Celery worker in the test process, consuming from the real Redis broker."""

import time
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from ombudsman_tracker.celery import app


@contextmanager
def running_worker():
    """Two worker threads, so duplicated tasks really can run at the same time. Messages other
    tests left in the queue are purged first."""
    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
        yield app


def wait_until(condition, *, timeout=30.0, interval=0.1):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Still waiting after {timeout} s for {condition.__doc__ or condition}")
