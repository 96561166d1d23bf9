"""The compliance arithmetic, without a database."""

from datetime import date
from fractions import Fraction

import pytest

from dashboard.compliance import (
    MAX_QUARTERS,
    ComplianceFigures,
    Quarter,
    percent,
    quarter_series,
    settled_on,
    timeline_weeks,
)
from deadlines.buckets import Bucket, bucket_for
from deadlines.compliance import DEFINITIONS, rates_in_order
from deadlines.models import ComplianceRate, Deadline, DeadlineStatus

IMPLEMENTED, ON_TIME = ComplianceRate.IMPLEMENTED, ComplianceRate.ON_TIME

TODAY = date(2026, 6, 15)


def deadline(due, status=DeadlineStatus.OPEN, completed_on=None) -> Deadline:
    return Deadline(due_date=due, original_due_date=due, status=status, completed_on=completed_on)


@pytest.mark.parametrize(
    ("due", "status", "completed_on", "bucket"),
    [
        (date(2026, 6, 14), DeadlineStatus.OPEN, None, Bucket.OVERDUE),
        (date(2026, 6, 15), DeadlineStatus.OPEN, None, Bucket.DUE_SOON),  # due today
        (date(2026, 6, 29), DeadlineStatus.OPEN, None, Bucket.DUE_SOON),  # 14 days
        (date(2026, 6, 30), DeadlineStatus.OPEN, None, Bucket.DUE_MONTH),  # 15 days
        (date(2026, 7, 15), DeadlineStatus.OPEN, None, Bucket.DUE_MONTH),  # 30 days
        (date(2026, 7, 16), DeadlineStatus.OPEN, None, Bucket.LATER),
        (date(2026, 6, 1), DeadlineStatus.MET, date(2026, 6, 1), Bucket.ON_TIME),  # on the day
        (date(2026, 6, 1), DeadlineStatus.MET, date(2026, 6, 2), Bucket.LATE),
        (date(2026, 9, 1), DeadlineStatus.MET, date(2026, 6, 2), Bucket.ON_TIME),  # early
        (date(2026, 9, 1), DeadlineStatus.NOT_MET, date(2026, 6, 2), Bucket.NOT_COMPLIED),
        (date(2026, 1, 1), DeadlineStatus.WITHDRAWN, None, Bucket.WITHDRAWN),
    ],
)
def test_each_deadline_falls_in_one_bucket(due, status, completed_on, bucket):
    assert bucket_for(deadline(due, status, completed_on), today=TODAY) == bucket


def test_the_rate_is_on_time_over_all_due_and_leaves_out_open_not_yet_due_and_withdrawn():
    figures = ComplianceFigures(
        overdue=1, due_soon=1, due_month=1, later=1, on_time=3, late=1, not_complied=1,
        withdrawn=5,
    )  # fmt: skip

    assert figures.all_due == 6
    assert figures.rate == Fraction(1, 2)
    assert figures.rate_percent == "50%"
    assert (figures.open, figures.due_within_14_days, figures.due_within_30_days) == (4, 1, 2)


def rate_values(figures: ComplianceFigures, *, lead=IMPLEMENTED):
    return [
        (r.kind, r.counted, r.all_due, r.rate_percent, r.of_due) for r in figures.rates(lead=lead)
    ]


def test_both_rates_count_the_same_recommendations_due_and_differ_only_on_late_ones():
    figures = ComplianceFigures(
        overdue=1, due_soon=1, due_month=1, later=1, on_time=3, late=1, not_complied=1,
        withdrawn=5,
    )  # fmt: skip

    assert rate_values(figures) == [
        (IMPLEMENTED, 4, 6, "67%", "4 of 6 due (1 late)"),
        (ON_TIME, 3, 6, "50%", "3 of 6 due"),
    ]


def test_a_remedy_completed_late_counts_as_implemented_but_not_on_time():
    assert rate_values(ComplianceFigures(late=2)) == [
        (IMPLEMENTED, 2, 2, "100%", "2 of 2 due (2 late)"),
        (ON_TIME, 0, 2, "0%", "0 of 2 due"),
    ]


def test_not_complied_and_still_overdue_count_against_both_rates():
    assert rate_values(ComplianceFigures(on_time=2, not_complied=1, overdue=1)) == [
        (IMPLEMENTED, 2, 4, "50%", "2 of 4 due"),
        (ON_TIME, 2, 4, "50%", "2 of 4 due"),
    ]


def test_recommendations_not_yet_due_give_no_rate_under_either_reading():
    figures = ComplianceFigures(due_soon=1, due_month=1, later=1, withdrawn=1)

    assert rate_values(figures) == [(IMPLEMENTED, 0, 0, "", ""), (ON_TIME, 0, 0, "", "")]
    assert [r.rate for r in figures.rates(lead=IMPLEMENTED)] == [None, None]


def test_each_rate_from_the_deadlines_themselves():
    figures = ComplianceFigures.of(
        [
            deadline(date(2026, 6, 1), DeadlineStatus.MET, date(2026, 5, 20)),  # on time
            deadline(date(2026, 6, 1), DeadlineStatus.MET, date(2026, 6, 2)),  # late
            deadline(date(2026, 6, 1), DeadlineStatus.NOT_MET, date(2026, 6, 3)),  # not complied
            deadline(date(2026, 6, 10)),  # still open after its due date
            deadline(date(2026, 7, 1)),  # not yet due: in neither rate
            deadline(date(2026, 1, 1), DeadlineStatus.WITHDRAWN),  # in neither rate
        ],
        today=TODAY,
    )

    assert rate_values(figures, lead=ON_TIME) == [
        (ON_TIME, 1, 4, "25%", "1 of 4 due"),
        (IMPLEMENTED, 2, 4, "50%", "2 of 4 due (1 late)"),
    ]


def test_the_rate_that_leads_comes_first_and_each_says_what_it_counts():
    assert rates_in_order(IMPLEMENTED) == [IMPLEMENTED, ON_TIME]
    assert rates_in_order(ON_TIME) == [ON_TIME, IMPLEMENTED]
    implemented, on_time = ComplianceFigures(on_time=1).rates(lead=IMPLEMENTED)
    assert (implemented.label, on_time.label) == ("Implemented, late or not", "Implemented on time")
    assert implemented.definition == DEFINITIONS[IMPLEMENTED]
    assert implemented.definition.startswith(
        "Recommendations implemented, on time or late, as a share of all those due."
    )
    assert on_time.definition.startswith(
        "Recommendations implemented on or before the due date in force"
    )


def test_with_nothing_due_there_is_no_rate_rather_than_zero():
    figures = ComplianceFigures(due_soon=2, withdrawn=1)

    assert figures.all_due == 0
    assert figures.rate is None
    assert figures.rate_percent == ""


def test_late_compliance_is_due_but_not_on_time():
    assert ComplianceFigures(on_time=0, late=2).rate == Fraction(0)


def test_figures_add_up():
    assert ComplianceFigures(on_time=1, overdue=2) + ComplianceFigures(on_time=3, late=1) == (
        ComplianceFigures(on_time=4, overdue=2, late=1)
    )


def test_an_unknown_bucket_is_refused():
    with pytest.raises(ValueError, match="Unknown buckets"):
        ComplianceFigures.from_counts({"complied": 1})


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(2, 3), "67%"),
        (Fraction(1, 8), "13%"),  # 12.5 rounds up
        (Fraction(44, 45), "98%"),  # as in an annual letter: 44 of 45
        (Fraction(1), "100%"),
        (Fraction(0), "0%"),
        (None, ""),
    ],
)
def test_percent_rounds_halves_up(rate, text):
    assert percent(rate) == text


def test_a_recommendation_counts_in_the_quarter_it_was_settled():
    # Complied early: the day it was closed. Late or overdue: its due date.
    assert settled_on(deadline(date(2026, 9, 1), DeadlineStatus.MET, date(2026, 6, 2))) == (
        date(2026, 6, 2)
    )
    assert settled_on(deadline(date(2026, 3, 31), DeadlineStatus.MET, date(2026, 4, 2))) == (
        date(2026, 3, 31)
    )
    assert settled_on(deadline(date(2026, 3, 31))) == date(2026, 3, 31)


def test_quarters_are_named_by_their_months():
    quarter = Quarter.of(date(2026, 5, 20))

    assert quarter == Quarter(2026, 2)
    assert quarter.label == "Apr\N{EN DASH}Jun 2026"
    assert (quarter.first_day, quarter.last_day) == (date(2026, 4, 1), date(2026, 6, 30))
    assert Quarter(2025, 4).next() == Quarter(2026, 1)


def test_the_quarter_series_runs_from_the_first_due_quarter_to_today_with_gaps_shown():
    series = quarter_series(
        {Quarter(2025, 3): {Bucket.ON_TIME: 1}, Quarter(2026, 1): {Bucket.LATE: 1}},
        today=TODAY,
    )

    assert [q.quarter for q in series.quarters] == [
        Quarter(2025, 3),
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]
    assert [q.figures.rate_percent for q in series.quarters] == ["100%", "", "0%", ""]
    assert series.left_out == 0


def test_quarters_before_the_last_three_years_are_added_together_so_none_is_left_out():
    series = quarter_series(
        {
            Quarter(2015, 1): {Bucket.ON_TIME: 1},
            Quarter(2016, 2): {Bucket.OVERDUE: 1},
            Quarter(2026, 1): {Bucket.LATE: 1},
        },
        today=TODAY,
    )

    assert len(series.quarters) == MAX_QUARTERS
    assert (series.quarters[0].quarter, series.quarters[-1].quarter) == (
        Quarter(2023, 3),
        Quarter(2026, 2),
    )
    assert series.left_out == 2
    assert series.earlier.figures == ComplianceFigures(on_time=1, overdue=1)
    assert series.earlier.label == "Before Jul\N{EN DASH}Sep 2023"
    assert series.rows[0] == series.earlier
    assert len(series.rows) == MAX_QUARTERS + 1
    assert series.total == ComplianceFigures(on_time=1, overdue=1, late=1)
    assert series.has_figures


def test_recommendations_due_long_ago_and_nothing_since_are_still_charted():
    """The demo's case: due in February 2022 and still open, nothing due since."""
    series = quarter_series({Quarter(2022, 1): {Bucket.OVERDUE: 3}}, today=date(2026, 11, 29))

    assert series.has_figures
    assert series.earlier.figures == ComplianceFigures(overdue=3)
    assert series.earlier.label == "Before Jan\N{EN DASH}Mar 2024"
    assert all(not q.figures.all_due for q in series.quarters)


def test_a_recommendation_settled_before_the_chosen_start_still_counts():
    series = quarter_series(
        {Quarter(2025, 4): {Bucket.ON_TIME: 1}}, today=TODAY, start=date(2026, 4, 1)
    )

    assert [q.quarter for q in series.quarters] == [
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]
    assert series.total == ComplianceFigures(on_time=1)


def test_a_recommendation_closed_on_a_date_still_to_come_extends_the_series():
    series = quarter_series({Quarter(2026, 4): {Bucket.ON_TIME: 1}}, today=TODAY)

    assert [q.quarter for q in series.quarters] == [
        Quarter(2026, 2),
        Quarter(2026, 3),
        Quarter(2026, 4),
    ]
    assert series.total == ComplianceFigures(on_time=1)


def test_a_start_after_today_with_nothing_due_still_has_a_quarter_to_chart():
    series = quarter_series({}, today=TODAY, start=date(2027, 1, 1))

    assert [q.quarter for q in series.quarters] == [Quarter(2026, 2)]
    assert not series.has_figures


def test_only_recommendations_due_count_in_the_series():
    series = quarter_series(
        {Quarter(2026, 2): {Bucket.ON_TIME: 1, Bucket.LATER: 3, Bucket.WITHDRAWN: 1}}, today=TODAY
    )

    assert series.total == ComplianceFigures(on_time=1)


def test_the_quarter_series_follows_the_chosen_dates():
    series = quarter_series({}, today=TODAY, start=date(2025, 5, 1), end=date(2025, 12, 31))

    assert [q.quarter for q in series.quarters] == [
        Quarter(2025, 2),
        Quarter(2025, 3),
        Quarter(2025, 4),
    ]
    assert not series.has_figures


def test_the_timeline_has_thirteen_weeks_from_today_to_ninety_days_ahead():
    weeks = timeline_weeks(
        [
            (date(2026, 6, 15), "recommendation", 2),  # today: week 1
            (date(2026, 6, 22), "statutory", 1),  # day 7: week 2
            (date(2026, 9, 13), "other", 1),  # day 90: week 13
            (date(2026, 9, 14), "other", 5),  # day 91: outside
        ],
        today=TODAY,
        series=["recommendation", "statutory", "other"],
    )

    assert len(weeks) == 13
    assert (weeks[0].first_day, weeks[0].last_day) == (date(2026, 6, 15), date(2026, 6, 21))
    assert (weeks[-1].first_day, weeks[-1].last_day) == (date(2026, 9, 7), date(2026, 9, 13))
    assert [w.total for w in weeks] == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert weeks[1].counts == {"recommendation": 0, "statutory": 1, "other": 0}
    assert weeks[0].label == "15 to 21 Jun"
    assert weeks[2].label == "29 Jun to 5 Jul"
