"""A population file uploaded on the managers' page: imported by a worker, its progress shown."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import uploads
from audits.models import PopulationCase, PopulationUpload, UploadStatus
from audits.presentation import upload_progress_text
from organisations.models import Organisation
from outbox.models import Job
from tests.audits.test_views import page_text
from tests.factories import user_with_role
from tests.outbox.jobs import job_of, run_job

pytestmark = pytest.mark.django_db

AT = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)
HEADER = "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council\n"


@pytest.fixture(autouse=True)
def eager_worker(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


def population_file(*rows, header=HEADER):
    return SimpleUploadedFile(
        "population.csv", (header + "".join(rows)).encode(), content_type="text/csv"
    )


def row(n, closed_on="2019-02-01", cross_border="yes"):
    return f"CR-{n},Front Door,2019-01-01,{closed_on},neglect,{cross_border},Kent\n"


def upload_through_the_page(client, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audits:population_import"), {"file": file})
    return client.get(response.url)


def test_a_good_file_is_imported_and_its_page_shows_the_counts(
    client, manager, croydon, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    page = upload_through_the_page(
        client, population_file(row(1), row(2), row(3)), django_capture_on_commit_callbacks
    )

    upload = PopulationUpload.objects.get()
    assert page.request["PATH_INFO"] == f"/audits/population/uploads/{upload.pk}/"
    assert (upload.status, upload.result) == (
        UploadStatus.DONE,
        {"rows": 3, "created": 3, "unchanged": 0},
    )
    text = page_text(page)
    assert "Population imported: 3 rows, 3 new cases, 0 already held" in text
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert "<progress" not in page.content.decode()
    assert PopulationCase.objects.filter(organisation=croydon).count() == 3


def test_a_bad_file_shows_its_row_errors_and_nothing_is_imported(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    page = upload_through_the_page(
        client,
        population_file(row(1), row(2, closed_on="2018-12-01"), row(3, cross_border="maybe")),
        django_capture_on_commit_callbacks,
    )

    upload = PopulationUpload.objects.get()
    assert upload.status == UploadStatus.FAILED
    assert upload.result["errors"] == [
        {
            "row_number": 3,
            "column": "closed_on",
            "message": "The case cannot close before it opened.",
        },
        {"row_number": 4, "column": "cross_border", "message": "Cross-border must be yes or no."},
    ]
    text = page_text(page)
    assert "There is a problem" in text
    assert "2 problem(s) in the file; nothing was imported." in text
    assert "3 closed_on The case cannot close before it opened." in text
    assert "4 cross_border Cross-border must be yes or no." in text
    assert page_text(page).startswith("Error: Import of population.csv")
    assert not PopulationCase.objects.exists()


def test_a_personal_identifier_column_fails_the_upload(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    page = upload_through_the_page(
        client,
        population_file("CR-1,Jo Bloggs\n", header="case_reference,child_name\n"),
        django_capture_on_commit_callbacks,
    )

    assert "looks like personal data" in page_text(page)
    assert not PopulationCase.objects.exists()


def test_the_check_records_its_progress_where_other_connections_can_see_it(manager):
    rows = "".join(row(f"{n:06d}") for n in range(4500))
    file = population_file(*rows.splitlines(keepends=True))
    upload = uploads.population_upload_create(
        file=file, organisation=manager.organisation, by=manager, at=AT
    )

    uploads.population_upload_run(upload_id=upload.pk)

    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE
    assert (upload.rows_checked, upload.bytes_checked) == (4500, file.size)
    assert upload.bytes_total == file.size
    assert upload.progress_percent == 100
    assert PopulationCase.objects.count() == 4500


def test_progress_is_saved_after_each_batch_of_the_check(manager, monkeypatch):
    rows = "".join(row(f"{n:06d}") for n in range(4500))
    upload = uploads.population_upload_create(
        file=population_file(*rows.splitlines(keepends=True)),
        organisation=manager.organisation,
        by=manager,
        at=AT,
    )
    saved = []
    real_import = uploads.population_csv.population_import

    def watched_import(*, checked, writing, **kwargs):
        def checked_and_read_back(rows, bytes_read):
            checked(rows, bytes_read)
            saved.append(PopulationUpload.objects.values_list("status", "rows_checked").get())

        def writing_and_read_back():
            writing()
            saved.append(PopulationUpload.objects.values_list("status", "rows_checked").get())

        return real_import(checked=checked_and_read_back, writing=writing_and_read_back, **kwargs)

    monkeypatch.setattr(uploads.population_csv, "population_import", watched_import)

    uploads.population_upload_run(upload_id=upload.pk)

    assert saved == [
        ("checking", 2000),
        ("checking", 4000),
        ("checking", 4500),
        ("writing", 4500),
    ]


def checking(manager, *, claimed_until):
    """An upload a worker is checking, its job claimed until ``claimed_until``."""
    upload = uploads.population_upload_create(
        file=population_file(row(1)), organisation=manager.organisation, by=manager, at=AT
    )
    PopulationUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.CHECKING,
        rows_checked=40_000,
        bytes_total=1_000_000,
        bytes_checked=450_000,
    )
    Job.objects.filter(pk=job_of(uploads.IMPORT_JOB, upload.pk).pk).update(
        attempts=1, claimed_until=claimed_until
    )
    return upload


def test_the_page_refreshes_and_shows_progress_while_checking(client, manager):
    upload = checking(manager, claimed_until=timezone.now() + timedelta(minutes=10))
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    content = page.content.decode()
    assert "Checked 40,000 rows (about 40%)" in page_text(page)
    assert '<meta http-equiv="refresh" content="2">' in content
    assert 'value="40" aria-labelledby="import-progress-text"' in content
    stopped = client.get(upload.get_absolute_url() + "?refresh=off").content.decode()
    assert 'http-equiv="refresh"' not in stopped
    assert "Update this page" in stopped


def test_an_import_whose_worker_stopped_stops_the_refresh_and_says_what_happens(client, manager):
    upload = checking(manager, claimed_until=timezone.now() - timedelta(seconds=1))
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    content = page.content.decode()
    assert 'http-equiv="refresh"' not in content
    assert "Update this page" in content
    assert (
        "This import seems to have stopped. It will be started again, or marked failed, within "
        "a few minutes, and by 5 January 2022, 15:00 at the latest."
    ) in page_text(page)


def test_an_import_waiting_for_its_second_attempt_keeps_refreshing_and_says_when(
    client, manager, monkeypatch
):
    upload = uploads.population_upload_create(
        file=population_file(row(1)), organisation=manager.organisation, by=manager, at=AT
    )

    def crash(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads.population_csv, "population_import", crash)
    run_job(uploads.IMPORT_JOB, upload.pk)
    retry_at = timezone.localtime(job_of(uploads.IMPORT_JOB, upload.pk).due_at)
    client.force_login(manager)

    page = client.get(upload.get_absolute_url())

    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()
    assert (
        "The import stopped before it finished, so nothing was imported. It will be tried "
        f"again at {retry_at:%-d %B %Y, %H:%M}. Waiting to start checking the file"
    ) in page_text(page)


@pytest.mark.parametrize(
    ("status", "bytes_checked", "percent", "text"),
    [
        (UploadStatus.QUEUED, 0, 0, "Waiting to start checking the file"),
        (UploadStatus.CHECKING, 0, 0, "Checked 12,345 rows (about 0%)"),
        (UploadStatus.CHECKING, 50_000, 45, "Checked 12,345 rows (about 45%)"),
        (UploadStatus.CHECKING, 99_999, 89, "Checked 12,345 rows (about 89%)"),
        (UploadStatus.CHECKING, 100_000, 90, "Checked 12,345 rows (about 90%)"),
        (UploadStatus.WRITING, 100_000, 90, "Every row checked: adding the new cases (about 90%)"),
    ],
)
def test_checking_fills_the_bar_to_90_percent_and_writing_holds_it(
    status, bytes_checked, percent, text
):
    upload = PopulationUpload(
        status=status, rows_checked=12_345, bytes_total=100_000, bytes_checked=bytes_checked
    )

    assert (upload.progress_percent, upload_progress_text(upload)) == (percent, text)


def test_a_finished_import_is_at_100_percent():
    assert PopulationUpload(status=UploadStatus.DONE, bytes_total=10).progress_percent == 100


def test_another_organisations_manager_gets_404(client, manager):
    upload = uploads.population_upload_create(
        file=population_file(row(1)), organisation=manager.organisation, by=manager, at=AT
    )
    kent = Organisation.objects.create(name="Kent County Council")
    client.force_login(user_with_role(Role.MANAGER, username="kent", organisation=kent))

    assert client.get(upload.get_absolute_url()).status_code == 404


def test_an_upload_that_has_gone_is_skipped_quietly(manager):
    upload = uploads.population_upload_create(
        file=population_file(row(1)), organisation=manager.organisation, by=manager, at=AT
    )
    upload_id = upload.pk
    upload.delete()

    run_job(uploads.IMPORT_JOB, upload_id)

    assert not PopulationCase.objects.exists()


def test_a_finished_upload_is_not_imported_again(manager):
    upload = uploads.population_upload_create(
        file=population_file(row(1)), organisation=manager.organisation, by=manager, at=AT
    )
    uploads.population_upload_run(upload_id=upload.pk)
    PopulationCase.objects.all().delete()

    uploads.population_upload_run(upload_id=upload.pk)

    assert not PopulationCase.objects.exists()
    assert PopulationUpload.objects.get().status == UploadStatus.DONE
