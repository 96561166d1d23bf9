"""Delete uploaded population and tracker files left behind, as the hourly clean-ups do.

Here in audits because audits depends on recommendations, not the other way round: one
command for the operator covers both kinds of import.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from audits.uploads import population_uploads_clean
from recommendations.tracker_csv import tracker_uploads_clean


class Command(BaseCommand):
    help = (
        "Mark failed the population and tracker uploads stuck in progress, deleting their "
        "files, and delete the uploaded files that no import in progress needs."
    )

    def handle(self, **options):
        at = timezone.now()
        for kind, clean in (
            ("Population", population_uploads_clean),
            ("Tracker", tracker_uploads_clean),
        ):
            done = clean(at=at)
            self.stdout.write(
                f"{kind} uploads: {done.stale} stuck upload(s) marked failed, "
                f"{done.orphans} orphaned file(s) deleted."
            )
