"""Clerks' stories through the report and ledger pages, with the test client."""

import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from docx import Document
from pypdf import PdfReader

from accounts.roles import Role
from deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from ombudsman_tracker.formats import date_text
from reports import services
from reports.models import Body, CommitteeReport, DistributionEntry, ReportStatus
from tests.factories import complaint_recorded, user_with_role
from tests.reports.conftest import MEETING, draft_prepared, report_issued

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def date_fields(name, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def _download(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def draft(complaint, recommendations, croydon, committee, clerk):
    return draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)


@pytest.fixture
def issued(complaint, recommendations, croydon, committee, clerk):
    return report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)


# --- Preparing, previewing and issuing ------------------------------------------------------


def test_clerk_prepares_a_draft_and_sees_its_preview(
    client, clerk, complaint, recommendations, croydon, committee
):
    client.force_login(clerk)

    response = client.post(
        reverse("reports:report_create"),
        {
            "complaints": [complaint.pk],
            "organisation": croydon.pk,
            "body": committee.pk,
            **date_fields("meeting_date", MEETING),
            "asked_to": "Note the progress.",
        },
        follow=True,
    )

    report = CommitteeReport.objects.get()
    assert response.redirect_chain == [(report.get_absolute_url(), 302)]
    assert report.status == ReportStatus.DRAFT
    text = page_text(response)
    assert "Draft report prepared: check it, then issue it" in text
    assert "Status Draft: not issued" in text
    assert "Share the learning across the organisation." in text
    assert "Kent's own recommendation" not in text
    assert "What the meeting is asked to do Note the progress." in text


def test_the_form_offers_the_default_request_to_the_meeting(client, clerk, complaint):
    client.force_login(clerk)

    response = client.get(reverse("reports:report_create"))

    assert "The committee is asked to note the progress made" in page_text(response)


def test_the_form_says_what_is_missing(client, clerk, complaint):
    client.force_login(clerk)

    response = client.post(reverse("reports:report_create"), {"asked_to": ""})

    text = page_text(response)
    for message in [
        "Select the complaints the report covers",
        "Select the body the report goes to",
        "Enter the date of the meeting",
        "Enter what the meeting is asked to do",
    ]:
        assert message in text
    assert not CommitteeReport.objects.exists()


def test_draft_downloads_are_built_from_the_data_now(client, clerk, draft):
    client.force_login(clerk)

    docx = client.get(reverse("reports:report_docx", args=[draft.pk]))
    pdf = client.get(reverse("reports:report_pdf", args=[draft.pk]))
    csv = client.get(reverse("reports:report_csv", args=[draft.pk]))

    assert docx["Content-Disposition"] == f'attachment; filename="draft-report-{draft.pk}.docx"'
    assert _download(docx)[:2] == b"PK"
    assert _download(pdf)[:5] == b"%PDF-"
    assert csv.content.decode("utf-8-sig").splitlines()[0] == (
        "Recommendations of complaint 21 000 001"
    )


def test_clerk_issues_the_draft_and_downloads_exactly_the_stored_files(client, clerk, draft):
    client.force_login(clerk)

    confirm = client.get(reverse("reports:report_issue", args=[draft.pk]))
    response = client.post(reverse("reports:report_issue", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert "An issued report cannot be changed" in page_text(confirm)
    assert draft.status == ReportStatus.ISSUED
    assert "Report issued as version 1: its files are frozen" in page_text(response)
    assert draft.pdf_sha256 in page_text(response)
    docx = client.get(reverse("reports:report_docx", args=[draft.pk]))
    pdf = client.get(reverse("reports:report_pdf", args=[draft.pk]))
    assert hashlib.sha256(_download(docx)).hexdigest() == draft.docx_sha256
    assert hashlib.sha256(_download(pdf)).hexdigest() == draft.pdf_sha256
    assert docx["Content-Disposition"] == (
        'attachment; filename="general-purposes-audit-committee-2022-02-15-version-1.docx"'
    )


def test_an_issued_report_shows_its_frozen_content(client, clerk, issued, recommendations):
    recommendations[0].text = "Changed after issue"
    recommendations[0].save()
    client.force_login(clerk)

    response = client.get(issued.get_absolute_url())

    text = page_text(response)
    assert "Share the learning across the organisation." in text
    assert "Changed after issue" not in text
    assert "Status Version 1, issued on 1 February 2022 by Chris Clerk" in text


def test_preparing_a_new_version_starts_from_the_issued_report(client, clerk, issued, committee):
    client.force_login(clerk)

    response = client.get(reverse("reports:report_create") + f"?from={issued.pk}")

    form = response.context["form"]
    assert form.initial["body"] == committee.pk
    assert form.initial["meeting_date"] == MEETING
    assert form.initial["asked_to"] == issued.asked_to


def test_an_issued_report_cannot_be_changed_through_the_form(client, clerk, issued):
    client.force_login(clerk)

    response = client.post(
        reverse("reports:report_update", args=[issued.pk]), {"asked_to": "x"}, follow=True
    )

    assert "An issued report cannot change: prepare a new version instead" in page_text(response)
    issued.refresh_from_db()
    assert issued.asked_to != "x"


def test_a_viewer_reads_issued_reports_but_not_drafts(client, viewer, issued, draft):
    client.force_login(viewer)

    assert client.get(issued.get_absolute_url()).status_code == 200
    assert client.get(reverse("reports:report_pdf", args=[issued.pk])).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("reports:report_issue", args=[draft.pk])).status_code == 403
    listed = page_text(client.get(reverse("reports:report_list")))
    assert "Drafts" not in listed
    assert "Prepare a report" not in listed


def test_another_councils_clerk_gets_404_for_the_report(client, issued, kent):
    client.force_login(user_with_role(Role.COMMITTEE_CLERK, username="kent", organisation=kent))

    assert client.get(issued.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:report_docx", args=[issued.pk])).status_code == 404


# --- The distribution ledger ----------------------------------------------------------------


def test_clerk_records_the_response_to_the_ombudsman_and_its_clock_is_met(
    client, clerk, complaint, croydon, ombudsman_body
):
    client.force_login(clerk)

    response = client.post(
        reverse("reports:distribution_add", args=[complaint.pk]),
        {
            "body": ombudsman_body.pk,
            "organisation": croydon.pk,
            "what_was_sent": "The council's response under section 31(2)",
            **date_fields("meeting_date", date(2022, 2, 20)),
            "minutes": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 letter"),
        },
        follow=True,
    )

    text = page_text(response)
    assert (
        "Recorded: sent or presented to Local Government and Social Care Ombudsman. The s31(2) "
        "response clock for Croydon Council is met (sent on 20 February 2022)"
    ) in text
    clock = Deadline.objects.get(
        complaint=complaint, organisation=croydon, kind=DeadlineKind.S31_RESPONSE
    )
    assert (clock.status, clock.completed_on) == (DeadlineStatus.MET, date(2022, 2, 20))
    entry = DistributionEntry.objects.get()
    minutes = client.get(reverse("reports:minutes_download", args=[entry.pk]))
    assert _download(minutes) == b"%PDF-1.4 letter"
    assert minutes["Content-Disposition"] == 'attachment; filename="letter.pdf"'


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("minutes.exe", b"MZ"), "The selected file must be a PDF, DOCX"),
        (SimpleUploadedFile("minutes.pdf", b"x" * 11), "must be smaller than"),
        (SimpleUploadedFile("minutes.pdf", b""), "The selected file is empty"),
    ],
)
def test_minutes_have_the_same_limits_as_evidence(
    client, clerk, complaint, croydon, committee, settings, upload, message
):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 10
    client.force_login(clerk)

    response = client.post(
        reverse("reports:distribution_add", args=[complaint.pk]),
        {
            "body": committee.pk,
            "organisation": croydon.pk,
            "what_was_sent": "Report",
            **date_fields("meeting_date", MEETING),
            "minutes": upload,
        },
    )

    assert message in page_text(response)
    assert not DistributionEntry.objects.exists()


def test_an_officer_reads_the_ledger_but_cannot_record_in_it(client, officer, complaint):
    client.force_login(officer)

    assert (
        client.get(reverse("reports:distribution_ledger", args=[complaint.pk])).status_code == 200
    )
    assert client.get(reverse("reports:distribution_add", args=[complaint.pk])).status_code == 403


# --- Queries per list -----------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_report_list_runs_the_same_queries_for_one_report_or_several(
    client, clerk, complaint, recommendations, croydon, committee
):
    client.force_login(clerk)
    url = reverse("reports:report_list")
    report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)
    draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)
    one = _queries(client, url)

    for day in (1, 2):
        report_issued(
            complaint=complaint,
            organisation=croydon,
            body=committee,
            by=clerk,
            meeting_date=date(2022, 3, day),
        )
        draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    assert _queries(client, url) == one


def test_the_ledger_list_runs_the_same_queries_for_one_complaint_or_several(
    client, clerk, manager, complaint, croydon, committee
):
    client.force_login(clerk)
    url = reverse("reports:distribution_list")
    one = _queries(client, url)

    for number in (2, 3):
        complaint_recorded(by=manager, organisations=[croydon], reference=f"21 000 00{number}")

    assert _queries(client, url) == one


# --- A meeting still to come, and its resolution after it -----------------------------------


def _entry_fields(body, organisation, day: date, **fields) -> dict:
    return {
        "body": body.pk,
        "organisation": organisation.pk,
        "what_was_sent": "Progress report, version 1",
        **date_fields("meeting_date", day),
        **fields,
    }


def test_the_entry_form_says_what_is_missing_in_sentences(client, clerk, complaint):
    client.force_login(clerk)

    response = client.post(
        reverse("reports:distribution_add", args=[complaint.pk]),
        {"meeting_date_day": "15", "meeting_date_year": "2022", "agenda_item": "7" * 101},
    )

    text = page_text(response)
    for message in [
        "Select the body the output went to, or is going to",
        "Enter what was sent or presented",
        "The date of the meeting, or the date it was sent, must include a month",
        "The agenda item must be 100 characters or fewer",
    ]:
        assert message in text
    assert not DistributionEntry.objects.exists()


def test_the_entry_form_refuses_a_resolution_and_minutes_for_a_meeting_still_to_come(
    client, clerk, complaint, croydon, committee
):
    client.force_login(clerk)
    meeting = timezone.localdate() + timedelta(days=30)
    when = date_text(meeting)

    response = client.post(
        reverse("reports:distribution_add", args=[complaint.pk]),
        _entry_fields(
            committee,
            croydon,
            meeting,
            resolution="RESOLVED: to note the report.",
            minutes=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
        ),
    )

    text = page_text(response)
    assert (
        f"The meeting on {when} has not taken place yet: leave the resolution empty and record "
        "it after the meeting"
    ) in text
    assert (
        f"The meeting on {when} has not taken place yet: upload the minutes after the meeting"
    ) in text
    assert not DistributionEntry.objects.exists()


def test_a_planned_meeting_shows_its_resolution_is_due_after_it(client, clerk, complaint, croydon):
    client.force_login(clerk)
    meeting = timezone.localdate() + timedelta(days=30)
    when = date_text(meeting)

    response = client.post(
        reverse("reports:distribution_add", args=[complaint.pk]),
        _entry_fields(Body.objects.get(name="Cabinet"), croydon, meeting, agenda_item="7"),
        follow=True,
    )

    text = page_text(response)
    assert (
        f"Recorded as planned: Cabinet on {when}. Record the resolution after the meeting"
    ) in text
    assert f"Resolution due after the meeting on {when}" in text
    assert "Record the resolution or minutes" not in text


def test_clerk_records_the_resolution_and_minutes_after_the_meeting(
    client, clerk, officer, complaint, croydon, committee
):
    entry = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        meeting_date=date(2022, 3, 15),
        what_was_sent="Progress report, version 1",
        by=clerk,
        at=datetime(2022, 2, 16, 9, 0, tzinfo=UTC),  # planned then; the meeting is past now
    ).entry
    client.force_login(clerk)
    ledger = reverse("reports:distribution_ledger", args=[complaint.pk])
    outcome = reverse("reports:distribution_outcome", args=[entry.pk])

    before = page_text(client.get(ledger))
    empty = client.post(outcome, {"resolution": ""})
    response = client.post(
        outcome,
        {
            "resolution": "RESOLVED: to note the report.",
            "minutes": SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
        },
        follow=True,
    )

    assert "Not recorded" in before
    assert "Record the resolution or minutes of the meeting on 15 March 2022" in before
    assert "Enter the resolution or upload the minutes, or both" in page_text(empty)
    text = page_text(response)
    assert response.redirect_chain == [(ledger, 302)]
    assert "Recorded for the meeting on 15 March 2022" in text
    assert "RESOLVED: to note the report. minutes.pdf" in text
    assert "Record the resolution or minutes" not in text
    client.force_login(officer)
    assert client.get(outcome).status_code == 403


def test_another_councils_clerk_cannot_record_the_resolution(client, complaint, croydon, kent):
    clerk = user_with_role(Role.COMMITTEE_CLERK, username="kent-clerk", organisation=kent)
    entry = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=Body.objects.get(name="Cabinet"),
        meeting_date=date(2022, 3, 15),
        what_was_sent="Progress report",
        by=user_with_role(Role.COMMITTEE_CLERK, username="croydon-clerk", organisation=croydon),
        at=datetime(2022, 2, 16, 9, 0, tzinfo=UTC),
    ).entry
    client.force_login(clerk)

    assert client.get(reverse("reports:distribution_outcome", args=[entry.pk])).status_code == 404


def test_draft_downloads_are_marked_draft_and_issued_ones_are_not(client, clerk, draft):
    client.force_login(clerk)

    def downloads():
        docx = _download(client.get(reverse("reports:report_docx", args=[draft.pk])))
        pdf = _download(client.get(reverse("reports:report_pdf", args=[draft.pk])))
        header = Document(io.BytesIO(docx)).sections[0].header.paragraphs[0].text
        first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        return header, first_page

    draft_header, draft_page = downloads()
    client.post(reverse("reports:report_issue", args=[draft.pk]))
    issued_header, issued_page = downloads()

    assert draft_header.startswith("DRAFT Progress on the Ombudsman's recommendations")
    assert "DRAFT" in draft_page
    assert issued_header.startswith("Progress on the Ombudsman's recommendations")
    assert "DRAFT" not in issued_page
