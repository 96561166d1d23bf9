"""Pages for remedy payments: a recommendation's payments, adding, changing, recording one
paid or cancelled, and an organisation's totals.

Adapters like the other apps' views: check the permission, fetch through a selector scoped to
the user (404 for another organisation's records), validate with a form, call a service, then
redirect with a message or render. Today's date is read here once.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.decorators import permission_needed
from ombudsman_tracker.formats import date_text
from ombudsman_tracker.forms import add_service_errors, after_conflict
from ombudsman_tracker.history import ConflictError
from recommendations.selectors import recommendation_get_for

from . import presentation, selectors, services
from .forms import CancelForm, PaidForm, PaymentChangeForm, PaymentForm
from .models import RemedyPayment

PAGE_SIZE = 25
HISTORY_ROWS = 20


def _history(payments):
    """The latest changes to ``payments``, newest first, with who made them (one query)."""
    return (
        RemedyPayment.history.filter(id__in=payments.values("pk"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:HISTORY_ROWS]
    )


@permission_needed(selectors.READ)
def payment_list(request, pk):
    today = timezone.localdate()
    recommendation = recommendation_get_for(request.user, pk)
    payments = selectors.recommendation_payments(recommendation)
    return render(
        request,
        "remedies/remedypayment_list.html",
        {
            "recommendation": recommendation,
            "takes_payments": selectors.takes_payments(recommendation),
            "rows": presentation.payment_rows(payments, at=today, user=request.user),
            "totals": selectors.payment_totals(payments=payments, today=today).overall,
            "history": _history(payments),
            "today": today,
        },
    )


@permission_needed("remedies.add_remedypayment")
def payment_add(request, pk):
    recommendation = recommendation_get_for(request.user, pk)
    form = PaymentForm(request.POST or None, initial={"due_date": recommendation.deadline.due_date})
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_add(
                recommendation=recommendation, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Payment of {presentation.money(payment.amount)} recorded: due on "
                f"{date_text(payment.deadline.due_date)}",
            )
            return redirect(payment)
    return render(
        request,
        "remedies/remedypayment_form.html",
        {
            "form": form,
            "recommendation": recommendation,
            "takes_payments": selectors.takes_payments(recommendation),
        },
    )


@permission_needed("remedies.change_remedypayment")
def payment_update(request, pk):
    payment = selectors.payment_get_for(request.user, pk)
    form = PaymentChangeForm(request.POST or None, initial=PaymentForm.initial_for(payment))
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_update(
                payment=payment,
                version=form.cleaned_data["version"],
                by=request.user,
                **form.service_fields(),
            )
        except ConflictError as error:
            latest = selectors.payment_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment saved")
            return redirect(payment)
    return render(
        request,
        "remedies/remedypayment_form.html",
        {
            "form": form,
            "payment": payment,
            "recommendation": payment.recommendation,
            "takes_payments": True,
            "conflict": conflict,
        },
    )


@permission_needed("remedies.change_remedypayment")
def payment_paid(request, pk):
    payment = selectors.payment_get_for(request.user, pk)
    today = timezone.localdate()
    form = PaidForm(
        request.POST or None,
        initial={
            "paid_on": today,
            "finance_reference": payment.finance_reference,
            "version": payment.version,
        },
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_record_paid(
                payment=payment,
                paid_on=form.cleaned_data["paid_on"],
                finance_reference=form.cleaned_data["finance_reference"],
                version=form.cleaned_data["version"],
                by=request.user,
                today=today,
            )
        except ConflictError as error:
            latest = selectors.payment_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Payment recorded as paid on {date_text(form.cleaned_data['paid_on'])}"
            )
            return redirect(payment)
    return render(
        request,
        "remedies/remedypayment_paid.html",
        {"form": form, "payment": payment, "conflict": conflict},
    )


@permission_needed("remedies.cancel_remedypayment")
def payment_cancel(request, pk):
    payment = selectors.payment_get_for(request.user, pk)
    form = CancelForm(request.POST or None, initial={"version": payment.version})
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_cancel(
                payment=payment,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except ConflictError as error:
            latest = selectors.payment_get_for(request.user, pk)
            form = after_conflict(form, error, version=latest.version)
            conflict = True
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Payment cancelled")
            return redirect(payment)
    return render(
        request,
        "remedies/remedypayment_cancel.html",
        {"form": form, "payment": payment, "conflict": conflict},
    )


@permission_needed(selectors.READ)
def organisation_totals(request, pk):
    """An organisation's payments totalled by financial year, service area and kind, then
    listed a page at a time, soonest due first."""
    today = timezone.localdate()
    organisation = selectors.organisation_get_for(request.user, pk)
    payments = selectors.organisation_payments(request.user, organisation)
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "remedies/organisation_totals.html",
        {
            "organisation": organisation,
            "totals": selectors.payment_totals(payments=payments, today=today),
            "page_obj": page,
            "rows": presentation.payment_rows(page.object_list, at=today, user=request.user),
            "today": today,
        },
    )
