"""Where a deadline stands on a day: overdue, due soon, due this month, later, or how it was
closed. Computed from its dates and stored nowhere.

The one place "due soon" is decided: the deadline tags on pages, home's list, the dashboard's
figures (in SQL, ``bucket_expression``) and the reminders all read these.
"""

from datetime import date, timedelta

from django.db.models import Case, CharField, F, Value, When

from .models import Deadline, DeadlineStatus, Outcome

# An open deadline due within this many days is "due soon" (an orange tag).
DUE_SOON_DAYS = 14
# Open deadlines due within this many days are "due in the next 30 days" (which includes
# the due-soon ones: the two figures are cumulative, as a manager reads them). Home lists
# the user's own deadlines due this soon, and any overdue.
DUE_MONTH_DAYS = 30


class Bucket:
    """Where a deadline stands on a day."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"  # open, due today or within DUE_SOON_DAYS
    DUE_MONTH = "due_month"  # open, due after DUE_SOON_DAYS and within DUE_MONTH_DAYS
    LATER = "later"  # open, due after DUE_MONTH_DAYS
    ON_TIME = "on_time"
    LATE = "late"
    NOT_COMPLIED = "not_complied"
    WITHDRAWN = "withdrawn"
    # Evidence sent, the Ombudsman's verdict awaited (``Outcome.AWAITING``): never overdue.
    # Before its due date it is left out of the rates, like an open one not yet due (it may
    # still be complied on time); after it, it is due and not (yet) complied.
    AWAITING = "awaiting"
    AWAITING_DUE = "awaiting_due"

    ALL = (
        OVERDUE,
        DUE_SOON,
        DUE_MONTH,
        LATER,
        ON_TIME,
        LATE,
        NOT_COMPLIED,
        WITHDRAWN,
        AWAITING,
        AWAITING_DUE,
    )
    # The ones the compliance rate counts ("all due").
    DUE = (ON_TIME, LATE, NOT_COMPLIED, OVERDUE, AWAITING_DUE)


_CLOSED = {
    Outcome.COMPLIED_ON_TIME: Bucket.ON_TIME,
    Outcome.COMPLIED_LATE: Bucket.LATE,
    Outcome.NOT_COMPLIED: Bucket.NOT_COMPLIED,
    Outcome.WITHDRAWN: Bucket.WITHDRAWN,
    Outcome.OVERDUE: Bucket.OVERDUE,
}


def bucket_for(deadline: Deadline, *, today: date) -> str:
    """The deadline's bucket on ``today``, from ``Deadline.outcome`` (the model's rule)."""
    outcome = deadline.outcome(at=today)
    if outcome in _CLOSED:
        return _CLOSED[outcome]
    if outcome == Outcome.AWAITING:
        return Bucket.AWAITING_DUE if deadline.due_date < today else Bucket.AWAITING
    days_left = (deadline.due_date - today).days
    if days_left <= DUE_SOON_DAYS:
        return Bucket.DUE_SOON
    if days_left <= DUE_MONTH_DAYS:
        return Bucket.DUE_MONTH
    return Bucket.LATER


def is_due_soon(deadline: Deadline, *, today: date) -> bool:
    return bucket_for(deadline, today=today) == Bucket.DUE_SOON


def bucket_expression(*, today: date) -> Case:
    """``bucket_for`` in SQL (a test checks they agree on every kind of row)."""
    return Case(
        When(status=DeadlineStatus.WITHDRAWN, then=Value(Bucket.WITHDRAWN)),
        When(status=DeadlineStatus.NOT_MET, then=Value(Bucket.NOT_COMPLIED)),
        When(
            status=DeadlineStatus.MET,
            completed_on__lte=F("due_date"),
            then=Value(Bucket.ON_TIME),
        ),
        When(status=DeadlineStatus.MET, then=Value(Bucket.LATE)),
        When(status=DeadlineStatus.AWAITING, due_date__lt=today, then=Value(Bucket.AWAITING_DUE)),
        When(status=DeadlineStatus.AWAITING, then=Value(Bucket.AWAITING)),
        When(due_date__lt=today, then=Value(Bucket.OVERDUE)),
        When(due_date__lte=today + timedelta(days=DUE_SOON_DAYS), then=Value(Bucket.DUE_SOON)),
        When(due_date__lte=today + timedelta(days=DUE_MONTH_DAYS), then=Value(Bucket.DUE_MONTH)),
        default=Value(Bucket.LATER),
        output_field=CharField(),
    )
