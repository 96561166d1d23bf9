"""A council's administrators choose which compliance rate leads, in the administration site:
nobody else may, another council's choice is not theirs to see, and every change is in its
history with who made it."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from deadlines.models import ComplianceRate, ComplianceSettings
from organisations.models import Organisation
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ADD = reverse("admin:deadlines_compliancesettings_add")
LIST = reverse("admin:deadlines_compliancesettings_changelist")


def change_url(settings: ComplianceSettings) -> str:
    return reverse("admin:deadlines_compliancesettings_change", args=[settings.pk])


@pytest.fixture
def croydon():
    return Organisation.objects.create(name="Croydon Council")


@pytest.fixture
def kent():
    return Organisation.objects.create(name="Kent County Council")


@pytest.fixture
def administrator(croydon):
    return user_with_role(
        Role.ADMINISTRATOR, username="croydon-admin", organisation=croydon, is_staff=True
    )


def test_until_a_council_chooses_the_ombudsmans_reading_leads(croydon):
    assert ComplianceSettings.objects.lead_for(croydon) == ComplianceRate.IMPLEMENTED
    assert ComplianceSettings.objects.lead_for(None) == ComplianceRate.IMPLEMENTED


def test_an_administrator_chooses_the_rate_their_council_leads_with(client, administrator, croydon):
    client.force_login(administrator)

    page = client.get(ADD)
    response = client.post(ADD, {"organisation": croydon.pk, "lead_rate": "on_time"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert ComplianceSettings.objects.lead_for(croydon) == ComplianceRate.ON_TIME
    (added,) = ComplianceSettings.objects.get(organisation=croydon).history.all()
    assert (added.history_user, added.history_change_reason) == (
        administrator,
        "Added in the administration site",
    )


def test_a_change_is_in_the_history_with_who_made_it(client, administrator, croydon):
    settings = ComplianceSettings.objects.create(
        organisation=croydon, lead_rate=ComplianceRate.ON_TIME
    )
    client.force_login(administrator)

    page = client.get(change_url(settings))
    response = client.post(change_url(settings), {"lead_rate": "implemented", "version_seen": 1})

    assert page.status_code == 200
    assert response.status_code == 302
    settings.refresh_from_db()
    assert (settings.lead_rate, settings.version) == (ComplianceRate.IMPLEMENTED, 2)
    latest = settings.history.latest()
    assert (latest.lead_rate, latest.history_user, latest.history_change_reason) == (
        "implemented",
        administrator,
        "Changed in the administration site",
    )
    assert settings.history.count() == 2


def test_a_change_made_on_a_stale_page_is_refused(client, administrator, croydon):
    settings = ComplianceSettings.objects.create(organisation=croydon)
    ComplianceSettings.objects.filter(pk=settings.pk).update(version=2)  # another administrator
    client.force_login(administrator)

    response = client.post(
        change_url(settings), {"lead_rate": "on_time", "version_seen": 1}, follow=True
    )

    settings.refresh_from_db()
    assert settings.lead_rate == ComplianceRate.IMPLEMENTED
    assert "changed by someone else while you were editing it" in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.OFFICER, Role.AUDITOR, Role.COMMITTEE_CLERK, Role.VIEWER]
)
def test_only_administrators_may_see_or_set_it(client, croydon, role):
    settings = ComplianceSettings.objects.create(organisation=croydon)
    client.force_login(user_with_role(role, username="staff", organisation=croydon, is_staff=True))

    responses = [
        client.get(LIST),
        client.get(ADD),
        client.get(change_url(settings)),
        client.post(change_url(settings), {"lead_rate": "on_time", "version_seen": 1}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    settings.refresh_from_db()
    assert settings.lead_rate == ComplianceRate.IMPLEMENTED


def test_another_councils_choice_is_not_an_administrators_to_see_or_make(
    client, administrator, kent
):
    kents = ComplianceSettings.objects.create(organisation=kent)
    client.force_login(administrator)

    listed = client.get(LIST).context["cl"].result_list
    change = client.post(change_url(kents), {"lead_rate": "on_time", "version_seen": 1})
    added = client.post(ADD, {"organisation": kent.pk, "lead_rate": "on_time"})

    assert list(listed) == []
    assert change.status_code == 404
    assert list(added.context["adminform"].form.errors) == ["organisation"]
    kents.refresh_from_db()
    assert kents.lead_rate == ComplianceRate.IMPLEMENTED


def test_a_choice_is_changed_and_never_deleted(client, administrator, croydon):
    settings = ComplianceSettings.objects.create(organisation=croydon)
    client.force_login(administrator)

    response = client.post(
        reverse("admin:deadlines_compliancesettings_delete", args=[settings.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert ComplianceSettings.objects.filter(pk=settings.pk).exists()
