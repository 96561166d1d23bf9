"""Who may open what: every URL of the project, for every role, for anonymous visitors, and
for staff of another council and of a complaint two councils share.

The URLs are read from the resolver, so a new URL without a row in ``EXPECTED`` fails the
build until someone decides who may use it. The admin and django.contrib.auth's own views
(sign in, password change) are left out: tests/test_admin_access.py and the sign-in tests
cover them.

The records every case needs are made once for the module (``world``) and each test runs in
a savepoint that is rolled back, so the matrix costs a request per case, not a database.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services as audit_services
from audits import uploads as audit_uploads
from deadlines import services as deadline_services
from deadlines.models import ExtensionBasis
from organisations.models import Organisation
from recommendations import services
from recommendations.tracker_csv import tracker_upload_create
from tests.factories import (
    complaint_recorded,
    letter_recorded,
    milestone_added,
    payment_recorded,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    remedy_recommended,
    user_with_role,
)

OFFICER, AUDITOR, CLERK = Role.OFFICER, Role.AUDITOR, Role.COMMITTEE_CLERK
MANAGER, ADMIN, VIEWER = Role.MANAGER, Role.ADMINISTRATOR, Role.VIEWER
ROLES = (OFFICER, AUDITOR, CLERK, MANAGER, ADMIN, VIEWER)
OK = None  # in ``Row.post``: the role may POST (what it does is tested in the app's tests)


@dataclass(frozen=True)
class Row:
    get: tuple[int, ...]  # the GET status for each role, in the order of ROLES
    changes_state: bool = False  # accepts POST: unpermitted roles must get 403 for it too
    object: str = ""  # the fixture object whose pk the URL takes
    # The POST status for each role where it differs from "403 where GET is 403".
    post: tuple[int | None, ...] | None = field(default=None)

    def refused_post(self, role) -> bool:
        """Whether a POST by ``role`` is refused for want of a permission (before any lookup)."""
        if self.post is not None:
            return self.post[ROLES.index(role)] == 403
        return self.get[ROLES.index(role)] == 403


# fmt: off
POST, READ = True, False  # whether the URL also accepts POST (changes state)
C, R, EV, EX = "complaint", "recommendation", "evidence", "extension"
PG, SC, OUT, LC = "programme", "sample_case", "outcome", "concern"  # audits
PU = "population_upload"  # audits
TU = "tracker_upload"
DR, IR, DE = "draft_report", "issued_report", "distribution_entry"  # reports
SH = "shared_complaint"  # side by side: the complaint Croydon and Kent share
PR, PAY, ORG = "remedy_recommendation", "remedy_payment", "croydon"  # remedies
AL = "annual_letter"  # annual review
MS = "milestone"  # plans
LP, LA, LS, LF = "learning_point", "learning_attachment", "learning_session", "learning_follow_up"
AU, PE = "learning_audience", "learning_person"  # learning
DS, SS = "draft_submission", "sent_submission"  # submissions
AR, VD = "awaiting_recommendation", "verdict"  # verdicts
#                                               Officer Auditor Clerk Manager Admin Viewer
EXPECTED = {
    "home":                                   Row((200, 200, 200, 200, 200, 200)),
    "recommendations:complaint_list":         Row((200, 200, 200, 200, 200, 200)),
    "recommendations:complaint_create":       Row((200, 403, 403, 200, 200, 403), POST),
    "recommendations:complaint_detail":       Row((200, 200, 200, 200, 200, 200), READ, C),
    "recommendations:complaint_update":       Row((200, 403, 403, 200, 200, 403), POST, C),
    "recommendations:recommendation_create":  Row((200, 403, 403, 200, 200, 403), POST, C),
    "recommendations:recommendation_list":    Row((200, 200, 200, 200, 200, 200)),
    "recommendations:recommendation_detail":  Row((200, 200, 200, 200, 200, 200), READ, R),
    "recommendations:recommendation_update":  Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:recommendation_status":  Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:evidence_add":           Row((200, 403, 403, 200, 200, 403), POST, R),
    "recommendations:evidence_download":      Row((200, 200, 200, 200, 200, 200), READ, EV),
    "recommendations:extension_create":       Row((200, 403, 403, 200, 200, 403), POST, R),
    # The decision page: what is asked, then agree or refuse.
    "recommendations:extension_decide":       Row((403, 403, 403, 200, 200, 403), POST, EX),
    "recommendations:deadline_override":      Row((403, 403, 403, 200, 200, 403), POST, R),
    "recommendations:tracker_import":         Row((403, 403, 403, 200, 200, 403), POST),
    "recommendations:tracker_template_csv":   Row((403, 403, 403, 200, 200, 403)),
    "recommendations:tracker_template_xlsx":  Row((403, 403, 403, 200, 200, 403)),
    "recommendations:tracker_upload":         Row((403, 403, 403, 200, 200, 403), READ, TU),
    "recommendations:tracker_export":         Row((200, 403, 200, 200, 200, 403)),
    # --- Audits (tests/audits/test_views.py) ---------------------------------------------
    "audits:programme_list":                  Row((200, 200, 200, 200, 200, 200)),
    "audits:programme_create":                Row((403, 403, 403, 200, 200, 403), POST),
    "audits:my_cases":                        Row((200, 200, 403, 200, 403, 403)),
    "audits:population_import":               Row((403, 403, 403, 200, 200, 403), POST),
    "audits:population_upload":               Row((403, 403, 403, 200, 200, 403), READ, PU),
    "audits:programme_detail":                Row((200, 200, 200, 200, 200, 200), READ, PG),
    "audits:programme_findings":              Row((200, 200, 200, 200, 200, 200), READ, PG),
    "audits:sample_draw":                     Row((403, 403, 403, 200, 200, 403), POST, PG),
    "audits:sample_extend":                   Row((403, 403, 403, 200, 200, 403), POST, PG),
    "audits:substitute_add":                  Row((403, 403, 403, 200, 200, 403), POST, PG),
    "audits:programme_auditors":              Row((403, 403, 403, 200, 200, 403), POST, PG),
    "audits:auditors_assign":                 Row((403, 403, 403, 200, 200, 403), POST, PG),
    "audits:full_audit_create":               Row((403, 403, 403, 200, 200, 403), POST, PG),
    # Only the case's own auditor or moderator records it: anyone else gets 404.
    "audits:outcome_form":                    Row((404, 404, 403, 404, 403, 403), POST, SC),
    "audits:outcome_check":                   Row((404, 404, 403, 404, 403, 403), POST, SC),
    "audits:concern_raise":                   Row((404, 404, 403, 404, 403, 403), POST, SC),
    "audits:case_reassign":                   Row((403, 403, 403, 200, 200, 403), POST, SC),
    "audits:moderation_settle":               Row((403, 403, 403, 200, 200, 403), POST, SC),
    "audits:outcome_reopen":                  Row((403, 403, 403, 200, 200, 403), POST, OUT),
    # Everyone sees that a live concern exists (what it says is need-to-know, tested in
    # tests/audits/test_need_to_know.py); only a manager records the response.
    "audits:concern_detail":                  Row((200, 200, 200, 200, 200, 200), POST, LC,
                                                  post=(403, 403, 403, OK, OK, 403)),
    # --- End of audits -------------------------------------------------------------------
    # --- Reminders (tests/reminders/test_views.py) ---------------------------------------
    # Every signed-in user chooses how they are reminded; the address reset is POST only.
    "reminders:settings":                     Row((200, 200, 200, 200, 200, 200), POST),
    "reminders:calendar_token_reset":         Row((405, 405, 405, 405, 405, 405), POST),
    # --- End of reminders ----------------------------------------------------------------
    # --- Dashboard (tests/dashboard/test_views.py): read only; staff who see every
    # organisation may open it too, whatever their role (tested there).
    "dashboard:index":                        Row((403, 403, 403, 200, 200, 403)),
    "dashboard:clocks":                       Row((403, 403, 403, 200, 200, 403)),
    # --- End of dashboard ----------------------------------------------------------------
    # --- Reports (tests/reports/): drafts are the preparers' alone; everyone reads issued ones
    "reports:report_list":                    Row((200, 200, 200, 200, 200, 200)),
    "reports:report_create":                  Row((403, 403, 200, 200, 403, 403), POST),
    "reports:report_detail":                  Row((200, 200, 200, 200, 200, 200), READ, IR),
    "reports:report_update":                  Row((403, 403, 200, 200, 403, 403), POST, DR),
    "reports:report_issue":                   Row((403, 403, 200, 200, 403, 403), POST, DR),
    "reports:report_docx":                    Row((200, 200, 200, 200, 200, 200), READ, IR),
    "reports:report_pdf":                     Row((200, 200, 200, 200, 200, 200), READ, IR),
    "reports:report_csv":                     Row((200, 200, 200, 200, 200, 200), READ, IR),
    "reports:distribution_list":              Row((200, 200, 200, 200, 200, 200)),
    "reports:distribution_ledger":            Row((200, 200, 200, 200, 200, 200), READ, C),
    "reports:distribution_add":               Row((403, 403, 200, 200, 403, 403), POST, C),
    # The resolution or minutes after the meeting: those who record in the ledger.
    "reports:distribution_outcome":           Row((403, 403, 200, 200, 403, 403), POST, DE),
    "reports:minutes_download":               Row((200, 200, 200, 200, 200, 200), READ, DE),
    # --- End of reports ------------------------------------------------------------------
    # --- Side by side (tests/reports/test_side_by_side.py): a shared complaint's councils
    # side by side, only for users whose access covers every council it binds, which no
    # council's own staff do: 404, as for another council's records. Users who see every
    # organisation get it (test_side_by_side_is_for_users_who_see_every_council, below).
    "reports:complaint_side_by_side":         Row((404, 404, 404, 404, 404, 404), READ, SH),
    "reports:complaint_side_by_side_docx":    Row((404, 404, 404, 404, 404, 404), READ, SH),
    "reports:complaint_side_by_side_pdf":     Row((404, 404, 404, 404, 404, 404), READ, SH),
    # --- End of side by side -------------------------------------------------------------
    # --- Plans (tests/plans/): everyone reads; officers, managers and administrators change;
    # managers and committee clerks baseline (it records what a committee agreed).
    "plans:plan_detail":                      Row((200, 200, 200, 200, 200, 200), READ, R),
    "plans:milestone_add":                    Row((200, 403, 403, 200, 200, 403), POST, R),
    "plans:plan_baseline":                    Row((403, 403, 200, 200, 403, 403), POST, R),
    "plans:milestone_update":                 Row((200, 403, 403, 200, 200, 403), POST, MS),
    "plans:milestone_complete":               Row((200, 403, 403, 200, 200, 403), POST, MS),
    "plans:milestone_drop":                   Row((200, 403, 403, 200, 200, 403), POST, MS),
    "plans:milestone_reopen":                 Row((200, 403, 403, 200, 200, 403), POST, MS),
    "plans:complaint_timeline":               Row((200, 200, 200, 200, 200, 200), READ, C),
    # --- End of plans --------------------------------------------------------------------
    # --- Remedies (tests/remedies/test_views.py): read by all but auditors; officers,
    # managers and administrators record and pay; managers and administrators cancel.
    "remedies:payment_list":                  Row((200, 403, 200, 200, 200, 200), READ, PR),
    "remedies:payment_add":                   Row((200, 403, 403, 200, 200, 403), POST, PR),
    "remedies:payment_update":                Row((200, 403, 403, 200, 200, 403), POST, PAY),
    "remedies:payment_paid":                  Row((200, 403, 403, 200, 200, 403), POST, PAY),
    "remedies:payment_cancel":                Row((403, 403, 403, 200, 200, 403), POST, PAY),
    "remedies:organisation_totals":           Row((200, 403, 200, 200, 200, 200), READ, ORG),
    # --- End of remedies -----------------------------------------------------------------
    # --- Annual review (tests/annual_review/): those with the dashboard read; managers and
    # administrators type and import.
    "annual_review:letter_list":              Row((403, 403, 403, 200, 200, 403)),
    "annual_review:letter_create":            Row((403, 403, 403, 200, 200, 403), POST),
    "annual_review:letter_import":            Row((403, 403, 403, 200, 200, 403), POST),
    "annual_review:letter_detail":            Row((403, 403, 403, 200, 200, 403), READ, AL),
    "annual_review:letter_update":            Row((403, 403, 403, 200, 200, 403), POST, AL),
    # --- End of annual review ------------------------------------------------------------
    # --- Learning (tests/learning/): everyone reads the learning and its figures; officers and
    # managers run it; the named lists (audiences, sessions, who is outstanding) are theirs,
    # and who is outstanding and reminding them are the managers'. The personal link takes a
    # signed token instead of a session (LINK_URLS).
    "learning:point_list":                    Row((200, 200, 200, 200, 200, 200), READ, R),
    "learning:point_create":                  Row((200, 403, 403, 200, 403, 403), POST, R),
    "learning:point_detail":                  Row((200, 200, 200, 200, 200, 200), READ, LP),
    "learning:point_update":                  Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:version_publish":               Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:attachment_add":                Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:attachment_download":           Row((200, 200, 200, 200, 200, 200), READ, LA),
    "learning:coverage":                      Row((403, 403, 403, 200, 403, 403), READ, LP),
    "learning:links_send":                    Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:reminders_send":                Row((403, 403, 403, 200, 403, 403), POST, LP),
    # Anyone on the audience lists acknowledges in the app; others are told there is nothing
    # for them to acknowledge (tests/learning/test_acknowledging.py).
    "learning:acknowledge":                   Row((200, 200, 200, 200, 200, 200), POST, LP,
                                                  post=(OK, OK, OK, OK, OK, OK)),
    "learning:session_create":                Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:session_detail":                Row((200, 403, 403, 200, 403, 403), READ, LS),
    "learning:attendance_import":             Row((200, 403, 403, 200, 403, 403), POST, LS),
    "learning:follow_up_create":              Row((200, 403, 403, 200, 403, 403), POST, LP),
    "learning:follow_up_result":              Row((200, 403, 403, 200, 403, 403), POST, LF),
    # Administrators see the audiences (not the people in them) for the administration site.
    "learning:audience_list":                 Row((200, 403, 403, 200, 200, 403)),
    "learning:audience_create":               Row((200, 403, 403, 200, 403, 403), POST),
    "learning:people_import":                 Row((200, 403, 403, 200, 403, 403), POST),
    "learning:audience_detail":               Row((200, 403, 403, 200, 403, 403), READ, AU),
    "learning:person_leave":                  Row((200, 403, 403, 200, 403, 403), POST, PE),
    # --- End of learning -----------------------------------------------------------------
    # --- Two factors (tests/accounts/test_two_factor.py): each user's own; these sessions
    # have passed the second factor, so its step sends them on.
    "accounts:two_factor_enrol":              Row((200, 200, 200, 200, 200, 200), POST),
    "accounts:two_factor_verify":             Row((302, 302, 302, 302, 302, 302), POST),
    "accounts:recovery_codes":                Row((200, 200, 200, 200, 200, 200), POST),
    "accounts:security":                      Row((200, 200, 200, 200, 200, 200)),
    "accounts:device_remove":                 Row((405, 405, 405, 405, 405, 405), POST),
    # --- End of two factors --------------------------------------------------------------
    # --- Submissions (tests/submissions/): officers and managers prepare and send evidence to
    # the Ombudsman; every role reads the sent ones; drafts are the preparers' alone.
    "submissions:submission_list":            Row((200, 200, 200, 200, 200, 200), READ, C),
    "submissions:submission_create":          Row((200, 403, 403, 200, 403, 403), POST, C),
    "submissions:submission_detail":          Row((200, 200, 200, 200, 200, 200), READ, SS),
    "submissions:submission_update":          Row((200, 403, 403, 200, 403, 403), POST, DS),
    "submissions:submission_check":           Row((200, 403, 403, 200, 403, 403), POST, DS),
    "submissions:letter_docx":                Row((200, 200, 200, 200, 200, 200), READ, SS),
    "submissions:letter_pdf":                 Row((200, 200, 200, 200, 200, 200), READ, SS),
    "submissions:evidence_zip":               Row((200, 200, 200, 200, 200, 200), READ, SS),
    # --- End of submissions --------------------------------------------------------------
    # --- Verdicts (tests/verdicts/): officers and managers record the Ombudsman's reply;
    # every role reads the verdicts and downloads their letters.
    "verdicts:verdict_record":                Row((200, 403, 403, 200, 403, 403), POST, AR),
    "verdicts:letter_download":               Row((200, 200, 200, 200, 200, 200), READ, VD),
    # --- End of verdicts -----------------------------------------------------------------
}
# fmt: on


def _named_patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern


# Calendar programs cannot sign in: these take a secret token in the address instead of a
# session, and tests/reminders/test_calendar.py tests them.
TOKEN_URLS = {
    "reminders:calendar_mine",
    "reminders:calendar_organisation",
    # Staff outside the app acknowledge learning through a signed personal link, without
    # signing in: test_the_personal_link_answers_anonymous_visitors (below) and
    # tests/learning/test_acknowledging.py test it.
    "learning:acknowledge_link",
}
# Signing in with the council's identity provider comes before any role:
# tests/accounts/test_single_sign_on.py tests these.
SIGN_IN_URLS = {"oidc_authentication_init", "oidc_authentication_callback", "oidc_logout"}
# Signing out answers everyone, signed in or not: tests/accounts/test_sign_out.py tests it.
SIGN_OUT_URLS = {"logout"}
# django-otp-webauthn's JSON ceremonies, called by its script (they answer JSON, not a sign-in
# page): tests/accounts/test_two_factor.py tests who may start them.
SECURITY_KEY_URLS = {
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}


def project_url_names() -> list[str]:
    """Every URL of the project but the admin's, django.contrib.auth's and the token feeds."""
    names = []
    for namespace, pattern in _named_patterns(get_resolver()):
        if namespace.startswith("admin:") or pattern.callback.__module__.startswith(
            "django.contrib.auth"
        ):
            continue
        if f"{namespace}{pattern.name}" in (
            TOKEN_URLS | SIGN_IN_URLS | SIGN_OUT_URLS | SECURITY_KEY_URLS
        ):
            continue
        # An unnamed URL cannot be in the table: it shows up here as "<namespace>None".
        names.append(f"{namespace}{pattern.name}")
    return sorted(set(names))


def test_every_row_of_the_table_is_a_url_of_the_project():
    assert sorted(EXPECTED) == project_url_names()


# --- The records: two councils, each with staff in every role -------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Croydon's records of every kind; a complaint Croydon and Kent share, with a
    recommendation, evidence and an extension of each; one user per role in each council.

    Made once, inside a transaction rolled back when the module ends.
    """
    media = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with (
        django_db_blocker.unblock(),
        media,
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        yield _records(patch)
        transaction.set_rollback(True)


def _records(patch):
    croydon = Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    manager = user_with_role(MANAGER, username="croydon-manager", organisation=croydon)
    kent_manager = user_with_role(MANAGER, username="kent-manager", organisation=kent)
    complaint = complaint_recorded(by=manager, organisations=[croydon])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    shared = complaint_recorded(by=manager, organisations=[croydon, kent], reference="21 999 999")
    return {
        "croydon": croydon,
        "kent": kent,
        "staff": {
            (council, role): user_with_role(
                role,
                username=f"{council.name[:4].lower()}-{role.name.lower()}",
                organisation=council,
            )
            for council in (croydon, kent)
            for role in ROLES
        },
        "complaint": complaint,
        **_recommendation_records(recommendation, manager),
        # Queued only: its import never runs here, as no transaction commits in these tests.
        "tracker_upload": tracker_upload_create(
            file=SimpleUploadedFile("tracker.csv", b"complaint_reference\n"),
            by=manager,
            at=timezone.now(),
        ),
        **audit_records(manager, recommendation, croydon),
        **learning_records(manager, recommendation, croydon),
        "milestone": milestone_added(recommendation=recommendation, by=manager, owner=manager),
        **report_records(manager, complaint, croydon, patch),
        **remedy_records(manager, complaint),
        **submission_records(manager, croydon, patch),
        **verdict_records(manager, complaint),
        "shared_complaint": shared,  # side by side
        "shared": {
            "complaint": shared,
            croydon: _recommendation_records(
                recommendation_recorded(complaint=shared, organisation=croydon, by=manager),
                manager,
            ),
            kent: _recommendation_records(
                recommendation_recorded(complaint=shared, organisation=kent, by=kent_manager),
                kent_manager,
            ),
        },
    }


def _recommendation_records(recommendation, manager):
    """The recommendation with a file of evidence and a pending extension."""
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=manager,
        at=timezone.now(),
    )
    extension = deadline_services.extension_request(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 5, 26),
        reason="Waiting for the committee",
        basis=ExtensionBasis.COMMITTEE_DECISION,
        by=manager,
        at=timezone.now(),
    )
    return {"recommendation": recommendation, "evidence": evidence, "extension": extension}


def remedy_records(manager, complaint):
    """A Croydon personal remedy with a payment due, and Croydon's annual letter."""
    remedy = remedy_recommended(complaint=complaint, by=manager, owner=manager)
    return {
        "remedy_recommendation": remedy,
        "remedy_payment": payment_recorded(recommendation=remedy, by=manager),
        "annual_letter": letter_recorded(organisation=complaint.organisations.get(), by=manager),
    }


def submission_records(manager, croydon, patch):
    """A draft and a sent Croydon evidence submission, on a complaint of their own (sending
    completes its s31(2) clock and makes its recommendation await the Ombudsman)."""
    from submissions import services as submission_services

    # The letter's contents do not matter here; rendering it for every row would be slow.
    patch.setattr(submission_services, "render_docx", lambda document: b"PK docx")
    patch.setattr(submission_services, "render_pdf", lambda document: b"%PDF-1.7 pdf")
    complaint = complaint_recorded(by=manager, organisations=[croydon], reference="21 888 888")
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=manager,
        at=timezone.now(),
    )

    def draft():
        return submission_services.submission_draft_create(
            complaint=complaint,
            organisation=croydon,
            items=[
                submission_services.ItemChoice(
                    recommendation, "Briefed the teams.", date(2022, 1, 14), [evidence]
                )
            ],
            by=manager,
            at=timezone.now(),
        )

    sent = draft()
    sent = submission_services.submission_send(
        submission=sent, redaction_confirmed=True, by=manager, at=timezone.now(), version=1
    )
    return {"draft_submission": draft(), "sent_submission": sent}


def verdict_records(manager, complaint):
    """A Croydon recommendation awaiting the Ombudsman, and one the Ombudsman is satisfied
    with, its letter attached."""
    from verdicts import services as verdict_services

    awaiting = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    satisfied = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    for recommendation in (awaiting, satisfied):
        verdict_services.evidence_sent_record(
            recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
        )
    satisfied.refresh_from_db()
    verdict = verdict_services.verdict_record(
        recommendation=satisfied,
        kind="satisfied",
        letter_date=date(2022, 3, 15),
        letter=SimpleUploadedFile("satisfied.pdf", b"%PDF-1.4 satisfied"),
        by=manager,
        at=timezone.now(),
        version=satisfied.version,
    )
    return {"awaiting_recommendation": awaiting, "verdict": verdict}


def report_records(manager, complaint, croydon, patch):
    """A draft and an issued Croydon report, and a ledger entry with minutes."""
    from reports import services as report_services
    from reports.models import Body

    # The files' contents do not matter here; rendering them for every row would be slow.
    patch.setattr(report_services, "render_docx", lambda document: b"PK docx")
    patch.setattr(report_services, "render_pdf", lambda document: b"%PDF-1.7 pdf")
    cabinet = Body.objects.get(name="Cabinet")

    def draft():
        return report_services.report_draft_create(
            organisation=croydon,
            complaints=[complaint],
            body=cabinet,
            meeting_date=date(2022, 2, 15),
            asked_to="Note the report.",
            by=manager,
            at=timezone.now(),
        )

    issued = report_services.report_issue(report=draft(), by=manager, at=timezone.now())
    entry = report_services.distribution_record(
        complaint=complaint,
        organisation=croydon,
        body=cabinet,
        meeting_date=date(2022, 2, 15),
        what_was_sent="Progress report",
        minutes=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
        report=issued,
        by=manager,
        at=timezone.now(),
    ).entry
    return {"draft_report": draft(), "issued_report": issued, "distribution_entry": entry}


def learning_records(manager, recommendation, croydon):
    """A Croydon learning point with an audience, a person, an attachment, a session and a
    follow-up check."""
    from learning import services as learning_services
    from tests.factories import audience_made, learning_point_recorded, person_added

    audience = audience_made(organisation=croydon, by=manager)
    point = learning_point_recorded(recommendation=recommendation, by=manager, audiences=[audience])
    return {
        "learning_point": point,
        "learning_audience": audience,
        "learning_person": person_added(organisation=croydon, audiences=[audience]),
        "learning_attachment": learning_services.attachment_add(
            learning_point=point,
            description="Briefing note",
            file=SimpleUploadedFile("note.pdf", b"%PDF-1.4 note"),
            by=manager,
            at=timezone.now(),
        ),
        "learning_session": learning_services.session_record(
            learning_point=point,
            held_on=date(2022, 3, 1),
            format="online",
            facilitator="Trainer",
            by=manager,
            at=timezone.now(),
        ),
        "learning_follow_up": learning_services.follow_up_schedule(
            learning_point=point,
            kind="knowledge_check",
            delivered_on=date(2022, 3, 1),
            interval_months=3,
            by=manager,
        ),
    }


def test_the_personal_link_answers_anonymous_visitors(client, records):
    """With a valid token, without signing in; anything else is a clear page, not sign-in."""
    from learning.links import link_token_make
    from learning.models import PersonalLink

    point = records["learning_point"]
    link = PersonalLink.objects.create(
        person=records["learning_person"],
        learning_version=point.current_version,
        created_at=timezone.now(),
    )
    token = link_token_make(link_id=link.pk, at=timezone.now())
    valid = reverse("learning:acknowledge_link", args=[token])
    made_up = reverse("learning:acknowledge_link", args=["made-up"])

    assert (client.get(valid).status_code, client.get(made_up).status_code) == (200, 404)


def audit_records(manager, recommendation, croydon):
    """A drawn and assigned Croydon audit with a submitted outcome and a live concern."""
    population_imported(organisation=croydon, count=3, by=manager)
    # Queued only: its import never runs here, as no transaction commits in these tests.
    upload = audit_uploads.population_upload_create(
        file=SimpleUploadedFile("population.csv", b"case_reference\n"),
        organisation=croydon,
        by=manager,
        at=timezone.now(),
    )
    programme = programme_set_up(recommendation=recommendation, by=manager, target_sample_size=2)
    audit_services.sample_draw(programme=programme, by=manager, at=timezone.now())
    auditor = user_with_role(AUDITOR, username="croydon-auditor", organisation=croydon, team="QA")
    audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.first()
    outcome = audit_services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers={"grade": "good", "similar_issues": False},
        version=None,
        submit=True,
        at=timezone.now(),
    )
    concern = audit_services.concern_raise(
        sample_case=sample_case,
        concern="At risk",
        raised_by=auditor,
        at=timezone.now(),
        team_manager_email="tm@example.org",
    )
    return {
        "programme": programme,
        "sample_case": sample_case,
        "outcome": outcome,
        "concern": concern,
        "population_upload": upload,
    }


@pytest.fixture
def records(world, db):
    """The module's records, with this test's changes rolled back after it (``db``)."""
    return world


def _url(name, records):
    row = EXPECTED[name]
    return reverse(name, args=[records[row.object].pk] if row.object else [])


def _signed_in(client, records, council, role):
    client.force_login(records["staff"][(records[council], role)])
    return client


def _role_id(role):
    return role.name.lower()


# --- Staff of the council whose records they are --------------------------------------------


@pytest.mark.parametrize("name", project_url_names())
@pytest.mark.parametrize("role", ROLES, ids=_role_id)
def test_get_status_for_each_role(client, records, name, role):
    assert name in EXPECTED, f"{name} has no row in EXPECTED: decide who may open it"
    _signed_in(client, records, "croydon", role)

    response = client.get(_url(name, records))

    assert response.status_code == EXPECTED[name].get[ROLES.index(role)]


@pytest.mark.parametrize("name", project_url_names())
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, records, name, method):
    assert name in EXPECTED, f"{name} has no row in EXPECTED: decide who may open it"
    url = _url(name, records)

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def _refused_posts():
    for name, row in EXPECTED.items():
        if row.changes_state:
            for role in ROLES:
                if row.refused_post(role):
                    yield name, role


@pytest.mark.parametrize(("name", "role"), list(_refused_posts()), ids=str)
def test_post_by_a_role_without_the_permission_is_refused(client, records, name, role):
    _signed_in(client, records, "croydon", role)
    recommendation = records["recommendation"]
    status_before = recommendation.status

    response = client.post(
        _url(name, records),
        {
            "decision": "agree",
            "to_status": "in_progress",
            "description": "x",
            "url": "https://a.b",
            "response": "Seen",
        },
    )

    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == status_before
    assert recommendation.evidence.count() == 1
    records["concern"].refresh_from_db()
    assert records["concern"].responded_at is None


# --- Staff of another council ---------------------------------------------------------------

OBJECT_URLS = [name for name, row in EXPECTED.items() if row.object]


def _other_council_status(name, role, method) -> int:
    """What another council's staff get for a record: 404 once the lookup is reached; a
    refusal of the role or the method comes first, as for the council's own staff."""
    row = EXPECTED[name]
    if method == "post":
        return 403 if row.refused_post(role) else 404
    own = row.get[ROLES.index(role)]
    return own if own in (403, 405) else 404


@pytest.mark.parametrize("name", OBJECT_URLS)
@pytest.mark.parametrize("role", ROLES, ids=_role_id)
def test_staff_of_another_council_get_404_for_croydons_records(client, records, name, role):
    _signed_in(client, records, "kent", role)
    url = _url(name, records)

    get = client.get(url)
    post = client.post(url, {"decision": "agree", "response": "Seen"})

    assert (get.status_code, post.status_code) == (
        _other_council_status(name, role, "get"),
        _other_council_status(name, role, "post"),
    )


def test_a_user_who_sees_all_organisations_sees_croydons_records(client, records):
    user = user_with_role(
        MANAGER,
        username="regional-manager",
        organisation=records["kent"],
        sees_all_organisations=True,
    )
    client.force_login(user)

    response = client.get(_url("recommendations:recommendation_detail", records))

    assert response.status_code == 200


# --- A complaint two councils share ---------------------------------------------------------

# Each council's recommendation on the shared complaint, its evidence and its extension.
PER_COUNCIL = {"recommendation", "evidence", "extension"}
SHARED_URLS = [name for name in OBJECT_URLS if EXPECTED[name].object in {"complaint", *PER_COUNCIL}]


@pytest.mark.parametrize("name", SHARED_URLS)
@pytest.mark.parametrize("role", ROLES, ids=_role_id)
@pytest.mark.parametrize("council", ["croydon", "kent"])
def test_on_a_shared_complaint_each_council_reaches_the_complaint_and_only_its_own_records(
    client, records, name, role, council
):
    _signed_in(client, records, council, role)
    other = "kent" if council == "croydon" else "croydon"
    shared = records["shared"]
    row = EXPECTED[name]

    def status(owner):
        target = (
            shared["complaint"] if row.object == "complaint" else shared[records[owner]][row.object]
        )
        return client.get(reverse(name, args=[target.pk])).status_code

    if row.object == "complaint":
        assert status(council) == row.get[ROLES.index(role)]
    else:
        assert (status(council), status(other)) == (
            row.get[ROLES.index(role)],
            _other_council_status(name, role, "get"),
        )


# --- Side by side ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES, ids=_role_id)
def test_side_by_side_is_for_users_who_see_every_council(client, records, role):
    """The shared complaint's page for anyone whose access covers both councils, whatever
    their role; a complaint binding one council has none (its own page is the picture)."""
    client.force_login(
        user_with_role(
            role,
            username=f"regional-{role.name.lower()}",
            organisation=records["kent"],
            sees_all_organisations=True,
        )
    )

    def status(complaint):
        url = reverse("reports:complaint_side_by_side", args=[complaint.pk])
        return client.get(url).status_code

    assert (status(records["shared_complaint"]), status(records["complaint"])) == (200, 404)
