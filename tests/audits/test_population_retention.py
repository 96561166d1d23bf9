"""A population file holds children's case data: it is kept only while it is being imported."""

import hashlib
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits import uploads
from audits.models import PopulationCase, PopulationUpload, UploadStatus
from audits.tasks import clean_population_uploads
from tests.audits.test_population_upload import population_file, row
from tests.outbox.jobs import run_job

pytestmark = pytest.mark.django_db

AT = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMAV_URL = ""
    settings.UPLOAD_STALE_HOURS = 6


def kept_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(
        path.relative_to(root).as_posix()
        for path in (root / "population-uploads").rglob("*")
        if path.is_file()
    )


def uploaded(manager, *rows, at=AT, **kwargs):
    return uploads.population_upload_create(
        file=population_file(*rows, **kwargs), organisation=manager.organisation, by=manager, at=at
    )


def test_a_queued_file_is_kept_under_a_name_the_server_makes(manager, settings):
    file = population_file(row(1))

    upload = uploads.population_upload_create(
        file=file, organisation=manager.organisation, by=manager, at=AT
    )

    assert re.fullmatch(r"population-uploads/\d{4}/\d{2}/[0-9a-f]{32}\.csv", upload.file.name)
    assert kept_files(settings) == [upload.file.name]
    assert upload.file_name == "population.csv"
    file.seek(0)
    assert upload.sha256 == hashlib.sha256(file.read()).hexdigest()


def test_an_imported_file_is_deleted_and_its_checksum_and_rows_are_kept(manager, settings):
    upload = uploaded(manager, row(1), row(2), row(3))
    checksum = upload.sha256

    run_job(uploads.IMPORT_JOB, upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.file.name, upload.sha256, upload.result) == (
        UploadStatus.DONE,
        "",
        checksum,
        {"rows": 3, "created": 3, "unchanged": 0},
    )
    assert kept_files(settings) == []
    assert PopulationCase.objects.count() == 3
    assert PopulationCase.objects.first().imported_in.sha256 == checksum


def test_a_refused_file_is_deleted_at_once(manager, settings):
    upload = uploaded(
        manager, "CR-1,Jo Bloggs,2009-03-14\n", header="child_name,case_reference,date_of_birth\n"
    )

    run_job(uploads.IMPORT_JOB, upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.file.name) == (UploadStatus.FAILED, "")
    assert upload.result["errors"][0]["column"] == "child_name"
    assert "Jo Bloggs" not in str(upload.result)
    assert kept_files(settings) == []
    assert len(upload.sha256) == 64


def test_a_file_whose_import_crashed_is_kept_for_the_second_attempt(manager, settings, monkeypatch):
    upload = uploaded(manager, row(1))

    def crash(**kwargs):
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(uploads.population_csv, "population_import", crash)

    run_job(uploads.IMPORT_JOB, upload.pk)

    upload.refresh_from_db()
    assert (upload.status, upload.rows_checked) == (UploadStatus.QUEUED, 0)
    assert kept_files(settings) == [upload.file.name]


def test_a_file_whose_import_crashed_twice_is_deleted_and_the_upload_failed(
    manager, settings, monkeypatch
):
    upload = uploaded(manager, row(1))

    def crash(**kwargs):
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(uploads.population_csv, "population_import", crash)

    run_job(uploads.IMPORT_JOB, upload.pk)
    run_job(uploads.IMPORT_JOB, upload.pk, at=timezone.now() + timedelta(minutes=2))

    upload.refresh_from_db()
    assert (upload.status, upload.file.name) == (UploadStatus.FAILED, "")
    assert upload.result == {"summary": uploads.STALE_SUMMARY, "errors": []}
    assert kept_files(settings) == []


# --- The clean-up -----------------------------------------------------------------------------


def orphan(settings, name: str, *, age: timedelta) -> Path:
    path = Path(settings.MEDIA_ROOT) / "population-uploads" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"case_reference,child_name\nCR-1,Jo Bloggs\n")
    when = (timezone.now() - age).timestamp()
    os.utime(path, (when, when))
    return path


def test_the_clean_up_deletes_files_no_import_in_progress_needs(manager, settings):
    in_progress = uploaded(manager, row(1), at=timezone.now() - timedelta(hours=2))
    long_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(in_progress.file.path, (long_ago, long_ago))  # past the grace period: still kept
    old = orphan(settings, "2021/12/left-behind.csv", age=timedelta(days=30))
    young = orphan(settings, "2022/01/being-saved.csv", age=timedelta(minutes=5))

    done = uploads.population_uploads_clean(at=timezone.now())

    assert done == uploads.CleanUp(stale=0, orphans=1)
    assert not old.exists()
    assert young.exists()  # its upload's transaction may not have committed yet
    assert sorted(kept_files(settings)) == sorted(
        [in_progress.file.name, "population-uploads/2022/01/being-saved.csv"]
    )


def test_an_upload_stuck_in_progress_is_marked_failed_and_its_file_deleted(manager, settings):
    now = timezone.now()
    stuck = uploaded(manager, row(1), at=now - timedelta(hours=7))
    PopulationUpload.objects.filter(pk=stuck.pk).update(status=UploadStatus.CHECKING)
    recent = uploaded(manager, row(2), at=now - timedelta(hours=5))

    done = uploads.population_uploads_clean(at=now)

    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert done == uploads.CleanUp(stale=1, orphans=0)
    assert (stuck.status, stuck.file.name, stuck.finished_at) == (UploadStatus.FAILED, "", now)
    assert stuck.result == {"summary": uploads.STALE_SUMMARY, "errors": []}
    assert recent.status == UploadStatus.QUEUED
    assert kept_files(settings) == [recent.file.name]


def test_a_stuck_upload_cleaned_up_is_not_imported_afterwards(manager):
    stuck = uploaded(manager, row(1), at=timezone.now() - timedelta(hours=7))
    uploads.population_uploads_clean(at=timezone.now())

    run_job(uploads.IMPORT_JOB, stuck.pk)

    assert not PopulationCase.objects.exists()
    assert PopulationUpload.objects.get().status == UploadStatus.FAILED


def test_the_clean_up_run_twice_changes_nothing_the_second_time(manager, settings):
    uploaded(manager, row(1), at=timezone.now() - timedelta(hours=7))
    orphan(settings, "2021/12/left-behind.csv", age=timedelta(days=30))

    first = uploads.population_uploads_clean(at=timezone.now())
    second = uploads.population_uploads_clean(at=timezone.now())

    assert (first, second) == (uploads.CleanUp(1, 1), uploads.CleanUp(0, 0))
    assert kept_files(settings) == []


def test_the_clean_up_with_no_folder_yet_does_nothing(db):
    assert uploads.population_uploads_clean(at=timezone.now()) == uploads.CleanUp(0, 0)


def test_the_clean_up_runs_hourly_and_as_a_command(manager, settings):
    orphan(settings, "2021/12/left-behind.csv", age=timedelta(days=30))
    uploaded(manager, row(1), at=timezone.now() - timedelta(hours=7))
    out = io.StringIO()

    call_command("clean_uploads", stdout=out)

    assert out.getvalue().splitlines() == [
        "Population uploads: 1 stuck upload(s) marked failed, 1 orphaned file(s) deleted.",
        "Tracker uploads: 0 stuck upload(s) marked failed, 0 orphaned file(s) deleted.",
    ]
    entry = settings.CELERY_BEAT_SCHEDULE["clean-population-uploads"]
    assert entry["task"] == clean_population_uploads.name == "audits.clean_population_uploads"
    assert entry["schedule"].minute == {40}


def test_the_task_cleans_up(settings):
    orphan(settings, "2021/12/left-behind.csv", age=timedelta(days=30))

    clean_population_uploads()

    assert kept_files(settings) == []
