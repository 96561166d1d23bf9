"""The action plan in the spreadsheet tracker: a ``milestones`` column, one milestone a line
(``Briefing written | 2022-01-14 | officer | done 2022-01-10``), registered with the tracker
in ``PlansConfig.ready()`` (``recommendations.tracker_csv.extensions``).

One column in the recommendation's own row, rather than a second sheet or file: a CSV has one
sheet, a council's tracker keeps one row per recommendation, and the import and export stay
one file with one round trip, all or nothing. The export writes every milestone; importing it
back changes nothing. An import adds milestones at the end of a plan (all of a new
recommendation's), through ``plans.services`` (each a deadline, reminded like any): it never
changes or removes one already in the app (that is done on the plan's page, with a reason), and
a row that would is refused with a row error. The baseline is not in the file: it records
what a committee agreed, in the app.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from ombudsman_tracker.csv_import import RowError, parse_date
from ombudsman_tracker.formats import date_text
from recommendations.tracker_csv import Column, TrackerExtension

from . import services
from .models import Milestone, MilestoneStatus

NAME = COLUMN = "milestones"
MAX_MILESTONES = 100  # in one row
DROPPED_REASON = "Dropped in the imported spreadsheet tracker"
STATUS_WORDS = {
    "planned": MilestoneStatus.PLANNED,
    "in progress": MilestoneStatus.IN_PROGRESS,
    "in_progress": MilestoneStatus.IN_PROGRESS,
    "dropped": MilestoneStatus.DROPPED,
}

MILESTONES_COLUMN = Column(
    COLUMN,
    "The action plan's milestones, one a line: what, the planned date, the owner (a user of "
    "the app, or blank) and the status, separated by |",
    format="what | date | owner | planned, in progress, done DATE or dropped; one a line",
    example="Briefing written | 2022-01-14 | officer | done 2022-01-10",
    when="For an action plan",
)


@dataclass(frozen=True)
class Line:
    """One milestone as a line of the cell. Compared by what the line says (the owner by name)."""

    title: str
    planned: date
    owner_name: str
    status: str
    done_on: date | None = None
    owner: object = field(default=None, compare=False)

    def __str__(self):
        status = MilestoneStatus(self.status).label.lower()
        if self.done_on:
            status += f" {self.done_on.isoformat()}"
        owner = f" {self.owner_name} " if self.owner_name else " "
        return f"{self.title} | {self.planned.isoformat()} |{owner}| {status}"

    @classmethod
    def of(cls, milestone: Milestone) -> "Line":
        owner = milestone.deadline.owner
        return cls(
            title=milestone.title,
            planned=milestone.deadline.due_date,
            owner_name=owner.username if owner else "",
            status=milestone.status,
            done_on=milestone.actual_date,
            owner=owner,
        )


def _status(text: str) -> tuple[str, date | None]:
    words = " ".join(text.lower().split())
    if words in STATUS_WORDS:
        return STATUS_WORDS[words], None
    if words.startswith("done"):
        rest = words.removeprefix("done").strip()
        if not rest:
            raise ValueError("a done milestone needs the date it was done ('done 2022-01-10')")
        return MilestoneStatus.DONE, parse_date(rest)
    raise ValueError(f"'{text}' is not a status: use planned, in progress, done DATE or dropped")


def _line(text: str, lookups) -> Line:
    parts = [part.strip() for part in text.rsplit("|", 3)]
    if len(parts) != 4:
        raise ValueError(
            "give four parts separated by |: what, the planned date, the owner (or nothing) "
            "and the status"
        )
    title, planned, owner_name, status = parts
    if not title:
        raise ValueError("say what the milestone is")
    if len(title) > Milestone._meta.get_field("title").max_length:
        raise ValueError("what the milestone is must be at most 200 characters")
    owner = lookups.user(owner_name) if owner_name else None
    status, done_on = _status(status)
    return Line(
        title=title,
        planned=parse_date(planned),
        owner_name=owner.username if owner else "",
        status=status,
        done_on=done_on,
        owner=owner,
    )


def read(cells, lookups) -> tuple[Line, ...] | None:
    """The row's milestones, or None for a blank cell (problems recorded on the cells)."""
    text = cells.text(COLUMN)
    if not text:
        return None
    lines, problems = [], False
    texts = [line for line in text.split("\n") if line.strip()]
    if len(texts) > MAX_MILESTONES:
        cells.error(COLUMN, f"A row can hold at most {MAX_MILESTONES} milestones.")
        return None
    for number, line in enumerate(texts, start=1):
        try:
            lines.append(_line(line, lookups))
        except ValueError as error:
            cells.error(COLUMN, f"Milestone {number} ('{line.strip()[:60]}'): {error}.")
            problems = True
    return None if problems else tuple(lines)


def _in_app(recommendations) -> dict[int, list[Line]]:
    """The milestones of each recommendation (by id), in plan order, in one query."""
    lines: dict[int, list[Line]] = {}
    for milestone in (
        Milestone.objects.filter(plan__recommendation__in=recommendations)
        .select_related("deadline__owner", "plan")
        .order_by("plan__recommendation", "order", "pk")
    ):
        lines.setdefault(milestone.plan.recommendation_id, []).append(Line.of(milestone))
    return lines


def _name(row) -> str:
    return f"Recommendation {row.recommendation_number} of complaint {row.reference}"


def check(rows, *, by) -> list[RowError]:
    """Refuse a row whose milestones change or remove one the app holds, new milestones the
    user may not add, an owner who does not work for the row's organisation, or a date done
    in the future."""
    if not rows:
        return []
    today = timezone.localdate()
    in_app = _in_app([recommendation for _, recommendation, _ in rows if recommendation])
    errors = []
    for row, recommendation, lines in rows:
        held = in_app.get(recommendation.pk, []) if recommendation else []
        if list(lines) == held:
            continue
        if list(lines[: len(held)]) != held:
            first = next(
                (n for n, (a, b) in enumerate(zip(lines, held, strict=False), 1) if a != b),
                len(lines) + 1,
            )
            shown = f"'{held[first - 1]}'" if first <= len(held) else "its last milestones"
            errors.append(
                RowError(
                    row.number,
                    COLUMN,
                    f"{_name(row)} has an action plan in the app that this row changes at "
                    f"milestone {first} ({shown} in the app): an import only adds milestones "
                    "at the end of a plan. Change the others on the plan's page, or make this "
                    "row match an export.",
                )
            )
            continue
        if not by.has_perm("plans.add_milestone"):
            errors.append(
                RowError(row.number, COLUMN, "You are not allowed to add milestones to a plan.")
            )
            continue
        for number, line in enumerate(lines[len(held) :], start=len(held) + 1):
            owner = line.owner
            if owner is not None and (
                owner.organisation_id != row.organisation.pk or not owner.is_active
            ):
                errors.append(
                    RowError(
                        row.number,
                        COLUMN,
                        f"Milestone {number}: the owner {line.owner_name} must work for "
                        f"{row.organisation} and be able to sign in.",
                    )
                )
            if line.done_on and line.done_on > today:
                errors.append(
                    RowError(
                        row.number,
                        COLUMN,
                        f"Milestone {number}: the date done, {date_text(line.done_on)}, is in "
                        "the future.",
                    )
                )
    return errors


def write(recommendation, lines, *, by, at) -> None:
    """Add the milestones after those the plan holds, each with its status."""
    held = Milestone.objects.filter(plan__recommendation=recommendation).count()
    for line in lines[held:]:
        milestone = services.milestone_add(
            recommendation=recommendation,
            title=line.title,
            planned_date=line.planned,
            owner=line.owner,
            by=by,
        )
        match line.status:
            case MilestoneStatus.IN_PROGRESS:
                services.milestone_update(
                    milestone=milestone,
                    version=milestone.version,
                    status=MilestoneStatus.IN_PROGRESS,
                    by=by,
                )
            case MilestoneStatus.DONE:
                services.milestone_complete(milestone=milestone, on=line.done_on, by=by)
            case MilestoneStatus.DROPPED:
                services.milestone_drop(milestone=milestone, reason=DROPPED_REASON, by=by)


def cells(recommendations) -> dict[int, dict[str, str]]:
    """The export's cell of each recommendation with milestones, in one query."""
    return {
        pk: {COLUMN: "\n".join(str(line) for line in lines)}
        for pk, lines in _in_app([r.pk for r in recommendations]).items()
    }


MILESTONES = TrackerExtension(
    name=NAME,
    columns=(MILESTONES_COLUMN,),
    read=read,
    check=check,
    write=write,
    cells=cells,
)
