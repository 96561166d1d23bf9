"""Delete population files left behind, as the hourly clean-up does (audits.uploads)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from audits.uploads import population_uploads_clean


class Command(BaseCommand):
    help = (
        "Mark failed the population uploads stuck in progress, deleting their files, and delete "
        "the uploaded files that no import in progress needs."
    )

    def handle(self, **options):
        done = population_uploads_clean(at=timezone.now())
        self.stdout.write(
            f"{done.stale} stuck upload(s) marked failed, {done.orphans} orphaned file(s) deleted."
        )
