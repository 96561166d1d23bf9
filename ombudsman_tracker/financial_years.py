"""The financial year councils and the Ombudsman count in: 1 April to 31 March.

Pure functions, no database. Remedy payments are totalled by it and the Ombudsman's annual
review letter covers one: "2021-22" runs from 1 April 2021 to 31 March 2022, so 31 March 2022
belongs to 2021-22 and 1 April 2022 to 2022-23.
"""

import re
from datetime import date
from typing import NamedTuple

FIRST_MONTH = 4  # April

_LABEL = re.compile(r"(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})")  # a hyphen, slash or en dash


class FinancialYear(NamedTuple):
    """A financial year, as its first and last days: unpacks as ``(start, end)``."""

    start: date
    end: date

    @classmethod
    def starting(cls, year: int) -> "FinancialYear":
        """The year that begins on 1 April of ``year``."""
        return cls(date(year, FIRST_MONTH, 1), date(year + 1, FIRST_MONTH - 1, 31))

    @classmethod
    def from_label(cls, text: str) -> "FinancialYear":
        """``2021-22`` (or ``2021/22``, ``2021-2022``); ``ValueError`` for anything else,
        including two years that do not follow each other (``2021-23``)."""
        match = _LABEL.fullmatch(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a financial year: write it as 2021-22.")
        first, second = int(match.group(1)), match.group(2)
        following = first + 1
        if int(second) != (following if len(second) == 4 else following % 100):
            raise ValueError(
                f"'{text}' is not a financial year: the second year must follow the first."
            )
        return cls.starting(first)

    @property
    def start_year(self) -> int:
        return self.start.year

    @property
    def label(self) -> str:
        """``2021-22``."""
        return f"{self.start.year}-{self.end.year % 100:02d}"

    def __contains__(self, day) -> bool:
        """``day in year``: whether the day falls in it."""
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self):
        return self.label


def financial_year(day: date) -> FinancialYear:
    """The financial year ``day`` falls in: before April, the year that began the April before."""
    return FinancialYear.starting(day.year if day.month >= FIRST_MONTH else day.year - 1)


def financial_years(*, first: int, last: int) -> list[FinancialYear]:
    """The years beginning in ``first`` to ``last``, newest first (for a choice of year)."""
    return [FinancialYear.starting(year) for year in range(last, first - 1, -1)]
