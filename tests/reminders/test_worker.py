"""Reminders through a real Celery worker and a real Redis broker: each one is sent once.

Nothing reads task results (there is no result backend): the tests wait on the database, and
count dispatch runs by the heartbeat each records."""

from smtplib import SMTPServerDisconnected

import pytest
from celery.app import autoretry
from django.core import mail

from reminders import emails, tasks
from reminders.models import ManagerDigest, Reminder
from tests.reminders.worker import (
    all_sent,
    deadlines_due,
    running_worker,
    runs_finished,
    wait_until,
)

# Serialized rollback keeps the data migrations (roles, ombudsmen, schedules) between tests.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_dispatchers_at_once_send_each_reminder_once(redis_url, dispatch_runs):
    deadlines_due(6, due_in_days=7)

    with running_worker():
        tasks.dispatch.delay(), tasks.dispatch.delay()
        wait_until(all_sent(6))
        wait_until(runs_finished(dispatch_runs, 2))

    assert len(mail.outbox) == 6
    assert sorted(Reminder.objects.values_list("stage", flat=True)) == ["before:7"] * 6
    assert len({(*email.to, email.subject) for email in mail.outbox}) == 6


def test_a_send_that_fails_on_the_mail_server_is_retried_and_sent_once(
    redis_url, monkeypatch, dispatch_runs
):
    deadlines_due(1, due_in_days=1)
    real_send = emails.reminder_send
    calls = []

    def flaky(reminder):
        calls.append(reminder.pk)
        if len(calls) == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        real_send(reminder)

    monkeypatch.setattr(emails, "reminder_send", flaky)
    # The task's backoff (up to 30 s, jittered) was read when it was registered: the retry
    # is asked to wait no time instead.
    monkeypatch.setattr(autoretry, "get_exponential_backoff_interval", lambda **kwargs: 0)

    with running_worker():
        tasks.dispatch.delay()
        wait_until(all_sent(1))

    reminder = Reminder.objects.get()
    assert (len(calls), reminder.attempts, len(mail.outbox)) == (2, 2, 1)


def test_after_a_day_without_the_scheduler_the_missed_reminders_go_out_once(
    redis_url, dispatch_runs
):
    # Due in 6 days: the 7-day reminder fell due yesterday, when nothing ran.
    deadlines_due(3, due_in_days=6)

    with running_worker():
        tasks.dispatch.delay()
        wait_until(all_sent(3))
        tasks.dispatch.delay()  # the next hourly run finds nothing new
        wait_until(runs_finished(dispatch_runs, 2))

    assert len(mail.outbox) == 3
    assert set(Reminder.objects.values_list("stage", flat=True)) == {"before:7"}


def test_two_dispatchers_at_once_send_the_manager_one_digest_of_the_overdue_deadlines(
    redis_url, dispatch_runs
):
    deadlines_due(3, due_in_days=-1)  # overdue since yesterday

    with running_worker():
        tasks.dispatch.delay(), tasks.dispatch.delay()
        wait_until(all_sent(6))  # the owner's three, and the managers' three in one digest
        wait_until(runs_finished(dispatch_runs, 2))

    assert sorted(email.to[0] for email in mail.outbox) == [
        "manager@example.org",
        "officer@example.org",
        "officer@example.org",
        "officer@example.org",
    ]
    assert list(ManagerDigest.objects.values_list("status", "listed")) == [("sent", 3)]
