"""The action plan timeline of a complaint: each milestone's planned, baseline and actual
dates, with today marked, as data (``complaint_timeline``) and as a standalone SVG drawn on
the server (``timeline_svg``).

The same two functions serve the complaint's timeline page and the committee report (Word and
PDF): the SVG carries its own presentation attributes (no classes, no style attribute, so the
strict Content-Security-Policy holds and WeasyPrint draws it as the page does), a title and a
description for its accessible name, and text labels; shapes as well as colours tell the
dates apart, so it prints in black and white. A table beside it holds the same facts.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ombudsman_tracker.formats import counted, date_text, short_date_text
from recommendations.selectors import recommendations_visible_to

from .models import Milestone, MilestoneStatus
from .presentation import slippage_text

# A page, or a committee report, shows at most this many milestones (soonest recommendation
# first); ``Timeline.hidden`` says how many more there are.
TIMELINE_ROWS = 40


@dataclass(frozen=True)
class TimelineRow:
    milestone_id: int
    recommendation_id: int
    recommendation_number: int
    organisation: str
    title: str
    owner: str
    status: str  # MilestoneStatus value
    status_label: str
    planned: date
    baseline: date | None
    actual: date | None
    slippage_days: int | None
    slippage: str  # in words: "12 days later than the baseline", "Not in the baseline"

    @property
    def label(self) -> str:
        return f"R{self.recommendation_number} {self.title}"


@dataclass(frozen=True)
class Timeline:
    complaint_reference: str
    at: date
    rows: tuple[TimelineRow, ...]
    total: int  # every milestone of the complaint's recommendations given, shown or not

    @property
    def hidden(self) -> int:
        return self.total - len(self.rows)

    @property
    def title(self) -> str:
        return f"Action plan timeline of complaint {self.complaint_reference}"

    @property
    def description(self) -> str:
        """The chart's facts in a sentence or three, for its accessible description."""
        rows = self.rows
        if not rows:
            return f"No milestones yet. Today is {date_text(self.at)}."
        done = sum(1 for row in rows if row.status == MilestoneStatus.DONE)
        late = [row for row in rows if row.slippage_days and row.slippage_days > 0]
        text = (
            f"{counted(len(rows), 'milestone')} from {date_text(self.start)} to "
            f"{date_text(self.end)}, {done} done. Today is {date_text(self.at)}."
        )
        if self.hidden:
            text += f" {counted(self.hidden, 'more milestone')} not drawn."
        if late:
            worst = max(late, key=lambda row: row.slippage_days)
            text += (
                f" {counted(len(late), 'milestone')} later than the baseline; the most, "
                f"{worst.label}, by {counted(worst.slippage_days, 'day')}."
            )
        not_in = sum(
            1 for row in rows if row.baseline is None and row.status != MilestoneStatus.DROPPED
        )
        if not_in:
            text += f" {counted(not_in, 'milestone')} not in the baseline."
        return text + " The table beside the chart gives every date."

    def _dates(self) -> list[date]:
        dates = [self.at]
        for row in self.rows:
            dates += [d for d in (row.planned, row.baseline, row.actual) if d]
        return dates

    @property
    def start(self) -> date:
        return min(self._dates())

    @property
    def end(self) -> date:
        return max(self._dates())


def _row(milestone: Milestone) -> TimelineRow:
    recommendation = milestone.plan.recommendation
    owner = milestone.deadline.owner
    return TimelineRow(
        milestone_id=milestone.pk,
        recommendation_id=recommendation.pk,
        recommendation_number=recommendation.number,
        organisation=recommendation.organisation.name,
        title=milestone.title,
        owner=str(owner) if owner else "",
        status=milestone.status,
        status_label=milestone.get_status_display(),
        planned=milestone.deadline.due_date,
        baseline=milestone.baseline_date,
        actual=milestone.actual_date,
        slippage_days=milestone.slippage_days,
        slippage=slippage_text(
            milestone.slippage_days, status=milestone.status, in_baseline=milestone.in_baseline
        ),
    )


def complaint_timeline(
    *, complaint, at: date, user=None, recommendations=None, limit: int = TIMELINE_ROWS
) -> Timeline:
    """The milestones of the complaint's recommendations that ``user`` may see (or of
    ``recommendations``, a queryset the caller has scoped already, for example a committee
    report's organisation), by recommendation then plan order, at most ``limit`` of them.

    Two queries, whatever the number of milestones.
    """
    if recommendations is None:
        if user is None:
            raise TypeError("complaint_timeline needs a user or the recommendations to show.")
        recommendations = recommendations_visible_to(user)
    milestones = Milestone.objects.filter(
        plan__recommendation__in=recommendations.filter(complaint=complaint)
        .select_related(None)
        .values("pk")
    ).order_by(
        "plan__recommendation__organisation__name",
        "plan__recommendation__number",
        "order",
        "pk",
    )
    total = milestones.count()
    shown = milestones.select_related("deadline__owner", "plan__recommendation__organisation")[
        :limit
    ]
    return Timeline(
        complaint_reference=complaint.reference,
        at=at,
        rows=tuple(_row(milestone) for milestone in shown),
        total=total,
    )


# --- Drawing --------------------------------------------------------------------------------

WIDTH = 760
LABEL_WIDTH = 250  # the milestones' names, left of the plot
RIGHT = 24
TOP = 74  # the legend, then the months
ROW = 30
BOTTOM = 16
LABEL_CHARACTERS = 36
# GOV.UK colours; shapes tell the dates apart too (a diamond, a circle, a square).
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
BASELINE = "#505a5f"
PLANNED = "#1d70b8"
ACTUAL = "#00703c"
TODAY = "#d4351c"
FONT = 'font-family="Arial, Helvetica, sans-serif"'


def _months(start: date, end: date) -> list[date]:
    """The first days of months from ``start``'s month to after ``end``, at most about ten
    ticks (every 1, 2, 3, 6 or 12 months)."""
    first = start.replace(day=1)
    months = (end.year - first.year) * 12 + end.month - first.month + 1
    step = next(s for s in (1, 2, 3, 6, 12, 24) if months / s <= 10)
    ticks, index = [], 0
    while True:
        year, month = divmod(first.month - 1 + index, 12)
        tick = date(first.year + year, month + 1, 1)
        ticks.append(tick)
        if tick > end:
            return ticks
        index += step


def _diamond(x: float, y: float, size: float = 7) -> str:
    points = f"{x},{y - size} {x + size},{y} {x},{y + size} {x - size},{y}"
    return (
        f'<polygon points="{points}" fill="#ffffff" stroke="{BASELINE}" stroke-width="2"></polygon>'
    )


def _circle(x: float, y: float, *, colour: str = PLANNED) -> str:
    return f'<circle cx="{x}" cy="{y}" r="6" fill="{colour}"></circle>'


def _square(x: float, y: float) -> str:
    return (
        f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" fill="{ACTUAL}" '
        f'stroke="{TEXT}" stroke-width="1"></rect>'
    )


def _shortened(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "\u2026"


def timeline_svg(timeline: Timeline, *, id: str = "plan-timeline") -> SafeString:
    """The timeline as one standalone ``<svg>`` element (every text escaped): a row per
    milestone with its baseline date (a hollow diamond), planned date (a blue circle, grey
    once dropped) and date done (a green square), a line from the baseline to the planned or
    done date where they differ, and today as a red line. ``id`` prefixes the ids of its
    title and description, so several can share a page."""
    rows = timeline.rows
    start = timeline.start - timedelta(days=7)
    end = timeline.end + timedelta(days=7)
    ticks = _months(start, end)
    start, end = min(start, ticks[0]), max(end, ticks[-1])
    span = max((end - start).days, 1)
    plot_left, plot_right = LABEL_WIDTH, WIDTH - RIGHT
    height = TOP + ROW * max(len(rows), 1) + BOTTOM

    def x(day: date) -> float:
        return round(plot_left + (plot_right - plot_left) * (day - start).days / span, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(id)}-title" aria-describedby="{escape(id)}-desc" '
        f'focusable="false" {FONT} font-size="13">',
        f'<title id="{escape(id)}-title">{escape(timeline.title)}</title>',
        f'<desc id="{escape(id)}-desc">{escape(timeline.description)}</desc>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"></rect>',
    ]
    # The legend: each shape with its name.
    legend = [
        (_diamond(16, 14), "Baseline date"),
        (_circle(16, 14), "Planned date"),
        (_square(16, 14), "Date done"),
    ]
    for index, (shape, name) in enumerate(legend):
        offset = 150 * index
        parts.append(f'<g transform="translate({offset} 0)">{shape}')
        parts.append(f'<text x="30" y="19" fill="{TEXT}">{escape(name)}</text></g>')
    parts.append(
        f'<line x1="{450 + 8}" x2="{450 + 8}" y1="4" y2="24" stroke="{TODAY}" '
        'stroke-width="2" stroke-dasharray="4 3"></line>'
        f'<text x="{450 + 18}" y="19" fill="{TEXT}">Today, {escape(short_date_text(timeline.at))}'
        "</text>"
    )
    # Months along the top, with a light line down through the rows.
    for tick in ticks:
        if not start <= tick <= end:
            continue
        tick_x = x(tick)
        parts.append(
            f'<line x1="{tick_x}" x2="{tick_x}" y1="{TOP - 10}" y2="{height - BOTTOM}" '
            f'stroke="{GRID}" stroke-width="1"></line>'
            f'<text x="{tick_x}" y="{TOP - 16}" fill="{TEXT}" text-anchor="middle" '
            f'font-size="12">{escape(tick.strftime("%b %Y"))}</text>'
        )
    for index, row in enumerate(rows):
        y = TOP + ROW * index + ROW / 2
        dropped = row.status == MilestoneStatus.DROPPED
        name = _shortened(row.label) + (" (dropped)" if dropped else "")
        parts.append(f"<g><title>{escape(row.label)}: {escape(row.slippage)}</title>")
        parts.append(
            f'<line x1="0" x2="{plot_right}" y1="{y + ROW / 2}" y2="{y + ROW / 2}" '
            f'stroke="{GRID}" stroke-width="0.5"></line>'
            f'<text x="4" y="{y + 4}" fill="{TEXT}">{escape(name)}</text>'
        )
        reached = row.actual or row.planned
        if row.baseline and not dropped and reached != row.baseline:
            parts.append(
                f'<line x1="{x(row.baseline)}" x2="{x(reached)}" y1="{y}" y2="{y}" '
                f'stroke="{BASELINE}" stroke-width="2"></line>'
            )
        if row.baseline:
            parts.append(_diamond(x(row.baseline), y))
        if row.actual:
            parts.append(_square(x(row.actual), y))
        else:
            parts.append(_circle(x(row.planned), y, colour=BASELINE if dropped else PLANNED))
        parts.append("</g>")
    if not rows:
        parts.append(
            f'<text x="{plot_left}" y="{TOP + ROW / 2 + 4}" fill="{TEXT}">No milestones yet</text>'
        )
    today_x = x(timeline.at)
    parts.append(
        f'<line x1="{today_x}" x2="{today_x}" y1="{TOP - 10}" y2="{height - BOTTOM}" '
        f'stroke="{TODAY}" stroke-width="2" stroke-dasharray="4 3"></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
