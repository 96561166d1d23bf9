"""The live case is dated from the day the demo is loaded, whatever the lengths of the months
around it: a newcomer sees the same work in hand."""

from datetime import date

import pytest

from .conftest import assert_due_soon_and_overdue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", [date(2026, 5, 31), date(2028, 2, 29)])
def test_a_newcomer_sees_three_deadlines_due_soon_and_one_overdue_on_any_day(seed, today):
    seed(today=today)

    assert_due_soon_and_overdue(today=today)
