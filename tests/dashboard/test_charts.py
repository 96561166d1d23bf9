"""Chart geometry and wording, without a database or a browser."""

from datetime import date

import pytest

from dashboard.charts import BOTTOM, HEIGHT, TOP, compliance_chart, nice_maximum, timeline_chart
from dashboard.compliance import Quarter, quarter_series, timeline_weeks
from deadlines.buckets import Bucket
from deadlines.models import ComplianceRate

TODAY = date(2026, 6, 15)
PLOT_BOTTOM = HEIGHT - BOTTOM


@pytest.mark.parametrize(
    ("largest", "top_and_step"),
    [(0, (4, 1)), (3, (4, 1)), (5, (5, 1)), (7, (8, 2)), (23, (25, 5)), (180, (200, 50))],
)
def test_the_y_axis_ends_at_a_round_number(largest, top_and_step):
    assert nice_maximum(largest) == top_and_step


def test_the_compliance_chart_draws_each_rate_as_a_share_of_the_full_height():
    series = quarter_series(
        {
            Quarter(2026, 1): {Bucket.ON_TIME: 1, Bucket.LATE: 1},
            Quarter(2025, 4): {Bucket.ON_TIME: 1},
        },
        today=TODAY,
    )

    chart = compliance_chart(series, lead=ComplianceRate.ON_TIME)

    full, half, none = chart.bars
    assert full.y == TOP
    assert full.height == PLOT_BOTTOM - TOP
    assert half.height == (PLOT_BOTTOM - TOP) / 2
    assert none.width == 0  # no bar for a quarter with nothing due
    assert [b.value_label for b in chart.bars] == ["100%", "50%", "\N{EN DASH}"]
    assert [b.category for b in chart.bars] == [
        ("Oct\N{EN DASH}Dec", "2025"),
        ("Jan\N{EN DASH}Mar", "2026"),
        ("Apr\N{EN DASH}Jun", ""),
    ]
    assert [t.label for t in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart.title == "Recommendations implemented on time, by quarter"
    assert chart.description == (
        "The share of due recommendations implemented on time, in each quarter from "
        "Oct\N{EN DASH}Dec 2025 to Apr\N{EN DASH}Jun 2026. Latest quarter with "
        "recommendations due: Jan\N{EN DASH}Mar 2026, 50% (1 of 2)."
    )


def test_the_compliance_chart_draws_the_rate_that_leads():
    series = quarter_series(
        {Quarter(2026, 1): {Bucket.ON_TIME: 1, Bucket.LATE: 1, Bucket.OVERDUE: 2}}, today=TODAY
    )

    on_time = compliance_chart(series, lead=ComplianceRate.ON_TIME)
    implemented = compliance_chart(series, lead=ComplianceRate.IMPLEMENTED)

    assert [b.value_label for b in on_time.bars] == ["25%", "\N{EN DASH}"]
    assert [b.value_label for b in implemented.bars] == ["50%", "\N{EN DASH}"]
    assert implemented.title == "Recommendations implemented, late or not, by quarter"
    assert implemented.description.endswith(
        "Latest quarter with recommendations due: Jan\N{EN DASH}Mar 2026, 50% (2 of 4)."
    )


def test_older_quarters_share_a_first_bar_so_the_chart_counts_every_recommendation_due():
    series = quarter_series({Quarter(2022, 1): {Bucket.OVERDUE: 3}}, today=date(2026, 11, 29))

    chart = compliance_chart(series, lead=ComplianceRate.IMPLEMENTED)

    assert len(chart.bars) == 13
    assert chart.bars[0].category == ("Earlier", "")
    assert chart.bars[0].value_label == "0%"
    assert chart.bars[1].category == ("Jan\N{EN DASH}Mar", "2024")
    assert chart.description == (
        "The share of due recommendations implemented, late or not, in each quarter from "
        "Jan\N{EN DASH}Mar 2024 to Oct\N{EN DASH}Dec 2026, after one bar for the quarters "
        "before Jan\N{EN DASH}Mar 2024. Latest quarter with recommendations due: Before "
        "Jan\N{EN DASH}Mar 2024, 0% (0 of 3)."
    )


def test_the_timeline_chart_says_how_many_fall_due_and_the_busiest_week():
    weeks = timeline_weeks(
        [(date(2026, 6, 16), "recommendation", 3), (date(2026, 7, 1), "statutory", 1)],
        today=TODAY,
        series=["recommendation", "statutory", "other"],
    )

    chart = timeline_chart(weeks, today=TODAY)

    assert len(chart.bars) == 13
    assert [b.value_label for b in chart.bars[:3]] == ["3", "0", "1"]
    assert [t.label for t in chart.ticks] == ["0", "1", "2", "3", "4"]
    assert chart.bars[0].category == ("15 Jun",)
    assert chart.description == (
        "Open deadlines due in each week from 15 June 2026 to 13 September 2026: 4 in all. "
        "The most in one week is 3, from 15 to 21 Jun."
    )
