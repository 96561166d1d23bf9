"""A complaint two councils share: neither council can change the other's position.

The facts they share (reference, dates, finding, public interest report, ombudsman and the
councils bound) change only for someone whose access covers every council on the complaint;
each council's recommendations stay its own; no council is removed while it has anything on it.
"""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from deadlines.models import Deadline, DeadlineKind
from organisations.models import Organisation
from recommendations import services
from recommendations.models import Complaint, Evidence, Recommendation
from recommendations.tracker_csv import IMPORT_COLUMNS, RowError, TrackerImportError, tracker_import
from tests.factories import complaint_recorded, lgsco, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

SHARED_LINE = (
    "only someone whose access covers every council on this complaint (an administrator who "
    "sees every organisation) can change these."
)


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def kent(db):
    return Organisation.objects.get_or_create(name="Kent County Council")[0]


@pytest.fixture
def croydon_officer(croydon):
    return user_with_role(Role.OFFICER, username="croydon-officer", organisation=croydon)


@pytest.fixture
def croydon_manager(croydon):
    return user_with_role(Role.MANAGER, username="croydon-manager", organisation=croydon)


@pytest.fixture
def kent_officer(kent):
    return user_with_role(Role.OFFICER, username="kent-officer", organisation=kent)


@pytest.fixture
def kent_manager(kent):
    return user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)


@pytest.fixture
def administrator(croydon):
    """An administrator who sees every organisation."""
    return user_with_role(
        Role.ADMINISTRATOR, username="admin", organisation=croydon, sees_all_organisations=True
    )


@pytest.fixture
def shared(croydon_manager, croydon, kent):
    """An ordinary decision of 26 November 2021 binding Croydon and Kent, without clocks."""
    return complaint_recorded(
        by=croydon_manager,
        organisations=[croydon, kent],
        reference="21 000 001",
        public_interest_report=False,
    )


@pytest.fixture
def croydons_recommendation(shared, croydon, croydon_manager):
    """Due within 3 months of the report: 26 February 2022."""
    return recommendation_recorded(complaint=shared, organisation=croydon, by=croydon_manager)


@pytest.fixture
def kents_recommendation(shared, kent, kent_manager):
    """Due within 3 months of the report: 26 February 2022."""
    return recommendation_recorded(complaint=shared, organisation=kent, by=kent_manager)


def date_fields(name, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def page_text(response) -> str:
    """What a reader sees: the page without its tags (each read as a space), spaces collapsed."""
    return " ".join(re.sub(r"<[^>]*>", " ", response.content.decode()).split())


def edit_url(complaint) -> str:
    return reverse("recommendations:complaint_update", args=[complaint.pk])


def complaint_fields(complaint, **changes) -> dict:
    """What the edit form posts for ``complaint`` as it is, with ``changes``."""
    return {
        "ombudsman": complaint.ombudsman_id,
        "reference": complaint.reference,
        "title": complaint.title,
        "service_area": complaint.service_area,
        "organisations": [o.pk for o in complaint.organisations.all()],
        "finding": complaint.finding,
        "is_public_interest_report": "on" if complaint.is_public_interest_report else "",
        **date_fields("report_date", complaint.report_date),
        **date_fields("received_date", complaint.received_date),
        "summary": complaint.summary,
        "version": complaint.version,
    } | changes


def due_dates(complaint) -> dict:
    return {
        (deadline.organisation.name, deadline.kind): deadline.due_date
        for deadline in Deadline.objects.filter(complaint=complaint).select_related("organisation")
    }


# --- A Kent officer on a complaint Croydon shares -------------------------------------------


def test_a_kent_officer_sees_the_shared_facts_read_only_and_who_can_change_them(
    client, kent_officer, shared
):
    client.force_login(kent_officer)

    response = client.get(edit_url(shared))

    form = response.context["form"]
    assert [name for name, field in form.fields.items() if field.disabled] == [
        "ombudsman",
        "reference",
        "organisations",
        "finding",
        "is_public_interest_report",
        "report_date",
        "received_date",
    ]
    assert [field.name for field in form.visible_fields()] == ["title", "service_area", "summary"]
    text = page_text(response)
    assert f"Shared with Croydon Council: {SHARED_LINE}" in text
    assert (
        "Ombudsman Local Government and Social Care Ombudsman (LGSCO) "
        "Ombudsman's reference 21 000 001 "
        "Organisations the complaint binds Croydon Council Kent County Council "
        "Finding Fault with injustice "
        "Public interest report No "
        "Date of the report 26 November 2021 "
        "Date received 26 November 2021"
    ) in text
    html = response.content.decode()
    assert 'name="report_date_day"' not in html
    assert 'name="reference"' not in html
    assert 'name="organisations"' not in html
    assert 'name="title"' in html


def test_a_kent_officers_changes_to_the_shared_facts_are_ignored_but_the_title_is_saved(
    client, kent_officer, shared, croydon, kent, croydons_recommendation
):
    deadline_version = croydons_recommendation.deadline.version
    client.force_login(kent_officer)

    response = client.post(
        edit_url(shared),
        complaint_fields(
            shared,
            title="Referral between councils",
            reference="99 999 999",
            organisations=[kent.pk],
            **date_fields("report_date", date(2021, 12, 26)),
            **date_fields("received_date", date(2021, 12, 27)),
        ),
    )

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.title, shared.reference, shared.report_date, shared.received_date) == (
        "Referral between councils",
        "21 000 001",
        date(2021, 11, 26),
        date(2021, 11, 26),
    )
    assert list(shared.organisations.all()) == [croydon, kent]
    croydons_recommendation.deadline.refresh_from_db()
    assert croydons_recommendation.deadline.due_date == date(2022, 2, 26)
    assert croydons_recommendation.deadline.original_due_date == date(2022, 2, 26)
    assert croydons_recommendation.deadline.version == deadline_version


def test_the_service_refuses_a_kent_officers_change_of_a_shared_fact(
    kent_officer, shared, croydon, kent, croydons_recommendation
):
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            complaint=shared,
            version=shared.version,
            by=kent_officer,
            report_date=date(2021, 12, 26),
            reference="99 999 999",
        )

    assert refused.value.messages == [
        "You cannot change the date of the report and Ombudsman's reference: this complaint is "
        f"shared with Croydon Council, and {SHARED_LINE}"
    ]
    shared.refresh_from_db()
    assert (shared.report_date, shared.reference) == (date(2021, 11, 26), "21 000 001")
    croydons_recommendation.deadline.refresh_from_db()
    assert croydons_recommendation.deadline.due_date == date(2022, 2, 26)


def test_the_service_refuses_a_kent_officers_change_of_the_councils_bound(
    kent_officer, shared, croydon, kent
):
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            complaint=shared, version=shared.version, by=kent_officer, organisations=[kent]
        )

    assert refused.value.message_dict == {
        "organisations": [
            "You cannot change the organisations bound: this complaint is shared with Croydon "
            f"Council, and {SHARED_LINE}"
        ]
    }
    assert list(shared.organisations.all()) == [croydon, kent]


def test_the_service_lets_a_kent_officer_change_the_description_with_the_shared_facts_as_they_are(
    kent_officer, shared
):
    services.complaint_update(
        complaint=shared,
        version=shared.version,
        by=kent_officer,
        title="Referral between councils",
        report_date=shared.report_date,
        summary="Pseudonymised summary.",
    )

    shared.refresh_from_db()
    assert (shared.title, shared.summary) == ("Referral between councils", "Pseudonymised summary.")


# --- Someone who covers every council -------------------------------------------------------


def test_an_administrator_who_sees_every_organisation_moves_every_councils_open_deadlines(
    client, administrator, shared, croydons_recommendation, kents_recommendation
):
    client.force_login(administrator)
    page = client.get(edit_url(shared))
    assert "Shared with" not in page_text(page)
    assert page.context["form"].fields["report_date"].disabled is False

    response = client.post(
        edit_url(shared),
        complaint_fields(
            shared,
            **date_fields("report_date", date(2021, 12, 26)),
            **date_fields("received_date", date(2021, 12, 27)),
        ),
    )

    assert response.status_code == 302
    assert due_dates(shared) == {
        ("Croydon Council", DeadlineKind.RECOMMENDATION): date(2022, 3, 26),
        ("Kent County Council", DeadlineKind.RECOMMENDATION): date(2022, 3, 26),
    }


def test_a_croydon_officer_may_change_everything_on_a_complaint_binding_only_croydon(
    client, croydon_officer, croydon_manager, croydon
):
    complaint = complaint_recorded(
        by=croydon_manager, organisations=[croydon], public_interest_report=False
    )
    recommendation = recommendation_recorded(complaint=complaint, by=croydon_manager)
    client.force_login(croydon_officer)
    assert "Shared with" not in page_text(client.get(edit_url(complaint)))

    response = client.post(
        edit_url(complaint),
        complaint_fields(
            complaint,
            reference="21 000 009",
            **date_fields("report_date", date(2021, 12, 26)),
            **date_fields("received_date", date(2021, 12, 27)),
        ),
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.reference, complaint.report_date) == ("21 000 009", date(2021, 12, 26))
    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.due_date == date(2022, 3, 26)


# --- Removing a council ---------------------------------------------------------------------


def test_a_council_with_a_recommendation_on_the_complaint_cannot_be_removed(
    client, administrator, shared, croydon, kent, kents_recommendation
):
    client.force_login(administrator)

    response = client.post(edit_url(shared), complaint_fields(shared, organisations=[croydon.pk]))

    assert response.context["form"].errors == {
        "organisations": [
            "Kent County Council cannot be removed from this complaint: it has 1 recommendation "
            "on it."
        ]
    }
    assert list(shared.organisations.all()) == [croydon, kent]


def test_a_council_with_statutory_clocks_cannot_be_removed_whoever_asks(
    administrator, croydon_manager, croydon, kent, kent_manager
):
    report = complaint_recorded(by=croydon_manager, organisations=[croydon, kent])
    recommendation_recorded(complaint=report, organisation=kent, by=kent_manager)

    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            complaint=report, version=report.version, by=administrator, organisations=[croydon]
        )

    assert refused.value.message_dict == {
        "organisations": [
            "Kent County Council cannot be removed from this complaint: it has 1 recommendation "
            "and 4 statutory clocks on it."
        ]
    }
    assert list(report.organisations.all()) == [croydon, kent]


def test_a_council_with_nothing_on_the_complaint_is_removed_by_someone_covering_every_council(
    client, administrator, shared, croydon, croydons_recommendation
):
    client.force_login(administrator)

    response = client.post(edit_url(shared), complaint_fields(shared, organisations=[croydon.pk]))

    assert response.status_code == 302
    assert list(shared.organisations.all()) == [croydon]


# --- Adding a council, recording a complaint ------------------------------------------------


def test_a_croydon_officer_cannot_add_kent_to_a_complaint_binding_only_croydon(
    client, croydon_officer, croydon_manager, croydon, kent
):
    complaint = complaint_recorded(by=croydon_manager, organisations=[croydon])
    client.force_login(croydon_officer)
    refusal = (
        "You cannot change the organisations bound: the change would bind Kent County Council, "
        f"and {SHARED_LINE}"
    )

    response = client.post(
        edit_url(complaint), complaint_fields(complaint, organisations=[croydon.pk, kent.pk])
    )

    assert response.context["form"].errors == {"organisations": [refusal]}
    assert list(complaint.organisations.all()) == [croydon]
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            complaint=complaint,
            version=complaint.version,
            by=croydon_officer,
            organisations=[croydon, kent],
        )
    assert refused.value.message_dict == {"organisations": [refusal]}
    assert list(complaint.organisations.all()) == [croydon]


def test_a_croydon_officer_cannot_record_a_complaint_that_does_not_bind_croydon(
    client, croydon_officer, kent
):
    refusal = (
        "Select Croydon Council: you can only record complaints that bind your own organisation"
    )
    client.force_login(croydon_officer)

    response = client.post(
        reverse("recommendations:complaint_create"),
        {
            "ombudsman": lgsco().pk,
            "reference": "22 001 234",
            "title": "Delay in an education, health and care plan",
            "organisations": [kent.pk],
            "finding": "fault_injustice",
            **date_fields("report_date", date(2022, 3, 1)),
        },
    )

    assert response.context["form"].errors == {"organisations": [refusal]}
    with pytest.raises(ValidationError) as refused:
        complaint_recorded(by=croydon_officer, organisations=[kent], reference="22 001 234")
    assert refused.value.message_dict == {"organisations": [refusal]}
    assert not Complaint.objects.filter(reference="22 001 234").exists()


def test_a_croydon_officer_may_record_a_report_binding_croydon_and_kent(
    croydon_officer, croydon, kent
):
    complaint = complaint_recorded(by=croydon_officer, organisations=[croydon, kent])

    assert list(complaint.organisations.all()) == [croydon, kent]


# --- Each council's recommendations ---------------------------------------------------------


def test_a_kent_officer_cannot_record_a_recommendation_for_croydon(
    client, kent_officer, shared, croydon, kent
):
    client.force_login(kent_officer)
    url = reverse("recommendations:recommendation_create", args=[shared.pk])
    assert [o.name for o in client.get(url).context["form"].fields["organisation"].queryset] == [
        "Kent County Council"
    ]

    response = client.post(
        url,
        {
            "organisation": croydon.pk,
            "number": "1",
            "text": "Apologise to the family.",
            "kind": "personal_remedy",
            "expected_evidence": "A copy of the letter of apology.",
            "counting": "within",
            "count": "1",
            "unit": "months",
            "anchor": "report_date",
        },
    )

    assert response.context["form"].errors == {
        "organisation": ["Select a valid choice. That choice is not one of the available choices."]
    }
    with pytest.raises(ValidationError) as refused:
        recommendation_recorded(complaint=shared, organisation=croydon, by=kent_officer)
    assert refused.value.messages == [
        "You can record recommendations only for Kent County Council, not Croydon Council."
    ]
    assert Recommendation.objects.count() == 0


# --- The tracker import ---------------------------------------------------------------------

AT = datetime(2022, 6, 1, 9, 0, tzinfo=UTC)


def tracker_file(**changes) -> io.StringIO:
    row = {
        "complaint_reference": "21 000 001",
        "ombudsman": "LGSCO",
        "complaint_title": "Cross-border child protection referral",
        "service_area": "Children's Social Care",
        "finding": "fault with injustice",
        "public_interest_report": "no",
        "report_date": "2021-11-26",
        "received_date": "2021-11-26",
        "organisations": "Croydon Council; Kent County Council",
        "organisation": "Kent County Council",
        "recommendation_number": "1",
        "recommendation": "Share the learning across the organisation.",
        "kind": "learning",
        "expected_evidence": "Copies of the briefing and who received it.",
        "rule": "within 3 months of report date",
        "status": "open",
    } | changes
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[column.name for column in IMPORT_COLUMNS])
    writer.writeheader()
    writer.writerow(row)
    return io.StringIO(out.getvalue(), newline="")


def written_counts() -> dict:
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Complaint, Recommendation, Deadline, Evidence)
    }


def test_a_kent_managers_import_cannot_change_a_shared_complaints_report_date(
    kent_manager, shared, croydons_recommendation
):
    before = written_counts()

    with pytest.raises(TrackerImportError) as refused:
        tracker_import(
            file=tracker_file(report_date="2021-12-26", received_date="2021-12-27"),
            by=kent_manager,
            at=AT,
        )

    assert refused.value.errors == [
        RowError(
            2,
            column,
            f"Complaint 21 000 001 already exists with a different {column} (26 November 2021 "
            "in the app), and it is shared with Croydon Council: only someone whose access "
            "covers every council on this complaint (an administrator who sees every "
            "organisation) can change that, so make this row match.",
        )
        for column in ("report_date", "received_date")
    ]
    assert written_counts() == before
    shared.refresh_from_db()
    assert shared.report_date == date(2021, 11, 26)


def test_a_kent_managers_import_adds_kents_own_recommendation_to_the_shared_complaint(
    kent_manager, shared, croydons_recommendation
):
    tracker_import(file=tracker_file(), by=kent_manager, at=AT)

    assert [(r.organisation.name, r.number) for r in shared.recommendations.all()] == [
        ("Croydon Council", 1),
        ("Kent County Council", 1),
    ]


def test_an_import_does_not_describe_another_councils_complaint(
    kent_manager, croydon_manager, croydon
):
    complaint_recorded(by=croydon_manager, organisations=[croydon], reference="21 000 001")

    with pytest.raises(TrackerImportError) as refused:
        tracker_import(file=tracker_file(), by=kent_manager, at=AT)

    assert refused.value.errors == [
        RowError(
            2,
            "complaint_reference",
            "Complaint 21 000 001 is already recorded for another organisation: check the "
            "reference, or ask an administrator who sees every organisation.",
        )
    ]
