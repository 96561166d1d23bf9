import os

import pytest

from accounts.roles import Role
from tests.factories import user_with_role

# CI sets REQUIRE_SERVICES=1 after starting PostgreSQL and Redis: there, a test that needs a
# real service fails when the service is missing. On a laptop without them it is skipped.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES is set, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        service_missing("REDIS_URL is not set")
    return url


@pytest.fixture
def officer(db):
    return user_with_role(Role.OFFICER, username="officer")


@pytest.fixture
def manager(db):
    return user_with_role(Role.MANAGER, username="manager")


@pytest.fixture
def viewer(db):
    return user_with_role(Role.VIEWER, username="viewer")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; the suite signs in hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
