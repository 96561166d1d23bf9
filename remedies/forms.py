"""Forms for remedy payments. They validate input and nothing else: the views pass
``cleaned_data`` to ``remedies.services``."""

from django import forms

from ombudsman_tracker.forms import GovukDateField, VersionField

from .models import (
    AMOUNT_MESSAGES,
    PaymentKind,
    RemedyPayment,
    amount_validate,
    payee_reference_validate,
)


class PoundsField(forms.DecimalField):
    """An amount of money as people type it (``£1,250.50``), read as a Decimal, never a float."""

    def __init__(self, **kwargs):
        super().__init__(
            max_digits=10,
            decimal_places=2,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "decimal",
                    "class": "govuk-input--width-10",
                    "spellcheck": "false",
                }
            ),
            error_messages={**AMOUNT_MESSAGES, "required": "Enter the amount"},
            validators=[amount_validate],
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "")
        return super().to_python(value)


class PaymentForm(forms.Form):
    amount = PoundsField(label="Amount in pounds", help_text="For example 150.50")
    kind = forms.ChoiceField(
        label="What the payment is for",
        choices=PaymentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the payment is for"},
    )
    payee_reference = forms.CharField(
        label="Payee reference",
        max_length=40,
        validators=[payee_reference_validate],
        help_text=RemedyPayment._meta.get_field("payee_reference").help_text
        + " For example PR-2021-0147.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
        error_messages={"required": "Enter the payee reference"},
    )
    due_date = GovukDateField(
        label="Due date",
        help_text="When the payment must be made by, usually the recommendation's due date. "
        "For example, 26 2 2022",
    )
    finance_reference = forms.CharField(
        label="Finance reference",
        max_length=60,
        required=False,
        help_text="The finance system's reference, if there is one yet.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    version = VersionField(required=False)

    @classmethod
    def initial_for(cls, payment: RemedyPayment) -> dict:
        return {
            "amount": payment.amount,
            "kind": payment.kind,
            "payee_reference": payment.payee_reference,
            "due_date": payment.deadline.due_date,
            "finance_reference": payment.finance_reference,
            "version": payment.version,
        }

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("amount", "kind", "payee_reference", "due_date", "finance_reference")
        }


class PaymentChangeForm(PaymentForm):
    version = VersionField()


class PaidForm(forms.Form):
    paid_on = GovukDateField(label="Date paid", help_text="For example, 14 2 2022")
    finance_reference = forms.CharField(
        label="Finance reference",
        max_length=60,
        required=False,
        help_text="The finance system's reference for the payment.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    version = VersionField()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the payment cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: recorded twice, or the Ombudsman changed its recommendation.",
        error_messages={"required": "Enter why the payment is cancelled"},
    )
    version = VersionField()
