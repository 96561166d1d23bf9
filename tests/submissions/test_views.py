"""The pages, as an officer uses them: prepare, check, confirm the redaction, send; who sees
what; downloads in the view log; the list's queries."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions.models import Submission, SubmissionStatus
from tests.submissions.conftest import sent
from viewlog.models import RecordView, ViewKind


def _prepare_data(recommendations, evidence):
    share, audit, _ = recommendations
    return {
        f"r{share.pk}_include": "on",
        f"r{share.pk}_done": "Briefed every social care team.",
        f"r{share.pk}_done_on_day": "14",
        f"r{share.pk}_done_on_month": "1",
        f"r{share.pk}_done_on_year": "2022",
        f"r{share.pk}_evidence": [evidence["briefing"].pk, evidence["intranet"].pk],
        f"r{audit.pk}_done": "",
    }


def test_an_officer_prepares_checks_confirms_and_sends(
    client, officer, complaint, recommendations, evidence
):
    client.force_login(officer)
    prepare = reverse("submissions:submission_create", args=[complaint.pk])
    page = client.get(prepare)
    assert page.status_code == 200
    assert "Kent&#x27;s own recommendation" not in page.text
    assert "Intranet page on cross-border referrals (link: https://intranet" in page.text

    response = client.post(prepare, _prepare_data(recommendations, evidence))

    submission = Submission.objects.get()
    check = reverse("submissions:submission_check", args=[submission.pk])
    assert response.url == check
    assert [item.recommendation.number for item in submission.items.all()] == [1]
    page = client.get(check)
    assert "Briefed every social care team." in page.text
    assert "Briefing to social care staff" in page.text
    assert "What was done: Briefed every social care team." in page.text

    unconfirmed = client.post(check, {"version": submission.version})
    assert unconfirmed.status_code == 200
    assert "Confirm that the evidence files are redacted" in unconfirmed.text
    assert Submission.objects.get().status == SubmissionStatus.DRAFT

    response = client.post(check, {"version": submission.version, "redaction_confirmed": "on"})

    submission = Submission.objects.get()
    assert response.url == submission.get_absolute_url()
    assert submission.status == SubmissionStatus.SENT
    assert submission.redaction_confirmed_by == officer
    page = client.get(submission.get_absolute_url())
    assert submission.evidence_zip_sha256 in page.text


def test_a_recommendation_chosen_without_what_was_done_or_evidence_is_refused(
    client, officer, complaint, recommendations, evidence
):
    audit = recommendations[1]
    client.force_login(officer)
    data = _prepare_data(recommendations, evidence) | {f"r{audit.pk}_include": "on"}

    response = client.post(reverse("submissions:submission_create", args=[complaint.pk]), data)

    assert response.status_code == 200
    assert "Enter what was done for recommendation 2" in response.text
    assert "Enter the date recommendation 2 was done" in response.text
    assert "Choose the evidence for recommendation 2" in response.text
    assert not Submission.objects.exists()


def test_a_stale_check_page_does_not_send(client, officer, draft):
    client.force_login(officer)
    check = reverse("submissions:submission_check", args=[draft.pk])

    response = client.post(check, {"version": draft.version + 1, "redaction_confirmed": "on"})

    assert response.url == check
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_a_sent_submission_cannot_be_changed_or_sent_from_its_pages(client, officer, draft):
    submission = sent(draft, officer)
    client.force_login(officer)

    for name in ("submission_update", "submission_check"):
        response = client.post(reverse(f"submissions:{name}", args=[submission.pk]), {})
        assert response.url == submission.get_absolute_url()
    assert Submission.objects.get().content == submission.content


def test_drafts_are_seen_only_by_those_who_prepare_them(client, officer, viewer, clerk, draft):
    for reader in (viewer, clerk):
        client.force_login(reader)
        assert client.get(draft.get_absolute_url()).status_code == 404
        listed = client.get(reverse("submissions:submission_list", args=[draft.complaint_id]))
        assert "Draft prepared" not in listed.text

    submission = sent(draft, officer)

    for reader in (viewer, clerk):
        client.force_login(reader)
        assert client.get(submission.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("name", ["submission_detail", "letter_pdf", "evidence_zip"])
def test_another_councils_staff_get_404(client, officer, kent_officer, draft, name):
    submission = sent(draft, officer)
    client.force_login(kent_officer)

    assert client.get(reverse(f"submissions:{name}", args=[submission.pk])).status_code == 404


def test_another_council_prepares_only_its_own_recommendations(
    client, kent_officer, complaint, recommendations
):
    client.force_login(kent_officer)

    page = client.get(reverse("submissions:submission_create", args=[complaint.pk]))

    assert "Kent&#x27;s own recommendation." in page.text
    assert "Share the learning across the organisation." not in page.text


def test_downloads_are_logged_and_the_zip_is_the_one_sent(client, officer, viewer, draft):
    submission = sent(draft, officer)
    client.force_login(viewer)

    for name, kind in (("letter_docx", "docx"), ("letter_pdf", "pdf"), ("evidence_zip", "zip")):
        response = client.get(reverse(f"submissions:{name}", args=[submission.pk]))
        data = b"".join(response.streaming_content)
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]
        if kind == "zip":
            assert "index.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    logged = RecordView.objects.filter(user=viewer, kind=ViewKind.EVIDENCE_SUBMISSION)
    assert sorted(logged.values_list("file_format", flat=True)) == ["docx", "pdf", "zip"]


def test_a_drafts_letter_and_zip_download_before_sending(client, officer, draft):
    client.force_login(officer)

    pdf = client.get(reverse("submissions:letter_pdf", args=[draft.pk]))
    archive = client.get(reverse("submissions:evidence_zip", args=[draft.pk]))

    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert len(names) == 3  # two files and the index


def test_the_complaint_page_links_to_its_submissions(client, viewer, complaint):
    client.force_login(viewer)

    page = client.get(complaint.get_absolute_url())

    assert reverse("submissions:submission_list", args=[complaint.pk]) in page.text


def test_the_list_runs_as_many_queries_for_several_submissions_as_for_one(
    client, officer, complaint, croydon, recommendations, evidence
):
    from submissions import services
    from tests.submissions.conftest import PREPARED_AT, both_items

    def prepare():
        return services.submission_draft_create(
            complaint=complaint,
            organisation=croydon,
            items=both_items(recommendations, evidence),
            by=officer,
            at=PREPARED_AT,
        )

    client.force_login(officer)
    url = reverse("submissions:submission_list", args=[complaint.pk])
    prepare()
    client.get(url)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    prepare()
    prepare()
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)

    assert page.text.count("Draft prepared on") == 3
    assert len(three) == len(one)
