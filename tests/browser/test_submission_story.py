"""On the demo's live case, an officer prepares Croydon's evidence submission on the personal
remedy, checks the letter and the index, confirms the files are redacted and sends it; the sent
page offers the frozen files. The recommendation then awaits the Ombudsman, until the officer
records its letter of satisfaction and it is complied. Keyboard only; axe-core on every page."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from demo import live
from recommendations.models import Complaint, RecommendationStatus
from submissions.models import Submission, SubmissionStatus
from tests.browser.conftest import (
    PASSWORD,
    follow_link,
    press_button,
    sign_in,
    tab_to,
    type_into,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def story(db):
    """The demo's live case: its personal remedy (recommendation 1) has the Director's letter of
    apology as its evidence, a link, and is a week overdue."""
    call_command("seed_demo", password=PASSWORD, stdout=StringIO())
    complaint = Complaint.objects.get(reference=live.REFERENCE)
    return {
        "officer": User.objects.get(username="officer"),
        "complaint": complaint,
        "recommendation": complaint.recommendations.get(number=1),
    }


def _tick(page, checkbox):
    tab_to(page, checkbox)
    page.keyboard.press("Space")
    assert checkbox.is_checked()


def test_an_officer_prepares_checks_and_sends_the_evidence(page, check_page, story):
    number = story["recommendation"].number
    sign_in(page, story["officer"])
    page.goto(story["complaint"].get_absolute_url())
    follow_link(page, page.get_by_role("link", name="Evidence submissions to the Ombudsman"))
    check_page("submissions")
    follow_link(page, page.get_by_role("button", name="Prepare a submission"))
    check_page("prepare")

    _tick(page, page.get_by_label(f"Report recommendation {number}"))
    type_into(
        page,
        page.get_by_label(f"What was done for recommendation {number}"),
        "The Director apologised to Ms B in writing.",
    )
    apologised = timezone.localdate() - timedelta(days=10)  # as the demo's evidence says
    for part, value in (
        ("Day", str(apologised.day)),
        ("Month", str(apologised.month)),
        ("Year", str(apologised.year)),
    ):
        type_into(
            page,
            page.get_by_role("group", name=f"When recommendation {number} was done").get_by_label(
                part
            ),
            value,
        )
    _tick(page, page.get_by_label("The Director's letter of apology to Ms B (link:"))
    press_button(page, page.get_by_role("button", name="Save and check the submission"))
    check_page("check")
    expect(page.get_by_role("heading", name="Check your submission")).to_be_visible()
    expect(
        page.get_by_text("What was done: The Director apologised to Ms B in writing.")
    ).to_be_visible()

    press_button(page, page.get_by_role("button", name="Send the submission"))
    check_page("redaction-not-confirmed")
    expect(
        page.get_by_role("link", name="Confirm that the evidence files are redacted")
    ).to_be_visible()

    _tick(page, page.get_by_label("I confirm that the evidence files are redacted"))
    press_button(page, page.get_by_role("button", name="Send the submission"))
    check_page("sent")
    expect(page.get_by_role("heading", name="Evidence sent to the Ombudsman")).to_be_visible()
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.SENT
    assert submission.redaction_confirmed_by == story["officer"]
    expect(page.get_by_text(submission.evidence_zip_sha256)).to_be_visible()
    expect(page.get_by_role("link", name="Evidence zip, with its index")).to_be_visible()

    # The recommendation awaits the Ombudsman, which writes back satisfied.
    page.goto(story["recommendation"].get_absolute_url())
    expect(page.locator("#awaiting-ombudsman")).to_contain_text("awaiting the Ombudsman")
    check_page("awaiting")
    follow_link(page, page.get_by_role("link", name="Record the Ombudsman's reply"))
    check_page("reply")
    radio = page.get_by_label("Satisfied", exact=True)
    tab_to(page, radio)
    page.keyboard.press("Space")
    letter_date = page.get_by_role("group", name="Date of the Ombudsman's letter")
    today = timezone.localdate()  # the letter came the day the evidence went
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        type_into(page, letter_date.get_by_label(part), str(value))
    page.get_by_label("Upload the Ombudsman's letter").set_input_files(
        files=[{"name": "satisfied.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 ok"}]
    )
    press_button(page, page.get_by_role("button", name="Record the reply"))
    check_page("satisfied")
    story["recommendation"].refresh_from_db()
    assert story["recommendation"].status == RecommendationStatus.COMPLIED
    expect(page.get_by_role("cell", name="Satisfied", exact=True)).to_be_visible()
