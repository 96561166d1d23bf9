"""The one way a remedy payment is recorded, changed, paid or cancelled.

Each payment's due date is a deadline of kind ``REMEDY_PAYMENT``, made, moved, completed and
withdrawn only through ``deadlines.services``: so it is overdue, reminded, on calendars and in
the deadline figures like any other. Every change is saved with history (who and why); the
changes a user makes from a form carry the ``version`` they saw, and one made on top of
someone else's is refused (``ConflictError``) with nothing written.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from deadlines import services as deadline_services
from deadlines.arithmetic import Counting
from deadlines.models import DeadlineKind, DeadlineStatus
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.history import ConflictError, locked, save_with_history
from recommendations.models import Recommendation, RecommendationKind, RecommendationStatus

from .models import PaymentKind, RemedyPayment
from .presentation import money

__all__ = [
    "ConflictError",
    "payment_add",
    "payment_cancel",
    "payment_record_paid",
    "payment_update",
]


def pounds(amount) -> Decimal:
    """``amount`` as a Decimal. A float is refused outright: 0.1 + 0.2 is not 0.3 in binary
    floating point, and money must add up to the penny."""
    if isinstance(amount, float):
        raise TypeError("Pass an amount of money as a Decimal or a string, never a float.")
    try:
        return Decimal(str(amount).strip().removeprefix("£").replace(",", ""))
    except InvalidOperation:
        raise ValidationError(
            {"amount": "Enter the amount as a number of pounds, for example 150.50"}
        ) from None


def _title(payment: RemedyPayment) -> str:
    """The deadline's title, as reminders, calendars and the dashboard show it."""
    kind = PaymentKind(payment.kind).label.lower()
    return f"Remedy payment of {money(payment.amount)} ({kind})"


def _stated(due_date: date) -> dict:
    return {"counting": Counting.STATED, "stated_date": due_date}


def _fresh(payment: RemedyPayment, version: int | None) -> RemedyPayment:
    """A locked, fresh copy of the payment; ``ConflictError`` if it was saved since the user
    opened it at ``version`` (None: a service acting on the saved row, no check)."""
    fresh = locked(payment)
    if version is not None and fresh.version != version:
        raise ConflictError(fresh)
    return fresh


def _still_open(payment: RemedyPayment) -> None:
    if payment.deadline.status == DeadlineStatus.WITHDRAWN:
        raise ValidationError("This payment was cancelled: it is kept as it was.")


@transaction.atomic
def payment_add(
    *,
    recommendation: Recommendation,
    amount,
    kind: str,
    payee_reference: str,
    due_date: date,
    by,
    finance_reference: str = "",
) -> RemedyPayment:
    """Record a payment due on a personal remedy, with its deadline (stated as ``due_date``,
    owned by the recommendation's owner, so they are reminded).

    Refused on any other kind of recommendation: only a personal remedy puts right an
    injustice to the person who complained, so only there is somebody to pay. (A
    recommendation recorded with the wrong kind is corrected on its own page first.) Refused
    too on a withdrawn recommendation. History: the payment's and its deadline's.
    """
    recommendation = Recommendation.objects.select_related("deadline").get(pk=recommendation.pk)
    if recommendation.kind != RecommendationKind.PERSONAL_REMEDY:
        raise ValidationError(
            "Payments are recorded only on a personal remedy: this recommendation is a "
            f"{recommendation.get_kind_display().lower()} recommendation. If the Ombudsman "
            "asked for a payment, change the recommendation's kind to personal remedy first."
        )
    if recommendation.status == RecommendationStatus.WITHDRAWN:
        raise ValidationError("This recommendation was withdrawn: no payment can be added.")
    payment = RemedyPayment(
        recommendation=recommendation,
        amount=pounds(amount),
        kind=kind,
        payee_reference=payee_reference.strip(),
        finance_reference=finance_reference.strip(),
    )
    payment.full_clean(exclude=["deadline", "recommendation"])
    payment.deadline = deadline_services.deadline_create(
        complaint=recommendation.complaint,
        organisation=recommendation.organisation,
        kind=DeadlineKind.REMEDY_PAYMENT,
        title=_title(payment),
        owner=recommendation.deadline.owner,
        rule=_stated(due_date),
        by=by,
        reason="Remedy payment recorded",
    )
    save_with_history(payment, by=by, reason="Remedy payment recorded")
    return payment


@transaction.atomic
def payment_update(
    *,
    payment: RemedyPayment,
    version: int | None,
    by,
    amount=None,
    kind: str | None = None,
    payee_reference: str | None = None,
    due_date: date | None = None,
    finance_reference: str | None = None,
) -> RemedyPayment:
    """Change what was recorded (arguments left None stay as they are). A new due date moves
    the deadline (``deadline_update``: its history says from when to when). A cancelled
    payment is kept as it was. Returns the saved copy."""
    payment = _fresh(payment, version)
    _still_open(payment)
    changed = []
    new_values = {
        "amount": pounds(amount) if amount is not None else None,
        "kind": kind,
        "payee_reference": payee_reference.strip() if payee_reference is not None else None,
        "finance_reference": finance_reference.strip() if finance_reference is not None else None,
    }
    for name, value in new_values.items():
        if value is not None and value != getattr(payment, name):
            setattr(payment, name, value)
            changed.append(RemedyPayment._meta.get_field(name).verbose_name)
    payment.full_clean(exclude=["deadline", "recommendation"])
    deadline = payment.deadline
    moved = due_date is not None and due_date != deadline.due_date
    if moved:
        changed.append("due date")
    if not changed:
        return payment
    title = _title(payment)
    if moved or title != deadline.title:
        reason = (
            f"Remedy payment's due date moved from {date_text(deadline.due_date)} to "
            f"{date_text(due_date)}"
            if moved
            else "Remedy payment changed"
        )
        payment.deadline = deadline_services.deadline_update(
            deadline=deadline,
            by=by,
            reason=reason,
            title=title,
            rule=_stated(due_date) if moved else None,
        )
    save_with_history(payment, by=by, reason=f"Changed: {', '.join(changed)}")
    return payment


@transaction.atomic
def payment_record_paid(
    *,
    payment: RemedyPayment,
    paid_on: date,
    by,
    today: date,
    version: int | None,
    finance_reference: str = "",
) -> RemedyPayment:
    """Record that the payment was made on ``paid_on`` (not after ``today``), which completes
    its deadline as met on that day: on time if by the due date, late otherwise. Returns the
    saved copy."""
    payment = _fresh(payment, version)
    _still_open(payment)
    if payment.is_paid:
        raise ValidationError(
            f"This payment was already recorded as paid on {date_text(payment.paid_on)}."
        )
    if paid_on > today:
        raise ValidationError({"paid_on": "The date paid must be today or in the past"})
    payment.paid_on = paid_on
    if finance_reference.strip():
        payment.finance_reference = finance_reference.strip()
    payment.deadline = deadline_services.deadline_complete(
        deadline=payment.deadline,
        on=paid_on,
        by=by,
        reason=f"Remedy payment paid on {date_text(paid_on)}",
    )
    save_with_history(payment, by=by, reason=f"Paid on {date_text(paid_on)}")
    return payment


@transaction.atomic
def payment_cancel(
    *, payment: RemedyPayment, reason: str, by, version: int | None
) -> RemedyPayment:
    """Cancel a payment that will not be made (for example recorded twice, or the Ombudsman
    changed its recommendation), with the reason: its deadline is withdrawn, so it is neither
    reminded nor counted. A paid payment cannot be cancelled. Returns the saved copy."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the payment is cancelled"})
    payment = _fresh(payment, version)
    _still_open(payment)
    if payment.is_paid:
        raise ValidationError(
            "This payment has been paid, so it cannot be cancelled. Record any refund or "
            "correction with the finance team's reference."
        )
    payment.deadline = deadline_services.deadline_withdraw(
        deadline=payment.deadline, by=by, reason=f"Remedy payment cancelled: {reason.strip()}"
    )
    save_with_history(payment, by=by, reason=f"Cancelled: {reason.strip()}")
    return payment
