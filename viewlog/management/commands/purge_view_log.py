"""Purge the view log by hand (what the scheduler does nightly); --dry-run only counts."""

from datetime import date, datetime, time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ombudsman_tracker.formats import counted
from viewlog import services
from viewlog.models import RecordView


class Command(BaseCommand):
    help = "Delete view log entries older than VIEW_LOG_RETENTION_DAYS (or --before a date)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            help="Delete only the entries from before this date (YYYY-MM-DD, midnight local "
            "time), which may not be within the retention period.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args, before=None, dry_run=False, **options):
        cutoff = retention_start = services.retention_start(at=timezone.now())
        if before:
            cutoff = self._before(before)
            if cutoff > retention_start:
                raise CommandError(
                    f"--before {before} would delete entries younger than VIEW_LOG_RETENTION_DAYS "
                    f"({settings.VIEW_LOG_RETENTION_DAYS} days): they are kept."
                )
        if dry_run:
            count = RecordView.objects.before(cutoff).count()
            self.stdout.write(
                f"{counted(count, 'view log entry', 'view log entries')} from before "
                f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} would be deleted; nothing was "
                "changed."
            )
            return
        deleted = services.view_log_purge(before=cutoff)
        self.stdout.write(
            f"{counted(deleted, 'view log entry', 'view log entries')} from before "
            f"{timezone.localtime(cutoff):%Y-%m-%d %H:%M} deleted."
        )

    @staticmethod
    def _before(value: str) -> datetime:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--before {value!r} is not a date (YYYY-MM-DD).") from None
        return timezone.make_aware(datetime.combine(day, time.min))
