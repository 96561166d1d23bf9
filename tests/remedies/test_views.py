"""The payment pages as officers and managers use them: from the recommendation's page to
recording a payment, paying it, and the council's totals; another council's are a 404."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from remedies import services
from remedies.models import RemedyPayment
from tests.factories import (
    payment_recorded,
    recommendation_recorded,
    remedy_recommended,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def remedy(manager):
    return remedy_recommended(by=manager, owner=manager)


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_the_recommendation_page_links_a_personal_remedy_to_its_payments(
    client, officer, remedy, manager
):
    payment_recorded(recommendation=remedy, by=manager, amount="300.00", due_date=date(2022, 2, 26))
    client.force_login(officer)

    page = client.get(remedy.get_absolute_url()).content.decode()

    assert "Remedy payments" in page
    assert "£300.00" in page
    assert reverse("remedies:payment_list", args=[remedy.pk]) in page
    assert reverse("remedies:payment_add", args=[remedy.pk]) in page


def test_other_recommendations_have_no_payments_section(client, officer, manager):
    learning = recommendation_recorded(by=manager)
    client.force_login(officer)

    page = client.get(learning.get_absolute_url()).content.decode()

    assert "Remedy payments" not in page


def test_an_auditor_sees_no_payments_on_the_recommendation_page(client, remedy, manager):
    auditor = user_with_role(Role.AUDITOR, username="auditor")
    payment_recorded(recommendation=remedy, by=manager)
    client.force_login(auditor)

    page = client.get(remedy.get_absolute_url()).content.decode()

    assert "Remedy payments" not in page
    assert client.get(reverse("remedies:payment_list", args=[remedy.pk])).status_code == 403


def test_an_officer_adds_a_payment_and_records_it_paid(client, officer, remedy):
    client.force_login(officer)
    add_url = reverse("remedies:payment_add", args=[remedy.pk])

    form = client.get(add_url)
    added = client.post(
        add_url,
        {
            "amount": "£300",
            "kind": "distress",
            "payee_reference": "PR-2021-0147",
            **_date("due_date", date(2022, 2, 26)),
        },
    )

    assert form.context["form"].initial["due_date"] == remedy.deadline.due_date
    payment = RemedyPayment.objects.get()
    assert added.status_code == 302
    assert added.url == payment.get_absolute_url()
    assert payment.amount == Decimal("300.00")
    listed = client.get(added.url).content.decode()
    assert "Overdue" in listed  # 26 February 2022 has passed
    assert "Payment of £300.00 recorded: due on 26 February 2022" in listed

    paid_url = reverse("remedies:payment_paid", args=[payment.pk])
    paid = client.post(
        paid_url,
        {
            **_date("paid_on", date(2022, 2, 20)),
            "finance_reference": "AP-1",
            "version": payment.version,
        },
    )

    assert paid.status_code == 302
    payment.refresh_from_db()
    assert (payment.paid_on, payment.finance_reference) == (date(2022, 2, 20), "AP-1")
    assert "Paid on time" in client.get(paid.url).content.decode()


def test_the_add_page_of_a_recommendation_that_is_not_a_remedy_explains_and_refuses(
    client, officer, manager
):
    learning = recommendation_recorded(by=manager)
    client.force_login(officer)
    url = reverse("remedies:payment_add", args=[learning.pk])

    page = client.get(url)
    posted = client.post(
        url,
        {
            "amount": "10",
            "kind": "distress",
            "payee_reference": "PR-1",
            **_date("due_date", date(2022, 2, 26)),
        },
    )

    assert "Payments are recorded only on a personal remedy" in page.content.decode()
    assert posted.status_code == 200
    assert "only on a personal remedy" in " ".join(posted.context["form"].non_field_errors())
    assert not RemedyPayment.objects.exists()


def test_a_negative_amount_is_shown_against_the_field(client, officer, remedy):
    client.force_login(officer)

    response = client.post(
        reverse("remedies:payment_add", args=[remedy.pk]),
        {
            "amount": "-1",
            "kind": "distress",
            "payee_reference": "Jane Smith",
            **_date("due_date", date(2022, 2, 26)),
        },
    )

    errors = response.context["form"].errors
    assert errors["amount"] == [
        "The amount cannot be negative: enter what the council pays, for example 150.00"
    ]
    assert "Never enter a name" in errors["payee_reference"][0]
    assert "There is a problem" in response.content.decode()


def test_a_change_saved_from_a_stale_page_is_refused_and_the_input_kept(
    client, officer, manager, remedy
):
    payment = payment_recorded(recommendation=remedy, by=manager, amount="100.00")
    client.force_login(officer)
    url = reverse("remedies:payment_update", args=[payment.pk])
    opened = client.get(url).context["form"].initial
    other = client.__class__()
    other.force_login(manager)
    data = {
        "amount": "100.00",
        "kind": "distress",
        "payee_reference": "PR-2021-0001",
        **_date("due_date", date(2022, 2, 26)),
        "version": opened["version"],
    }

    first = other.post(url, data | {"amount": "120.00"})
    second = client.post(url, data | {"amount": "90.00"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.context["conflict"] is True
    assert second.context["form"]["amount"].value() == "90.00"
    payment.refresh_from_db()
    assert payment.amount == Decimal("120.00")


def test_a_manager_cancels_a_payment_with_a_reason(client, manager, remedy):
    payment = payment_recorded(recommendation=remedy, by=manager)
    client.force_login(manager)

    response = client.post(
        reverse("remedies:payment_cancel", args=[payment.pk]),
        {"reason": "Recorded twice", "version": payment.version},
    )

    assert response.status_code == 302
    assert "Cancelled" in client.get(response.url).content.decode()


def test_another_councils_payments_and_totals_are_a_404(client, remedy, manager):
    payment = payment_recorded(recommendation=remedy, by=manager)
    kent = user_with_role(Role.MANAGER, username="kent", organisation__name="Kent County Council")
    client.force_login(kent)

    statuses = [
        client.get(reverse("remedies:payment_list", args=[remedy.pk])).status_code,
        client.get(reverse("remedies:payment_add", args=[remedy.pk])).status_code,
        client.get(reverse("remedies:payment_update", args=[payment.pk])).status_code,
        client.get(reverse("remedies:payment_paid", args=[payment.pk])).status_code,
        client.post(
            reverse("remedies:payment_cancel", args=[payment.pk]), {"reason": "x", "version": 1}
        ).status_code,
        client.get(
            reverse("remedies:organisation_totals", args=[remedy.organisation_id])
        ).status_code,
    ]

    assert statuses == [404] * 6
    payment.refresh_from_db()
    assert not payment.is_cancelled


def test_the_totals_page_shows_each_years_money(client, officer, manager, remedy):
    march = payment_recorded(recommendation=remedy, by=manager, amount="0.10")
    april = payment_recorded(
        recommendation=remedy, by=manager, amount="0.20", payee_reference="PR-2"
    )
    today = timezone.localdate()
    for payment, day in ((march, date(2022, 3, 31)), (april, date(2022, 4, 1))):
        services.payment_record_paid(
            payment=payment, paid_on=day, by=manager, today=today, version=payment.version
        )
    client.force_login(officer)

    response = client.get(reverse("remedies:organisation_totals", args=[remedy.organisation_id]))

    totals = response.context["totals"]
    assert [(year.label, total.paid) for year, total in totals.by_year] == [
        ("2022-23", Decimal("0.20")),
        ("2021-22", Decimal("0.10")),
    ]
    assert totals.overall.paid == Decimal("0.30")
    page = response.content.decode()
    assert "£0.30" in page
    assert "2021-22" in page
    assert "Children&#x27;s Social Care" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["payment_list", "organisation_totals"])
def test_the_lists_run_the_same_queries_for_one_payment_and_many(client, officer, manager, name):
    remedy = remedy_recommended(by=manager)
    payment_recorded(recommendation=remedy, by=manager)
    client.force_login(officer)
    url = reverse(
        f"remedies:{name}",
        args=[remedy.pk if name == "payment_list" else remedy.organisation_id],
    )
    one = _queries(client, url)
    for n in range(8):
        payment = payment_recorded(
            recommendation=remedy, by=manager, payee_reference=f"PR-{n:04d}", amount=f"{n + 1}.50"
        )
    services.payment_record_paid(
        payment=payment,
        paid_on=date(2022, 3, 1),
        by=manager,
        today=timezone.localdate(),
        version=payment.version,
    )
    services.payment_cancel(
        payment=RemedyPayment.objects.first(), reason="Twice", by=manager, version=None
    )

    assert _queries(client, url) == one
