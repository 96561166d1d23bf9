"""Emailing the personal links and the reminders: each person once, never twice a day, safe
under double clicks and retried jobs."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from learning import services
from learning.emails import LINK_EMAIL_JOB
from learning.models import LinkEmail, LinkEmailKind, PersonalLink
from learning.services import LinkStatus
from outbox.models import Job
from outbox.services import job_run
from tests.factories import person_added

pytestmark = pytest.mark.django_db

MONDAY = datetime(2022, 3, 14, 9, 0, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def people(croydon, front_door, police):
    return [
        person_added(organisation=croydon, name="Asha Patel", audiences=[front_door, police]),
        person_added(organisation=croydon, name="Ben Cole", audiences=[front_door]),
        person_added(
            organisation=croydon,
            name="Gone Away",
            audiences=[front_door],
            left_on=date(2022, 3, 1),
        ),
    ]


def _run_jobs(at):
    for job in Job.objects.filter(kind=LINK_EMAIL_JOB, done_at__isnull=True):
        job_run(job_id=job.pk, at=at)


def test_the_links_go_once_to_each_person_in_post_not_yet_acknowledged(point, people, manager):
    sent = services.links_send(
        learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY
    )
    _run_jobs(MONDAY)

    assert (sent.queued, sent.skipped) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "asha.patel@example.org",
        "ben.cole@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == f"Please read and acknowledge: {point.title}"
    assert "/learning/link/" in message.body
    assert point.recommendation.complaint.reference not in message.body


def test_a_double_click_sends_nobody_a_second_link(point, people, manager):
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    again = services.links_send(
        learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=TUESDAY
    )
    _run_jobs(TUESDAY)

    assert (again.queued, again.skipped) == (0, 2)
    assert len(mail.outbox) == 2
    assert LinkEmail.objects.count() == 2


def test_the_link_in_the_email_acknowledges(point, people, manager, client):
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    _run_jobs(datetime.now(UTC))
    [url] = [line.strip() for line in mail.outbox[0].body.splitlines() if "/learning/link/" in line]

    response = client.post(url.removeprefix("http://localhost:8000"))

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()


def test_reminders_go_to_those_sent_a_link_and_never_twice_a_day(point, people, manager):
    asha, ben, _ = people
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    _run_jobs(MONDAY)
    services._acknowledgement_record(
        person=ben, learning_version=point.current_version, how="app", at=MONDAY
    )
    same_day = services.links_send(
        learning_point=point, kind=LinkEmailKind.REMINDER, by=manager, at=MONDAY
    )

    first = services.links_send(
        learning_point=point, kind=LinkEmailKind.REMINDER, by=manager, at=TUESDAY
    )
    double_click = services.links_send(
        learning_point=point, kind=LinkEmailKind.REMINDER, by=manager, at=TUESDAY
    )
    _run_jobs(TUESDAY)
    next_day = services.links_send(
        learning_point=point, kind=LinkEmailKind.REMINDER, by=manager, at=TUESDAY + timedelta(1)
    )

    assert (same_day.queued, first.queued, double_click.queued, next_day.queued) == (0, 1, 0, 1)
    reminders = [message for message in mail.outbox if message.subject.startswith("Reminder")]
    assert [message.to for message in reminders] == [[asha.email]]


def test_a_retried_job_sends_the_email_once(point, people, manager):
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    email = LinkEmail.objects.first()

    claimed = services.link_email_claim(email_id=email.pk, at=MONDAY)
    second = services.link_email_claim(email_id=email.pk, at=MONDAY)

    assert claimed == email
    assert second is None


def test_a_send_that_fails_is_sent_by_the_retry(point, people, manager, monkeypatch):
    from learning import emails

    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    real = emails.personal_link_send

    def refuse(email, *, at):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(emails, "personal_link_send", refuse)
    _run_jobs(MONDAY)
    assert LinkEmail.objects.filter(sent_at__isnull=True).count() == 2

    monkeypatch.setattr(emails, "personal_link_send", real)
    _run_jobs(MONDAY + timedelta(minutes=5))

    assert len(mail.outbox) == 2
    assert not LinkEmail.objects.filter(sent_at__isnull=True).exists()


def test_no_email_goes_to_someone_who_acknowledged_before_it_was_sent(point, people, manager):
    asha = people[0]
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    services._acknowledgement_record(
        person=asha, learning_version=point.current_version, how="app", at=MONDAY
    )

    _run_jobs(MONDAY)

    assert [message.to for message in mail.outbox] == [["ben.cole@example.org"]]


def test_a_new_version_needs_new_links(point, people, manager):
    services.links_send(learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY)
    services.learning_point_publish(
        learning_point=point, version=point.version, text="Two", change_note="2", by=manager,
        at=MONDAY,
    )  # fmt: skip

    sent = services.links_send(
        learning_point=point, kind=LinkEmailKind.INVITATION, by=manager, at=MONDAY
    )

    assert sent.queued == 2
    assert PersonalLink.objects.count() == 4
    old = PersonalLink.objects.order_by("pk").first()
    from learning.links import link_token_make

    token = link_token_make(link_id=old.pk, at=MONDAY)
    assert services.personal_link_open(token=token, at=MONDAY).status == LinkStatus.SUPERSEDED


def test_the_reminder_page_asks_for_confirmation_then_sends(client, point, people, manager):
    client.force_login(manager)
    services.links_send(
        learning_point=point,
        kind=LinkEmailKind.INVITATION,
        by=manager,
        at=datetime.now(UTC) - timedelta(days=2),
    )
    url = reverse("learning:reminders_send", args=[point.pk])

    page = client.get(url)
    sent = client.post(url, follow=True)
    again = client.post(url, follow=True)

    assert "2 people have not acknowledged version 1" in page.content.decode()
    assert "2 reminders will be emailed" in sent.content.decode()
    assert "0 reminders will be emailed; 2 people not emailed again" in again.content.decode()
    assert LinkEmail.objects.filter(kind=LinkEmailKind.REMINDER).count() == 2
