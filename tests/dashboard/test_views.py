"""The dashboard page, with the test client."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.transaction import atomic, set_rollback
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from deadlines.models import ComplianceRate, ComplianceSettings
from tests.dashboard.conftest import comply, known_records
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")


@pytest.fixture(scope="module")
def _today_records_of_module(django_db_setup, django_db_blocker):
    """Built once for the module (the view reads the clock, so from the real today), and
    rolled back after it; each test rolls back its own changes as usual."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast), atomic():
        yield known_records(today=timezone.localdate())
        set_rollback(True)


@pytest.fixture
def today_records(_today_records_of_module, db):
    """The known records, counted from the real today, read again for each test."""
    return _today_records_of_module.fresh()


def page_text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def element(response, id_: str) -> str:
    """The text of the element with ``id_`` (a figure, a table)."""
    content = response.content.decode()
    match = re.search(rf'<(\w+)[^>]* id="{id_}"[^>]*>(.*?)</\1>', content, re.DOTALL)
    assert match, f"No element with id {id_}"
    return page_text(match.group(2))


def rows(response, table_id: str) -> list[str]:
    """The text of each row of the table's body."""
    content = response.content.decode()
    table = re.search(rf'<table [^>]*id="{table_id}".*?</table>', content, re.DOTALL)
    assert table, f"No table {table_id}"
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", table.group(0), re.DOTALL).group(1)
    return [page_text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)]


def link(response, text: str) -> str:
    match = re.search(
        rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', response.content.decode()
    )
    assert match, f"No link {text!r}"
    return match.group(1).replace("&amp;", "&")


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
    assert element(response, "figure-rate-implemented") == (
        "67% implemented, late or not 4 of 6 due (1 late)"
    )
    assert element(response, "figure-rate-on-time") == "50% implemented on time 3 of 6 due"


def _count_queries(client) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    return len(queries), response


def test_the_figures_are_kept_and_counted_again_once_a_deadline_changes(client, today_records):
    client.force_login(today_records.manager)
    counted, first = _count_queries(client)

    kept, second = _count_queries(client)
    comply(today_records.recommendations[7], on=timezone.localdate(), by=today_records.manager)
    recounted, third = _count_queries(client)

    assert element(first, "figure-open") == element(second, "figure-open")
    assert element(second, "figure-open") == "3 open recommendations"
    assert kept == counted - 5  # the four grouped counts and the owners' names
    assert element(third, "figure-open") == "2 open recommendations"
    assert recounted == counted
    assert element(first, "figures-counted-at").startswith("Counted at ")


def test_the_page_says_how_the_compliance_rate_is_worked_out(client, today_records):
    client.force_login(today_records.manager)

    text = element(client.get(URL), "compliance-rate-definition")

    assert (
        "Implemented, late or not: Recommendations implemented, on time or late, as a share of "
        "all those due. The Ombudsman's annual letter appears to count compliance this way, "
        "with lateness reported beside it. Implemented on time: Recommendations implemented on "
        "or before the due date in force (the extended date where the Ombudsman agreed an "
        "extension), as a share of all those due."
    ) in text
    assert (
        "All due means every recommendation that has been complied with (on time or late) or "
        "marked not complied, and every one still open after its due date. Open "
        "recommendations not yet due, and withdrawn ones, are not counted."
    ) in text


def test_the_breakdown_tables_have_a_row_per_owner_and_a_total(client, today_records):
    client.force_login(today_records.manager)

    text = element(client.get(URL), "table-owner")

    # Owner, open, overdue, in 14 days, in 30 days, on time, late, not complied, due, and the
    # two rates: implemented late or not (the Ombudsman's reading, first), on time.
    assert "Implemented, late or not Implemented on time" in text
    assert "Mary Tester 2 0 1 2 1 0 0 1 100% 100%" in text
    assert "Olu Tester 1 1 0 0 2 1 1 5 60% 40%" in text
    assert "All 3 1 1 2 3 1 1 6 67% 50%" in text


def test_the_filters_narrow_every_figure(client, today_records):
    client.force_login(today_records.manager)

    response = client.get(URL, {"owner": today_records.officer.pk})

    assert element(response, "figure-open") == "1 open recommendation"
    assert element(response, "figure-rate-implemented") == (
        "60% implemented, late or not 3 of 5 due (1 late)"
    )
    assert element(response, "figure-rate-on-time") == "40% implemented on time 2 of 5 due"


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
    assert element(response, "figure-rate-on-time") == "50% implemented on time 1 of 2 due"


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


def test_where_every_row_is_listed_the_page_says_nothing_is_left_out(client, today_records):
    client.force_login(today_records.manager)

    response = client.get(URL)

    assert len(rows(response, "table-clocks")) == 4  # for the public interest report
    assert len(rows(response, "table-owner")) == 2
    for left_out in ("owners-not-shown", "clocks-not-shown", "programmes-not-shown"):
        assert f'id="{left_out}"' not in response.content.decode()


# --- Compliance: the figures and the chart count the same; the rate that leads -------------


def _rates_in_page_order(content: str) -> list[str]:
    return sorted(
        ["implemented", "on-time"], key=lambda rate: content.index(f'id="figure-rate-{rate}"')
    )


def test_the_ombudsmans_reading_leads_until_an_administrator_chooses_the_other(
    client, today_records
):
    client.force_login(today_records.manager)
    lgsco_reading = client.get(URL)
    ComplianceSettings.objects.create(
        organisation=today_records.croydon, lead_rate=ComplianceRate.ON_TIME
    )
    on_time_first = client.get(URL)

    assert _rates_in_page_order(lgsco_reading.content.decode()) == ["implemented", "on-time"]
    assert _rates_in_page_order(on_time_first.content.decode()) == ["on-time", "implemented"]
    for response, first, second in [
        (lgsco_reading, "Implemented, late or not", "Implemented on time"),
        (on_time_first, "Implemented on time", "Implemented, late or not"),
    ]:
        assert f"All due {first} {second}" in element(response, "table-owner")
        assert f"All due {first} {second}" in element(response, "table-compliance")
        assert element(response, "compliance-rate-definition").index(f"{first}:") < (
            element(response, "compliance-rate-definition").index(f"{second}:")
        )
        assert response.context["compliance_chart"].title == (
            f"Recommendations {first.lower()}, by quarter"
        )
        # The chart draws the rate that leads, the first of the table's two.
        chart, table = response.context["compliance_chart"], response.context["quarters_table"]
        assert [bar.value_label for bar in chart.bars] == [
            row.rates[0].rate_percent or "\N{EN DASH}" for row in table.rows
        ]
        assert table.rows[0].rates[0].label == first
    lead_bars, other_bars = (
        [bar.value_label for bar in response.context["compliance_chart"].bars]
        for response in (lgsco_reading, on_time_first)
    )
    assert lead_bars != other_bars  # 2 was complied with late


def test_kents_choice_leads_where_the_filter_chooses_kent(client, today_records):
    regional = user_with_role(
        Role.MANAGER,
        username="regional",
        organisation=today_records.croydon,
        sees_all_organisations=True,
    )
    ComplianceSettings.objects.create(
        organisation=today_records.kent, lead_rate=ComplianceRate.ON_TIME
    )
    client.force_login(regional)

    everyone = client.get(URL)
    kent = client.get(URL, {"organisation": today_records.kent.pk})

    assert _rates_in_page_order(everyone.content.decode()) == ["implemented", "on-time"]
    assert _rates_in_page_order(kent.content.decode()) == ["on-time", "implemented"]


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
