"""A council administrator changes a milestone in the administration site through the same
service as its page: a planned date moves only with a reason, and the history says where."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from plans.models import Milestone
from tests.factories import milestone_added, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def milestone(manager):
    return milestone_added(recommendation=recommendation_recorded(by=manager), by=manager)


@pytest.fixture
def administrator(client, manager):
    client.force_login(
        user_with_role(
            Role.ADMINISTRATOR,
            username="admin",
            organisation=manager.organisation,
            is_staff=True,
        )
    )
    return client


def _post(client, milestone, **changes):
    data = {
        "title": milestone.title,
        "owner": "",
        "planned_date": "2022-01-14",
        "reason": "",
        "version_seen": milestone.version,
    }
    return client.post(
        reverse("admin:plans_milestone_change", args=[milestone.pk]), data | changes, follow=True
    )


def test_a_move_without_a_reason_is_refused_and_writes_nothing(administrator, milestone):
    response = _post(administrator, milestone, planned_date="2022-02-01")

    fresh = Milestone.objects.select_related("deadline").get()
    assert "Enter why the planned date moves" in response.content.decode()
    assert (fresh.deadline.due_date, fresh.version) == (date(2022, 1, 14), milestone.version)


def test_a_move_with_a_reason_moves_the_deadline_through_the_service(administrator, milestone):
    _post(administrator, milestone, planned_date="2022-02-01", reason="Committee date moved")

    fresh = Milestone.objects.select_related("deadline").get()
    assert fresh.deadline.due_date == date(2022, 2, 1)
    assert fresh.deadline.history.latest().history_change_reason == (
        "Milestone planned date moved from 14 January 2022 to 1 February 2022: Committee date "
        "moved (changed in the administration site)"
    )
