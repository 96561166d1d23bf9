"""The population must hold pseudonymised case references only: personal data stops the import.

A column named for a personal identifier, or a value that looks like one in any column, is
refused with its row and column, and the value is never repeated back in full.
"""

import io
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits import personal_data
from audits.models import PopulationCase
from audits.personal_data import masked, nhs_number_valid, personal_column, personal_value
from audits.population_csv import PopulationImportError, RowError, population_import

pytestmark = pytest.mark.django_db

AT = datetime(2022, 1, 5, 9, 0, tzinfo=UTC)
HEADER = (
    "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council,context"
)
PERSONAL = "the population must hold pseudonymised case references only"


def good_row(n: int, **values) -> str:
    cells = {
        "case_reference": f"CR-{n:05d}",
        "team": "Front Door",
        "opened_on": "2018-06-01",
        "closed_on": "2018-09-30",
        "presenting_needs": "neglect",
        "cross_border": "yes",
        "other_council": "Kent County Council",
        "context": "Referral from school",
    } | values
    return ",".join(cells.values())


def problems(text: str, manager) -> list[RowError]:
    with pytest.raises(PopulationImportError) as raised:
        population_import(
            file=io.BytesIO(text.encode()),
            file_name="population.csv",
            organisation=manager.organisation,
            by=manager,
            at=AT,
        )
    assert PopulationCase.objects.count() == 0
    return raised.value.errors


def test_the_file_found_with_a_name_a_date_of_birth_and_an_nhs_number_is_refused(manager):
    text = "child_name,date_of_birth,nhs_number\nJo Bloggs,14/03/2009,943 476 5919\n"

    errors = problems(text, manager)

    assert errors == [
        RowError(
            1,
            column,
            f"Column '{column}' looks like personal data: {PERSONAL}. Remove the column and "
            "import again.",
        )
        for column in ["child_name", "date_of_birth", "nhs_number"]
    ]
    assert "Jo Bloggs" not in str(errors)


@pytest.mark.parametrize(
    ("column", "value", "what", "shown"),
    [
        ("context", "NHS 943 476 5919", "an NHS number", "starting 'N', 16 characters"),
        ("case_reference", "9434765919", "an NHS number", "starting '9', 10 characters"),
        (
            "context",
            "Born 14/03/2009",
            "a date, which may be a date of birth",
            "starting 'B', 15 characters",
        ),
        (
            "context",
            "DOB 14 March 2009",
            "a date, which may be a date of birth",
            "starting 'D', 17 characters",
        ),
        (
            "case_reference",
            "CR-2009-03-14",
            "a date, which may be a date of birth",
            "starting 'C', 13 characters",
        ),
        ("context", "Lives at SE1 7PB", "a postcode", "starting 'L', 16 characters"),
        (
            "other_council",
            "jo.bloggs@example.org",
            "an email address",
            "starting 'j', 21 characters",
        ),
        ("context", "Mother on 07700 900123", "a phone number", "starting 'M', 22 characters"),
        ("context", "Call +44 20 7946 0018", "a phone number", "starting 'C', 21 characters"),
        ("case_reference", "JoBloggs", "a name", "starting 'J', 8 characters"),
        ("case_reference", "Jo_Bloggs-2", "a name", "starting 'J', 11 characters"),
        ("context", "Seen by Mrs Bloggs", "a name", "starting 'S', 18 characters"),
        ("team", "SE1 7PB", "a postcode", "starting 'S', 7 characters"),
    ],
)
def test_a_value_that_looks_like_personal_data_is_refused_without_repeating_it(
    manager, column, value, what, shown
):
    text = f"{HEADER}\n{good_row(1)}\n{good_row(2, **{column: value})}\n"

    errors = problems(text, manager)

    assert errors == [
        RowError(
            3,
            column,
            f"This value looks like {what} ({shown}): {PERSONAL}. Remove it and import again.",
        )
    ]
    assert value not in str(errors)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("context", "NHS 943 476 5918"),  # the check digit does not match
        ("case_reference", "CR-000123"),
        ("case_reference", "LA/2019/0042"),
        ("team", "Children in Care"),
        ("other_council", "Kent County Council"),
        ("context", "Referral from the school nurse; seen twice"),
        ("presenting_needs", "sexual exploitation;missing"),
    ],
)
def test_pseudonymised_references_and_ordinary_words_are_imported(manager, column, value):
    text = f"{HEADER}\n{good_row(1, **{column: value})}\n"

    summary = population_import(
        file=io.BytesIO(text.encode()),
        file_name="population.csv",
        organisation=manager.organisation,
        by=manager,
        at=AT,
    )

    assert summary.created == 1


def test_dates_are_expected_in_the_date_columns_but_a_name_there_is_not_repeated(manager):
    text = (
        f"{HEADER}\n{good_row(1, opened_on='Jo Bloggs')}\n{good_row(2, closed_on='31/02/2019')}\n"
    )

    errors = problems(text, manager)

    assert errors == [
        RowError(
            2,
            "opened_on",
            "This is not a date (starting 'J', 9 characters): write it as YYYY-MM-DD "
            "(2021-11-26) or DD/MM/YYYY (26/11/2021).",
        ),
        RowError(3, "closed_on", "'31/02/2019' is not a real date."),
    ]


def test_a_file_without_its_header_row_does_not_repeat_the_first_case(manager):
    text = "CR-1,Jo Bloggs,14/03/2009\nCR-2,Front Door,2018-06-01\n"
    expected = "case_reference, team, opened_on, closed_on, presenting_needs, cross_border, "
    expected += "other_council, context"

    errors = problems(text, manager)

    assert errors[:3] == [
        RowError(1, "CR-1", f"Unknown column 'CR-1'. Expected: {expected}."),
        RowError(
            1,
            "column 2",
            "Unknown column 2 (starting 'J', 9 characters): its heading is not shown, as it may "
            f"be a name. Expected: {expected}.",
        ),
        RowError(
            1,
            "column 3",
            "The heading of column 3 looks like a date, which may be a date of birth (starting "
            f"'1', 10 characters): {PERSONAL}. The first row must be the column names: "
            f"{expected}.",
        ),
    ]
    assert "Jo Bloggs" not in str(errors)
    assert "14/03/2009" not in str(errors)


def test_every_row_with_personal_data_is_reported(manager):
    rows = [
        good_row(1, context="NHS 943 476 5919"),
        good_row(2),
        good_row(3, case_reference="JaneSmith"),
    ]

    errors = problems(HEADER + "\n" + "\n".join(rows) + "\n", manager)

    assert [(error.row_number, error.column) for error in errors] == [
        (2, "context"),
        (4, "case_reference"),
    ]


def test_personal_data_repeated_on_many_rows_is_reported_on_each(manager):
    # The import screens each distinct value once: a value seen before is refused again.
    rows = [good_row(n, team="Jo Bloggs jo@example.com") for n in range(1, 4)]

    errors = problems(HEADER + "\n" + "\n".join(rows) + "\n", manager)

    assert [(error.row_number, error.column) for error in errors] == [
        (2, "team"),
        (3, "team"),
        (4, "team"),
    ]


def test_a_value_longer_than_its_column_is_an_error_not_a_crash(manager):
    errors = problems(f"{HEADER}\n{good_row(1, team='A' * 201)}\n", manager)

    assert errors == [RowError(2, "team", "The team must be at most 200 characters.")]


def test_a_nul_character_is_an_error_not_a_crash(manager):
    row = good_row(1, context="a\0b")

    errors = problems(f"{HEADER}\n{row}\n", manager)

    assert errors == [
        RowError(2, "context", "This value holds a NUL character: export the file again.")
    ]


# --- The detectors on their own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("9434765919", True), ("4010232137", True), ("9434765918", False), ("123456789", False)],
)
def test_the_nhs_number_check_digit(digits, valid):
    assert nhs_number_valid(digits) is valid


def test_a_check_digit_of_ten_is_never_valid():
    # 1*10 + 0*9 + ... + 1*2 = 12; 12 % 11 = 1; 11 - 1 = 10: no NHS number has these nine digits.
    assert not any(nhs_number_valid(f"100000001{last}") for last in "0123456789")


@pytest.mark.parametrize(
    ("key", "personal"),
    [
        ("childname", True),
        ("first_name", True),
        ("dateofbirth", True),
        ("nhs_no", True),
        ("mobile_number", True),
        ("home_post_code", True),
        ("e_mail", True),
        ("case_reference", False),
        ("other_council", False),
        ("presenting_needs", False),
        ("context", False),
    ],
)
def test_personal_column_names(key, personal):
    assert personal_column(key) is personal


def test_a_date_is_only_suspect_in_free_text():
    assert personal_value("14/03/2009", free_text=False) is None
    assert personal_value("14/03/2009", free_text=True) == "a date, which may be a date of birth"


def test_masked_says_how_a_value_starts_and_how_long_it_is():
    assert masked("  Jo Bloggs ") == "starting 'J', 9 characters"
    assert masked("") == "an empty value"


def every_pattern(text: str, *, free_text: bool, reference: bool) -> str | None:
    """``personal_value`` without its quick tests: every pattern tried on every value."""
    found = [
        ("an NHS number", personal_data._has_nhs_number(text)),
        ("an email address", personal_data._EMAIL.search(text)),
        ("a phone number", personal_data._PHONE.search(text)),
        ("a postcode", personal_data._POSTCODE.search(text)),
        (
            "a date, which may be a date of birth",
            free_text
            and any(
                personal_data._real_date(kind, match.groups())
                for kind, pattern in personal_data._DATES
                for match in pattern.finditer(text)
            ),
        ),
        ("a name", reference and personal_data._NAME.search(text)),
        ("a name", free_text and personal_data._TITLED_NAME.search(text)),
    ]
    return next((what for what, there in found if there), None)


# Pieces of NHS and phone numbers, dates, postcodes, addresses and names, run together.
pieces = st.one_of(
    st.integers(0, 99_999).map(str),
    st.integers(1990, 2030).map(str),
    st.sampled_from([" ", "-", "/", ".", ", ", "(", ")", "(0)", "+44 ", "\t", "\u00a0", "@"]),
    st.sampled_from(
        ["Jan", "november", "Sept.", "th", "Mr", "Dr.", "Jane", "Smith", "SW1A", "GIR"]
    ),
    st.sampled_from(["1AA", "0AA", "CR", "ab", "a.b@c.uk", "\u017f", "\u212a", "\u0663"]),
    # Each with as few digits as its kind can have, where the quick tests draw their lines.
    st.sampled_from(
        ["943 476 5919", "020 7946 0018", "1/2/03", "2021-1-2", "1 May 2020", "B1 1AA", "GIR 0AA"]
    ),
    st.text(max_size=3),
)


@settings(max_examples=2000, deadline=None)
@given(text=st.lists(pieces, max_size=10).map("".join), free_text=st.booleans())
def test_the_quick_tests_pass_over_only_values_no_pattern_matches(text, free_text):
    for reference in {False, free_text}:
        assert personal_value(text, free_text=free_text, reference=reference) == every_pattern(
            text, free_text=free_text, reference=reference
        )
