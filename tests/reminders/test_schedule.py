"""The reminder schedule, with time passed in. No database."""

from datetime import date

import pytest

from reminders.schedule import Stage, current_stage, stage_description

DUE = date(2027, 2, 25)


def _stage(today, days_before=(28, 14, 7, 1), on_the_day=True, every=7):
    return current_stage(
        due_date=DUE,
        days_before=list(days_before),
        on_the_day=on_the_day,
        overdue_every_days=every,
        today=today,
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 1, 27), None),  # 29 days before
        (date(2027, 1, 28), Stage("before:28", date(2027, 1, 28))),
        (date(2027, 2, 10), Stage("before:28", date(2027, 1, 28))),
        (date(2027, 2, 11), Stage("before:14", date(2027, 2, 11))),
        (date(2027, 2, 18), Stage("before:7", date(2027, 2, 18))),
        (date(2027, 2, 24), Stage("before:1", date(2027, 2, 24))),
        (date(2027, 2, 25), Stage("due", date(2027, 2, 25))),
        (date(2027, 2, 26), Stage("overdue:1", date(2027, 2, 26), 1)),
        (date(2027, 3, 4), Stage("overdue:1", date(2027, 2, 26), 1)),
        (date(2027, 3, 5), Stage("overdue:2", date(2027, 3, 5), 2)),
        (date(2027, 3, 12), Stage("overdue:3", date(2027, 3, 12), 3)),
    ],
)
def test_the_latest_stage_that_has_fallen_due(today, expected):
    assert _stage(today) == expected


def test_a_deadline_created_inside_the_window_gets_only_the_current_stage():
    # Created 5 days before the deadline: 28, 14 and 7 days have all passed; only "7" is due.
    assert _stage(date(2027, 2, 20)).key == "before:7"


def test_a_missed_day_catches_up_with_the_stage_due_now():
    # The scheduler was down on 18 February; on the 19th the 7-day reminder is still due.
    assert _stage(date(2027, 2, 19)).key == "before:7"


def test_without_a_reminder_on_the_day_the_one_day_reminder_stands():
    assert _stage(date(2027, 2, 25), on_the_day=False).key == "before:1"


def test_schedules_are_data():
    assert _stage(date(2027, 2, 20), days_before=(3,)) is None
    assert _stage(date(2027, 2, 22), days_before=(3,)).key == "before:3"
    assert _stage(date(2027, 3, 1), every=2).key == "overdue:2"


@pytest.mark.parametrize(
    ("today", "text"),
    [
        (date(2027, 2, 24), "due in 1 day"),
        (date(2027, 2, 11), "due in 14 days"),
        (date(2027, 2, 25), "due today"),
        (date(2027, 2, 26), "overdue by 1 day"),
        (date(2027, 3, 5), "overdue by 8 days"),
    ],
)
def test_stage_descriptions(today, text):
    assert stage_description(_stage(today), DUE, today) == text
