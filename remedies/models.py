"""Remedy payments: money a council pays the person who complained, on a personal remedy.

Each payment is due by a deadline (``DeadlineKind.REMEDY_PAYMENT``), so a payment past due is
overdue, reminded and counted like any other deadline. Payments are made, moved, paid and
cancelled only through ``remedies.services``, which keep the deadline in step through
``deadlines.services``. Amounts are ``Decimal`` pounds and pence, never floats.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from deadlines.models import Deadline, DeadlineStatus

PENNY = Decimal("0.01")


class PaymentKind(models.TextChoices):
    """What a payment is for, in the Ombudsman's words."""

    DISTRESS = "distress", "Distress"
    TIME_AND_TROUBLE = "time_and_trouble", "Time and trouble"
    REFUND = "refund", "Refund"
    LOSS = "loss", "Loss"
    OTHER = "other", "Other"


def amount_validate(value: Decimal) -> None:
    """More than nothing. (No fraction of a penny, and not too large: the field's own
    validator, with ``AMOUNT_MESSAGES``.)"""
    if value is None or not value.is_finite():
        return
    if value < 0:
        raise ValidationError(
            "The amount cannot be negative: enter what the council pays, for example 150.00",
            "negative",
        )
    if value == 0:
        raise ValidationError("Enter an amount of at least £0.01", "zero")


# Messages that say what to type, where Django's ("Ensure that there are no more than 2
# decimal places") do not. The model's field and the forms' use them.
AMOUNT_MESSAGES = {
    "invalid": "Enter the amount as a number of pounds, for example 150.50",
    "max_decimal_places": (
        "Enter the amount in pounds and pence, with no more than 2 decimal places "
        "(for example 150.50)"
    ),
    "max_digits": "Enter an amount less than £100,000,000",
    "max_whole_digits": "Enter an amount less than £100,000,000",
}


# Letters, digits and - / . _ with at least one digit and no spaces: a case or finance
# system's reference ("PR-2021-0147"), never a name ("Jane Smith" has a space and no digit).
payee_reference_validate = RegexValidator(
    r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9/._-]{2,39}$",
    message=(
        "Enter a reference such as PR-2021-0147: letters, numbers, hyphens and slashes, with "
        "at least one number and no spaces. Never enter a name."
    ),
    code="not_a_reference",
)


class RemedyPaymentQuerySet(models.QuerySet):
    """Reads that say what due, paid and overdue mean, from the payment's deadline (whose
    rules ``Deadline.outcome`` and ``DeadlineQuerySet`` hold)."""

    def not_cancelled(self):
        return self.exclude(deadline__status=DeadlineStatus.WITHDRAWN)

    def paid(self):
        return self.filter(paid_on__isnull=False)

    def outstanding(self):
        """Neither paid nor cancelled."""
        return self.filter(paid_on__isnull=True, deadline__status=DeadlineStatus.OPEN)

    def overdue(self, *, at):
        return self.filter(deadline__in=Deadline.objects.overdue(at=at))


class RemedyPayment(models.Model):
    """One payment the Ombudsman recommended (or the council agreed) to the person who complained.

    Only on a recommendation of kind *personal remedy*: ``services.payment_add`` refuses any
    other, since a service improvement or an audit has nobody to pay. Enforced there rather
    than by a constraint, as the kind lives on another table.
    """

    recommendation = models.ForeignKey(
        "recommendations.Recommendation",
        on_delete=models.PROTECT,
        related_name="remedy_payments",
    )
    amount = models.DecimalField(
        "amount in pounds",
        max_digits=10,
        decimal_places=2,
        validators=[amount_validate],
        error_messages=AMOUNT_MESSAGES,
        help_text="Pounds and pence, for example 150.50.",
    )
    kind = models.CharField("what it is for", max_length=20, choices=PaymentKind)
    payee_reference = models.CharField(
        "payee reference",
        max_length=40,
        validators=[payee_reference_validate],
        help_text=(
            "A pseudonymised reference, such as the finance system's payee number: never a "
            "name, and never a child's details."
        ),
    )
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, related_name="remedy_payment"
    )
    paid_on = models.DateField("date paid", null=True, blank=True)
    finance_reference = models.CharField(
        max_length=60,
        blank=True,
        help_text="The finance system's reference for the payment, once made.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = RemedyPaymentQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="remedy_payment_amount_positive",
                violation_error_message="The amount must be more than £0.",
            ),
        ]
        permissions = [("cancel_remedypayment", "Can cancel a remedy payment")]

    def __str__(self):
        return f"£{self.amount:,} {self.get_kind_display().lower()} to {self.payee_reference}"

    def get_absolute_url(self):
        url = reverse("remedies:payment_list", args=[self.recommendation_id])
        return f"{url}#payment-{self.pk}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def is_cancelled(self) -> bool:
        return self.deadline.status == DeadlineStatus.WITHDRAWN
