"""The complaint's plan timeline as data and as a standalone SVG (the committee report
inlines the same markup in its PDF)."""

from datetime import UTC, date, datetime

import pytest
from defusedxml import ElementTree

from plans import services
from plans.models import Milestone
from plans.timeline import Timeline, TimelineRow, complaint_timeline, timeline_svg
from recommendations.selectors import recommendations_visible_to
from tests.factories import complaint_recorded, milestone_added, recommendation_recorded

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2022, 2, 1)


def _row(**overrides) -> TimelineRow:
    values = {
        "milestone_id": 1,
        "recommendation_id": 1,
        "recommendation_number": 1,
        "organisation": "Croydon Council",
        "title": "Briefing written",
        "owner": "Officer",
        "status": "planned",
        "status_label": "Planned",
        "planned": date(2022, 1, 28),
        "baseline": date(2022, 1, 14),
        "actual": None,
        "slippage_days": 14,
        "slippage": "14 days later than the baseline",
    }
    return TimelineRow(**(values | overrides))


def test_the_svg_is_one_accessible_standalone_image_with_every_text_escaped():
    timeline = Timeline(
        complaint_reference="21 001 000",
        at=TODAY,
        rows=(
            _row(),
            _row(
                milestone_id=2,
                title="Report to <committee> & board",
                status="done",
                actual=date(2022, 1, 20),
                baseline=None,
                slippage_days=None,
                slippage="Not in the baseline",
            ),
        ),
        total=2,
    )

    svg = ElementTree.fromstring(str(timeline_svg(timeline, id="t")))

    assert svg.tag == f"{SVG}svg"
    assert (svg.get("role"), svg.get("aria-labelledby"), svg.get("aria-describedby")) == (
        "img",
        "t-title",
        "t-desc",
    )
    assert svg.find(f"{SVG}title").text == "Action plan timeline of complaint 21 001 000"
    assert svg.find(f"{SVG}desc").text == (
        "2 milestones from 14 January 2022 to 1 February 2022, 1 done. Today is 1 February "
        "2022. 1 milestone later than the baseline; the most, R1 Briefing written, by 14 days. "
        "1 milestone not in the baseline. The table beside the chart gives every date."
    )
    texts = [element.text for element in svg.iter(f"{SVG}text")]
    assert "R1 Briefing written" in texts
    assert "R1 Report to <committee> & board" in texts
    assert "Today, 1 Feb 2022" in texts
    assert "Jan 2022" in texts
    # A diamond (baseline), a circle (planned) and a square (done) beside the legend's three.
    assert len(list(svg.iter(f"{SVG}polygon"))) == 2
    assert len(list(svg.iter(f"{SVG}circle"))) == 2
    assert len(list(svg.iter(f"{SVG}rect"))) == 3  # the background, the legend's, one done
    assert "style=" not in str(timeline_svg(timeline))
    assert "class=" in str(timeline_svg(timeline))  # app-chart on the page; ignored in a PDF


def test_an_empty_timeline_still_draws_today():
    svg = str(timeline_svg(Timeline(complaint_reference="X", at=TODAY, rows=(), total=0)))

    assert "No milestones yet" in svg
    assert "Today, 1 Feb 2022" in svg


@pytest.mark.django_db
def test_the_timeline_shows_what_the_user_may_see_and_says_how_many_are_left_out(manager):
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    first = recommendation_recorded(complaint=complaint, by=manager)
    second = recommendation_recorded(complaint=complaint, by=manager)
    for day in (10, 20, 30):
        milestone_added(
            recommendation=second, title=f"Step {day}", planned_date=date(2022, 1, day), by=manager
        )
    briefing = milestone_added(recommendation=first, by=manager)
    services.plan_baseline(
        plan=briefing.plan,
        agreed_on=date(2021, 12, 14),
        note="Agreed",
        by=manager,
        at=datetime(2021, 12, 14, tzinfo=UTC),
    )
    services.milestone_complete(
        milestone=Milestone.objects.get(pk=briefing.pk), on=date(2022, 1, 17), by=manager
    )

    timeline = complaint_timeline(complaint=complaint, user=manager, at=TODAY, limit=3)
    for_the_report = complaint_timeline(
        complaint=complaint,
        recommendations=recommendations_visible_to(manager).filter(pk=first.pk),
        at=TODAY,
    )

    assert [(row.recommendation_number, row.title) for row in timeline.rows] == [
        (1, "Briefing written"),
        (2, "Step 10"),
        (2, "Step 20"),
    ]
    assert (timeline.total, timeline.hidden) == (4, 1)
    assert timeline.rows[0].slippage == "3 days later than the baseline"
    assert [row.title for row in for_the_report.rows] == ["Briefing written"]
