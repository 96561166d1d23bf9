"""Whatever file arrives, the population import gives a clear error or a correct result.

Never a crash, and never a partial write: on an error the cases held are exactly those held
before.
"""

import csv
import io
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import PopulationCase
from audits.population_csv import COLUMNS, PopulationImportError, population_import
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

AT = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_organisations = itertools.count()


def import_or_error(content: bytes, manager):
    """The summary, or the error; with the cases held before and after."""
    before = PopulationCase.objects.count()
    try:
        outcome = population_import(
            file=io.BytesIO(content),
            file_name="population.csv",
            organisation=manager.organisation,
            by=manager,
            at=AT,
        )
    except PopulationImportError as error:
        outcome = error
    if isinstance(outcome, PopulationImportError):
        assert outcome.errors, "an error names at least one problem"
        assert all(problem.row_number is not None for problem in outcome.errors)
        assert PopulationCase.objects.count() == before
    else:
        assert PopulationCase.objects.count() == before + outcome.created
        assert outcome.created + outcome.unchanged == outcome.rows > 0
    return outcome


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


@EXAMPLES
@given(content=st.binary(max_size=2000))
def test_any_bytes(manager, content):
    import_or_error(content, manager)


@EXAMPLES
@given(content=st.binary(max_size=500))
def test_any_bytes_after_the_header(manager, content):
    import_or_error(",".join(COLUMNS).encode() + b"\n" + content, manager)


# Mostly short, sometimes longer than a column holds.
cells = st.one_of(st.text(max_size=40), st.text(min_size=195, max_size=260))
header = st.lists(
    st.one_of(st.sampled_from(COLUMNS), st.sampled_from(["Child name", "DOB"]), cells),
    min_size=1,
    max_size=10,
)


@EXAMPLES
@given(
    header=header,
    rows=st.lists(st.lists(cells, max_size=10), max_size=8),
)
def test_any_text_rows_under_any_header(manager, header, rows):
    import_or_error(as_csv([header, *rows]), manager)


@EXAMPLES
@given(rows=st.lists(st.lists(cells, min_size=8, max_size=8), min_size=1, max_size=8))
def test_any_text_rows_under_the_right_header(manager, rows):
    import_or_error(as_csv([COLUMNS, *rows]), manager)


def good_case(n: int):
    return st.builds(
        lambda opened, days, team, needs, cross_border, council: [
            f"CR-{n:05d}",
            team,
            opened.isoformat(),
            (opened + timedelta(days=days)).strftime("%d/%m/%Y"),
            ";".join(needs),
            cross_border,
            council,
            "",
        ],
        st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
        st.integers(min_value=0, max_value=3000),
        st.sampled_from(["Front Door", "Assessment", "Children in Care"]),
        st.lists(st.sampled_from(["neglect", "missing", "sexual exploitation"]), max_size=3),
        st.sampled_from(["yes", "no", "Y", "N", "true", "false"]),
        st.sampled_from(["", "Kent County Council", "Surrey"]),
    )


@EXAMPLES
@given(data=st.data(), count=st.integers(min_value=1, max_value=12))
def test_good_rows_are_all_imported_exactly(manager, data, count):
    organisation = Organisation.objects.create(name=f"Council {next(_organisations)}")
    manager.organisation = organisation
    rows = [data.draw(good_case(n)) for n in range(1, count + 1)]

    summary = import_or_error(as_csv([COLUMNS, *rows]), manager)

    assert (summary.rows, summary.created, summary.unchanged) == (count, count, 0)
    held = PopulationCase.objects.filter(organisation=organisation).order_by("case_reference")
    assert [
        (case.case_reference, case.team, case.opened_on.isoformat(), case.other_council)
        for case in held
    ] == [(row[0], row[1], row[2], row[6]) for row in rows]
    again = import_or_error(as_csv([COLUMNS, *rows]), manager)
    assert (again.created, again.unchanged) == (0, count)


@EXAMPLES
@given(
    data=st.data(),
    count=st.integers(min_value=1, max_value=6),
    changes=st.lists(
        st.tuples(st.integers(min_value=0, max_value=5), st.sampled_from(COLUMNS), cells),
        min_size=1,
        max_size=3,
    ),
)
def test_good_rows_with_any_text_in_a_few_cells(manager, data, count, changes):
    rows = [data.draw(good_case(n)) for n in range(1, count + 1)]
    for index, column, text in changes:
        rows[index % count][COLUMNS.index(column)] = text

    import_or_error(as_csv([COLUMNS, *rows]), manager)
