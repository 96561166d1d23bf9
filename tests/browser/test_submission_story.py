"""An officer prepares Croydon's evidence submission on a recommendation, checks the letter and
the index, confirms the files are redacted and sends it; the sent page offers the frozen
files. The recommendation then awaits the Ombudsman, until the officer records its letter of
satisfaction and it is complied. Keyboard only; every page is checked with axe-core."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from submissions.models import Submission, SubmissionStatus
from tests.browser.conftest import follow_link, press_button, sign_in, tab_to, type_into
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def story(db):
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    officer = user_with_role(Role.OFFICER, username="submission-officer", organisation=croydon)
    complaint = complaint_recorded(by=officer, organisations=[croydon], reference="21 000 001")
    recommendation = recommendation_recorded(complaint=complaint, by=officer, owner=officer)
    recommendation_services.evidence_add(
        recommendation=recommendation,
        description="Briefing to social care staff",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=officer,
        at=datetime(2022, 1, 20, 9, 0, tzinfo=UTC),
    )
    return {"officer": officer, "complaint": complaint, "recommendation": recommendation}


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
        "Briefed every social care team on cross-border referrals.",
    )
    for part, value in (("Day", "14"), ("Month", "1"), ("Year", "2022")):
        type_into(
            page,
            page.get_by_role("group", name=f"When recommendation {number} was done").get_by_label(
                part
            ),
            value,
        )
    _tick(page, page.get_by_label("Briefing to social care staff (file:"))
    press_button(page, page.get_by_role("button", name="Save and check the submission"))
    check_page("check")
    expect(page.get_by_role("heading", name="Check your submission")).to_be_visible()
    expect(
        page.get_by_text("What was done: Briefed every social care team on cross-border referrals.")
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
