"""Export every recommendation as CSV (see docs/tracker-csv.md)."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from recommendations.models import Recommendation
from recommendations.tracker_csv import tracker_export


class Command(BaseCommand):
    help = "Export every recommendation as CSV, to a file or to standard output."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="File to write (UTF-8 with a BOM, for Excel); default: stdout."
        )
        parser.add_argument(
            "--at",
            type=date.fromisoformat,
            help="Work out each outcome (on time, overdue...) as on this date, YYYY-MM-DD. "
            "Default: today.",
        )

    def handle(self, *args, output=None, at=None, **options):
        at = at or timezone.localdate()
        recommendations = Recommendation.objects.all()
        if output is None:
            tracker_export(recommendations=recommendations, out=self.stdout, at=at)
            return
        # The BOM tells Excel the file is UTF-8, so names with accents survive.
        with open(output, "w", encoding="utf-8-sig", newline="") as stream:
            rows = tracker_export(recommendations=recommendations, out=stream, at=at)
        self.stdout.write(f"{rows} recommendation(s) written to {output}.")
