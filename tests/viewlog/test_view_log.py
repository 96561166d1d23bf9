"""The information governance team asks who looked at what: every page and download that
shows a child's case data, a complaint or a report writes one entry (who, what, how), and a
look refused (another council's record) writes none."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import selectors as audit_selectors
from recommendations import selectors as recommendation_selectors
from reports import selectors as report_selectors
from tests.factories import complaint_recorded, user_with_role
from viewlog.models import RecordView, ViewHow, ViewKind
from viewlog.services import view_record

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Look:
    url: str  # the URL's name
    record: str | None  # the attribute of ``records`` whose pk the URL takes
    who: str  # the attribute of ``people`` who opens it
    kind: ViewKind
    model: str | None  # the content type's model
    download: str = ""  # the format, for a download


LOOKS = [
    Look(
        "recommendations:complaint_detail", "complaint", "viewer", ViewKind.COMPLAINT, "complaint"
    ),
    Look(
        "recommendations:evidence_download",
        "evidence",
        "viewer",
        ViewKind.EVIDENCE,
        "evidence",
        "pdf",
    ),
    Look("recommendations:tracker_export", None, "officer", ViewKind.TRACKER_EXPORT, None, "csv"),
    Look(
        "audits:programme_detail",
        "programme",
        "viewer",
        ViewKind.AUDIT_PROGRAMME,
        "auditprogramme",
    ),
    Look("audits:outcome_form", "sample_case", "auditor", ViewKind.AUDIT_CASE, "samplecase"),
    Look("audits:moderation_settle", "sample_case", "manager", ViewKind.AUDIT_CASE, "samplecase"),
    Look("audits:outcome_reopen", "outcome", "manager", ViewKind.AUDIT_OUTCOME, "auditoutcome"),
    Look("audits:concern_detail", "concern", "viewer", ViewKind.LIVE_CONCERN, "liveconcern"),
    Look(
        "audits:population_upload",
        "upload",
        "manager",
        ViewKind.POPULATION_UPLOAD,
        "populationupload",
    ),
    Look("reports:report_detail", "report", "clerk", ViewKind.COMMITTEE_REPORT, "committeereport"),
    Look(
        "reports:report_docx",
        "report",
        "clerk",
        ViewKind.COMMITTEE_REPORT,
        "committeereport",
        "docx",
    ),
    Look(
        "reports:report_pdf",
        "report",
        "clerk",
        ViewKind.COMMITTEE_REPORT,
        "committeereport",
        "pdf",
    ),
    Look(
        "reports:report_csv",
        "report",
        "clerk",
        ViewKind.COMMITTEE_REPORT,
        "committeereport",
        "csv",
    ),
    Look(
        "reports:minutes_download", "entry", "clerk", ViewKind.MINUTES, "distributionentry", "pdf"
    ),
]


def _url(look, records):
    if look.record is None:
        return reverse(look.url)
    return reverse(look.url, args=[getattr(records, look.record).pk])


def _entries():
    return list(
        RecordView.objects.values_list(
            "username",
            "kind",
            "content_type__model",
            "object_id",
            "organisation__name",
            "how",
            "file_format",
        )
    )


@pytest.mark.parametrize("look", LOOKS, ids=lambda look: look.url)
def test_opening_a_page_or_download_writes_one_entry_saying_who_what_and_how(
    client, people, records, look
):
    user = getattr(people, look.who)
    client.force_login(user)
    before = timezone.now()

    response = client.get(_url(look, records))

    assert response.status_code == 200
    record = getattr(records, look.record) if look.record else None
    assert _entries() == [
        (
            user.username,
            look.kind,
            look.model,
            record.pk if record else None,
            "Croydon Council",
            ViewHow.DOWNLOAD if look.download else ViewHow.PAGE,
            look.download,
        )
    ]
    entry = RecordView.objects.get()
    assert (entry.user, before <= entry.at <= timezone.now()) == (user, True)


@pytest.mark.parametrize("look", [look for look in LOOKS if look.record], ids=lambda look: look.url)
def test_another_councils_manager_gets_a_404_and_writes_nothing(client, people, records, look):
    client.force_login(people.kent_manager)

    response = client.get(_url(look, records))

    assert response.status_code == 404
    assert RecordView.objects.count() == 0


def test_a_look_refused_for_want_of_a_permission_writes_nothing(client, people, records):
    client.force_login(people.viewer)

    response = client.get(reverse("audits:outcome_reopen", args=[records.outcome.pk]))

    assert response.status_code == 403
    assert RecordView.objects.count() == 0


def test_each_opening_is_an_entry_of_its_own(client, people, records):
    client.force_login(people.viewer)
    url = records.complaint.get_absolute_url()

    client.get(url)
    client.get(url)

    assert RecordView.objects.filter(username="viewer", kind=ViewKind.COMPLAINT).count() == 2


# --- A complaint two councils share ---------------------------------------------------------


def test_a_shared_complaint_is_logged_for_the_viewers_own_council_or_none_from_outside(
    client, people, croydon, kent
):
    shared = complaint_recorded(by=people.manager, organisations=[croydon, kent])
    surrey = user_with_role(
        Role.MANAGER, username="regional", organisation=None, sees_all_organisations=True
    )
    croydon_regional = user_with_role(
        Role.MANAGER, username="croydon-regional", sees_all_organisations=True
    )

    for user in (people.viewer, people.kent_manager, surrey, croydon_regional):
        client.force_login(user)
        assert client.get(shared.get_absolute_url()).status_code == 200

    assert sorted(RecordView.objects.values_list("username", "organisation__name")) == [
        ("croydon-regional", "Croydon Council"),
        ("kent-manager", "Kent County Council"),
        ("regional", None),
        ("viewer", "Croydon Council"),
    ]


# --- The one service --------------------------------------------------------------------------


# Each view's lookup, by whom, and the kind it logs.
LOOKUPS = [
    (recommendation_selectors.complaint_get_for, "complaint", "viewer", ViewKind.COMPLAINT),
    (recommendation_selectors.evidence_get_for, "evidence", "viewer", ViewKind.EVIDENCE),
    (audit_selectors.programme_get_for, "programme", "viewer", ViewKind.AUDIT_PROGRAMME),
    (audit_selectors.assigned_case_get_for, "sample_case", "auditor", ViewKind.AUDIT_CASE),
    (audit_selectors.managed_case_get_for, "sample_case", "manager", ViewKind.AUDIT_CASE),
    (audit_selectors.managed_outcome_get_for, "outcome", "manager", ViewKind.AUDIT_OUTCOME),
    (audit_selectors.concern_get_for, "concern", "viewer", ViewKind.LIVE_CONCERN),
    (
        audit_selectors.population_upload_get_for,
        "upload",
        "manager",
        ViewKind.POPULATION_UPLOAD,
    ),
    (report_selectors.report_get_for, "report", "clerk", ViewKind.COMMITTEE_REPORT),
    (report_selectors.entry_get_for, "entry", "clerk", ViewKind.MINUTES),
]


@pytest.mark.parametrize(
    ("lookup", "record", "who", "kind"), LOOKUPS, ids=[kind for *_, kind in LOOKUPS]
)
def test_recording_a_view_of_what_a_lookup_found_is_a_single_insert(
    django_assert_num_queries, people, records, lookup, record, who, kind
):
    user = getattr(people, who)
    view_record(user=user, record=getattr(records, record), kind=kind, at=AT)  # warms caches
    found = lookup(user, getattr(records, record).pk)

    with django_assert_num_queries(1) as queries:
        view_record(user=user, record=found, kind=kind, at=AT)

    assert queries.captured_queries[0]["sql"].startswith('INSERT INTO "viewlog_recordview"')


def test_a_downloads_format_is_read_from_a_file_name_in_lower_case(people, records):
    entry = view_record(
        user=people.viewer,
        record=records.evidence,
        kind=ViewKind.EVIDENCE,
        at=AT,
        download="evidence/12/Briefing.DOCX",
    )

    assert (entry.how, entry.file_format, entry.how_label) == (
        ViewHow.DOWNLOAD,
        "docx",
        "Downloaded (DOCX)",
    )


def test_a_kind_that_does_not_match_the_record_is_refused(people, records):
    with pytest.raises(ValueError, match=r"^recommendations.Evidence is not a complaint\.$"):
        view_record(user=people.viewer, record=records.evidence, kind=ViewKind.COMPLAINT, at=AT)
    with pytest.raises(ValueError, match=r"^A complaint view needs its record\.$"):
        view_record(user=people.viewer, record=None, kind=ViewKind.COMPLAINT, at=AT)

    assert RecordView.objects.count() == 0


def test_the_username_is_kept_as_it_was_when_the_account_is_renamed(people, records):
    view_record(user=people.viewer, record=records.complaint, kind=ViewKind.COMPLAINT, at=AT)
    people.viewer.username = "vic.viewer"
    people.viewer.save()

    entry = RecordView.objects.select_related("user").get()

    assert (entry.username, entry.user.username, entry.viewer_label) == (
        "viewer",
        "vic.viewer",
        "Vic Viewer (viewer)",
    )
