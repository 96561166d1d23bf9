"""Croydon's records of every kind the view log covers, the staff who open them, and Kent
(another council) whose staff must find none of them."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.roles import Role
from audits import services as audit_services
from audits.models import (
    AuditOutcome,
    AuditProgramme,
    LiveConcern,
    PopulationUpload,
    SampleCase,
    UploadStatus,
)
from organisations.models import Organisation
from recommendations import services
from recommendations.models import Complaint, Evidence
from reports import services as report_services
from reports.models import Body, BodyKind, CommitteeReport, DistributionEntry
from tests.factories import (
    complaint_recorded,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def kent(db):
    return Organisation.objects.get_or_create(name="Kent County Council")[0]


@dataclass
class People:
    manager: User
    officer: User
    viewer: User
    auditor: User
    clerk: User
    administrator: User
    kent_manager: User


@pytest.fixture
def people(croydon, kent) -> People:
    def staff(role, username, name, **extra):
        first_name, last_name = name.split()
        return user_with_role(
            role,
            username=username,
            organisation=extra.pop("organisation", croydon),
            first_name=first_name,
            last_name=last_name,
            **extra,
        )

    return People(
        manager=staff(Role.MANAGER, "manager", "Morgan Manager"),
        officer=staff(Role.OFFICER, "officer", "Olu Officer"),
        viewer=staff(Role.VIEWER, "viewer", "Vic Viewer"),
        auditor=staff(Role.AUDITOR, "auditor", "Aisha Auditor"),
        clerk=staff(Role.COMMITTEE_CLERK, "clerk", "Chris Clerk"),
        administrator=staff(Role.ADMINISTRATOR, "croydon-admin", "Alex Admin", is_staff=True),
        kent_manager=staff(Role.MANAGER, "kent-manager", "Kim Kent", organisation=kent),
    )


@dataclass
class Records:
    complaint: Complaint
    evidence: Evidence
    programme: AuditProgramme
    sample_case: SampleCase
    outcome: AuditOutcome
    concern: LiveConcern
    report: CommitteeReport
    entry: DistributionEntry
    upload: PopulationUpload


@pytest.fixture
def records(people, croydon) -> Records:
    """One of each, Croydon's, made through the services (none of which logs a view)."""
    manager = people.manager
    complaint = complaint_recorded(by=manager, organisations=[croydon], reference="21 000 001")
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        url="",
        by=manager,
        at=AT,
    )
    population_imported(organisation=croydon, count=3, by=manager)
    programme = programme_set_up(recommendation=recommendation, by=manager, target_sample_size=2)
    audit_services.sample_draw(programme=programme, by=manager, at=AT)
    audit_services.auditor_add(programme=programme, auditor=people.auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.filter(auditor=people.auditor).first()
    outcome = audit_services.outcome_save(
        sample_case=sample_case,
        auditor=people.auditor,
        answers={"grade": "good", "similar_issues": False, "findings": "Recorded well"},
        version=None,
        submit=True,
        at=AT,
    )
    concern = audit_services.concern_raise(
        sample_case=sample_case,
        concern="Seen at the station with an adult not known to services",
        raised_by=people.auditor,
        at=AT,
        team_manager_email="front-door@croydon.example.org",
    )
    body = Body.objects.create(
        organisation=croydon, name="Corporate Parenting Panel", kind=BodyKind.COMMITTEE
    )
    report = report_services.report_draft_create(
        organisation=croydon,
        complaints=[complaint],
        body=body,
        meeting_date=date(2022, 2, 15),
        asked_to="Note the report.",
        by=manager,
        at=AT,
    )
    entry = report_services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=body,
        meeting_date=date(2022, 1, 25),  # held before AT: a meeting to come has no minutes yet
        what_was_sent="Progress report",
        minutes=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
        by=manager,
        at=AT,
    ).entry
    upload = PopulationUpload.objects.create(
        organisation=croydon,
        file=SimpleUploadedFile("population.csv", b"case_reference\n"),
        file_name="population.csv",
        uploaded_by=manager,
        uploaded_at=AT,
        status=UploadStatus.DONE,
        result={"rows": 0, "created": 0, "unchanged": 0},
    )
    return Records(
        complaint=complaint,
        evidence=evidence,
        programme=programme,
        sample_case=sample_case,
        outcome=outcome,
        concern=concern,
        report=report,
        entry=entry,
        upload=upload,
    )
