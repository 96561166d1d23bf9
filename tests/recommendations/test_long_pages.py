"""A council with years of complaints behind it: each page shows one page of rows (the latest
history, the first recommendations, the first evidence) and says what it leaves out and how to
see it, so it stays small and quick however much is recorded. The tracker export, which has a
row for every recommendation, is streamed rather than held in memory."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.roles import Role
from deadlines.arithmetic import Counting
from organisations.models import Organisation
from recommendations import selectors, services, timeline, views
from recommendations.selectors import recommendations_visible_to
from recommendations.tracker_csv import export, tracker_export
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
# The most a page may weigh at a council's full scale (issue 14); the pages here, with a few
# rows a page, weigh a fraction of it.
MOST_BYTES = 150 * 1024
# What a page may gain as its rows grow: page numbers in the links, larger counts in the text.
PAGE_LINKS_BYTES = 1_500


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def officer(croydon):
    return user_with_role(Role.OFFICER, username="officer", organisation=croydon)


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


@pytest.fixture
def short_pages(monkeypatch):
    """Pages of 3 rows and of 4 events, so that a few records fill several pages."""
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    monkeypatch.setattr(views, "HISTORY_PAGE_SIZE", 4)


def page_text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def links(response) -> list[str]:
    return re.findall(r'href="([^"]*)"', response.content.decode())


def evidence_added(recommendation, by, n):
    for i in range(n):
        services.evidence_add(
            recommendation=recommendation,
            description=f"Briefing note {i}",
            url=f"https://example.org/briefing-{i}",
            by=by,
            at=timezone.now(),
        )


# --- A complaint's page ---------------------------------------------------------------------


def test_a_complaint_with_more_recommendations_than_a_page_shows_one_page_and_says_so(
    client, officer, manager, croydon, short_pages
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    for _ in range(4):
        recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    client.force_login(officer)

    first = client.get(complaint.get_absolute_url())
    second = client.get(complaint.get_absolute_url(), {"page": 2})

    assert [r.number for r in first.context["recommendations"]] == [1, 2, 3]
    assert "Showing recommendations 1 to 3 of 4." in page_text(first)
    assert "?page=2" in links(first)
    assert [r.number for r in second.context["recommendations"]] == [4]


def test_a_long_history_shows_the_latest_events_and_links_to_older_ones(
    client, officer, manager, croydon, short_pages
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    for _ in range(3):
        recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=officer)
        services.recommendation_transition(
            recommendation=recommendation, to_status="in_progress", by=officer, on=TODAY()
        )
    everything = timeline.complaint_timeline(officer, complaint)
    client.force_login(officer)

    latest = client.get(complaint.get_absolute_url())
    older = client.get(complaint.get_absolute_url(), {"history": 2})

    oldest = client.get(complaint.get_absolute_url(), {"history": 4})

    assert len(everything) == 14  # its clocks, recommendations and their deadlines
    assert latest.context["events"] == everything[:4]
    assert "Showing the latest 4 events, newest first. Older events are not shown" in page_text(
        latest
    )
    assert "?history=2#history" in links(latest)
    assert older.context["events"] == everything[4:8]
    assert "Showing events 5 to 8, newest first. Older events are not shown" in page_text(older)
    assert {"?#history", "?history=3#history"} <= set(links(older))  # newer, older
    assert oldest.context["events"] == everything[12:]
    assert "Older events" not in page_text(oldest)


def test_a_history_page_past_the_oldest_event_says_so_and_links_to_the_latest(
    client, officer, manager, croydon, short_pages
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    client.force_login(officer)

    response = client.get(complaint.get_absolute_url(), {"history": 9})
    unreadable = client.get(complaint.get_absolute_url(), {"history": "latest"})

    assert "No events go back this far. See the latest events." in page_text(response)
    assert unreadable.context["history"].number == 1


# --- A recommendation's page ----------------------------------------------------------------


def test_a_recommendation_with_much_evidence_shows_a_page_of_it_and_its_latest_history(
    client, officer, manager, croydon, short_pages
):
    recommendation = recommendation_recorded(by=manager, owner=officer)
    evidence_added(recommendation, officer, 5)
    client.force_login(officer)

    response = client.get(recommendation.get_absolute_url())

    assert [e.description for e in response.context["evidence"]] == [
        "Briefing note 0",
        "Briefing note 1",
        "Briefing note 2",
    ]
    assert "Showing evidence 1 to 3 of 5, oldest first." in page_text(response)
    assert response.context["events"] == timeline.recommendation_timeline(recommendation)[:4]
    assert "?history=2#history" in links(response)


# --- Every page stays the same size as rows grow --------------------------------------------

PAGES = ["complaint_list", "recommendation_list", "complaint_detail", "recommendation_detail"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_weighs_the_same_however_many_rows_it_could_show(
    client, officer, manager, croydon, short_pages, page
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    url = {
        "complaint_list": reverse("recommendations:complaint_list"),
        "recommendation_list": reverse("recommendations:recommendation_list"),
        "complaint_detail": complaint.get_absolute_url(),
        "recommendation_detail": recommendation.get_absolute_url(),
    }[page]

    def grow(n):
        """More complaints, recommendations on this complaint, evidence, and so history."""
        for _ in range(n):
            recommendation_recorded(
                complaint=complaint_recorded(by=manager, organisations=[croydon]), by=manager
            )
            recommendation_recorded(complaint=complaint, by=manager, owner=officer)
        evidence_added(recommendation, officer, n)

    client.force_login(officer)
    grow(4)  # each list and table is over a page
    over_a_page = len(client.get(url).content)
    grow(8)
    grown = len(client.get(url).content)

    assert grown <= over_a_page + PAGE_LINKS_BYTES
    assert grown < MOST_BYTES


# --- The tracker export ---------------------------------------------------------------------


def exported_text(user) -> str:
    """The export as the management command writes it (to a file, not streamed)."""
    out = io.StringIO(newline="")
    tracker_export(recommendations=recommendations_visible_to(user), out=out, at=TODAY())
    return out.getvalue()


def test_the_tracker_export_is_streamed_with_the_same_bytes_as_the_written_export(
    client, officer, manager, croydon
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    recommendation_recorded(
        complaint=complaint, by=manager, text='=HYPERLINK("https://example.org")\nSee "notes"'
    )
    client.force_login(officer)

    response = client.get(reverse("recommendations:tracker_export"))

    assert response.streaming is True
    body = b"".join(response.streaming_content)
    assert body == ("\ufeff" + exported_text(officer)).encode()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert [row["recommendation"] for row in rows] == [
        "Share the learning across the organisation.",
        '\'=HYPERLINK("https://example.org")\nSee "notes"',  # escaped: Excel will not run it
    ]


def test_the_export_is_sent_a_thousand_rows_at_a_time_with_nothing_held(
    client, officer, manager, croydon, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK_ROWS", 2)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    for _ in range(5):
        recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    client.force_login(officer)

    pieces = list(client.get(reverse("recommendations:tracker_export")).streaming_content)

    # The byte-order mark; the header and 1 row; 2 rows; 2 rows.
    assert [piece.decode().count("\r\n") for piece in pieces] == [0, 2, 2, 2]
    assert b"".join(pieces) == ("\ufeff" + exported_text(officer)).encode()


def test_the_export_runs_the_same_queries_for_one_row_and_several(
    client, officer, manager, croydon
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    client.force_login(officer)
    url = reverse("recommendations:tracker_export")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(client.get(url).streaming_content)
        return len(captured)

    one = queries()
    for _ in range(4):
        recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    evidence_added(complaint.recommendations.first(), officer, 2)

    assert queries() == one


# --- Home: a manager who owns many deadlines ----------------------------------------------


def test_home_shows_the_most_urgent_deadlines_and_says_how_many_more_there_are(
    client, manager, monkeypatch
):
    monkeypatch.setattr(selectors, "ATTENTION_ROWS", 3)
    complaint = complaint_recorded(by=manager, public_interest_report=False)
    today = TODAY()
    for days in (-9, -5, -1, 4, 40, 50, 60, 70):  # four overdue or due soon, four later
        recommendation_recorded(
            complaint=complaint,
            owner=manager,
            by=manager,
            rule={"counting": Counting.STATED, "stated_date": today + timedelta(days=days)},
        )
    client.force_login(manager)

    response = client.get(reverse("home"))
    text = page_text(response)

    attention = response.context["attention"]
    assert [deadline.due_date - today for deadline in attention.deadlines] == [
        timedelta(days=-9),
        timedelta(days=-5),
        timedelta(days=-1),
    ]
    assert (attention.overdue_count, attention.due_this_month_count, attention.other_count) == (
        3,
        1,
        4,
    )
    assert (
        "Showing the 3 due soonest. 1 more overdue or due in the next 30 days is not shown" in text
    )
    assert "Showing the 3 due soonest. 1 more is not shown" in text
    assert f"{reverse('recommendations:recommendation_list')}?mine=on" in links(response)
