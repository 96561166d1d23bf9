"""A tracker uploaded on the import page: imported by a worker, its progress shown.

The request only keeps the file and queues the import; the worker checks every row, records
them all or nothing, and deletes the file. Celery runs eagerly here and the import is queued
on commit, so each story captures the commit's callbacks and runs them, as a worker would.
"""

import hashlib
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from accounts.roles import Role
from organisations.models import Organisation
from outbox import services as outbox_services
from outbox.models import Job
from recommendations import tracker_csv
from recommendations.models import Complaint, Recommendation, TrackerUpload, UploadStatus
from recommendations.tasks import clean_tracker_uploads
from recommendations.tracker_csv import importer, uploads, writing
from tests.factories import user_with_role
from tests.outbox.jobs import job_of, run_job
from tests.recommendations.test_tracker_csv import tracker_row, tracker_text, written_counts
from tests.recommendations.test_tracker_workbook import rewritten, workbook_file
from tests.recommendations.test_views import page_html, page_text

pytestmark = pytest.mark.django_db

AT = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def eager_worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def kent(db):
    return Organisation.objects.get_or_create(name="Kent County Council")[0]


@pytest.fixture
def manager(croydon, kent):
    user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


def good_rows(count=2):
    return [
        tracker_row(
            complaint_reference="22 555 001",
            public_interest_report="no",
            organisations="Croydon Council",
            recommendation_number=str(number),
        )
        for number in range(1, count + 1)
    ]


def tracker_upload_file(*rows, name="tracker.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, tracker_text(*rows).encode(), content_type="text/csv")


def files_kept(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def upload_through_the_page(client, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recommendations:tracker_import"), {"file": file})
    assert response.status_code == 302
    return client.get(response.url)


def uploaded(manager, *rows) -> TrackerUpload:
    return tracker_csv.tracker_upload_create(file=tracker_upload_file(*rows), by=manager, at=AT)


# --- The stories ----------------------------------------------------------------------------


def test_a_good_file_is_imported_by_the_worker_and_its_page_shows_the_summary(
    client, manager, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    file = tracker_upload_file(*good_rows())
    content = file.read()
    file.seek(0)

    page = upload_through_the_page(client, file, django_capture_on_commit_callbacks)

    upload = TrackerUpload.objects.get()
    assert page.request["PATH_INFO"] == f"/tracker/uploads/{upload.pk}/"
    assert (upload.status, upload.result, upload.rows_checked) == (
        UploadStatus.DONE,
        {
            "complaints_created": 1,
            "recommendations_created": 2,
            "rows_unchanged": 0,
            "recommendations_changed": 0,
        },
        2,
    )
    assert (upload.records_to_write, upload.records_written) == (3, 3)
    assert upload.sha256 == hashlib.sha256(content).hexdigest()
    assert (upload.organisation.name, upload.uploaded_by) == ("Croydon Council", manager)
    text = page_text(page)
    assert (
        "Tracker imported: 1 complaint(s) and 2 recommendation(s) created; 0 row(s) already "
        "in the app." in text
    )
    assert f"SHA-256 checksum {upload.sha256}" in text
    assert "The file itself has been deleted" in text
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert "<progress" not in page.content.decode()
    assert Recommendation.objects.filter(complaint__reference="22 555 001").count() == 2


def test_the_file_is_deleted_once_imported(
    client, manager, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    upload_through_the_page(
        client, tracker_upload_file(*good_rows()), django_capture_on_commit_callbacks
    )

    assert files_kept(settings) == []
    assert TrackerUpload.objects.get().file.name == ""


def test_a_bad_file_shows_its_row_errors_writes_nothing_and_is_deleted(
    client, manager, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    before = written_counts()
    rows = [*good_rows(), tracker_row(recommendation_number="3", report_date="31/02/2022")]

    page = upload_through_the_page(
        client, tracker_upload_file(*rows), django_capture_on_commit_callbacks
    )

    upload = TrackerUpload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert upload.result == {
        "summary": "The file has 1 problem; nothing was imported.",
        "errors": [
            {
                "row_number": 4,
                "column": "report_date",
                "message": "'31/02/2022' is not a real date.",
            }
        ],
    }
    text = page_text(page)
    assert text.startswith("Error: Import of tracker.csv")
    assert "There is a problem" in text
    assert (
        "The file has 1 problem; nothing was imported. Correct the problems listed below and "
        "upload the file again." in text
    )
    assert "4 report_date &#x27;31/02/2022&#x27; is not a real date." in text
    assert 'href="#row-errors"' in page.content.decode()
    assert written_counts() == before
    assert files_kept(settings) == []
    assert upload.sha256  # which file it was stays known


def test_the_request_keeps_the_file_and_queues_the_import_without_reading_the_rows(
    client, manager, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """30,000 rows (about 10 MB) once timed out in the request: it must not parse them."""

    def importer_called(**kwargs):
        raise AssertionError("the request ran the import")

    monkeypatch.setattr(uploads, "tracker_import", importer_called)
    monkeypatch.setattr(tracker_csv, "tracker_import", importer_called)
    rows = [
        tracker_row(
            complaint_reference=f"21 {n // 3:06d}",
            recommendation_number=str(n % 3 + 1),
            public_interest_report="no",
            organisations="Croydon Council",
        )
        for n in range(30_000)
    ]
    file = tracker_upload_file(*rows, name="large.csv")
    size = file.size
    client.force_login(manager)

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("recommendations:tracker_import"), {"file": file})

    upload = TrackerUpload.objects.get()
    assert size > 9_000_000
    assert response.status_code == 302
    assert response.url == upload.get_absolute_url()
    assert len(queued) == 1  # the import, queued for when the request's transaction commits
    assert (upload.status, upload.bytes_total, upload.rows_checked) == (
        UploadStatus.QUEUED,
        size,
        0,
    )
    assert [path.stat().st_size for path in files_kept(settings)] == [size]
    # Kept under a name the server makes; the user's name for it is only shown.
    assert re.fullmatch(r"tracker-uploads/\d{4}/\d{2}/[0-9a-f]{32}\.csv", upload.file.name)
    assert upload.file_name == "large.csv"


def test_a_file_that_is_not_a_csv_by_its_content_is_refused_on_the_page(
    client, manager, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    pdf = SimpleUploadedFile("tracker.csv", b"%PDF-1.4 a document", content_type="text/csv")

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("recommendations:tracker_import"), {"file": pdf})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is a PDF document, not a CSV: upload a CSV or XLSX file"
    ]
    assert (TrackerUpload.objects.count(), len(queued), files_kept(settings)) == (0, 0, [])


def test_an_excel_workbook_uploaded_on_the_page_is_imported_by_the_worker(
    client, manager, settings, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    workbook = workbook_file(*good_rows())
    file = SimpleUploadedFile("Tracker 2022.xlsx", workbook.getvalue())

    page = upload_through_the_page(client, file, django_capture_on_commit_callbacks)

    upload = TrackerUpload.objects.get()
    assert (upload.status, upload.file_name, upload.rows_checked) == (
        UploadStatus.DONE,
        "Tracker 2022.xlsx",
        2,
    )
    assert upload.bytes_checked == upload.bytes_total == len(workbook.getvalue())
    assert "Tracker imported: 1 complaint(s) and 2 recommendation(s) created" in page_text(page)
    assert Recommendation.objects.filter(complaint__reference="22 555 001").count() == 2
    assert files_kept(settings) == []


def test_an_edited_export_uploaded_on_the_page_reports_the_change(
    client, manager, django_capture_on_commit_callbacks
):
    uploads.tracker_upload_run(upload_id=uploaded(manager, *good_rows()).pk)
    client.force_login(manager)
    response = client.get(reverse("recommendations:tracker_export"))
    export = b"".join(response.streaming_content).decode("utf-8-sig")
    edited = export.replace(",Open,", ",In progress,", 1).encode("utf-8-sig")

    page = upload_through_the_page(
        client, SimpleUploadedFile("export.csv", edited), django_capture_on_commit_callbacks
    )

    assert (
        "Tracker imported: 0 complaint(s) and 0 recommendation(s) created; 1 recommendation(s) "
        "changed; 1 row(s) already in the app." in page_text(page)
    )
    assert sorted(Recommendation.objects.values_list("number", "status")) == [
        (1, "in_progress"),
        (2, "open"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "tracker.xlsx",
            b"PK\x03\x04 not really a zip",
            "This file is a ZIP archive, not an XLSX: upload a CSV or XLSX file",
        ),
        (
            "tracker.xlsx",
            b"complaint_reference,ombudsman\r\n",
            "This file is plain text, not an XLSX: upload a CSV or XLSX file",
        ),
        (
            "tracker.xls",
            b"complaint_reference,ombudsman\r\n",
            "The selected file must be a CSV or XLSX",
        ),
    ],
    ids=["zip named xlsx", "csv named xlsx", "old excel"],
)
def test_a_file_that_is_not_a_workbook_by_its_content_is_refused_on_the_page(
    client, manager, settings, name, content, message
):
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:tracker_import"), {"file": SimpleUploadedFile(name, content)}
    )

    assert response.context["form"].errors["file"] == [message]
    assert (TrackerUpload.objects.count(), files_kept(settings)) == (0, [])


def test_a_workbook_too_large_once_unpacked_is_refused_on_the_page(client, manager, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024  # at most 10MB unpacked
    workbook = rewritten(
        workbook_file(*good_rows()), "docProps/app.xml", lambda data: data + b" " * 11_000_000
    )
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:tracker_import"),
        {"file": SimpleUploadedFile("bomb.xlsx", workbook.getvalue())},
    )

    assert response.context["form"].errors["file"] == [
        "This workbook unpacks to more than 10MB: save it as 'CSV UTF-8 (Comma delimited)', or "
        "split it into smaller workbooks."
    ]
    assert TrackerUpload.objects.count() == 0


# --- The import page: the template and the columns ------------------------------------------


def test_the_template_downloads_as_csv_with_the_header_row_only(client, manager):
    client.force_login(manager)

    response = client.get(reverse("recommendations:tracker_template_csv"))

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "text/csv; charset=utf-8",
        'attachment; filename="tracker-template.csv"',
    )
    assert response.content.decode("utf-8") == (
        "\ufeff" + ",".join(column.name for column in tracker_csv.IMPORT_COLUMNS) + "\r\n"
    )


def test_the_template_downloads_as_a_workbook_with_the_header_row_only(client, manager):
    client.force_login(manager)

    response = client.get(reverse("recommendations:tracker_template_xlsx"))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="tracker-template.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    assert list(sheet.values) == [tuple(column.name for column in tracker_csv.IMPORT_COLUMNS)]


@pytest.mark.parametrize("name", ["tracker_template_csv", "tracker_template_xlsx"])
def test_the_template_filled_in_imports(client, manager, name):
    client.force_login(manager)
    template = client.get(reverse(f"recommendations:{name}")).content
    row = good_rows(1)[0]
    if name.endswith("csv"):
        filled = io.BytesIO(template + tracker_text(row).split("\r\n", 1)[1].encode())
    else:
        book = load_workbook(io.BytesIO(template))
        book.active.append([row[column.name] for column in tracker_csv.IMPORT_COLUMNS])
        filled = io.BytesIO()
        book.save(filled)
        filled.seek(0)

    summary = tracker_csv.tracker_import(file=filled, by=manager, at=AT)

    assert (summary.complaints_created, summary.recommendations_created) == (1, 1)


def test_the_import_page_lists_every_column_with_its_meaning_format_and_example(client, manager):
    client.force_login(manager)

    response = client.get(reverse("recommendations:tracker_import"))

    html = page_html(response)
    table = html[html.index('<h2 class="govuk-heading-m" id="columns">') :]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table)
    cells = [
        [strip_tags(cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in rows
    ]
    assert cells[0] == ["Column", "What it holds", "Required", "Format", "Example"]
    assert [row[0] for row in cells[1:]] == [column.name for column in tracker_csv.COLUMNS]
    assert cells[1] == [
        "complaint_reference",
        "The Ombudsman&#x27;s reference",
        "Yes",
        "text",
        "21 000 001",
    ]
    assert cells[16] == ["due_date", *cells[16][1:2], "For a stated rule", "a date", "2022-02-26"]
    assert cells[-1][:3] == ["version", cells[-1][1], "No: the export fills it in"]
    assert 'href="/tracker/template.xlsx"' in html
    assert 'href="/tracker/template.csv"' in html


def test_a_refused_upload_points_to_the_columns(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    bad = tracker_upload_file(tracker_row(report_date="31/02/2022"))

    page = upload_through_the_page(client, bad, django_capture_on_commit_callbacks)

    assert f'href="{reverse("recommendations:tracker_import")}#columns"' in page_html(page)
    assert "The import page lists the columns a tracker needs" in page_text(page)


def test_the_columns_in_the_docs_are_the_columns_of_the_file():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "tracker-csv.md").read_text()
    tables = re.findall(r"^\| `([a-z_]+)` \|", docs, flags=re.MULTILINE)

    assert tables == [column.name for column in tracker_csv.COLUMNS]


def test_another_councils_manager_gets_404(client, manager, kent):
    upload = uploaded(manager, *good_rows())
    client.force_login(user_with_role(Role.MANAGER, username="kent", organisation=kent))

    assert client.get(upload.get_absolute_url()).status_code == 404


def test_an_upload_by_someone_who_sees_every_organisation_is_theirs_to_follow(
    client, manager, kent
):
    regional = user_with_role(
        Role.MANAGER, username="regional", organisation=kent, sees_all_organisations=True
    )
    upload = uploaded(regional, *good_rows())

    client.force_login(manager)
    refused = client.get(upload.get_absolute_url())
    kent_manager = user_with_role(Role.MANAGER, username="kent", organisation=kent)
    client.force_login(kent_manager)
    refused_too = client.get(upload.get_absolute_url())
    client.force_login(regional)
    page = client.get(upload.get_absolute_url())

    assert upload.organisation is None
    assert (refused.status_code, refused_too.status_code, page.status_code) == (404, 404, 200)
    assert page_text(page).startswith("Importing tracker.csv")
    assert "Every organisation Importing tracker.csv" in page_text(page)


def test_a_user_who_lost_the_permission_before_the_worker_ran_gets_a_failed_upload(
    client, manager, croydon, settings
):
    upload = uploaded(manager, *good_rows())
    before = written_counts()
    manager.groups.set([Group.objects.get(name=Role.OFFICER)])  # no longer a manager

    uploads.tracker_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    summary = (
        f"Nothing was imported: {manager} is no longer allowed to import a tracker. Ask a "
        "manager to upload the file."
    )
    assert (upload.status, upload.result) == (
        UploadStatus.FAILED,
        {"summary": summary, "errors": []},
    )
    assert written_counts() == before
    assert files_kept(settings) == []
    client.force_login(user_with_role(Role.MANAGER, username="colleague", organisation=croydon))
    assert summary in page_text(client.get(upload.get_absolute_url()))


def test_a_deactivated_user_gets_a_failed_upload(manager):
    upload = uploaded(manager, *good_rows())
    manager.is_active = False
    manager.save()

    uploads.tracker_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED
    assert "is no longer allowed to import a tracker" in upload.result["summary"]
    assert not Complaint.objects.filter(reference="22 555 001").exists()


def test_a_user_who_moved_council_before_the_worker_ran_gets_a_failed_upload(manager, kent):
    upload = uploaded(manager, *good_rows())
    manager.organisation = kent
    manager.save()

    uploads.tracker_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.result["summary"]) == (
        UploadStatus.FAILED,
        f"Nothing was imported: {manager} no longer works for Croydon Council. Ask one of its "
        "managers to upload the file.",
    )
    assert not Complaint.objects.filter(reference="22 555 001").exists()


def test_a_crash_leaves_the_upload_queued_with_its_file_for_the_second_attempt(
    manager, settings, monkeypatch
):
    upload = uploaded(manager, *good_rows())

    def crash(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads, "tracker_import", crash)

    run_job(uploads.IMPORT_JOB, upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.rows_checked, upload.result) == (UploadStatus.QUEUED, 0, {})
    assert [path.name for path in files_kept(settings)] == [Path(upload.file.name).name]
    job = job_of(uploads.IMPORT_JOB, upload.pk)
    assert (job.attempts, job.last_error) == (1, "Attempt 1: RuntimeError: the database went away")


def test_a_second_crash_fails_the_upload_says_nothing_was_imported_and_deletes_the_file(
    manager, settings, monkeypatch
):
    upload = uploaded(manager, *good_rows())

    def crash(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads, "tracker_import", crash)

    run_job(uploads.IMPORT_JOB, upload.pk)
    run_job(uploads.IMPORT_JOB, upload.pk, at=timezone.now() + timedelta(minutes=2))

    upload.refresh_from_db()
    assert (upload.status, upload.result) == (
        UploadStatus.FAILED,
        {"summary": uploads.STALE_SUMMARY, "errors": []},
    )
    assert files_kept(settings) == []
    assert job_of(uploads.IMPORT_JOB, upload.pk).given_up_at is not None


def test_a_second_attempt_after_a_crash_imports_the_file(manager, settings, monkeypatch):
    upload = uploaded(manager, *good_rows())
    real_import = uploads.tracker_import
    calls = []

    def crash_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real_import(**kwargs)

    monkeypatch.setattr(uploads, "tracker_import", crash_once)

    run_job(uploads.IMPORT_JOB, upload.pk)
    run_job(uploads.IMPORT_JOB, upload.pk, at=timezone.now() + timedelta(minutes=2))

    upload.refresh_from_db()
    assert (upload.status, upload.file.name) == (UploadStatus.DONE, "")
    assert Recommendation.objects.filter(complaint__reference="22 555 001").count() == 2
    assert files_kept(settings) == []


def test_a_file_with_very_many_problems_keeps_the_first_500(manager):
    rows = [tracker_row(recommendation_number=str(n), status="maybe") for n in range(1, 601)]
    upload = uploaded(manager, *rows)

    uploads.tracker_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    assert upload.result["summary"] == (
        "The file has 600 problems; nothing was imported. The first 500 are listed."
    )
    assert len(upload.result["errors"]) == 500
    assert upload.result["errors"][0]["row_number"] == 2
    assert upload.rows_checked == 600


def test_an_upload_that_has_gone_is_skipped_quietly(manager):
    upload = uploaded(manager, *good_rows())
    upload_id = upload.pk
    upload.delete()

    run_job(uploads.IMPORT_JOB, upload_id)

    assert not Complaint.objects.filter(reference="22 555 001").exists()


def test_a_finished_upload_is_not_imported_again(manager):
    upload = uploaded(manager, *good_rows())
    uploads.tracker_upload_run(upload_id=upload.pk)
    Recommendation.objects.filter(complaint__reference="22 555 001").delete()

    uploads.tracker_upload_run(upload_id=upload.pk)

    assert not Recommendation.objects.filter(complaint__reference="22 555 001").exists()
    assert TrackerUpload.objects.get().status == UploadStatus.DONE


def test_the_import_command_still_runs_in_its_own_process(manager, tmp_path):
    """The command is outside any request: it imports at once and queues nothing."""
    from django.core.management import call_command

    path = tmp_path / "tracker.csv"
    path.write_text(tracker_text(*good_rows()), encoding="utf-8")

    call_command("import_tracker", str(path), "--user", "manager")

    assert Recommendation.objects.filter(complaint__reference="22 555 001").count() == 2
    assert not TrackerUpload.objects.exists()


# --- Progress -------------------------------------------------------------------------------


def test_progress_is_saved_as_the_check_and_the_write_go(manager, monkeypatch):
    # Every 1,000 rows checked and 50 records written in use; every 2 and 3 here.
    monkeypatch.setattr(importer, "CHECK_PROGRESS_EVERY", 2)
    monkeypatch.setattr(writing, "WRITE_PROGRESS_EVERY", 3)
    rows = [
        tracker_row(
            complaint_reference=f"21 {n // 3:06d}",
            recommendation_number=str(n % 3 + 1),
            public_interest_report="no",
            organisations="Croydon Council",
        )
        for n in range(5)
    ]
    upload = uploaded(manager, *rows)
    saved = []
    real_import = uploads.tracker_import

    def read_back():
        saved.append(
            TrackerUpload.objects.values_list("status", "rows_checked", "records_to_write").get()
        )

    def watched_import(*, checked, writing, written, **kwargs):
        def checked_and_read_back(rows, bytes_read):
            checked(rows, bytes_read)
            read_back()

        def writing_and_read_back(records):
            writing(records)
            read_back()

        written_counts_seen = []

        def written_and_noted(records):
            written(records)
            written_counts_seen.append(records)

        summary = real_import(
            checked=checked_and_read_back,
            writing=writing_and_read_back,
            written=written_and_noted,
            **kwargs,
        )
        saved.append(written_counts_seen)
        return summary

    monkeypatch.setattr(uploads, "tracker_import", watched_import)

    uploads.tracker_upload_run(upload_id=upload.pk)

    assert saved == [
        ("checking", 2, 0),
        ("checking", 4, 0),
        ("checking", 5, 0),
        ("writing", 5, 7),  # 2 complaints and 5 recommendations
        [3, 6, 7],
    ]
    upload.refresh_from_db()
    assert (upload.status, upload.progress_percent) == (UploadStatus.DONE, 100)
    assert (upload.bytes_checked, upload.bytes_total) == (upload.bytes_total, upload.bytes_total)


def recording(manager, *, claimed_until=None):
    """An upload a worker is recording, its job claimed until ``claimed_until`` (ten minutes
    from now), or not yet claimed (None)."""
    upload = uploaded(manager, *good_rows())
    TrackerUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.WRITING,
        rows_checked=30_000,
        bytes_total=10_000_000,
        bytes_checked=10_000_000,
        records_to_write=40_000,
        records_written=20_000,
    )
    Job.objects.filter(pk=job_of(uploads.IMPORT_JOB, upload.pk).pk).update(
        attempts=1, claimed_until=claimed_until or timezone.now() + timedelta(minutes=10)
    )
    return upload


def test_the_page_refreshes_and_shows_progress_while_recording(client, manager):
    upload = recording(manager)
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    content = page.content.decode()
    assert (
        "Every row checked: recorded 20,000 of 40,000 complaints and recommendations "
        "(about 55%)" in page_text(page)
    )
    assert '<meta http-equiv="refresh" content="2">' in content
    assert 'value="55" aria-labelledby="import-progress-text"' in content
    assert "Stop updating this page" in content
    stopped = client.get(upload.get_absolute_url() + "?refresh=off").content.decode()
    assert 'http-equiv="refresh"' not in stopped
    assert f'<a class="govuk-link" href="{upload.get_absolute_url()}">Update this page</a>' in (
        stopped
    )


def test_an_import_no_worker_started_stops_the_refresh_and_says_what_happens(client, manager):
    upload = uploaded(manager, *good_rows())
    Job.objects.filter(pk=job_of(uploads.IMPORT_JOB, upload.pk).pk).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    assert 'http-equiv="refresh"' not in page.content.decode()
    assert (
        "This import is taking longer than it should to start: the service may be busy or "
        "stopped. It will start when it can, or be marked failed by 1 June 2022, 16:00."
    ) in page_text(page)


def test_an_import_whose_worker_was_killed_stops_the_refresh_and_says_what_happens(client, manager):
    upload = recording(manager, claimed_until=timezone.now() - timedelta(seconds=1))
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    assert 'http-equiv="refresh"' not in page.content.decode()
    assert "This import seems to have stopped." in page_text(page)


@pytest.mark.parametrize(
    ("status", "bytes_checked", "written", "percent", "text"),
    [
        (UploadStatus.QUEUED, 0, 0, 0, "Waiting to start checking the file"),
        (UploadStatus.CHECKING, 0, 0, 0, "Checked 12,345 rows (about 0%)"),
        (UploadStatus.CHECKING, 55_000, 0, 5, "Checked 12,345 rows (about 5%)"),
        (UploadStatus.CHECKING, 100_000, 0, 10, "Checked 12,345 rows (about 10%)"),
        (
            UploadStatus.WRITING,
            100_000,
            0,
            10,
            "Every row checked: recorded 0 of 2,000 complaints and recommendations (about 10%)",
        ),
        (
            UploadStatus.WRITING,
            100_000,
            1_000,
            55,
            "Every row checked: recorded 1,000 of 2,000 complaints and recommendations (about 55%)",
        ),
        (
            UploadStatus.WRITING,
            100_000,
            2_000,
            99,
            "Every row checked: recorded 2,000 of 2,000 complaints and recommendations (about 99%)",
        ),
    ],
)
def test_checking_fills_a_tenth_of_the_bar_and_recording_the_rest(
    status, bytes_checked, written, percent, text
):
    upload = TrackerUpload(
        status=status,
        rows_checked=12_345,
        bytes_total=100_000,
        bytes_checked=bytes_checked,
        records_to_write=2_000,
        records_written=written,
    )

    assert (upload.progress_percent, tracker_csv.tracker_upload_progress_text(upload)) == (
        percent,
        text,
    )


def test_a_finished_import_is_at_100_percent():
    assert TrackerUpload(status=UploadStatus.DONE, bytes_total=10).progress_percent == 100


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_progress_is_seen_by_other_connections_before_the_import_commits(
    croydon, kent, monkeypatch
):
    """The write is one transaction: its progress goes through a connection of its own."""
    user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    manager = user_with_role(Role.MANAGER, username="manager", organisation=croydon)
    rows = [
        tracker_row(
            complaint_reference="22 555 001",
            public_interest_report="no",
            organisations="Croydon Council",
            recommendation_number=str(n),
        )
        for n in range(1, 121)
    ]
    # Queued on commit, and a test without a wrapping transaction commits at once: keep the
    # upload queued until the watched import below is in place.
    monkeypatch.setattr(outbox_services, "job_publish", lambda job_id, kind: None)
    upload = uploaded(manager, *rows)
    seen = []
    real_import = uploads.tracker_import

    def watched_import(*, written, **kwargs):
        def written_and_seen_elsewhere(records):
            written(records)
            assert connection.in_atomic_block  # the import's transaction is open
            other = connections.create_connection(DEFAULT_DB_ALIAS)
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        f"SELECT records_written, (SELECT count(*) FROM "  # noqa: S608 (names are ours)
                        f"{Recommendation._meta.db_table}) FROM {TrackerUpload._meta.db_table} "
                        "WHERE id = %s",
                        [upload.pk],
                    )
                    seen.append(cursor.fetchone())
            finally:
                other.close()

        return real_import(written=written_and_seen_elsewhere, **kwargs)

    monkeypatch.setattr(uploads, "tracker_import", watched_import)

    uploads.tracker_upload_run(upload_id=upload.pk)

    # The counts move while the recommendations themselves stay unseen until the commit.
    assert seen == [(50, 0), (100, 0), (121, 0)]
    assert Recommendation.objects.count() == 120


# --- The import page ------------------------------------------------------------------------


def test_the_import_page_lists_the_latest_uploads_with_their_status(client, manager, kent):
    done = uploaded(manager, *good_rows())
    uploads.tracker_upload_run(upload_id=done.pk)
    queued = uploaded(manager, *good_rows())
    uploaded(user_with_role(Role.MANAGER, username="kent", organisation=kent), *good_rows())
    client.force_login(manager)

    page = client.get(reverse("recommendations:tracker_import"))

    assert [upload.pk for upload in page.context["uploads"]] == [queued.pk, done.pk]
    assert "tracker.csv 1 Jun 2022, 10:00 by First" in page_text(page)
    assert "Waiting to start" in page_text(page)
    assert f'href="{done.get_absolute_url()}"' in page_html(page)


def test_the_import_page_runs_the_same_queries_for_one_upload_as_for_several(client, manager):
    client.force_login(manager)
    uploaded(manager, *good_rows())

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("recommendations:tracker_import")).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(4):
        uploaded(user_with_role(Role.MANAGER, organisation=manager.organisation), *good_rows())
    several = queries()

    assert one == several


# --- Clean-up of what an import left behind -------------------------------------------------


def test_an_upload_stuck_in_progress_is_failed_and_its_file_and_orphans_deleted(manager, settings):
    """A worker killed mid-import, or a queued message lost with Redis, leaves an upload "in
    progress" and its file on disk: the hourly clean-up fails it and deletes the file, and any
    file no upload in progress refers to."""
    settings.UPLOAD_STALE_HOURS = 6
    stuck = uploaded(manager, *good_rows())  # queued only: no transaction commits here
    TrackerUpload.objects.filter(pk=stuck.pk).update(uploaded_at=AT)
    left_behind = Path(settings.MEDIA_ROOT) / "tracker-uploads" / "2021" / "12" / "old.csv"
    left_behind.parent.mkdir(parents=True)
    left_behind.write_text("complaint_reference\n")
    old = AT.timestamp()
    os.utime(left_behind, (old, old))

    first = tracker_csv.tracker_uploads_clean(at=AT + timedelta(hours=7))
    second = tracker_csv.tracker_uploads_clean(at=AT + timedelta(hours=7))

    stuck.refresh_from_db()
    assert (first.stale, first.orphans, second.stale, second.orphans) == (1, 1, 0, 0)
    assert (stuck.status, stuck.file.name) == (UploadStatus.FAILED, "")
    assert stuck.result["summary"] == uploads.STALE_SUMMARY
    assert files_kept(settings) == []


def test_an_upload_in_progress_keeps_its_file(manager, settings):
    settings.UPLOAD_STALE_HOURS = 6
    running = uploaded(manager, *good_rows())

    done = tracker_csv.tracker_uploads_clean(at=running.uploaded_at + timedelta(hours=2))

    assert (done.stale, done.orphans) == (0, 0)
    assert [path.name for path in files_kept(settings)] == [Path(running.file.name).name]


def test_the_tracker_clean_up_runs_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["clean-tracker-uploads"]

    assert entry["task"] == clean_tracker_uploads.name == "recommendations.clean_tracker_uploads"
    assert entry["schedule"].minute == {45}
