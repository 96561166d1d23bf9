"""The committee report's section on the Ombudsman's annual letter: the letter's figures
beside the records', for the financial year of the meeting or the year before."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from deadlines import services as deadline_services
from recommendations.models import Finding
from reports.document import (
    LETTER_HEADING,
    annual_letter_blocks,
    annual_letter_for_meeting,
    report_document,
)
from tests.factories import (
    complaint_recorded,
    letter_recorded,
    recommendation_recorded,
    user_with_role,
)
from tests.reports.conftest import draft_prepared

pytestmark = pytest.mark.django_db

AT = date(2022, 6, 1)


@pytest.fixture
def decided(manager):
    """Croydon's 2021-22 as the records hold it: three decisions, two upheld (one with a
    recommendation complied on time, one with a recommendation overdue on ``AT``)."""

    def complaint(reference, report_date, finding=Finding.FAULT_WITH_INJUSTICE):
        return complaint_recorded(
            by=manager,
            reference=reference,
            report_date=report_date,
            received_date=report_date,
            finding=finding,
            public_interest_report=False,
        )

    complied = complaint("21 001 001", date(2021, 5, 10))
    overdue = complaint("21 002 002", date(2021, 11, 26))
    complaint("21 003 003", date(2022, 3, 31), Finding.NO_FAULT)
    on_time = recommendation_recorded(complaint=complied, by=manager)  # due 10 August 2021
    deadline_services.deadline_complete(
        deadline=on_time.deadline, on=date(2021, 8, 1), by=manager, reason="Complied"
    )
    recommendation_recorded(complaint=overdue, by=manager)  # due 26 February 2022
    return {"complied": complied, "overdue": overdue}


def _letter(manager, year=2021, **figures):
    """A letter that differs from the records in two known ways: the LGSCO decided a fourth
    complaint the records do not hold, and counts the overdue recommendation as complied."""
    return letter_recorded(
        organisation=manager.organisation,
        by=manager,
        year=year,
        **(
            {
                "decisions": 4,
                "upheld": 2,
                "compliance_rate": "100",
                "compliance_outcomes": 2,
                "satisfactory_remedies": 0,
            }
            | figures
        ),
    )


def _section(document) -> list:
    blocks = document.blocks
    start = next(
        i for i, b in enumerate(blocks) if b.kind == "heading" and b.text == LETTER_HEADING
    )
    end = next(i for i, b in enumerate(blocks) if b.kind == "heading" and i > start)
    return blocks[start:end]


def _report(decided, croydon, committee, clerk, meeting_date):
    draft = draft_prepared(
        complaint=decided["overdue"],
        organisation=croydon,
        body=committee,
        by=clerk,
        meeting_date=meeting_date,
    )
    return report_document(report=draft, at=AT, status="Draft: not issued")


def test_the_section_finds_both_differences_and_names_only_references(
    decided, manager, croydon, committee, clerk
):
    _letter(manager)

    section = _section(_report(decided, croydon, committee, clerk, date(2022, 2, 15)))

    heading, intro, table, definitions = section
    assert heading.text == "The Ombudsman's annual letter"
    assert intro.text == (
        "The Local Government and Social Care Ombudsman's annual review letter for 2021-22 "
        "(1 April 2021 to 31 March 2022) states these figures for Croydon Council; beside "
        "them are the same figures from the records as at 1 June 2022. 2 figures differ from "
        "the records."
    )
    assert table.caption == "The annual letter for 2021-22 beside the records"
    assert table.header == ["Figure", "The letter", "The records", "Result"]
    assert table.rows == [
        [
            "Decisions",
            "4",
            "3",
            "Differs: The letter counts 1 decision more than the app holds.",
        ],
        ["Upheld", "2", "2", "Matches"],
        [
            "Compliance rate",
            "100%",
            "Implemented, late or not: 50% (1 of 2 due); Implemented on time: 50% (1 of 2 due)",
            "Differs: The letter's rate is higher than the app's implemented, late or not rate "
            "(50%). To check: 21 002 002.",
        ],
        ["Compliance outcomes", "2", "2", "Matches"],
        ["Satisfactory remedies provided by the council", "0", "0", "Matches"],
    ]
    assert definitions.text.startswith(
        "How the records count: decisions are complaints to the LGSCO binding Croydon Council"
    )
    assert "compared with the implemented, late or not rate" in definitions.text


def test_the_section_comes_before_what_the_meeting_is_asked_to_do(
    decided, manager, croydon, committee, clerk
):
    _letter(manager)

    document = _report(decided, croydon, committee, clerk, date(2022, 2, 15))

    headings = [b.text for b in document.blocks if b.kind == "heading" and b.level == 1]
    assert headings[-2:] == ["The Ombudsman's annual letter", "What the meeting is asked to do"]


def test_a_meeting_in_the_next_year_reads_the_letter_of_the_year_before(decided, manager, croydon):
    letter = _letter(manager)

    assert annual_letter_for_meeting(croydon, date(2023, 3, 31)) == letter  # 2022-23
    assert annual_letter_for_meeting(croydon, date(2023, 4, 1)) is None  # 2023-24
    assert annual_letter_for_meeting(croydon, date(2021, 3, 31)) is None  # 2020-21


def test_the_meetings_own_year_comes_before_the_year_before(decided, manager, croydon):
    _letter(manager, year=2020, decisions=1, upheld=1)
    newer = _letter(manager, year=2021)

    assert annual_letter_for_meeting(croydon, date(2022, 2, 15)) == newer


def test_no_letter_no_section(decided, croydon, committee, clerk):
    document = _report(decided, croydon, committee, clerk, date(2022, 2, 15))

    assert LETTER_HEADING not in [b.text for b in document.blocks if b.kind == "heading"]


def test_another_councils_letter_is_not_read(decided, croydon, kent):
    kents = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    letter_recorded(organisation=kent, by=kents, year=2021)

    assert annual_letter_for_meeting(croydon, date(2022, 2, 15)) is None


def test_a_matching_letter_says_so(decided, manager):
    letter = _letter(manager, decisions=3, compliance_rate="50")

    _heading, intro, table, _definitions = annual_letter_blocks(letter=letter, at=AT)

    assert intro.text.endswith("Every figure the letter states matches the records.")
    assert [row[3] for row in table.rows] == ["Matches"] * 5


def test_many_complaints_behind_a_difference_are_named_up_to_a_bound(decided, manager):
    for n in range(12):
        complaint_recorded(
            by=manager,
            reference=f"21 1{n:02d} 000",
            report_date=date(2021, 6, 1),
            received_date=date(2021, 6, 1),
            public_interest_report=False,
        )
    letter = _letter(manager, decisions=1, upheld=1)  # the records hold 15

    _heading, _intro, table, _definitions = annual_letter_blocks(letter=letter, at=AT)

    decisions = table.rows[0][3]
    assert decisions.startswith("Differs: The app counts 14 decisions more than the letter.")
    assert decisions.endswith(", 21 105 000, 21 106 000 and 5 others.")


# --- Queries --------------------------------------------------------------------------------


def test_the_section_takes_the_same_queries_whatever_the_complaints_behind_it(
    decided, manager, croydon
):
    letter = _letter(manager)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            annual_letter_blocks(letter=annual_letter_for_meeting(croydon, AT), at=AT)
        return len(queries)

    few = counted()
    for n in range(5):
        complaint = complaint_recorded(
            by=manager,
            reference=f"21 2{n:02d} 000",
            report_date=date(2021, 12, 1),
            received_date=date(2021, 12, 1),
            public_interest_report=False,
        )
        recommendation_recorded(complaint=complaint, by=manager)

    assert counted() == few
    assert few <= 5  # the letter, then ``reconcile``'s
    assert letter.organisation == croydon
