"""Overriding the date a rule gives, and what a deadline's dates mean once the complaint's date
it counts from moves: the rule's date, an override and an agreed extension side by side."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from deadlines import services
from deadlines.arithmetic import Counting
from deadlines.models import Deadline, ExtensionBasis
from ombudsman_tracker.history import ConflictError
from recommendations import services as recommendation_services
from tests.factories import recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

RULE_DATE = date(2022, 2, 26)  # within 3 months of the report of 26 November 2021


@pytest.fixture
def manager():
    return user_with_role(Role.MANAGER)


@pytest.fixture
def deadline(manager):
    return recommendation_recorded(by=manager).deadline


def _reasons(deadline) -> list[str]:
    return list(
        deadline.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )


def _dates(deadline) -> tuple[date, date, date]:
    """(the date in force, the original due date, the date the rule gives), as saved."""
    deadline = Deadline.objects.get(pk=deadline.pk)
    return deadline.due_date, deadline.original_due_date, deadline.computed_due_date


def _extend(deadline, manager, to: date):
    return services.extension_record(
        deadline=deadline,
        new_due_date=to,
        reason="The committee meets in May",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=manager,
        at=timezone.now(),
    )


def _move_report_date(deadline, manager, to: date):
    complaint = deadline.complaint
    recommendation_services.complaint_update(
        complaint=complaint,
        version=complaint.version,
        by=manager,
        report_date=to,
        received_date=to,
    )


# --- Overrides ------------------------------------------------------------------------------


def test_an_override_keeps_the_rules_date_beside_it_and_both_are_in_the_history(deadline, manager):
    saved = services.deadline_override(
        deadline=deadline,
        due_date=date(2022, 3, 31),
        reason="Legal services count from the date received",
        by=manager,
        version=deadline.version,
    )

    assert _dates(saved) == (date(2022, 3, 31), date(2022, 3, 31), RULE_DATE)
    assert saved.override_reason == "Legal services count from the date received"
    assert _reasons(saved)[-1] == (
        "Due date overridden to 31 March 2022 (the rule gives 26 February 2022): "
        "Legal services count from the date received"
    )


def test_an_override_needs_a_reason(deadline, manager):
    with pytest.raises(ValidationError) as refused:
        services.deadline_override(
            deadline=deadline, due_date=date(2022, 3, 31), reason="  ", by=manager
        )

    assert refused.value.message_dict == {
        "reason": ["Give the reason the due date differs from the rule."]
    }
    assert _dates(deadline) == (RULE_DATE, RULE_DATE, RULE_DATE)


def test_an_override_from_a_page_opened_before_another_change_is_refused(deadline, manager):
    seen = deadline.version
    services.deadline_override(
        deadline=deadline, due_date=date(2022, 3, 31), reason="First", by=manager, version=seen
    )

    with pytest.raises(ConflictError):
        services.deadline_override(
            deadline=deadline, due_date=date(2022, 4, 30), reason="Second", by=manager, version=seen
        )

    assert _dates(deadline)[0] == date(2022, 3, 31)


def test_setting_the_rules_date_again_removes_the_override_so_the_deadline_follows_its_rule(
    deadline, manager
):
    services.deadline_override(
        deadline=deadline, due_date=date(2022, 3, 31), reason="Legal advice", by=manager
    )
    back = services.deadline_override(
        deadline=deadline, due_date=RULE_DATE, reason="The advice was withdrawn", by=manager
    )
    _move_report_date(deadline, manager, date(2021, 12, 1))

    assert back.override_reason == ""
    assert _reasons(back)[-2] == (
        "Due date set back to the rule's date, 26 February 2022: The advice was withdrawn"
    )
    assert _dates(deadline) == (date(2022, 3, 1),) * 3


def test_an_overridden_date_stays_beside_the_rules_new_date_when_the_complaints_date_moves(
    deadline, manager
):
    services.deadline_override(
        deadline=deadline, due_date=date(2022, 3, 31), reason="Legal advice", by=manager
    )

    _move_report_date(deadline, manager, date(2021, 12, 1))

    assert _dates(deadline) == (date(2022, 3, 31), date(2022, 3, 31), date(2022, 3, 1))
    assert Deadline.objects.get(pk=deadline.pk).anchor_label == (
        "the date of the report (1 December 2021)"
    )
    assert _reasons(deadline)[-1] == (
        "Recomputed after the complaint's dates changed: the rule gives 1 March 2022; the date "
        "that overrides it, 31 March 2022, stands"
    )


def test_a_date_the_ombudsman_stated_is_not_overridden_but_corrected(manager):
    stated = recommendation_recorded(
        by=manager, rule={"counting": Counting.STATED, "stated_date": date(2022, 3, 15)}
    ).deadline

    with pytest.raises(ValidationError, match="edit the recommendation to correct it"):
        services.deadline_override(
            deadline=stated, due_date=date(2022, 4, 1), reason="Later", by=manager
        )


def test_an_override_earlier_than_an_agreed_extension_leaves_the_extension_in_force(
    deadline, manager
):
    _extend(deadline, manager, date(2022, 5, 26))

    services.deadline_override(
        deadline=deadline, due_date=date(2022, 3, 31), reason="Legal advice", by=manager
    )

    assert _dates(deadline) == (date(2022, 5, 26), date(2022, 3, 31), RULE_DATE)


# --- The complaint's date moves after an agreed extension -----------------------------------


def test_after_an_agreed_extension_the_original_date_follows_the_rule_and_the_agreed_one_stands(
    deadline, manager
):
    _extend(deadline, manager, date(2022, 5, 26))

    _move_report_date(deadline, manager, date(2021, 12, 1))

    assert _dates(deadline) == (date(2022, 5, 26), date(2022, 3, 1), date(2022, 3, 1))
    assert _reasons(deadline)[-1] == (
        "Recomputed after the complaint's dates changed: the rule gives 1 March 2022; the "
        "extension agreed to 26 May 2022 stands"
    )


def test_an_agreed_extension_the_rules_new_date_has_passed_gives_way_to_it(deadline, manager):
    extension = _extend(deadline, manager, date(2022, 3, 15))

    _move_report_date(deadline, manager, date(2022, 1, 10))

    assert _dates(deadline) == (date(2022, 4, 10),) * 3
    assert _reasons(deadline)[-1] == (
        "Recomputed after the complaint's dates changed: the rule gives 10 April 2022, later "
        "than the extension agreed to 15 March 2022"
    )
    extension.refresh_from_db()
    assert (extension.previous_due_date, extension.new_due_date) == (RULE_DATE, date(2022, 3, 15))
