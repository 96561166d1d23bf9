"""Deadline arithmetic, checked against every example in DOMAIN.md. No database."""

from datetime import date

import pytest

from deadlines.arithmetic import (
    Counting,
    Unit,
    describe_rule,
    due_date,
    is_working_day,
    months_beginning_with,
    months_within,
)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2021, 11, 26), date(2022, 2, 26)),
        (date(2021, 11, 30), date(2022, 2, 28)),
        (date(2023, 11, 30), date(2024, 2, 29)),
        (date(2022, 8, 31), date(2022, 11, 30)),
    ],
)
def test_within_three_months_of_gives_the_corresponding_date_clipped(start, expected):
    assert months_within(start, 3) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2027, 1, 5), date(2027, 4, 4)),
        (date(2021, 11, 26), date(2022, 2, 25)),
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2026, 10, 31), date(2027, 1, 30)),
    ],
)
def test_three_months_beginning_with_ends_the_day_before_or_at_month_end(start, expected):
    assert months_beginning_with(start, 3) == expected


def test_beginning_with_does_not_subtract_a_day_after_clipping():
    assert months_beginning_with(date(2026, 11, 30), 3) != date(2027, 2, 27)


def test_months_cross_the_year_end():
    assert months_within(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert months_within(date(2026, 1, 15), 12) == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("count", "unit", "counting", "expected"),
    [
        (3, Unit.MONTHS, Counting.WITHIN, date(2022, 2, 26)),
        (3, Unit.MONTHS, Counting.BEGINNING_WITH, date(2022, 2, 25)),
        (3, Unit.WEEKS, Counting.WITHIN, date(2021, 12, 17)),
        (3, Unit.WEEKS, Counting.BEGINNING_WITH, date(2021, 12, 16)),
        (14, Unit.DAYS, Counting.WITHIN, date(2021, 12, 10)),
        (14, Unit.DAYS, Counting.BEGINNING_WITH, date(2021, 12, 9)),
    ],
)
def test_due_date_for_each_unit_and_counting(count, unit, counting, expected):
    assert (
        due_date(anchor=date(2021, 11, 26), count=count, unit=unit, counting=counting) == expected
    )


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 28), False),  # Boxing Day observed on the Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2026, 11, 28), False),  # a Saturday
        (date(2026, 8, 31), False),  # Summer bank holiday
    ],
)
def test_working_days_skip_weekends_and_bank_holidays_with_substitute_days(day, working):
    assert is_working_day(day) is working


def test_within_working_days_skips_christmas_and_the_substitute_boxing_day():
    # Thu 24 Dec 2026 + 3 working days: 29, 30, 31 December.
    anchor = date(2026, 12, 24)
    assert due_date(
        anchor=anchor, count=3, unit=Unit.WORKING_DAYS, counting=Counting.WITHIN
    ) == date(2026, 12, 31)


def test_working_days_beginning_with_counts_the_first_day_when_it_is_working():
    anchor = date(2026, 12, 24)
    assert due_date(
        anchor=anchor, count=3, unit=Unit.WORKING_DAYS, counting=Counting.BEGINNING_WITH
    ) == date(2026, 12, 30)


def test_working_days_beginning_with_a_holiday_starts_on_the_next_working_day():
    anchor = date(2026, 12, 25)
    assert due_date(
        anchor=anchor, count=1, unit=Unit.WORKING_DAYS, counting=Counting.BEGINNING_WITH
    ) == date(2026, 12, 29)


def test_a_stated_date_has_no_period_to_count():
    with pytest.raises(ValueError, match="no period"):
        due_date(anchor=date(2021, 11, 26), count=3, unit=Unit.MONTHS, counting=Counting.STATED)


def test_a_period_must_be_at_least_one_unit():
    with pytest.raises(ValueError, match="at least one"):
        due_date(anchor=date(2021, 11, 26), count=0, unit=Unit.DAYS, counting=Counting.WITHIN)


def test_rules_are_described_in_words_with_the_convention():
    assert describe_rule(
        count=3, unit=Unit.MONTHS, counting=Counting.WITHIN, anchor_label="the date of the report"
    ) == (
        "Within 3 months of the date of the report "
        "(the corresponding date, clipped to the end of the month)"
    )
    assert describe_rule(
        count=1, unit=Unit.WORKING_DAYS, counting=Counting.BEGINNING_WITH, anchor_label="today"
    ) == (
        "A period of 1 working day beginning with today "
        "(weekends and England and Wales bank holidays are skipped)"
    )
    assert describe_rule(count=None, unit="", counting=Counting.STATED, anchor_label="") == (
        "A date stated by the Ombudsman"
    )


# --- s31(2A)(c): "a period of three months beginning with the end of the period so allowed" ---

# The last day of the s31(2) period, then the last day of the s31(2A)(c) period in each reading:
# within 3 months of it (the app before), beginning with it (the Act read literally), and
# beginning with the day after it.
S31_READINGS = [
    # DOMAIN.md: received 26 Nov 2021, s31(2) ends 25 Feb 2022.
    (date(2022, 2, 25), date(2022, 5, 25), date(2022, 5, 24), date(2022, 5, 25)),
    # A clipped month end (received 30 Nov 2021): "within" gives neither reading.
    (date(2022, 2, 28), date(2022, 5, 28), date(2022, 5, 27), date(2022, 5, 31)),
    (date(2024, 2, 29), date(2024, 5, 29), date(2024, 5, 28), date(2024, 5, 31)),  # leap year
    (date(2022, 4, 30), date(2022, 7, 30), date(2022, 7, 29), date(2022, 7, 31)),
    # Month ends into a shorter month: there is no corresponding date, so all three agree.
    (date(2022, 11, 30), date(2023, 2, 28), date(2023, 2, 28), date(2023, 2, 28)),
    (date(2023, 11, 30), date(2024, 2, 29), date(2024, 2, 29), date(2024, 2, 29)),  # leap year
    (date(2022, 1, 31), date(2022, 4, 30), date(2022, 4, 30), date(2022, 4, 30)),
    (date(2023, 11, 29), date(2024, 2, 29), date(2024, 2, 28), date(2024, 2, 29)),
    # Across the year end.
    (date(2022, 12, 31), date(2023, 3, 31), date(2023, 3, 30), date(2023, 3, 31)),
]


@pytest.mark.parametrize(("s31_2_ends", "within", "literal", "day_after"), S31_READINGS)
def test_s31_2a_c_three_months_in_each_reading(s31_2_ends, within, literal, day_after):
    def ends(counting):
        return due_date(anchor=s31_2_ends, count=3, unit=Unit.MONTHS, counting=counting)

    assert (
        ends(Counting.WITHIN),
        ends(Counting.BEGINNING_WITH),
        ends(Counting.BEGINNING_DAY_AFTER),
    ) == (within, literal, day_after)


@pytest.mark.parametrize(
    ("count", "unit", "expected"),
    [
        (14, Unit.DAYS, date(2021, 12, 10)),  # 27 Nov is day 1
        (3, Unit.WEEKS, date(2021, 12, 17)),
        (1, Unit.MONTHS, date(2021, 12, 26)),
    ],
)
def test_a_period_beginning_with_the_day_after_starts_counting_the_next_day(count, unit, expected):
    anchor = date(2021, 11, 26)

    assert (
        due_date(anchor=anchor, count=count, unit=unit, counting=Counting.BEGINNING_DAY_AFTER)
        == expected
    )


def test_working_days_beginning_with_the_day_after_christmas_eve_skip_the_holidays():
    # Thu 24 Dec 2026: the period begins on Christmas Day; 29, 30 and 31 December are counted.
    assert due_date(
        anchor=date(2026, 12, 24),
        count=3,
        unit=Unit.WORKING_DAYS,
        counting=Counting.BEGINNING_DAY_AFTER,
    ) == date(2026, 12, 31)


def test_the_s31_2a_c_readings_are_described_in_the_words_of_the_act():
    anchor = "the end of the period allowed for the s31(2) response (25 February 2022)"

    assert describe_rule(
        count=3, unit=Unit.MONTHS, counting=Counting.BEGINNING_WITH, anchor_label=anchor
    ) == (
        "A period of 3 months beginning with the end of the period allowed for the s31(2) "
        "response (25 February 2022) (ends the day before the corresponding date, or on the "
        "last day of the month where there is none)"
    )
    assert describe_rule(
        count=3, unit=Unit.MONTHS, counting=Counting.BEGINNING_DAY_AFTER, anchor_label=anchor
    ) == (
        "A period of 3 months beginning with the day after the end of the period allowed for "
        "the s31(2) response (25 February 2022) (ends the day before the date corresponding "
        "to that first day, or on the last day of the month where there is none)"
    )
    assert describe_rule(
        count=2, unit=Unit.WEEKS, counting=Counting.BEGINNING_DAY_AFTER, anchor_label="today"
    ) == ("A period of 2 weeks beginning with the day after today")
