import pytest

from accounts.roles import Role
from tests.factories import user_with_role


@pytest.fixture
def officer(db):
    return user_with_role(Role.OFFICER, username="officer")


@pytest.fixture
def manager(db):
    return user_with_role(Role.MANAGER, username="manager")


@pytest.fixture
def viewer(db):
    return user_with_role(Role.VIEWER, username="viewer")
