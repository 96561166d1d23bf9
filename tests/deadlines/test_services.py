"""The deadlines service: the one way any app makes, closes, reopens or hands over a deadline."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from deadlines import services
from deadlines.arithmetic import Counting
from deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return user_with_role(Role.MANAGER)


def _reasons(record) -> list[str]:
    return list(
        record.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )


def test_a_deadline_is_made_from_its_rule_with_the_reason_in_its_history(manager):
    complaint = complaint_recorded(by=manager, public_interest_report=False)

    deadline = services.deadline_create(
        complaint=complaint,
        organisation=manager.organisation,
        kind=DeadlineKind.AUDIT_PROGRAMME,
        title="Audit of 50 cases",
        owner=manager,
        rule={"counting": Counting.STATED, "stated_date": date(2022, 6, 30)},
        by=manager,
        reason="Audit programme set up",
    )

    assert (deadline.due_date, deadline.original_due_date) == (date(2022, 6, 30),) * 2
    assert _reasons(deadline) == ["Audit programme set up"]


def test_a_deadline_met_from_one_tab_cannot_be_met_again_from_another(manager):
    deadline = recommendation_recorded(by=manager).deadline
    first, second = Deadline.objects.get(pk=deadline.pk), Deadline.objects.get(pk=deadline.pk)

    services.deadline_complete(deadline=first, on=date(2022, 2, 1), by=manager, reason="Done")
    with pytest.raises(ValidationError, match="already met"):
        services.deadline_complete(deadline=second, on=date(2022, 3, 1), by=manager, reason="Again")

    deadline.refresh_from_db()
    assert (deadline.status, deadline.completed_on) == (DeadlineStatus.MET, date(2022, 2, 1))


def test_a_withdrawn_deadline_reopens_with_its_dates_as_they_were(manager):
    deadline = recommendation_recorded(by=manager).deadline

    services.deadline_withdraw(deadline=deadline, by=manager, reason="No longer applies")
    reopened = services.deadline_reopen(deadline=deadline, by=manager, reason="Applies again")

    assert (reopened.status, reopened.completed_on) == (DeadlineStatus.OPEN, None)
    assert reopened.due_date == deadline.due_date
    assert _reasons(reopened)[-2:] == ["No longer applies", "Applies again"]


def test_a_new_owner_makes_the_recommendations_open_form_stale(manager):
    recommendation = recommendation_recorded(by=manager)
    colleague = user_with_role(Role.OFFICER, organisation=manager.organisation)
    version_seen = recommendation.version

    services.deadline_owner_change(deadline=recommendation.deadline, owner=colleague, by=manager)

    recommendation.refresh_from_db()
    assert recommendation.version == version_seen + 1
    assert _reasons(recommendation)[-1] == f"Owner changed to {colleague}"


def test_a_changed_report_date_moves_the_deadlines_counted_from_it(manager):
    recommendation = recommendation_recorded(by=manager)
    complaint = recommendation.complaint
    complaint.report_date = complaint.received_date = date(2021, 12, 1)
    complaint.save()

    services.deadlines_follow_complaint(
        complaint=complaint, changed_fields=["report_date"], by=manager
    )

    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.due_date == date(2022, 3, 1)
