"""Deadline arithmetic for any anchor and count: properties the DOMAIN.md examples are cases of.

Hypothesis draws the dates and counts; test_deadlines.py holds the worked examples. No database.
"""

from datetime import date, timedelta
from functools import cache

import holidays
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from deadlines.arithmetic import (
    Counting,
    DateOutOfRangeError,
    Unit,
    due_date,
    is_working_day,
    months_beginning_with,
    months_within,
)
from recommendations.tracker_csv.rules import MAX_COUNT

# Bounded for CI time; no example database is written into the work tree (a failure prints
# the blob that replays it).
PURE = settings(max_examples=200, deadline=None, database=None, print_blob=True)

# Every property of "any rule" below holds for each way of counting a period.
PERIODS = Counting.periods()
# Dates a deadline can count from in practice, and every date the calendar holds.
ANCHORS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
ANY_DATE = st.dates()
# Working days are counted one day at a time: keep their counts to a few years' worth.
COUNTS = {
    Unit.DAYS: st.integers(1, MAX_COUNT),
    Unit.WEEKS: st.integers(1, MAX_COUNT),
    Unit.MONTHS: st.integers(1, 1200),
    Unit.WORKING_DAYS: st.integers(1, 800),
}
UNIT_AND_COUNT = st.sampled_from(list(Unit)).flatmap(
    lambda unit: st.tuples(st.just(unit), COUNTS[unit])
)


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def _bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def _working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included, counted the slow way."""
    return sum(
        1
        for offset in range((last - first).days + 1)
        if (day := first + timedelta(days=offset)).weekday() < 5 and not _bank_holiday(day)
    )


# --- Every rule -----------------------------------------------------------------------------


@PURE
@given(anchor=ANCHORS, unit_and_count=UNIT_AND_COUNT, counting=st.sampled_from(PERIODS))
def test_the_due_date_is_after_the_anchor_or_on_it_for_beginning_with(
    anchor, unit_and_count, counting
):
    unit, count = unit_and_count

    due = due_date(anchor=anchor, count=count, unit=unit, counting=counting)

    if counting == Counting.WITHIN:
        assert due > anchor
    else:
        assert due >= anchor


@PURE
@given(anchor=ANCHORS, unit_and_count=UNIT_AND_COUNT, counting=st.sampled_from(PERIODS))
def test_a_longer_period_ends_later(anchor, unit_and_count, counting):
    unit, count = unit_and_count

    shorter = due_date(anchor=anchor, count=count, unit=unit, counting=counting)
    longer = due_date(anchor=anchor, count=count + 1, unit=unit, counting=counting)

    assert longer > shorter


@PURE
@given(
    anchor=ANCHORS,
    days_later=st.integers(1, 400),
    unit_and_count=UNIT_AND_COUNT,
    counting=st.sampled_from(PERIODS),
)
def test_a_later_anchor_never_gives_an_earlier_due_date(
    anchor, days_later, unit_and_count, counting
):
    unit, count = unit_and_count

    earlier = due_date(anchor=anchor, count=count, unit=unit, counting=counting)
    later = due_date(
        anchor=anchor + timedelta(days=days_later), count=count, unit=unit, counting=counting
    )

    assert later >= earlier


@PURE
@given(anchor=ANCHORS, unit_and_count=UNIT_AND_COUNT)
def test_a_period_beginning_with_a_day_ends_at_most_one_day_before_within_it(
    anchor, unit_and_count
):
    unit, count = unit_and_count

    within = due_date(anchor=anchor, count=count, unit=unit, counting=Counting.WITHIN)
    beginning = due_date(anchor=anchor, count=count, unit=unit, counting=Counting.BEGINNING_WITH)

    if unit == Unit.WORKING_DAYS:
        # The anchor counts as the first day only if it is a working day; otherwise the two
        # periods start on the same working day and end together.
        assert beginning < within if is_working_day(anchor) else beginning == within
    else:
        assert within - beginning in (timedelta(0), timedelta(days=1))


# --- Days and weeks -------------------------------------------------------------------------


@PURE
@given(anchor=ANCHORS, count=st.integers(1, MAX_COUNT))
def test_days_and_weeks_are_plain_calendar_arithmetic(anchor, count):
    def due(unit, counting):
        return due_date(anchor=anchor, count=count, unit=unit, counting=counting)

    assert due(Unit.DAYS, Counting.WITHIN) == anchor + timedelta(days=count)
    assert due(Unit.DAYS, Counting.BEGINNING_WITH) == anchor + timedelta(days=count - 1)
    assert due(Unit.WEEKS, Counting.WITHIN) == anchor + timedelta(days=7 * count)
    assert due(Unit.WEEKS, Counting.BEGINNING_WITH) == anchor + timedelta(days=7 * count - 1)


# --- Months ---------------------------------------------------------------------------------


@PURE
@given(anchor=ANCHORS, months=st.integers(1, 1200))
@example(anchor=date(2021, 11, 30), months=3)  # DOMAIN.md: 28 Feb 2022
@example(anchor=date(2023, 11, 30), months=3)  # DOMAIN.md: 29 Feb 2024
@example(anchor=date(2022, 8, 31), months=3)  # DOMAIN.md: 30 Nov 2022
def test_within_months_is_the_corresponding_date_clipped_to_the_month_end(anchor, months):
    due = months_within(anchor, months)

    # dateutil's relativedelta clips to the month's end the same way: an independent oracle.
    assert due == anchor + relativedelta(months=months)
    month_index = anchor.month - 1 + months
    assert (due.year, due.month) == (anchor.year + month_index // 12, month_index % 12 + 1)
    assert due.day == anchor.day or (due.day < anchor.day and (due + timedelta(days=1)).day == 1), (
        "a day only moves when it clips to the last day of a shorter month"
    )


@PURE
@given(anchor=ANCHORS, months=st.integers(1, 1200))
@example(anchor=date(2027, 1, 5), months=3)  # DOMAIN.md: 4 Apr 2027
@example(anchor=date(2026, 11, 30), months=3)  # DOMAIN.md: 28 Feb 2027, never 27 Feb
@example(anchor=date(2026, 10, 31), months=3)  # DOMAIN.md: 30 Jan 2027
def test_beginning_with_months_ends_the_day_before_or_on_the_last_day_of_the_month(anchor, months):
    due = months_beginning_with(anchor, months)

    corresponding = anchor + relativedelta(months=months)
    if corresponding.day == anchor.day:
        assert due == corresponding - timedelta(days=1)
    else:
        # No corresponding date: the last day of the month, not a day before clipping.
        assert due == corresponding
        assert (due + timedelta(days=1)).day == 1


# --- Working days ---------------------------------------------------------------------------


@PURE
@given(anchor=ANCHORS, count=COUNTS[Unit.WORKING_DAYS])
@example(anchor=date(2026, 12, 24), count=3)  # DOMAIN.md: skips Christmas and 28 Dec 2026
@example(anchor=date(2026, 12, 25), count=1)  # beginning with a holiday
def test_working_days_land_on_a_working_day_after_exactly_count_working_days(anchor, count):
    within = due_date(anchor=anchor, count=count, unit=Unit.WORKING_DAYS, counting=Counting.WITHIN)
    beginning = due_date(
        anchor=anchor, count=count, unit=Unit.WORKING_DAYS, counting=Counting.BEGINNING_WITH
    )

    for due in (within, beginning):
        assert due.weekday() < 5, f"{due} is a {due:%A}"
        assert not _bank_holiday(due), f"{due} is a bank holiday"
        assert is_working_day(due)
    # "Within N of": N working days after the anchor; "beginning with": the anchor counts.
    assert _working_days(anchor + timedelta(days=1), within) == count
    assert _working_days(anchor, beginning) == count


# --- Input that has no due date -------------------------------------------------------------


@PURE
@given(
    anchor=ANY_DATE,
    count=st.integers(max_value=0),
    unit=st.sampled_from(list(Unit)),
    counting=st.sampled_from(PERIODS),
)
def test_a_period_shorter_than_one_unit_is_refused(anchor, count, unit, counting):
    with pytest.raises(ValueError, match="at least one unit"):
        due_date(anchor=anchor, count=count, unit=unit, counting=counting)


@PURE
@given(anchor=ANY_DATE, count=st.integers(1, 100), unit=st.text(), counting=st.text())
def test_an_unknown_unit_or_counting_is_a_clear_value_error(anchor, count, unit, counting):
    assume(unit not in Unit.values or counting not in PERIODS)

    with pytest.raises(ValueError, match=r"Unknown unit|no period to count"):
        due_date(anchor=anchor, count=count, unit=unit, counting=counting)


@PURE
@given(
    days_before_the_end=st.integers(0, 400),
    unit_and_count=UNIT_AND_COUNT,
    counting=st.sampled_from(PERIODS),
)
@example(days_before_the_end=0, unit_and_count=(Unit.DAYS, 1), counting=Counting.WITHIN)
@example(days_before_the_end=30, unit_and_count=(Unit.MONTHS, 3), counting=Counting.WITHIN)
def test_a_due_date_past_the_end_of_the_calendar_is_a_clear_value_error(
    days_before_the_end, unit_and_count, counting
):
    """Once a bug: 31 Dec 9999 plus a day was an OverflowError that crashed the tracker import."""
    unit, count = unit_and_count
    anchor = date.max - timedelta(days=days_before_the_end)

    try:
        due = due_date(anchor=anchor, count=count, unit=unit, counting=counting)
    except DateOutOfRangeError as error:
        due, refusal = None, str(error)
    else:
        refusal = ""

    if due is None:
        assert refusal == "That period runs past 31 December 9999, the last date the app can hold."
    else:
        assert anchor <= due <= date.max


@PURE
@given(anchor=ANY_DATE, unit_and_count=UNIT_AND_COUNT, counting=st.sampled_from(PERIODS))
def test_any_date_gives_a_due_date_or_a_value_error_never_anything_else(
    anchor, unit_and_count, counting
):
    unit, count = unit_and_count

    try:
        due = due_date(anchor=anchor, count=count, unit=unit, counting=counting)
    except DateOutOfRangeError:
        # Refused only where the period really could run past the end of the calendar.
        longest = {Unit.DAYS: 1, Unit.WEEKS: 7, Unit.MONTHS: 31, Unit.WORKING_DAYS: 3}[unit]
        assert (date.max - anchor).days < longest * count + 10
        return
    assert due >= anchor


# --- Beginning with the day after (one reading of s31(2A)(c)) -------------------------------


def _last_day_of_its_month(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


@PURE
@given(anchor=ANCHORS, unit_and_count=UNIT_AND_COUNT)
def test_beginning_with_the_day_after_is_beginning_with_the_next_day(anchor, unit_and_count):
    unit, count = unit_and_count

    after = due_date(anchor=anchor, count=count, unit=unit, counting=Counting.BEGINNING_DAY_AFTER)

    assert after == due_date(
        anchor=anchor + timedelta(days=1), count=count, unit=unit, counting=Counting.BEGINNING_WITH
    )
    assert after > anchor


@PURE
@given(anchor=ANCHORS, unit_and_count=UNIT_AND_COUNT)
@example(anchor=date(2022, 2, 25), unit_and_count=(Unit.MONTHS, 3))  # 25 May 2022 both ways
@example(anchor=date(2022, 2, 28), unit_and_count=(Unit.MONTHS, 3))  # 31 May, within 28 May
@example(anchor=date(2024, 2, 29), unit_and_count=(Unit.MONTHS, 3))  # 31 May, within 29 May
@example(anchor=date(2022, 11, 30), unit_and_count=(Unit.MONTHS, 3))  # both 28 Feb 2023
def test_beginning_with_the_day_after_ends_where_within_does_but_from_a_month_end(
    anchor, unit_and_count
):
    """It differs from "within" only where the anchor is the last day of a month shorter
    than the one the period ends in: it then runs to that month's last day."""
    unit, count = unit_and_count

    after = due_date(anchor=anchor, count=count, unit=unit, counting=Counting.BEGINNING_DAY_AFTER)
    within = due_date(anchor=anchor, count=count, unit=unit, counting=Counting.WITHIN)

    if unit == Unit.MONTHS and _last_day_of_its_month(anchor):
        assert _last_day_of_its_month(after)
        assert (after.year, after.month) == (within.year, within.month)
        assert after >= within
    else:
        assert after == within


@PURE
@given(anchor=ANCHORS, months=st.integers(1, 1200))
def test_the_three_readings_of_months_never_cross(anchor, months):
    def ends(counting):
        return due_date(anchor=anchor, count=months, unit=Unit.MONTHS, counting=counting)

    literal, within, after = (
        ends(Counting.BEGINNING_WITH),
        ends(Counting.WITHIN),
        ends(Counting.BEGINNING_DAY_AFTER),
    )

    assert literal <= within <= after
    # The literal reading is never more than a day earlier than "within"; the day-after
    # reading never runs past the month "within" ends in.
    assert within - literal <= timedelta(days=1)
    assert (after.year, after.month) == (within.year, within.month)


@PURE
@given(count=st.integers(1, 5), unit=st.sampled_from(list(Unit)))
def test_beginning_the_day_after_the_last_day_of_the_calendar_is_refused(count, unit):
    with pytest.raises(DateOutOfRangeError):
        due_date(anchor=date.max, count=count, unit=unit, counting=Counting.BEGINNING_DAY_AFTER)
