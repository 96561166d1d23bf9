"""The dashboard when a council's records outgrow the page: each section lists a bounded
number of rows, says what it leaves out and links to the rest, so that the page is the same
size, and runs the same queries, for three times the records.

One batch of records (built once for the module, through the services) already fills every
section past what it lists: 23 owners with a recommendation overdue and 2 with nothing due
soon, 4 public interest reports with 4 clocks each (1 of each report's closed) and 13 audits
(2 closed). The page is measured after the first batch and again after three.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.transaction import atomic, set_rollback
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services as audit_services
from dashboard.selectors import CLOCKS_SHOWN, OWNERS_SHOWN, PROGRAMMES_SHOWN
from deadlines import services as deadline_services
from deadlines.models import Deadline, DeadlineKind
from organisations.models import Organisation
from tests.dashboard.conftest import stated
from tests.dashboard.test_views import URL, element, link, page_text, rows
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

CLOCKS_URL = reverse("dashboard:clocks")
OWNERS_OVERDUE = OWNERS_SHOWN + 3
REPORTS = 4  # public interest reports a batch, each with 4 statutory clocks
PROGRAMMES = PROGRAMMES_SHOWN + 3  # a batch; 2 of them closed


@dataclass
class Council:
    croydon: Organisation
    manager: object
    overdue_owners: list
    idle_owners: list  # nothing overdue or due in the next 30 days
    batches: int = 0


@dataclass(frozen=True)
class Page:
    size: int
    queries: int


@dataclass
class Grown:
    council: Council
    pages: dict[int, Page] = field(default_factory=dict)  # by the batches recorded


def council_set_up() -> Council:
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)

    def officer(name):
        return user_with_role(
            Role.OFFICER, username=name, organisation=croydon, first_name=name.title()
        )

    return Council(
        croydon=croydon,
        manager=manager,
        overdue_owners=[officer(f"overdue{n:02d}") for n in range(OWNERS_OVERDUE)],
        idle_owners=[officer(f"idle{n}") for n in range(2)],
    )


def batch_recorded(council: Council) -> None:
    """Another batch of the records the module's docstring lists, for the same owners."""
    today, manager, batch = timezone.localdate(), council.manager, council.batches
    complaint = complaint_recorded(
        by=manager, organisations=[council.croydon], public_interest_report=False
    )
    recommendations = [
        recommendation_recorded(
            complaint=complaint,
            owner=owner,
            by=manager,
            # The first owner has the most overdue: a different number of days late each.
            rule=stated(today - timedelta(days=10 + n)),
        )
        for n, owner in enumerate(council.overdue_owners)
    ]
    for owner in council.idle_owners:
        recommendation_recorded(
            complaint=complaint, owner=owner, by=manager, rule=stated(today + timedelta(days=90))
        )
    for n in range(REPORTS):
        report = complaint_recorded(
            by=manager,
            organisations=[council.croydon],
            reference=f"21 {batch}{n:02d} 999",
            report_date=date(2021, 11, 26) + timedelta(days=n),
            received_date=date(2021, 11, 26) + timedelta(days=n),
        )
        deadline_services.deadline_complete(
            deadline=Deadline.objects.filter(complaint=report).order_by("pk").first(),
            on=today - timedelta(days=1),
            by=manager,
            reason="Sent to the Ombudsman",
        )
    for n in range(PROGRAMMES):
        programme = audit_services.programme_create(
            recommendation=recommendations[n],
            title=f"Audit {batch}-{n:02d}",
            owner=manager,
            due_date=today + timedelta(days=20 + n),
            by=manager,
            closed_from=date(2018, 1, 1),
            closed_to=date(2021, 11, 26),
            another_audit_reason="Another batch" if batch else "",
        )
        if n < 2:
            deadline_services.deadline_complete(
                deadline=programme.deadline, on=today, by=manager, reason="Audit finished"
            )
    council.batches += 1


def page_measured(client) -> Page:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return Page(size=len(response.content), queries=len(queries))


@pytest.fixture(scope="module")
def _grown_of_module(django_db_setup, django_db_blocker):
    """The council after one batch and after three, with the page measured at each; rolled
    back after the module."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), atomic():
        council = council_set_up()
        client = Client()
        client.force_login(council.manager)
        grown = Grown(council)
        for batches in (1, 3):
            while council.batches < batches:
                batch_recorded(council)
            client.get(URL)  # warm caches that live for the whole process (content types)
            grown.pages[batches] = page_measured(client)
        yield grown
        set_rollback(True)


@pytest.fixture
def grown(_grown_of_module, db) -> Grown:
    return _grown_of_module


@pytest.fixture
def manager_client(client, grown):
    client.force_login(grown.council.manager)
    return client


# --- The page stays the same size -----------------------------------------------------------


def test_three_times_the_records_make_the_page_no_bigger(grown):
    one, three = grown.pages[1], grown.pages[3]

    # Counts may gain a digit, and the pagination a link to a page; no table gains a row
    # (the shortest is longer than this).
    assert three.size - one.size < 300, (one.size, three.size)


def test_three_times_the_records_run_the_same_queries(grown):
    assert grown.pages[1].queries == grown.pages[3].queries


# --- Statutory clocks -----------------------------------------------------------------------


def test_the_open_clocks_due_soonest_are_shown_and_the_page_says_how_many_are_not(
    manager_client,
):
    response = manager_client.get(URL)

    clocks = rows(response, "table-clocks")
    assert len(clocks) == CLOCKS_SHOWN
    assert all("Overdue" in clock for clock in clocks)
    # 3 batches of 4 reports, each with 3 of its 4 clocks open.
    assert element(response, "clocks-not-shown") == (
        "Showing the 10 open clocks due soonest. Not shown: 26 less urgent open clocks and 12 "
        "closed clocks (met, not met or withdrawn). See all 48 statutory clocks ."
    )


def test_the_link_to_every_clock_lists_them_a_page_at_a_time_open_first(manager_client):
    href = link(manager_client.get(URL), "See all 48 statutory clocks")

    first = manager_client.get(href)
    second = manager_client.get(href, {"page": 2})

    assert first.status_code == second.status_code == 200
    assert element(first, "clocks") == "48 statutory clocks"
    listed = rows(first, "table-clocks") + rows(second, "table-clocks")
    assert len(rows(first, "table-clocks")) == 25
    assert len(listed) == 48
    statuses = ["closed" if "Overdue" not in clock else "open" for clock in listed]
    assert statuses == ["open"] * 36 + ["closed"] * 12


def test_the_link_to_every_clock_keeps_the_filters(manager_client, grown):
    croydon = grown.council.croydon.pk
    response = manager_client.get(URL, {"organisation": croydon, "page": 2})

    href = link(response, "See all 48 statutory clocks")

    assert href == f"{CLOCKS_URL}?organisation={croydon}"
    assert manager_client.get(href).context["form"].cleaned_data["organisation"].pk == croydon


def test_another_councils_manager_sees_none_of_these_clocks(client, grown):
    kent = Organisation.objects.create(name="Kent County Council")
    client.force_login(user_with_role(Role.MANAGER, username="kent", organisation=kent))

    response = client.get(CLOCKS_URL)

    assert element(response, "clocks") == "0 statutory clocks"
    assert "No statutory clocks match these filters." in page_text(response.content.decode())
    assert Deadline.objects.filter(kind__in=DeadlineKind.statutory()).count() == 48


# --- Owners ---------------------------------------------------------------------------------


def test_the_owners_table_lists_the_most_overdue_and_says_who_is_left_out_and_why(
    manager_client,
):
    response = manager_client.get(URL)

    owners = rows(response, "table-owner")
    assert [row.split(" ")[0] for row in owners] == [f"Overdue{n:02d}" for n in range(OWNERS_SHOWN)]
    assert element(response, "owners-not-shown") == (
        "Showing the 20 owners with the most overdue, then the most due soonest, of 23 with a "
        "recommendation overdue or due in the next 30 days: 3 others are not shown. "
        "2 owners with nothing overdue or due in the next 30 days are not shown. "
        "The All row counts every owner's recommendations. "
        "To see one owner's figures, choose them in the filters ."
    )
    # The total row still counts all 25 owners' 75 recommendations, 69 of them overdue.
    assert element(response, "table-owner").endswith("All 75 69 0 0 0 0 0 69 0% 0%")
    assert link(response, "choose them in the filters") == "#id_owner"
    assert 'id="id_owner"' in response.content.decode()


def test_choosing_an_owner_with_nothing_due_shows_their_figures(manager_client, grown):
    idle = grown.council.idle_owners[0]

    response = manager_client.get(URL, {"owner": idle.pk})

    # Open 3, nothing overdue or due in the next 30 days.
    assert rows(response, "table-owner") == ["Idle0 Tester 3 0 0 0 0 0 0 0 None due None due"]
    assert 'id="owners-not-shown"' not in response.content.decode()


# --- Audit programmes -----------------------------------------------------------------------


def test_only_the_open_audits_due_soonest_are_listed_with_a_link_to_the_rest(manager_client):
    response = manager_client.get(URL)

    programmes = rows(response, "table-programmes")
    assert [row.split(" Sample audit")[0] for row in programmes] == [
        f"Audit {batch}-{n:02d}" for n, batch in [(2, 0), (2, 1), (2, 2), (3, 0), (3, 1), (3, 2),
                                                   (4, 0), (4, 1), (4, 2), (5, 0)]
    ]  # fmt: skip
    assert element(response, "programmes-not-shown") == (
        "Showing the 10 open audits due soonest. Not shown: 23 open audits due later and 6 "
        "closed audits. See all audit programmes ."
    )
    every = manager_client.get(link(response, "See all audit programmes"))
    assert every.status_code == 200
    assert "39 audits, newest first" in page_text(every.content.decode())
