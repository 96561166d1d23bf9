"""The Ombudsman's reply as officers record it: the recommendation's page says it awaits the
Ombudsman, the reply page records the verdict, and the letter is downloaded only by those who
may see the recommendation, each download logged. Another council's are a 404."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from organisations.models import Organisation
from recommendations.models import RecommendationStatus
from tests.factories import user_with_role
from tests.verdicts.conftest import verdict
from verdicts.models import Verdict, VerdictKind
from viewlog.models import RecordView, ViewHow, ViewKind

pytestmark = pytest.mark.django_db


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _reply_url(recommendation):
    return reverse("verdicts:verdict_record", args=[recommendation.pk])


@pytest.fixture
def kent_officer(db):
    kent = Organisation.objects.create(name="Kent County Council")
    return user_with_role(Role.OFFICER, username="kent-officer", organisation=kent)


def test_the_recommendation_page_says_it_awaits_the_ombudsman_and_links_the_reply_page(
    client, officer, recommendation, sent
):
    client.force_login(officer)

    page = client.get(recommendation.get_absolute_url()).content.decode()

    assert (
        "Evidence sent on 20 February 2022 (S-1), awaiting the Ombudsman (reply chased from "
        "20 March 2022)."
    ) in page
    assert _reply_url(recommendation) in page
    assert "Evidence sent, awaiting the Ombudsman" in page  # the status


def test_a_viewer_reads_that_it_awaits_the_ombudsman_but_cannot_record_the_reply(
    client, viewer, recommendation, sent
):
    client.force_login(viewer)

    page = client.get(recommendation.get_absolute_url()).content.decode()

    assert "awaiting the Ombudsman (reply chased from" in page
    assert _reply_url(recommendation) not in page
    assert client.get(_reply_url(recommendation)).status_code == 403


def test_a_recommendation_never_sent_has_no_reply_section(client, officer, recommendation):
    client.force_login(officer)

    page = client.get(recommendation.get_absolute_url()).content.decode()

    assert "The Ombudsman's reply" not in page


def test_recording_satisfied_on_the_reply_page_complies_the_recommendation(
    client, officer, recommendation, sent
):
    recommendation.refresh_from_db()
    client.force_login(officer)
    page = client.get(_reply_url(recommendation)).content.decode()
    # Not satisfied asks what next, under its radio (shown without GOV.UK Frontend's script).
    assert 'id="conditional-id_kind_2"' in page

    response = client.post(
        _reply_url(recommendation),
        {
            "kind": VerdictKind.SATISFIED,
            **_date("letter_date", date(2022, 3, 15)),
            "letter": SimpleUploadedFile("satisfied.pdf", b"%PDF-1.4 satisfied"),
            "version": recommendation.version,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == recommendation.get_absolute_url()
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.COMPLIED
    page = client.get(recommendation.get_absolute_url()).content.decode()
    verdict = Verdict.objects.get()
    assert reverse("verdicts:letter_download", args=[verdict.pk]) in page
    assert verdict.letter_sha256 in page


def test_not_satisfied_without_what_is_asked_shows_the_errors_against_the_fields(
    client, officer, recommendation, sent
):
    recommendation.refresh_from_db()
    client.force_login(officer)

    response = client.post(
        _reply_url(recommendation),
        {
            "kind": VerdictKind.NOT_SATISFIED,
            **_date("letter_date", date(2022, 3, 15)),
            "version": recommendation.version,
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter what the Ombudsman asks the council to do next" in page
    assert "Enter the new due date the Ombudsman gave" in page
    assert not Verdict.objects.exists()


def test_a_reply_recorded_from_a_stale_page_is_refused_and_what_was_typed_kept(
    client, officer, manager, recommendation, sent
):
    recommendation.refresh_from_db()
    seen = recommendation.version
    verdict(recommendation, manager, kind=VerdictKind.FURTHER_REPORT)
    client.force_login(officer)

    response = client.post(
        _reply_url(recommendation),
        {
            "kind": VerdictKind.FURTHER_REPORT,
            **_date("letter_date", date(2022, 3, 16)),
            "version": seen,
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    # The reply has been recorded by the other person: nothing awaits any more.
    assert "No evidence sent for this recommendation is awaiting" in page
    assert Verdict.objects.count() == 1


def test_a_conflicting_save_while_still_awaiting_shows_the_conflict(
    client, officer, manager, recommendation, sent
):
    from recommendations import services as recommendation_services

    recommendation.refresh_from_db()
    seen = recommendation.version
    # Someone else edits the recommendation meanwhile.
    recommendation_services.recommendation_update(
        recommendation=recommendation, version=seen, by=manager, text="Share the learning."
    )
    client.force_login(officer)

    response = client.post(
        _reply_url(recommendation),
        {
            "kind": VerdictKind.FURTHER_REPORT,
            **_date("letter_date", date(2022, 3, 16)),
            "version": seen,
        },
    )

    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert not Verdict.objects.exists()


def test_another_councils_staff_get_a_404(client, kent_officer, recommendation, sent, manager):
    recorded = verdict(recommendation, manager, kind=VerdictKind.SATISFIED)
    client.force_login(kent_officer)

    assert client.get(_reply_url(recommendation)).status_code == 404
    letter = reverse("verdicts:letter_download", args=[recorded.pk])
    assert client.get(letter).status_code == 404
    assert not RecordView.objects.exists()


def test_the_letter_download_is_logged(client, viewer, recommendation, sent, manager):
    recorded = verdict(recommendation, manager, kind=VerdictKind.SATISFIED)
    client.force_login(viewer)

    response = client.get(reverse("verdicts:letter_download", args=[recorded.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"The Ombudsman is satisfied.\n"
    assert "attachment" in response["Content-Disposition"]
    entry = RecordView.objects.get()
    assert (entry.user, entry.kind, entry.how, entry.object_id, entry.organisation) == (
        viewer,
        ViewKind.OMBUDSMAN_LETTER,
        ViewHow.DOWNLOAD,
        recorded.pk,
        recommendation.organisation,
    )
    assert entry.at <= timezone.now()


def test_a_verdict_without_a_letter_has_no_download(client, officer, recommendation, sent, manager):
    recorded = verdict(recommendation, manager, kind=VerdictKind.FURTHER_REPORT)
    client.force_login(officer)

    assert client.get(reverse("verdicts:letter_download", args=[recorded.pk])).status_code == 404


def test_the_dashboard_shows_the_recommendations_awaiting_the_ombudsman(
    client, manager, recommendation, sent
):
    client.force_login(manager)

    page = client.get(reverse("dashboard:index")).content.decode()

    assert 'id="figure-awaiting"' in page
    assert "evidence sent, awaiting the Ombudsman" in page
