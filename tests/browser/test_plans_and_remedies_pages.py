"""A manager opens a recommendation's action plan, the complaint's timeline, a personal remedy's
payments, the annual letters and the dashboard's new sections: each page passes axe-core
(WCAG 2.2 AA) with no Content-Security-Policy report, and the timeline's chart has its text
alternative."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.roles import Role
from organisations.models import Organisation
from plans import services as plan_services
from tests.browser.conftest import sign_in
from tests.factories import (
    complaint_recorded,
    letter_recorded,
    milestone_added,
    payment_recorded,
    recommendation_recorded,
    remedy_recommended,
    user_with_role,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def records(db):
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="plans-manager", organisation=croydon)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    share = recommendation_recorded(complaint=complaint, number=1, by=manager, owner=manager)
    written = milestone_added(recommendation=share, title="Briefing written", by=manager)
    milestone_added(
        recommendation=share,
        title="Briefing delivered to the front door",
        planned_date=date(2022, 1, 31),
        by=manager,
    )
    plan_services.plan_baseline(
        plan=written.plan,
        agreed_on=date(2022, 1, 20),
        note="Agreed by the General Purposes & Audit Committee.",
        by=manager,
        at=datetime(2022, 1, 21, 9, 0, tzinfo=UTC),
    )
    remedy = remedy_recommended(complaint=complaint, number=2, by=manager, owner=manager)
    payment_recorded(recommendation=remedy, by=manager)
    letter = letter_recorded(organisation=croydon, by=manager)
    return {
        "manager": manager,
        "share": share,
        "complaint": complaint,
        "remedy": remedy,
        "letter": letter,
    }


def test_the_plan_timeline_payments_and_letters_pages_pass_axe(page, check_page, records):
    sign_in(page, records["manager"])

    page.goto(reverse("plans:plan_detail", args=[records["share"].pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action plan")
    check_page("plan")

    page.goto(reverse("plans:complaint_timeline", args=[records["complaint"].pk]))
    expect(page.get_by_role("img", name="Action plan timeline of complaint")).to_be_visible()
    check_page("timeline")

    page.goto(reverse("remedies:payment_list", args=[records["remedy"].pk]))
    expect(page.get_by_text("£150.00").first).to_be_visible()
    check_page("payments")

    page.goto(reverse("annual_review:letter_detail", args=[records["letter"].pk]))
    check_page("annual letter")

    page.goto(reverse("dashboard:index"))
    expect(page.locator("#remedies")).to_have_text("Remedy payments")
    check_page("dashboard")
