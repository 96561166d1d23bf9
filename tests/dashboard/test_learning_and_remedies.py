"""A manager sees on the dashboard how far the learning has reached (percentages, no names) and
what remedy payments have been paid and are still owed, by financial year, for their own council
only."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from learning import services as learning_services
from organisations.models import Organisation
from remedies import services as remedy_services
from tests.dashboard.test_views import URL, element
from tests.factories import (
    audience_made,
    complaint_recorded,
    learning_point_recorded,
    payment_recorded,
    person_added,
    recommendation_recorded,
    remedy_recommended,
    user_with_role,
)


def _council(name):
    organisation = Organisation.objects.create(name=name)
    manager = user_with_role(
        Role.MANAGER, username=f"manager-{name[:4]}", organisation=organisation
    )
    return organisation, manager


def test_the_dashboard_shows_learning_coverage_and_remedy_payments_of_the_managers_council(
    client, db
):
    cache.clear()
    croydon, manager = _council("Croydon Council")
    kent, kent_manager = _council("Kent County Council")
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    share = recommendation_recorded(complaint=complaint, number=1, by=manager)
    front_door = audience_made(organisation=croydon, by=manager)
    people = [
        person_added(organisation=croydon, name=f"Person {n}", audiences=[front_door])
        for n in range(4)
    ]
    point = learning_point_recorded(recommendation=share, by=manager, audiences=[front_door])
    staff = user_with_role(Role.OFFICER, username="staff", organisation=croydon)
    people[0].user = staff
    people[0].save()
    learning_services.app_acknowledge(
        learning_point=point, user=staff, at=datetime(2022, 2, 1, tzinfo=UTC)
    )
    remedy = remedy_recommended(complaint=complaint, number=2, by=manager)
    payment_recorded(recommendation=remedy, by=manager, amount="0.10", due_date=date(2022, 3, 31))
    paid = payment_recorded(
        recommendation=remedy,
        by=manager,
        amount="0.20",
        due_date=date(2022, 4, 1),
        payee_reference="PR-2021-0002",
    )
    remedy_services.payment_record_paid(
        payment=paid, paid_on=date(2022, 4, 1), by=manager, today=date(2022, 4, 1), version=None
    )
    kents = complaint_recorded(by=kent_manager, organisations=[kent], reference="22 000 002")
    payment_recorded(
        recommendation=remedy_recommended(complaint=kents, number=1, by=kent_manager),
        by=kent_manager,
        amount="999.00",
    )
    client.force_login(manager)

    response = client.get(URL)

    assert element(response, "table-learning") == (
        "Who the newest learning points have reached Learning point Acknowledged By audience "
        "Still to acknowledge Cross-border referrals "
        f"{complaint.reference} recommendation 1, Croydon Council "
        "25% of 4 people acknowledged version 1 Front door (MASH): 25% of 4 3"
    )
    assert element(response, "table-payments-by-year") == (
        "Remedy payments by financial year Financial year Paid Still to pay Overdue "
        "2022-23 £0.20 £0.00 £0.00 2021-22 £0.00 £0.10 £0.10"
    )
    totals = response.context["dashboard"].payments.overall
    assert (totals.paid, totals.outstanding) == (Decimal("0.20"), Decimal("0.10"))
    assert "999" not in response.content.decode()
    assert "Person 1" not in response.content.decode()  # percentages, never names


def test_the_learning_and_payment_sections_cost_the_same_queries_for_one_or_many(client, db):
    croydon, manager = _council("Croydon Council")
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    audience = audience_made(organisation=croydon, by=manager)
    client.force_login(manager)

    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    recommendation = recommendation_recorded(complaint=complaint, number=1, by=manager)
    learning_point_recorded(recommendation=recommendation, by=manager, audiences=[audience])
    payment_recorded(recommendation=remedy_recommended(complaint=complaint, number=2, by=manager))
    one = queries()
    for number in range(3, 9):
        recommendation = recommendation_recorded(complaint=complaint, number=number, by=manager)
        learning_point_recorded(recommendation=recommendation, by=manager, audiences=[audience])
        person_added(organisation=croydon, name=f"Person {number}", audiences=[audience])
    remedy = remedy_recommended(complaint=complaint, number=20, by=manager)
    for n in range(5):
        payment_recorded(recommendation=remedy, payee_reference=f"PR-2021-01{n}")

    assert queries() == one
