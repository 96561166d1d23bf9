"""What the payment pages show, decided here and not in templates: each payment's tag, what a
user may do with it, and money as it reads (``£1,250.50``). Pure functions, tested without a
browser."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from deadlines.buckets import is_due_soon
from deadlines.models import DeadlineStatus, Outcome
from ombudsman_tracker.presentation import Tag

from .models import RemedyPayment


def money(amount: Decimal | None) -> str:
    """``£1,250.50`` (always with pence); '' for None."""
    return "" if amount is None else f"£{amount:,.2f}"


def payment_tag(payment: RemedyPayment, *, at: date) -> Tag:
    """Paid (on time green, late orange), cancelled grey, overdue red, due soon orange, due."""
    deadline = payment.deadline
    if deadline.status == DeadlineStatus.WITHDRAWN:
        return Tag("Cancelled", "grey")
    outcome = deadline.outcome(at=at)
    if outcome == Outcome.COMPLIED_ON_TIME:
        return Tag("Paid on time", "green")
    if outcome == Outcome.COMPLIED_LATE:
        return Tag("Paid late", "orange")
    if outcome == Outcome.OVERDUE:
        return Tag("Overdue", "red")
    if is_due_soon(deadline, today=at):
        return Tag("Due soon", "orange")
    return Tag("Due", "blue")


@dataclass(frozen=True)
class PaymentRow:
    payment: RemedyPayment
    tag: Tag
    may_change: bool
    may_record_paid: bool
    may_cancel: bool


def payment_rows(payments, *, at: date, user) -> list[PaymentRow]:
    """A row per payment, with the links ``user`` may follow (the permissions are read once
    and cached by Django, so this runs no query per row)."""
    change = user.has_perm("remedies.change_remedypayment")
    cancel = user.has_perm("remedies.cancel_remedypayment")
    rows = []
    for payment in payments:
        open_ = payment.deadline.status != DeadlineStatus.WITHDRAWN
        rows.append(
            PaymentRow(
                payment=payment,
                tag=payment_tag(payment, at=at),
                may_change=change and open_,
                may_record_paid=change and open_ and not payment.is_paid,
                may_cancel=cancel and open_ and not payment.is_paid,
            )
        )
    return rows
