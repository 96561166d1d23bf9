import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from accounts import two_factor
from accounts.models import User
from audits.models import AuditOutcome, AuditProgramme, OutcomeStatus, PopulationCase, SampleCase
from audits.selectors import programme_threshold
from audits.threshold import Decision
from deadlines.models import Deadline, DeadlineKind, Outcome
from demo.moments import moment
from outbox.models import Job
from recommendations.models import Complaint, Evidence, Recommendation
from reminders.models import Reminder
from reminders.selectors import manager_digests_to_send, reminders_to_send
from reminders.services import manager_digest_send, reminder_send, reminders_dispatch
from reports.models import CommitteeReport, DistributionEntry, ReportStatus
from tests.conftest import TODAY

from .conftest import LIVE, assert_due_soon_and_overdue

# Every test reads the demo loaded once for TODAY (``demo``), and rolls back what it changes.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

MINUTE = "DEMO-21 000 001"


def _signs_in(username, password):
    """The user the sign-in form would accept (django-axes asks for the request)."""
    return authenticate(
        RequestFactory().post("/accounts/login/"), username=username, password=password
    )


def _recovery_codes(output) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+) .* recovery code (\w+)$", output, flags=re.MULTILINE))


def _history_reasons(record) -> list[str]:
    return [entry.history_change_reason for entry in record.history.order_by("history_id")]


# --- The minute's case, closed as it would be by now ----------------------------------------


def test_the_minutes_case_keeps_its_dates_and_every_recommendation_was_complied_on_time():

    complaint = Complaint.objects.get(reference=MINUTE)
    assert (complaint.report_date, complaint.received_date) == (date(2021, 11, 26),) * 2
    assert complaint.is_public_interest_report is True
    assert sorted(complaint.organisations.values_list("name", flat=True)) == [
        "Croydon Council",
        "Kent County Council",
    ]
    assert [
        (r.number, r.kind, r.status, r.deadline.due_date, r.deadline.completed_on)
        for r in complaint.recommendations.order_by("number")
    ] == [
        (1, "learning", "complied", date(2022, 2, 26), date(2022, 2, 14)),
        (2, "audit", "complied", date(2022, 2, 26), date(2022, 2, 25)),
        (3, "committee", "complied", date(2022, 2, 26), date(2022, 2, 21)),
    ]
    assert {r.outcome(at=TODAY) for r in complaint.recommendations.all()} == {
        Outcome.COMPLIED_ON_TIME
    }
    assert Evidence.objects.filter(recommendation__complaint=complaint).count() == 3
    assert _history_reasons(complaint.recommendations.get(number=2)) == [
        "Recommendation recorded",
        "Status changed to In progress: Sample of 50 drawn; senior managers auditing in February",
        "Status changed to Complied",
    ]


def test_the_minutes_clocks_are_all_met_on_time_for_both_councils():

    clocks = Deadline.objects.filter(complaint__reference=MINUTE, kind__in=DeadlineKind.statutory())
    assert clocks.count() == 8
    assert {clock.outcome(at=TODAY) for clock in clocks} == {Outcome.COMPLIED_ON_TIME}
    s31 = clocks.get(organisation__name="Croydon Council", kind=DeadlineKind.S31_RESPONSE)
    assert (s31.due_date, s31.completed_on) == (date(2022, 2, 25), date(2022, 2, 21))
    assert _history_reasons(s31)[-1] == (
        "s31(2) response sent to the Local Government and Social Care Ombudsman on "
        "21 February 2022 (distribution ledger)"
    )
    assert not Deadline.objects.filter(complaint__reference=MINUTE).open().exists()


def test_the_minutes_audit_is_done_and_did_not_trigger_a_full_audit():

    programme = AuditProgramme.objects.get(recommendation__complaint__reference=MINUTE)
    threshold = programme_threshold(programme)
    assert (threshold.sample_size, threshold.audited, threshold.with_similar_issues) == (50, 50, 7)
    assert threshold.decision == Decision.NOT_TRIGGERED
    assert not AuditOutcome.objects.filter(
        sample_case__programme=programme, status=OutcomeStatus.DRAFT
    ).exists()
    assert programme.deadline.outcome(at=TODAY) == Outcome.COMPLIED_ON_TIME
    assert not hasattr(programme, "full_audit")


def test_the_minutes_committee_report_is_issued_and_its_distribution_recorded():

    report = CommitteeReport.objects.get(complaints__reference=MINUTE)
    assert (report.status, report.version_number, report.body.name) == (
        ReportStatus.ISSUED,
        1,
        "General Purposes & Audit Committee",
    )
    assert len(report.pdf_sha256) == len(report.docx_sha256) == 64
    assert [
        (entry.meeting_date, entry.body.name, entry.report_id is not None)
        for entry in DistributionEntry.objects.filter(complaint__reference=MINUTE)
    ] == [
        (date(2022, 1, 20), "General Purposes & Audit Committee", False),
        (date(2022, 2, 21), "Local Government and Social Care Ombudsman", False),
        (date(2022, 3, 10), "Local Government and Social Care Ombudsman", True),
        (date(2022, 3, 16), "General Purposes & Audit Committee", True),
        (date(2022, 3, 23), "Safeguarding Partnership", True),
        (date(2022, 3, 30), "Improvement Board", True),
    ]


# --- The live case, dated from the day the demo is loaded -----------------------------------


def test_the_live_case_is_dated_from_the_day_the_demo_is_loaded(demo):
    output = demo

    complaint = Complaint.objects.get(reference=LIVE)
    assert (complaint.report_date, complaint.received_date) == (
        date(2026, 1, 26),
        date(2026, 1, 28),
    )
    assert list(complaint.organisations.values_list("name", flat=True)) == ["Croydon Council"]
    soon = complaint.deadlines.filter(due_date__lte=TODAY + timedelta(days=60))
    assert [(d.title, d.due_date, d.status) for d in soon.order_by("due_date", "title")] == [
        ("s30(5) public notice", date(2026, 2, 10), "met"),
        (f"{LIVE} recommendation 1", date(2026, 2, 23), "open"),
        ("s30(4) public inspection period", date(2026, 3, 2), "open"),
        (f"{LIVE} recommendation 2", date(2026, 3, 9), "open"),
        ("Audit of 20 cross-border referrals from the last two years", date(2026, 3, 12), "open"),
        (f"{LIVE} recommendation 3", date(2026, 3, 26), "open"),
        ("Remedy payment of £500.00 (distress)", date(2026, 4, 6), "open"),
        (f"{LIVE} recommendation 4", date(2026, 4, 26), "open"),
        ("s31(2) response to the Ombudsman", date(2026, 4, 27), "open"),
    ]
    assert "a live case reported on 26 January 2026" in output


def test_a_newcomer_sees_three_deadlines_due_soon_and_one_overdue():
    assert_due_soon_and_overdue(today=TODAY)


def test_the_live_audit_is_in_progress_with_outcomes_recorded_and_some_not():

    programme = AuditProgramme.objects.get(recommendation__complaint__reference=LIVE)
    threshold = programme_threshold(programme)
    assert (threshold.sample_size, threshold.audited, threshold.with_similar_issues) == (20, 12, 3)
    assert threshold.decision == Decision.NOT_YET_KNOWN
    outcomes = AuditOutcome.objects.filter(sample_case__programme=programme)
    assert [
        (status, outcomes.filter(status=status).count())
        for status in (OutcomeStatus.SUBMITTED, OutcomeStatus.DRAFT)
    ] == [(OutcomeStatus.SUBMITTED, 13), (OutcomeStatus.DRAFT, 2)]  # 12 audits, 1 moderation
    assert programme.sample_cases.filter(outcomes=None).count() == 6
    assert programme.drawn_at == moment(TODAY - timedelta(days=20))


def test_the_worker_starts_by_sending_a_handful_of_reminders_linking_to_the_demo(
    settings, mailoutbox
):
    settings.SITE_URL = "http://localhost:8123"  # as bin/demo sets it for PORT=8123
    now = moment(TODAY, hour=9)

    reminders_dispatch(now=now)
    sent = [reminder_send(reminder_id=pk, now=now) for pk in reminders_to_send()]
    listed = [manager_digest_send(digest_id=pk, now=now) for pk in manager_digests_to_send()]

    reminders = Reminder.objects.select_related("deadline", "recipient")
    # What the managers are told of an overdue deadline goes in one digest each ("managers").
    assert sorted(
        (r.deadline.title, r.summary, r.recipient.username if r.recipient else "managers")
        for r in reminders
    ) == [
        ("Audit of 20 cross-border referrals from the last two years", "due in 10 days", "manager"),
        (f"{LIVE} recommendation 1", "overdue by 7 days", "managers"),
        (f"{LIVE} recommendation 1", "overdue by 7 days", "officer"),
        (f"{LIVE} recommendation 2", "due in 7 days", "officer"),
        (f"{LIVE} recommendation 3", "due in 24 days", "officer"),
        ("s30(4) public inspection period", "due today", "manager"),
    ]
    assert (sent, listed) == ([True] * 5, [1])
    assert len(mailoutbox) == 6
    emails = {(email.subject, *email.to): email for email in mailoutbox}
    (digest,) = [email for email in mailoutbox if "as a manager" in email.subject]
    for reminder in reminders:
        if reminder.recipient is None:
            email = digest
        else:
            email = emails[
                f"{reminder.deadline.title} is {reminder.summary}", reminder.recipient.email
            ]
        link = "http://localhost:8123" + reminder.deadline.get_absolute_url()
        assert link in email.body
        assert f'href="{link}"' in email.alternatives[0][0]
    assert not Job.objects.exists(), "no live concern or full-audit email is queued"


def test_the_managers_dashboard_shows_both_cases(client):
    client.force_login(User.objects.get(username="manager"))

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 200
    page = response.content.decode()
    for title in (
        "Audit of 50 cross-border cases closed since 2018",
        "Audit of 20 cross-border referrals from the last two years",
        f"{LIVE} recommendation 1",
    ):
        assert title in page


# --- Users, and loading twice ---------------------------------------------------------------


def test_seed_demo_prints_users_who_can_sign_in_for_each_role(demo):
    output = demo

    assert "password for each: demo-password-1" in output
    for username, role in [
        ("officer", "Officers"),
        ("auditor", "Auditors"),
        ("clerk", "Committee clerks"),
        ("manager", "Managers"),
        ("admin", "Administrators"),
        ("viewer", "Viewers"),
    ]:
        user = _signs_in(username, "demo-password-1")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert f"{username:<8} {role}" in output


COUNTED = [
    Complaint,
    Recommendation,
    Evidence,
    Deadline,
    Deadline.history.model,
    Recommendation.history.model,
    PopulationCase,
    AuditProgramme,
    SampleCase,
    AuditOutcome,
    CommitteeReport,
    DistributionEntry,
    Reminder,
    Job,
]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seed_demo_twice_changes_nothing_but_the_password_even_on_another_day(seed):
    counts = _counts()
    dates = list(Deadline.objects.values_list("pk", "due_date", "status"))

    output = seed(today=TODAY + timedelta(days=30), password="another-password-2")

    assert _counts() == counts
    assert list(Deadline.objects.values_list("pk", "due_date", "status")) == dates
    # 21 deadlines of the records and clocks, the minute's 10 action plan milestones and the
    # live case's remedy payment.
    assert (counts["Complaint"], counts["Recommendation"], counts["Deadline"]) == (2, 7, 32)
    assert User.objects.count() == 6
    assert _signs_in("officer", "another-password-2") is not None
    assert "a live case reported on 26 January 2026" in output


def test_the_minutes_case_an_earlier_demo_loaded_is_left_alone_with_a_note_to_refresh(seed):
    # The earlier demo loaded the case and recorded nothing after the report arrived.
    DistributionEntry.objects.filter(complaint__reference=MINUTE).delete()

    output = seed()

    assert "Delete the database (var/db.sqlite3 for bin/demo)" in output
    assert not DistributionEntry.objects.filter(complaint__reference=MINUTE).exists()
    assert Complaint.objects.count() == 2


def test_seed_demo_prints_a_recovery_code_for_each_user_who_needs_a_second_step(demo, seed):
    first = _recovery_codes(demo)
    second_run = seed()
    second = _recovery_codes(second_run)

    assert sorted(first) == sorted(second) == ["admin", "auditor", "clerk", "manager", "officer"]
    assert "  viewer   Viewers           no second step" in second_run
    manager = User.objects.get(username="manager")
    tokens = StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
    assert list(tokens.all()) == [second["manager"]] != [first["manager"]]
    used = two_factor.second_factor_verify(user=manager, code=second["manager"])
    assert used.device is not None
    assert list(tokens.all()) == []
