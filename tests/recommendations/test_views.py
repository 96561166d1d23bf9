"""Users' stories through the pages, with the test client."""

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.roles import Role
from deadlines import services as deadline_services
from deadlines.arithmetic import Counting
from deadlines.models import DeadlineKind, Extension, ExtensionBasis, ExtensionStatus
from organisations.models import Organisation
from recommendations import services
from recommendations.forms import EvidenceForm
from recommendations.models import (
    Complaint,
    Evidence,
    Recommendation,
    RecommendationStatus,
    TrackerUpload,
)
from recommendations.tracker_csv import IMPORT_COLUMNS
from tests.factories import complaint_recorded, lgsco, recommendation_recorded, user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
def viewer(croydon):
    return user_with_role(Role.VIEWER, username="viewer", organisation=croydon)


@pytest.fixture
def recommendation(manager, officer):
    """Recommendation 1 of a public interest report of 26 November 2021, due 26 February 2022."""
    return recommendation_recorded(by=manager, owner=officer)


def due_in(days):
    return {"counting": Counting.STATED, "stated_date": TODAY() + timedelta(days=days)}


def date_fields(name, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def page_text(response) -> str:
    """What a reader sees: the page without its tags, whitespace collapsed."""
    return " ".join(strip_tags(response.content.decode()).split())


def page_html(response) -> str:
    return " ".join(response.content.decode().split())


# --- Evidence -------------------------------------------------------------------------------


def test_officer_adds_a_file_as_evidence_and_its_checksum_is_stored(
    client, officer, recommendation
):
    client.force_login(officer)
    content = b"%PDF-1.4 the briefing"

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Briefing", "file": SimpleUploadedFile("briefing.pdf", content)},
        follow=True,
    )

    evidence = Evidence.objects.get()
    assert response.redirect_chain == [(recommendation.get_absolute_url(), 302)]
    assert "Evidence added: Briefing" in page_text(response)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.added_by == officer
    assert evidence.sha256 in page_text(response)


def test_the_evidence_file_downloads_as_an_attachment(client, officer, recommendation):
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 the briefing"),
        by=officer,
        at=timezone.now(),
    )
    client.force_login(officer)

    response = client.get(reverse("recommendations:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="briefing.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the briefing"


def test_officer_adds_a_link_as_evidence(client, officer, recommendation):
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Committee minute", "url": "https://democracy.example.org/minute/12"},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.url, evidence.file.name, evidence.sha256) == (
        "https://democracy.example.org/minute/12",
        "",
        "",
    )


def test_the_evidence_form_uploads_files(client, officer, recommendation):
    client.force_login(officer)

    response = client.get(reverse("recommendations:evidence_add", args=[recommendation.pk]))

    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Upload a file or give a link"),
        (
            {"url": "https://example.org/a", "file": b"%PDF"},
            "Upload a file or give a link, not both",
        ),
        ({"url": "http://example.org/a"}, "Enter a link that starts with https://"),
        (
            {"file": b"<html>"},
            "The selected file must be a PDF, DOCX, DOC, XLSX, XLS, ODT, ODS, CSV, TXT, PNG, "
            "JPG, EML or MSG",
        ),
    ],
    ids=["neither", "both", "not-https", "wrong-type"],
)
def test_evidence_is_a_file_or_an_https_link_of_an_allowed_type(
    client, officer, recommendation, data, message
):
    client.force_login(officer)
    if "file" in data:
        name = "page.html" if data["file"] == b"<html>" else "minute.pdf"
        data["file"] = SimpleUploadedFile(name, data["file"])

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Something", **data},
    )

    assert response.status_code == 200
    assert "There is a problem" in page_text(response)
    assert page_text(response).count(message) == 2  # the error summary and the field
    assert Evidence.objects.count() == 0


def test_an_evidence_file_over_the_limit_is_refused_with_the_limit_in_mb(settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", b"%PDF")
    upload.size = 20 * 1024 * 1024 + 1

    form = EvidenceForm({"description": "Big"}, {"file": upload})

    assert form.errors == {"file": ["The selected file must be smaller than 20MB"]}


def test_an_uploaded_file_over_the_limit_is_refused(client, officer, recommendation, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:evidence_add", args=[recommendation.pk]),
        {"description": "Big", "file": SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1))},
    )

    assert "The selected file must be smaller than 1MB" in page_text(response)
    assert Evidence.objects.count() == 0


# --- Status ---------------------------------------------------------------------------------


def status_url(recommendation):
    return reverse("recommendations:recommendation_status", args=[recommendation.pk])


def test_the_status_page_offers_only_the_allowed_statuses(client, officer, recommendation):
    client.force_login(officer)

    response = client.get(status_url(recommendation))

    offered = [value for value, _label in response.context["form"].fields["to_status"].choices]
    assert offered == ["complied", "in_progress", "not_complied", "withdrawn"]


def test_officer_marks_a_recommendation_complied_after_adding_evidence(
    client, officer, recommendation
):
    services.evidence_add(
        recommendation=recommendation,
        description="Minute",
        url="https://example.org/minute",
        by=officer,
        at=timezone.now(),
    )
    client.force_login(officer)

    response = client.post(
        status_url(recommendation),
        {
            "to_status": "complied",
            **date_fields("on", date(2022, 2, 20)),
            "version": recommendation.version,
        },
        follow=True,
    )

    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.COMPLIED
    assert recommendation.deadline.completed_on == date(2022, 2, 20)
    assert "Recommendation 1 is now complied" in page_text(response)
    assert "Complied on time" in page_text(response)


def test_marking_complied_without_evidence_is_refused_with_the_services_message(
    client, officer, recommendation
):
    client.force_login(officer)

    response = client.post(
        status_url(recommendation),
        {"to_status": "complied", **date_fields("on", TODAY()), "version": recommendation.version},
    )

    assert response.status_code == 200
    assert (
        "Add evidence before marking this recommendation complied: the Ombudsman expects "
        "Copies of the briefing and who received it." in page_text(response)
    )
    assert "govuk-error-summary" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.OPEN


def test_a_stale_status_change_is_refused_and_the_input_kept(client, officer, recommendation):
    stale_version = recommendation.version
    services.recommendation_transition(
        recommendation=recommendation,
        to_status="in_progress",
        by=officer,
        on=TODAY(),
        version=stale_version,
    )
    client.force_login(officer)

    response = client.post(
        status_url(recommendation),
        {
            "to_status": "withdrawn",
            **date_fields("on", date(2022, 1, 5)),
            "reason": "The Ombudsman withdrew it",
            "version": stale_version,
        },
    )

    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.IN_PROGRESS
    assert "was changed by someone else while you were editing it" in page_text(response)
    form = response.context["form"]
    assert form["reason"].value() == "The Ombudsman withdrew it"
    assert form["version"].value() == str(recommendation.version)


# --- Extensions -----------------------------------------------------------------------------


def extension_fields(new_date):
    return {
        **date_fields("new_due_date", new_date),
        "reason": "The committee meets in May",
        "basis": ExtensionBasis.AGREED_IN_WRITING,
        "basis_reference": "Letter of 1 February 2022",
    }


def test_manager_records_an_extension_and_the_page_shows_new_and_original_dates(
    client, manager, recommendation
):
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:extension_create", args=[recommendation.pk]),
        extension_fields(date(2022, 5, 26)),
        follow=True,
    )

    text = page_text(response)
    assert "Extension agreed: now due on 26 May 2022 (originally due on 26 February 2022)" in text
    html = page_html(response)
    assert 'Due date</dt><dd class="govuk-summary-list__value">26 May 2022<' in html
    assert 'Original due date</dt><dd class="govuk-summary-list__value">26 February 2022<' in html
    assert Extension.objects.get().status == ExtensionStatus.AGREED


def test_officer_requests_an_extension_and_a_manager_agrees_it(
    client, officer, manager, recommendation
):
    client.force_login(officer)
    response = client.post(
        reverse("recommendations:extension_create", args=[recommendation.pk]),
        extension_fields(date(2022, 5, 26)),
        follow=True,
    )
    assert (
        "Extension to 26 May 2022 requested: still due on 26 February 2022 until a manager "
        "agrees it" in page_text(response)
    )
    extension = Extension.objects.get()
    decide_url = reverse("recommendations:extension_decide", args=[extension.pk])
    assert decide_url not in response.content.decode()  # officers cannot decide

    client.force_login(manager)
    page = client.get(recommendation.get_absolute_url())
    assert (
        f'<a class="govuk-link" href="{decide_url}">Agree or refuse<span '
        'class="govuk-visually-hidden"> the extension to 26 May 2022</span></a>'
    ) in page.content.decode()
    assert 'name="decision"' not in page.content.decode()  # no more deciding in one click
    confirm = client.get(decide_url)
    assert (
        "Due date now 26 February 2022 New due date asked for 26 May 2022 "
        "Reason The committee meets in May "
        f"Basis Agreed by the Ombudsman in writing: Letter of 1 February 2022 Asked by {officer},"
    ) in page_text(confirm)
    assert [label for _, label in confirm.context["form"].fields["decision"].choices] == [
        "Agree: the due date moves to 26 May 2022",
        "Refuse: the due date stays 26 February 2022",
    ]
    response = client.post(decide_url, {"decision": "agree"}, follow=True)

    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.due_date == date(2022, 5, 26)
    assert response.redirect_chain == [(recommendation.get_absolute_url(), 302)]
    assert "now due on 26 May 2022 (originally due on 26 February 2022)" in page_text(response)


def requested(recommendation, officer):
    return deadline_services.extension_request(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 5, 26),
        reason="The committee meets in May",
        basis=ExtensionBasis.COMMITTEE_DECISION,
        by=officer,
        at=timezone.now(),
    )


def test_a_manager_refuses_an_extension_on_its_page_and_the_date_stays(
    client, officer, manager, recommendation
):
    extension = requested(recommendation, officer)
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:extension_decide", args=[extension.pk]),
        {"decision": "refuse"},
        follow=True,
    )

    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == (ExtensionStatus.REFUSED, manager)
    assert (
        "Extension refused: still due on 26 February 2022 (originally due on 26 February 2022)"
        in page_text(response)
    )


def test_the_decision_page_asks_for_a_decision(client, officer, manager, recommendation):
    extension = requested(recommendation, officer)
    client.force_login(manager)

    response = client.post(reverse("recommendations:extension_decide", args=[extension.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "decision": ["Select whether you agree or refuse the extension"]
    }
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.REQUESTED


def test_a_decision_made_meanwhile_in_another_tab_is_refused_and_the_page_says_who_decided(
    client, officer, manager, croydon, recommendation
):
    extension = requested(recommendation, officer)
    colleague = user_with_role(Role.MANAGER, username="colleague", organisation=croydon)
    url = reverse("recommendations:extension_decide", args=[extension.pk])
    client.force_login(manager)
    assert client.get(url).context["pending"] is True
    deadline_services.extension_decide(
        extension=extension, agreed=True, by=colleague, at=timezone.now()
    )

    response = client.post(url, {"decision": "refuse"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    text = page_text(response)
    assert "This extension has already been decided." in text
    assert "Extension agreed" in text
    assert f"Decided by {colleague}," in text
    assert 'name="decision"' not in response.content.decode()
    extension.refresh_from_db()
    assert (extension.status, extension.decided_by) == (ExtensionStatus.AGREED, colleague)


def test_home_shows_extension_requests_to_the_managers_of_their_council_only(
    client, officer, manager, recommendation
):
    extension = requested(recommendation, officer)
    kent = Organisation.objects.create(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    decide_url = reverse("recommendations:extension_decide", args=[extension.pk])

    def home_for(user):
        client.force_login(user)
        return client.get(reverse("home"))

    croydon_home = home_for(manager)
    assert croydon_home.context["attention"].extension_requests == [extension]
    assert decide_url in croydon_home.content.decode()
    assert "Extension requests waiting for your decision 1" in page_text(croydon_home)
    kent_home = home_for(kent_manager)
    assert kent_home.context["attention"].extension_requests == []
    assert "No extension requests are waiting for your decision." in page_text(kent_home)
    officer_home = home_for(officer)
    assert officer_home.context["attention"].extension_requests is None
    assert "Extension requests" not in page_text(officer_home)


def test_the_dashboard_links_a_manager_to_the_requests_waiting(
    client, officer, manager, recommendation
):
    client.force_login(manager)
    before = client.get(reverse("dashboard:index"))
    requested(recommendation, officer)

    after = client.get(reverse("dashboard:index"))

    assert "waiting for your decision" not in page_text(before)
    assert (
        f'<a class="govuk-link" href="{reverse("home")}#extension-requests">1 extension request '
        "is waiting for your decision</a>"
    ) in page_html(after)


def test_home_runs_the_same_queries_for_one_extension_request_and_several(
    client, officer, manager, croydon
):
    def request_one():
        recommendation = recommendation_recorded(
            complaint=complaint_recorded(by=manager, organisations=[croydon]),
            by=manager,
            owner=officer,
        )
        requested(recommendation, officer)

    client.force_login(manager)
    request_one()
    client.get(reverse("home"))

    one = count_queries(client, reverse("home"))
    for _ in range(3):
        request_one()
    several = count_queries(client, reverse("home"))

    assert several == one


# --- Overriding the due date ----------------------------------------------------------------


def override_fields(recommendation, day=date(2022, 3, 31), reason="Legal advice: from receipt"):
    return {
        **date_fields("due_date", day),
        "reason": reason,
        "version": recommendation.deadline.version,
    }


def test_manager_overrides_the_due_date_and_sees_it_beside_the_rules_date_and_in_the_history(
    client, manager, recommendation
):
    client.force_login(manager)
    page = client.get(recommendation.get_absolute_url())
    url = reverse("recommendations:deadline_override", args=[recommendation.pk])
    assert url in page.content.decode()

    response = client.post(url, override_fields(recommendation), follow=True)

    assert response.redirect_chain == [(recommendation.get_absolute_url(), 302)]
    text = page_text(response)
    assert "Due date overridden: 31 March 2022 (the rule gives 26 February 2022)" in text
    html = page_html(response)
    assert 'Due date</dt><dd class="govuk-summary-list__value">31 March 2022<' in html
    assert 'Date the rule gives</dt><dd class="govuk-summary-list__value">26 February 2022<' in html
    assert (
        'Why the due date differs from the rule</dt><dd class="govuk-summary-list__value">'
        "Legal advice: from receipt<"
    ) in html
    assert response.context["events"][0].what == (
        "Due date overridden to 31 March 2022 (the rule gives 26 February 2022): "
        "Legal advice: from receipt"
    )


def test_an_override_needs_a_reason(client, manager, recommendation):
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:deadline_override", args=[recommendation.pk]),
        override_fields(recommendation, reason="   "),
    )

    assert response.context["form"].errors == {
        "reason": ["Enter why the due date differs from the rule"]
    }
    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.due_date == date(2022, 2, 26)


def test_officers_are_not_offered_the_override_and_are_refused_it(client, officer, recommendation):
    client.force_login(officer)
    url = reverse("recommendations:deadline_override", args=[recommendation.pk])

    page = client.get(recommendation.get_absolute_url())
    response = client.post(url, override_fields(recommendation))

    assert url not in page.content.decode()
    assert response.status_code == 403
    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.override_reason == ""


def test_an_override_from_a_page_opened_before_another_change_is_refused_and_the_input_kept(
    client, manager, recommendation
):
    client.force_login(manager)
    url = reverse("recommendations:deadline_override", args=[recommendation.pk])
    fields = override_fields(recommendation, reason="My reason")
    deadline_services.deadline_override(
        deadline=recommendation.deadline,
        due_date=date(2022, 4, 30),
        reason="A colleague's reason",
        by=manager,
    )

    response = client.post(url, fields)

    recommendation.deadline.refresh_from_db()
    assert recommendation.deadline.due_date == date(2022, 4, 30)
    assert response.context["conflict"] is True
    assert response.context["form"]["reason"].value() == "My reason"
    assert response.context["form"]["version"].value() == str(recommendation.deadline.version)
    assert "This deadline was changed by someone else" in page_text(response)


def test_a_stated_date_is_not_offered_for_override(client, manager, croydon):
    stated = recommendation_recorded(
        complaint=complaint_recorded(by=manager, organisations=[croydon]),
        by=manager,
        rule=due_in(30),
    )
    client.force_login(manager)
    url = reverse("recommendations:deadline_override", args=[stated.pk])

    page = client.get(stated.get_absolute_url())
    form_page = client.get(url)

    assert url not in page.content.decode()
    assert "This due date is the one the Ombudsman stated" in page_text(form_page)
    assert 'name="reason"' not in form_page.content.decode()


def test_an_extension_must_move_the_date_later(client, manager, recommendation):
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:extension_create", args=[recommendation.pk]),
        extension_fields(date(2022, 2, 1)),
    )

    assert "The new date must be after the current due date (26 February 2022)." in page_text(
        response
    )
    assert Extension.objects.count() == 0


# --- Viewers --------------------------------------------------------------------------------


def test_a_viewers_posts_are_refused_and_change_nothing(client, viewer, recommendation):
    client.force_login(viewer)
    posts = {
        status_url(recommendation): {"to_status": "withdrawn", **date_fields("on", TODAY())},
        reverse("recommendations:evidence_add", args=[recommendation.pk]): {
            "description": "x",
            "url": "https://example.org",
        },
        reverse("recommendations:extension_create", args=[recommendation.pk]): extension_fields(
            date(2022, 5, 26)
        ),
        reverse("recommendations:complaint_create"): {"reference": "X", "title": "X"},
    }

    statuses = [client.post(url, data).status_code for url, data in posts.items()]

    assert statuses == [403, 403, 403, 403]
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.OPEN
    assert (Evidence.objects.count(), Extension.objects.count(), Complaint.objects.count()) == (
        0,
        0,
        1,
    )


# --- Complaints -----------------------------------------------------------------------------


def complaint_fields(croydon, **changes):
    return {
        "ombudsman": lgsco().pk,
        "reference": "22 001 234",
        "title": "Delay in an education, health and care plan",
        "service_area": "Education",
        "organisations": [croydon.pk],
        "finding": "fault_injustice",
        "is_public_interest_report": "on",
        **date_fields("report_date", date(2022, 3, 1)),
        **date_fields("received_date", date(2022, 3, 3)),
        "summary": "",
    } | changes


def test_officer_records_a_public_interest_report_and_its_clocks_are_created(
    client, officer, croydon
):
    client.force_login(officer)

    response = client.post(reverse("recommendations:complaint_create"), complaint_fields(croydon))

    complaint = Complaint.objects.get(reference="22 001 234")
    assert response.url == complaint.get_absolute_url()
    assert list(complaint.organisations.all()) == [croydon]
    assert complaint.deadlines.filter(kind=DeadlineKind.S31_RESPONSE).exists()
    page = page_text(client.get(response.url))
    assert "Statutory clocks" in page
    assert "Complaint recorded" in page  # the timeline


def test_complaint_errors_are_shown_in_the_error_summary(client, officer, croydon):
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:complaint_create"),
        complaint_fields(
            croydon,
            reference="",
            organisations=[],
            **date_fields("received_date", date(2022, 2, 1)),
            report_date_day="31",
            report_date_month="2",
        ),
    )

    text = page_html(response)
    assert response.context["form"].errors == {
        "reference": ["Enter the Ombudsman's reference"],
        "organisations": ["Select the organisations the complaint binds"],
        "report_date": ["Date of the report must be a real date"],
    }
    assert text.startswith('<!DOCTYPE html> <html lang="en" class="govuk-template"> <head>')
    assert "<title>Error: Record a complaint" in text
    assert "There is a problem" in text


def test_the_date_received_cannot_be_before_the_report(client, officer, croydon):
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:complaint_create"),
        complaint_fields(croydon, **date_fields("received_date", date(2022, 2, 1))),
    )

    assert "The date received cannot be before the report date." in page_text(response)
    assert not Complaint.objects.filter(reference="22 001 234").exists()


def test_an_officer_must_include_their_own_council(client, officer, croydon):
    kent = Organisation.objects.create(name="Kent County Council")
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:complaint_create"),
        complaint_fields(croydon, organisations=[kent.pk]),
    )

    assert response.context["form"].errors == {
        "organisations": [
            "Select Croydon Council: you can only record complaints that bind your own organisation"
        ]
    }


def test_a_stale_complaint_edit_shows_the_conflict_keeps_the_input_and_saves_nothing(
    client, officer, manager, croydon
):
    complaint = complaint_recorded(by=manager, organisations=[croydon], title="Original title")
    stale_version = complaint.version
    services.complaint_update(
        complaint=complaint, version=stale_version, by=manager, title="Someone else's title"
    )
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:complaint_update", args=[complaint.pk]),
        complaint_fields(
            croydon,
            reference=complaint.reference,
            title="My new title",
            version=stale_version,
            **date_fields("report_date", complaint.report_date),
            **date_fields("received_date", complaint.received_date),
        ),
    )

    complaint.refresh_from_db()
    assert complaint.title == "Someone else's title"
    text = page_html(response)
    assert (
        "This complaint was changed by someone else while you were editing it. Your changes "
        "have not been saved" in text
    )
    assert 'value="My new title"' in text
    assert f'name="version" value="{complaint.version}"' in text

    # Saving again applies the kept input on top of the latest version.
    retry = client.post(
        reverse("recommendations:complaint_update", args=[complaint.pk]),
        {
            **response.context["form"].data.dict(),
            "organisations": [croydon.pk],
        },
    )
    assert retry.status_code == 302
    complaint.refresh_from_db()
    assert complaint.title == "My new title"


# --- Recommendations ------------------------------------------------------------------------


def recommendation_fields(croydon, owner, **changes):
    return {
        "organisation": croydon.pk,
        "number": "4",
        "text": "Apologise to the family.",
        "kind": "personal_remedy",
        "expected_evidence": "A copy of the letter of apology.",
        "owner": owner.pk,
        "counting": Counting.WITHIN,
        "count": "1",
        "unit": "months",
        "anchor": "report_date",
    } | changes


def test_officer_adds_a_recommendation_due_by_a_rule(client, officer, manager, croydon):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:recommendation_create", args=[complaint.pk]),
        recommendation_fields(croydon, officer),
        follow=True,
    )

    recommendation = Recommendation.objects.get(number=4)
    assert recommendation.deadline.due_date == date(2021, 12, 26)
    assert recommendation.deadline.owner == officer
    text = page_text(response)
    assert "Recommendation 4 recorded: due on 26 December 2021" in text
    assert "Within 1 month of the date of the report (26 November 2021)" in text


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"counting": Counting.STATED},
            {"stated_date": ["Enter the date the Ombudsman stated"]},
        ),
        (
            {"count": "", "unit": "", "anchor": ""},
            {
                "count": ["Enter how many days, weeks or months"],
                "unit": ["Select days, weeks, months or working days"],
                "anchor": ["Select the date the period is counted from"],
            },
        ),
        ({"count": "0"}, {"count": ["The period must be at least 1"]}),
    ],
    ids=["stated-needs-a-date", "period-needs-count-unit-anchor", "count-at-least-1"],
)
def test_a_deadline_rule_needs_its_parts(client, officer, manager, croydon, changes, errors):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:recommendation_create", args=[complaint.pk]),
        recommendation_fields(croydon, officer, **changes),
    )

    assert response.context["form"].errors == errors
    assert "There is a problem" in page_text(response)
    assert not Recommendation.objects.exists()


def test_a_rule_counting_from_an_unrecorded_date_shows_the_services_message(
    client, officer, manager, croydon
):
    complaint = complaint_recorded(by=manager, organisations=[croydon], received_date=None)
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:recommendation_create", args=[complaint.pk]),
        recommendation_fields(croydon, officer, anchor="received_date"),
    )

    assert response.context["form"].non_field_errors() == [
        "The deadline counts from a date that has not been recorded yet (for example the date "
        "the report was received)."
    ]


def test_editing_the_text_keeps_an_overridden_due_date(client, officer, recommendation):
    deadline_services.deadline_override(
        deadline=recommendation.deadline,
        due_date=date(2022, 3, 31),
        reason="Agreed with legal services",
        by=officer,
    )
    recommendation.refresh_from_db()
    client.force_login(officer)
    url = reverse("recommendations:recommendation_update", args=[recommendation.pk])
    data = {
        key: value
        for key, value in client.get(url).context["form"].initial.items()
        if value is not None
    }

    response = client.post(url, data | {"text": "Share the learning, and record who attended."})

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Share the learning, and record who attended."
    assert recommendation.deadline.due_date == date(2022, 3, 31)
    assert recommendation.deadline.override_reason == "Agreed with legal services"


def test_a_stale_recommendation_edit_shows_the_conflict_and_saves_nothing(
    client, officer, manager, recommendation
):
    url = reverse("recommendations:recommendation_update", args=[recommendation.pk])
    client.force_login(officer)
    data = {
        key: value
        for key, value in client.get(url).context["form"].initial.items()
        if value is not None
    }
    services.recommendation_update(
        recommendation=recommendation,
        version=recommendation.version,
        by=manager,
        text="The manager's wording.",
    )

    response = client.post(url, data | {"text": "My wording."})

    recommendation.refresh_from_db()
    assert recommendation.text == "The manager's wording."
    assert response.context["conflict"] is True
    assert response.context["form"]["text"].value() == "My wording."
    assert "This recommendation was changed by someone else" in page_text(response)


# --- Tracker import and export --------------------------------------------------------------


def tracker_file(*rows) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[column.name for column in IMPORT_COLUMNS])
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return SimpleUploadedFile("tracker.csv", out.getvalue().encode(), content_type="text/csv")


def tracker_row(**changes):
    return {
        "complaint_reference": "22 555 001",
        "ombudsman": "LGSCO",
        "complaint_title": "Imported complaint",
        "service_area": "",
        "finding": "fault",
        "public_interest_report": "no",
        "report_date": "2022-01-10",
        "received_date": "",
        "organisations": "Croydon Council",
        "organisation": "Croydon Council",
        "recommendation_number": "1",
        "recommendation": "Apologise.",
        "kind": "personal remedy",
        "expected_evidence": "The letter.",
        "rule": "within 1 month of report date",
        "due_date": "",
        "status": "open",
        "completed_on": "",
        "owner": "",
        "evidence": "",
    } | changes


def test_the_import_page_hands_the_file_to_the_worker_and_shows_its_progress(client, manager):
    """The rows are checked and recorded by the worker (tests/recommendations/
    test_tracker_upload.py): the request keeps the file and shows where the import has got."""
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:tracker_import"),
        {"file": tracker_file(tracker_row(), tracker_row(recommendation_number="2"))},
        follow=True,
    )

    assert response.redirect_chain == [
        (reverse("recommendations:tracker_upload", args=[TrackerUpload.objects.get().pk]), 302)
    ]
    assert "Importing tracker.csv" in page_text(response)
    assert "Waiting to start checking the file" in page_text(response)
    assert not Complaint.objects.filter(reference="22 555 001").exists()


def test_the_import_takes_only_csv_files_and_excel_workbooks(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("recommendations:tracker_import"),
        {"file": SimpleUploadedFile("tracker.ods", b"PK")},
    )

    assert response.context["form"].errors == {"file": ["The selected file must be a CSV or XLSX"]}


def test_export_downloads_the_users_visible_recommendations_as_csv(
    client, officer, manager, recommendation
):
    kent = Organisation.objects.create(name="Kent County Council")
    kent_manager = user_with_role(Role.MANAGER, username="kent", organisation=kent)
    recommendation_recorded(by=kent_manager, complaint=complaint_recorded(by=kent_manager))
    client.force_login(officer)

    response = client.get(reverse("recommendations:tracker_export"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="ombudsman-tracker-{TODAY():%Y-%m-%d}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["complaint_reference"], row["organisation"]) for row in rows] == [
        (recommendation.complaint.reference, "Croydon Council")
    ]


# --- Lists and home -------------------------------------------------------------------------


def test_home_lists_my_deadlines_due_soon_then_my_other_recommendations(
    client, officer, manager, croydon
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    overdue = recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    soon = recommendation_recorded(complaint=complaint, by=manager, owner=officer, rule=due_in(7))
    later = recommendation_recorded(complaint=complaint, by=manager, owner=officer, rule=due_in(60))
    recommendation_recorded(complaint=complaint, by=manager, owner=manager, rule=due_in(3))
    client.force_login(officer)

    response = client.get(reverse("home"))

    attention = response.context["attention"]
    assert [d.pk for d in attention.deadlines] == [overdue.deadline_id, soon.deadline_id]
    assert [r.pk for r in attention.other_recommendations] == [later.pk]
    assert (attention.overdue_count, attention.due_this_month_count) == (1, 1)
    html = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--orange">Due soon</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--green">On track</strong>' in html


def test_complaints_can_be_filtered(client, officer, manager, croydon):
    overdue = complaint_recorded(by=manager, organisations=[croydon], reference="21 000 001")
    recommendation_recorded(complaint=overdue, by=manager)
    on_track = complaint_recorded(by=manager, organisations=[croydon], reference="22 000 002")
    recommendation_recorded(complaint=on_track, by=manager, rule=due_in(90))
    closed = complaint_recorded(by=manager, organisations=[croydon], reference="22 000 003")
    done = recommendation_recorded(complaint=closed, by=manager)
    services.recommendation_transition(
        recommendation=done, to_status="withdrawn", by=manager, on=TODAY()
    )
    client.force_login(officer)
    url = reverse("recommendations:complaint_list")

    def listed(**params):
        return [c.reference for c in client.get(url, params).context["page_obj"]]

    # All have the same report date, so they are listed by reference.
    assert listed() == ["21 000 001", "22 000 002", "22 000 003"]
    assert listed(overdue="on") == ["21 000 001"]
    assert listed(status="closed") == ["22 000 003"]
    assert listed(status="open") == ["21 000 001", "22 000 002"]
    assert listed(search="000 002") == ["22 000 002"]
    page = client.get(url)
    row = next(c for c in page.context["page_obj"] if c.reference == "21 000 001")
    assert (row.open_count, row.overdue_count) == (1, 1)


def test_recommendations_can_be_filtered(client, officer, manager, croydon):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    mine = recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    theirs = recommendation_recorded(complaint=complaint, by=manager, owner=manager, rule=due_in(9))
    client.force_login(officer)
    url = reverse("recommendations:recommendation_list")

    def listed(**params):
        return [r.pk for r in client.get(url, params).context["page_obj"]]

    assert listed() == [mine.pk, theirs.pk]
    assert listed(mine="on") == [mine.pk]
    assert listed(overdue="on") == [mine.pk]
    assert listed(status="in_progress") == []


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_rows(manager, officer, croydon, n):
    for _ in range(n):
        complaint = complaint_recorded(by=manager, organisations=[croydon])
        recommendation = recommendation_recorded(
            complaint=complaint, by=manager, owner=officer, rule=due_in(5)
        )
        services.recommendation_transition(
            recommendation=recommendation, to_status="in_progress", by=manager, on=TODAY()
        )
        recommendation_recorded(complaint=complaint, by=manager, owner=officer, rule=due_in(90))


@pytest.mark.parametrize(
    "url_name",
    ["home", "recommendations:complaint_list", "recommendations:recommendation_list"],
)
def test_a_list_runs_the_same_queries_for_one_row_and_several(
    client, officer, manager, croydon, url_name
):
    url = reverse(url_name)
    client.force_login(officer)
    add_rows(manager, officer, croydon, 1)
    client.get(url)  # warm caches that live for the whole process (content types)

    one = count_queries(client, url)
    add_rows(manager, officer, croydon, 4)
    several = count_queries(client, url)

    assert several == one


@pytest.mark.parametrize("page", ["complaint_detail", "recommendation_detail"])
def test_a_detail_page_runs_the_same_queries_however_long_its_history(
    client, officer, manager, croydon, page
):
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    obj = complaint if page == "complaint_detail" else recommendation
    url = reverse(f"recommendations:{page}", args=[obj.pk])
    # Its first evidence: a page of none is one query fewer (nothing to read after the count).
    services.evidence_add(
        recommendation=recommendation,
        description="First link",
        url="https://example.org/first",
        by=officer,
        at=timezone.now(),
    )
    client.force_login(officer)
    client.get(url)

    before = count_queries(client, url)
    for n in range(3):
        services.evidence_add(
            recommendation=recommendation,
            description=f"Link {n}",
            url=f"https://example.org/{n}",
            by=officer,
            at=timezone.now(),
        )
        deadline_services.extension_record(
            deadline=recommendation.deadline,
            new_due_date=recommendation.deadline.due_date + timedelta(days=30 * (n + 1)),
            reason="Agreed",
            basis=ExtensionBasis.AGREED_IN_WRITING,
            by=manager,
            at=timezone.now(),
        )
        recommendation.deadline.refresh_from_db()
    recommendation_recorded(complaint=complaint, by=manager, owner=officer)
    after = count_queries(client, url)

    assert after == before


def test_the_complaint_timeline_is_newest_first_with_the_services_reasons(
    client, officer, manager, recommendation
):
    services.recommendation_transition(
        recommendation=recommendation, to_status="in_progress", by=officer, on=TODAY()
    )
    client.force_login(officer)

    response = client.get(recommendation.complaint.get_absolute_url())

    events = response.context["events"]
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    subject = "Recommendation 1 (Croydon Council)"
    assert [(e.subject, e.what, e.who) for e in events[:3]] == [
        (subject, "Recommendation in progress", officer),  # its deadline
        (subject, "Status changed to In progress", officer),
        (subject, "Recommendation recorded", manager),
    ]
    # The same save recorded twice (the complaint, then its organisations) is shown once.
    assert [e.what for e in events].count("Complaint recorded") == 1


# --- Navigation -----------------------------------------------------------------------------


def test_the_navigation_shows_import_to_managers_only_and_marks_the_section(
    client, officer, manager
):
    client.force_login(officer)
    officer_items = client.get(reverse("recommendations:complaint_list")).context[
        "service_navigation"
    ]
    client.force_login(manager)
    manager_items = client.get(reverse("recommendations:complaint_create")).context[
        "service_navigation"
    ]

    assert [item["label"] for item in officer_items] == [
        "Home",
        "Complaints",
        "Recommendations",
        "Audits",
        "Reports",
    ]
    assert [item["label"] for item in manager_items] == [
        "Home",
        "Complaints",
        "Recommendations",
        "Audits",
        "Reports",
        "Dashboard",
        "Import",
    ]
    complaints = manager_items[1]
    assert (complaints["current"], complaints["active"]) == (False, True)
    assert officer_items[1]["current"] is True
