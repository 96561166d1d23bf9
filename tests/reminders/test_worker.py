"""Reminders through a real Celery worker and a real Redis broker: each one is sent once.

Nothing reads task results (there is no result backend): the tests wait on the database, and
count dispatch runs by the heartbeat each records."""

import os
import subprocess
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from recommendations.deadlines import Counting
from reminders import emails, tasks
from reminders.models import Reminder, ReminderStatus
from tests.conftest import REQUIRE_SERVICES
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role
from tests.reminders.worker import running_worker, wait_until

# Serialized rollback keeps the data migrations (roles, ombudsmen, schedules) between tests.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _deadlines(count, *, due_in_days):
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


@pytest.fixture
def dispatch_runs(monkeypatch):
    """The dispatch runs finished so far, counted as each records its heartbeat."""
    runs = []
    real_record = tasks.heartbeat_record

    def record(name, at=None):
        real_record(name, at)
        runs.append(name)

    monkeypatch.setattr(tasks, "heartbeat_record", record)
    return runs


def _runs(runs, expected):
    def finished():
        """the dispatch runs to finish"""
        return len(runs) == expected

    return finished


def _all_sent(expected):
    def all_sent():
        """every reminder to be sent"""
        return Reminder.objects.filter(status=ReminderStatus.SENT).count() == expected

    return all_sent


def test_two_dispatchers_at_once_send_each_reminder_once(redis_url, dispatch_runs):
    _deadlines(6, due_in_days=7)

    with running_worker():
        tasks.dispatch.delay(), tasks.dispatch.delay()
        wait_until(_all_sent(6))
        wait_until(_runs(dispatch_runs, 2))

    assert len(mail.outbox) == 6
    assert sorted(Reminder.objects.values_list("stage", flat=True)) == ["before:7"] * 6
    assert len({(*email.to, email.subject) for email in mail.outbox}) == 6


def test_a_send_that_fails_on_the_mail_server_is_retried_and_sent_once(
    redis_url, monkeypatch, dispatch_runs
):
    _deadlines(1, due_in_days=1)
    real_send = emails.reminder_send
    calls = []

    def flaky(reminder):
        calls.append(reminder.pk)
        if len(calls) == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        real_send(reminder)

    monkeypatch.setattr(emails, "reminder_send", flaky)
    monkeypatch.setattr(tasks.send_reminder, "retry_backoff", False)
    monkeypatch.setattr(tasks.send_reminder, "default_retry_delay", 0)

    with running_worker():
        tasks.dispatch.delay()
        wait_until(_all_sent(1))

    reminder = Reminder.objects.get()
    assert (len(calls), reminder.attempts, len(mail.outbox)) == (2, 2, 1)


def test_after_a_day_without_the_scheduler_the_missed_reminders_go_out_once(
    redis_url, dispatch_runs
):
    # Due in 6 days: the 7-day reminder fell due yesterday, when nothing ran.
    _deadlines(3, due_in_days=6)

    with running_worker():
        tasks.dispatch.delay()
        wait_until(_all_sent(3))
        tasks.dispatch.delay()  # the next hourly run finds nothing new
        wait_until(_runs(dispatch_runs, 2))

    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("stage", flat=True)) == {"before:7"}


def _restart_redis(url):
    """Stop the Redis server at ``url`` and start it again, empty (it keeps nothing on disk)."""
    where = urlsplit(url)
    host, port = where.hostname or "127.0.0.1", str(where.port or 6379)

    def answers():
        ping = subprocess.run(["redis-cli", "-h", host, "-p", port, "ping"], capture_output=True)
        return ping.stdout.strip() == b"PONG"

    subprocess.run(["redis-cli", "-h", host, "-p", port, "shutdown", "nosave"], check=False)
    wait_until(lambda: not answers(), timeout=10)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", host, "--port", port, "--save", ""],
        check=True,
    )
    wait_until(answers, timeout=10)


def test_reminders_queued_when_redis_went_down_are_sent_once_when_it_is_back(
    redis_url, dispatch_runs
):
    if not (REQUIRE_SERVICES or os.environ.get("ALLOW_REDIS_RESTART") == "1"):
        pytest.skip("restarts the Redis server at REDIS_URL: set ALLOW_REDIS_RESTART=1")
    _deadlines(4, due_in_days=7)
    tasks.dispatch()  # no worker yet: four sends wait in Redis
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 4

    _restart_redis(redis_url)  # the queued messages are gone with it

    with running_worker():
        tasks.dispatch.delay()  # the database still knows what is due
        wait_until(_all_sent(4))
        tasks.dispatch.delay()
        wait_until(_runs(dispatch_runs, 3))  # with the one before the restart

    assert len(mail.outbox) == 4
    assert len({email.subject for email in mail.outbox}) == 4
