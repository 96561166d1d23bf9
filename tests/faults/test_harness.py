"""With nothing wrong, work queued on the tests' own Redis is done by the worker process.

The baseline for the fault tests: if this fails, the harness is broken, not the app.
"""

import pytest

from accounts.models import User
from reminders import tasks
from reminders.models import Reminder, ReminderStatus
from tests.faults.conftest import wait_until
from tests.reminders.worker import deadlines_due

# Serialized rollback keeps the data migrations' rows (roles, ombudsmen) for the next tests.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reminder_queued_on_our_redis_is_sent_by_the_worker_process(
    own_redis, worker, mail_server, figures
):
    deadlines_due(1, due_in_days=7)
    officer = User.objects.get(username="officer")

    tasks.dispatch.delay()

    def sent():
        """the reminder to be sent"""
        return Reminder.objects.filter(status=ReminderStatus.SENT).count() == 1

    seconds = wait_until(sent, timeout=30)
    figures("none (the harness)", emails=len(mail_server.messages), seconds=seconds)
    assert [message["To"] for message in mail_server.messages] == [officer.email]
