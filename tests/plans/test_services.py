"""A recommendation's action plan: milestones that are deadlines, a baseline the committee
agreed, and slippage against it shown honestly."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from deadlines.models import DeadlineKind, DeadlineStatus, Outcome
from plans import services
from plans.models import Milestone, MilestoneStatus
from plans.presentation import milestone_slippage
from recommendations import services as recommendation_services
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.factories import (
    complaint_recorded,
    milestone_added,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AGREED = date(2021, 12, 14)
NOTE = "Agreed by the General Purposes & Audit Committee on 14 Dec 2021"


def moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


@pytest.fixture
def recommendation(manager):
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    return recommendation_recorded(complaint=complaint, by=manager, owner=manager)


@pytest.fixture
def briefing(recommendation, officer, manager):
    return milestone_added(
        recommendation=recommendation, planned_date=date(2022, 1, 14), owner=officer, by=manager
    )


def _fresh(milestone) -> Milestone:
    return Milestone.objects.select_related("deadline", "plan").get(pk=milestone.pk)


def _reasons(record) -> list[str]:
    return list(
        record.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )


# --- Milestones are deadlines ----------------------------------------------------------------


def test_a_milestone_is_a_council_set_deadline_of_the_recommendations_complaint(
    briefing, recommendation
):
    deadline = briefing.deadline

    assert (deadline.kind, deadline.due_date, deadline.owner.username) == (
        DeadlineKind.MILESTONE,
        date(2022, 1, 14),
        "officer",
    )
    assert (deadline.complaint, deadline.organisation) == (
        recommendation.complaint,
        recommendation.organisation,
    )
    assert deadline.rule_description == "A date set by the council"
    assert deadline.title.endswith("recommendation 1: Briefing written")
    assert (
        deadline.get_absolute_url()
        == f"/plans/recommendations/{recommendation.pk}/#milestone-{briefing.pk}"
    )


def test_moving_a_milestone_moves_its_deadline_with_the_reason_in_both_histories(briefing, manager):
    services.milestone_update(
        milestone=briefing,
        version=briefing.version,
        planned_date=date(2022, 1, 28),
        reason="Waiting for the legal team",
        by=manager,
    )

    milestone = _fresh(briefing)
    expected = (
        "Milestone planned date moved from 14 January 2022 to 28 January 2022: Waiting for the "
        "legal team"
    )
    assert milestone.deadline.due_date == date(2022, 1, 28)
    assert _reasons(milestone)[-1] == expected
    assert _reasons(milestone.deadline)[-1] == expected


def test_moving_a_milestone_needs_a_reason(briefing, manager):
    with pytest.raises(ValidationError) as error:
        services.milestone_update(
            milestone=briefing, version=briefing.version, planned_date=date(2022, 2, 1), by=manager
        )

    assert error.value.message_dict == {"reason": ["Enter why the planned date moves"]}
    assert _fresh(briefing).deadline.due_date == date(2022, 1, 14)


def test_completing_a_milestone_meets_its_deadline_late_or_on_time(briefing, manager):
    services.milestone_complete(milestone=briefing, on=date(2022, 1, 20), by=manager)

    milestone = _fresh(briefing)
    assert (milestone.status, milestone.actual_date) == (MilestoneStatus.DONE, date(2022, 1, 20))
    assert milestone.deadline.status == DeadlineStatus.MET
    assert milestone.deadline.outcome(at=date(2022, 3, 1)) == Outcome.COMPLIED_LATE
    assert _reasons(milestone.deadline)[-1] == "Milestone done on 20 January 2022"


def test_dropping_withdraws_the_deadline_and_reopening_opens_it_again(briefing, manager):
    services.milestone_drop(milestone=briefing, reason="Covered by the CPD cycle", by=manager)
    dropped = _fresh(briefing)
    withdrawn = dropped.deadline.status
    services.milestone_reopen(milestone=dropped, reason="The committee asked for it", by=manager)

    reopened = _fresh(briefing)
    assert withdrawn == DeadlineStatus.WITHDRAWN
    assert (reopened.status, reopened.deadline.status) == (
        MilestoneStatus.PLANNED,
        DeadlineStatus.OPEN,
    )
    assert _reasons(reopened.deadline)[-2:] == [
        "Milestone dropped: Covered by the CPD cycle",
        "Milestone reopened as planned: The committee asked for it",
    ]


def test_a_done_milestone_reopens_in_progress_without_its_date(briefing, manager):
    services.milestone_complete(milestone=briefing, on=date(2022, 1, 10), by=manager)
    services.milestone_reopen(milestone=_fresh(briefing), reason="Briefing withdrawn", by=manager)

    milestone = _fresh(briefing)
    assert (milestone.status, milestone.actual_date, milestone.deadline.completed_on) == (
        MilestoneStatus.IN_PROGRESS,
        None,
        None,
    )


def test_a_dropped_milestone_cannot_be_marked_done(briefing, manager):
    services.milestone_drop(milestone=briefing, reason="Not needed", by=manager)

    with pytest.raises(ValidationError, match="dropped cannot become done"):
        services.milestone_complete(milestone=_fresh(briefing), on=date(2022, 1, 10), by=manager)


def test_evidence_must_be_the_recommendations_own(briefing, manager):
    other = recommendation_recorded(by=manager)
    evidence = recommendation_services.evidence_add(
        recommendation=other,
        description="Minutes",
        url="https://example.org/minutes",
        by=manager,
        at=moment(date(2022, 1, 10)),
    )

    with pytest.raises(ValidationError) as error:
        services.milestone_complete(
            milestone=briefing, on=date(2022, 1, 10), evidence=evidence, by=manager
        )

    assert error.value.message_dict == {"evidence": ["Choose evidence of this recommendation"]}


def test_the_owner_must_work_for_the_recommendations_organisation(recommendation, manager):
    kent = user_with_role(Role.OFFICER, username="kent-officer", organisation__name="Kent")

    with pytest.raises(ValidationError) as error:
        milestone_added(recommendation=recommendation, owner=kent, by=manager)

    assert "owner" in error.value.message_dict
    assert not Milestone.objects.exists()


def test_changing_the_owner_reassigns_the_deadline(briefing, manager):
    services.milestone_update(
        milestone=briefing, version=briefing.version, owner=manager, by=manager
    )

    milestone = _fresh(briefing)
    assert milestone.deadline.owner == manager
    assert _reasons(milestone.deadline)[-1] == f"Owner changed to {manager}"


# --- Concurrent edits -----------------------------------------------------------------------


def test_an_edit_from_a_stale_page_is_refused_and_writes_nothing(briefing, manager):
    seen = briefing.version
    services.milestone_update(
        milestone=_fresh(briefing), version=seen, title="Briefing drafted", by=manager
    )

    with pytest.raises(services.ConflictError):
        services.milestone_update(
            milestone=_fresh(briefing), version=seen, title="Briefing sent", by=manager
        )

    assert _fresh(briefing).title == "Briefing drafted"


def test_completing_from_a_stale_page_is_refused(briefing, manager):
    seen = briefing.version
    services.milestone_update(
        milestone=_fresh(briefing), version=seen, status="in_progress", by=manager
    )

    with pytest.raises(services.ConflictError):
        services.milestone_complete(
            milestone=_fresh(briefing), on=date(2022, 1, 10), version=seen, by=manager
        )

    assert _fresh(briefing).deadline.status == DeadlineStatus.OPEN


# --- The baseline and slippage --------------------------------------------------------------


@pytest.fixture
def baselined(recommendation, briefing, manager):
    """Three milestones, baselined as the committee agreed them on 14 December 2021."""
    audit = milestone_added(
        recommendation=recommendation,
        title="Audit sample drawn",
        planned_date=date(2022, 2, 1),
        by=manager,
    )
    committee = milestone_added(
        recommendation=recommendation,
        title="Report to committee",
        planned_date=date(2022, 3, 15),
        by=manager,
    )
    plan = services.plan_baseline(
        plan=briefing.plan, agreed_on=AGREED, note=NOTE, by=manager, at=moment(AGREED)
    )
    return plan, [_fresh(briefing), _fresh(audit), _fresh(committee)]


def test_baselining_freezes_each_planned_date(baselined, manager):
    plan, milestones = baselined

    assert [m.baseline_date for m in milestones] == [
        date(2022, 1, 14),
        date(2022, 2, 1),
        date(2022, 3, 15),
    ]
    assert (plan.agreed_on, plan.baseline_note, plan.baselined_by, plan.baseline_count) == (
        AGREED,
        NOTE,
        manager,
        1,
    )
    assert [milestone_slippage(m) for m in milestones] == ["On the baseline"] * 3


def test_slippage_shows_planned_against_baseline_in_days(baselined, manager):
    _, (briefing, audit, _committee) = baselined

    services.milestone_update(
        milestone=audit,
        version=audit.version,
        planned_date=date(2022, 2, 15),
        reason="Population extract late",
        by=manager,
    )
    services.milestone_complete(milestone=briefing, on=date(2022, 1, 11), by=manager)

    audit, briefing = _fresh(audit), _fresh(briefing)
    assert (audit.baseline_date, audit.planned_date, audit.slippage_days) == (
        date(2022, 2, 1),
        date(2022, 2, 15),
        14,
    )
    assert milestone_slippage(audit) == "14 days later than the baseline"
    assert milestone_slippage(briefing) == "3 days earlier than the baseline"


def test_a_milestone_added_after_the_baseline_is_not_in_it(baselined, recommendation, manager):
    added = milestone_added(
        recommendation=recommendation,
        title="Multi-agency audit of the front door",
        planned_date=date(2022, 4, 1),
        by=manager,
    )

    assert (added.baseline_date, added.slippage_days) == (None, None)
    assert milestone_slippage(added) == "Not in the baseline"
    assert _reasons(added) == ["Milestone added after the baseline"]


def test_rebaselining_needs_a_reason_and_keeps_the_old_baseline_in_history(
    baselined, recommendation, manager
):
    plan, (_briefing, audit, committee) = baselined
    services.milestone_update(
        milestone=audit,
        version=audit.version,
        planned_date=date(2022, 2, 15),
        reason="Population extract late",
        by=manager,
    )
    services.milestone_drop(milestone=_fresh(committee), reason="Merged with audit", by=manager)

    with pytest.raises(ValidationError) as error:
        services.plan_baseline(
            plan=plan, agreed_on=date(2022, 3, 1), note="Agreed", by=manager, at=moment(AGREED)
        )
    assert error.value.message_dict == {"reason": ["Enter why the plan is baselined again"]}

    plan = services.plan_baseline(
        plan=plan,
        agreed_on=date(2022, 3, 1),
        note="Agreed by the Improvement Board",
        reason="Audit moved",
        by=manager,
        at=moment(date(2022, 3, 1)),
    )

    audit, committee = _fresh(audit), _fresh(committee)
    assert (plan.baseline_count, plan.agreed_on) == (2, date(2022, 3, 1))
    assert (audit.baseline_date, audit.slippage_days) == (date(2022, 2, 15), 0)
    assert committee.baseline_date is None
    assert list(audit.history.values_list("baseline_date", flat=True).order_by("history_id")) == [
        None,
        date(2022, 2, 1),
        date(2022, 2, 1),
        date(2022, 2, 15),
    ]
    assert plan.history.order_by("history_id").values_list("agreed_on", flat=True)[1] == AGREED
    assert _reasons(plan)[-1] == (
        "Baseline 2 agreed on 1 March 2022 (Agreed by the Improvement Board): Audit moved"
    )


def test_a_plan_without_milestones_cannot_be_baselined(recommendation, manager):
    plan = services.plan_get_or_create(recommendation=recommendation, by=manager)

    with pytest.raises(ValidationError, match="Add the plan's milestones"):
        services.plan_baseline(
            plan=plan, agreed_on=AGREED, note=NOTE, by=manager, at=moment(AGREED)
        )


# --- Reminders ------------------------------------------------------------------------------


def test_the_reminder_dispatch_reminds_a_milestones_owner(briefing):
    reminder_services.reminders_dispatch(now=moment(date(2022, 1, 7)))

    assert list(
        Reminder.objects.filter(deadline=briefing.deadline).values_list(
            "stage", "recipient__username"
        )
    ) == [("before:7", "officer")]


def test_a_done_milestone_is_no_longer_reminded(briefing, manager):
    services.milestone_complete(milestone=briefing, on=date(2022, 1, 5), by=manager)

    reminder_services.reminders_dispatch(now=moment(date(2022, 1, 7)))

    assert not Reminder.objects.filter(deadline=briefing.deadline).exists()
