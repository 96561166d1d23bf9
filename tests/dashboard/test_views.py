"""The dashboard page, with the test client."""

import html
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services as audit_services
from organisations.models import Organisation
from recommendations.models import Recommendation
from tests.dashboard.conftest import known_records, stated
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")


@pytest.fixture
def today_records(db):
    """The known records, counted from the real today (the view reads the clock)."""
    return known_records(today=timezone.localdate())


def page_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(response, id_: str) -> str:
    """The text of the element with ``id_`` (a figure, a table)."""
    content = response.content.decode()
    match = re.search(rf'<(\w+)[^>]* id="{id_}"[^>]*>(.*?)</\1>', content, re.DOTALL)
    assert match, f"No element with id {id_}"
    return page_text(match.group(2))


def test_a_manager_sees_the_headline_figures(client, today_records):
    client.force_login(today_records.manager)  # Croydon's: Kent's recommendation 9 is not here

    response = client.get(URL)

    assert response.status_code == 200
    assert element(response, "figure-open") == "3 open recommendations"
    assert element(response, "figure-overdue") == "1 overdue"
    assert element(response, "figure-due-14") == "1 due in the next 14 days"
    assert element(response, "figure-due-30") == "2 due in the next 30 days"
    assert element(response, "figure-on-time") == "3 complied on time"
    assert element(response, "figure-late") == "1 complied late"
    assert element(response, "figure-rate") == "50% compliance rate 3 on time of 6 due"


def test_the_page_says_how_the_compliance_rate_is_worked_out(client, today_records):
    client.force_login(today_records.manager)

    text = element(client.get(URL), "compliance-rate-definition")

    assert "recommendations complied with on time, as a share of all those due" in text
    assert (
        "All due means every recommendation that has been complied with (on time or late) or "
        "marked not complied, and every one still open after its due date. Open "
        "recommendations not yet due, and withdrawn ones, are not counted."
    ) in text


def test_the_breakdown_tables_have_a_row_per_owner_and_a_total(client, today_records):
    client.force_login(today_records.manager)

    text = element(client.get(URL), "table-owner")

    # Owner, open, overdue, in 14 days, in 30 days, on time, late, not complied, due, rate
    assert "Mary Tester 2 0 1 2 1 0 0 1 100%" in text
    assert "Olu Tester 1 1 0 0 2 1 1 5 40%" in text
    assert "All 3 1 1 2 3 1 1 6 50%" in text


def test_the_filters_narrow_every_figure(client, today_records):
    client.force_login(today_records.manager)

    response = client.get(URL, {"owner": today_records.officer.pk})

    assert element(response, "figure-open") == "1 open recommendation"
    assert element(response, "figure-rate") == "40% compliance rate 2 on time of 5 due"


def test_a_date_range_chooses_deadlines_by_their_due_date(client, today_records):
    client.force_login(today_records.manager)
    first = timezone.localdate() - timedelta(days=20)
    last = timezone.localdate() + timedelta(days=20)

    response = client.get(
        URL,
        {
            "due_from_day": first.day,
            "due_from_month": first.month,
            "due_from_year": first.year,
            "due_to_day": last.day,
            "due_to_month": last.month,
            "due_to_year": last.year,
        },
    )

    # 3 (extended to 15 days ago, and complied on time), 5 (overdue) and 7 (due soon).
    assert element(response, "figure-open") == "2 open recommendations"
    assert element(response, "figure-rate") == "50% compliance rate 1 on time of 2 due"


def test_dates_the_wrong_way_round_are_shown_as_an_error_and_not_applied(client, today_records):
    client.force_login(today_records.manager)

    response = client.get(
        URL,
        {
            "due_from_day": "1",
            "due_from_month": "6",
            "due_from_year": "2026",
            "due_to_day": "1",
            "due_to_month": "5",
            "due_to_year": "2026",
        },
    )

    assert response.status_code == 200
    assert "There is a problem" in page_text(response.content.decode())
    assert "The date due on or before must be the same as or after the other date" in page_text(
        response.content.decode()
    )
    assert element(response, "figure-open") == "3 open recommendations"


def test_the_charts_are_named_images_each_followed_by_a_table_of_the_same_figures(
    client, today_records
):
    client.force_login(today_records.manager)

    response = client.get(URL)
    content = response.content.decode()

    for chart, table in [
        ("chart-timeline", "table-timeline"),
        ("chart-compliance", "table-compliance"),
    ]:
        assert re.search(
            rf'<svg [^>]*id="{chart}"[^>]*role="img" aria-labelledby="{chart}-title" '
            rf'aria-describedby="{chart}-desc"',
            content,
        )
        assert f'<title id="{chart}-title">' in content
        assert re.search(rf'<table [^>]*id="{table}"', content)
    timeline = element(response, "table-timeline")
    assert timeline.startswith(
        "Deadlines due in the next 90 days, by week: the figures Week Recommendations "
        "Statutory clocks Audits and live concerns All deadlines"
    )
    assert 'scope="row"' in content
    assert 'scope="col"' in content
    assert len(response.context["timeline_chart"].bars) == 13


def test_the_page_has_no_inline_style_or_script(client, today_records):
    client.force_login(today_records.manager)

    content = client.get(URL).content.decode()

    assert " style=" not in content
    assert "<style" not in content
    assert re.findall(r"<script[^>]*>", content) == [
        '<script type="module" src="/static/js/main.mjs">'
    ]


def test_statutory_clocks_are_listed_apart_from_the_other_deadlines(client, today_records):
    client.force_login(today_records.manager)

    response = client.get(URL)

    clocks = element(response, "table-clocks")
    deadlines = element(response, "table-deadlines")
    assert "s31(2) response to the Ombudsman" in clocks
    assert "s31(2) response" not in deadlines
    assert (
        deadlines.index("21 000 001 recommendation 5")
        < deadlines.index("Overdue")
        < (deadlines.index("25 000 002 recommendation 2"))
    )


# --- Who may open it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_all", "status"),
    [
        (Role.MANAGER, False, 200),
        (Role.ADMINISTRATOR, False, 200),
        (Role.OFFICER, False, 403),
        (Role.AUDITOR, False, 403),
        (Role.COMMITTEE_CLERK, False, 403),
        (Role.VIEWER, False, 403),
        (Role.VIEWER, True, 200),
        (Role.OFFICER, True, 200),
    ],
)
def test_managers_administrators_and_those_who_see_all_organisations_may_open_it(
    client, role, sees_all, status
):
    client.force_login(user_with_role(role, username="someone", sees_all_organisations=sees_all))

    assert client.get(URL).status_code == status


def test_seeing_all_organisations_without_any_role_is_not_enough(client, db):
    client.force_login(user_with_role(None, username="nobody", sees_all_organisations=True))

    assert client.get(URL).status_code == 403


def test_the_navigation_shows_the_dashboard_to_managers_only(client, today_records):
    client.force_login(today_records.manager)
    manager_sections = [
        i["label"] for i in client.get(reverse("home")).context["service_navigation"]
    ]
    client.force_login(today_records.officer)
    officer_sections = [
        i["label"] for i in client.get(reverse("home")).context["service_navigation"]
    ]

    assert "Dashboard" in manager_sections
    assert "Dashboard" not in officer_sections


# --- Queries --------------------------------------------------------------------------------


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def add_records(manager, officer, organisations, n):
    """``n`` recommendations, spread over complaints, organisations, owners and outcomes."""
    today = timezone.localdate()
    per_complaint = 10
    for start in range(0, n, per_complaint):
        complaint = complaint_recorded(
            by=manager,
            organisations=organisations,
            service_area=f"Area {start % 3}",
            public_interest_report=start % 50 == 0,
        )
        for offset in range(min(per_complaint, n - start)):
            recommendation_recorded(
                complaint=complaint,
                organisation=organisations[offset % len(organisations)],
                owner=(officer, manager, None)[offset % 3],
                by=manager,
                rule=stated(today + timedelta(days=(start + offset) % 200 - 100)),
            )
    audit_services.programme_create(
        recommendation=complaint.recommendations.first(),
        title="Audit",
        owner=manager,
        due_date=today + timedelta(days=30),
        by=manager,
        closed_from=date(2018, 1, 1),
        closed_to=date(2021, 11, 26),
    )


def test_the_dashboard_runs_the_same_queries_for_one_record_and_two_hundred(client, db):
    croydon = Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    manager = user_with_role(
        Role.MANAGER, username="regional", organisation=croydon, sees_all_organisations=True
    )
    officer = user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    client.force_login(manager)
    add_records(manager, officer, [croydon], 1)
    client.get(URL)  # warm caches that live for the whole process (content types)

    one = count_queries(client)
    add_records(manager, officer, [croydon, kent], 199)
    two_hundred = count_queries(client)

    assert Recommendation.objects.count() == 200
    assert one == two_hundred
