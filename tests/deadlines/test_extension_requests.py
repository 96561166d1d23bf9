"""An officer's extension request reaches the managers who decide it: by email, through the
outbox, once, and only those of the deadline's own council."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from deadlines import emails, services
from deadlines.models import ExtensionBasis
from organisations.models import Organisation
from outbox.models import Job
from tests.factories import recommendation_recorded, user_with_role
from tests.outbox.jobs import run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def croydon():
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


@pytest.fixture
def officer(croydon):
    return user_with_role(Role.OFFICER, username="officer", organisation=croydon)


@pytest.fixture
def deadline(manager, officer):
    return recommendation_recorded(by=manager, owner=officer).deadline


def _request(deadline, officer):
    return services.extension_request(
        deadline=deadline,
        new_due_date=date(2022, 5, 26),
        reason="The committee that must consider the report meets in May",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        basis_reference="LGSCO letter of 1 February 2022",
        by=officer,
        at=timezone.now(),
    )


def test_a_request_emails_its_councils_managers_once_with_a_link_to_decide_it(
    settings, croydon, manager, officer, deadline
):
    settings.SITE_URL = "https://tracker.example.org"
    second = user_with_role(Role.MANAGER, username="second-manager", organisation=croydon)
    kent = Organisation.objects.create(name="Kent County Council")
    user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    extension = _request(deadline, officer)

    first_run = run_job(emails.EXTENSION_REQUEST_EMAIL, extension.pk)
    again = run_job(emails.EXTENSION_REQUEST_EMAIL, extension.pk)  # a duplicate delivery

    assert (first_run, again) == (True, False)
    (email,) = mail.outbox
    assert email.to == sorted([manager.email, second.email])
    assert email.subject == f"Extension requested: {deadline.title} to 26 May 2022"
    link = "https://tracker.example.org" + reverse(
        "recommendations:extension_decide", args=[extension.pk]
    )
    assert f"Read the reason and decide here:\n{link}\n" in email.body
    assert "Due now: 26 February 2022\nAsked for: 26 May 2022\n" in email.body
    assert (
        "Basis: Agreed by the Ombudsman in writing: LGSCO letter of 1 February 2022" in email.body
    )
    # The reason stays in the app: officers may write case detail in it.
    assert "committee" not in email.body
    assert f'href="{link}"' in email.alternatives[0][0]


def test_a_request_decided_before_its_email_goes_is_not_emailed(manager, officer, deadline):
    extension = _request(deadline, officer)
    services.extension_decide(extension=extension, agreed=False, by=manager, at=timezone.now())

    assert run_job(emails.EXTENSION_REQUEST_EMAIL, extension.pk) is True
    assert mail.outbox == []


def test_an_extension_a_manager_records_as_agreed_emails_nobody(manager, deadline):
    services.extension_record(
        deadline=deadline,
        new_due_date=date(2022, 5, 26),
        reason="Agreed by letter",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=manager,
        at=timezone.now(),
    )

    assert not Job.objects.filter(kind=emails.EXTENSION_REQUEST_EMAIL).exists()
