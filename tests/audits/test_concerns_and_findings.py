"""A live concern goes to the team manager at once and stays out of the audit's figures."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from audits import services
from audits.selectors import findings_summary, programme_threshold
from deadlines.models import DeadlineKind, DeadlineStatus
from organisations.models import Team
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # Thursday before Christmas


@pytest.fixture
def sample_case(manager):
    population_imported(organisation=manager.organisation, count=10, by=manager)
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"), by=manager
    )
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set([user_with_role(Role.AUDITOR, username="aud", team="QA")])
    services.auditors_assign(programme=programme, by=manager)
    return programme.sample_cases.select_related("auditor", "case").first()


def test_a_live_concern_goes_to_the_team_manager_with_a_response_deadline(
    sample_case, django_capture_on_commit_callbacks
):
    Team.objects.create(
        organisation=sample_case.case.organisation,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email="front.door.manager@example.org",
    )

    with django_capture_on_commit_callbacks() as callbacks:
        concern = services.concern_raise(
            sample_case=sample_case,
            concern="Sibling still at the address named in the referral.",
            raised_by=sample_case.auditor,
            at=AT,
        )

    assert concern.team_manager_email == "front.door.manager@example.org"
    assert (concern.deadline.kind, concern.deadline.due_date) == (
        DeadlineKind.LIVE_CONCERN,
        date(2026, 12, 29),  # next working day after Christmas and Boxing Day observed
    )
    assert len(callbacks) == 1  # the email is queued once the concern is saved


def test_the_response_deadline_is_owned_by_the_team_manager_who_must_respond(sample_case, manager):
    """Not by the auditor who raised it: the reminders of a missed response go to the one
    who must give it."""
    team_manager = user_with_role(
        Role.MANAGER,
        username="team-manager",
        organisation=manager.organisation,
        email="Front.Door.Manager@example.org",
    )
    Team.objects.create(
        organisation=sample_case.case.organisation,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email="front.door.manager@example.org",
    )

    concern = services.concern_raise(
        sample_case=sample_case, concern="At risk", raised_by=sample_case.auditor, at=AT
    )

    assert concern.deadline.owner == team_manager
    assert concern.deadline.history.get().history_user == sample_case.auditor


def test_a_concern_sent_to_someone_who_is_not_a_manager_here_is_left_to_every_manager(
    sample_case, manager
):
    """An address outside the service (or of someone who cannot record the response) owns
    nothing: the deadline has no owner, so every manager of the council is reminded."""
    user_with_role(
        Role.AUDITOR,
        username="not-a-manager",
        organisation=manager.organisation,
        email="tm@example.org",
    )

    concern = services.concern_raise(
        sample_case=sample_case,
        concern="At risk",
        raised_by=sample_case.auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )

    assert concern.deadline.owner is None


def test_without_a_known_team_manager_the_auditor_must_give_an_email(sample_case):
    with pytest.raises(ValidationError, match="enter the team manager's email"):
        services.concern_raise(
            sample_case=sample_case, concern="At risk", raised_by=sample_case.auditor, at=AT
        )


def test_a_response_closes_the_concern_and_its_deadline(sample_case, manager):
    concern = services.concern_raise(
        sample_case=sample_case,
        concern="At risk",
        raised_by=sample_case.auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )

    services.concern_respond(
        concern=concern, response="Visited the same day; safety plan agreed.", by=manager, at=AT
    )

    concern.deadline.refresh_from_db()
    assert (concern.deadline.status, concern.deadline.completed_on) == (
        DeadlineStatus.MET,
        date(2026, 12, 24),
    )
    with pytest.raises(ValidationError, match="already been recorded"):
        services.concern_respond(concern=concern, response="Again", by=manager, at=AT)


def test_concerns_do_not_count_in_the_figures_and_findings_are_summarised(sample_case, manager):
    services.concern_raise(
        sample_case=sample_case,
        concern="At risk",
        raised_by=sample_case.auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )
    programme = sample_case.programme
    for index, case in enumerate(programme.sample_cases.select_related("auditor")[:4]):
        services.outcome_save(
            sample_case=case,
            auditor=case.auditor,
            answers={
                "grade": "inadequate" if index < 3 else "good",
                "similar_issues": index < 3,
                "strategy_discussion_held": "no" if index < 3 else "yes",
                "agencies_involved": ["police", "health"] if index else ["police"],
                "days_to_strategy_discussion": [2, 4, 9, None][index],
                "findings": f"Finding {index}",
            },
            version=None,
            submit=True,
            at=AT,
        )

    summary = findings_summary(programme)

    assert programme_threshold(programme).with_similar_issues == 3
    assert summary.threshold.audited == 4
    assert summary.grades == {
        "outstanding": 0,
        "good": 1,
        "requires_improvement": 0,
        "inadequate": 3,
    }
    assert summary.answers["strategy_discussion_held"] == {"yes": 1, "no": 3, "n/a": 0}
    assert summary.agencies == {"police": 4, "health": 3}
    assert summary.median_days_to_strategy_discussion == 4
    assert summary.findings == ["Finding 0", "Finding 1", "Finding 2", "Finding 3"]
