"""The dashboard's annual letter: the newest letter of the user's organisation (or the one the
filters choose) beside the records, with the number of differences."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from dashboard.selectors import Filters, annual_letter_newest
from deadlines import services as deadline_services
from organisations.models import Organisation
from tests.dashboard.test_views import element, rows
from tests.factories import (
    UserFactory,
    complaint_recorded,
    letter_recorded,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")


def _decided(by, reference, report_date=date(2024, 6, 1)):
    """A complaint decided in 2024-25 with a recommendation complied on time."""
    complaint = complaint_recorded(
        by=by,
        reference=reference,
        report_date=report_date,
        received_date=report_date,
        public_interest_report=False,
    )
    recommendation = recommendation_recorded(complaint=complaint, by=by)  # due 1 September
    deadline_services.deadline_complete(
        deadline=recommendation.deadline, on=date(2024, 8, 1), by=by, reason="Complied"
    )
    return complaint


@pytest.fixture
def croydon_letters(manager):
    """Croydon's records for 2024-25 (one decision, upheld, its recommendation complied on
    time); its letters for 2023-24 and 2024-25, the newer differing in two known ways."""
    _decided(manager, "24 001 001")
    letter_recorded(organisation=manager.organisation, by=manager, year=2023, decisions=9)
    return letter_recorded(
        organisation=manager.organisation,
        by=manager,
        year=2024,
        decisions=2,  # one decision the records do not hold
        upheld=0,  # the records say upheld
        compliance_rate="100",
        satisfactory_remedies=0,
    )


def test_a_manager_sees_the_newest_letter_beside_the_records(client, manager, croydon_letters):
    client.force_login(manager)

    response = client.get(URL)

    assert response.status_code == 200
    assert element(response, "annual-letter-summary").startswith(
        "The newest letter recorded for Croydon Council covers 2024-25. 2 of its figures "
        "differ from the records as they stand on "
    )
    assert rows(response, "table-annual-letter") == [
        "Decisions 2 1 Differs",
        "Upheld 0 1 Differs",
        "Compliance rate 100% Implemented, late or not: 100% (1 of 1 due); "
        "Implemented on time: 100% (1 of 1 due) Matches",
        "Compliance outcomes Not stated 1 Nothing to compare",
        "Satisfactory remedies provided by the council 0 0 Matches",
    ]
    assert croydon_letters.get_absolute_url() in response.content.decode()


def test_a_council_without_a_letter_is_told_so(client, manager):
    _decided(manager, "24 001 001")
    client.force_login(manager)

    response = client.get(URL)

    assert element(response, "annual-letter-summary") == (
        "No annual letter is recorded for Croydon Council yet."
    )


def test_the_filters_organisation_chooses_whose_letter(client, manager, croydon_letters):
    kent = Organisation.objects.create(name="Kent County Council")
    regional = user_with_role(
        Role.MANAGER, username="regional", organisation=kent, sees_all_organisations=True
    )
    _decided(regional, "24 002 002")
    letter_recorded(
        organisation=kent, by=regional, year=2024, decisions=1, upheld=1, satisfactory_remedies=0
    )
    client.force_login(regional)

    own = client.get(URL)
    croydons = client.get(URL, {"organisation": croydon_letters.organisation.pk})

    assert element(own, "annual-letter-summary").startswith(
        "The newest letter recorded for Kent County Council covers 2024-25. Every figure it "
        "states matches the records"
    )
    assert element(croydons, "annual-letter-summary").startswith(
        "The newest letter recorded for Croydon Council covers 2024-25. 2 of its figures"
    )


def test_only_users_who_may_read_letters_get_it(manager, croydon_letters):
    officer = user_with_role(Role.OFFICER, username="officer", organisation=manager.organisation)
    today = date(2026, 6, 15)

    assert annual_letter_newest(officer, Filters(), today=today) is None
    figures = annual_letter_newest(manager, Filters(), today=today)
    assert (figures.reconciliation.letter, figures.differences) == (croydon_letters, 2)


def test_a_user_without_an_organisation_is_asked_to_choose_one(client, croydon_letters):
    client.force_login(UserFactory(username="root", organisation=None, is_superuser=True))

    response = client.get(URL)

    assert element(response, "annual-letter-summary") == (
        "Choose an organisation in the filters to see its newest annual letter beside the records."
    )


# --- Queries --------------------------------------------------------------------------------


def _queries(client) -> int:
    cache.clear()  # count the figures each time, not find them kept
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_section_runs_the_same_queries_for_one_complaint_behind_it_or_several(
    client, manager, croydon_letters
):
    client.force_login(manager)
    one = _queries(client)

    for n in range(2, 6):
        _decided(manager, f"24 00{n} 00{n}")

    assert _queries(client) == one


def test_the_letter_costs_a_fixed_number_of_queries(
    manager, croydon_letters, django_assert_num_queries
):
    # Read as the request's user has them once the dashboard has checked who may see it.
    assert manager.organisation.name == "Croydon Council"
    assert manager.has_perm("dashboard.view_dashboard")
    with django_assert_num_queries(4):  # the letter, then ``reconcile``'s three
        annual_letter_newest(manager, Filters(), today=date(2026, 6, 15))
