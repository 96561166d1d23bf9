"""Dates, percentages and counts read the same wherever they appear: on a page, in a committee
report, in an email or a message (``ombudsman_tracker.formats``)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.template import engines

from audits.presentation import rate_text, threshold_words
from audits.threshold import threshold_decision
from dashboard.compliance import ComplianceFigures
from deadlines.arithmetic import DateOutOfRangeError
from deadlines.models import Deadline
from ombudsman_tracker.formats import (
    counted,
    date_text,
    listed,
    moment_text,
    percent,
    short_date_text,
)
from reports.services import issued_status

MEETING = date(2026, 3, 5)


def rendered(template: str, **context) -> str:
    return engines["django"].from_string(template).render(context)


# --- Dates ----------------------------------------------------------------------------------


def test_a_date_in_a_message_reads_as_the_pages_and_emails_show_it():
    """Pages and emails write ``{{ day|date:"j F Y" }}``; the words the code writes (a
    banner, a committee report, a history reason, an import's problem) are the same."""
    assert rendered('{{ day|date:"j F Y" }}', day=MEETING) == date_text(MEETING)
    assert date_text(MEETING) == "5 March 2026"


def test_a_committee_report_is_issued_on_the_date_the_page_shows():
    assert issued_status(version_number=2, by="Chris Clerk", on=MEETING) == (
        "Version 2, issued on 5 March 2026 by Chris Clerk"
    )


def test_a_date_still_to_come_reads_as_the_place_asks():
    """The report's timeline says "Not yet" for a deadline not completed."""
    assert date_text(None, missing="Not yet") == "Not yet"
    assert date_text(None) == ""


def test_a_short_date_names_the_month_in_three_letters():
    """The admin's list of deadlines and the dashboard chart's weeks."""
    deadline = Deadline(title="Response under s31(2)", due_date=date(2026, 9, 5))

    assert short_date_text(date(2026, 9, 5)) == rendered(
        '{{ day|date:"j M Y" }}', day=date(2026, 9, 5)
    )
    assert str(deadline) == "Response under s31(2) (due 5 Sep 2026)"
    assert short_date_text(date(2026, 9, 5), year=False) == "5 Sep"


def test_a_moment_reads_in_local_time_as_the_page_shows_it():
    """29 November is in GMT; 1 June is in British Summer Time, an hour ahead of UTC."""
    winter = datetime(2026, 11, 29, 16, 20, tzinfo=UTC)
    summer = datetime(2026, 6, 1, 8, 5, tzinfo=UTC)

    assert moment_text(winter) == "29 November 2026, 16:20"
    assert moment_text(summer) == "1 June 2026, 09:05"
    assert moment_text(summer) == rendered('{{ at|date:"j F Y, H:i" }}', at=summer)


def test_a_period_past_the_last_date_says_that_date_in_words():
    assert str(DateOutOfRangeError()) == (
        "That period runs past 31 December 9999, the last date the app can hold."
    )


# --- Percentages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "places", "text"),
    [
        (Fraction(2, 3), 0, "67%"),
        (Fraction(2, 3), 1, "66.7%"),
        (Fraction(1, 8), 0, "13%"),  # 12.5 rounds up
        (Fraction(3, 48), 1, "6.3%"),  # 6.25 rounds up too
        (Fraction(7, 80), 1, "8.8%"),  # 8.75 exactly, though the float 7/80 is just under
        (Fraction(3, 8), 1, "37.5%"),
        (Fraction(3, 4), 1, "75%"),  # no trailing ".0"
        (Fraction(1), 1, "100%"),
        (Fraction(0), 0, "0%"),
        (0.375, 1, "37.5%"),  # a float (a Wilson interval's end) is taken as it is held
    ],
)
def test_percentages_round_halves_up_as_people_expect(share, places, text):
    assert percent(share, places=places) == text


def test_with_nothing_to_divide_by_there_is_no_percentage_not_zero():
    assert percent(None) == ""
    assert percent(None, missing="None audited yet") == "None audited yet"


def test_the_committee_report_and_the_programme_page_give_the_audit_rate_alike():
    """One decimal place, halves up: 3 of 48 audited cases is 6.25%, shown as 6.3%."""
    audited = threshold_decision(
        sample_size=50, audited=48, with_similar_issues=3, threshold_percent=Decimal("25.00")
    )
    nothing_yet = threshold_decision(
        sample_size=50, audited=0, with_similar_issues=0, threshold_percent=Decimal("25.00")
    )

    assert rate_text(audited) == "6.3%"
    assert rate_text(nothing_yet) == "None audited yet"


def test_the_dashboard_rate_is_a_whole_percentage_rounded_the_same_way():
    """44 complied on time of 45 due, as an annual letter counts it."""
    assert ComplianceFigures(on_time=44, late=1).rate_percent == "98%"
    assert ComplianceFigures(on_time=1, late=7).rate_percent == "13%"


@pytest.mark.parametrize(
    ("threshold", "text"),
    [
        (Decimal("25.00"), "25%"),  # as stored
        (Decimal(10), "10%"),  # as a form cleans it
        (Decimal(100), "100%"),
        (Decimal("12.50"), "12.5%"),
    ],
)
def test_the_threshold_reads_as_the_rule_says_it(threshold, text):
    assert threshold_words(threshold) == text


# --- Counts ---------------------------------------------------------------------------------


def test_counts_say_one_thing_or_several():
    assert counted(1, "recommendation") == "1 recommendation"
    assert counted(3, "recommendation") == "3 recommendations"
    assert counted(0, "statutory clock") == "0 statutory clocks"
    assert counted(2, "entry", "entries") == "2 entries"


def test_lists_read_as_a_sentence():
    assert listed(["Croydon Council"]) == "Croydon Council"
    assert listed(["Croydon Council", "Kent County Council"]) == (
        "Croydon Council and Kent County Council"
    )
    assert listed(["PDF", "DOCX", "CSV"], last="or") == "PDF, DOCX or CSV"
