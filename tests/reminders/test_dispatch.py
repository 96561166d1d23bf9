"""Owners are reminded before each deadline; once it is missed, the managers responsible (in
one digest each) and then a named senior officer are told. Each reminder goes once, whatever
runs twice. Who the responsible managers are: ``test_escalation``."""

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.roles import Role
from deadlines import services as deadline_services
from deadlines.models import ExtensionBasis
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from reminders import selectors, services
from reminders.models import ManagerDigest, Reminder, ReminderSchedule, ReminderStatus
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

DUE = date(2022, 2, 26)  # within 3 months of the report date, 26 November 2021


def at(day: date) -> datetime:
    return datetime.combine(day, time(9, 5), tzinfo=UTC)


def _recommendation(officer, manager, **kwargs):
    # Not a public interest report, so no statutory clocks remind anybody as well.
    complaint = kwargs.pop("complaint", None) or complaint_recorded(
        by=manager, public_interest_report=False
    )
    return recommendation_recorded(complaint=complaint, owner=officer, by=manager, **kwargs)


@pytest.fixture
def recommendation(officer, manager):
    return _recommendation(officer, manager)


def _waiting():
    return list(selectors.reminders_to_send())


def _send_waiting(day):
    for reminder_id in _waiting():
        services.reminder_send(reminder_id=reminder_id, now=at(day))
    for digest_id in selectors.manager_digests_to_send():
        services.manager_digest_send(digest_id=digest_id, now=at(day))


def _dispatch_and_send(day):
    services.reminders_dispatch(now=at(day))
    _send_waiting(day)


def _sent():
    """(stage, to whom, escalation) of each reminder sent; "managers" for those the managers
    responsible were told of in their digests."""
    return sorted(
        (stage, username or "managers", is_escalation)
        for stage, username, is_escalation in Reminder.objects.filter(
            status=ReminderStatus.SENT
        ).values_list("stage", "recipient__username", "is_escalation")
    )


def _digests_sent_to():
    return sorted(
        ManagerDigest.objects.filter(status="sent").values_list("recipient__username", flat=True)
    )


def test_owner_is_reminded_28_days_before_with_a_link_to_the_record(recommendation):
    _dispatch_and_send(date(2022, 1, 29))

    assert _sent() == [("before:28", "officer", False)]
    (email,) = mail.outbox
    assert email.to == ["officer@example.org"]
    assert email.subject == f"{recommendation.deadline.title} is due in 28 days"
    link = f"http://localhost:8000/recommendations/{recommendation.pk}/"
    assert link in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


def test_nothing_is_sent_before_the_window_opens(recommendation):
    _dispatch_and_send(date(2022, 1, 28))

    assert mail.outbox == []


def test_dispatching_twice_sends_each_reminder_once(recommendation):
    first = services.reminders_dispatch(now=at(date(2022, 1, 29)))
    second = services.reminders_dispatch(now=at(date(2022, 1, 29)) + timedelta(minutes=1))
    (reminder_id,) = _waiting()
    for _ in range(2):  # queued by each dispatch
        services.reminder_send(reminder_id=reminder_id, now=at(date(2022, 1, 29)))

    assert (first.recorded, second.recorded) == (1, 0)
    assert len(mail.outbox) == 1


def test_a_scheduler_down_for_days_catches_up_with_the_current_stage_only(recommendation):
    _dispatch_and_send(date(2022, 1, 29))
    # Down from 9 to 20 February: the 14-day and 7-day stages fell due meanwhile.
    _dispatch_and_send(date(2022, 2, 21))

    assert _sent() == [("before:28", "officer", False), ("before:7", "officer", False)]


def test_a_deadline_created_inside_the_window_gets_one_reminder(recommendation):
    _dispatch_and_send(date(2022, 2, 22))

    assert _sent() == [("before:7", "officer", False)]


def test_overdue_tells_the_managers_then_escalates_to_the_named_officer(recommendation, manager):
    director = user_with_role(Role.VIEWER, username="director")
    ReminderSchedule.objects.filter(deadline_kind="recommendation").update(
        escalation_officer=director, escalate_after=2
    )

    _dispatch_and_send(date(2022, 2, 27))  # overdue 1
    _dispatch_and_send(date(2022, 3, 6))  # overdue 2
    _dispatch_and_send(date(2022, 3, 13))  # overdue 3: escalated

    assert _sent() == [
        ("overdue:1", "managers", False),
        ("overdue:1", "officer", False),
        ("overdue:2", "managers", False),
        ("overdue:2", "officer", False),
        ("overdue:3", "director", True),
        ("overdue:3", "managers", False),
        ("overdue:3", "officer", False),
    ]
    assert _digests_sent_to() == ["manager", "manager", "manager"]
    escalation = next(email for email in mail.outbox if email.to == ["director@example.org"])
    assert escalation.subject.startswith("Escalation: ")


def test_managers_of_other_councils_are_not_told(recommendation):
    from organisations.models import Organisation

    user_with_role(
        Role.MANAGER,
        username="kent-manager",
        organisation=Organisation.objects.create(name="Kent County Council"),
    )

    _dispatch_and_send(date(2022, 2, 27))

    assert _digests_sent_to() == ["manager"]
    assert sorted(to for email in mail.outbox for to in email.to) == [
        "manager@example.org",
        "officer@example.org",
    ]


def test_reminders_stop_when_the_recommendation_is_complied(recommendation, manager):
    recommendation_services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        url="https://intranet.example.org/briefing",
        by=manager,
        at=at(date(2022, 1, 30)),
    )
    recommendation_services.recommendation_transition(
        recommendation=recommendation,
        to_status=RecommendationStatus.COMPLIED,
        by=manager,
        on=date(2022, 2, 1),
    )

    _dispatch_and_send(date(2022, 2, 21))

    assert mail.outbox == []


def test_an_extension_reschedules_from_the_new_date(recommendation, manager):
    _dispatch_and_send(date(2022, 2, 12))  # 14 days before 26 February
    services.reminders_dispatch(now=at(date(2022, 2, 19)))  # 7 days: recorded...
    deadline_services.extension_record(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 4, 30),
        reason="Committee meets in April",
        basis=ExtensionBasis.AGREED_IN_WRITING,
        by=manager,
        at=at(date(2022, 2, 19)),
    )
    _send_waiting(date(2022, 2, 19))  # ...but the extension came before it was sent

    _dispatch_and_send(date(2022, 3, 20))  # nothing due: 41 days before the new date
    _dispatch_and_send(date(2022, 4, 2))  # 28 days before the new date

    assert list(Reminder.objects.order_by("pk").values_list("for_due_date", "stage", "status")) == [
        (date(2022, 2, 26), "before:14", "sent"),
        (date(2022, 2, 26), "before:7", "cancelled"),
        (date(2022, 4, 30), "before:28", "sent"),
    ]


def test_a_mail_server_failure_releases_the_claim_for_a_retry(recommendation, monkeypatch):
    services.reminders_dispatch(now=at(date(2022, 1, 29)))
    (reminder_id,) = _waiting()

    def refuse(reminder):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("reminders.emails.reminder_send", refuse)
    with pytest.raises(ConnectionError):
        services.reminder_send(reminder_id=reminder_id, now=at(date(2022, 1, 29)))
    assert Reminder.objects.get().status == ReminderStatus.PENDING
    monkeypatch.undo()

    assert services.reminder_send(reminder_id=reminder_id, now=at(date(2022, 1, 29))) is True
    assert services.reminder_send(reminder_id=reminder_id, now=at(date(2022, 1, 29))) is False
    assert (Reminder.objects.get().attempts, len(mail.outbox)) == (2, 1)


def test_a_claim_abandoned_by_a_dead_worker_is_released_after_a_while(recommendation):
    services.reminders_dispatch(now=at(date(2022, 1, 29)))
    (reminder_id,) = _waiting()
    Reminder.objects.filter(pk=reminder_id).update(
        status=ReminderStatus.SENDING, claimed_at=at(date(2022, 1, 29))
    )

    assert services.reminders_dispatch(now=at(date(2022, 1, 29))).released == 0
    assert _waiting() == []
    assert services.reminders_dispatch(now=at(date(2022, 1, 30))).released == 1
    assert _waiting() == [reminder_id]


def test_digest_users_get_one_email_a_day(officer, manager):
    officer.reminder_digest = True
    officer.save()
    first = _recommendation(officer, manager)
    second = _recommendation(officer, manager, complaint=first.complaint)

    assert services.reminders_dispatch(now=at(date(2022, 1, 29))).recorded == 2
    assert _waiting() == []
    assert services.digest_recipients() == [officer.pk]
    assert services.digest_send(recipient_id=officer.pk, now=at(date(2022, 1, 29))) == 2
    assert services.digest_send(recipient_id=officer.pk, now=at(date(2022, 1, 29))) == 0

    (email,) = mail.outbox
    assert email.subject == "Your deadlines today: 2 reminders"
    assert first.deadline.title in email.body
    assert second.deadline.title in email.body


def test_dispatch_command_dry_run_lists_and_changes_nothing(recommendation, settings):
    out = StringIO()
    settings.CELERY_TASK_ALWAYS_EAGER = True

    call_command("dispatch_reminders", "--dry-run", stdout=out)

    assert "would be recorded; nothing was changed." in out.getvalue()
    assert Reminder.objects.count() == 0


def test_dispatch_command_dry_run_names_the_managers_once_for_an_overdue_deadline(
    recommendation,
):
    out = StringIO()
    call_command("dispatch_reminders", "--dry-run", "--on", "2022-02-27", stdout=out)

    title = recommendation.deadline.title
    assert out.getvalue().splitlines() == [
        f"{title} [overdue:1] to {recommendation.deadline.owner} <officer@example.org>",
        f"{title} [overdue:1] to the managers responsible, in their digests",
        "2 reminder(s) would be recorded; nothing was changed.",
    ]


def test_a_working_days_deadline_over_christmas_is_reminded_the_day_before(officer, manager):
    # 3 working days from Christmas Eve 2026 skips Christmas, Boxing Day observed and a weekend.
    complaint = complaint_recorded(
        by=manager,
        public_interest_report=False,
        report_date=date(2026, 12, 24),
        received_date=date(2026, 12, 24),
    )
    recommendation = recommendation_recorded(
        complaint=complaint,
        owner=officer,
        by=manager,
        rule={"counting": "within", "count": 3, "unit": "working_days", "anchor": "report_date"},
    )
    assert recommendation.deadline.due_date == date(2026, 12, 31)

    _dispatch_and_send(date(2026, 12, 30))

    assert _sent() == [("before:1", "officer", False)]
    assert mail.outbox[0].subject.endswith("is due in 1 day")
