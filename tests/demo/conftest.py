from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from deadlines.buckets import Bucket, bucket_for
from deadlines.models import Deadline

# A Monday: the live case is reported five weeks before it (26 January 2026).
TODAY = date(2026, 3, 2)
PASSWORD = "demo-password-1"
LIVE = "DEMO-00 000 002"


def seed_demo(*, today=TODAY, password=PASSWORD) -> str:
    """Run ``seed_demo`` as ``bin/demo`` does, for a given day; returns what it printed."""
    out = StringIO()
    call_command("seed_demo", "--today", today.isoformat(), password=password, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo issues a committee report (its Word and PDF files): kept out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed():
    return seed_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for ``TODAY`` and shared by a module's tests, each of which rolls
    back its own changes as usual; what ``seed_demo`` printed. Rolled back after the module.
    (Loading it takes seconds, most of them drawing the committee report's PDF.)"""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield seed_demo()
        transaction.set_rollback(True)


def assert_due_soon_and_overdue(*, today) -> None:
    """What a newcomer sees on ``today``: three deadlines due within 14 days and one overdue,
    the live case's personal remedy, a week late and in progress."""
    buckets = {deadline: bucket_for(deadline, today=today) for deadline in Deadline.objects.open()}
    due_soon = [d for d, bucket in buckets.items() if bucket == Bucket.DUE_SOON]
    overdue = [d for d, bucket in buckets.items() if bucket == Bucket.OVERDUE]
    assert len(due_soon) == 3
    assert [(d.title, (today - d.due_date).days) for d in overdue] == [
        (f"{LIVE} recommendation 1", 7)
    ]
    assert overdue[0].recommendation.status == "in_progress"
