"""When reminders for a deadline fall due: pure functions of dates, no database.

A schedule says how many days before the deadline to remind (28, 14, 7 and 1 by default), whether
to remind on the day, and how often to repeat once it is overdue. At any moment only the latest
stage that has fallen due is sent: a deadline created inside the window gets one reminder, not
the three it "missed", and a scheduler that was down for a day catches up with the stage that is
due now rather than replaying the ones it slept through.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from ombudsman_tracker.formats import counted


@dataclass(frozen=True)
class Stage:
    key: str  # "before:28", "due", "overdue:1"...: unique per deadline, due date and recipient
    send_on: date
    overdue_count: int = 0

    @property
    def is_overdue(self) -> bool:
        return self.overdue_count > 0


def current_stage(
    *,
    due_date: date,
    days_before: list[int],
    on_the_day: bool,
    overdue_every_days: int,
    today: date,
) -> Stage | None:
    """The latest stage whose send date is on or before ``today`` (``<=``, so none is skipped
    by a scheduler that missed its run), or None before the first one."""
    if today > due_date:
        # The first overdue reminder goes the day after the deadline, then every N days.
        count = 1 + (today - due_date - timedelta(days=1)).days // max(overdue_every_days, 1)
        send_on = due_date + timedelta(days=1 + (count - 1) * max(overdue_every_days, 1))
        return Stage(f"overdue:{count}", send_on, overdue_count=count)
    if on_the_day and today == due_date:
        return Stage("due", due_date)
    fallen_due = [days for days in days_before if due_date - timedelta(days=days) <= today]
    if not fallen_due:
        return None
    days = min(fallen_due)
    return Stage(f"before:{days}", due_date - timedelta(days=days))


def stage_description(stage: Stage, due_date: date, today: date) -> str:
    """How the reminder reads to its recipient."""
    if stage.is_overdue:
        days = (today - due_date).days
        return f"overdue by {counted(days, 'day')}"
    if stage.key == "due":
        return "due today"
    days = (due_date - today).days
    return "due today" if days == 0 else f"due in {counted(days, 'day')}"
