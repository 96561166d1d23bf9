"""A committee clerk prepares, previews and issues a report, then downloads both files."""

import hashlib
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from ombudsman_tracker.formats import date_text
from reports.models import CommitteeReport, ReportStatus
from tests.browser.conftest import (
    choose,
    follow_link,
    press_button,
    sign_in,
    summary_value,
    tab_to,
    type_into,
)
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEETING = date(2022, 2, 15)


def _download(page, link) -> bytes:
    """Follow a download link by keyboard and return the file the browser saved."""
    tab_to(page, link)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    return open(download.path(), "rb").read()


def test_clerk_prepares_previews_and_issues_a_report_then_downloads_both_files(
    page, check_page, manager
):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="clerk", first_name="Chris")
    complaint = complaint_recorded(by=manager, reference="21 000 001")
    recommendation_recorded(complaint=complaint, by=manager, owner=manager)

    page.goto("/")
    check_page("sign-in")
    sign_in(page, clerk)
    check_page("home")

    follow_link(page, page.get_by_role("link", name="Reports", exact=True))
    check_page("reports")
    follow_link(page, page.get_by_role("button", name="Prepare a report"))
    check_page("report-form")

    tab_to(page, page.get_by_label(f"{complaint.reference}: {complaint.title}"))
    page.keyboard.press("Space")
    choose(page, page.get_by_label("General Purposes & Audit Committee"))
    meeting = page.get_by_role("group", name="Date of the meeting")
    type_into(page, meeting.get_by_label("Day"), str(MEETING.day))
    type_into(page, meeting.get_by_label("Month"), str(MEETING.month))
    type_into(page, meeting.get_by_label("Year"), str(MEETING.year))
    press_button(page, page.get_by_role("button", name="Prepare the draft"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Draft report prepared: check it, then issue it"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Progress on the Ombudsman's recommendations"
    )
    expect(summary_value(page, "Status")).to_have_text("Draft: not issued")
    expect(summary_value(page, "Report to")).to_have_text("General Purposes & Audit Committee")
    expect(page.get_by_role("heading", name="Statutory clocks")).to_be_visible()
    check_page("draft-preview")

    follow_link(page, page.get_by_role("button", name="Issue the report"))
    check_page("issue-confirm")
    press_button(page, page.get_by_role("button", name="Issue the report"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Report issued as version 1: its files are frozen"
    )
    report = CommitteeReport.objects.get()
    assert (report.status, report.issued_by) == (ReportStatus.ISSUED, clerk)
    expect(summary_value(page, "Status")).to_contain_text("Version 1, issued on")
    expect(summary_value(page, "PDF file SHA-256")).to_have_text(report.pdf_sha256)
    check_page("issued")

    docx = _download(page, page.get_by_role("link", name="Word document (.docx)"))
    pdf = _download(page, page.get_by_role("link", name="PDF", exact=True))

    assert hashlib.sha256(docx).hexdigest() == report.docx_sha256
    assert hashlib.sha256(pdf).hexdigest() == report.pdf_sha256
    assert pdf.startswith(b"%PDF-")


def test_clerk_records_the_response_to_the_ombudsman_in_the_ledger(page, check_page, manager):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="clerk", first_name="Chris")
    complaint = complaint_recorded(by=manager, reference="21 000 001")

    page.goto("/")
    sign_in(page, clerk)
    follow_link(page, page.get_by_role("link", name="Reports", exact=True))
    follow_link(page, page.get_by_role("link", name="Distribution ledgers"))
    check_page("ledgers")
    follow_link(page, page.get_by_role("link", name=f"{complaint.reference} distribution ledger"))
    check_page("ledger-empty")
    follow_link(page, page.get_by_role("button", name="Record an entry"))
    check_page("entry-form")

    choose(page, page.get_by_label("Local Government and Social Care Ombudsman"))
    type_into(
        page,
        page.get_by_label("What was sent or presented"),
        "The council's response under section 31(2)",
    )
    sent = page.get_by_role("group", name="Date of the meeting, or the date sent")
    type_into(page, sent.get_by_label("Day"), "20")
    type_into(page, sent.get_by_label("Month"), "2")
    type_into(page, sent.get_by_label("Year"), "2022")
    press_button(page, page.get_by_role("button", name="Record the entry"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The s31(2) response clock for Croydon Council is met (sent on 20 February 2022)"
    )
    expect(page.get_by_role("cell", name="20 February 2022")).to_be_visible()
    check_page("ledger-with-response")

    # A meeting still to come: recorded as planned, its resolution refused until after it.
    meeting = timezone.localdate() + timedelta(days=30)
    when = date_text(meeting)
    follow_link(page, page.get_by_role("button", name="Record an entry"))
    choose(page, page.get_by_label("Cabinet", exact=True))
    type_into(page, page.get_by_label("What was sent or presented"), "Progress report")
    planned = page.get_by_role("group", name="Date of the meeting, or the date sent")
    type_into(page, planned.get_by_label("Day"), str(meeting.day))
    type_into(page, planned.get_by_label("Month"), str(meeting.month))
    type_into(page, planned.get_by_label("Year"), str(meeting.year))
    resolution = page.get_by_label("Resolution")
    type_into(page, resolution, "RESOLVED: to note the report.")
    press_button(page, page.get_by_role("button", name="Record the entry"))

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"The meeting on {when} has not taken place yet: leave the resolution empty and record "
        "it after the meeting"
    )
    check_page("entry-form-meeting-to-come")
    tab_to(page, resolution)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    press_button(page, page.get_by_role("button", name="Record the entry"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Recorded as planned: Cabinet on {when}"
    )
    expect(
        page.get_by_role("cell", name=f"Resolution due after the meeting on {when}")
    ).to_be_visible()
    check_page("ledger-with-planned-meeting")
