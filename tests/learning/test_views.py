"""The learning pages: a manager runs the programme, another council sees none of it, lists
are bounded, and each page runs the same queries for one person as for many."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from deadlines.models import DeadlineKind, DeadlineStatus
from learning import services
from learning.models import CheckResult, FollowUpCheck, LearningPointVersion
from organisations.models import Organisation
from tests.factories import (
    audience_made,
    complaint_recorded,
    learning_point_recorded,
    person_added,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)
from viewlog.models import RecordView, ViewKind

from .conftest import LATER

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


def test_a_manager_adds_a_learning_point_to_a_recommendation(signed_in, recommendation, front_door):
    response = signed_in.post(
        reverse("learning:point_create", args=[recommendation.pk]),
        {
            "title": "Cross-border referrals",
            "text": "Contact the other council the same day.",
            "audiences": [front_door.pk],
        },
    )

    point = recommendation.learning_points.get()
    assert response.url == point.get_absolute_url()
    assert (point.current_version.number, point.current_version.text) == (
        1,
        "Contact the other council the same day.",
    )
    assert list(point.audiences.all()) == [front_door]
    assert point.history.latest().history_change_reason == "Version 1 published"


def test_the_recommendation_page_links_its_learning_with_the_share_reached(
    signed_in, point, recommendation, croydon, front_door
):
    person_added(organisation=croydon, audiences=[front_door])

    response = signed_in.get(recommendation.get_absolute_url())

    html = response.content.decode()
    assert "Learning programme" in html
    assert point.get_absolute_url() in html
    assert "0% of 1 person acknowledged version 1" in html


def test_the_point_page_shows_the_text_the_coverage_and_the_actions(signed_in, point):
    response = signed_in.get(point.get_absolute_url())

    html = response.content.decode()
    assert "Contact the other council on the day of the referral." in html
    assert "See who it has reached" in html
    assert "Remind those outstanding" in html


def test_a_viewer_reads_the_learning_but_not_the_names(client, point, croydon, front_door):
    person_added(organisation=croydon, name="Asha Patel", audiences=[front_door])
    viewer = user_with_role(Role.VIEWER, username="croydon-viewer", organisation=croydon)
    client.force_login(viewer)

    page = client.get(point.get_absolute_url())
    names = client.get(reverse("learning:coverage", args=[point.pk]))

    assert page.status_code == 200
    assert "0% of 1 person acknowledged" in page.content.decode()
    assert "Asha Patel" not in page.content.decode()
    assert "See who it has reached" not in page.content.decode()
    assert names.status_code == 403


def test_the_coverage_page_names_those_outstanding_per_audience(
    signed_in, point, croydon, front_door, police
):
    asha = person_added(organisation=croydon, name="Asha Patel", audiences=[front_door, police])
    person_added(organisation=croydon, name="Ben Cole", audiences=[front_door])
    person_added(
        organisation=croydon, name="Late Joiner", audiences=[police], added_on=date(2022, 3, 1)
    )
    services._acknowledgement_record(
        person=asha, learning_version=point.current_version, how="app", at=LATER
    )
    url = reverse("learning:coverage", args=[point.pk])

    everyone = signed_in.get(url)
    police_only = signed_in.get(url, {"audience": police.pk, "show": "all"})
    other = signed_in.get(url, {"audience": "999999"})

    html = everyone.content.decode()
    assert "Ben Cole" in html
    assert "Late Joiner" in html
    assert "Added since publication" in html
    assert "Asha Patel" not in html  # acknowledged: not outstanding
    assert [person.name for person in police_only.context["people"]] == [
        "Asha Patel",
        "Late Joiner",
    ]
    assert other.status_code == 404


def test_publishing_a_new_version_from_the_page(signed_in, point):
    response = signed_in.post(
        reverse("learning:version_publish", args=[point.pk]),
        {"text": "New words.", "change_note": "Reworded", "version": point.version},
    )

    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.current_version.number, point.current_version.change_note) == (2, "Reworded")


def test_publishing_from_a_stale_page_is_refused(signed_in, point):
    url = reverse("learning:version_publish", args=[point.pk])
    signed_in.post(url, {"text": "Two", "change_note": "2", "version": point.version})

    response = signed_in.post(url, {"text": "Three", "change_note": "3", "version": point.version})

    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert LearningPointVersion.objects.filter(learning_point=point).count() == 2


def test_an_attachment_is_checksummed_and_its_download_is_in_the_view_log(
    signed_in, point, manager, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    signed_in.post(
        reverse("learning:attachment_add", args=[point.pk]),
        {
            "description": "Briefing note",
            "file": SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        },
    )
    attachment = point.attachments.get()

    response = signed_in.get(reverse("learning:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 briefing"
    assert len(attachment.sha256) == 64
    entry = RecordView.objects.get()
    assert (entry.kind, entry.user, entry.object_id) == (
        ViewKind.LEARNING_ATTACHMENT,
        manager,
        attachment.pk,
    )


def test_a_follow_up_check_is_a_milestone_of_the_plan_and_its_result_completes_it(
    signed_in, point, manager
):
    programme = programme_set_up(recommendation=point.recommendation, by=manager)
    signed_in.post(
        reverse("learning:follow_up_create", args=[point.pk]),
        {
            "kind": "re_audit",
            "delivered_on_day": "14",
            "delivered_on_month": "3",
            "delivered_on_year": "2022",
            "interval_months": "3",
            "audit_programme": programme.pk,
        },
    )
    check = FollowUpCheck.objects.get()
    deadline = check.deadline

    assert (deadline.kind, deadline.due_date, deadline.owner) == (
        DeadlineKind.MILESTONE,
        date(2022, 6, 14),
        manager,
    )
    assert check.milestone.plan.recommendation == point.recommendation
    assert check.audit_programme == programme

    signed_in.post(
        reverse("learning:follow_up_result", args=[check.pk]),
        {
            "result": "stuck",
            "notes": "Every case since shows the other council contacted.",
            "on_day": "10",
            "on_month": "6",
            "on_year": "2022",
            "version": check.version,
        },
    )

    check = FollowUpCheck.objects.select_related("milestone__deadline").get()
    assert (check.result, check.result_recorded_on) == (CheckResult.STUCK, date(2022, 6, 10))
    assert (check.milestone.status, check.milestone.actual_date) == ("done", date(2022, 6, 10))
    assert (check.deadline.status, check.deadline.completed_on) == (
        DeadlineStatus.MET,
        date(2022, 6, 10),
    )


def test_a_person_who_leaves_drops_out_of_coverage(signed_in, point, croydon, front_door):
    person = person_added(organisation=croydon, audiences=[front_door])

    signed_in.post(
        reverse("learning:person_leave", args=[person.pk]),
        {"left_on_day": "1", "left_on_month": "3", "left_on_year": "2022", "version": 1},
    )

    person.refresh_from_db()
    assert person.left_on == date(2022, 3, 1)
    covered = services.selectors.coverage(learning_point=point, at=LATER)
    assert (covered.overall.people, covered.overall.leavers) == (0, 1)


# --- Another council ------------------------------------------------------------------------


@pytest.fixture
def kent_manager(db):
    kent = Organisation.objects.create(name="Kent County Council")
    return user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)


def test_another_councils_staff_get_404_for_every_learning_record(
    client, kent_manager, point, manager, croydon, front_door, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    person = person_added(organisation=croydon, audiences=[front_door])
    session = services.session_record(
        learning_point=point,
        held_on=date(2022, 3, 1),
        format="online",
        facilitator="Trainer",
        by=manager,
        at=LATER,
    )
    attachment = services.attachment_add(
        learning_point=point,
        description="Note",
        file=SimpleUploadedFile("note.pdf", b"%PDF-1.4 note"),
        by=manager,
        at=LATER,
    )
    check = services.follow_up_schedule(
        learning_point=point,
        kind="knowledge_check",
        delivered_on=date(2022, 3, 1),
        interval_months=3,
        by=manager,
    )
    client.force_login(kent_manager)
    urls = [
        reverse("learning:point_list", args=[point.recommendation_id]),
        reverse("learning:point_create", args=[point.recommendation_id]),
        *(
            reverse(f"learning:{name}", args=[point.pk])
            for name in (
                "point_detail",
                "point_update",
                "version_publish",
                "attachment_add",
                "coverage",
                "links_send",
                "reminders_send",
                "acknowledge",
                "session_create",
                "follow_up_create",
            )
        ),
        reverse("learning:attachment_download", args=[attachment.pk]),
        reverse("learning:session_detail", args=[session.pk]),
        reverse("learning:attendance_import", args=[session.pk]),
        reverse("learning:follow_up_result", args=[check.pk]),
        reverse("learning:audience_detail", args=[front_door.pk]),
        reverse("learning:person_leave", args=[person.pk]),
    ]

    statuses = {url: (client.get(url).status_code, client.post(url).status_code) for url in urls}

    assert statuses == dict.fromkeys(urls, (404, 404))


def test_the_audience_list_shows_only_the_councils_own(client, kent_manager, front_door):
    audience_made(organisation=kent_manager.organisation, name="Kent front door", by=kent_manager)
    client.force_login(kent_manager)

    response = client.get(reverse("learning:audience_list"))

    assert [audience.name for audience in response.context["page_obj"]] == ["Kent front door"]


# --- Queries: the same for one person as for many -------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_people(organisation, audiences, count, point, *, start=0):
    for n in range(start, start + count):
        person = person_added(
            organisation=organisation, name=f"Person {n:03d}", audiences=audiences
        )
        if n % 2:
            services._acknowledgement_record(
                person=person, learning_version=point.current_version, how="app", at=LATER
            )


@pytest.mark.parametrize(
    "name",
    [
        "coverage",
        "point_detail",
        "point_list",
        "audience_detail",
        "audience_list",
        "session_detail",
    ],
)
def test_a_page_runs_the_same_queries_for_one_person_and_for_many(
    signed_in, point, croydon, front_door, police, manager, name
):
    session = services.session_record(
        learning_point=point,
        held_on=date(2022, 3, 1),
        format="online",
        facilitator="Trainer",
        by=manager,
        at=LATER,
    )
    arg = {
        "point_list": point.recommendation_id,
        "audience_detail": front_door.pk,
        "session_detail": session.pk,
    }.get(name, point.pk)
    url = reverse(f"learning:{name}", args=[] if name == "audience_list" else [arg])
    _add_people(croydon, [front_door, police], 1, point)
    session.attendees.set(front_door.people.all())
    one = _queries(signed_in, url)

    _add_people(croydon, [front_door, police], 40, point, start=1)
    session.attendees.set(front_door.people.all())
    for n in range(3):
        audience_made(organisation=croydon, name=f"Team {n}", by=manager)
        learning_point_recorded(
            recommendation=point.recommendation, by=manager, title=f"Other {n}", at=LATER
        )
    many = _queries(signed_in, url)

    assert one == many


def test_the_lists_of_people_are_paged(signed_in, point, croydon, front_door):
    _add_people(croydon, [front_door], 30, point)

    response = signed_in.get(reverse("learning:coverage", args=[point.pk]), {"show": "all"})

    html = response.content.decode()
    assert "Showing 1 to 25 of 30, by name. The rest are on the other pages." in html
    assert response.context["people"].paginator.count == 30


def test_a_recommendation_of_another_council_lists_no_learning(client, kent_manager, point):
    other = complaint_recorded(by=kent_manager, organisations=[kent_manager.organisation])
    kent_recommendation = recommendation_recorded(complaint=other, by=kent_manager)
    client.force_login(kent_manager)

    response = client.get(reverse("learning:point_list", args=[kent_recommendation.pk]))

    assert response.status_code == 200
    assert response.context["rows"] == []
