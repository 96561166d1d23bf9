"""Import a council's spreadsheet tracker; all or nothing (see docs/tracker-csv.md)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from recommendations.tracker_csv import TrackerImportError, tracker_import


class Command(BaseCommand):
    help = (
        "Import complaints and recommendations from a tracker, CSV or Excel workbook (one row per "
        "recommendation). "
        "Nothing is written if any row has a problem; every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="The CSV file, UTF-8 (Excel's 'CSV UTF-8' is fine), or an Excel workbook (.xlsx).",
        )
        parser.add_argument(
            "--user", required=True, help="Username recorded in the history as the importer."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )

    def handle(self, *args, file, user, dry_run=False, **options):
        by = get_user_model().objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"There is no active user '{user}'.")
        if not by.has_perm("recommendations.import_tracker"):
            raise CommandError(f"The user '{user}' is not allowed to import a tracker.")
        try:
            # Binary: the import tells a workbook from CSV (read as UTF-8) by its content.
            with open(file, "rb") as stream:
                summary = tracker_import(file=stream, by=by, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except TrackerImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc)) from exc
        prefix = "Checked; nothing written (dry run). Would be: " if dry_run else ""
        self.stdout.write(prefix + str(summary))
