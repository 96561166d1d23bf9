"""Two people act on the same record from pages opened at the same time.

Each test loads two copies of a row before either acts, as two browser tabs (or two managers)
would. The first acts; the second, still holding the old state, is refused and leaves the
record exactly as the first left it. The services check state on the locked row, not on the
caller's copy.
"""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from audits import services as audit_services
from audits.models import AuditOutcome, AuditProgramme, LiveConcern, OutcomeStatus, SampleCase
from audits.selectors import moderation_pair
from deadlines import services as deadline_services
from deadlines.models import Deadline, DeadlineStatus, Extension, ExtensionBasis, ExtensionStatus
from ombudsman_tracker.history import ConflictError
from recommendations import services
from recommendations.models import DEADLINE_STATUS_FOR, Recommendation, RecommendationStatus
from reports import services as report_services
from reports.models import Body, CommitteeReport, ReportStatus
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
DUE = date(2022, 2, 26)  # three months from the report of 26 November 2021
SUBMITTED = {"grade": "requires_improvement", "similar_issues": True}


def _two_copies(instance):
    model = type(instance)
    return model.objects.get(pk=instance.pk), model.objects.get(pk=instance.pk)


def _reasons(record) -> list[str]:
    return list(
        record.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )


# --- Recommendations and extensions ---------------------------------------------------------


@pytest.fixture
def requested(officer, manager):
    deadline = recommendation_recorded(by=manager).deadline
    return deadline_services.extension_request(
        deadline=deadline,
        new_due_date=date(2022, 4, 30),
        reason="The audit takes longer",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=officer,
        at=AT,
    )


def test_an_extension_agreed_in_one_tab_cannot_be_refused_in_another(requested, manager):
    first, second = _two_copies(requested)

    deadline_services.extension_decide(extension=first, agreed=True, by=manager, at=AT)
    with pytest.raises(ValidationError, match="already been decided"):
        deadline_services.extension_decide(extension=second, agreed=False, by=manager, at=AT)

    extension = Extension.objects.get(pk=requested.pk)
    deadline = Deadline.objects.get(pk=requested.deadline_id)
    assert extension.status == ExtensionStatus.AGREED
    assert (deadline.due_date, deadline.original_due_date) == (date(2022, 4, 30), DUE)
    assert _reasons(deadline).count("Extended to 30 April 2022") == 1


def test_an_extension_refused_in_one_tab_cannot_be_agreed_in_another(requested, manager):
    first, second = _two_copies(requested)

    deadline_services.extension_decide(extension=first, agreed=False, by=manager, at=AT)
    with pytest.raises(ValidationError, match="already been decided"):
        deadline_services.extension_decide(extension=second, agreed=True, by=manager, at=AT)

    assert Extension.objects.get(pk=requested.pk).status == ExtensionStatus.REFUSED
    assert Deadline.objects.get(pk=requested.deadline_id).due_date == DUE


def test_an_extension_asked_from_a_page_opened_before_another_was_agreed_is_refused(
    manager, officer
):
    first, second = _two_copies(recommendation_recorded(by=manager).deadline)
    deadline_services.extension_record(
        deadline=first,
        new_due_date=date(2022, 5, 31),
        reason="Committee moved",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=manager,
        at=AT,
    )

    with pytest.raises(ValidationError, match="after the current due date \\(31 May 2022\\)"):
        deadline_services.extension_request(
            deadline=second,
            new_due_date=date(2022, 4, 30),  # later than the date this page showed
            reason="The audit takes longer",
            basis=ExtensionBasis.AGREED_IN_WRITING,
            by=officer,
            at=AT,
        )

    assert Deadline.objects.get(pk=first.pk).due_date == date(2022, 5, 31)
    assert list(
        Extension.objects.filter(deadline=first).values_list("new_due_date", flat=True)
    ) == [date(2022, 5, 31)]


def test_a_recommendation_withdrawn_in_one_tab_cannot_be_found_not_complied_in_another(manager):
    first, second = _two_copies(recommendation_recorded(by=manager))
    # Without a version, as the spreadsheet importer calls it: the status alone must hold.
    services.recommendation_transition(
        recommendation=first, to_status=RecommendationStatus.WITHDRAWN, by=manager, on=AT.date()
    )

    with pytest.raises(ValidationError, match="withdrawn cannot become not complied"):
        services.recommendation_transition(
            recommendation=second,
            to_status=RecommendationStatus.NOT_COMPLIED,
            by=manager,
            on=AT.date(),
        )

    recommendation = Recommendation.objects.select_related("deadline").get(pk=first.pk)
    assert recommendation.status == RecommendationStatus.WITHDRAWN
    assert recommendation.deadline.status == DEADLINE_STATUS_FOR[RecommendationStatus.WITHDRAWN]


# --- Audits ---------------------------------------------------------------------------------


@pytest.fixture
def programme(manager):
    population_imported(organisation=manager.organisation, count=10, by=manager)
    return programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"), by=manager
    )


@pytest.fixture
def moderated_case(programme, manager):
    """A case of the sample with an auditor and a moderator, both of whom have submitted."""
    audit_services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set(
        [user_with_role(Role.AUDITOR, username=f"auditor{n}", team="QA") for n in range(2)]
    )
    audit_services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.exclude(moderator=None).first()
    for auditor in (sample_case.auditor, sample_case.moderator):
        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=auditor,
            answers=SUBMITTED | {"similar_issues": auditor == sample_case.auditor},
            version=None,
            submit=True,
            at=AT,
        )
    return sample_case


def test_a_sample_drawn_in_one_tab_cannot_be_drawn_again_in_another(programme, manager):
    first, second = _two_copies(programme)
    audit_services.sample_draw(programme=first, by=manager, at=AT, seed="first")

    with pytest.raises(ValidationError, match="already been drawn"):
        audit_services.sample_draw(programme=second, by=manager, at=AT, seed="second")

    assert AuditProgramme.objects.get(pk=programme.pk).seed == "first"
    assert programme.sample_cases.count() == 10


def test_a_full_audit_created_in_one_tab_cannot_be_created_again_in_another(programme, manager):
    audit_services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set([user_with_role(Role.AUDITOR, username="aud", team="QA")])
    audit_services.auditors_assign(programme=programme, by=manager)
    for sample_case in programme.sample_cases.select_related("auditor"):
        audit_services.outcome_save(
            sample_case=sample_case,
            auditor=sample_case.auditor,
            answers=SUBMITTED,
            version=None,
            submit=True,
            at=AT,
        )
    first, second = _two_copies(programme)
    arguments = {"owner": manager, "due_date": date(2022, 6, 30), "by": manager, "at": AT}

    audit_services.full_audit_create(programme=first, **arguments)
    with pytest.raises(ValidationError, match="already been created"):
        audit_services.full_audit_create(programme=second, **arguments)

    assert AuditProgramme.objects.filter(triggered_by=programme).count() == 1


def test_two_managers_settling_the_same_case_the_second_is_refused(moderated_case, manager):
    seen = moderation_pair(moderated_case).seen  # both managers opened the settle form
    first, second = _two_copies(moderated_case)
    other_manager = user_with_role(
        Role.MANAGER, username="other", organisation=manager.organisation
    )

    audit_services.moderation_settle(
        sample_case=first, similar_issues=False, grade="good", seen=seen, by=manager
    )
    with pytest.raises(ConflictError):
        audit_services.moderation_settle(
            sample_case=second,
            similar_issues=True,
            grade="inadequate",
            seen=seen,
            by=other_manager,
        )

    settled = SampleCase.objects.get(pk=moderated_case.pk)
    assert (settled.settled_similar_issues, settled.settled_grade, settled.settled_by) == (
        False,
        "good",
        manager,
    )
    assert _reasons(settled).count("Moderation settled") == 1


def test_an_outcome_reopened_in_one_tab_cannot_be_reopened_in_another(moderated_case, manager):
    outcome = AuditOutcome.objects.get(sample_case=moderated_case, role="audit")
    first, second = _two_copies(outcome)

    audit_services.outcome_reopen(outcome=first, reason="Wrong case notes read", by=manager)
    with pytest.raises(ValidationError, match="Only a submitted outcome can be reopened"):
        audit_services.outcome_reopen(outcome=second, reason="Read the wrong case", by=manager)

    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DRAFT
    assert [r for r in _reasons(outcome) if r.startswith("Reopened")] == [
        "Reopened: Wrong case notes read"
    ]


def test_a_case_cannot_be_given_to_its_moderator_from_a_page_opened_before_moderation(
    programme, manager
):
    audit_services.sample_draw(programme=programme, by=manager, at=AT)
    auditors = [user_with_role(Role.AUDITOR, username=f"auditor{n}", team="QA") for n in range(2)]
    programme.auditors.set(auditors[:1])
    audit_services.auditors_assign(programme=programme, by=manager)
    stale = programme.sample_cases.first()  # the reassign page, opened before moderation
    programme.auditors.add(auditors[1])
    audit_services.auditors_assign(programme=programme, by=manager)
    moderator = SampleCase.objects.get(pk=stale.pk).moderator
    assert moderator == auditors[1]

    with pytest.raises(ValidationError, match="already the case's moderator"):
        audit_services.sample_case_reassign(sample_case=stale, auditor=moderator, by=manager)

    case = SampleCase.objects.get(pk=stale.pk)
    assert (case.auditor, case.moderator) == (auditors[0], auditors[1])


def test_a_live_concern_answered_in_one_tab_cannot_be_answered_again_in_another(programme, manager):
    audit_services.sample_draw(programme=programme, by=manager, at=AT)
    programme.auditors.set([user_with_role(Role.AUDITOR, username="aud", team="QA")])
    audit_services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.first()
    concern = audit_services.concern_raise(
        sample_case=sample_case,
        concern="At risk",
        raised_by=sample_case.auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )
    first, second = _two_copies(concern)

    audit_services.concern_respond(concern=first, response="Visited today.", by=manager, at=AT)
    with pytest.raises(ValidationError, match="already been recorded"):
        audit_services.concern_respond(
            concern=second, response="Safety plan agreed.", by=manager, at=AT
        )

    answered = LiveConcern.objects.select_related("deadline").get(pk=concern.pk)
    assert answered.response == "Visited today."
    assert answered.deadline.status == DeadlineStatus.MET
    assert _reasons(answered.deadline).count("Live concern answered") == 1


# --- Committee reports ----------------------------------------------------------------------


@pytest.fixture
def draft(manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    complaint = recommendation_recorded(by=manager).complaint
    return report_services.report_draft_create(
        organisation=manager.organisation,
        complaints=[complaint],
        body=Body.objects.get(name="General Purposes & Audit Committee", organisation=None),
        meeting_date=date(2022, 2, 15),
        asked_to="Note the progress made.",
        by=manager,
        at=AT,
    )


def test_a_report_issued_in_one_tab_cannot_be_issued_again_in_another(draft, manager):
    first, second = _two_copies(draft)
    report_services.report_issue(report=first, by=manager, at=AT)

    with pytest.raises(ValidationError, match="Version 1 is already issued"):
        report_services.report_issue(report=second, by=manager, at=AT)

    issued = CommitteeReport.objects.get(pk=draft.pk)
    assert (issued.status, issued.version_number) == (ReportStatus.ISSUED, 1)
    assert _reasons(issued).count("Issued as version 1") == 1


def test_a_draft_issued_in_one_tab_cannot_be_changed_in_another(draft, manager):
    first, second = _two_copies(draft)
    report_services.report_issue(report=first, by=manager, at=AT)

    with pytest.raises(ValidationError, match="is issued and cannot change"):
        report_services.report_draft_update(
            report=second,
            complaints=list(draft.complaints.all()),
            body=draft.body,
            meeting_date=date(2022, 3, 1),
            asked_to="Changed after issue",
            by=manager,
        )

    issued = CommitteeReport.objects.get(pk=draft.pk)
    assert (issued.meeting_date, issued.asked_to) == (date(2022, 2, 15), "Note the progress made.")
