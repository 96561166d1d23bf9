"""A manager sets up the 50-case audit, draws and assigns the sample; auditors record outcomes."""

from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.roles import Role
from audits import sampling, services
from audits.models import AuditProgramme, OutcomeStatus, ProgrammeKind, SampleCase
from audits.selectors import audit_cases_for, moderation_pair, programme_threshold
from audits.threshold import Decision
from deadlines.models import DeadlineKind
from ombudsman_tracker.history import ConflictError
from outbox.models import Job
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
SUBMITTED_ANSWERS = {"grade": "requires_improvement", "findings": "Strategy discussion late."}


@pytest.fixture
def recommendation(manager):
    return recommendation_recorded(by=manager, kind="audit")


@pytest.fixture
def programme(recommendation, manager):
    population_imported(organisation=manager.organisation, count=120, by=manager)
    return programme_set_up(recommendation=recommendation, by=manager)


def _auditors(n, team="Quality Assurance"):
    return [user_with_role(Role.AUDITOR, username=f"auditor{i}", team=team) for i in range(n)]


def _submit_all(programme, with_issues, audited=None):
    """Each assigned auditor submits; the first ``with_issues`` cases show similar issues."""
    cases = list(programme.sample_cases.select_related("auditor").order_by("position"))
    for index, sample_case in enumerate(cases[: audited or len(cases)]):
        services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers=SUBMITTED_ANSWERS | {"similar_issues": index < with_issues},
            version=None,
            submit=True,
            at=AT,
        )


def test_programme_has_its_own_deadline(programme):
    assert programme.deadline.kind == DeadlineKind.AUDIT_PROGRAMME
    assert programme.deadline.due_date == date(2022, 4, 30)


def test_draw_freezes_the_population_and_records_how_to_redraw(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")

    programme.refresh_from_db()
    references = [f"CR-{n:05d}" for n in range(1, 121)]
    drawn = list(programme.sample_cases.values_list("case__case_reference", flat=True))
    assert drawn == sampling.draw("5eed", references, 50)
    assert (programme.sampling_method, programme.seed, programme.population_size) == (
        "sha256-rank-v1",
        "5eed",
        120,
    )
    assert programme.population_checksum == sampling.population_checksum(references)


def test_criteria_choose_the_population(recommendation, manager):
    population_imported(organisation=manager.organisation, count=10, by=manager)
    population_imported(
        organisation=manager.organisation, count=5, by=manager, start=11, cross_border=False
    )
    population_imported(
        organisation=manager.organisation,
        count=5,
        by=manager,
        start=16,
        closed_on=date(2017, 12, 31),
        opened_on=date(2017, 1, 1),
    )
    programme = programme_set_up(recommendation=recommendation, by=manager)

    services.sample_draw(programme=programme, by=manager, at=AT)

    programme.refresh_from_db()
    assert programme.population_size == 10


def test_fewer_matching_cases_are_all_taken_and_substitutes_need_a_reason(recommendation, manager):
    cases = population_imported(organisation=manager.organisation, count=48, by=manager)
    similar = population_imported(
        organisation=manager.organisation, count=2, by=manager, start=49, cross_border=False
    )
    programme = programme_set_up(recommendation=recommendation, by=manager)
    services.sample_draw(programme=programme, by=manager, at=AT)
    assert programme.sample_cases.count() == len(cases) == 48

    with pytest.raises(ValidationError, match="reason"):
        services.substitute_add(programme=programme, case=similar[0], reason=" ", by=manager)
    services.substitute_add(
        programme=programme, case=similar[0], reason="Same needs, lived in Croydon", by=manager
    )

    substitute = programme.sample_cases.get(case=similar[0])
    assert (substitute.position, substitute.is_substitute) == (49, True)


def test_extending_continues_the_sequence_and_keeps_the_first_cases(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    first = list(programme.sample_cases.values_list("case__case_reference", flat=True))

    services.sample_extend(programme=programme, by=manager, count=10)

    after = list(programme.sample_cases.values_list("case__case_reference", flat=True))
    references = [f"CR-{n:05d}" for n in range(1, 121)]
    assert after[:50] == first
    assert after == sampling.draw("5eed", references, 60)


def test_cases_are_spread_evenly_and_never_to_the_auditors_own_team(recommendation, manager):
    population_imported(
        organisation=manager.organisation, count=60, by=manager, teams=("Front Door", "Kent Team")
    )
    programme = programme_set_up(recommendation=recommendation, by=manager)
    services.sample_draw(programme=programme, by=manager, at=AT)
    front_door = user_with_role(Role.AUDITOR, username="fd", team="Front Door")
    others = _auditors(2)
    programme.auditors.set([front_door, *others])

    services.auditors_assign(programme=programme, by=manager)

    sample = list(programme.sample_cases.select_related("case", "auditor", "moderator"))
    assert all(sc.auditor.team != sc.case.team for sc in sample)
    assert all(sc.moderator is None or sc.moderator.team != sc.case.team for sc in sample)
    loads = sorted(
        sum(1 for sc in sample if sc.auditor == auditor) for auditor in [front_door, *others]
    )
    assert sum(loads) == 50
    assert loads[-1] - loads[0] <= 25  # front door may only take the Kent team's cases
    assert sum(1 for sc in sample if sc.moderator) == 5
    assert all(sc.moderator != sc.auditor for sc in sample)


def test_reassigning_to_an_auditor_of_the_cases_team_is_refused(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(2))
    services.auditors_assign(programme=programme, by=manager)
    own_team = user_with_role(Role.AUDITOR, username="own", team="Front Door")

    with pytest.raises(ValidationError, match="works in the team"):
        services.sample_case_reassign(
            sample_case=programme.sample_cases.first(), auditor=own_team, by=manager
        )


def test_a_submitted_outcome_is_locked_until_a_manager_reopens_it(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(1))
    services.auditors_assign(programme=programme, by=manager)
    sample_case = SampleCase.objects.filter(programme=programme).first()
    auditor = sample_case.auditor

    draft = services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers={"strategy_discussion_held": "no"},
        version=None,
        submit=False,
        at=AT,
    )
    with pytest.raises(ValidationError, match="Similar issues"):
        services.outcome_save(
            sample_case=sample_case,
            auditor=auditor,
            answers={"grade": "good"},
            version=draft.version,
            submit=True,
            at=AT,
        )
    submitted = services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers=SUBMITTED_ANSWERS | {"similar_issues": True},
        version=draft.version,
        submit=True,
        at=AT,
    )
    with pytest.raises(ValidationError, match="a manager must reopen it"):
        services.outcome_save(
            sample_case=sample_case,
            auditor=auditor,
            answers={"similar_issues": False},
            version=submitted.version,
            submit=False,
            at=AT,
        )

    services.outcome_reopen(outcome=submitted, reason="Wrong case notes read", by=manager)

    submitted.refresh_from_db()
    assert submitted.status == OutcomeStatus.DRAFT
    assert list(
        submitted.history.order_by("history_date").values_list("status", "similar_issues")
    ) == [
        ("draft", None),
        ("submitted", True),
        ("draft", True),
    ]


def test_two_people_saving_the_same_outcome_the_second_gets_a_conflict(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(1))
    services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.first()
    first = services.outcome_save(
        sample_case=sample_case,
        auditor=sample_case.auditor,
        answers={"findings": "Opened by two tabs"},
        version=None,
        submit=False,
        at=AT,
    )
    seen = first.version
    services.outcome_save(
        sample_case=sample_case,
        auditor=sample_case.auditor,
        answers={"findings": "Saved in tab one"},
        version=seen,
        submit=False,
        at=AT,
    )

    with pytest.raises(ConflictError):
        services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers={"findings": "Saved in tab two"},
            version=seen,
            submit=False,
            at=AT,
        )
    first.refresh_from_db()
    assert first.findings == "Saved in tab one"


def test_only_assigned_auditors_record_outcomes(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(1))
    services.auditors_assign(programme=programme, by=manager)
    stranger = user_with_role(Role.AUDITOR, username="stranger")

    with pytest.raises(ValidationError, match="not assigned to you"):
        services.outcome_save(
            sample_case=programme.sample_cases.first(),
            auditor=stranger,
            answers={},
            version=None,
            submit=False,
            at=AT,
        )
    assert list(audit_cases_for(stranger)) == []


@pytest.mark.parametrize(
    ("with_issues", "audited", "decision"),
    [
        (12, 50, Decision.NOT_TRIGGERED),
        (13, 50, Decision.TRIGGERED),
        (13, 20, Decision.TRIGGERED),
        (0, 38, Decision.CANNOT_TRIGGER),
        (5, 30, Decision.NOT_YET_KNOWN),
    ],
)
def test_threshold_follows_the_submitted_outcomes(
    programme, manager, with_issues, audited, decision
):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(3))
    services.auditors_assign(programme=programme, by=manager)

    _submit_all(programme, with_issues=with_issues, audited=audited)

    result = programme_threshold(programme)
    assert (result.sample_size, result.audited, result.with_similar_issues, result.decision) == (
        50,
        audited,
        with_issues,
        decision,
    )


def test_a_settled_moderation_answer_replaces_the_auditors(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(2))
    services.auditors_assign(programme=programme, by=manager)
    _submit_all(programme, with_issues=13)
    assert programme_threshold(programme).decision == Decision.TRIGGERED

    first_with_issues = programme.sample_cases.order_by("position").first()
    services.outcome_save(
        sample_case=first_with_issues,
        auditor=first_with_issues.moderator,
        answers=SUBMITTED_ANSWERS | {"similar_issues": False},
        version=None,
        submit=True,
        at=AT,
    )
    services.moderation_settle(
        sample_case=first_with_issues,
        similar_issues=False,
        grade="good",
        seen=moderation_pair(first_with_issues).seen,
        by=manager,
    )

    assert programme_threshold(programme).decision == Decision.NOT_TRIGGERED


def test_full_audit_follows_a_triggered_threshold_over_every_matching_case(programme, manager):
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(2))
    services.auditors_assign(programme=programme, by=manager)
    with pytest.raises(ValidationError, match="not been triggered"):
        services.full_audit_create(
            programme=programme, owner=manager, due_date=date(2022, 9, 30), by=manager, at=AT
        )
    _submit_all(programme, with_issues=13, audited=13)

    full = services.full_audit_create(
        programme=programme, owner=manager, due_date=date(2022, 9, 30), by=manager, at=AT
    )
    services.sample_draw(programme=full, by=manager, at=AT)

    programme.refresh_from_db()
    assert (full.kind, full.triggered_by, full.deadline.kind) == (
        ProgrammeKind.FULL,
        programme,
        DeadlineKind.FULL_AUDIT,
    )
    assert full.sample_cases.count() == 120
    assert programme.full_audit_confirmed_by == manager
    assert AuditProgramme.objects.count() == 2
    with pytest.raises(ValidationError, match="already been created"):
        services.full_audit_create(
            programme=programme, owner=manager, due_date=date(2022, 9, 30), by=manager, at=AT
        )


def test_managers_are_emailed_when_the_full_audit_is_created(
    programme, manager, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    other_manager = user_with_role(Role.MANAGER, username="second-manager")
    services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(_auditors(2))
    services.auditors_assign(programme=programme, by=manager)
    _submit_all(programme, with_issues=13, audited=13)

    with django_capture_on_commit_callbacks(execute=True):
        full = services.full_audit_create(
            programme=programme, owner=manager, due_date=date(2022, 9, 30), by=manager, at=AT
        )

    (email,) = mail.outbox
    assert email.to == sorted([manager.email, other_manager.email])
    assert email.subject == "Full audit needed: Audit of 50 cross-border cases passed its threshold"
    # Sent by the outbox, which records when.
    notice = Job.objects.get(kind="audits.full_audit_notice", object_id=full.pk)
    assert (notice.attempts, notice.done_at is not None) == (1, True)
    assert f"http://localhost:8000/audits/{full.pk}/" in email.body
    assert "30 September 2022" in email.alternatives[0][0]
