"""Reminders queued when Redis went down (and came back empty) are sent once all the same."""

import pytest
from django.core import mail

from reminders import tasks
from reminders.models import Reminder, ReminderStatus
from tests.reminders.worker import (
    all_sent,
    deadlines_due,
    running_worker,
    runs_finished,
    wait_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reminders_queued_when_redis_went_down_are_sent_once_when_it_is_back(
    own_redis, dispatch_runs, figures
):
    deadlines_due(4, due_in_days=7)
    tasks.dispatch()  # no worker yet: four sends wait in Redis
    assert Reminder.objects.filter(status=ReminderStatus.PENDING).count() == 4

    own_redis.stop()  # the queued messages are gone with it: it keeps nothing on disk
    own_redis.start()

    with running_worker():
        tasks.dispatch.delay()  # the database still knows what is due
        wait_until(all_sent(4))
        tasks.dispatch.delay()
        wait_until(runs_finished(dispatch_runs, 3))  # with the one before the restart

    subjects = [email.subject for email in mail.outbox]
    figures(
        "reminders-redis-restarted",
        emails=len(subjects),
        duplicates=len(subjects) - len(set(subjects)),
    )
    assert len(subjects) == 4
    assert len(set(subjects)) == 4
