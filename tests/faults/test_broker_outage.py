"""A live concern raised while Redis is stopped or hung: the auditor's request succeeds within
a few seconds, the concern is saved once, and the team manager is emailed once when Redis is
back (the sweep, which beat runs every minute, queues what the request could not)."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services
from audits.models import LiveConcern
from organisations.models import Organisation, Team
from outbox.services import jobs_sweep
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)
from tests.faults.conftest import CountingClient, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TEAM_MANAGER = "front.door.manager@example.org"
SUBJECT = "Live concern raised during a case audit"
# Redis's socket timeouts (settings) and the page's own time, with room for a slow machine.
A_FEW_SECONDS = 5.0


@pytest.fixture
def audit():
    """An auditor with a case of the Front Door's, whose team manager is known."""
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    auditor = user_with_role(
        Role.AUDITOR, username="auditor", organisation=croydon, team="Quality Assurance"
    )
    population_imported(organisation=croydon, count=4, by=manager)
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"),
        by=manager,
        target_sample_size=2,
        moderation_percent=0,
    )
    services.sample_draw(programme=programme, by=manager, at=datetime(2022, 2, 1, tzinfo=UTC))
    services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    Team.objects.create(
        organisation=croydon,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email=TEAM_MANAGER,
    )
    auditor_browser, manager_browser = CountingClient(), CountingClient()
    auditor_browser.force_login(auditor)
    manager_browser.force_login(manager)
    return auditor_browser, manager_browser, programme.sample_cases.filter(auditor=auditor).first()


def concern_raised(browser, sample_case, text="Sibling still at the address named in 2019."):
    """The form opened and posted, and the page it leads to; ``seconds`` is the wait for the
    post and that page."""
    form = reverse("audits:concern_raise", args=[sample_case.pk])
    assert browser.get(form).status_code == 200
    started = time.monotonic()
    response = browser.post(
        form,
        {"concern": text, "team_manager_email": TEAM_MANAGER},
        follow=True,
    )
    response.seconds = time.monotonic() - started
    return response


def all_emailed(count, mail_server):
    def emailed():
        """every concern to be emailed"""
        return (
            LiveConcern.objects.filter(emailed_at__isnull=False).count() == count
            and len(mail_server.sent(subject_contains=SUBJECT)) >= count
        )

    return emailed


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def emails_about(concern, mail_server) -> int:
    """How many emails link to the concern's page."""
    link = reverse("audits:concern_detail", args=[concern.pk])
    return sum(
        link in message.get_body(("plain",)).get_content()
        for message in mail_server.sent(subject_contains=SUBJECT)
    )


def duplicates(mail_server) -> int:
    """Emails about a concern beyond its first, and concerns raised twice."""
    concerns = list(LiveConcern.objects.all())
    emails = sum(max(emails_about(concern, mail_server) - 1, 0) for concern in concerns)
    return emails + len(concerns) - len({concern.concern for concern in concerns})


def test_with_redis_stopped_the_concern_is_saved_and_emailed_once_redis_is_back(
    own_redis, worker, mail_server, audit, figures
):
    auditor_browser, _, sample_case = audit

    own_redis.stop()
    raised = concern_raised(auditor_browser, sample_case)
    own_redis.start()  # empty: whatever was queued before is gone
    swept = jobs_sweep(at=timezone.now())
    waited = wait_until(all_emailed(1, mail_server), timeout=30)
    concern_page = auditor_browser.get(raised.redirect_chain[-1][0])
    swept_later = jobs_sweep(at=timezone.now() + timedelta(minutes=10))
    wait_until(own_redis.drained, timeout=30)
    figures(
        "redis-stopped",
        requests=auditor_browser.requests,
        errors=auditor_browser.errors,
        emails=len(mail_server.sent(subject_contains=SUBJECT)),
        duplicates=duplicates(mail_server),
        seconds=raised.seconds,
        emailed_after=waited,
    )

    assert auditor_browser.errors == 0
    assert raised.status_code == 200
    assert raised.seconds < A_FEW_SECONDS
    assert "The team manager will be emailed within a minute" in page_text(raised)
    assert "has been emailed" not in page_text(raised)
    assert LiveConcern.objects.count() == 1
    assert swept == 1
    assert f"Emailed to {TEAM_MANAGER} on" in page_text(concern_page)
    assert swept_later == 0
    assert [message["To"] for message in mail_server.sent(subject_contains=SUBJECT)] == [
        TEAM_MANAGER
    ]
    assert duplicates(mail_server) == 0


def test_with_redis_hung_the_concern_takes_seconds_the_site_answers_and_the_email_goes_once(
    own_redis, worker, mail_server, audit, figures
):
    auditor_browser, manager_browser, sample_case = audit
    # The site was working: the first concern went, and the web process holds its connection.
    concern_raised(auditor_browser, sample_case, text="First concern, before Redis hung.")
    wait_until(all_emailed(1, mail_server), timeout=30)

    own_redis.freeze()
    home = {}

    def another_user_opens_the_home_page():
        time.sleep(0.5)  # while the auditor's request waits on Redis
        home["response"] = manager_browser.get(reverse("home"))
        connection.close()  # this thread's own connection

    other_user = threading.Thread(target=another_user_opens_the_home_page)
    other_user.start()
    raised = concern_raised(auditor_browser, sample_case)
    other_user.join()
    own_redis.thaw()
    swept = jobs_sweep(at=timezone.now())
    waited = wait_until(all_emailed(2, mail_server), timeout=30)
    swept_later = jobs_sweep(at=timezone.now() + timedelta(minutes=10))
    # Any copy of the job's message (Redis may have taken the request's as it hung) is run.
    wait_until(own_redis.drained, timeout=30)
    figures(
        "redis-frozen",
        requests=auditor_browser.requests + manager_browser.requests,
        errors=auditor_browser.errors + manager_browser.errors,
        emails=len(mail_server.sent(subject_contains=SUBJECT)),
        duplicates=duplicates(mail_server),
        seconds=raised.seconds,
        home_seconds=home["response"].seconds,
        emailed_after=waited,
    )

    assert auditor_browser.errors == manager_browser.errors == 0
    assert raised.status_code == 200
    assert raised.seconds < A_FEW_SECONDS
    assert "The team manager will be emailed within a minute" in page_text(raised)
    assert home["response"].status_code == 200
    assert home["response"].seconds < A_FEW_SECONDS
    assert LiveConcern.objects.count() == 2
    assert swept <= 1  # none if Redis took the request's message before it hung
    assert swept_later == 0
    assert len(mail_server.sent(subject_contains=SUBJECT)) == 2
    assert duplicates(mail_server) == 0
