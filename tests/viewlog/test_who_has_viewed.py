"""A manager opening a complaint, an audit programme, a live concern or a committee report
sees "Who has viewed this": the latest 20 views, who, when and how, and how many more; an
officer, a viewer or another council's manager auditing for them does not."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import Role
from audits import services as audit_services
from audits.models import LiveConcern
from tests.factories import complaint_recorded, user_with_role
from viewlog.models import RecordView, ViewKind
from viewlog.services import view_record

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)  # 10:00 in London too (GMT)
SECTION = 'id="who-has-viewed"'


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def who_has_viewed(response) -> list[tuple[str, str, str]] | None:
    """The section's rows (who, when, how), or None when the page has no such section."""
    content = response.content.decode()
    if SECTION not in content:
        return None
    table = content.split(SECTION, 1)[1].split("</table>", 1)[0]
    return [
        tuple(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody", 1)[1], re.S)
    ]


def _when(entry) -> str:
    return date_format(timezone.localtime(entry.at), "j F Y, H:i")


def _page(record) -> str:
    if isinstance(record, LiveConcern):  # it has no get_absolute_url
        return reverse("audits:concern_detail", args=[record.pk])
    return record.get_absolute_url()


def _own_view(user):
    return RecordView.objects.filter(user=user).latest("at")


def test_a_manager_sees_who_opened_and_downloaded_the_complaint_latest_first(
    client, people, records
):
    complaint = records.complaint
    view_record(user=people.viewer, record=complaint, kind=ViewKind.COMPLAINT, at=AT)
    view_record(
        user=people.officer,
        record=complaint,
        kind=ViewKind.COMPLAINT,
        at=AT + timedelta(hours=2, minutes=5),
    )
    client.force_login(people.manager)

    response = client.get(complaint.get_absolute_url())

    assert who_has_viewed(response) == [
        ("Morgan Manager (manager)", _when(_own_view(people.manager)), "Opened the page"),
        ("Olu Officer (officer)", "1 February 2022, 12:05", "Opened the page"),
        ("Vic Viewer (viewer)", "1 February 2022, 10:00", "Opened the page"),
    ]
    assert "earlier view" not in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "viewer", "auditor", "clerk"])
def test_staff_who_are_not_managers_do_not_see_the_section(client, people, records, who):
    view_record(user=people.manager, record=records.complaint, kind=ViewKind.COMPLAINT, at=AT)
    client.force_login(getattr(people, who))

    response = client.get(records.complaint.get_absolute_url())

    assert response.status_code == 200
    assert who_has_viewed(response) is None
    assert "Who has viewed this" not in response.content.decode()


def test_a_council_administrator_sees_the_section(client, people, records):
    client.force_login(people.administrator)

    response = client.get(records.complaint.get_absolute_url())

    assert [(who, how) for who, _, how in who_has_viewed(response)] == [
        ("Alex Admin (croydon-admin)", "Opened the page")
    ]


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ("programme", ViewKind.AUDIT_PROGRAMME),
        ("concern", ViewKind.LIVE_CONCERN),
        ("report", ViewKind.COMMITTEE_REPORT),
    ],
)
def test_a_manager_sees_who_has_viewed_a_programme_a_live_concern_or_a_report(
    client, people, records, record, kind
):
    record = getattr(records, record)
    view_record(user=people.viewer, record=record, kind=kind, at=AT, download=None)
    client.force_login(people.manager)

    manager_sees = who_has_viewed(client.get(_page(record)))
    client.force_login(people.viewer)
    viewer_sees = who_has_viewed(client.get(_page(record)))

    assert manager_sees == [
        ("Morgan Manager (manager)", _when(_own_view(people.manager)), "Opened the page"),
        ("Vic Viewer (viewer)", "1 February 2022, 10:00", "Opened the page"),
    ]
    assert viewer_sees is None


def test_the_report_page_lists_each_download_with_its_format(client, people, records):
    report = records.report
    for minutes, fmt in enumerate(["docx", "pdf", "csv"]):
        view_record(
            user=people.clerk,
            record=report,
            kind=ViewKind.COMMITTEE_REPORT,
            at=AT + timedelta(minutes=minutes),
            download=fmt,
        )
    client.force_login(people.manager)

    rows = who_has_viewed(client.get(report.get_absolute_url()))

    assert rows[1:] == [
        ("Chris Clerk (clerk)", "1 February 2022, 10:02", "Downloaded (CSV)"),
        ("Chris Clerk (clerk)", "1 February 2022, 10:01", "Downloaded (PDF)"),
        ("Chris Clerk (clerk)", "1 February 2022, 10:00", "Downloaded (DOCX)"),
    ]


def test_only_the_latest_20_are_listed_with_a_count_of_the_rest(client, people, records):
    for minutes in range(25):
        view_record(
            user=people.viewer,
            record=records.complaint,
            kind=ViewKind.COMPLAINT,
            at=AT + timedelta(minutes=minutes),
        )
    client.force_login(people.manager)

    response = client.get(records.complaint.get_absolute_url())

    rows = who_has_viewed(response)
    assert len(rows) == 20
    assert rows[1] == ("Vic Viewer (viewer)", "1 February 2022, 10:24", "Opened the page")
    assert rows[-1] == ("Vic Viewer (viewer)", "1 February 2022, 10:06", "Opened the page")
    assert "And 6 earlier views, not listed here." in _text(response.content.decode())


def test_another_councils_manager_auditing_for_croydon_does_not_see_the_section(
    client, people, records
):
    audit_services.auditor_add(
        programme=records.programme, auditor=people.kent_manager, by=people.manager
    )
    client.force_login(people.kent_manager)

    response = client.get(records.programme.get_absolute_url())

    assert response.status_code == 200
    assert who_has_viewed(response) is None


def test_on_a_shared_complaint_each_council_sees_its_own_staff_and_regional_managers(
    client, people, croydon, kent
):
    shared = complaint_recorded(by=people.manager, organisations=[croydon, kent])
    regional = user_with_role(
        Role.MANAGER,
        username="regional",
        organisation=None,
        sees_all_organisations=True,
        first_name="Rae",
        last_name="Regional",
    )
    for user in (people.viewer, people.kent_manager, regional):
        client.force_login(user)
        client.get(shared.get_absolute_url())
    client.force_login(people.manager)

    croydon_sees = [who for who, _, _ in who_has_viewed(client.get(shared.get_absolute_url()))]
    client.force_login(regional)
    regional_sees = [who for who, _, _ in who_has_viewed(client.get(shared.get_absolute_url()))]

    assert croydon_sees == [
        "Morgan Manager (manager)",
        "Rae Regional (regional)",
        "Vic Viewer (viewer)",
    ]
    assert regional_sees == [
        "Rae Regional (regional)",
        "Morgan Manager (manager)",
        "Rae Regional (regional)",
        "Kim Kent (kent-manager)",
        "Vic Viewer (viewer)",
    ]


# --- Queries --------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ("complaint", ViewKind.COMPLAINT),
        ("programme", ViewKind.AUDIT_PROGRAMME),
        ("concern", ViewKind.LIVE_CONCERN),
        ("report", ViewKind.COMMITTEE_REPORT),
    ],
)
def test_a_managers_page_runs_the_same_queries_for_one_view_or_many(
    client, people, records, record, kind
):
    record = getattr(records, record)
    client.force_login(people.manager)
    url = _page(record)
    client.get(url)  # the first request of a session reads and warms caches
    one = _queries(client, url)
    for minutes in range(30):
        user = (people.viewer, people.officer, people.clerk, people.auditor)[minutes % 4]
        view_record(user=user, record=record, kind=kind, at=AT + timedelta(minutes=minutes))

    many = _queries(client, url)

    assert RecordView.objects.filter(object_id=record.pk, kind=kind).count() == 33
    assert many == one
