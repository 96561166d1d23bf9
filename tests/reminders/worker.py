"""A real Celery worker in the test process, consuming from the real Redis broker."""

import time
from contextlib import contextmanager
from datetime import timedelta

from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.roles import Role
from deadlines.arithmetic import Counting
from ombudsman_tracker.celery import app
from reminders.models import Reminder, ReminderStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role


@contextmanager
def running_worker():
    """Two worker threads, so duplicated tasks really can run at the same time. Messages other
    tests left in the queue are purged first.

    Tasks are queued, not run at once, while it runs; then the settings decide again (a value
    left on ``app.conf`` would outlive the test and win over a later test's settings).
    """
    pinned = app.conf.changes.get("task_always_eager")
    app.conf.task_always_eager = False
    try:
        app.control.purge()
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False):
            yield app
    finally:
        if pinned is None:
            app.conf.changes.pop("task_always_eager", None)
        else:
            app.conf.changes["task_always_eager"] = pinned


def wait_until(condition, *, timeout=30.0, interval=0.1):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Still waiting after {timeout} s for {condition.__doc__ or condition}")


def deadlines_due(count, *, due_in_days):
    """``count`` recommendations owned by one officer, due ``due_in_days`` from today."""
    manager = user_with_role(Role.MANAGER, username="manager")
    officer = user_with_role(Role.OFFICER, username="officer")
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    due = timezone.localdate() + timedelta(days=due_in_days)
    for _ in range(count):
        recommendation_recorded(
            complaint=complaint,
            owner=officer,
            by=manager,
            rule={"counting": Counting.STATED, "stated_date": due},
        )


def runs_finished(runs, expected):
    def finished():
        """the dispatch runs to finish"""
        return len(runs) == expected

    return finished


def all_sent(expected):
    def all_sent():
        """every reminder to be sent"""
        return Reminder.objects.filter(status=ReminderStatus.SENT).count() == expected

    return all_sent
