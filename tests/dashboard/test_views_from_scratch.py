"""The dashboard page on records a test builds for itself (the figures and the chart on
old, future or no deadlines; the demo; query counts), apart from tests/dashboard/test_views.py,
whose records are built once for the module and would be counted here too."""

from datetime import date, timedelta
from io import StringIO

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audits import services as audit_services
from organisations.models import Organisation
from recommendations.models import Recommendation
from tests.dashboard.conftest import stated
from tests.dashboard.test_views import URL, element, page_text
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role


def test_recommendations_due_years_ago_are_charted_as_the_figures_count_them(client, db):
    """As the demo was: the minute's three recommendations, due on 26 February 2022 and still
    open. The figures said 3 due and 0%, while the chart said nothing had fallen due (its
    quarters began three years before today)."""
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    for number in (1, 2, 3):
        recommendation_recorded(
            complaint=complaint, number=number, by=manager, rule=stated(date(2022, 2, 26))
        )
    client.force_login(manager)

    response = client.get(URL)
    text = page_text(response.content.decode())

    assert element(response, "figure-overdue") == "3 overdue"
    assert element(response, "figure-rate-implemented") == (
        "0% implemented, late or not 0 of 3 due"
    )
    assert element(response, "figure-rate-on-time") == "0% implemented on time 0 of 3 due"
    assert "No recommendation has fallen due yet" not in text
    first_quarter_charted = response.context["dashboard"].compliance.quarters.quarters[0]
    before = f"Before {first_quarter_charted.quarter.label}"
    # Quarter, on time, late, not complied, still overdue, all due, and the two rates.
    assert f"{before} 0 0 0 3 3 0% 0%" in element(response, "table-compliance")
    assert "The first bar adds together 1 earlier quarter with recommendations due" in text
    assert response.context["compliance_chart"].bars[0].category == ("Earlier", "")
    assert response.context["compliance_chart"].bars[0].value_label == "0%"


def test_on_the_demos_data_the_chart_counts_what_the_figures_count(client, db):
    call_command("seed_demo", password="demo-password-1", stdout=StringIO())
    client.force_login(User.objects.get(username="manager"))

    response = client.get(URL)

    compliance = response.context["dashboard"].compliance
    assert compliance.breakdown.total.all_due > 0
    assert compliance.quarters.total == compliance.breakdown.total.due_part
    assert "No recommendation has fallen due yet" not in page_text(response.content.decode())


def test_with_nothing_due_neither_the_figures_nor_the_chart_give_a_rate(client, db):
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    recommendation_recorded(
        complaint=complaint_recorded(by=manager, organisations=[croydon]),
        by=manager,
        rule=stated(timezone.localdate() + timedelta(days=60)),
    )
    client.force_login(manager)

    response = client.get(URL)

    assert element(response, "figure-rate-implemented") == (
        "No rate implemented, late or not No recommendation is due yet"
    )
    assert "No recommendation has fallen due yet, so there is no compliance rate to chart." in (
        page_text(response.content.decode())
    )


# --- Queries --------------------------------------------------------------------------------


def count_queries(client) -> int:
    """The queries of a load that counts the figures, not one that finds them kept."""
    cache.clear()
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
