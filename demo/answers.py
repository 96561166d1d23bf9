"""What the Ombudsman is owed and what it said: the live case's remedy payment, still unpaid,
and the LGSCO's annual letter for 2021-22, whose figures differ from the records in known
ways (decisions the Council never recorded, one compliance outcome more), so the reconciliation
page has something to explain. The figures are made up."""

from datetime import date, timedelta
from decimal import Decimal

from annual_review import services as letter_services
from recommendations.models import Complaint, RecommendationKind
from remedies import services as remedy_services
from remedies.models import PaymentKind

LETTER_YEAR = 2021  # 2021-22, the year of the minute's report
LETTER = {
    "decisions": 14,
    "upheld": 9,
    "compliance_rate": Decimal("100"),
    "compliance_outcomes": 4,
    "satisfactory_remedies": 1,
}


# The finance team's next payment run, after its approval: later than the remedy's own date,
# which is already a week overdue.
PAYMENT_RUN_IN_DAYS = 35


def live_payment_load(*, complaint: Complaint, users, today: date) -> None:
    """The £500 the live case's personal remedy asks for, not yet paid: the finance team's
    approval is awaited and the payment is set for its next payment run."""
    remedy = complaint.recommendations.get(kind=RecommendationKind.PERSONAL_REMEDY)
    remedy_services.payment_add(
        recommendation=remedy,
        amount=Decimal("500.00"),
        kind=PaymentKind.DISTRESS,
        payee_reference="PAYEE-DEMO-0002",
        due_date=today + timedelta(days=PAYMENT_RUN_IN_DAYS),
        by=users["officer"],
    )


def annual_letter_load(*, organisations, users) -> None:
    letter_services.letter_create(
        organisation=organisations["Croydon Council"],
        year=LETTER_YEAR,
        by=users["manager"],
        **LETTER,
    )
