"""Deadline rules as a tracker writes them: ``stated``, or ``within 3 months of report date``."""

import re
from dataclasses import dataclass
from datetime import date

from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor
from ombudsman_tracker.csv_import import parse_date

_UNIT_WORDS = {
    "day": Unit.DAYS,
    "week": Unit.WEEKS,
    "month": Unit.MONTHS,
    "working day": Unit.WORKING_DAYS,
}
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            *("one", "two", "three", "four", "five", "six"),
            *("seven", "eight", "nine", "ten", "eleven", "twelve"),
        ],
        start=1,
    )
}
_ANCHOR_WORDS = {
    Anchor.REPORT_DATE: "report date",
    Anchor.RECEIVED_DATE: "date received",
}
_ANCHOR_SYNONYMS = {
    "report": Anchor.REPORT_DATE,
    "report date": Anchor.REPORT_DATE,
    "date of report": Anchor.REPORT_DATE,
    "date of the report": Anchor.REPORT_DATE,
    "receipt": Anchor.RECEIVED_DATE,
    "date received": Anchor.RECEIVED_DATE,
    "received date": Anchor.RECEIVED_DATE,
    "date of receipt": Anchor.RECEIVED_DATE,
    "date the report was received": Anchor.RECEIVED_DATE,
}
_COUNT_AND_UNIT = r"(?P<count>\d+|[a-z]+) (?P<unit>working days?|days?|weeks?|months?)"
_WITHIN = re.compile(rf"within {_COUNT_AND_UNIT} of (?:the )?(?P<anchor>.+)")
_BEGINNING_WITH = re.compile(
    rf"(?:a period of )?{_COUNT_AND_UNIT} beginning with (?:the )?(?P<anchor>.+)"
)
_RULE_HELP = (
    "write 'stated', or a rule such as 'within 3 months of report date', "
    "'3 months beginning with date received' or 'within 20 working days of report date' "
    "(units: days, weeks, months, working days; dates: report date, date received or a date)"
)
MAX_COUNT = 32767  # Deadline.count is a PositiveSmallIntegerField


@dataclass(frozen=True)
class Rule:
    """A deadline rule as the tracker writes it: ``stated``, or a period counted from a date."""

    counting: str
    count: int | None = None
    unit: str = ""
    anchor: str = ""
    anchor_date: date | None = None  # only for another date (Anchor.OTHER_DATE)

    @classmethod
    def parse(cls, text: str) -> "Rule":
        """Read a rule as ``str(rule)`` writes it (or a few synonyms). Raises ValueError."""
        words = " ".join(text.lower().split())
        if words in ("", "stated"):
            return cls(counting=Counting.STATED)
        if match := _WITHIN.fullmatch(words):
            counting = Counting.WITHIN
        elif match := _BEGINNING_WITH.fullmatch(words):
            counting = Counting.BEGINNING_WITH
        else:
            raise ValueError(f"'{text.strip()}' is not a rule: {_RULE_HELP}.")
        count_text = match["count"]
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS.get(count_text)
        if count is None or not 1 <= count <= MAX_COUNT:
            raise ValueError(
                f"'{count_text}' in '{text.strip()}' is not a number of {match['unit']}."
            )
        unit = _UNIT_WORDS[match["unit"].removesuffix("s")]
        anchor_text = match["anchor"]
        if anchor_text in _ANCHOR_SYNONYMS:
            return cls(
                counting=counting, count=count, unit=unit, anchor=_ANCHOR_SYNONYMS[anchor_text]
            )
        try:
            anchor_date = parse_date(anchor_text)
        except ValueError:
            raise ValueError(
                f"'{anchor_text}' in '{text.strip()}' is not a date to count from: use report "
                "date, date received, or a date (YYYY-MM-DD)."
            ) from None
        return cls(
            counting=counting,
            count=count,
            unit=unit,
            anchor=Anchor.OTHER_DATE,
            anchor_date=anchor_date,
        )

    @classmethod
    def of(cls, deadline) -> "Rule":
        if deadline.counting == Counting.STATED:
            return cls(counting=Counting.STATED)
        return cls(
            counting=deadline.counting,
            count=deadline.count,
            unit=deadline.unit,
            anchor=deadline.anchor,
            anchor_date=deadline.anchor_date if deadline.anchor == Anchor.OTHER_DATE else None,
        )

    def __str__(self):
        if self.counting == Counting.STATED:
            return "stated"
        unit = Unit(self.unit).label
        if self.count == 1:
            unit = unit.removesuffix("s")
        anchor = _ANCHOR_WORDS.get(self.anchor) or self.anchor_date.isoformat()
        if self.counting == Counting.WITHIN:
            return f"within {self.count} {unit} of {anchor}"
        return f"{self.count} {unit} beginning with {anchor}"

    def anchor_for(self, *, report_date: date, received_date: date | None) -> date | None:
        match self.anchor:
            case Anchor.REPORT_DATE:
                return report_date
            case Anchor.RECEIVED_DATE:
                return received_date
        return self.anchor_date

    def service_arguments(self, *, stated_date: date | None) -> dict:
        """The ``rule`` argument of ``services.recommendation_create``."""
        if self.counting == Counting.STATED:
            return {"counting": Counting.STATED, "stated_date": stated_date}
        arguments = {
            "counting": self.counting,
            "count": self.count,
            "unit": self.unit,
            "anchor": self.anchor,
        }
        if self.anchor == Anchor.OTHER_DATE:
            arguments |= {"anchor_date": self.anchor_date, "anchor_label": "the date given"}
        return arguments
