"""A shared complaint's councils side by side: only for users whose access covers every
council it binds, with each council's recommendations, clocks and both rates."""

import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from accounts.roles import Role
from deadlines.models import ComplianceRate, ComplianceSettings
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from reports import side_by_side as module
from reports.selectors import side_by_side_allowed
from reports.side_by_side import side_by_side, side_by_side_document
from tests.factories import complaint_recorded, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

# After every due date (26 February 2022) and every closing date below.
AT = date(2022, 6, 1)


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


def _url(complaint, name="reports:complaint_side_by_side"):
    return reverse(name, args=[complaint.pk])


@pytest.fixture
def regional(kent):
    """A regional manager, employed by Kent, whose access covers every council."""
    return user_with_role(
        Role.MANAGER, username="regional", organisation=kent, sees_all_organisations=True
    )


@pytest.fixture
def kent_manager(kent):
    return user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)


def _comply(recommendation, *, on, by):
    recommendation_services.evidence_add(
        recommendation=recommendation,
        description="What was done",
        url="https://example.org/evidence",
        by=by,
        at=datetime(2022, 1, 20, 9, 0, tzinfo=UTC),
    )
    return recommendation_services.recommendation_transition(
        recommendation=recommendation, to_status=RecommendationStatus.COMPLIED, by=by, on=on
    )


@pytest.fixture
def positions(recommendations, manager, kent_manager):
    """Croydon: recommendation 1 complied on time, 2 still open (overdue on ``AT``). Kent:
    its recommendation complied late."""
    share, _audit, kents = recommendations
    _comply(share, on=date(2022, 2, 1), by=manager)
    _comply(kents, on=date(2022, 3, 10), by=kent_manager)
    return recommendations


# --- Who sees it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "reports:complaint_side_by_side",
        "reports:complaint_side_by_side_docx",
        "reports:complaint_side_by_side_pdf",
    ],
)
def test_a_croydon_only_manager_gets_404_for_the_shared_complaint(
    client, manager, complaint, positions, name
):
    client.force_login(manager)

    assert client.get(_url(complaint, name)).status_code == 404


def test_the_complaint_page_links_it_only_for_users_who_cover_both_councils(
    client, manager, regional, complaint, positions
):
    link = _url(complaint)
    client.force_login(manager)
    own = client.get(complaint.get_absolute_url())
    client.force_login(regional)
    every = client.get(complaint.get_absolute_url())

    assert (own.status_code, every.status_code) == (200, 200)
    assert link not in own.content.decode()
    assert link in every.content.decode()
    assert "The 2 councils' positions side by side" in page_text(every)


def test_a_complaint_binding_one_council_has_no_side_by_side(client, regional, manager, croydon):
    """One council's position is the complaint's page and its committee report."""
    only_croydon = complaint_recorded(by=manager, organisations=[croydon], reference="21 000 009")
    client.force_login(regional)

    response = client.get(_url(only_croydon))
    page = client.get(only_croydon.get_absolute_url())

    assert response.status_code == 404
    assert _url(only_croydon) not in page.content.decode()


def test_who_may_see_it_needs_two_councils_and_access_to_both(
    manager, regional, viewer, croydon, kent
):
    assert side_by_side_allowed(regional, [croydon, kent]) is True
    assert side_by_side_allowed(regional, [croydon]) is False
    assert side_by_side_allowed(manager, [croydon, kent]) is False
    assert side_by_side_allowed(viewer, [croydon, kent]) is False


# --- What it shows --------------------------------------------------------------------------


def _picture(complaint, croydon, kent, at=AT):
    return side_by_side(complaint=complaint, organisations=[croydon, kent], at=at)


def test_each_council_has_its_own_column_with_the_right_figures(
    complaint, positions, croydon, kent
):
    ComplianceSettings.objects.create(organisation=kent, lead_rate=ComplianceRate.ON_TIME)

    document = side_by_side_document(_picture(complaint, croydon, kent), status="Not issued")

    comparison = document.tables[0]
    assert comparison.caption == "Each council's position on complaint 21 000 001 as at 1 June 2022"
    assert comparison.header == ["Figure", "Croydon Council", "Kent County Council"]
    assert comparison.rows == [
        ["Recommendations", "2", "1"],
        ["Complied on time", "1", "0"],
        ["Complied late", "0", "1"],
        ["Not complied", "0", "0"],
        ["Open, past the due date", "1", "0"],
        ["Open, not yet due", "0", "0"],
        ["Evidence sent, awaiting the Ombudsman", "0", "0"],
        ["Withdrawn", "0", "0"],
        ["Implemented, late or not", "50% (1 of 2 due)", "100% (1 of 1 due (1 late))"],
        ["Implemented on time", "50% (1 of 2 due)", "0% (0 of 1 due)"],
        ["Rate it leads with", "Implemented, late or not", "Implemented on time"],
        [
            "First open statutory clock",
            "s30(5) public notice, due 9 December 2021: overdue",
            "s30(5) public notice, due 9 December 2021: overdue",
        ],
    ]


def test_each_councils_recommendations_and_clocks_are_listed_under_its_name(
    complaint, positions, croydon, kent
):
    document = side_by_side_document(_picture(complaint, croydon, kent), status="Not issued")

    tables = {table.caption: table for table in document.tables}
    croydons = tables["Recommendations of complaint 21 000 001 for Croydon Council"]
    kents = tables["Recommendations of complaint 21 000 001 for Kent County Council"]
    assert croydons.header == ["No.", "Recommendation", "Status", "Due date", "Outcome"]
    assert croydons.rows == [
        [
            "1",
            "Share the learning across the organisation.",
            "Complied",
            "26 February 2022",
            "Complied on time",
        ],
        [
            "2",
            "Audit 50 cases closed in similar circumstances.",
            "Open",
            "26 February 2022",
            "Overdue",
        ],
    ]
    assert kents.rows == [
        ["1", "Kent's own recommendation.", "Complied", "26 February 2022", "Complied late"]
    ]
    clocks = tables["Statutory clocks of complaint 21 000 001 for Kent County Council"]
    assert [(row[0], row[2], row[3]) for row in clocks.rows] == [
        ("s30(5) public notice", "9 December 2021", "Overdue"),
        ("s30(4) public inspection period", "29 December 2021", "Overdue"),
        ("s31(2) response to the Ombudsman", "25 February 2022", "Overdue"),
        ("s31(2A)(c) confirmation that action was taken", "24 May 2022", "Overdue"),
    ]
    assert dict(document.facts)["Councils bound"] == "Croydon Council and Kent County Council"


def test_a_long_text_is_shortened_and_a_long_list_is_bounded(
    complaint, positions, croydon, kent, manager, monkeypatch
):
    recommendation_recorded(
        complaint=complaint,
        organisation=croydon,
        number=3,
        by=manager,
        text=" ".join(f"word{n}" for n in range(30)),
    )
    monkeypatch.setattr(module, "RECOMMENDATIONS_SHOWN", 2)

    picture = _picture(complaint, croydon, kent)
    document = side_by_side_document(picture, status="Not issued")

    croydon_position = picture.councils[0]
    assert [r.number for r in croydon_position.recommendations] == [1, 2]
    assert croydon_position.recommendation_count == 3
    assert "1 more recommendation for Croydon Council is not listed here: the complaint's " in (
        " ".join(block.text for block in document.blocks if block.kind == "paragraph")
    )
    assert module.short_text(" ".join(f"word{n}" for n in range(30))) == (
        " ".join(f"word{n}" for n in range(20)) + "…"
    )


def test_the_page_shows_both_columns_to_a_user_who_sees_every_organisation(
    client, regional, complaint, positions
):
    client.force_login(regional)

    response = client.get(_url(complaint))

    assert response.status_code == 200
    text = page_text(response)
    assert "Each council's position side by side" in text
    assert "Figure Croydon Council Kent County Council" in text
    assert "Implemented, late or not 50% (1 of 2 due) 100% (1 of 1 due (1 late))" in text
    assert "Kent's own recommendation." in text
    assert 'class="app-scroll-region"' in response.content.decode()


def test_the_word_and_pdf_files_say_the_same_and_are_marked_draft(
    client, regional, complaint, positions
):
    client.force_login(regional)

    docx = client.get(_url(complaint, "reports:complaint_side_by_side_docx"))
    pdf = client.get(_url(complaint, "reports:complaint_side_by_side_pdf"))

    assert docx["Content-Disposition"] == ('attachment; filename="side-by-side-21-000-001.docx"')
    word = Document(io.BytesIO(_download(docx)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "Kent County Council" in cells
    assert "100% (1 of 1 due (1 late))" in cells
    assert "DRAFT" in " ".join(p.text for p in word.sections[0].header.paragraphs)
    assert _download(pdf).startswith(b"%PDF")


# --- Queries --------------------------------------------------------------------------------


def test_the_picture_takes_four_queries_whatever_the_councils_and_recommendations(
    complaint, positions, croydon, kent, manager, django_assert_num_queries
):
    with django_assert_num_queries(4):
        _picture(complaint, croydon, kent)

    for number in (3, 4, 5):
        recommendation_recorded(
            complaint=complaint, organisation=croydon, number=number, by=manager
        )
    with django_assert_num_queries(4):
        picture = _picture(complaint, croydon, kent)
    assert picture.councils[0].recommendation_count == 5


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_for_two_councils_or_three(
    client, regional, complaint, positions, croydon, kent, manager
):
    client.force_login(regional)
    one = _queries(client, _url(complaint))

    surrey = Organisation.objects.create(name="Surrey County Council")
    three = complaint_recorded(
        by=regional, organisations=[croydon, kent, surrey], reference="21 000 003"
    )
    for organisation in (croydon, kent, surrey):
        for number in (1, 2):
            recommendation_recorded(
                complaint=three, organisation=organisation, number=number, by=regional
            )

    assert _queries(client, _url(three)) == one
