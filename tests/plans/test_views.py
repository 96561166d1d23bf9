"""The action plan pages as their users meet them: an officer adds and completes milestones,
a manager baselines the plan, the committee sees the timeline; another council sees nothing."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from plans import services
from plans.models import Milestone, MilestoneStatus
from tests.factories import (
    complaint_recorded,
    milestone_added,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommendation(manager):
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    return recommendation_recorded(complaint=complaint, by=manager, owner=manager)


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_an_officer_adds_a_milestone_and_sees_it_on_the_plan(client, officer, recommendation):
    client.force_login(officer)

    response = client.post(
        reverse("plans:milestone_add", args=[recommendation.pk]),
        {
            "title": "Briefing written",
            "owner": officer.pk,
            **_date("planned_date", date(2022, 1, 14)),
        },
    )

    milestone = Milestone.objects.get()
    assert response.status_code == 302
    assert response.url == milestone.get_absolute_url()
    page = client.get(reverse("plans:plan_detail", args=[recommendation.pk]))
    text = page.content.decode()
    assert "Briefing written" in text
    assert "14 Jan 2022" in text
    assert "Not in the baseline" in text


def test_moving_a_milestone_without_a_reason_is_refused_on_the_form(
    client, officer, manager, recommendation
):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    client.force_login(officer)

    response = client.post(
        reverse("plans:milestone_update", args=[milestone.pk]),
        {
            "title": "Briefing written",
            "owner": "",
            "status": "planned",
            "reason": "",
            "version": milestone.version,
            **_date("planned_date", date(2022, 2, 1)),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Enter why the planned date moves"]}


def test_an_edit_from_a_stale_page_shows_the_conflict(client, officer, manager, recommendation):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    seen = milestone.version
    services.milestone_update(
        milestone=milestone, version=seen, title="Briefing drafted", by=manager
    )
    client.force_login(officer)

    response = client.post(
        reverse("plans:milestone_update", args=[milestone.pk]),
        {
            "title": "Briefing sent",
            "owner": "",
            "status": "planned",
            "reason": "",
            "version": seen,
            **_date("planned_date", date(2022, 1, 14)),
        },
    )

    assert response.status_code == 200
    assert response.context["conflict"] is True
    assert Milestone.objects.get().title == "Briefing drafted"


def test_an_officer_marks_a_milestone_done_with_the_recommendations_evidence(
    client, officer, manager, recommendation
):
    from recommendations import services as recommendation_services

    milestone = milestone_added(recommendation=recommendation, by=manager)
    evidence = recommendation_services.evidence_add(
        recommendation=recommendation,
        description="Briefing slides",
        url="https://example.org/briefing",
        by=manager,
        at=timezone.now(),
    )
    client.force_login(officer)

    response = client.post(
        reverse("plans:milestone_complete", args=[milestone.pk]),
        {
            "evidence": evidence.pk,
            "version": milestone.version,
            **_date("actual_date", date(2022, 1, 10)),
        },
    )

    milestone.refresh_from_db()
    assert response.status_code == 302
    assert (milestone.status, milestone.actual_date, milestone.evidence) == (
        MilestoneStatus.DONE,
        date(2022, 1, 10),
        evidence,
    )


def test_a_manager_baselines_the_plan_on_its_confirmation_page(client, manager, recommendation):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    client.force_login(manager)
    url = reverse("plans:plan_baseline", args=[recommendation.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "note": "Agreed by the General Purposes & Audit Committee on 14 Dec 2021",
            "version": milestone.plan.version,
            **_date("agreed_on", date(2021, 12, 14)),
        },
    )

    milestone.refresh_from_db()
    assert "each milestone's planned date below becomes its baseline date" in page.content.decode()
    assert response.status_code == 302
    assert milestone.baseline_date == date(2022, 1, 14)


def test_an_officer_may_not_baseline(client, officer, manager, recommendation):
    milestone_added(recommendation=recommendation, by=manager)
    client.force_login(officer)

    response = client.post(reverse("plans:plan_baseline", args=[recommendation.pk]))

    assert response.status_code == 403


def test_another_council_gets_404_for_the_plan_its_milestones_and_the_timeline(
    client, manager, recommendation
):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    kent = user_with_role(Role.MANAGER, username="kent-manager", organisation__name="Kent")
    client.force_login(kent)

    statuses = [
        client.get(reverse("plans:plan_detail", args=[recommendation.pk])).status_code,
        client.get(reverse("plans:milestone_update", args=[milestone.pk])).status_code,
        client.post(
            reverse("plans:milestone_drop", args=[milestone.pk]), {"reason": "x"}
        ).status_code,
        client.get(
            reverse("plans:complaint_timeline", args=[recommendation.complaint_id])
        ).status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    assert Milestone.objects.get().status == MilestoneStatus.PLANNED


def test_the_recommendation_and_complaint_pages_link_to_the_plan(client, manager, recommendation):
    milestone_added(recommendation=recommendation, by=manager)
    client.force_login(manager)

    recommendation_page = client.get(recommendation.get_absolute_url()).content.decode()
    complaint_page = client.get(recommendation.complaint.get_absolute_url()).content.decode()

    assert "1 milestone, 0 done. Not baselined yet." in recommendation_page
    assert reverse("plans:plan_detail", args=[recommendation.pk]) in recommendation_page
    assert reverse("plans:complaint_timeline", args=[recommendation.complaint_id]) in complaint_page


def test_the_timeline_page_draws_the_svg_beside_a_table_of_the_same_dates(
    client, manager, recommendation
):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    services.plan_baseline(
        plan=milestone.plan,
        agreed_on=date(2021, 12, 14),
        note="Agreed",
        by=manager,
        at=timezone.now(),
    )
    services.milestone_update(
        milestone=Milestone.objects.get(),
        version=Milestone.objects.get().version,
        planned_date=date(2022, 1, 24),
        reason="Later",
        by=manager,
    )
    client.force_login(manager)

    response = client.get(reverse("plans:complaint_timeline", args=[recommendation.complaint_id]))

    text = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in text
    assert 'role="img"' in text
    assert "10 days later than the baseline" in text
    assert "14 Jan 2022" in text
    assert "24 Jan 2022" in text


# --- Query counts: the same with one milestone and with many --------------------------------


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["plan", "timeline"])
def test_the_plan_and_timeline_pages_run_as_many_queries_for_many_milestones_as_for_one(
    client, manager, recommendation, page, django_assert_max_num_queries
):
    client.force_login(manager)
    url = (
        reverse("plans:plan_detail", args=[recommendation.pk])
        if page == "plan"
        else reverse("plans:complaint_timeline", args=[recommendation.complaint_id])
    )
    milestone_added(recommendation=recommendation, by=manager, owner=manager)
    one = _queries(client, url, django_assert_max_num_queries, 25)
    for day in range(2, 12):
        milestone_added(
            recommendation=recommendation,
            title=f"Step {day}",
            planned_date=date(2022, 2, day),
            owner=manager,
            by=manager,
        )

    many = _queries(client, url, django_assert_max_num_queries, 25)

    assert many == one
