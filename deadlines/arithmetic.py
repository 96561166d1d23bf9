"""Deadline arithmetic: pure functions of dates, no database.

Three ways of counting months are in use and a deadline must say which one it uses:

* "within three months **of** a date" (the Ombudsman's wording): the corresponding date,
  clipped to the end of the month (26 Nov 2021 -> 26 Feb 2022; 30 Nov 2021 -> 28 Feb 2022).
* "a period of three months **beginning with** a date" (the statute's wording): the day before
  the corresponding date, or the last day of the month where there is no corresponding date
  (26 Nov 2021 -> 25 Feb 2022; 30 Nov 2026 -> 28 Feb 2027). Subtracting a day after clipping
  would be wrong (30 Nov would give 27 Feb).
* "a period of three months beginning with **the day after** a date": "beginning with" counted
  from the next day. It ends where "within" does, except where the date is the last day of a
  month shorter than the one the period ends in: then on that month's last day (28 Feb 2022 ->
  31 May 2022, where "within" gives 28 May and "beginning with" 27 May). For days, weeks and
  working days it always ends where "within" does.

s31(2A)(c) of the Local Government Act 1974 ("within a period of three months beginning with the
end of the period so allowed") can be read as "beginning with" or "beginning with the day after"
the end of the s31(2) period: its ``StatutoryClockRule`` says which.

Working days skip weekends and England & Wales bank holidays, substitute days included.
"""

import calendar
from datetime import date, timedelta
from functools import cache

import holidays
from django.db import models

from ombudsman_tracker.formats import date_text


class Unit(models.TextChoices):
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    WORKING_DAYS = "working_days", "working days"


class Counting(models.TextChoices):
    STATED = "stated", "a date the Ombudsman stated"
    WITHIN = "within", "within a period of a date"
    BEGINNING_WITH = "beginning_with", "a period beginning with a date"
    BEGINNING_DAY_AFTER = "beginning_day_after", "a period beginning with the day after a date"

    @classmethod
    def periods(cls) -> list["Counting"]:
        """The countings that count a period from an anchor (all but a stated date)."""
        return [cls.WITHIN, cls.BEGINNING_WITH, cls.BEGINNING_DAY_AFTER]


def _corresponding_date(start: date, months: int) -> date | None:
    """The same day of the month ``months`` later, or None where that month is too short."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return start.replace(year=year, month=month)


def _last_day_of_month(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def months_within(start: date, months: int) -> date:
    """ "Within N months of start": the corresponding date, clipped to the month's end."""
    return _corresponding_date(start, months) or _last_day_of_month(start, months)


def months_beginning_with(start: date, months: int) -> date:
    """Last day of "a period of N months beginning with start"."""
    corresponding = _corresponding_date(start, months)
    if corresponding is None:
        return _last_day_of_month(start, months)
    return corresponding - timedelta(days=1)


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday (substitute days included)."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_within(start: date, days: int) -> date:
    """ "Within N working days of start": the Nth working day after start."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_beginning_with(start: date, days: int) -> date:
    """Last day of "a period of N working days beginning with start" (start counts if working)."""
    if is_working_day(start):
        return working_days_within(start, days - 1)
    return working_days_within(start, days)


class DateOutOfRangeError(ValueError):
    """The period runs past the last date Python (and so the app) can hold."""

    def __init__(self):
        super().__init__(
            f"That period runs past {date_text(date.max)}, the last date the app can hold."
        )


def due_date(*, anchor: date, count: int, unit: str, counting: str) -> date:
    """The last day allowed by a rule: ``count`` ``unit`` counted from ``anchor``.

    Raises ValueError for a rule with no period, and ``DateOutOfRangeError`` (a ValueError) for a
    period that would end after 31 December 9999 (a mistyped year, say).
    """
    if count < 1:
        raise ValueError("A period must be at least one unit long.")
    if counting not in Counting.periods():
        raise ValueError(f"A {counting!r} deadline has no period to count.")
    if unit not in Unit.values:
        raise ValueError(f"Unknown unit {unit!r}.")
    # Each unit is at least a day long: a period longer than the days left cannot end in time.
    if count > (date.max - anchor).days + 1:
        raise DateOutOfRangeError
    try:
        if counting == Counting.BEGINNING_DAY_AFTER:
            # The anchor is not in the period: its first day is the next one.
            return _period_end(anchor + timedelta(days=1), count, unit, within=False)
        return _period_end(anchor, count, unit, within=counting == Counting.WITHIN)
    except (OverflowError, ValueError):
        # date arithmetic past year 9999: OverflowError from timedelta, ValueError from date()
        raise DateOutOfRangeError from None


def _period_end(anchor: date, count: int, unit: str, *, within: bool) -> date:
    match unit:
        case Unit.MONTHS:
            return months_within(anchor, count) if within else months_beginning_with(anchor, count)
        case Unit.WEEKS:
            return anchor + timedelta(weeks=count, days=0 if within else -1)
        case Unit.DAYS:
            return anchor + timedelta(days=count if within else count - 1)
        case Unit.WORKING_DAYS:
            if within:
                return working_days_within(anchor, count)
            return working_days_beginning_with(anchor, count)
    raise AssertionError(unit)  # due_date checked the unit


def describe_rule(*, count: int | None, unit: str | None, counting: str, anchor_label: str) -> str:
    """The rule in words, so users (and the council's lawyers) can see how a date was reached."""
    if counting == Counting.STATED:
        return "A date stated by the Ombudsman"
    unit_label = Unit(unit).label
    if count == 1:
        unit_label = unit_label.removesuffix("s")
    months = unit == Unit.MONTHS
    match counting:
        case Counting.WITHIN:
            text = f"Within {count} {unit_label} of {anchor_label}"
            how = "the corresponding date, clipped to the end of the month" if months else ""
        case Counting.BEGINNING_DAY_AFTER:
            text = f"A period of {count} {unit_label} beginning with the day after {anchor_label}"
            how = (
                "ends the day before the date corresponding to that first day, or on the last "
                "day of the month where there is none"
                if months
                else ""
            )
        case _:  # Counting.BEGINNING_WITH
            text = f"A period of {count} {unit_label} beginning with {anchor_label}"
            how = (
                "ends the day before the corresponding date, or on the last day of the month "
                "where there is none"
                if months
                else ""
            )
    if unit == Unit.WORKING_DAYS:
        how = "weekends and England and Wales bank holidays are skipped"
    return f"{text} ({how})" if how else text
