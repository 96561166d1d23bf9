"""A manager agrees an officer's extension request on its decision page, then records an
extension the Ombudsman agreed in writing, by keyboard."""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from deadlines import services as deadline_services
from deadlines.models import ExtensionBasis
from tests.browser.conftest import (
    choose,
    follow_link,
    press_button,
    sign_in,
    summary_value,
    type_into,
)
from tests.factories import recommendation_recorded

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_manager_agrees_a_requested_extension_then_records_one_agreed_in_writing(
    page, check_page, manager, officer
):
    recommendation = recommendation_recorded(owner=officer)
    original = recommendation.deadline.due_date
    asked_for = original + relativedelta(months=1)
    new_due = original + relativedelta(months=2)
    deadline_services.extension_request(
        deadline=recommendation.deadline,
        new_due_date=asked_for,
        reason="The committee that considers the report meets next month.",
        basis=ExtensionBasis.COMMITTEE_DECISION,
        by=officer,
        at=timezone.now(),
    )
    title = f"{recommendation.complaint.reference} recommendation 1"

    page.goto("/")
    check_page("sign-in")
    sign_in(page, manager)
    expect(page.locator("#count-extension-requests")).to_have_text("1")
    check_page("home")

    follow_link(page, page.get_by_role("link", name="Recommendations", exact=True))
    check_page("recommendations")
    follow_link(page, page.get_by_role("link", name=title, exact=True))
    expect(page.locator(".govuk-summary-list__key", has_text="Original due date")).to_have_count(0)

    follow_link(
        page,
        page.get_by_role("link", name=f"Agree or refuse the extension to {asked_for:%-d %B %Y}"),
    )
    expect(summary_value(page, "Due date now")).to_have_text(f"{original:%-d %B %Y}")
    expect(summary_value(page, "New due date asked for")).to_have_text(f"{asked_for:%-d %B %Y}")
    check_page("extension-decision")
    choose(page, page.get_by_label(f"Agree: the due date moves to {asked_for:%-d %B %Y}"))
    press_button(page, page.get_by_role("button", name="Save the decision"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Extension agreed: now due on {asked_for:%-d %B %Y} "
        f"(originally due on {original:%-d %B %Y})"
    )
    check_page("agreed")

    follow_link(page, page.get_by_role("link", name="Record an agreed extension"))
    check_page("extension-form")
    new_date = page.get_by_role("group", name="New due date")
    type_into(page, new_date.get_by_label("Day"), str(new_due.day))
    type_into(page, new_date.get_by_label("Month"), str(new_due.month))
    type_into(page, new_date.get_by_label("Year"), str(new_due.year))
    type_into(
        page,
        page.get_by_label("Reason"),
        "The council's audit of child protection referrals runs until the new date.",
    )
    choose(page, page.get_by_label("Agreed by the Ombudsman in writing"))
    type_into(page, page.get_by_label("Reference"), "LGSCO letter of 3 March 2022")
    press_button(page, page.get_by_role("button", name="Record the extension"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Extension agreed: now due on {new_due:%-d %B %Y} (originally due on {original:%-d %B %Y})"
    )
    expect(summary_value(page, "Due date")).to_have_text(f"{new_due:%-d %B %Y}")
    expect(summary_value(page, "Original due date")).to_have_text(f"{original:%-d %B %Y}")
    check_page("extended")
