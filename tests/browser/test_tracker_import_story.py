"""A manager imports a spreadsheet tracker by keyboard: the import page lists the columns and
offers an empty template; a file with a problem is refused with its rows listed; the template,
filled in as an Excel workbook, is imported; the tracker is downloaded, one status edited and
imported back; and the progress page is checked while an import runs. Every page is checked
with axe-core."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
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


def download(page, link, path):
    """Follow a download link by keyboard and keep the file at ``path``."""
    tab_to(page, link)
    with page.expect_download() as downloading:
        page.keyboard.press("Enter")
    downloading.value.save_as(path)
    return path


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
    bad = tmp_path / "bad.csv"
    bad.write_text(tracker_text(*rows(report_date="31/02/2022")), encoding="utf-8")

    page.goto("/")
    sign_in(page, manager)
    follow_link(page, page.get_by_role("link", name="Import", exact=True))
    columns = page.get_by_role("table", name="The columns of a tracker file")
    expect(columns.get_by_role("row", name=re.compile(r"^expected_evidence "))).to_contain_text(
        "The evidence the Ombudsman expects Yes"
    )
    check_page("import-form")
    # The template, filled in as Excel would keep it.
    good = download(
        page,
        page.get_by_role("link", name="Download the empty template as an Excel workbook (.xlsx)"),
        tmp_path / "tracker.xlsx",
    )
    book = load_workbook(good)
    header = [cell.value for cell in book.active[1]]
    for row in rows():
        book.active.append([row[name] for name in header])
    book.save(good)

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
    expect(page.get_by_role("link", name="tracker.xlsx")).to_be_visible()
    check_page("import-form-with-uploads")

    # Export, edit one status in the file, import it back: exactly that change is made.
    export = download(
        page, page.get_by_role("link", name="Download the tracker"), tmp_path / "export.csv"
    )
    exported = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8-sig"))))
    assert [(row["recommendation_number"], row["status"]) for row in exported] == [
        ("1", "Open"),
        ("2", "Open"),
    ]
    exported[0]["status"] = "In progress"
    with export.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(exported[0]))
        writer.writeheader()
        writer.writerows(exported)
    upload(page, export)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Tracker imported: 0 complaint(s) and 0 recommendation(s) created; 1 recommendation(s) "
        "changed; 1 row(s) already in the app."
    )

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
