"""Export the recommendations a user may see as CSV (see docs/tracker-csv.md)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations.selectors import recommendations_visible_to
from recommendations.tracker_csv import tracker_export


class Command(BaseCommand):
    help = (
        "Export the recommendations a user may see as CSV (as the export page gives them), "
        "to a file or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            required=True,
            help="Export what this user sees: their own organisation's recommendations, or "
            "every organisation's for a user who sees them all.",
        )
        parser.add_argument(
            "--output", help="File to write (UTF-8 with a BOM, for Excel); default: stdout."
        )
        parser.add_argument(
            "--at",
            type=date.fromisoformat,
            help="Work out each outcome (on time, overdue...) as on this date, YYYY-MM-DD. "
            "Default: today.",
        )

    def handle(self, *args, user, output=None, at=None, **options):
        by = get_user_model().objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"There is no active user '{user}'.")
        if not by.has_perm("recommendations.export_tracker"):
            raise CommandError(f"The user '{user}' is not allowed to export the tracker.")
        at = at or timezone.localdate()
        recommendations = recommendations_visible_to(by)
        if output is None:
            tracker_export(recommendations=recommendations, out=self.stdout, at=at)
            return
        # The BOM tells Excel the file is UTF-8, so names with accents survive.
        with open(output, "w", encoding="utf-8-sig", newline="") as stream:
            rows = tracker_export(recommendations=recommendations, out=stream, at=at)
        self.stdout.write(f"{rows} recommendation(s) written to {output}.")
