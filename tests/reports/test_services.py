"""Issuing freezes a report; the ledger records outputs and completes the s31(2) clock."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from deadlines.models import Deadline, DeadlineKind, DeadlineStatus
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import RecommendationStatus
from reports import services
from reports.models import Body, BodyKind, ReportStatus
from tests.reports.conftest import ISSUED_AT, MEETING, draft_prepared, report_issued

pytestmark = pytest.mark.django_db


def _bytes(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


@pytest.fixture
def issued(complaint, recommendations, croydon, committee, clerk):
    return report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)


# --- Issuing --------------------------------------------------------------------------------


def test_issuing_stores_both_files_with_their_checksums_and_who_issued_it(issued, clerk):
    assert issued.status == ReportStatus.ISSUED
    assert issued.version_number == 1
    assert (issued.issued_by, issued.issued_at, issued.position_at) == (
        clerk,
        ISSUED_AT,
        date(2022, 2, 1),
    )
    assert issued.docx_sha256 == hashlib.sha256(_bytes(issued.docx)).hexdigest()
    assert issued.pdf_sha256 == hashlib.sha256(_bytes(issued.pdf)).hexdigest()
    assert issued.docx.name.endswith("general-purposes-audit-committee-2022-02-15-version-1.docx")
    assert issued.history.first().history_change_reason == "Issued as version 1"


def test_an_issued_report_is_unchanged_after_the_data_changes_and_regenerating_gives_version_2(
    issued, recommendations, complaint, croydon, committee, clerk, manager
):
    docx, pdf, content = _bytes(issued.docx), _bytes(issued.pdf), issued.content
    recommendation_services.recommendation_transition(
        recommendation=recommendations[1],
        to_status=RecommendationStatus.IN_PROGRESS,
        by=manager,
        on=date(2022, 2, 10),
    )

    later = report_issued(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        by=clerk,
        at=datetime(2022, 2, 12, 9, 0, tzinfo=UTC),
    )

    issued.refresh_from_db()
    assert (_bytes(issued.docx), _bytes(issued.pdf), issued.content) == (docx, pdf, content)
    assert hashlib.sha256(_bytes(issued.docx)).hexdigest() == issued.docx_sha256
    assert hashlib.sha256(_bytes(issued.pdf)).hexdigest() == issued.pdf_sha256
    assert later.version_number == 2
    assert later.docx.name != issued.docx.name
    statuses = [row[3] for row in later.content["blocks"][6]["rows"]]
    assert statuses == ["Open", "In progress"]
    assert [row[3] for row in issued.content["blocks"][6]["rows"]] == ["Open", "Open"]


def test_a_version_number_counts_within_the_complaints_body_and_meeting(
    issued, complaint, croydon, committee, clerk
):
    other_meeting = report_issued(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        by=clerk,
        meeting_date=date(2022, 3, 15),
    )
    board = report_issued(
        complaint=complaint,
        organisation=croydon,
        body=Body.objects.get(name="Improvement Board"),
        by=clerk,
    )

    assert (other_meeting.version_number, board.version_number) == (1, 1)


def test_an_issued_report_cannot_be_issued_again_or_changed(issued, complaint, committee, clerk):
    with pytest.raises(ValidationError, match="already issued"):
        services.report_issue(report=issued, by=clerk, at=ISSUED_AT)
    with pytest.raises(ValidationError, match="is issued and cannot change"):
        services.report_draft_update(
            report=issued,
            complaints=[complaint],
            body=committee,
            meeting_date=MEETING,
            asked_to="Something else",
            by=clerk,
        )


def test_a_draft_is_built_from_the_data_each_time_and_can_change(
    complaint, recommendations, croydon, committee, clerk
):
    draft = draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    services.report_draft_update(
        report=draft,
        complaints=[complaint],
        body=Body.objects.get(name="Cabinet"),
        meeting_date=date(2022, 3, 1),
        asked_to="Note it.",
        by=clerk,
    )

    draft.refresh_from_db()
    assert (draft.status, draft.body.name, draft.meeting_date, draft.asked_to) == (
        ReportStatus.DRAFT,
        "Cabinet",
        date(2022, 3, 1),
        "Note it.",
    )
    assert (draft.docx.name, draft.content, draft.version_number) == ("", None, None)


def test_a_report_covers_only_complaints_that_bind_its_organisation(complaint, committee, clerk):
    elsewhere = Organisation.objects.create(name="Sutton Council")

    with pytest.raises(ValidationError, match="does not bind Sutton Council"):
        draft_prepared(complaint=complaint, organisation=elsewhere, body=committee, by=clerk)


def test_a_report_goes_only_to_a_body_of_its_organisation_or_a_shared_one(
    complaint, croydon, kent, clerk
):
    kents_committee = Body.objects.create(
        organisation=kent, name="Kent Scrutiny Committee", kind=BodyKind.COMMITTEE
    )

    with pytest.raises(ValidationError, match="not a body Croydon Council reports to"):
        draft_prepared(complaint=complaint, organisation=croydon, body=kents_committee, by=clerk)


def test_a_report_on_two_complaints_covers_both(
    complaint, recommendations, croydon, committee, clerk, manager
):
    from tests.factories import complaint_recorded

    second = complaint_recorded(by=manager, organisations=[croydon], reference="21 000 002")

    report = services.report_issue(
        report=services.report_draft_create(
            organisation=croydon,
            complaints=[second, complaint],
            body=committee,
            meeting_date=MEETING,
            asked_to="Note both.",
            by=clerk,
            at=ISSUED_AT,
        ),
        by=clerk,
        at=ISSUED_AT,
    )

    headings = [b["text"] for b in report.content["blocks"] if b["kind"] == "heading"]
    assert report.complaints_key == f"{complaint.pk},{second.pk}"
    assert "Complaint 21 000 001: Cross-border child protection referral" in headings
    assert "Complaint 21 000 002: Cross-border child protection referral" in headings
    assert dict(report.content["facts"])["Complaints"] == "21 000 001 and 21 000 002"


# --- The distribution ledger ----------------------------------------------------------------


def _s31_clock(complaint, organisation):
    return Deadline.objects.get(
        complaint=complaint, organisation=organisation, kind=DeadlineKind.S31_RESPONSE
    )


def test_recording_the_response_to_the_ombudsman_completes_that_councils_s31_clock(
    complaint, croydon, kent, ombudsman_body, clerk
):
    distributed = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=ombudsman_body,
        meeting_date=date(2022, 2, 20),
        what_was_sent="The council's response under section 31(2)",
        by=clerk,
        at=datetime(2022, 2, 21, 9, 0, tzinfo=UTC),
    )

    clock = _s31_clock(complaint, croydon)
    assert distributed.clock_completed == clock
    assert (clock.status, clock.completed_on) == (DeadlineStatus.MET, date(2022, 2, 20))
    assert clock.outcome(at=date(2022, 3, 1)).label == "Complied on time"
    assert clock.history.first().history_change_reason == (
        "s31(2) response sent to the Local Government and Social Care Ombudsman on "
        "20 February 2022 (distribution ledger)"
    )
    assert clock.history.first().history_user == clerk
    assert _s31_clock(complaint, kent).status == DeadlineStatus.OPEN
    assert distributed.entry.history.first().history_change_reason == (
        "Sent or presented to Local Government and Social Care Ombudsman"
    )


def test_an_entry_to_a_committee_leaves_the_s31_clock_alone(complaint, croydon, committee, clerk):
    distributed = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        meeting_date=date(2022, 2, 15),
        what_was_sent="Progress report",
        agenda_item="7",
        resolution="RESOLVED: to note the report.",
        by=clerk,
        at=datetime(2022, 2, 16, 9, 0, tzinfo=UTC),
    )

    assert distributed.clock_completed is None
    assert _s31_clock(complaint, croydon).status == DeadlineStatus.OPEN


def test_a_second_entry_to_the_ombudsman_keeps_the_date_the_response_was_sent(
    complaint, croydon, ombudsman_body, clerk
):
    for sent in (date(2022, 2, 20), date(2022, 4, 1)):
        services.distribution_record(
            complaint=complaint,
            organisation=croydon,
            body=ombudsman_body,
            meeting_date=sent,
            what_was_sent="Letter",
            by=clerk,
            at=datetime(2022, 4, 2, 9, 0, tzinfo=UTC),
        )

    assert _s31_clock(complaint, croydon).completed_on == date(2022, 2, 20)


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (date(2022, 2, 22), "must be today or in the past"),
        (date(2021, 11, 25), "cannot be before the date of the report"),
    ],
)
def test_the_date_sent_to_the_ombudsman_must_be_a_real_one(
    complaint, croydon, ombudsman_body, clerk, sent, message
):
    with pytest.raises(ValidationError, match=message):
        services.distribution_record(
            complaint=complaint,
            organisation=croydon,
            body=ombudsman_body,
            meeting_date=sent,
            what_was_sent="Letter",
            by=clerk,
            at=datetime(2022, 2, 21, 9, 0, tzinfo=UTC),
        )
    assert _s31_clock(complaint, croydon).status == DeadlineStatus.OPEN


def test_minutes_are_stored_with_their_checksum_and_an_issued_report_can_be_linked(
    issued, complaint, croydon, committee, clerk
):
    content = b"%PDF-1.4 minutes"

    entry = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        meeting_date=MEETING,
        what_was_sent="Progress report, version 1",
        report=issued,
        minutes=SimpleUploadedFile("minutes.pdf", content),
        by=clerk,
        at=datetime(2022, 2, 16, 9, 0, tzinfo=UTC),
    ).entry

    assert entry.minutes_sha256 == hashlib.sha256(content).hexdigest()
    assert _bytes(entry.minutes) == content
    assert entry.report == issued


def test_a_draft_cannot_be_linked_as_the_report_presented(complaint, croydon, committee, clerk):
    draft = draft_prepared(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    with pytest.raises(ValidationError, match="Select an issued report"):
        services.distribution_record(
            complaint=complaint,
            organisation=croydon,
            body=committee,
            meeting_date=MEETING,
            what_was_sent="Draft",
            report=draft,
            by=clerk,
            at=ISSUED_AT,
        )


def test_the_ledger_appears_in_the_next_report(
    complaint, recommendations, croydon, committee, ombudsman_body, clerk
):
    services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=ombudsman_body,
        meeting_date=date(2022, 1, 31),
        what_was_sent="The council's response under section 31(2)",
        by=clerk,
        at=ISSUED_AT,
    )

    report = report_issued(complaint=complaint, organisation=croydon, body=committee, by=clerk)

    tables = [b for b in report.content["blocks"] if b["kind"] == "table"]
    assert tables[-1]["rows"] == [
        [
            "Local Government and Social Care Ombudsman",
            "31 January 2022",
            "The council's response under section 31(2)",
            "None",
            "Not recorded",
        ]
    ]
    clocks = next(t for t in tables if t["header"][0] == "Clock")
    assert clocks["rows"][2][3:] == ["Complied on time", "31 January 2022"]


# --- A meeting still to come: planned, then its resolution after it ------------------------

NEXT_MEETING = date(2022, 3, 15)
BEFORE_IT = datetime(2022, 2, 16, 9, 0, tzinfo=UTC)
AFTER_IT = datetime(2022, 3, 16, 9, 0, tzinfo=UTC)


def _planned(complaint, croydon, committee, clerk):
    return services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        meeting_date=NEXT_MEETING,
        what_was_sent="Progress report, version 1",
        agenda_item="7",
        by=clerk,
        at=BEFORE_IT,
    ).entry


def test_a_meeting_still_to_come_is_recorded_as_planned_with_its_resolution_due_after_it(
    complaint, croydon, committee, clerk
):
    entry = _planned(complaint, croydon, committee, clerk)

    assert entry.is_planned(on=BEFORE_IT.date()) is True
    assert entry.resolution_text(on=BEFORE_IT.date()) == (
        "Resolution due after the meeting on 15 March 2022"
    )
    assert entry.awaits_outcome(on=BEFORE_IT.date()) is False
    assert entry.history.first().history_change_reason == (
        "Planned: to go to General Purposes & Audit Committee on 15 March 2022"
    )
    assert entry.resolution_text(on=AFTER_IT.date()) == "Not recorded"
    assert entry.awaits_outcome(on=AFTER_IT.date()) is True


def test_a_resolution_or_minutes_for_a_meeting_still_to_come_are_refused(
    complaint, croydon, committee, clerk
):
    with pytest.raises(ValidationError) as refused:
        services.distribution_record(
            complaint=complaint,
            organisation=croydon,
            body=committee,
            meeting_date=NEXT_MEETING,
            what_was_sent="Progress report",
            resolution="RESOLVED: to note the report.",
            minutes=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
            by=clerk,
            at=BEFORE_IT,
        )

    assert refused.value.message_dict == {
        "resolution": [
            "The meeting on 15 March 2022 has not taken place yet: leave the resolution empty "
            "and record it after the meeting"
        ],
        "minutes": [
            "The meeting on 15 March 2022 has not taken place yet: upload the minutes after "
            "the meeting"
        ],
    }
    assert not complaint.distribution.exists()


def test_a_meeting_held_today_takes_its_resolution_at_once(complaint, croydon, committee, clerk):
    entry = services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=committee,
        meeting_date=NEXT_MEETING,
        what_was_sent="Progress report",
        resolution="RESOLVED: to note the report.",
        by=clerk,
        at=datetime(2022, 3, 15, 19, 0, tzinfo=UTC),
    ).entry

    assert entry.resolution == "RESOLVED: to note the report."
    assert entry.history.first().history_change_reason == (
        "Sent or presented to General Purposes & Audit Committee"
    )


def test_the_resolution_and_then_the_minutes_are_recorded_after_the_meeting(
    complaint, croydon, committee, clerk
):
    entry = _planned(complaint, croydon, committee, clerk)
    with pytest.raises(ValidationError, match="has not taken place yet"):
        services.distribution_outcome_record(
            entry=entry, resolution="RESOLVED: to note.", by=clerk, at=BEFORE_IT
        )

    services.distribution_outcome_record(
        entry=entry, resolution="RESOLVED: to note the report.", by=clerk, at=AFTER_IT
    )
    minutes = b"%PDF-1.4 minutes, agreed at the next meeting"
    services.distribution_outcome_record(
        entry=entry,
        minutes=SimpleUploadedFile("minutes.pdf", minutes),
        by=clerk,
        at=datetime(2022, 4, 20, 9, 0, tzinfo=UTC),
    )

    entry.refresh_from_db()
    assert entry.resolution == "RESOLVED: to note the report."
    assert entry.minutes_sha256 == hashlib.sha256(minutes).hexdigest()
    assert entry.awaits_outcome(on=date(2022, 4, 20)) is False
    assert [h.history_change_reason for h in entry.history.order_by("history_id")] == [
        "Planned: to go to General Purposes & Audit Committee on 15 March 2022",
        "Resolution of the meeting on 15 March 2022 recorded",
        "Minutes of the meeting on 15 March 2022 recorded",
    ]


def test_a_resolution_already_recorded_is_kept_not_overwritten(
    complaint, croydon, committee, clerk
):
    entry = _planned(complaint, croydon, committee, clerk)
    services.distribution_outcome_record(
        entry=entry, resolution="RESOLVED: to note the report.", by=clerk, at=AFTER_IT
    )

    with pytest.raises(ValidationError) as refused:
        # A second clerk, from a page opened before the first recorded it.
        services.distribution_outcome_record(
            entry=_planned_copy(entry), resolution="RESOLVED: to agree.", by=clerk, at=AFTER_IT
        )

    assert refused.value.message_dict == {
        "resolution": [
            "The resolution of the meeting on 15 March 2022 is already recorded: it is kept as "
            "it was"
        ]
    }
    entry.refresh_from_db()
    assert entry.resolution == "RESOLVED: to note the report."


def _planned_copy(entry):
    """The entry as a page opened before the resolution was recorded holds it."""
    stale = type(entry).objects.get(pk=entry.pk)
    stale.resolution = ""
    return stale
