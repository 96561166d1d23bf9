"""Import a case population CSV for an organisation (all-or-nothing)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.population_csv import PopulationImportError, population_import
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Import the pseudonymised case population extracted by the performance team."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8) with the documented columns")
        parser.add_argument("--organisation", required=True, help="Organisation name")
        parser.add_argument("--user", required=True, help="Username recorded as importer")

    def handle(self, path, organisation, user, **options):
        try:
            organisation = Organisation.objects.get(name=organisation)
            importer = get_user_model().objects.get(username=user, is_active=True)
        except (Organisation.DoesNotExist, get_user_model().DoesNotExist) as error:
            raise CommandError(str(error)) from None
        # The same rule as the import page: the importer's own organisation, and the permission.
        if not importer.has_perm("audits.import_population"):
            raise CommandError(f"The user '{user}' is not allowed to import a population.")
        if not importer.acts_for(organisation):
            raise CommandError(
                f"The user '{user}' does not work for {organisation} and cannot import its cases."
            )
        with open(path, "rb") as file:
            try:
                summary = population_import(
                    file=file,
                    file_name=path,
                    organisation=organisation,
                    by=importer,
                    at=timezone.now(),
                )
            except PopulationImportError as error:
                for problem in error.errors:
                    column = f" [{problem.column}]" if problem.column else ""
                    self.stderr.write(f"Row {problem.row_number}{column}: {problem.message}")
                raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.rows} rows: {summary.created} cases added, "
                f"{summary.unchanged} already held."
            )
        )
