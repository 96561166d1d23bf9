"""The annual letter reconciled, as a council's manager reads it before the letter goes to
committee: the LGSCO's figures beside the app's, and the complaints behind each difference."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from annual_review import services
from annual_review.reconciliation import (
    NOT_HELD,
    Line,
    rate_at_places,
    rate_matches,
    reconcile,
    stated_places,
)
from deadlines import services as deadline_services
from deadlines.models import ComplianceRate, ComplianceSettings
from ombudsman_tracker.history import ConflictError
from recommendations.models import Complaint, Finding, Ombudsman
from tests.factories import complaint_recorded, letter_recorded, recommendation_recorded

pytestmark = pytest.mark.django_db

TODAY = date(2022, 6, 1)


@pytest.fixture
def records(manager):
    """Croydon's 2021-22 as the app holds it: four decisions, three upheld, two
    recommendations due (one complied on time, one still open and overdue), one upheld
    decision without recommendations; and decisions either side of the year."""
    croydon = manager.organisation

    def complaint(reference, report_date, finding=Finding.FAULT_WITH_INJUSTICE, **fields):
        return complaint_recorded(
            by=manager,
            reference=reference,
            report_date=report_date,
            received_date=report_date,
            finding=finding,
            public_interest_report=False,
            **fields,
        )

    complied = complaint("21 001 001", date(2021, 5, 10))
    overdue = complaint("21 002 002", date(2021, 11, 26))
    no_fault = complaint("21 003 003", date(2022, 3, 31), Finding.NO_FAULT)
    remedied = complaint("21 004 004", date(2021, 6, 1), Finding.FAULT)
    complaint("22 005 005", date(2022, 4, 1))  # the next year's
    complaint("20 006 006", date(2021, 3, 31))  # the year before's
    housing = complaint("21 007 007", date(2021, 7, 1))  # the Housing Ombudsman's, below
    Complaint.objects.filter(pk=housing.pk).update(
        ombudsman=Ombudsman.objects.get(short_name="HOS")
    )
    on_time = recommendation_recorded(complaint=complied, by=manager)  # due 10 August 2021
    deadline_services.deadline_complete(
        deadline=on_time.deadline, on=date(2021, 8, 1), by=manager, reason="Complied"
    )
    late = recommendation_recorded(complaint=overdue, by=manager)  # due 26 February 2022
    return {
        "croydon": croydon,
        "complied": complied,
        "overdue": overdue,
        "no_fault": no_fault,
        "remedied": remedied,
        "late": late,
    }


def _letter(manager, **figures):
    return letter_recorded(
        organisation=manager.organisation,
        by=manager,
        year=2021,
        **(
            {
                "decisions": 4,
                "upheld": 3,
                "compliance_rate": "50",
                "compliance_outcomes": 2,
                "satisfactory_remedies": 1,
            }
            | figures
        ),
    )


def test_a_letter_that_agrees_with_the_records_has_no_difference(records, manager):
    result = reconcile(_letter(manager), today=TODAY)

    assert [(row.key, row.stated, row.matches) for row in result.rows] == [
        ("decisions", "4", True),
        ("upheld", "3", True),
        ("compliance_rate", "50%", True),
        ("compliance_outcomes", "2", True),
        ("satisfactory_remedies", "1", True),
    ]
    assert result.differences == []
    assert result.row("compliance_rate").computed == (
        "Implemented, late or not: 50% (1 of 2 due); Implemented on time: 50% (1 of 2 due)"
    )


def test_a_letter_differing_in_two_known_ways_finds_both_and_lists_the_complaints(records, manager):
    """The LGSCO decided a fifth complaint the app never recorded, and counts the overdue
    recommendation as complied (the council did it, but nobody recorded it)."""
    letter = _letter(manager, decisions=5, compliance_rate="100")

    result = reconcile(letter, today=TODAY)

    assert [row.key for row in result.differences] == ["decisions", "compliance_rate"]
    decisions = result.row("decisions")
    assert (decisions.stated, decisions.computed) == ("5", "4")
    assert decisions.difference == "The letter counts 1 decision more than the app holds."
    assert (decisions.lines, decisions.unlisted) == ([], NOT_HELD)
    compliance = result.row("compliance_rate")
    assert compliance.lines == [
        Line(records["overdue"], "Recommendation 1: still open, overdue since 26 February 2022")
    ]
    assert compliance.difference.startswith(
        "The letter's rate is higher than the app's implemented, late or not rate (50%)."
    )


def test_more_decisions_in_the_records_than_in_the_letter_lists_them_to_check(records, manager):
    result = reconcile(_letter(manager, decisions=3, upheld=3), today=TODAY)

    decisions = result.row("decisions")
    assert decisions.difference.startswith("The app counts 1 decision more than the letter.")
    assert [line.complaint.reference for line in decisions.lines] == [
        "21 001 001",
        "21 004 004",
        "21 002 002",
        "21 003 003",
    ]


def test_an_upheld_figure_above_the_records_lists_the_decisions_recorded_as_no_fault(
    records, manager
):
    result = reconcile(_letter(manager, upheld=4), today=TODAY)

    upheld = result.row("upheld")
    assert upheld.lines == [
        Line(records["no_fault"], "Recorded as no fault: the LGSCO may have upheld it")
    ]
    assert upheld.unlisted == NOT_HELD


def test_satisfactory_remedies_are_upheld_decisions_without_recommendations(records, manager):
    result = reconcile(_letter(manager, satisfactory_remedies=0), today=TODAY)

    remedies = result.row("satisfactory_remedies")
    assert remedies.computed == "1"
    assert remedies.lines == [
        Line(
            records["remedied"],
            "Upheld with no recommendation recorded: is one missing from the records?",
        )
    ]


def test_a_rate_lower_than_the_records_lists_the_outcomes_recorded_as_complied(records, manager):
    result = reconcile(_letter(manager, compliance_rate="0"), today=TODAY)

    assert result.row("compliance_rate").lines == [
        Line(
            records["complied"],
            "Recommendation 1: complied on time on 1 August 2021 (due 10 August 2021)",
        )
    ]


def test_the_rate_is_compared_with_the_rate_the_council_leads_with(records, manager):
    deadline_services.deadline_complete(
        deadline=records["late"].deadline, on=date(2022, 3, 1), by=manager, reason="Done late"
    )
    ComplianceSettings.objects.create(
        organisation=records["croydon"], lead_rate=ComplianceRate.ON_TIME
    )

    result = reconcile(_letter(manager, compliance_rate="100"), today=TODAY)

    compliance = result.row("compliance_rate")
    assert compliance.matches is False
    assert [rate.kind for rate in result.rates] == [
        ComplianceRate.ON_TIME,
        ComplianceRate.IMPLEMENTED,
    ]
    assert compliance.lines == [
        Line(
            records["overdue"],
            "Recommendation 1: complied late on 1 March 2022 (due 26 February 2022)",
        )
    ]
    assert "matches the app's implemented, late or not rate" in compliance.difference


def test_no_rate_stated_is_nothing_to_compare(records, manager):
    result = reconcile(
        _letter(manager, compliance_rate=None, compliance_outcomes=None), today=TODAY
    )

    assert result.row("compliance_rate").matches is None
    assert result.row("compliance_outcomes").matches is None
    assert result.differences == []


def test_reconciling_takes_a_fixed_number_of_queries(records, manager, django_assert_num_queries):
    letter = _letter(manager, decisions=9, upheld=1, compliance_rate="0")
    letter = type(letter).objects.select_related("organisation").get(pk=letter.pk)

    with django_assert_num_queries(3):
        result = reconcile(letter, today=TODAY)
        [line.complaint.reference for row in result.rows for line in row.lines]


@pytest.mark.parametrize(
    ("stated", "rate", "matches"),
    [
        ("98", Fraction(44, 45), True),  # 97.78% as the letter prints it
        ("97.8", Fraction(44, 45), True),
        ("97.7", Fraction(44, 45), False),
        ("100", Fraction(1), True),
        ("100.00", Fraction(1), True),
        ("50", Fraction(1, 2), True),
        ("99", Fraction(197, 200), True),  # 98.5 rounds half up
        ("98", None, False),
    ],
)
def test_a_stated_rate_is_compared_at_the_places_the_letter_gives(stated, rate, matches):
    assert rate_matches(Decimal(stated), rate) is matches


def test_places_and_rounding():
    assert [stated_places(Decimal(text)) for text in ("98", "98.00", "97.5", "100")] == [0, 0, 1, 0]
    assert rate_at_places(Fraction(2, 3), 1) == Decimal("66.7")


# --- Recording the letter -----------------------------------------------------------------


def test_a_second_letter_for_the_same_council_and_year_is_refused(records, manager):
    _letter(manager)

    with pytest.raises(ValidationError, match="already has a letter for 2021-22"):
        _letter(manager)


def test_figures_that_cannot_be_are_refused(manager):
    with pytest.raises(ValidationError, match="Upheld cannot be more than the decisions"):
        _letter(manager, decisions=2, upheld=3, satisfactory_remedies=0)
    with pytest.raises(ValidationError, match="Ensure this value is less than or equal to 100"):
        _letter(manager, compliance_rate="101")


def test_a_change_from_a_stale_copy_is_refused_and_the_history_says_what_changed(manager, officer):
    letter = _letter(manager)
    seen = letter.version
    services.letter_update(letter=letter, version=seen, by=manager, decisions=6)

    with pytest.raises(ConflictError):
        services.letter_update(letter=letter, version=seen, by=manager, decisions=7)

    letter.refresh_from_db()
    assert letter.decisions == 6
    assert letter.history.latest().history_change_reason == "Changed: decisions"
