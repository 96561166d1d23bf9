"""The population import command obeys the same rules as the import page: only someone who
may import a population, for their own organisation."""

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import Role
from audits.models import PopulationCase
from organisations.models import Organisation
from tests.factories import user_with_role

GOOD = (
    "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council,context\n"
    "CR-1,Front Door,2019-01-10,2019-06-30,neglect,yes,Kent,\n"
)


@pytest.fixture
def population_file(tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(GOOD)
    return str(path)


def test_a_manager_of_another_council_cannot_import_croydons_population(db, population_file):
    Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)

    with pytest.raises(CommandError, match="does not work for Croydon Council"):
        call_command(
            "import_population",
            population_file,
            organisation="Croydon Council",
            user="kent-manager",
        )

    assert PopulationCase.objects.count() == 0


def test_an_officer_cannot_import_a_population(db, population_file):
    user_with_role(Role.OFFICER, username="officer")

    with pytest.raises(CommandError, match="not allowed to import a population"):
        call_command(
            "import_population", population_file, organisation="Croydon Council", user="officer"
        )

    assert PopulationCase.objects.count() == 0


def test_a_manager_who_sees_every_organisation_imports_for_any(db, population_file):
    Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    user_with_role(
        Role.MANAGER, username="regional", organisation=kent, sees_all_organisations=True
    )

    call_command(
        "import_population", population_file, organisation="Croydon Council", user="regional"
    )

    assert list(PopulationCase.objects.values_list("organisation__name", "case_reference")) == [
        ("Croydon Council", "CR-1")
    ]
