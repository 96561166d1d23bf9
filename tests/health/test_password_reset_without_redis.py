"""Asking for a password reset while the cache's Redis is down or hung: the page answers within a
few seconds, never with a server error, the email goes, and each web process keeps counting
the hourly limits in its own memory until Redis answers again (accounts.throttling)."""

import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import throttling
from accounts.roles import Role
from tests.factories import user_with_role


@pytest.fixture
def fresh_counts(monkeypatch):
    counts = throttling._ResetCounts()
    counts.in_memory.clear()
    monkeypatch.setattr(throttling, "_reset_counts", counts)


@pytest.fixture
def cache_redis_at(settings, fresh_counts):
    def point(port):
        # As settings.py sets the Redis cache, at a port of the test's choosing.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
            }
        }

    return point


@pytest.fixture
def staff(db):
    return [
        user_with_role(Role.VIEWER, username=f"reset{n}", email=f"reset{n}@example.org")
        for n in range(6)
    ]


def _ask_reset(email):
    started = time.monotonic()
    response = Client(raise_request_exception=False).post(
        reverse("password_reset"), {"email": email}, REMOTE_ADDR="192.0.2.10"
    )
    return response, time.monotonic() - started


def test_with_redis_down_the_reset_is_sent_at_once(staff, cache_redis_at, closed_port):
    cache_redis_at(closed_port)

    response, seconds = _ask_reset("reset0@example.org")

    assert (response.status_code, response.url) == (302, reverse("password_reset_done"))
    assert [email.to for email in mail.outbox] == [["reset0@example.org"]]
    assert seconds < 2


def test_with_redis_hung_one_request_waits_and_the_next_ones_do_not(
    staff, cache_redis_at, hung_port
):
    cache_redis_at(hung_port)

    answers = [_ask_reset(f"reset{n}@example.org") for n in range(3)]

    assert [response.status_code for response, _ in answers] == [302, 302, 302]
    assert len(mail.outbox) == 3
    first, *others = (seconds for _, seconds in answers)
    assert first < 3
    assert max(others) < 0.5


def test_with_redis_down_the_hourly_limit_still_holds_in_the_process(
    staff, cache_redis_at, closed_port
):
    cache_redis_at(closed_port)

    answers = [_ask_reset(f"reset{n}@example.org")[0] for n in range(6)]

    assert {response.url for response in answers} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 5  # PASSWORD_RESET_LIMIT_PER_ADDRESS
