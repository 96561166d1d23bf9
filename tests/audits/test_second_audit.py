"""A recommendation has one sample audit unless a manager says why it needs another; the
recommendation's page and its audits link to each other; an audit's deadline says who set it."""

import html
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.roles import Role
from audits.models import AuditProgramme, ProgrammeKind
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting
from organisations.models import Organisation
from tests.factories import programme_set_up, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

REASON = "The first audit's criteria left out cases closed by the Emergency Duty Team."


@pytest.fixture
def croydon():
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(
        Role.MANAGER, username="manager", organisation=croydon, first_name="Mary", last_name="Ng"
    )


@pytest.fixture
def recommendation(manager):
    return recommendation_recorded(
        by=manager, kind="audit", text="Audit 50 cases closed in similar circumstances."
    )


@pytest.fixture
def first(recommendation, manager):
    return programme_set_up(recommendation=recommendation, by=manager)


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def date_fields(name, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def set_up_form(recommendation, manager, **extra) -> dict:
    return {
        "recommendation": recommendation.pk,
        "title": "Second audit of cross-border cases",
        **date_fields("closed_from", date(2018, 1, 1)),
        **date_fields("closed_to", date(2021, 11, 26)),
        "cross_border_only": "on",
        "target_sample_size": "50",
        "threshold_percent": "25",
        "moderation_percent": "10",
        "owner": manager.pk,
        **date_fields("due_date", date(2022, 4, 30)),
        **extra,
    }


# --- The rule, in the service and the database ----------------------------------------------


def test_a_second_audit_of_a_recommendation_is_refused_without_a_reason(recommendation, first):
    with pytest.raises(ValidationError) as refused:
        programme_set_up(recommendation=recommendation, by=first.owner, another_audit_reason=" ")

    assert refused.value.message_dict == {
        "another_audit_reason": [
            f"This recommendation already has an audit ({first.title}): enter why another "
            "audit is needed"
        ]
    }
    assert list(AuditProgramme.objects.all()) == [first]


def test_a_manager_sets_up_a_second_audit_with_the_reason_kept_in_it_and_its_history(
    recommendation, manager, first
):
    second = programme_set_up(
        recommendation=recommendation, by=manager, another_audit_reason=f"  {REASON}  "
    )

    assert (first.another_audit_reason, second.another_audit_reason) == ("", REASON)
    assert second.history.get().history_change_reason == (
        f"Another audit of the recommendation set up: {REASON}"
    )


def test_only_a_manager_may_set_up_another_audit(croydon, recommendation, first):
    auditor = user_with_role(Role.AUDITOR, username="auditor", organisation=croydon)

    with pytest.raises(ValidationError, match="Only a manager can set up another audit"):
        programme_set_up(recommendation=recommendation, by=auditor, another_audit_reason=REASON)

    assert AuditProgramme.objects.count() == 1


def test_the_first_audit_needs_no_reason_and_keeps_none(recommendation, manager):
    programme = programme_set_up(
        recommendation=recommendation, by=manager, another_audit_reason=REASON
    )

    assert programme.another_audit_reason == ""


def test_the_database_refuses_a_second_sample_audit_without_a_reason(recommendation, first):
    def copy_of_first(**changes):
        fields = {
            f.name: getattr(first, f.name)
            for f in AuditProgramme._meta.concrete_fields
            if f.name not in ("id", "deadline")
        }
        return AuditProgramme.objects.create(**(fields | changes))

    with pytest.raises(IntegrityError), transaction.atomic():
        copy_of_first()
    explained = copy_of_first(another_audit_reason=REASON)
    # A full audit follows a sample audit: it is not a second audit of the recommendation.
    full = copy_of_first(kind=ProgrammeKind.FULL, triggered_by=first)

    assert set(recommendation.audit_programmes.all()) == {first, explained, full}


# --- The pages ------------------------------------------------------------------------------


def test_a_first_audit_is_set_up_without_being_asked_why(client, manager, recommendation):
    client.force_login(manager)

    page = client.get(reverse("audits:programme_create"), {"recommendation": recommendation.pk})

    assert "already has an audit" not in page_text(page)
    assert 'name="another_audit_reason"' not in page.content.decode()


def test_the_set_up_page_warns_of_the_existing_audit_and_asks_why_another_is_needed(
    client, manager, recommendation, first
):
    client.force_login(manager)
    url = reverse("audits:programme_create")

    page = client.get(url, {"recommendation": recommendation.pk})
    refused = client.post(url, set_up_form(recommendation, manager))
    created = client.post(
        url, set_up_form(recommendation, manager, another_audit_reason=REASON), follow=True
    )

    assert "This recommendation already has an audit: another would audit the same cases" in (
        page_text(page)
    )
    assert f'href="{first.get_absolute_url()}"' in page.content.decode()
    assert "Why is another audit of this recommendation needed?" in page_text(page)
    summary = page_text(refused).split("There is a problem")[1]
    assert summary.startswith(" Enter why another audit of this recommendation is needed")
    second = AuditProgramme.objects.exclude(pk=first.pk).get()
    assert created.redirect_chain == [(second.get_absolute_url(), 302)]
    assert f"Why another audit {REASON}" in page_text(created)
    # Each audit of the recommendation links to the other.
    assert f'href="{first.get_absolute_url()}"' in created.content.decode()
    first_page = client.get(first.get_absolute_url())
    assert f'href="{second.get_absolute_url()}"' in first_page.content.decode()
    assert "Other audits of the recommendation Second audit of cross-border cases" in (
        page_text(first_page)
    )


def test_the_recommendation_page_links_to_its_audit_and_the_audit_back_to_it(
    client, croydon, manager, recommendation, first
):
    officer = user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    set_up = f"{reverse('audits:programme_create')}?recommendation={recommendation.pk}"

    client.force_login(manager)
    managers_page = client.get(recommendation.get_absolute_url())
    programme_page = client.get(first.get_absolute_url())
    client.force_login(officer)
    officers_page = client.get(recommendation.get_absolute_url())

    shown = page_text(managers_page)
    assert f'href="{first.get_absolute_url()}"' in managers_page.content.decode()
    assert (
        f"View the audit: {first.title} Sample audit, due 30 April 2022: no sample drawn yet."
        in shown
    )
    # Set up once: the page no longer offers to set it up, only another (with a reason).
    assert "Set up the case audit" not in shown
    assert "Set up another audit It already has an audit: you will be asked why another is " in (
        shown
    )
    assert f'href="{set_up}"' in managers_page.content.decode()
    assert f"View the audit: {first.title}" in page_text(officers_page)
    assert "Set up another audit" not in page_text(officers_page)
    assert f'href="{recommendation.get_absolute_url()}"' in programme_page.content.decode()


# --- Who set the deadline -------------------------------------------------------------------


def test_an_audits_deadline_says_which_manager_set_it_not_the_ombudsman(
    client, croydon, manager, first
):
    deputy = user_with_role(
        Role.MANAGER, username="deputy", organisation=croydon, first_name="Dev", last_name="Rao"
    )
    client.force_login(manager)

    before = page_text(client.get(first.get_absolute_url()))
    deadline_services.deadline_update(
        deadline=first.deadline,
        by=deputy,
        reason="Moved to the committee's cycle",
        rule={"counting": Counting.STATED, "stated_date": date(2022, 5, 31)},
    )
    after = page_text(client.get(first.get_absolute_url()))

    assert "Deadline 30 April 2022 A date set by Mary Ng" in before
    assert "Deadline 31 May 2022 A date set by Dev Rao" in after
    assert "Ombudsman" not in before.split("Deadline", 1)[1].split("Cases closed")[0]
