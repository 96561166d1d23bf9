"""The minute's case for the report tests: a public interest report of 26 November 2021
binding Croydon and Kent, with two Croydon recommendations and one for Kent."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import RecommendationKind
from reports import services
from reports.models import Body
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

# The day the figures are taken: before the recommendations' due date (26 February 2022).
ISSUED_AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
MEETING = date(2022, 2, 15)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def kent(db):
    return Organisation.objects.get_or_create(name="Kent County Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(
        Role.MANAGER, username="manager", organisation=croydon, first_name="Morgan"
    )


@pytest.fixture
def clerk(croydon):
    return user_with_role(
        Role.COMMITTEE_CLERK,
        username="clerk",
        organisation=croydon,
        first_name="Chris",
        last_name="Clerk",
    )


@pytest.fixture
def viewer(croydon):
    return user_with_role(Role.VIEWER, username="viewer", organisation=croydon)


@pytest.fixture
def officer(croydon):
    return user_with_role(
        Role.OFFICER,
        username="officer",
        organisation=croydon,
        first_name="Olu",
        last_name="Officer",
    )


@pytest.fixture
def complaint(manager, croydon, kent):
    return complaint_recorded(
        by=manager,
        organisations=[croydon, kent],
        reference="21 000 001",
        title="Cross-border child protection referral",
    )


@pytest.fixture
def recommendations(complaint, manager, officer, croydon, kent):
    share = recommendation_recorded(
        complaint=complaint,
        organisation=croydon,
        number=1,
        owner=officer,
        by=manager,
        text="Share the learning across the organisation.",
        expected_evidence="Copies of the briefing and who received it.",
    )
    audit = recommendation_recorded(
        complaint=complaint,
        organisation=croydon,
        number=2,
        owner=officer,
        by=manager,
        kind=RecommendationKind.AUDIT,
        text="Audit 50 cases closed in similar circumstances.",
        expected_evidence="The audit report.",
    )
    kents = recommendation_recorded(
        complaint=complaint,
        organisation=kent,
        number=1,
        text="Kent's own recommendation.",  # recorded by a Kent manager, as only Kent may
    )
    return share, audit, kents


@pytest.fixture
def briefing(recommendations, officer):
    return recommendation_services.evidence_add(
        recommendation=recommendations[0],
        description="Briefing to social care staff",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=officer,
        at=datetime(2022, 1, 20, 9, 0, tzinfo=UTC),
    )


@pytest.fixture
def committee(db):
    return Body.objects.get(name="General Purposes & Audit Committee", organisation=None)


@pytest.fixture
def ombudsman_body(db):
    return Body.objects.get(name="Local Government and Social Care Ombudsman")


def draft_prepared(*, complaint, organisation, body, by, meeting_date=MEETING, **fields):
    return services.report_draft_create(
        organisation=organisation,
        complaints=[complaint],
        body=body,
        meeting_date=meeting_date,
        asked_to=fields.pop(
            "asked_to", "Note the progress made.\n\nAgree the timeline for the case audit."
        ),
        by=by,
        at=ISSUED_AT,
    )


def report_issued(*, at=ISSUED_AT, **kwargs):
    draft = draft_prepared(**kwargs)
    return services.report_issue(report=draft, by=kwargs["by"], at=at)
