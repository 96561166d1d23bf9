"""Audience lists and attendance lists: all or nothing, every problem by row."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from learning import selectors, services
from learning.models import Acknowledgement, AcknowledgementHow, Audience, Person
from learning.services import ListImportError
from tests.factories import person_added, user_with_role

from .conftest import LATER

pytestmark = pytest.mark.django_db

NOW = datetime(2022, 3, 14, 12, 0, tzinfo=UTC)


def csv(text: str, name="list.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _errors(excinfo):
    return [str(error) for error in excinfo.value.errors]


# --- Audience lists -------------------------------------------------------------------------


def test_an_audience_list_adds_people_to_their_teams_making_new_teams(croydon, manager, front_door):
    result = services.audience_list_import(
        organisation=croydon,
        file=csv(
            "Name,Work email,Team\n"
            "Asha Patel,Asha.Patel@croydon.gov.uk,Front door (MASH)\n"
            "Ben Cole,ben.cole@met.police.uk,Police CAIT; front door (mash)\n"
            "Asha Patel,asha.patel@croydon.gov.uk,Health safeguarding\n"
        ),
        by=manager,
        at=NOW,
    )

    assert (result.rows, result.people_added, result.people_updated) == (2, 2, 0)
    assert result.audiences_created == ["Health safeguarding", "Police CAIT"]
    asha = Person.objects.get(email="asha.patel@croydon.gov.uk")
    assert (asha.name, asha.added_on) == ("Asha Patel", date(2022, 3, 14))
    assert sorted(asha.audiences.values_list("name", flat=True)) == [
        "Front door (MASH)",
        "Health safeguarding",
    ]
    ben = Person.objects.get(email="ben.cole@met.police.uk")
    assert sorted(ben.audiences.values_list("name", flat=True)) == [
        "Front door (MASH)",
        "Police CAIT",
    ]
    assert asha.history.latest().history_user == manager


def test_importing_again_adds_new_teams_renames_and_brings_leavers_back(
    croydon, manager, front_door
):
    person_added(
        organisation=croydon,
        name="Asha Patl",
        email="asha@croydon.gov.uk",
        audiences=[front_door],
        left_on=date(2022, 2, 1),
    )

    result = services.audience_list_import(
        organisation=croydon,
        file=csv("name,work_email,team\nAsha Patel,asha@croydon.gov.uk,Duty\n"),
        by=manager,
        at=NOW,
    )

    asha = Person.objects.get()
    assert (result.people_added, result.people_updated) == (0, 1)
    assert (asha.name, asha.left_on, asha.added_on) == ("Asha Patel", None, date(2022, 3, 14))
    assert sorted(asha.audiences.values_list("name", flat=True)) == ["Duty", "Front door (MASH)"]


def test_a_person_whose_email_is_a_users_is_linked_to_them(croydon, manager):
    officer = user_with_role(
        Role.OFFICER, username="asha", organisation=croydon, email="Asha@Croydon.gov.uk"
    )

    services.audience_list_import(
        organisation=croydon,
        file=csv("name,work_email,team\nAsha Patel,asha@croydon.gov.uk,Duty\n"),
        by=manager,
        at=NOW,
    )

    assert Person.objects.get().user == officer


def test_an_audience_list_with_bad_rows_writes_nothing_and_says_each_problem(croydon, manager):
    with pytest.raises(ListImportError) as excinfo:
        services.audience_list_import(
            organisation=croydon,
            file=csv(
                "name,work_email,team\n"
                "Asha Patel,asha@croydon.gov.uk,Duty\n"
                ",ben@croydon.gov.uk,Duty\n"
                "Cara Dunn,not-an-email,Duty\n"
                "Dev Rao,dev@croydon.gov.uk,\n"
                "Someone Else,asha@croydon.gov.uk,Duty\n"
            ),
            by=manager,
            at=NOW,
        )

    assert _errors(excinfo) == [
        "Row 3, name: Enter the person's name.",
        "Row 4, work_email: 'not-an-email' is not an email address: write it like "
        "name@council.gov.uk.",
        "Row 5, team: Enter the team or agency.",
        "Row 6, name: Row 2 gives this email address to 'Asha Patel': one address is one person.",
    ]
    assert not Person.objects.exists()
    assert not Audience.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["File: The file is empty."]),
        ("name,work_email\n", ["Row 1, team: Column 'team' is missing."]),
        (
            "name,work_email,team,date_of_birth\nA,a@b.org,T,2010-01-01\n",
            ["Row 1, date_of_birth: Unknown column 'date_of_birth'. Expected: name, "
             "work_email, team."],
        ),
        ("name,work_email,team\n", ["Row 2: The file has a header but no rows."]),
    ],
    ids=["empty", "missing column", "unknown column", "no rows"],
)  # fmt: skip
def test_a_file_with_a_bad_header_is_refused(croydon, manager, text, expected):
    file = SimpleUploadedFile("list.csv", text.encode() or b"\n")

    with pytest.raises(ListImportError) as excinfo:
        services.audience_list_import(organisation=croydon, file=file, by=manager, at=NOW)

    assert _errors(excinfo) == expected


def test_the_import_page_lists_each_problem_in_the_error_summary(client, manager, croydon):
    client.force_login(manager)

    response = client.post(
        reverse("learning:people_import"),
        {"file": csv("name,work_email,team\nAsha,nope,Duty\n,b@c.org,Duty\n")},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem: nothing was imported" in html
    assert "Row 2, work_email: &#x27;nope&#x27; is not an email address" in html
    assert "Row 3, name: Enter the person&#x27;s name." in html
    assert html.count('href="#id_file"') == 2
    assert "<title>Error: " in html
    assert not Person.objects.exists()


def test_the_import_page_imports_a_good_list(client, manager, croydon):
    client.force_login(manager)

    response = client.post(
        reverse("learning:people_import"),
        {"file": csv("name,work_email,team\nAsha Patel,asha@croydon.gov.uk,Duty\n")},
        follow=True,
    )

    assert "1 person imported: 1 added, 0 updated; new audiences: Duty" in (
        response.content.decode()
    )


def test_a_file_that_is_not_csv_is_refused_by_the_form(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("learning:people_import"),
        {"file": SimpleUploadedFile("list.csv", b"%PDF-1.4 not a list")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Person.objects.exists()


# --- Attendance lists -----------------------------------------------------------------------


@pytest.fixture
def session(point, manager, front_door):
    return services.session_record(
        learning_point=point,
        held_on=date(2022, 3, 10),
        format="face_to_face",
        facilitator="Head of Service",
        audiences=[front_door],
        by=manager,
        at=LATER,
    )


def test_attending_counts_as_acknowledging_the_version_delivered(
    session, point, croydon, front_door, manager
):
    asha = person_added(
        organisation=croydon, name="Asha Patel", email="asha@croydon.gov.uk", audiences=[front_door]
    )
    ben = person_added(
        organisation=croydon, name="Ben Cole", email="ben@croydon.gov.uk", audiences=[front_door]
    )
    services._acknowledgement_record(
        person=ben, learning_version=point.current_version, how="link", at=LATER
    )

    result = services.attendance_import(
        session=session,
        file=csv("work_email,name\nASHA@croydon.gov.uk,Asha\nben@croydon.gov.uk,\n"),
        by=manager,
        at=NOW,
    )

    assert (result.rows, result.attendees_added, result.acknowledged) == (2, 2, 1)
    assert set(session.attendees.all()) == {asha, ben}
    by_attending = Acknowledgement.objects.get(person=asha)
    assert (by_attending.how, by_attending.session, by_attending.recorded_by) == (
        AcknowledgementHow.SESSION,
        session,
        manager,
    )
    assert Acknowledgement.objects.get(person=ben).how == AcknowledgementHow.LINK
    covered = selectors.coverage(learning_point=point, at=NOW)
    assert (covered.overall.people, covered.overall.acknowledged, covered.overall.attended) == (
        2,
        2,
        2,
    )


def test_importing_the_same_attendance_again_changes_nothing(session, croydon, front_door, manager):
    person_added(organisation=croydon, email="asha@croydon.gov.uk", audiences=[front_door])
    services.attendance_import(
        session=session, file=csv("work_email\nasha@croydon.gov.uk\n"), by=manager, at=NOW
    )

    again = services.attendance_import(
        session=session, file=csv("work_email\nasha@croydon.gov.uk\n"), by=manager, at=NOW
    )

    assert (again.attendees_added, again.already_attending, again.acknowledged) == (0, 1, 0)
    assert Acknowledgement.objects.count() == 1


def test_attendance_import_errors_write_nothing(session, croydon, front_door, manager):
    person_added(organisation=croydon, email="asha@croydon.gov.uk", audiences=[front_door])
    person_added(
        organisation=croydon,
        name="Gone Before",
        email="gone@croydon.gov.uk",
        audiences=[front_door],
        left_on=date(2022, 3, 1),
    )

    with pytest.raises(ListImportError) as excinfo:
        services.attendance_import(
            session=session,
            file=csv(
                "work_email,name\n"
                "asha@croydon.gov.uk,Asha\n"
                "stranger@kent.gov.uk,Kim Stranger\n"
                "gone@croydon.gov.uk,\n"
                "nonsense,\n"
            ),
            by=manager,
            at=NOW,
        )

    assert _errors(excinfo) == [
        "Row 5, work_email: 'nonsense' is not an email address: write it like name@council.gov.uk.",
    ]
    with pytest.raises(ListImportError) as excinfo:
        services.attendance_import(
            session=session,
            file=csv(
                "work_email,name\n"
                "asha@croydon.gov.uk,Asha\n"
                "stranger@kent.gov.uk,Kim Stranger\n"
                "gone@croydon.gov.uk,\n"
            ),
            by=manager,
            at=NOW,
        )

    assert _errors(excinfo) == [
        "Row 3, work_email: Kim Stranger (stranger@kent.gov.uk) is not on Croydon Council's "
        "audience lists: import them in an audience list first, or correct the address.",
        "Row 4, work_email: Gone Before left on 1 March 2022, before the session.",
    ]
    assert not session.attendees.exists()
    assert not Acknowledgement.objects.exists()


def test_attendance_cannot_be_imported_before_the_session(point, manager, croydon, front_door):
    person_added(organisation=croydon, email="asha@croydon.gov.uk", audiences=[front_door])
    planned = services.session_record(
        learning_point=point,
        held_on=date(2022, 4, 1),
        format="online",
        facilitator="Trainer",
        by=manager,
        at=LATER,
    )

    with pytest.raises(ListImportError) as excinfo:
        services.attendance_import(
            session=planned, file=csv("work_email\nasha@croydon.gov.uk\n"), by=manager, at=NOW
        )

    assert _errors(excinfo) == [
        "File: The session is on 1 April 2022: import its attendance once it has been held."
    ]


def test_the_attendance_page_shows_the_problems_and_writes_nothing(client, session, manager):
    client.force_login(manager)

    response = client.post(
        reverse("learning:attendance_import", args=[session.pk]),
        {"file": csv("work_email\nnobody@croydon.gov.uk\n")},
    )

    assert response.status_code == 200
    assert "nobody@croydon.gov.uk is not on Croydon Council" in response.content.decode()
    assert not session.attendees.exists()
