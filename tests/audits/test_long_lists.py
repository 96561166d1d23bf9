"""Users' stories: the audit lists stay quick however long they grow.

The audits list, a programme's cases and "Your audit cases" come 25 rows a page. Each says how
many rows there are in all and which it shows, and offers the rest through the GOV.UK page
links; a page costs the same queries and about the same bytes with a handful of rows or many.
"""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audits import services
from audits.models import AuditProgramme
from organisations.models import Organisation
from tests.factories import (
    complaint_recorded,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
# What may differ between two full pages of the same list: counts and page numbers, not a row.
FLAT = 400


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


@pytest.fixture
def auditors(croydon):
    return [
        user_with_role(
            Role.AUDITOR, username=f"auditor{n}", organisation=croydon, team="Quality Assurance"
        )
        for n in (1, 2)
    ]


@pytest.fixture
def population(croydon, manager):
    return population_imported(organisation=croydon, count=60, by=manager)


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def fetched(client, url):
    """The page and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def drawn_programme(manager, auditors, *, size):
    """A programme of its own recommendation with ``size`` cases drawn, all assigned."""
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"),
        by=manager,
        target_sample_size=size,
        moderation_percent=0,
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for auditor in auditors:
        services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    return programme


def submit_every_other(programme):
    for sample_case in programme.sample_cases.order_by("position")[::2]:
        services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers={"grade": "good", "similar_issues": sample_case.position % 3 == 0},
            version=None,
            submit=True,
            at=AT,
        )


def programmes_set_up(manager, count):
    """``count`` audits, each of its own recommendation (one sample audit a recommendation)."""
    complaint = complaint_recorded(by=manager)
    for _ in range(count):
        recommendation = recommendation_recorded(complaint=complaint, by=manager, kind="audit")
        programme_set_up(recommendation=recommendation, by=manager)


def references_on(response) -> list[str]:
    """The case references a page names, in order, each once (a row's links name it again)."""
    return list(dict.fromkeys(re.findall(r"CR-\d{5}", response.content.decode())))


def hrefs_of(programmes) -> list[str]:
    return [f'href="{programme.get_absolute_url()}"' for programme in programmes]


# --- The audits list ------------------------------------------------------------------------


def test_the_audits_list_costs_the_same_with_5_programmes_or_60(client, manager):
    client.force_login(manager)
    url = reverse("audits:programme_list")
    programmes_set_up(manager, 5)
    client.get(url)

    few, few_queries = fetched(client, url)
    programmes_set_up(manager, 25)
    thirty, thirty_queries = fetched(client, url)
    programmes_set_up(manager, 30)
    sixty, sixty_queries = fetched(client, url)

    assert few_queries == thirty_queries == sixty_queries
    assert abs(len(sixty.content) - len(thirty.content)) < FLAT
    # 25 rows are about 27 KB; all 60 would be about 50 KB.
    assert max(len(page.content) for page in (few, thirty, sixty)) < 40_000
    assert "60 audits, newest first" in page_text(sixty)


def test_the_audits_list_says_how_many_and_shows_the_oldest_on_the_second_page(client, manager):
    programmes_set_up(manager, 30)
    oldest_first = list(AuditProgramme.objects.order_by("pk"))
    client.force_login(manager)
    url = reverse("audits:programme_list")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert "Showing 1 to 25 of 30 audits." in page_text(first)
    assert 'class="govuk-pagination"' in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    assert "30 audits, newest first" in page_text(second)
    assert "Showing 26 to 30 of 30 audits." in page_text(second)
    page_two = [href for href in hrefs_of(oldest_first) if href in second.content.decode()]
    assert page_two == hrefs_of(oldest_first[:5])


# --- A programme's cases --------------------------------------------------------------------


def test_the_programme_page_costs_the_same_for_5_cases_or_60(client, manager, auditors, population):
    few, thirty, sixty = (drawn_programme(manager, auditors, size=n) for n in (5, 30, 60))
    for programme in (few, thirty, sixty):
        submit_every_other(programme)
    client.force_login(manager)
    client.get(few.get_absolute_url())

    few_page, few_queries = fetched(client, few.get_absolute_url())
    thirty_page, thirty_queries = fetched(client, thirty.get_absolute_url())
    sixty_page, sixty_queries = fetched(client, sixty.get_absolute_url())

    assert few_queries == thirty_queries == sixty_queries
    assert abs(len(sixty_page.content) - len(thirty_page.content)) < FLAT
    # 25 rows with the figures are about 46 KB; all 60 would be about 70 KB.
    assert max(len(page.content) for page in (few_page, thirty_page, sixty_page)) < 56_000
    assert "Cases sampled 60 Cases audited 30" in page_text(sixty_page)


def test_the_programme_page_says_how_many_cases_and_shows_the_rest_on_the_second_page(
    client, manager, auditors, population
):
    programme = drawn_programme(manager, auditors, size=30)
    by_position = [
        sample_case.case.case_reference
        for sample_case in programme.sample_cases.select_related("case").order_by("position")
    ]
    client.force_login(manager)

    first = client.get(programme.get_absolute_url())
    second = client.get(programme.get_absolute_url(), {"page": 2})

    assert "30 cases in the sample, in draw order: 0 submitted, 0 in draft, 30 not started" in (
        page_text(first)
    )
    assert "Showing 1 to 25 of 30 cases." in page_text(first)
    assert references_on(first) == by_position[:25]
    assert "Showing 26 to 30 of 30 cases." in page_text(second)
    assert references_on(second) == by_position[25:]
    assert "Cases sampled 30" in page_text(second)


def test_an_auditor_sees_how_many_of_the_sample_are_theirs_a_page_at_a_time(
    client, manager, auditors, population
):
    auditor = auditors[0]
    programme = drawn_programme(manager, [auditor], size=30)
    client.force_login(auditor)

    second = client.get(programme.get_absolute_url(), {"page": 2})

    assert "The 30 cases of the 30 in the sample assigned to you" in page_text(second)
    assert "Showing 26 to 30 of 30 cases." in page_text(second)
    assert len(references_on(second)) == 5


# --- Your audit cases -----------------------------------------------------------------------


def test_your_audit_cases_costs_the_same_with_5_cases_or_60(client, manager, auditors, population):
    auditor = auditors[0]
    programme = drawn_programme(manager, [auditor], size=5)
    client.force_login(auditor)
    url = reverse("audits:my_cases")
    client.get(url)

    few, few_queries = fetched(client, url)
    services.sample_extend(programme=programme, by=manager, count=25)
    services.auditors_assign(programme=programme, by=manager)
    thirty, thirty_queries = fetched(client, url)
    services.sample_extend(programme=programme, by=manager, count=30)
    services.auditors_assign(programme=programme, by=manager)
    submit_every_other(programme)
    sixty, sixty_queries = fetched(client, url)

    assert few_queries == thirty_queries == sixty_queries
    assert abs(len(sixty.content) - len(thirty.content)) < FLAT
    # 25 rows are about 22 KB; all 60 would be about 38 KB.
    assert max(len(page.content) for page in (few, thirty, sixty)) < 30_000
    assert "60 cases assigned to you" in page_text(sixty)


def test_your_audit_cases_says_how_many_and_shows_the_rest_on_the_second_page(
    client, manager, auditors, population
):
    auditor = auditors[0]
    programme = drawn_programme(manager, [auditor], size=30)
    by_position = [
        sample_case.case.case_reference
        for sample_case in programme.sample_cases.select_related("case").order_by("position")
    ]
    client.force_login(auditor)
    url = reverse("audits:my_cases")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert "Showing 1 to 25 of 30 cases." in page_text(first)
    assert "30 cases assigned to you" in page_text(second)
    assert "Showing 26 to 30 of 30 cases." in page_text(second)
    assert references_on(second) == by_position[25:]
