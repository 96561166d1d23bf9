"""Owners see their reminders in the app, choose a daily digest, and subscribe a calendar."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import Role
from deadlines.arithmetic import Counting
from organisations.models import Organisation
from reminders import selectors, services
from reminders.models import Reminder, ReminderSchedule
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(officer, manager):
    """Two recommendations owned by the officer, one by the manager; one Kent deadline."""
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    mine = [recommendation_recorded(complaint=complaint, owner=officer, by=manager) for _ in "ab"]
    theirs = recommendation_recorded(complaint=complaint, owner=manager, by=manager)
    kent = Organisation.objects.create(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    recommendation_recorded(
        complaint=complaint_recorded(by=kent_manager, public_interest_report=False),
        owner=kent_manager,
        by=kent_manager,
    )
    return mine, theirs


def _feed(client, name, token):
    response = client.get(reverse(name, args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_the_calendar_feed_holds_exactly_the_users_own_deadlines(client, officer, owned):
    mine, _ = owned
    token = services.calendar_token_reset(user=officer)

    calendar = _feed(client, "reminders:calendar_mine", token)

    events = sorted(calendar.walk("VEVENT"), key=lambda event: str(event["uid"]))
    assert [str(event["uid"]) for event in events] == sorted(
        f"deadline-{r.deadline.pk}@ombudsman-tracker" for r in mine
    )
    assert {event.decoded("dtstart") for event in events} == {date(2022, 2, 26)}
    assert str(events[0]["url"]).startswith("http://localhost:8000/recommendations/")


def test_managers_can_subscribe_to_their_organisations_deadlines_only(
    client, manager, officer, owned
):
    token = services.calendar_token_reset(user=manager)

    calendar = _feed(client, "reminders:calendar_organisation", token)

    assert len(calendar.walk("VEVENT")) == 3  # the three Croydon recommendations, not Kent's
    officer_token = services.calendar_token_reset(user=officer)
    refused = client.get(reverse("reminders:calendar_organisation", args=[officer_token]))
    assert refused.status_code == 404


def test_an_old_or_unknown_calendar_address_stops_working(client, officer, owned):
    old = services.calendar_token_reset(user=officer)
    services.calendar_token_reset(user=officer)

    assert client.get(reverse("reminders:calendar_mine", args=[old])).status_code == 404
    assert client.get(reverse("reminders:calendar_mine", args=["guess"])).status_code == 404


def test_a_user_chooses_a_daily_digest_and_creates_a_calendar_address(client, officer):
    client.force_login(officer)

    saved = client.post(reverse("reminders:settings"), {"reminder_digest": "True"}, follow=True)
    created = client.post(reverse("reminders:calendar_token_reset"), follow=True)

    officer.refresh_from_db()
    assert officer.reminder_digest is True
    assert "Your reminder settings have been saved" in saved.text
    assert "Your calendar address is ready" in created.text
    assert f"/calendar/{officer.calendar_token}/mine.ics" in created.text
    assert officer.history.first().history_change_reason == "Calendar feed address reset"


def test_the_owner_of_a_deadline_within_28_days_sees_the_reminder_on_the_home_page(
    client, officer, manager
):
    # The home page shows the last 30 days' reminders, so this one runs on today's date.
    due = timezone.localdate() + timedelta(days=20)
    recommendation = recommendation_recorded(
        complaint=complaint_recorded(by=manager, public_interest_report=False),
        owner=officer,
        by=manager,
        rule={"counting": Counting.STATED, "stated_date": due},
    )
    services.reminders_dispatch(now=timezone.now())
    client.force_login(officer)

    page = client.get(reverse("home"))

    assert page.status_code == 200
    assert "Reminders sent to you" in page.text
    assert page.text.count("is due in 20 days") == 1
    assert recommendation.get_absolute_url() in page.text


def test_the_home_page_lists_only_reminders_about_deadlines_the_user_may_open(client, manager):
    """A Croydon manager named as the senior officer for escalations is told of Kent's overdue
    recommendation, but Kent's page is not theirs to open: home leaves it out."""
    today = timezone.localdate()
    ReminderSchedule.objects.filter(deadline_kind="recommendation").update(
        escalation_officer=manager, escalate_after=0
    )
    own = recommendation_recorded(
        complaint=complaint_recorded(by=manager, public_interest_report=False),
        owner=manager,
        by=manager,
        rule={"counting": Counting.STATED, "stated_date": today + timedelta(days=20)},
    )
    kent_manager = user_with_role(
        Role.MANAGER,
        username="kent-manager",
        organisation=Organisation.objects.create(name="Kent County Council"),
    )
    kent = recommendation_recorded(
        complaint=complaint_recorded(by=kent_manager, public_interest_report=False),
        owner=kent_manager,
        by=kent_manager,
        rule={"counting": Counting.STATED, "stated_date": today - timedelta(days=2)},
    )
    services.reminders_dispatch(now=timezone.now())
    assert set(
        Reminder.objects.filter(recipient=manager).values_list("deadline", "is_escalation")
    ) == {(own.deadline_id, False), (kent.deadline_id, True)}
    client.force_login(manager)

    page = client.get(reverse("home"))

    assert [notice.deadline_id for notice in page.context["notices"]] == [own.deadline_id]
    assert kent.get_absolute_url() not in page.text


def test_a_manager_sees_the_overdue_deadlines_their_digest_listed_on_the_home_page(
    client, officer, manager
):
    adults_manager = user_with_role(
        Role.MANAGER, username="adults-manager", team="Adult Social Care"
    )
    overdue = recommendation_recorded(
        complaint=complaint_recorded(by=manager, public_interest_report=False),
        owner=officer,
        by=manager,
        rule={
            "counting": Counting.STATED,
            "stated_date": timezone.localdate() - timedelta(days=3),
        },
    )
    services.reminders_dispatch(now=timezone.now())
    (digest_id,) = selectors.manager_digests_to_send()
    services.manager_digest_send(digest_id=digest_id, now=timezone.now())

    client.force_login(manager)
    page = client.get(reverse("home"))
    client.force_login(adults_manager)
    elsewhere = client.get(reverse("home"))

    assert [notice.deadline_id for notice in page.context["notices"]] == [overdue.deadline_id]
    assert "is overdue by 3 days" in page.text
    assert list(elsewhere.context["notices"]) == []
