"""Once a deadline is missed (or while nobody owns it), the managers responsible for it are
told: those of its council whose team is the owner's team or the complaint's service area,
or every manager of the council if none is. Each gets one digest per dispatch, however many
deadlines need them, so the work grows with the deadlines, not with deadlines times managers.
"""

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from organisations.models import Organisation
from reminders import selectors, services
from reminders.models import ManagerDigest, ManagerDigestStatus, Reminder, ReminderStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

DUE = date(2022, 2, 26)  # 3 months from the report date, 26 November 2021
OVERDUE = date(2022, 2, 27)  # the day of the first overdue reminder


def at(day: date) -> datetime:
    return datetime.combine(day, time(9, 5), tzinfo=UTC)


def _manager(username, team, **kwargs):
    return user_with_role(Role.MANAGER, username=username, team=team, **kwargs)


def _overdue(count, *, owner, by, service_area="Children's Social Care"):
    complaint = complaint_recorded(by=by, public_interest_report=False, service_area=service_area)
    return [
        recommendation_recorded(complaint=complaint, owner=owner, by=by).deadline
        for _ in range(count)
    ]


def _dispatch_and_send(day):
    services.reminders_dispatch(now=at(day))
    for reminder_id in selectors.reminders_to_send():
        services.reminder_send(reminder_id=reminder_id, now=at(day))
    for digest_id in selectors.manager_digests_to_send():
        services.manager_digest_send(digest_id=digest_id, now=at(day))


def _emailed():
    return sorted(address.split("@")[0] for email in mail.outbox for address in email.to)


def test_an_overdue_deadline_reaches_the_managers_of_the_owners_team_only(officer, manager):
    _manager("adults-manager", "Adult Social Care")
    _overdue(1, owner=officer, by=manager)

    _dispatch_and_send(OVERDUE)

    assert _emailed() == ["manager", "officer"]


def test_the_complaints_service_area_names_responsible_managers_as_well(manager):
    education_officer = user_with_role(Role.OFFICER, username="teacher", team="Education")
    _manager("adults-manager", "Adult Social Care")
    _overdue(1, owner=education_officer, by=manager, service_area="Adult Social Care")

    _dispatch_and_send(OVERDUE)

    # Nobody manages Education: the service area's manager is told.
    assert _emailed() == ["adults-manager", "teacher"]


def test_with_no_manager_in_the_area_every_manager_of_the_council_is_told():
    first = _manager("first-manager", "Finance")
    _manager("second-manager", "Housing")
    user_with_role(
        Role.MANAGER,
        username="kent-manager",
        team="Finance",
        organisation=(Organisation.objects.create(name="Kent County Council")),
    )
    officer = user_with_role(Role.OFFICER, username="officer", team="Children's Social Care")
    (deadline,) = _overdue(1, owner=officer, by=first)

    _dispatch_and_send(OVERDUE)

    assert _emailed() == ["first-manager", "officer", "second-manager"]
    assert sorted(u.username for u in selectors.managers_responsible_for(deadline)) == [
        "first-manager",
        "second-manager",
    ]


def test_a_deadline_nobody_owns_goes_to_the_responsible_managers_before_it_is_due(manager):
    _manager("adults-manager", "Adult Social Care")
    _overdue(1, owner=None, by=manager)

    _dispatch_and_send(date(2022, 1, 29))  # 28 days before

    assert _emailed() == ["manager"]
    (email,) = mail.outbox
    assert email.subject == "Deadlines for you as a manager: 1 overdue or without an owner"
    assert "is due in 28 days" in email.body
    assert "owner: nobody yet" in email.body


def test_a_manager_with_30_overdue_deadlines_in_their_area_gets_one_digest_listing_them(
    officer, manager
):
    deadlines = _overdue(30, owner=officer, by=manager)

    _dispatch_and_send(OVERDUE)

    digests = [email for email in mail.outbox if email.to == ["manager@example.org"]]
    assert len(digests) == 1
    assert digests[0].subject == "Deadlines for you as a manager: 30 overdue or without an owner"
    assert digests[0].body.count("is overdue by 1 day") == 30
    for deadline in deadlines:
        assert f"{deadline.title} (Croydon Council)" in digests[0].body
    html, _ = digests[0].alternatives[0]
    assert html.count("<li>") == 30
    # The owner still has one reminder per deadline, as they chose.
    assert _emailed().count("officer") == 30


@pytest.mark.parametrize("managers", [1, 20])
def test_reminders_grow_with_deadlines_not_with_managers(officer, managers):
    team = [_manager(f"manager{n}", "Children's Social Care") for n in range(managers)]
    _overdue(10, owner=officer, by=team[0])

    _dispatch_and_send(OVERDUE)

    # One for the owner and one for the managers per deadline, however many managers.
    assert Reminder.objects.count() == 20
    assert ManagerDigest.objects.count() == managers
    emails_per_manager = {f"manager{n}": _emailed().count(f"manager{n}") for n in range(managers)}
    assert set(emails_per_manager.values()) == {1}


def test_the_next_dispatch_tells_the_managers_only_of_what_is_new(officer, manager):
    _overdue(2, owner=officer, by=manager)
    _dispatch_and_send(OVERDUE)
    _dispatch_and_send(OVERDUE)  # an hour later, the same stage: nothing new

    assert list(ManagerDigest.objects.values_list("recipient__username", "listed")) == [
        ("manager", 2)
    ]
    assert _emailed() == ["manager", "officer", "officer"]


def test_a_manager_who_owns_the_overdue_deadline_is_reminded_as_its_owner_only(manager):
    _overdue(1, owner=manager, by=manager)

    _dispatch_and_send(OVERDUE)

    assert _emailed() == ["manager"]
    assert not mail.outbox[0].subject.startswith("Deadlines for you as a manager")


def test_a_managers_digest_is_sent_once_however_often_its_task_runs(officer, manager):
    _overdue(2, owner=officer, by=manager)
    services.reminders_dispatch(now=at(OVERDUE))
    (digest_id,) = selectors.manager_digests_to_send()

    sent = [services.manager_digest_send(digest_id=digest_id, now=at(OVERDUE)) for _ in "ab"]

    assert sent == [2, 0]
    assert len(mail.outbox) == 1
    assert set(Reminder.objects.filter(recipient=None).values_list("status", flat=True)) == {
        ReminderStatus.SENT
    }


def test_a_mail_server_failure_releases_a_managers_digest_for_a_retry(
    officer, manager, monkeypatch
):
    _overdue(1, owner=officer, by=manager)
    services.reminders_dispatch(now=at(OVERDUE))
    (digest_id,) = selectors.manager_digests_to_send()

    def refuse(recipient, reminders):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("reminders.emails.manager_digest_send", refuse)
    with pytest.raises(ConnectionError):
        services.manager_digest_send(digest_id=digest_id, now=at(OVERDUE))
    assert ManagerDigest.objects.get().status == ManagerDigestStatus.PENDING
    monkeypatch.undo()

    assert services.manager_digest_send(digest_id=digest_id, now=at(OVERDUE)) == 1
    assert (ManagerDigest.objects.get().attempts, len(mail.outbox)) == (2, 1)


def test_a_deadline_met_before_the_digest_goes_is_left_out_and_an_empty_digest_not_sent(
    officer, manager
):
    (deadline,) = _overdue(1, owner=officer, by=manager)
    services.reminders_dispatch(now=at(OVERDUE))
    deadline.status, deadline.completed_on = "met", OVERDUE
    deadline.save()
    (digest_id,) = selectors.manager_digests_to_send()

    assert services.manager_digest_send(digest_id=digest_id, now=at(OVERDUE)) == 0
    assert mail.outbox == []
    assert ManagerDigest.objects.get().status == ManagerDigestStatus.CANCELLED
    assert Reminder.objects.get(recipient=None).status == ReminderStatus.CANCELLED


def _dispatch_queries(count, *, officer, manager):
    """Queries a dispatch runs with ``count`` more overdue deadlines (and none recorded)."""
    _overdue(count, owner=officer, by=manager)
    with CaptureQueriesContext(connection) as queries:
        dispatched = services.reminders_dispatch(now=at(OVERDUE))
    assert dispatched.manager_digests == 1
    return len(queries)


def test_the_number_of_queries_a_dispatch_runs_does_not_grow_with_the_deadlines(officer, manager):
    few = _dispatch_queries(2, officer=officer, manager=manager)
    Reminder.objects.all().delete()
    ManagerDigest.objects.all().delete()

    many = _dispatch_queries(40, officer=officer, manager=manager)  # 42 deadlines in all

    assert few == many


def test_a_deadline_met_between_two_managers_digests_stays_recorded_as_sent(officer, manager):
    _manager("second-manager", "Children's Social Care")
    (deadline,) = _overdue(1, owner=officer, by=manager)
    services.reminders_dispatch(now=at(OVERDUE))
    first, second = selectors.manager_digests_to_send()

    services.manager_digest_send(digest_id=first, now=at(OVERDUE))
    deadline.status, deadline.completed_on = "met", OVERDUE
    deadline.save()
    services.manager_digest_send(digest_id=second, now=at(OVERDUE))

    assert Reminder.objects.get(recipient=None).status == ReminderStatus.SENT
    assert sorted(ManagerDigest.objects.values_list("status", flat=True)) == [
        ManagerDigestStatus.CANCELLED,
        ManagerDigestStatus.SENT,
    ]
