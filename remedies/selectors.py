"""Reads of remedy payments scoped to the user, and their totals in a fixed number of queries.

``payment_totals`` is what the dashboard and the committee report show: pass it the payments
to total (``payments_visible_to(user)``, narrowed as the page needs), get ``Decimal`` sums by
financial year, service area and kind from one grouped query. Money is added in the database
as exact decimals (PostgreSQL's numeric); SQLite, used only by the demo, adds in floating
point and Django rounds each sum back to pence, which is exact for any real council's totals.
"""

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.shortcuts import get_object_or_404

from ombudsman_tracker.financial_years import FIRST_MONTH, FinancialYear
from organisations.models import Organisation
from recommendations.models import RecommendationKind

from .models import PENNY, PaymentKind, RemedyPayment

ZERO = Decimal("0.00")
NO_SERVICE_AREA = "No service area recorded"

# --- What a user may see --------------------------------------------------------------------

READ = "remedies.view_remedypayment"


def payments_visible_to(user):
    """The payments on recommendations of the user's own organisation, or of every
    organisation for staff who see them all (cancelled ones included: filter them out with
    ``.not_cancelled()``)."""
    payments = RemedyPayment.objects.select_related("deadline")
    if user.sees_every_organisation:
        return payments
    return payments.filter(recommendation__organisation=user.organisation_id)


def payment_get_for(user, pk) -> RemedyPayment:
    """A payment the user may see, with its recommendation, or 404."""
    return get_object_or_404(
        payments_visible_to(user).select_related(
            "recommendation__complaint", "recommendation__organisation"
        ),
        pk=pk,
    )


def recommendation_payments(recommendation):
    """The recommendation's payments, soonest due first, with their deadlines."""
    return (
        RemedyPayment.objects.filter(recommendation=recommendation)
        .select_related("deadline")
        .order_by("deadline__due_date", "pk")
    )


def takes_payments(recommendation) -> bool:
    """Whether payments may be recorded on the recommendation (``services.payment_add``)."""
    return recommendation.kind == RecommendationKind.PERSONAL_REMEDY


def organisations_for_totals(user):
    """The organisations whose totals the user may open."""
    if user.sees_every_organisation:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=user.organisation_id)


def organisation_get_for(user, pk) -> Organisation:
    return get_object_or_404(organisations_for_totals(user), pk=pk)


# --- Totals -----------------------------------------------------------------------------------


class PaymentState:
    PAID = "paid"
    OVERDUE = "overdue"  # not paid, and past its due date
    DUE = "due"  # not paid, not yet due


@dataclass(frozen=True)
class Total:
    """Money and counts of payments in one group. Outstanding includes overdue; cancelled
    payments are in no total."""

    paid: Decimal = ZERO
    paid_count: int = 0
    outstanding: Decimal = ZERO
    outstanding_count: int = 0
    overdue: Decimal = ZERO
    overdue_count: int = 0

    def __add__(self, other: "Total") -> "Total":
        return Total(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @classmethod
    def of(cls, *, state: str, amount: Decimal, count: int) -> "Total":
        if state == PaymentState.PAID:
            return cls(paid=amount, paid_count=count)
        overdue = state == PaymentState.OVERDUE
        return cls(
            outstanding=amount,
            outstanding_count=count,
            overdue=amount if overdue else ZERO,
            overdue_count=count if overdue else 0,
        )

    @property
    def amount(self) -> Decimal:
        """Paid and still to pay."""
        return self.paid + self.outstanding

    @property
    def count(self) -> int:
        return self.paid_count + self.outstanding_count


@dataclass(frozen=True)
class PaymentTotals:
    """What ``payment_totals`` gives: the whole, and the same money split three ways.

    A paid payment counts in the financial year it was paid; one not yet paid, in the year it
    is due. Each split is sorted: years newest first, service areas and kinds by name (kinds in
    their own order), groups without payments left out.
    """

    today: date
    overall: Total = field(default_factory=Total)
    by_year: list[tuple[FinancialYear, Total]] = field(default_factory=list)
    by_service_area: list[tuple[str, Total]] = field(default_factory=list)
    by_kind: list[tuple[PaymentKind, Total]] = field(default_factory=list)

    def year(self, year: FinancialYear) -> Total:
        """The year's total (an empty one if nothing fell in it)."""
        return dict(self.by_year).get(year, Total())


# The day a payment is counted on: the day paid, or while unpaid the day it is due.
_COUNTED_ON = Coalesce("paid_on", "deadline__due_date")


def _financial_start_year():
    """The year the counted day's financial year starts in, in SQL (for SQLite too)."""
    return ExtractYear("counted_on") - Case(
        When(counted_month__lt=FIRST_MONTH, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _state(*, today: date) -> Case:
    """``PaymentState`` in SQL: overdue as ``Deadline.outcome`` says (due before ``today``)."""
    return Case(
        When(paid_on__isnull=False, then=Value(PaymentState.PAID)),
        When(deadline__due_date__lt=today, then=Value(PaymentState.OVERDUE)),
        default=Value(PaymentState.DUE),
        output_field=CharField(),
    )


def _pounds(value) -> Decimal:
    """A sum from the database, to the penny (already a Decimal from PostgreSQL)."""
    return Decimal(str(value)).quantize(PENNY)


def payment_totals(*, payments, today: date, year: FinancialYear | None = None) -> PaymentTotals:
    """Totals of ``payments`` (a ``RemedyPayment`` queryset, already scoped to the reader),
    cancelled ones left out, by financial year, service area (the complaint's) and kind, as
    of ``today`` (which decides what is overdue). With ``year``, only the payments counted in
    it (paid in it, or unpaid and due in it).

    One query, whatever the number of payments: one row per group, added up here in Decimal.
    """
    rows = (
        payments.not_cancelled()
        .order_by()
        .annotate(counted_on=_COUNTED_ON)
        .annotate(counted_month=ExtractMonth("counted_on"))
        .annotate(
            start_year=_financial_start_year(),
            state=_state(today=today),
            service_area=F("recommendation__complaint__service_area"),
        )
    )
    if year is not None:
        rows = rows.filter(Q(counted_on__gte=year.start) & Q(counted_on__lte=year.end))
    grouped = rows.values("start_year", "service_area", "kind", "state").annotate(
        money=Sum("amount"), number=Count("pk")
    )
    by_year: dict[int, Total] = defaultdict(Total)
    by_area: dict[str, Total] = defaultdict(Total)
    by_kind: dict[str, Total] = defaultdict(Total)
    overall = Total()
    for row in grouped:
        total = Total.of(state=row["state"], amount=_pounds(row["money"]), count=row["number"])
        by_year[row["start_year"]] += total
        by_area[row["service_area"] or NO_SERVICE_AREA] += total
        by_kind[row["kind"]] += total
        overall += total
    order = {kind: position for position, kind in enumerate(PaymentKind.values)}
    return PaymentTotals(
        today=today,
        overall=overall,
        by_year=[
            (FinancialYear.starting(start), by_year[start])
            for start in sorted(by_year, reverse=True)
        ],
        by_service_area=[(area, by_area[area]) for area in sorted(by_area)],
        by_kind=[(PaymentKind(kind), by_kind[kind]) for kind in sorted(by_kind, key=order.get)],
    )


def organisation_payments(user, organisation):
    """The organisation's payments (the user may see them), soonest due first, with what a
    row shows: the complaint and the recommendation."""
    return (
        payments_visible_to(user)
        .filter(recommendation__organisation=organisation)
        .select_related("recommendation__complaint")
        .order_by("deadline__due_date", "pk")
    )
