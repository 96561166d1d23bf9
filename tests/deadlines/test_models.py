"""A deadline's page is the page of the record that holds it (a recommendation, an audit
programme, a live concern), found without deadlines knowing the apps built on them; a
statutory clock is shown on its complaint's page. Reminders, calendars, the home page and the
dashboard all link deadlines this way."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services as audit_services
from deadlines.models import Deadline, DeadlineKind
from deadlines.selectors import deadline_holders
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

# Every record that may hold a deadline, the action plans' and remedies' included.
HOLDERS = deadline_holders()


@pytest.fixture
def held(manager):
    """A recommendation to audit cases, its audit programme, and a live concern raised in it."""
    recommendation = recommendation_recorded(by=manager, owner=manager)
    population_imported(organisation=manager.organisation, count=2, by=manager)
    programme = programme_set_up(recommendation=recommendation, by=manager, target_sample_size=2)
    audit_services.sample_draw(programme=programme, by=manager, at=timezone.now())
    auditor = user_with_role(Role.AUDITOR, username="auditor", team="QA")
    audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    concern = audit_services.concern_raise(
        sample_case=programme.sample_cases.first(),
        concern="At risk now",
        raised_by=auditor,
        at=timezone.now(),
        team_manager_email="team.manager@example.org",
    )
    return {
        recommendation.deadline_id: recommendation.get_absolute_url(),
        programme.deadline_id: programme.get_absolute_url(),
        concern.deadline_id: reverse("audits:concern_detail", args=[concern.pk]),
    }


def _clocks():
    return Deadline.objects.filter(kind__in=DeadlineKind.statutory())


def test_a_deadline_links_to_the_page_of_the_record_that_holds_it(held):
    deadlines = Deadline.objects.filter(pk__in=held)

    links = {deadline.pk: deadline.get_absolute_url() for deadline in deadlines}

    assert links == held


def test_a_statutory_clock_links_to_its_complaints_page(held):
    clock = _clocks().first()

    assert clock.get_absolute_url() == reverse(
        "recommendations:complaint_detail", args=[clock.complaint_id]
    )


def test_deadlines_selected_with_their_holders_link_without_a_query(
    held, django_assert_num_queries
):
    deadlines = list(Deadline.objects.select_related(*HOLDERS))

    with django_assert_num_queries(0):
        links = {deadline.pk: deadline.get_absolute_url() for deadline in deadlines}

    assert {pk: links[pk] for pk in held} == held


def test_a_deadline_fetched_alone_finds_its_holder_in_one_query(held, django_assert_num_queries):
    for pk, link in held.items():
        deadline = Deadline.objects.get(pk=pk)
        with django_assert_num_queries(1):
            assert deadline.get_absolute_url() == link
        with django_assert_num_queries(0):
            assert deadline.get_absolute_url() == link


def test_a_statutory_clock_links_without_a_query(held, django_assert_num_queries):
    clocks = list(_clocks())

    with django_assert_num_queries(0):
        for clock in clocks:
            clock.get_absolute_url()


def test_only_the_ombudsman_states_a_recommendations_date_the_council_sets_its_audits(held):
    audit = Deadline.objects.get(kind=DeadlineKind.AUDIT_PROGRAMME)
    concern = Deadline.objects.get(kind=DeadlineKind.LIVE_CONCERN)

    assert audit.rule_description == "A date set by the council"
    assert concern.rule_description.startswith("Within 1 working day of the day the concern")
    stated = Deadline(kind=DeadlineKind.RECOMMENDATION, counting="stated")
    assert stated.rule_description == "A date stated by the Ombudsman"
