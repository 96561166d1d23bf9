"""Remedy payments, as a council's officers record and pay them: each is a deadline, money is
exact to the penny, and totals fall in the financial year the money moved in."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from deadlines import services as deadline_services
from deadlines.models import DeadlineKind, DeadlineStatus, Outcome
from ombudsman_tracker.financial_years import FinancialYear
from ombudsman_tracker.history import ConflictError
from recommendations.models import RecommendationKind
from remedies import services
from remedies.forms import PaymentForm
from remedies.models import PaymentKind, RemedyPayment
from remedies.selectors import NO_SERVICE_AREA, Total, payment_totals
from reminders.services import reminders_due
from tests.factories import (
    complaint_recorded,
    payment_recorded,
    recommendation_recorded,
    remedy_recommended,
)

pytestmark = pytest.mark.django_db

PAID_TODAY = date(2022, 6, 1)


@pytest.fixture
def remedy(manager):
    return remedy_recommended(by=manager, owner=manager)


def _paid(payment, on, by):
    return services.payment_record_paid(
        payment=payment, paid_on=on, by=by, today=PAID_TODAY, version=payment.version
    )


# --- Recording a payment --------------------------------------------------------------------


def test_a_payment_on_a_personal_remedy_is_due_by_a_deadline_owned_by_the_recommendations_owner(
    remedy, manager
):
    payment = payment_recorded(
        recommendation=remedy, by=manager, amount="300.00", due_date=date(2022, 2, 26)
    )

    deadline = payment.deadline
    assert (deadline.kind, deadline.due_date, deadline.status) == (
        DeadlineKind.REMEDY_PAYMENT,
        date(2022, 2, 26),
        DeadlineStatus.OPEN,
    )
    assert (deadline.complaint, deadline.organisation, deadline.owner) == (
        remedy.complaint,
        remedy.organisation,
        manager,
    )
    assert deadline.title == "Remedy payment of £300.00 (distress)"
    assert payment.amount == Decimal("300.00")
    assert (
        deadline.get_absolute_url()
        == f"/remedies/recommendations/{remedy.pk}/#payment-{payment.pk}"
    )
    assert payment.history.latest().history_change_reason == "Remedy payment recorded"
    assert deadline.history.latest().history_change_reason == "Remedy payment recorded"


@pytest.mark.parametrize("kind", [k for k in RecommendationKind if k != "personal_remedy"])
def test_a_payment_on_any_other_kind_of_recommendation_is_refused_and_says_why(manager, kind):
    recommendation = recommendation_recorded(by=manager, kind=kind)

    with pytest.raises(ValidationError, match="only on a personal remedy"):
        payment_recorded(recommendation=recommendation, by=manager)

    assert not RemedyPayment.objects.exists()
    assert not recommendation.complaint.deadlines.filter(kind=DeadlineKind.REMEDY_PAYMENT).exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5.00", "The amount cannot be negative"),
        ("0", "Enter an amount of at least £0.01"),
        ("10.505", "no more than 2 decimal places"),
        ("0.001", "no more than 2 decimal places"),
        ("123456789.00", "less than £100,000,000"),
        ("ten pounds", "Enter the amount as a number of pounds"),
    ],
)
def test_an_amount_that_is_not_pounds_and_pence_is_refused_with_a_clear_message(
    remedy, manager, amount, message
):
    form = PaymentForm(
        {
            "amount": amount,
            "kind": "distress",
            "payee_reference": "PR-2021-0001",
            "due_date_day": "26",
            "due_date_month": "2",
            "due_date_year": "2022",
        }
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors["amount"])

    with pytest.raises(ValidationError, match=message):
        payment_recorded(recommendation=remedy, by=manager, amount=amount)
    assert not RemedyPayment.objects.exists()


def test_the_form_reads_pounds_as_people_type_them_and_never_as_a_float():
    form = PaymentForm(
        {
            "amount": "£1,250.5",
            "kind": "loss",
            "payee_reference": "PR-2021-0001",
            "due_date_day": "26",
            "due_date_month": "2",
            "due_date_year": "2022",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("1250.5")
    assert isinstance(form.cleaned_data["amount"], Decimal)


def test_a_float_amount_is_refused_by_the_service(remedy, manager):
    with pytest.raises(TypeError, match="never a float"):
        payment_recorded(recommendation=remedy, by=manager, amount=0.1)


@pytest.mark.parametrize("reference", ["Jane Smith", "Smith", "J. Smith", "ab", "PR 2021 0147"])
def test_a_payee_is_a_reference_never_a_name(remedy, manager, reference):
    with pytest.raises(ValidationError, match="Never enter a name"):
        payment_recorded(recommendation=remedy, by=manager, payee_reference=reference)


@pytest.mark.parametrize("reference", ["PR-2021-0147", "FIN/22/118", "C12345"])
def test_a_reference_is_accepted(remedy, manager, reference):
    assert payment_recorded(recommendation=remedy, by=manager, payee_reference=reference).pk


# --- Overdue and reminded, like any deadline ------------------------------------------------


def test_a_payment_past_its_due_date_is_overdue_and_is_reminded(remedy, manager):
    payment = payment_recorded(recommendation=remedy, by=manager, due_date=date(2022, 2, 26))
    day_after = date(2022, 2, 27)

    assert payment.deadline.outcome(at=date(2022, 2, 26)) == Outcome.OPEN
    assert payment.deadline.outcome(at=day_after) == Outcome.OVERDUE
    assert list(RemedyPayment.objects.overdue(at=day_after)) == [payment]
    due = [d for d in reminders_due(today=day_after) if d.deadline_id == payment.deadline_id]
    assert due, "an overdue payment is reminded"
    assert {(d.stage.is_overdue, d.recipient_id) for d in due} >= {(True, manager.pk)}


def test_a_payment_paid_is_neither_overdue_nor_reminded(remedy, manager):
    payment = payment_recorded(recommendation=remedy, by=manager, due_date=date(2022, 2, 26))
    _paid(payment, date(2022, 3, 2), manager)

    assert not RemedyPayment.objects.overdue(at=date(2022, 3, 5)).exists()
    assert not [
        d for d in reminders_due(today=date(2022, 3, 5)) if d.deadline_id == payment.deadline_id
    ]


# --- Paid, moved, cancelled -----------------------------------------------------------------


def test_recording_a_payment_paid_completes_its_deadline_on_time_or_late(remedy, manager):
    on_time = payment_recorded(recommendation=remedy, by=manager, due_date=date(2022, 2, 26))
    late = payment_recorded(
        recommendation=remedy, by=manager, due_date=date(2022, 2, 26), payee_reference="PR-2"
    )

    on_time = _paid(on_time, date(2022, 2, 26), manager)
    late = services.payment_record_paid(
        payment=late,
        paid_on=date(2022, 2, 27),
        finance_reference="AP-88812",
        by=manager,
        today=PAID_TODAY,
        version=late.version,
    )

    assert on_time.deadline.outcome(at=PAID_TODAY) == Outcome.COMPLIED_ON_TIME
    assert late.deadline.outcome(at=PAID_TODAY) == Outcome.COMPLIED_LATE
    assert (late.paid_on, late.finance_reference) == (date(2022, 2, 27), "AP-88812")
    assert late.history.latest().history_change_reason == "Paid on 27 February 2022"


def test_a_payment_cannot_be_recorded_paid_twice_or_in_the_future(remedy, manager):
    payment = payment_recorded(recommendation=remedy, by=manager)

    with pytest.raises(ValidationError, match="today or in the past"):
        _paid(payment, date(2022, 6, 2), manager)
    payment = _paid(payment, date(2022, 3, 1), manager)
    with pytest.raises(ValidationError, match="already recorded as paid on 1 March 2022"):
        _paid(payment, date(2022, 3, 2), manager)


def test_moving_the_due_date_moves_the_deadline_with_the_reason_in_its_history(remedy, manager):
    payment = payment_recorded(recommendation=remedy, by=manager, due_date=date(2022, 2, 26))

    payment = services.payment_update(
        payment=payment, version=payment.version, by=manager, due_date=date(2022, 3, 31)
    )

    payment.deadline.refresh_from_db()
    assert payment.deadline.due_date == date(2022, 3, 31)
    assert payment.deadline.history.latest().history_change_reason == (
        "Remedy payment's due date moved from 26 February 2022 to 31 March 2022"
    )
    assert payment.history.latest().history_change_reason == "Changed: due date"


def test_cancelling_a_payment_withdraws_its_deadline_and_takes_it_out_of_the_totals(
    remedy, manager
):
    payment = payment_recorded(recommendation=remedy, by=manager, amount="40.00")
    payment_recorded(recommendation=remedy, by=manager, amount="60.00", payee_reference="PR-2")

    payment = services.payment_cancel(
        payment=payment, reason="Recorded twice", by=manager, version=payment.version
    )

    assert payment.deadline.status == DeadlineStatus.WITHDRAWN
    assert payment.history.latest().history_change_reason == "Cancelled: Recorded twice"
    totals = payment_totals(payments=RemedyPayment.objects.all(), today=PAID_TODAY)
    assert totals.overall.amount == Decimal("60.00")
    with pytest.raises(ValidationError, match="cancelled"):
        services.payment_update(payment=payment, version=payment.version, by=manager, amount="1")


def test_a_paid_payment_cannot_be_cancelled(remedy, manager):
    payment = _paid(payment_recorded(recommendation=remedy, by=manager), date(2022, 3, 1), manager)

    with pytest.raises(ValidationError, match="has been paid"):
        services.payment_cancel(payment=payment, reason="No", by=manager, version=payment.version)


def test_a_change_made_from_a_stale_copy_is_refused_and_nothing_is_written(
    remedy, manager, officer
):
    payment = payment_recorded(recommendation=remedy, by=manager, amount="100.00")
    seen = payment.version
    services.payment_update(payment=payment, version=seen, by=officer, amount="120.00")

    with pytest.raises(ConflictError, match="changed by someone else"):
        services.payment_update(payment=payment, version=seen, by=manager, amount="90.00")
    with pytest.raises(ConflictError):
        services.payment_record_paid(
            payment=payment, paid_on=date(2022, 3, 1), by=manager, today=PAID_TODAY, version=seen
        )

    payment.refresh_from_db()
    assert (payment.amount, payment.paid_on) == (Decimal("120.00"), None)


# --- Totals in Decimal, by financial year, service area and kind ----------------------------


def test_ten_pence_and_twenty_pence_total_exactly_thirty_pence(remedy, manager):
    payment_recorded(recommendation=remedy, by=manager, amount="0.10")
    payment_recorded(recommendation=remedy, by=manager, amount="0.20", payee_reference="PR-2")
    for n in range(3):
        payment_recorded(
            recommendation=remedy, by=manager, amount="33.33", payee_reference=f"PR-3{n}"
        )

    total = payment_totals(payments=RemedyPayment.objects.all(), today=PAID_TODAY).overall

    assert total.outstanding == Decimal("100.29")
    assert isinstance(total.outstanding, Decimal)
    just_two = RemedyPayment.objects.filter(amount__lt=1)
    assert payment_totals(payments=just_two, today=PAID_TODAY).overall.amount == Decimal("0.30")
    assert 0.10 + 0.20 != 0.30  # why no float comes near money


def test_payments_fall_in_the_financial_year_they_were_paid_either_side_of_31_march(
    remedy, manager
):
    march = payment_recorded(recommendation=remedy, by=manager, amount="100.00")
    april = payment_recorded(
        recommendation=remedy, by=manager, amount="250.00", payee_reference="PR-2"
    )
    unpaid = payment_recorded(
        recommendation=remedy,
        by=manager,
        amount="75.50",
        payee_reference="PR-3",
        due_date=date(2022, 3, 31),
    )
    _paid(march, date(2022, 3, 31), manager)
    _paid(april, date(2022, 4, 1), manager)

    totals = payment_totals(payments=RemedyPayment.objects.all(), today=PAID_TODAY)

    assert [(year.label, total) for year, total in totals.by_year] == [
        ("2022-23", Total(paid=Decimal("250.00"), paid_count=1)),
        (
            "2021-22",
            Total(
                paid=Decimal("100.00"),
                paid_count=1,
                outstanding=Decimal("75.50"),
                outstanding_count=1,
                overdue=Decimal("75.50"),
                overdue_count=1,
            ),
        ),
    ]
    assert totals.year(FinancialYear.starting(2020)) == Total()
    only_2021 = payment_totals(
        payments=RemedyPayment.objects.all(), today=PAID_TODAY, year=FinancialYear.starting(2021)
    )
    assert only_2021.overall.amount == Decimal("175.50")
    assert unpaid.deadline.outcome(at=PAID_TODAY) == Outcome.OVERDUE


def test_totals_by_service_area_and_kind(manager):
    children = remedy_recommended(by=manager)
    housing = remedy_recommended(
        complaint=complaint_recorded(by=manager, service_area="Housing"), by=manager
    )
    unknown = remedy_recommended(
        complaint=complaint_recorded(by=manager, service_area=""), by=manager
    )
    payment_recorded(recommendation=children, by=manager, amount="300.00", kind="distress")
    payment_recorded(recommendation=children, by=manager, amount="150.00", kind="time_and_trouble")
    payment_recorded(recommendation=housing, by=manager, amount="1200.00", kind="refund")
    payment_recorded(recommendation=unknown, by=manager, amount="25.00", kind="distress")

    totals = payment_totals(payments=RemedyPayment.objects.all(), today=date(2022, 1, 1))

    assert [(area, total.amount) for area, total in totals.by_service_area] == [
        ("Children's Social Care", Decimal("450.00")),
        ("Housing", Decimal("1200.00")),
        (NO_SERVICE_AREA, Decimal("25.00")),
    ]
    assert [(kind, total.amount, total.count) for kind, total in totals.by_kind] == [
        (PaymentKind.DISTRESS, Decimal("325.00"), 2),
        (PaymentKind.TIME_AND_TROUBLE, Decimal("150.00"), 1),
        (PaymentKind.REFUND, Decimal("1200.00"), 1),
    ]
    assert totals.overall.amount == Decimal("1675.00")


@pytest.mark.parametrize("payments", [1, 12])
def test_totals_take_one_query_however_many_payments(
    remedy, manager, payments, django_assert_num_queries
):
    for n in range(payments):
        payment_recorded(
            recommendation=remedy, by=manager, amount="10.01", payee_reference=f"PR-{n:04d}"
        )

    with django_assert_num_queries(1):
        totals = payment_totals(payments=RemedyPayment.objects.all(), today=PAID_TODAY)

    assert totals.overall.amount == Decimal("10.01") * payments


def test_a_new_owner_for_the_payments_deadline_makes_an_open_payment_form_stale(
    remedy, manager, officer
):
    payment = payment_recorded(recommendation=remedy, by=manager)
    seen = payment.version

    deadline_services.deadline_owner_change(deadline=payment.deadline, owner=officer, by=manager)

    payment.refresh_from_db()
    assert payment.version == seen + 1
    assert payment.history.latest().history_change_reason == f"Owner changed to {officer}"
    with pytest.raises(ConflictError):
        services.payment_update(payment=payment, version=seen, by=manager, amount="1.00")
