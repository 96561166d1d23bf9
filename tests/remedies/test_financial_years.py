"""The financial year, April to March: pure date arithmetic, no database."""

from datetime import date

import pytest

from ombudsman_tracker.financial_years import FinancialYear, financial_year, financial_years


def test_31_march_belongs_to_the_year_that_began_the_april_before():
    assert financial_year(date(2022, 3, 31)) == (date(2021, 4, 1), date(2022, 3, 31))
    assert financial_year(date(2022, 3, 31)).label == "2021-22"


def test_1_april_begins_the_next_year():
    start, end = financial_year(date(2022, 4, 1))

    assert (start, end) == (date(2022, 4, 1), date(2023, 3, 31))
    assert financial_year(date(2022, 4, 1)).label == "2022-23"


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2022, 1, 1), "2021-22"),
        (date(2021, 12, 31), "2021-22"),
        (date(2021, 4, 1), "2021-22"),
        (date(2021, 3, 31), "2020-21"),
        (date(2024, 2, 29), "2023-24"),
        (date(1999, 6, 1), "1999-00"),
    ],
)
def test_every_day_falls_in_one_year(day, label):
    year = financial_year(day)

    assert year.label == label
    assert day in year
    assert year.start <= day <= year.end


@pytest.mark.parametrize("text", ["2021-22", "2021/22", "2021-2022", " 2021 - 22 ", "2021\u201322"])
def test_a_year_is_read_from_how_people_write_it(text):
    assert FinancialYear.from_label(text) == FinancialYear.starting(2021)


@pytest.mark.parametrize("text", ["2021-23", "2021", "21-22", "twenty", "2021-2021", ""])
def test_a_label_that_is_not_a_year_is_refused(text):
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.from_label(text)


def test_years_to_choose_from_are_newest_first():
    assert [year.label for year in financial_years(first=2019, last=2021)] == [
        "2021-22",
        "2020-21",
        "2019-20",
    ]
