"""A Croydon recommendation to share the learning, its manager and two audiences."""

from datetime import UTC, date, datetime

import pytest

from accounts.roles import Role
from organisations.models import Organisation
from tests.factories import (
    audience_made,
    complaint_recorded,
    learning_point_recorded,
    recommendation_recorded,
    user_with_role,
)

PUBLISHED = datetime(2022, 2, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="croydon-manager", organisation=croydon)


@pytest.fixture
def recommendation(manager, croydon):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    return recommendation_recorded(complaint=complaint, by=manager, owner=manager)


@pytest.fixture
def front_door(croydon, manager):
    return audience_made(organisation=croydon, name="Front door (MASH)", by=manager)


@pytest.fixture
def police(croydon, manager):
    return audience_made(
        organisation=croydon,
        name="Police child abuse investigation team",
        agency="Metropolitan Police",
        by=manager,
    )


@pytest.fixture
def point(recommendation, manager, front_door, police):
    return learning_point_recorded(
        recommendation=recommendation, by=manager, audiences=[front_door, police], at=PUBLISHED
    )


def day(text: str) -> date:
    return date.fromisoformat(text)
