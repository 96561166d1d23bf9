import pytest

from deadlines.buckets import Bucket, bucket_for
from deadlines.models import Deadline
from tests.conftest import seed_demo

LIVE = "DEMO-00 000 002"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo issues a committee report (its Word and PDF files): kept out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed():
    return seed_demo


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
