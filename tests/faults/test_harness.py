"""With nothing wrong, work queued on the tests' own Redis is done by the worker process.

The baseline for the fault tests: if this fails, the harness is broken, not the app.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from recommendations.deadlines import Counting
from reminders import tasks
from reminders.models import Reminder, ReminderStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role
from tests.faults.conftest import wait_until

# Serialized rollback keeps the data migrations' rows (roles, ombudsmen) for the next tests.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reminder_queued_on_our_redis_is_sent_by_the_worker_process(
    own_redis, worker, mail_server, figures
):
    manager = user_with_role(Role.MANAGER, username="manager")
    officer = user_with_role(Role.OFFICER, username="officer")
    recommendation_recorded(
        complaint=complaint_recorded(by=manager, public_interest_report=False),
        owner=officer,
        by=manager,
        rule={
            "counting": Counting.STATED,
            "stated_date": timezone.localdate() + timedelta(days=7),
        },
    )

    tasks.dispatch.delay()

    def sent():
        """the reminder to be sent"""
        return Reminder.objects.filter(status=ReminderStatus.SENT).count() == 1

    seconds = wait_until(sent, timeout=30)
    figures("none (the harness)", emails=len(mail_server.messages), seconds=seconds)
    assert [message["To"] for message in mail_server.messages] == [officer.email]
