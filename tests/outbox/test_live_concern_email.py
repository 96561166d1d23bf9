"""A live concern's email to the team manager: recorded with the concern, sent once, and its
page says what became of it: waiting, sent, late, retried, or not sent (then: another way)."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import emails, services
from outbox.models import Job
from tests.audits.test_views import page_text
from tests.factories import user_with_role
from tests.outbox.jobs import job_of, run_job

pytestmark = pytest.mark.django_db

TEAM_MANAGER = "front.door.manager@example.org"
ANOTHER_WAY = "Contact them another way"


def raised(audit):
    return services.concern_raise(
        sample_case=audit.own_case,
        concern="At risk now",
        raised_by=audit.auditor,
        at=timezone.now(),
    )


def concern_page(client, audit, concern) -> str:
    client.force_login(audit.auditor)
    return page_text(client.get(reverse("audits:concern_detail", args=[concern.pk])))


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(concern):
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(emails, "live_concern_send", refuse)


def test_a_concern_just_raised_waits_for_its_email(client, audit):
    concern = raised(audit)

    page = concern_page(client, audit, concern)

    assert f"Team manager Waiting to be emailed to {TEAM_MANAGER}: it should go within" in page
    assert ANOTHER_WAY not in page
    assert mail.outbox == []


def test_the_email_is_sent_once_and_the_page_says_when(client, audit):
    concern = raised(audit)

    first = run_job(emails.LIVE_CONCERN_EMAIL, concern.pk)
    again = run_job(emails.LIVE_CONCERN_EMAIL, concern.pk)  # a duplicate delivery, say

    concern.refresh_from_db()
    sent_at = timezone.localtime(concern.emailed_at)
    assert (first, again, [email.to for email in mail.outbox]) == (True, False, [[TEAM_MANAGER]])
    assert f"Team manager Emailed to {TEAM_MANAGER} on {sent_at:%-d %B %Y, %H:%M}" in (
        concern_page(client, audit, concern)
    )


def test_an_email_still_waiting_after_five_minutes_says_to_use_another_way(client, audit):
    concern = raised(audit)
    raised_at = timezone.now() - timedelta(minutes=6)
    Job.objects.filter(pk=job_of(emails.LIVE_CONCERN_EMAIL, concern.pk).pk).update(
        created_at=raised_at
    )

    page = concern_page(client, audit, concern)

    assert (
        f"Not emailed to {TEAM_MANAGER} yet: waiting since "
        f"{timezone.localtime(raised_at):%-d %B %Y, %H:%M}"
    ) in page
    assert (
        "The email to the team manager has not been sent yet. If the concern is urgent, contact "
        "them another way."
    ) in page


def test_an_email_the_mail_server_refused_is_tried_again_and_the_page_says_when(
    client, audit, mail_server_down
):
    concern = raised(audit)

    run_job(emails.LIVE_CONCERN_EMAIL, concern.pk)

    retry_at = timezone.localtime(job_of(emails.LIVE_CONCERN_EMAIL, concern.pk).due_at)
    page = concern_page(client, audit, concern)
    assert (
        f"Not emailed to {TEAM_MANAGER} yet: it will be tried again at {retry_at:%-d %B %Y, %H:%M}"
        in page
    )
    assert "could not be sent yet and will be tried again." in page


def test_an_email_not_sent_after_eight_attempts_tells_the_auditor_to_use_another_way(
    client, audit, mail_server_down
):
    concern = raised(audit)
    at = timezone.now()
    for _ in range(8):
        run_job(emails.LIVE_CONCERN_EMAIL, concern.pk, at=at)
        at += timedelta(minutes=11)  # past each retry's delay

    job = job_of(emails.LIVE_CONCERN_EMAIL, concern.pk)
    assert (job.attempts, job.given_up_at is not None) == (8, True)
    page = concern_page(client, audit, concern)
    assert f"Not emailed to {TEAM_MANAGER}: the email could not be sent" in page
    assert (
        "The email to the team manager could not be sent after 8 attempts. Contact them another "
        "way now: a child may be at risk."
    ) in page


def test_only_those_who_may_read_the_concern_see_where_its_email_went(client, audit):
    concern = raised(audit)
    viewer = user_with_role(Role.VIEWER, username="viewer", organisation=audit.auditor.organisation)
    client.force_login(viewer)

    page = page_text(client.get(reverse("audits:concern_detail", args=[concern.pk])))

    assert "Only the auditor who raised it and the case's managers can read what it says." in page
    assert TEAM_MANAGER not in page
