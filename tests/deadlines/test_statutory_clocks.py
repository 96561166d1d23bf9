"""The s31(2A)(c) clock: counted as the Act reads by default, and as the council's lawyers read
it once they say so in the admin, without moving a clock already made."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from deadlines import services
from deadlines.arithmetic import Counting
from deadlines.models import DeadlineKind, StatutoryClockRule
from tests.factories import UserFactory, complaint_recorded, user_with_role

pytestmark = pytest.mark.django_db

WORDS_OF_THE_ACT = (
    "A period of 3 months beginning with the end of the period allowed for the s31(2) response "
    "to the Ombudsman ({}) (ends the day before the corresponding date, or on the last day of "
    "the month where there is none)"
)
DAY_AFTER = (
    "A period of 3 months beginning with the day after the end of the period allowed for the "
    "s31(2) response to the Ombudsman ({}) (ends the day before the date corresponding to that "
    "first day, or on the last day of the month where there is none)"
)


@pytest.fixture
def manager():
    return user_with_role(Role.MANAGER)


@pytest.fixture
def lawyers_superuser(client):
    """The council's lawyers' reading is entered by a superuser: the rules are every council's."""
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return superuser


def _clocks(complaint):
    return {
        clock.kind: clock for clock in complaint.deadlines.filter(kind__in=DeadlineKind.statutory())
    }


def _confirmation_rule():
    return StatutoryClockRule.objects.get(kind=DeadlineKind.S31_CONFIRMATION)


def _choose_the_day_after_reading(client):
    rule = _confirmation_rule()
    response = client.post(
        reverse("admin:deadlines_statutoryclockrule_change", args=[rule.pk]),
        {
            "kind": rule.kind,
            "count": rule.count,
            "unit": rule.unit,
            "counting": Counting.BEGINNING_DAY_AFTER,
            "anchor": rule.anchor,
            "follows": rule.follows,
            "legal_basis": f"{rule.legal_basis} Our lawyers read it as beginning the day after.",
        },
    )
    assert response.status_code == 302, response.content.decode()


def test_the_s31_2a_c_clock_begins_with_the_last_day_of_the_s31_2_period(manager):
    complaint = complaint_recorded(by=manager, received_date=date(2021, 11, 26))

    clocks = _clocks(complaint)

    response, confirmation = (
        clocks[DeadlineKind.S31_RESPONSE],
        clocks[DeadlineKind.S31_CONFIRMATION],
    )
    assert response.due_date == date(2022, 2, 25)
    assert (confirmation.anchor_date, confirmation.due_date) == (
        date(2022, 2, 25),
        date(2022, 5, 24),
    )
    assert confirmation.counting == Counting.BEGINNING_WITH
    assert confirmation.rule_description == WORDS_OF_THE_ACT.format("25 February 2022")


def test_a_report_received_on_30_november_gives_27_may_as_the_act_reads(manager):
    # s31(2) ends on 28 February (no 30 February); "within 3 months of" it gave 28 May.
    complaint = complaint_recorded(by=manager, received_date=date(2021, 11, 30))

    clocks = _clocks(complaint)

    assert clocks[DeadlineKind.S31_RESPONSE].due_date == date(2022, 2, 28)
    assert clocks[DeadlineKind.S31_CONFIRMATION].due_date == date(2022, 5, 27)


def test_the_lawyers_choose_the_day_after_reading_and_new_clocks_follow_it(
    client, lawyers_superuser, manager
):
    _choose_the_day_after_reading(client)

    on_the_25th = _clocks(complaint_recorded(by=manager, received_date=date(2021, 11, 26)))
    on_the_30th = _clocks(complaint_recorded(by=manager, received_date=date(2021, 11, 30)))

    assert on_the_25th[DeadlineKind.S31_CONFIRMATION].due_date == date(2022, 5, 25)
    assert on_the_30th[DeadlineKind.S31_CONFIRMATION].due_date == date(2022, 5, 31)
    assert on_the_30th[DeadlineKind.S31_CONFIRMATION].rule_description == DAY_AFTER.format(
        "28 February 2022"
    )
    rule = _confirmation_rule()
    assert list(rule.history.values_list("counting", "history_user", "history_change_reason")) == [
        (Counting.BEGINNING_DAY_AFTER, lawyers_superuser.pk, "Changed in the administration site"),
        (
            Counting.BEGINNING_WITH,
            None,
            "Upgrade: counted as Local Government Act 1974 s31(2A)(c) reads, a period of 3 "
            "months beginning with the end of the s31(2) period, no longer within 3 months of "
            "it. Clocks made before keep the rule they were counted by.",
        ),
    ]


def test_a_clock_already_made_keeps_its_date_and_rule_when_the_rule_changes(
    client, lawyers_superuser, manager
):
    complaint = complaint_recorded(by=manager, received_date=date(2021, 11, 26))
    made = _clocks(complaint)[DeadlineKind.S31_CONFIRMATION]

    _choose_the_day_after_reading(client)
    created = services.statutory_clocks_generate(complaint=complaint, by=manager)

    clock = _clocks(complaint)[DeadlineKind.S31_CONFIRMATION]
    assert created == []
    assert (clock.due_date, clock.counting, clock.version) == (
        date(2022, 5, 24),
        Counting.BEGINNING_WITH,
        made.version,
    )
    assert clock.rule_description == WORDS_OF_THE_ACT.format("25 February 2022")


def test_the_admin_shows_each_rule_in_words(client, lawyers_superuser):
    rule = _confirmation_rule()

    listing = client.get(reverse("admin:deadlines_statutoryclockrule_changelist"))
    page = client.get(reverse("admin:deadlines_statutoryclockrule_change", args=[rule.pk]))

    in_words = (
        "A period of 3 months beginning with the end of the period allowed for the s31(2) "
        "response to the Ombudsman"
    )
    assert in_words in listing.content.decode()
    assert in_words in page.content.decode()
    assert "beginning with the day after a date" in page.content.decode()  # a choice offered
