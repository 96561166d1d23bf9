"""Who may open what: every URL of the project, for every role and for anonymous visitors.

The URLs are read from the resolver, so a new URL without a row in ``EXPECTED`` fails the
build until someone decides who may use it. The admin and django.contrib.auth's own views
(sign in, password change) are left out: they have their own tests.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role
from organisations.models import Organisation
from recommendations import services
from recommendations.models import ExtensionBasis
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

OFFICER, AUDITOR, CLERK = Role.OFFICER, Role.AUDITOR, Role.COMMITTEE_CLERK
MANAGER, ADMIN, VIEWER = Role.MANAGER, Role.ADMINISTRATOR, Role.VIEWER
ROLES = (OFFICER, AUDITOR, CLERK, MANAGER, ADMIN, VIEWER)


@dataclass(frozen=True)
class Row:
    get: tuple[int, ...]  # the GET status for each role, in the order of ROLES
    changes_state: bool = False  # accepts POST: unpermitted roles must get 403 for it too
    object: str = ""  # the fixture object whose pk the URL takes


# fmt: off
POST, READ = True, False  # whether the URL also accepts POST (changes state)
C, R, EV, EX = "complaint", "recommendation", "evidence", "extension"
#                                               Officer Auditor Clerk Manager Admin Viewer
EXPECTED = {
    "home":                                   Row((200, 200, 200, 200, 200, 200)),
    "recommendations:complaint_list":         Row((200, 200, 200, 200, 200, 200)),
    "recommendations:complaint_create":       Row((200, 403, 403, 200, 200, 403), POST),
    "recommendations:complaint_detail":       Row((200, 200, 200, 200, 200, 200), READ, C),
    "recommendations:complaint_update":       Row((200, 403, 403, 200, 200, 403), POST, C),
    "recommendations:recommendation_create":  Row((200, 403, 403, 200, 200, 403), POST, C),
    "recommendations:recommendation_list":    Row((200, 200, 200, 200, 200, 200)),
    "recommendations:recommendation_detail":  Row((200, 200, 200, 200, 200, 200), READ, R),
    "recommendations:recommendation_update":  Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:recommendation_status":  Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:evidence_add":           Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:evidence_download":      Row((200, 200, 200, 200, 200, 200), READ, EV),
    "recommendations:extension_create":       Row((200, 403, 403, 200, 200, 403), POST, R),
    # POST only: a GET by a manager is refused as a method, not a permission.
    "recommendations:extension_decide":       Row((403, 403, 403, 405, 405, 403), POST, EX),
    "recommendations:tracker_import":         Row((403, 403, 403, 200, 200, 403), POST),
    "recommendations:tracker_export":         Row((200, 403, 200, 200, 200, 403)),
}
# fmt: on


def _named_patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


def project_url_names() -> list[str]:
    """Every URL of the project but the admin's and django.contrib.auth's, by name."""
    names = []
    for namespace, pattern in _named_patterns(get_resolver()):
        if namespace.startswith("admin:") or pattern.callback.__module__.startswith(
            "django.contrib.auth"
        ):
            continue
        # An unnamed URL cannot be in the table: it shows up here as "<namespace>None".
        names.append(f"{namespace}{pattern.name}")
    return sorted(set(names))


def test_every_row_of_the_table_is_a_url_of_the_project():
    assert sorted(EXPECTED) == project_url_names()


@pytest.fixture
def croydon_records(db, settings, tmp_path):
    """A Croydon complaint with a recommendation, a file of evidence and a pending extension."""
    settings.MEDIA_ROOT = tmp_path
    croydon = Organisation.objects.create(name="Croydon Council")
    manager = user_with_role(MANAGER, username="croydon-manager", organisation=croydon)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=manager,
        at=timezone.now(),
    )
    extension = services.extension_request(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 5, 26),
        reason="Waiting for the committee",
        basis=ExtensionBasis.COMMITTEE_DECISION,
        by=manager,
        at=timezone.now(),
    )
    return {
        "complaint": complaint,
        "recommendation": recommendation,
        "evidence": evidence,
        "extension": extension,
        "croydon": croydon,
    }


def _url(name, records):
    row = EXPECTED[name]
    return reverse(name, args=[records[row.object].pk] if row.object else [])


@pytest.mark.parametrize("name", project_url_names())
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name.lower())
def test_get_status_for_each_role(client, croydon_records, name, role):
    assert name in EXPECTED, f"{name} has no row in EXPECTED: decide who may open it"
    user = user_with_role(
        role, username=f"user-{role.name}", organisation=croydon_records["croydon"]
    )
    client.force_login(user)

    response = client.get(_url(name, croydon_records))

    assert response.status_code == EXPECTED[name].get[ROLES.index(role)]


@pytest.mark.parametrize("name", project_url_names())
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, croydon_records, name, method):
    assert name in EXPECTED, f"{name} has no row in EXPECTED: decide who may open it"
    url = _url(name, croydon_records)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def _refused_posts():
    for name, row in EXPECTED.items():
        if row.changes_state:
            for role, status in zip(ROLES, row.get, strict=True):
                if status == 403:
                    yield name, role


@pytest.mark.parametrize(("name", "role"), list(_refused_posts()))
def test_post_by_a_role_without_the_permission_is_refused(client, croydon_records, name, role):
    user = user_with_role(
        role, username=f"user-{role.name}", organisation=croydon_records["croydon"]
    )
    client.force_login(user)
    recommendation = croydon_records["recommendation"]
    status_before = recommendation.status

    response = client.post(
        _url(name, croydon_records),
        {"decision": "agree", "to_status": "in_progress", "description": "x", "url": "https://a.b"},
    )

    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == status_before
    assert recommendation.evidence.count() == 1


OBJECT_URLS = [name for name, row in EXPECTED.items() if row.object]


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_user_of_another_council_gets_404_for_croydons_records(client, croydon_records, name):
    kent = Organisation.objects.create(name="Kent County Council")
    client.force_login(user_with_role(MANAGER, username="kent-manager", organisation=kent))
    url = _url(name, croydon_records)

    get = client.get(url)
    post = client.post(url, {"decision": "agree"})

    # extension_decide is POST only, so its GET is refused by method before any lookup.
    assert get.status_code == (405 if name == "recommendations:extension_decide" else 404)
    assert post.status_code == 404


def test_a_user_who_sees_all_organisations_sees_croydons_records(client, croydon_records):
    kent = Organisation.objects.create(name="Kent County Council")
    user = user_with_role(
        MANAGER, username="regional-manager", organisation=kent, sees_all_organisations=True
    )
    client.force_login(user)

    response = client.get(_url("recommendations:recommendation_detail", croydon_records))

    assert response.status_code == 200
