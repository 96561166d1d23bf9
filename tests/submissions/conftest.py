"""The minute's case: a public interest report of 26 November 2021 binding Croydon and Kent,
with two Croydon recommendations (one with a file and a link as evidence, one with a file) and
one for Kent. Officers are named, so tests can look for their names where they must not be."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import RecommendationKind
from submissions import services
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

PREPARED_AT = datetime(2022, 2, 18, 9, 0, tzinfo=UTC)
SENT_AT = datetime(2022, 2, 21, 10, 0, tzinfo=UTC)
SENT_ON = date(2022, 2, 21)
BRIEFING = b"%PDF-1.4 briefing for social care staff"
AUDIT = b"%PDF-1.4 audit report of 50 cases"


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
        Role.MANAGER,
        username="manager",
        organisation=croydon,
        first_name="Morgan",
        last_name="Marlowe",
    )


@pytest.fixture
def officer(croydon):
    return user_with_role(
        Role.OFFICER,
        username="officer",
        organisation=croydon,
        first_name="Olufemi",
        last_name="Okonkwo",
    )


@pytest.fixture
def viewer(croydon):
    return user_with_role(Role.VIEWER, username="viewer", organisation=croydon)


@pytest.fixture
def clerk(croydon):
    return user_with_role(Role.COMMITTEE_CLERK, username="clerk", organisation=croydon)


@pytest.fixture
def kent_officer(kent):
    return user_with_role(Role.OFFICER, username="kent-officer", organisation=kent)


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
        complaint=complaint, organisation=kent, number=1, text="Kent's own recommendation."
    )
    return share, audit, kents


def _added(recommendation, officer, description, *, file=None, url="", hour=9):
    return recommendation_services.evidence_add(
        recommendation=recommendation,
        description=description,
        file=file,
        url=url,
        by=officer,
        at=datetime(2022, 1, 20, hour, 0, tzinfo=UTC),
    )


@pytest.fixture
def evidence(recommendations, officer):
    share, audit, _ = recommendations
    return {
        "briefing": _added(
            share,
            officer,
            "Briefing to social care staff",
            file=SimpleUploadedFile("briefing.pdf", BRIEFING),
        ),
        "intranet": _added(
            share,
            officer,
            "Intranet page on cross-border referrals",
            url="https://intranet.example.org/cross-border",
            hour=10,
        ),
        "audit": _added(
            audit, officer, "Audit report", file=SimpleUploadedFile("audit.pdf", AUDIT), hour=11
        ),
    }


def both_items(recommendations, evidence):
    share, audit, _ = recommendations
    return [
        services.ItemChoice(
            recommendation=share,
            what_was_done="Briefed every social care team on cross-border referrals.",
            done_on=date(2022, 1, 14),
            evidence=[evidence["briefing"], evidence["intranet"]],
        ),
        services.ItemChoice(
            recommendation=audit,
            what_was_done="Audited 50 cases closed since 2018; 9 showed similar issues.",
            done_on=date(2022, 2, 10),
            evidence=[evidence["audit"]],
        ),
    ]


@pytest.fixture
def draft(complaint, croydon, recommendations, evidence, officer):
    return services.submission_draft_create(
        complaint=complaint,
        organisation=croydon,
        items=both_items(recommendations, evidence),
        by=officer,
        at=PREPARED_AT,
    )


def sent(submission, by, *, at=SENT_AT):
    return services.submission_send(
        submission=submission, redaction_confirmed=True, by=by, at=at, version=submission.version
    )
