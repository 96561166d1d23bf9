"""A manager types or imports the Ombudsman's annual letter and reads it beside the records;
others with the dashboard read it; another council's letter is a 404; a file with any
problem imports nothing."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from annual_review import services
from annual_review.models import AnnualLetter, LetterSource
from organisations.models import Organisation
from tests.factories import complaint_recorded, letter_recorded, user_with_role

pytestmark = pytest.mark.django_db

HEADER = (
    "organisation,year,decisions,upheld,compliance_rate,compliance_outcomes,satisfactory_remedies\n"
)


def _csv(text, name="letters.csv"):
    return SimpleUploadedFile(name, text.encode())


def _figures(**changes):
    return {
        "decisions": "12",
        "upheld": "8",
        "compliance_rate": "97.5",
        "compliance_outcomes": "40",
        "satisfactory_remedies": "2",
    } | changes


# --- Typing a letter in, and reading it -----------------------------------------------------


def test_a_manager_types_a_letter_and_reads_it_beside_the_records(client, manager):
    complaint_recorded(by=manager, report_date=date(2021, 11, 26), received_date=date(2021, 11, 26))
    client.force_login(manager)

    form = client.get(reverse("annual_review:letter_create"))
    response = client.post(
        reverse("annual_review:letter_create"),
        {"organisation": manager.organisation_id, "year": "2021", **_figures()},
    )

    assert [value for value, _ in form.context["form"].fields["year"].choices][-1] == 2014
    letter = AnnualLetter.objects.get()
    assert response.status_code == 302
    assert response.url == letter.get_absolute_url()
    assert (letter.year, letter.source) == (2021, LetterSource.TYPED)
    page = client.get(response.url)
    html = page.content.decode()
    assert "Annual review letter 2021-22" in html
    assert "97.5%" in html
    assert "How the app counts" in html
    assert "whose report (the Ombudsman&#x27;s decision) is dated in the year" in html
    assert [row.key for row in page.context["reconciliation"].differences] == [
        "decisions",
        "upheld",
        "compliance_rate",
        "compliance_outcomes",
        "satisfactory_remedies",
    ]
    assert "A decision the app does not hold cannot be listed by complaint" in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AUDITOR, Role.COMMITTEE_CLERK, Role.VIEWER])
def test_roles_without_the_dashboard_cannot_read_letters(client, manager, role):
    letter = letter_recorded(organisation=manager.organisation, by=manager)
    client.force_login(user_with_role(role, username="someone"))

    assert client.get(reverse("annual_review:letter_list")).status_code == 403
    assert client.get(letter.get_absolute_url()).status_code == 403


def test_staff_who_see_every_organisation_read_them_whatever_their_role(client, manager):
    letter = letter_recorded(organisation=manager.organisation, by=manager)
    regional = user_with_role(
        Role.VIEWER,
        username="regional",
        organisation__name="Kent County Council",
        sees_all_organisations=True,
    )
    client.force_login(regional)

    assert client.get(letter.get_absolute_url()).status_code == 200
    assert client.get(reverse("annual_review:letter_create")).status_code == 403


def test_another_councils_letter_is_a_404_and_cannot_be_chosen(client, manager):
    letter = letter_recorded(organisation=manager.organisation, by=manager)
    kent = user_with_role(Role.MANAGER, username="kent", organisation__name="Kent County Council")
    client.force_login(kent)

    assert client.get(letter.get_absolute_url()).status_code == 404
    assert client.get(reverse("annual_review:letter_update", args=[letter.pk])).status_code == 404
    refused = client.post(
        reverse("annual_review:letter_create"),
        {"organisation": manager.organisation_id, "year": "2020", **_figures()},
    )
    assert list(refused.context["form"].errors) == ["organisation"]
    assert [
        row.pk for row in client.get(reverse("annual_review:letter_list")).context["page_obj"]
    ] == []


def test_a_change_saved_from_a_stale_page_is_refused_and_the_input_kept(client, manager):
    letter = letter_recorded(organisation=manager.organisation, by=manager)
    url = reverse("annual_review:letter_update", args=[letter.pk])
    client.force_login(manager)
    colleague = client.__class__()
    colleague.force_login(user_with_role(Role.MANAGER, username="colleague"))
    data = _figures(version=str(letter.version))

    first = colleague.post(url, data | {"decisions": "20"})
    second = client.post(url, data | {"decisions": "30"})

    assert first.status_code == 302
    assert (second.status_code, second.context["conflict"]) == (200, True)
    assert second.context["form"]["decisions"].value() == "30"
    letter.refresh_from_db()
    assert letter.decisions == 20


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_runs_the_same_queries_for_one_letter_and_many(client, manager):
    letter_recorded(organisation=manager.organisation, by=manager, year=2021)
    client.force_login(manager)
    url = reverse("annual_review:letter_list")
    one = _queries(client, url)
    for year in range(2015, 2021):
        letter_recorded(organisation=manager.organisation, by=manager, year=year)

    assert _queries(client, url) == one
    assert len(client.get(url).context["page_obj"]) == 7


def test_the_letter_page_runs_the_same_queries_for_one_complaint_and_many(client, manager):
    letter = letter_recorded(
        organisation=manager.organisation,
        by=manager,
        decisions=0,
        upheld=0,
        satisfactory_remedies=0,
    )
    client.force_login(manager)

    complaint_recorded(by=manager, report_date=date(2021, 6, 1), received_date=date(2021, 6, 1))
    one = _queries(client, letter.get_absolute_url())
    for n in range(6):
        complaint_recorded(
            by=manager,
            reference=f"21 900 00{n}",
            report_date=date(2021, 7, 1),
            received_date=date(2021, 7, 1),
        )
    assert _queries(client, letter.get_absolute_url()) == one


# --- Importing a file -----------------------------------------------------------------------


def test_a_file_of_letters_is_imported_and_importing_it_again_changes_nothing(manager):
    croydon = manager.organisation.name
    text = HEADER + f"{croydon},2021-22,12,8,98%,45,2\n{croydon.upper()},2020/21,10,7,,,1\n"

    first = services.letters_import(file=_csv(text), by=manager, file_name="letters.csv")
    again = services.letters_import(file=_csv(text), by=manager, file_name="letters.csv")
    changed = services.letters_import(
        file=_csv(HEADER + f"{croydon},2021-22,13,8,98,45,2\n"), by=manager, file_name="fix.csv"
    )

    assert (first.created, first.updated, again.unchanged, changed.updated) == (2, 0, 2, 1)
    letter = AnnualLetter.objects.get(year=2021)
    assert (letter.decisions, letter.source) == (13, LetterSource.IMPORTED)
    assert letter.history.latest().history_change_reason == "Imported from fix.csv: decisions"
    older = AnnualLetter.objects.get(year=2020)
    assert (older.compliance_rate, older.compliance_outcomes) == (None, None)


def test_a_file_with_any_problem_imports_nothing_and_lists_every_problem_by_row(manager):
    Organisation.objects.create(name="Kent County Council")
    croydon = manager.organisation.name
    text = HEADER + (
        f"{croydon},2021-22,12,8,98,45,2\n"  # fine, but not written
        f"{croydon},2020-21,3,5,98,45,2\n"  # more upheld than decisions
        "Kent County Council,2021-22,1,1,100,1,0\n"  # another council's
        f"{croydon},2021-23,1,1,100,1,0\n"  # not a year
        f"{croydon},2019-20,x,1,101,1.5,0\n"  # not numbers
        f"{croydon},2021/22,12,8,98,45,2\n"  # the first row's year again
    )

    with pytest.raises(services.LetterImportError) as refused:
        services.letters_import(file=_csv(text), by=manager)

    assert [(e.row_number, e.column) for e in refused.value.errors] == [
        (3, ""),
        (4, "organisation"),
        (5, "year"),
        (6, "decisions"),
        (6, "compliance_outcomes"),
        (6, "compliance_rate"),
        (7, "year"),
    ]
    assert "Upheld cannot be more than the decisions." in str(refused.value.errors[0])
    assert "is not an organisation you can record letters for" in refused.value.errors[1].message
    assert not AnnualLetter.objects.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "The file is empty."),
        ("organisation,year,decisions\n", "Column 'upheld' is missing."),
        (HEADER, "The file has a header but no letters."),
    ],
)
def test_a_file_that_is_not_a_table_of_letters_is_refused(manager, content, problem):
    with pytest.raises(services.LetterImportError) as refused:
        services.letters_import(file=_csv(content), by=manager)

    assert problem in [error.message for error in refused.value.errors]


def test_the_import_page_shows_the_problems_and_writes_nothing(client, manager):
    client.force_login(manager)
    upload = _csv(HEADER + f"{manager.organisation.name},2021-22,1,2,100,1,0\n")

    response = client.post(reverse("annual_review:letter_import"), {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Problems in the file" in html
    assert "Upheld cannot be more than the decisions." in html
    assert not AnnualLetter.objects.exists()


def test_the_import_page_imports_a_good_file(client, manager):
    client.force_login(manager)
    upload = io.BytesIO(
        ("\ufeff" + HEADER + f"{manager.organisation.name},2021-22,12,8,98,45,2\n").encode()
    )
    upload.name = "letters.csv"

    response = client.post(reverse("annual_review:letter_import"), {"file": upload}, follow=True)

    assert (
        "Letters imported: 1 new, 0 changed, 0 already as in the file" in response.content.decode()
    )
    assert AnnualLetter.objects.get().decisions == 12
