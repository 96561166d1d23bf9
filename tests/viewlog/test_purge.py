"""The log is kept for ``VIEW_LOG_RETENTION_DAYS`` and then purged, nightly or by hand; the
purge is the only way an entry leaves the log (on PostgreSQL the database refuses any other
UPDATE or DELETE)."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from viewlog import tasks
from viewlog.models import RecordView, ViewKind
from viewlog.services import view_log_purge, view_record

CUTOFF = datetime(2022, 2, 1, 0, 0, tzinfo=UTC)


def _viewed(people, records, *ats):
    for at in ats:
        view_record(user=people.viewer, record=records.complaint, kind=ViewKind.COMPLAINT, at=at)


def _kept():
    return sorted(RecordView.objects.values_list("at", flat=True))


def test_the_purge_deletes_only_entries_from_before_the_cutoff(people, records):
    second = timedelta(seconds=1)
    _viewed(people, records, CUTOFF - timedelta(days=400), CUTOFF - second, CUTOFF, CUTOFF + second)

    deleted = view_log_purge(before=CUTOFF)
    again = view_log_purge(before=CUTOFF)

    assert (deleted, again) == (2, 0)
    assert _kept() == [CUTOFF, CUTOFF + second]


def test_the_nightly_task_purges_what_is_past_the_retention_period(settings, people, records):
    settings.VIEW_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    _viewed(people, records, now - timedelta(days=31), now - timedelta(days=29))

    deleted = tasks.purge()

    assert deleted == 1
    assert _kept() == [now - timedelta(days=29)]


def test_the_task_is_scheduled_nightly():
    assert django_settings.CELERY_BEAT_SCHEDULE["purge-view-log"]["task"] == "viewlog.purge"
    assert tasks.purge.name == "viewlog.purge"


def test_six_years_are_kept_by_default():
    assert django_settings.VIEW_LOG_RETENTION_DAYS == 2190


# --- The command ----------------------------------------------------------------------------


def _command(*args) -> str:
    out = StringIO()
    call_command("purge_view_log", *args, stdout=out)
    return out.getvalue()


def test_the_command_purges_what_is_past_the_retention_period(settings, people, records):
    settings.VIEW_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    _viewed(people, records, now - timedelta(days=45), now - timedelta(days=31), now)

    dry_run = _command("--dry-run")
    count_after_dry_run = RecordView.objects.count()
    purged = _command()

    cutoff = f"{timezone.localtime(now - timedelta(days=30)):%Y-%m-%d}"
    assert dry_run.startswith(f"2 view log entries from before {cutoff} ")
    assert dry_run.endswith(" would be deleted; nothing was changed.\n")
    assert count_after_dry_run == 3
    assert purged.startswith(f"2 view log entries from before {cutoff} ")
    assert _kept() == [now]


def test_the_command_purges_before_an_earlier_date(settings, people, records):
    settings.VIEW_LOG_RETENTION_DAYS = 30
    _viewed(people, records, CUTOFF - timedelta(days=1), CUTOFF + timedelta(days=1))

    out = _command("--before", "2022-02-01")

    assert out == "1 view log entry from before 2022-02-01 00:00 deleted.\n"
    assert _kept() == [CUTOFF + timedelta(days=1)]


@pytest.mark.parametrize(
    ("before", "message"),
    [
        ("tomorrow", "--before 'tomorrow' is not a date (YYYY-MM-DD)."),
        (
            f"{timezone.localdate():%Y-%m-%d}",
            f"--before {timezone.localdate():%Y-%m-%d} would delete entries younger than "
            "VIEW_LOG_RETENTION_DAYS (2190 days): they are kept.",
        ),
    ],
)
def test_the_command_refuses_a_date_within_the_retention_period_or_no_date(
    people, records, before, message
):
    _viewed(people, records, timezone.now() - timedelta(days=1))

    with pytest.raises(CommandError) as refused:
        _command("--before", before)

    assert str(refused.value) == message
    assert RecordView.objects.count() == 1


# --- The database's guard -------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@postgresql_only
@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_entry_outside_the_purge(
    people, records, change
):
    _viewed(people, records, CUTOFF - timedelta(days=1))
    entries = RecordView.objects.all()

    attempt = {
        "update": lambda: entries.update(username="someone-else"),
        "delete": entries.delete,
    }[change]

    with (
        pytest.raises(DatabaseError, match=f"The view log is append-only: {change.upper()}"),
        transaction.atomic(),
    ):
        attempt()

    assert list(RecordView.objects.values_list("username", flat=True)) == ["viewer"]


@postgresql_only
def test_after_a_purge_the_transaction_is_guarded_again(people, records):
    _viewed(people, records, CUTOFF - timedelta(days=1), CUTOFF + timedelta(days=1))
    view_log_purge(before=CUTOFF)

    with pytest.raises(DatabaseError), transaction.atomic():
        RecordView.objects.all().delete()

    assert _kept() == [CUTOFF + timedelta(days=1)]
