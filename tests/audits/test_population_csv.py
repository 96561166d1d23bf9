"""The performance team's population file: imported whole, or not at all, never with names."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command

from audits.models import PopulationCase, PopulationImport
from audits.population_csv import PopulationImportError, RowError, population_import

pytestmark = pytest.mark.django_db

AT = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)
HEADER = (
    "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council,context\n"
)
GOOD = (
    HEADER
    + "CR-00001,Front Door,2018-06-01,2018-09-30,sexual exploitation;missing,yes,Kent,Referral\n"
    + "CR-00002,Assessment,01/02/2019,30/04/2019,neglect,no,,\n"
)


def _import(text, manager, encoding="utf-8"):
    return population_import(
        file=io.BytesIO(text.encode(encoding)),
        file_name="population.csv",
        organisation=manager.organisation,
        by=manager,
        at=AT,
    )


def _errors(text, manager):
    with pytest.raises(PopulationImportError) as raised:
        _import(text, manager)
    assert PopulationCase.objects.count() == 0
    return raised.value.errors


def test_a_good_file_adds_every_case(manager):
    summary = _import(GOOD, manager)

    assert (summary.rows, summary.created, summary.unchanged) == (2, 2, 0)
    first = PopulationCase.objects.get(case_reference="CR-00001")
    assert (first.team, first.opened_on, first.closed_on, first.cross_border) == (
        "Front Door",
        date(2018, 6, 1),
        date(2018, 9, 30),
        True,
    )
    assert first.presenting_needs == ["missing", "sexual exploitation"]
    assert PopulationCase.objects.get(case_reference="CR-00002").closed_on == date(2019, 4, 30)
    assert PopulationImport.objects.get().cases_created == 2


def test_excel_byte_order_mark_is_accepted(manager):
    assert _import("\ufeff" + GOOD, manager).created == 2


def test_importing_the_same_file_again_changes_nothing(manager):
    _import(GOOD, manager)

    summary = _import(GOOD, manager)

    assert (summary.created, summary.unchanged) == (0, 2)
    assert PopulationCase.objects.count() == 2
    assert PopulationImport.objects.count() == 1


@pytest.mark.parametrize(
    "column",
    [
        "Child name",
        "ChildName",
        "DOB",
        "Date of birth",
        "DateOfBirth",
        "NHS Number",
        "Home address",
        "Postcode",
        "Surname",
        "Telephone",
        "Email",
    ],
)
def test_a_column_of_personal_identifiers_aborts_the_import(manager, column):
    text = HEADER.rstrip("\n") + f",{column}\n" + "CR-1,Front Door,2018-06-01,2018-09-30,,yes,,,x\n"

    errors = _errors(text, manager)

    assert errors == [
        RowError(
            1,
            column,
            f"Column '{column}' looks like personal data: the population must hold pseudonymised "
            "case references only. Remove the column and import again.",
        )
    ]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            "CR-9,Front Door,2018-06-31,2018-09-30,,yes,,",
            "opened_on",
            "'2018-06-31' is not a real date.",
        ),
        (
            "CR-9,Front Door,2018-09-30,2018-06-01,,yes,,",
            "closed_on",
            "The case cannot close before it opened.",
        ),
        (
            "CR-9,Front Door,2018-06-01,2018-09-30,,maybe,,",
            "cross_border",
            "Cross-border must be yes or no.",
        ),
        ("CR-9,,2018-06-01,2018-09-30,,yes,,", "team", "Enter the team."),
        (
            "CR 9,Front Door,2018-06-01,2018-09-30,,yes,,",
            "case_reference",
            "A case reference is letters, numbers and / _ . - only (at most 50): it must be the "
            "pseudonymised reference.",
        ),
        (
            "CR-00001,Front Door,2018-06-01,2018-09-30,,yes,,",
            "case_reference",
            "CR-00001 appears twice.",
        ),
    ],
)
def test_each_bad_row_is_reported_with_its_row_number_and_nothing_is_written(
    manager, row, column, message
):
    errors = _errors(GOOD + row + "\n", manager)

    assert errors == [RowError(4, column, message)]


def test_a_case_held_with_different_details_is_not_overwritten(manager):
    _import(GOOD, manager)

    with pytest.raises(PopulationImportError) as raised:
        _import(GOOD.replace("Assessment", "Duty"), manager)

    assert raised.value.errors == [
        RowError(
            3,
            "case_reference",
            "CR-00002 is already held with different details; the import never overwrites a case.",
        )
    ]
    assert PopulationCase.objects.get(case_reference="CR-00002").team == "Assessment"


def test_a_case_written_between_the_check_and_the_write_stops_a_long_import_whole(manager):
    rows = "".join(f"CR-{n:06d},Front Door,2019-01-01,2019-02-01,,yes,,\n" for n in range(4500))

    def another_import_meanwhile():
        # Held with other details after this file's check, and found in its last batch.
        _import(HEADER + "CR-004321,Duty,2019-01-01,2019-02-01,,yes,,\n", manager)

    with pytest.raises(PopulationImportError) as raised:
        population_import(
            file=io.BytesIO((HEADER + rows).encode()),
            file_name="big.csv",
            organisation=manager.organisation,
            by=manager,
            at=AT,
            writing=another_import_meanwhile,
        )

    assert raised.value.errors == [
        RowError(
            4323,
            "case_reference",
            "CR-004321 is already held with different details; the import never overwrites a case.",
        )
    ]
    assert list(PopulationCase.objects.values_list("case_reference", "team")) == [
        ("CR-004321", "Duty")
    ]
    assert PopulationImport.objects.count() == 1


def test_missing_and_unknown_columns(manager):
    errors = _errors("case_reference,team,closed_on,colour\nCR-1,A,2019-01-01,red\n", manager)

    assert errors == [
        RowError(
            1,
            "colour",
            "Unknown column 'colour'. Expected: case_reference, team, opened_on, closed_on, "
            "presenting_needs, cross_border, other_council, context.",
        ),
        RowError(1, "cross_border", "Column 'cross_border' is missing."),
        RowError(1, "opened_on", "Column 'opened_on' is missing."),
    ]


def test_empty_and_non_utf8_files(manager):
    assert _errors("", manager) == [RowError(1, "", "The file is empty.")]
    assert _errors(HEADER, manager) == [RowError(2, "", "The file has a header but no cases.")]
    with pytest.raises(PopulationImportError) as raised:
        _import(GOOD.replace("Referral", "Référé"), manager, encoding="latin-1")
    assert raised.value.errors[0].message.startswith("The file is not UTF-8 text")


def test_the_check_reports_progress_by_batch_before_the_write_opens(manager):
    rows = "".join(f"CR-{n:06d},Front Door,2019-01-01,2019-02-01,,yes,,\n" for n in range(4500))
    content = (HEADER + rows).encode()
    seen = []

    summary = population_import(
        file=io.BytesIO(content),
        file_name="big.csv",
        organisation=manager.organisation,
        by=manager,
        at=AT,
        checked=lambda rows, bytes_read: seen.append(("checked", rows)),
        writing=lambda: seen.append(("writing", PopulationCase.objects.count())),
    )

    assert summary.created == PopulationCase.objects.count() == 4500
    assert seen == [("checked", 2000), ("checked", 4000), ("checked", 4500), ("writing", 0)]


def test_the_bytes_read_reach_the_size_of_the_file(manager):
    rows = "".join(f"CR-{n:06d},Front Door,2019-01-01,2019-02-01,,yes,,\n" for n in range(4500))
    content = (HEADER + rows).encode()
    read = []

    population_import(
        file=io.BytesIO(content),
        file_name="big.csv",
        organisation=manager.organisation,
        by=manager,
        at=AT,
        checked=lambda rows, bytes_read: read.append(bytes_read),
    )

    assert read == sorted(read)
    assert read[-1] == len(content)


def test_import_population_command(manager, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(GOOD)
    out = io.StringIO()

    call_command(
        "import_population", str(path), organisation="Croydon Council", user="manager", stdout=out
    )

    assert out.getvalue().strip() == "2 rows: 2 cases added, 0 already held."


def test_import_population_command_lists_row_errors_and_fails(manager, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(GOOD + "CR-9,Front Door,2018-06-01,2018-09-30,,maybe,,\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_population",
            str(path),
            organisation="Croydon Council",
            user="manager",
            stderr=err,
        )
    assert err.getvalue().strip() == "Row 4 [cross_border]: Cross-border must be yes or no."
