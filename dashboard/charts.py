"""Bar charts as geometry: pure functions from figures to the boxes and labels an SVG draws.

``templates/dashboard/includes/bar_chart.html`` draws a ``BarChart``; colours and fonts come
from classes in ``static/src/_dashboard.scss`` (no style attribute, so the strict
Content-Security-Policy holds). Every chart is drawn with a short text description for its
accessible name and sits beside a table of the same figures.
"""

import math
from dataclasses import dataclass
from datetime import date

from deadlines.models import ComplianceRate
from ombudsman_tracker.formats import date_text, short_date_text

from .compliance import TIMELINE_DAYS, QuarterSeries, Week

# Layout, in the SVG's own units (it is drawn at this size, smaller on a narrow page).
MIN_WIDTH = 640  # a chart of a few bars is as wide as one of many, with wider columns
COLUMN = 60  # the narrowest column given to each bar and its label
BAR = 36  # the widest bar
LEFT = 56  # room for the y-axis labels
RIGHT = 16
TOP = 28  # room for the value above the tallest bar
BOTTOM = 52  # room for two lines of category label
HEIGHT = 300
LINE = 16  # between the lines of a category label


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float
    value_label: str
    category: tuple[str, ...]  # the label under the bar, one item a line


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    category_y: float
    line_height: int = LINE


def nice_maximum(largest: int) -> tuple[int, int]:
    """A round top for the y axis above ``largest``, and the step between its ticks (at
    most five steps): 7 -> (8, 2), 23 -> (25, 5), 0 -> (4, 1)."""
    largest = max(largest, 1)
    for scale in (10**n for n in range(12)):
        for multiple in (1, 2, 5):
            step = multiple * scale
            steps = math.ceil(largest / step)
            if steps <= 5:
                # Small counts still get an axis of four steps, so one bar is not full height.
                return max(steps, 4) * step if step == 1 else steps * step, step
    raise ValueError("Too large to chart")


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    categories: list[tuple[str, ...]],
    values: list[float | None],
    value_labels: list[str],
    top: float,
    ticks: list[tuple[float, str]],
) -> BarChart:
    """Bars for ``values`` (None draws no bar) on an axis from 0 to ``top``."""
    if not len(categories) == len(values) == len(value_labels):
        raise ValueError("One category, value and label per bar.")
    if not values:
        raise ValueError("Nothing to chart.")
    width = max(MIN_WIDTH, LEFT + COLUMN * len(values) + RIGHT)
    column = (width - LEFT - RIGHT) / len(values)
    bar_width = min(BAR, round(column * 0.7, 1))
    plot_bottom = HEIGHT - BOTTOM
    plot_height = plot_bottom - TOP

    def y_of(value: float) -> float:
        return round(plot_bottom - plot_height * value / top, 1)

    bars = []
    for index, (category, value, label) in enumerate(
        zip(categories, values, value_labels, strict=True)
    ):
        centre = round(LEFT + column * index + column / 2, 1)
        y = y_of(value or 0)
        bars.append(
            Bar(
                x=round(centre - bar_width / 2, 1),
                y=y,
                width=bar_width if value is not None else 0,
                height=round(plot_bottom - y, 1),
                centre=centre,
                value_y=y - 6,
                value_label=label,
                category=category,
            )
        )
    return BarChart(
        id=id,
        title=title,
        description=description,
        width=width,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=width - RIGHT,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=[Tick(y_of(value), label) for value, label in ticks],
        category_y=plot_bottom + 20,
    )


# --- The two charts on the dashboard --------------------------------------------------------


def timeline_chart(weeks: list[Week], *, today: date) -> BarChart:
    """Open deadlines due in each week of the next 90 days."""
    totals = [week.total for week in weeks]
    top, step = nice_maximum(max(totals, default=0))
    total = sum(totals)
    busiest = max(weeks, key=lambda week: week.total) if total else None
    description = (
        f"Open deadlines due in each week from {date_text(today)} to "
        f"{date_text(weeks[-1].last_day)}: {total} in all."
    )
    if busiest:
        description += f" The most in one week is {busiest.total}, from {busiest.label}."
    return bar_chart(
        id="chart-timeline",
        title=f"Deadlines due in the next {TIMELINE_DAYS} days, by week",
        description=description,
        categories=[(short_date_text(w.first_day, year=False),) for w in weeks],
        values=totals,
        value_labels=[str(t) for t in totals],
        top=top,
        ticks=[(n, str(n)) for n in range(0, top + 1, step)],
    )


def compliance_chart(series: QuarterSeries, *, lead: ComplianceRate) -> BarChart:
    """The rate that leads in each quarter (its table gives both); quarters with nothing due
    have no bar. Quarters too old to chart one by one share a first bar, so the bars count
    every recommendation the figures above them count."""
    rows = series.rows
    rates = [row.figures.rate_figure(lead) for row in rows]
    name = lead.label.lower()
    description = (
        f"The share of due recommendations {name}, in each quarter from "
        f"{series.quarters[0].quarter.label} to {series.quarters[-1].quarter.label}"
    )
    if series.earlier:
        description += f", after one bar for the quarters before {series.earlier.quarter.label}"
    description += "."
    described = [(row, rate) for row, rate in zip(rows, rates, strict=True) if rate.all_due]
    if described:
        latest, rate = described[-1]
        description += (
            f" Latest quarter with recommendations due: {latest.label}, {rate.rate_percent} "
            f"({rate.counted} of {rate.all_due})."
        )
    else:
        description += " No recommendation fell due in these quarters."
    categories = []
    for index, row in enumerate(rows):
        if row.earlier:
            categories.append(("Earlier", ""))
            continue
        # The year under the first quarter shown and under every January.
        first = index == 0 or rows[index - 1].earlier
        year = str(row.quarter.year) if first or row.quarter.number == 1 else ""
        categories.append((row.quarter.months, year))
    return bar_chart(
        id="chart-compliance",
        title=f"Recommendations {name}, by quarter",
        description=description,
        categories=categories,
        values=[float(r.rate) * 100 if r.rate is not None else None for r in rates],
        value_labels=[r.rate_percent or "\N{EN DASH}" for r in rates],
        top=100,
        ticks=[(n, f"{n}%") for n in (0, 25, 50, 75, 100)],
    )
