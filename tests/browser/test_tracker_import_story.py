"""A manager imports a spreadsheet tracker by keyboard: a file with a problem is refused with
its rows listed, the corrected file is imported, and the progress page is checked while an
import runs. Every page is checked with axe-core."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outbox.models import Job
from recommendations.models import TrackerUpload, UploadStatus
from recommendations.tracker_csv import uploads
from tests.browser.conftest import follow_link, press_button, sign_in, tab_to
from tests.recommendations.test_tracker_csv import tracker_row, tracker_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def rows(**changes):
    return [
        tracker_row(
            complaint_reference="22 555 001",
            public_interest_report="no",
            organisations="Croydon Council",
            recommendation_number=str(number),
            **changes,
        )
        for number in (1, 2)
    ]


def upload(page, path):
    file_input = page.get_by_label("Upload a tracker")
    tab_to(page, file_input)
    # Space would open the operating system's file dialog, which no keyboard test can drive.
    file_input.set_input_files(path)
    press_button(page, page.get_by_role("button", name="Import the tracker"))
    expect(page).to_have_url(re.compile(r"/tracker/uploads/\d+/$"))


def test_manager_imports_a_tracker_and_follows_the_import(
    page, check_page, manager, officer, settings, tmp_path
):
    # The live server runs in this process, so the import runs in its request, as a worker would.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    bad, good = tmp_path / "bad.csv", tmp_path / "tracker.csv"
    bad.write_text(tracker_text(*rows(report_date="31/02/2022")), encoding="utf-8")
    good.write_text(tracker_text(*rows()), encoding="utf-8")

    page.goto("/")
    sign_in(page, manager)
    follow_link(page, page.get_by_role("link", name="Import", exact=True))
    check_page("import-form")

    upload(page, bad)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The file has 2 problems; nothing was imported."
    )
    expect(page.locator("#row-errors")).to_contain_text("'31/02/2022' is not a real date.")
    check_page("import-refused")

    follow_link(page, page.get_by_role("link", name="Upload the file again", exact=True))
    upload(page, good)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Tracker imported: 1 complaint(s) and 2 recommendation(s) created; 0 row(s) already in "
        "the app."
    )
    check_page("import-done")

    follow_link(page, page.get_by_role("link", name="Import a tracker", exact=True))
    expect(page.get_by_role("link", name="bad.csv")).to_be_visible()
    expect(page.get_by_role("link", name="tracker.csv")).to_be_visible()
    check_page("import-form-with-uploads")

    running = TrackerUpload.objects.create(
        organisation=manager.organisation,
        file_name="large.csv",
        uploaded_by=manager,
        uploaded_at=datetime(2022, 6, 1, 9, 0, tzinfo=UTC),
        status=UploadStatus.WRITING,
        rows_checked=30_000,
        bytes_total=10_000_000,
        bytes_checked=10_000_000,
        records_to_write=40_000,
        records_written=20_000,
    )
    Job.objects.create(  # a worker is running its import
        kind=uploads.IMPORT_JOB,
        object_id=running.pk,
        created_at=timezone.now(),
        due_at=timezone.now(),
        attempts=1,
        claimed_until=timezone.now() + timedelta(minutes=10),
    )
    page.goto(running.get_absolute_url())
    expect(page.locator("#import-progress")).to_have_attribute("value", "55")
    follow_link(page, page.get_by_role("link", name="Stop updating this page"))
    expect(page.get_by_role("link", name="Update this page")).to_be_visible()
    check_page("import-running")
