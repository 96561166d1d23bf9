"""A manager emails the personal links to a learning point; a member of the front door, who
does not use the app, opens hers without signing in, reads the learning and confirms; the
manager's coverage goes from 0% to 50%. Every page is checked with axe-core."""

from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from organisations.models import Organisation
from tests.browser.conftest import follow_link, press_button, sign_in
from tests.factories import (
    audience_made,
    complaint_recorded,
    learning_point_recorded,
    person_added,
    recommendation_recorded,
    user_with_role,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT = "Contact the other council on the day of a cross-border referral."


@pytest.fixture
def story(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the outbox sends the emails at once
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="learning-manager", organisation=croydon)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    front_door = audience_made(organisation=croydon, name="Front door (MASH)", by=manager)
    for name in ("Asha Patel", "Ben Cole"):
        person_added(organisation=croydon, name=name, audiences=[front_door])
    point = learning_point_recorded(
        recommendation=recommendation,
        by=manager,
        audiences=[front_door],
        title="Cross-border referrals",
        text=TEXT,
        at=datetime.now(UTC),
    )
    return {"manager": manager, "point": point}


def _link_path(address: str) -> str:
    [message] = [message for message in mail.outbox if message.to == [address]]
    [line] = [line for line in message.body.splitlines() if "/learning/link/" in line]
    return urlparse(line.strip()).path


def test_a_member_of_staff_acknowledges_through_her_link_and_coverage_changes(
    page, check_page, story
):
    point = story["point"]
    sign_in(page, story["manager"])
    page.goto(point.get_absolute_url())
    check_page("learning-point")
    expect(page.get_by_text("0% of 2 people acknowledged version 1")).to_be_visible()

    follow_link(page, page.get_by_role("link", name="Email the personal links"))
    check_page("send-links")
    press_button(page, page.get_by_role("button", name="Send the links"))
    expect(page.get_by_text("2 personal links will be emailed")).to_be_visible()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "asha.patel@example.org",
        "ben.cole@example.org",
    ]

    follow_link(page, page.get_by_role("link", name="See who it has reached"))
    check_page("coverage-before")
    expect(page.get_by_role("cell", name="Asha Patel")).to_be_visible()

    # Asha does not use the app: she opens her email's link in a browser never signed in.
    page.context.clear_cookies()
    page.goto(_link_path("asha.patel@example.org"))
    check_page("personal-link")
    expect(page.get_by_role("heading", name="Cross-border referrals")).to_be_visible()
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(page.locator(".govuk-service-navigation__list")).to_have_count(0)
    press_button(page, page.get_by_role("button", name="I have read and understood this"))
    check_page("acknowledged")
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    page.goto(_link_path("asha.patel@example.org"))
    expect(page.get_by_role("heading", name="Already acknowledged")).to_be_visible()

    sign_in(page, story["manager"])
    page.goto(f"/learning/points/{point.pk}/coverage/")
    check_page("coverage-after")
    expect(page.get_by_text("50% of 2 people acknowledged version 1")).to_be_visible()
    expect(page.get_by_role("cell", name="Asha Patel")).to_have_count(0)
    expect(page.get_by_role("cell", name="Ben Cole")).to_be_visible()
