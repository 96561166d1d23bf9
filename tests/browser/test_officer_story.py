"""An officer shows what the council did and marks the recommendation complied, by keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import (
    choose,
    follow_link,
    press_button,
    sign_in,
    summary_value,
    tab_to,
    type_into,
)
from tests.factories import complaint_recorded, recommendation_recorded

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The smallest PDF a reader opens: one empty page.
BRIEFING_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_officer_adds_evidence_then_marks_the_recommendation_complied_on_time(
    page, check_page, officer, tmp_path
):
    # Reported a week ago, so it is due in about three months and complying today is on time.
    reported = timezone.localdate() - timedelta(days=7)
    complaint = complaint_recorded(report_date=reported, received_date=reported)
    recommendation = recommendation_recorded(complaint=complaint, owner=officer)
    name = f"{complaint.reference} recommendation {recommendation.number}"
    briefing = tmp_path / "briefing.pdf"
    briefing.write_bytes(BRIEFING_PDF)

    page.goto("/")
    check_page("sign-in")
    sign_in(page, officer)
    check_page("home")

    follow_link(page, page.get_by_role("link", name=name, exact=True))
    check_page("recommendation")
    expect(summary_value(page, "Compliance")).to_have_text("Open")

    # Complied before any evidence: refused, and the error summary takes focus to say why.
    follow_link(page, page.get_by_role("link", name="Update the status"))
    check_page("status")
    choose(page, page.get_by_label("Complied", exact=True))
    press_button(page, page.get_by_role("button", name="Save the status"))
    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_focused()
    expect(error_summary).to_contain_text(
        "Add evidence before marking this recommendation complied"
    )
    check_page("status-needs-evidence")

    follow_link(page, page.get_by_role("link", name="Cancel"))
    check_page("recommendation-without-evidence")
    follow_link(page, page.get_by_role("link", name="Add evidence"))
    check_page("add-evidence")
    type_into(page, page.get_by_label("Description"), "Briefing to social care staff")
    tab_to(page, page.get_by_label("Upload a file"))
    # Space would open the operating system's file dialog, which no test can drive.
    page.set_input_files(":focus", briefing)
    press_button(page, page.get_by_role("button", name="Add the evidence"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Evidence added: Briefing to social care staff"
    )
    expect(page.get_by_role("link", name="Briefing to social care staff")).to_be_visible()
    check_page("evidence-added")

    follow_link(page, page.get_by_role("link", name="Update the status"))
    check_page("status-with-evidence")
    choose(page, page.get_by_label("Complied", exact=True))
    press_button(page, page.get_by_role("button", name="Save the status"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Recommendation {recommendation.number} is now complied"
    )
    today = timezone.localdate()
    expect(summary_value(page, "Status")).to_have_text("Complied")
    expect(summary_value(page, "Compliance")).to_have_text(f"Complied on time ({today:%-d %B %Y})")
    check_page("complied")
