"""The administration site, as a council administrator uses it: they see and manage their own
council and nothing of another's, give nobody more than the app's roles, and change records
only where the app's services stay in charge.

Every admin page that takes an object's id is read from ``admin.site._registry``, so a new
model admin is covered (and ``ADMINISTRATORS_MAY`` must say what the role may do with it).
The records are made once for the module (``world``); each test runs in a savepoint.
"""

from collections.abc import Mapping
from datetime import date
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import modelform_factory
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.roles import Role
from annual_review.models import AnnualLetter
from audits import services as audit_services
from audits.models import AuditOutcome, AuditProgramme, LiveConcern, SampleCase
from deadlines import services as deadline_services
from deadlines.models import (
    ComplianceSettings,
    Deadline,
    Extension,
    ExtensionBasis,
    StatutoryClockRule,
)
from learning import services as learning_services
from learning.models import (
    Acknowledgement,
    Audience,
    DeliverySession,
    FollowUpCheck,
    LearningPoint,
    Person,
)
from organisations.models import Organisation, Team
from plans.models import ActionPlan, Milestone
from recommendations import services
from recommendations.models import Complaint, Evidence, Ombudsman, Recommendation
from remedies.models import RemedyPayment
from reminders.models import ManagerDigest, Reminder, ReminderSchedule
from reports import services as report_services
from reports.models import Body, BodyKind, CommitteeReport, DistributionEntry
from submissions import services as submission_services
from submissions.models import Submission
from tests.factories import (
    UserFactory,
    audience_made,
    complaint_recorded,
    learning_point_recorded,
    letter_recorded,
    milestone_added,
    payment_recorded,
    person_added,
    population_imported,
    programme_set_up,
    recommendation_recorded,
    remedy_recommended,
    user_with_role,
)
from verdicts import services as verdict_services
from verdicts.models import AwaitedReply, Verdict
from viewlog.models import RecordView, ViewKind
from viewlog.services import view_record

# What the Administrators group may do in the admin with its own council's records:
# v view, a add, c change. Everything else is refused; another council's records are a 404.
ADMINISTRATORS_MAY = {
    User: "vac",
    Organisation: "vc",
    Team: "vac",
    Body: "vac",
    Complaint: "v",
    Recommendation: "v",
    Deadline: "vc",  # the owner only, through deadline_services.deadline_owner_change
    Extension: "v",
    ComplianceSettings: "vac",  # which compliance rate leads, for their own council
    Evidence: "v",
    CommitteeReport: "v",
    DistributionEntry: "v",
    AuditProgramme: "v",
    SampleCase: "v",
    AuditOutcome: "v",
    LiveConcern: "v",
    ActionPlan: "v",
    Milestone: "vc",  # title, owner and planned date, through plans.services.milestone_update
    RemedyPayment: "v",  # recorded, paid and cancelled through remedies.services
    AnnualLetter: "v",  # typed and imported through annual_review.services
    Submission: "v",  # prepared and sent through submissions.services
    AwaitedReply: "v",  # evidence sent, through verdicts.services.evidence_sent_record
    Verdict: "v",  # the Ombudsman's reply, through verdicts.services.verdict_record
    # The learning programme, run through learning.services; the named people and their
    # acknowledgements are the learning's managers' to see, not the administrators'.
    LearningPoint: "v",
    Audience: "v",
    DeliverySession: "v",
    FollowUpCheck: "v",
    Person: "",
    Acknowledgement: "",
    RecordView: "v",  # the view log: read only, even for a superuser
    AccessAttempt: "vd",  # a sign-in lockout: deleting it lifts the lock
    AccessFailureLog: "v",
    Reminder: "",
    ManagerDigest: "",
    # Shared by every council: only a superuser changes them.
    Ombudsman: "v",
    StatutoryClockRule: "v",
    ReminderSchedule: "",
    Group: "",
}
SHARED = {Ombudsman, StatutoryClockRule, ReminderSchedule, Group}
COUNCIL_DATA = sorted(set(ADMINISTRATORS_MAY) - SHARED, key=lambda model: model._meta.label)

CONCERN = "Seen at the station with an adult not known to services"
RESPONSE = "Strategy discussion held the same afternoon"
FINDINGS = "No record of the other council being contacted"
LEARNING = "Contact the other council on the day of the referral"


def test_every_model_admin_says_what_a_council_administrator_may_do():
    assert set(admin.site._registry) == set(ADMINISTRATORS_MAY)


# --- The records: Croydon's and Kent's of every kind, and a complaint both share -------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Made once, inside a transaction rolled back when the module ends."""
    settings = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield _world()
        transaction.set_rollback(True)


def _world():
    croydon = Organisation.objects.create(name="Croydon Council")
    kent = Organisation.objects.create(name="Kent County Council")
    admin_user = user_with_role(
        Role.ADMINISTRATOR, username="croydon-admin", organisation=croydon, is_staff=True
    )
    croydon_manager = user_with_role(Role.MANAGER, username="croydon-manager", organisation=croydon)
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    shared = complaint_recorded(
        by=croydon_manager, organisations=[croydon, kent], reference="21 999 999"
    )
    for council, manager in ((croydon, croydon_manager), (kent, kent_manager)):
        recommendation_recorded(complaint=shared, organisation=council, by=manager)
    return {
        "admin": admin_user,
        "superuser": UserFactory(
            username="root", organisation=croydon, is_staff=True, is_superuser=True
        ),
        "croydon": _council_records(croydon, croydon_manager, slug="croydon"),
        "kent": _council_records(kent, kent_manager, slug="kent"),
        "shared": shared,
    }


def _council_records(council, manager, *, slug):
    """One record of each model the council owns, keyed by model."""
    now = timezone.now()
    officer = user_with_role(Role.OFFICER, username=f"{slug}-officer", organisation=council)
    complaint = complaint_recorded(by=manager, organisations=[council])
    recommendation = recommendation_recorded(complaint=complaint, by=manager, owner=manager)
    evidence = services.evidence_add(
        recommendation=recommendation,
        description="Briefing",
        file=SimpleUploadedFile("briefing.pdf", b"%PDF-1.4 briefing"),
        by=manager,
        at=now,
    )
    extension = deadline_services.extension_request(
        deadline=recommendation.deadline,
        new_due_date=date(2022, 5, 26),
        reason="Waiting for the committee",
        basis=ExtensionBasis.COMMITTEE_DECISION,
        by=manager,
        at=now,
    )
    body = Body.objects.create(
        organisation=council, name="Corporate Parenting Panel", kind=BodyKind.COMMITTEE
    )
    report = report_services.report_draft_create(
        organisation=council,
        complaints=[complaint],
        body=body,
        meeting_date=date(2022, 2, 15),
        asked_to="Note the report.",
        by=manager,
        at=now,
    )
    entry = report_services.distribution_record(
        complaint=complaint,
        organisation=council,
        body=body,
        meeting_date=date(2022, 2, 15),
        what_was_sent="Progress report",
        by=manager,
        at=now,
    ).entry
    return {
        Organisation: council,
        User: officer,
        Team: Team.objects.create(
            organisation=council,
            name="Front Door",
            manager_name="Team Manager",
            manager_email=f"front-door@{slug}.example.org",
        ),
        Complaint: complaint,
        Recommendation: recommendation,
        Deadline: recommendation.deadline,
        Evidence: evidence,
        Extension: extension,
        ComplianceSettings: ComplianceSettings.objects.create(organisation=council),
        Body: body,
        CommitteeReport: report,
        DistributionEntry: entry,
        Reminder: Reminder.objects.create(
            deadline=recommendation.deadline,
            for_due_date=recommendation.deadline.due_date,
            stage="7",
            recipient=manager,
            summary="due in 7 days",
            created_at=now,
        ),
        ManagerDigest: ManagerDigest.objects.create(recipient=manager, dispatched_at=now),
        RecordView: view_record(user=officer, record=complaint, kind=ViewKind.COMPLAINT, at=now),
        **_lockout_records(officer),
        **_audit_records(council, manager, recommendation, slug=slug),
        **_remedy_records(council, complaint, manager),
        **_verdict_records(complaint, manager),
        Submission: submission_services.submission_draft_create(
            complaint=complaint,
            organisation=council,
            items=[
                submission_services.ItemChoice(
                    recommendation, "Briefed the teams.", date(2022, 1, 14), [evidence]
                )
            ],
            by=manager,
            at=now,
        ),
        **_plan_records(recommendation, manager),
        **_learning_records(council, recommendation, manager),
    }


def _remedy_records(council, complaint, manager):
    """A payment on a personal remedy, and the council's annual letter."""
    remedy = remedy_recommended(complaint=complaint, by=manager)
    return {
        RemedyPayment: payment_recorded(recommendation=remedy, by=manager),
        AnnualLetter: letter_recorded(organisation=council, by=manager),
    }


def _verdict_records(complaint, manager):
    """Evidence sent to the Ombudsman, and the Ombudsman's verdict on it."""
    recommendation = recommendation_recorded(complaint=complaint, by=manager)
    awaited = verdict_services.evidence_sent_record(
        recommendation=recommendation, sent_on=date(2022, 2, 20), by=manager
    )
    recommendation.refresh_from_db()
    verdict = verdict_services.verdict_record(
        recommendation=recommendation,
        kind="further_report",
        letter_date=date(2022, 3, 15),
        by=manager,
        at=timezone.now(),
        version=recommendation.version,
    )
    return {AwaitedReply: awaited, Verdict: verdict}


def _lockout_records(user):
    """The officer locked out after ten wrong passwords, as django-axes records it."""
    where = {"username": user.username, "ip_address": "192.0.2.1", "user_agent": "Firefox"}
    return {
        AccessAttempt: AccessAttempt.objects.create(
            **where,
            failures_since_start=10,
            get_data="",
            post_data="",
            http_accept="*/*",
            path_info="/accounts/login/",
        ),
        AccessFailureLog: AccessFailureLog.objects.create(
            **where, locked_out=True, http_accept="*/*", path_info="/accounts/login/"
        ),
    }


def _learning_records(council, recommendation, manager):
    now = timezone.now()
    audience = audience_made(organisation=council, by=manager)
    person = person_added(organisation=council, audiences=[audience])
    point = learning_point_recorded(recommendation=recommendation, by=manager, audiences=[audience])
    session = learning_services.session_record(
        learning_point=point,
        held_on=date(2022, 3, 1),
        format="online",
        facilitator="Trainer",
        by=manager,
        at=now,
    )
    acknowledgement, _ = learning_services._acknowledgement_record(
        person=person, learning_version=point.current_version, how="app", at=now
    )
    check = learning_services.follow_up_schedule(
        learning_point=point,
        kind="knowledge_check",
        delivered_on=date(2022, 3, 1),
        interval_months=3,
        by=manager,
    )
    return {
        LearningPoint: point,
        Audience: audience,
        Person: person,
        DeliverySession: session,
        Acknowledgement: acknowledgement,
        FollowUpCheck: check,
    }


def _plan_records(recommendation, manager):
    milestone = milestone_added(recommendation=recommendation, by=manager)
    return {ActionPlan: milestone.plan, Milestone: milestone}


def _audit_records(council, manager, recommendation, *, slug):
    now = timezone.now()
    population_imported(organisation=council, count=3, by=manager)
    programme = programme_set_up(recommendation=recommendation, by=manager, target_sample_size=2)
    audit_services.sample_draw(programme=programme, by=manager, at=now)
    auditor = user_with_role(Role.AUDITOR, username=f"{slug}-auditor", organisation=council)
    audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    sample_case = programme.sample_cases.first()
    outcome = audit_services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers={"grade": "good", "similar_issues": False, "findings": FINDINGS},
        version=None,
        submit=False,
        at=now,
    )
    outcome = audit_services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers={"learning": LEARNING},
        version=outcome.version,
        submit=True,
        at=now,
    )
    concern = audit_services.concern_raise(
        sample_case=sample_case,
        concern=CONCERN,
        raised_by=auditor,
        at=now,
        team_manager_email="front-door@example.org",
    )
    audit_services.concern_respond(concern=concern, response=RESPONSE, by=manager, at=now)
    return {
        AuditProgramme: programme,
        SampleCase: sample_case,
        AuditOutcome: outcome,
        LiveConcern: concern,
    }


def _fresh(record):
    return type(record).objects.get(pk=record.pk)


class _Fresh(Mapping):
    """The module's records, each read afresh from the database when a test first asks for
    it (so no test sees another's changes to them in memory, and none reads what it never
    uses)."""

    def __init__(self, records):
        self._records, self._read = records, {}

    def __getitem__(self, key):
        if key not in self._read:
            record = self._records[key]
            self._read[key] = _Fresh(record) if isinstance(record, dict) else _fresh(record)
        return self._read[key]

    def __iter__(self):
        return iter(self._records)

    def __len__(self):
        return len(self._records)


@pytest.fixture
def records(world, db):
    """The module's records, fresh from the database, with this test's changes rolled back
    after it (``db``)."""
    return _Fresh(world)


@pytest.fixture
def administrator(client, records):
    """Croydon's administrator, signed in."""
    client.force_login(records["admin"])
    return client


def _url(name, *args):
    return reverse(f"admin:{name}", args=args)


def _names(model):
    return f"{model._meta.app_label}_{model._meta.model_name}"


def _model_id(model):
    return model._meta.label


# --- Another council's records and users: a 404 on every page that takes their id ----------


def admin_object_urls(models):
    """(model, url name, how many ids) for every admin page of ``models`` taking an id."""
    return [
        (model, pattern.name, pattern.pattern.regex.groups)
        for model in models
        for pattern in admin.site._registry[model].get_urls()
        if pattern.name and pattern.pattern.regex.groups
    ]


def _object_args(obj, ids):
    # The second id is a version of the record, in django-simple-history's page for it.
    return [obj.pk] if ids == 1 else [obj.pk, obj.history.latest().history_id]


def _url_id(value):
    return value._meta.label if isinstance(value, type) else str(value)


@pytest.mark.parametrize(("model", "name", "ids"), admin_object_urls(COUNCIL_DATA), ids=_url_id)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_record_is_a_404_on_every_page_taking_its_id(
    administrator, records, model, name, ids, method
):
    kent_record = records["kent"][model]

    response = getattr(administrator, method)(_url(name, *_object_args(kent_record, ids)))

    assert response.status_code == 404


@pytest.mark.parametrize("model", COUNCIL_DATA, ids=_model_id)
def test_a_list_shows_the_administrators_council_and_never_another(administrator, records, model):
    response = administrator.get(_url(f"{_names(model)}_changelist"))

    if "v" not in ADMINISTRATORS_MAY[model]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {row.pk for row in response.context["cl"].result_list}
    assert records["croydon"][model].pk in listed
    assert records["kent"][model].pk not in listed


@pytest.mark.parametrize("model", COUNCIL_DATA, ids=_model_id)
def test_a_superuser_sees_every_councils_records(client, records, model):
    client.force_login(records["superuser"])

    response = client.get(_url(f"{_names(model)}_changelist"))

    listed = {row.pk for row in response.context["cl"].result_list}
    assert {records["croydon"][model].pk, records["kent"][model].pk} <= listed


@pytest.mark.parametrize("model", sorted(ADMINISTRATORS_MAY, key=_model_id), ids=_model_id)
def test_only_users_teams_and_bodies_are_added_by_a_council_administrator(administrator, model):
    response = administrator.get(_url(f"{_names(model)}_add"))

    assert response.status_code == (200 if "a" in ADMINISTRATORS_MAY[model] else 403)


def test_the_admin_index_lists_what_a_council_administrator_may_see(administrator):
    response = administrator.get(_url("index"))

    listed = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert listed == {model.__name__ for model, may in ADMINISTRATORS_MAY.items() if "v" in may}


def test_filters_by_organisation_list_only_the_administrators_council(administrator):
    response = administrator.get(_url("accounts_user_changelist"))

    [organisation_filter] = [
        spec for spec in response.context["cl"].filter_specs if spec.field_path == "organisation"
    ]
    assert [label for _, label in organisation_filter.lookup_choices] == ["Croydon Council"]


def test_a_shared_complaint_shows_only_the_administrators_councils_rows(administrator, records):
    shared = records["shared"]

    response = administrator.get(_url("recommendations_complaint_change", shared.pk))

    assert response.status_code == 200
    shown = {
        inline.formset.model: {row.organisation.name for row in inline.formset.queryset}
        for inline in response.context["inline_admin_formsets"]
    }
    assert shown == {Recommendation: {"Croydon Council"}, Deadline: {"Croydon Council"}}
    assert shared.deadlines.filter(organisation__name="Kent County Council").exists()


def test_another_council_cannot_be_chosen_for_a_new_team_or_body(administrator, records):
    kent = records["kent"][Organisation]

    team = administrator.post(
        _url("organisations_team_add"),
        {
            "organisation": kent.pk,
            "name": "Kent team",
            "manager_name": "Team Manager",
            "manager_email": "kent-team@example.org",
        },
    )
    body = administrator.post(
        _url("reports_body_add"), {"name": "Shared panel", "kind": "committee", "is_active": "on"}
    )

    assert team.status_code == 200
    assert team.context["adminform"].form.errors == {
        "organisation": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert body.status_code == 200
    assert body.context["adminform"].form.errors == {"organisation": ["This field is required."]}
    assert not Team.objects.filter(name="Kent team").exists()
    assert not Body.objects.filter(name="Shared panel").exists()


# --- Nobody becomes a superuser, or more than a role, through the admin ---------------------


class _FormFields(HTMLParser):
    """What a browser would post from the page's form ``form_id``, unchanged."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.select = self.textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside or "disabled" in attrs:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") not in ("checkbox", "radio"):
                self._add(attrs["name"], attrs.get("value") or "")
            elif "checked" in attrs:
                self._add(attrs["name"], attrs.get("value") or "on")
        elif tag == "select":
            self.select = {"name": attrs["name"], "first": None, "chosen": False}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.select["first"] = value if self.select["first"] is None else self.select["first"]
            if "selected" in attrs:
                self.select["chosen"] = True
                self._add(self.select["name"], value)
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self._add(self.textarea, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            # A single choice with none selected posts the first option; a multiple, nothing.
            if not self.select["chosen"] and self.select["first"] is not None:
                self.data.setdefault(self.select["name"], [self.select["first"]])
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.data[self.textarea][-1] += data.removeprefix("\n")


def change_form_data(client, url, model) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(page.content.decode())
    return parser.data


def _group(name):
    return Group.objects.get_or_create(name=name)[0]


@pytest.mark.parametrize("whose", ["their own", "a colleague's"])
def test_a_council_administrator_cannot_make_a_user_superuser_or_give_what_they_lack(
    administrator, records, whose
):
    target = records["admin"] if whose == "their own" else records["croydon"][User]
    url = _url("accounts_user_change", target.pk)
    data = change_form_data(administrator, url, User)
    roles_before = sorted(target.groups.values_list("name", flat=True))
    forged = data | {
        "is_superuser": ["on"],
        "sees_all_organisations": ["on"],
        "user_permissions": [str(Permission.objects.get(codename="delete_user").pk)],
    }

    refused = administrator.post(url, forged | {"groups": [str(_group("Data protection").pk)]})
    saved = administrator.post(url, forged)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "groups": [
            f"Select a valid choice. {_group('Data protection').pk} is not one of the "
            "available choices."
        ]
    }
    assert saved.status_code == 302
    target.refresh_from_db()
    assert (target.is_superuser, target.sees_all_organisations) == (False, False)
    assert list(target.user_permissions.all()) == []
    assert sorted(target.groups.values_list("name", flat=True)) == roles_before


def test_a_council_administrator_gives_any_of_the_roles_and_keeps_what_only_a_superuser_gives(
    administrator, records
):
    target = records["croydon"][User]
    target.groups.add(_group("Data protection"))
    export = Permission.objects.get(codename="export_tracker")
    target.user_permissions.add(export)
    url = _url("accounts_user_change", target.pk)
    data = change_form_data(administrator, url, User)
    viewers = Group.objects.get(name=Role.VIEWER)

    response = administrator.post(url, data | {"groups": [str(viewers.pk)]})

    assert response.status_code == 302
    assert sorted(target.groups.values_list("name", flat=True)) == ["Data protection", "Viewers"]
    assert list(target.user_permissions.all()) == [export]
    form = administrator.get(url).context["adminform"].form
    assert sorted(form.fields["groups"].queryset.values_list("name", flat=True)) == sorted(
        Role.values
    )


def test_superusers_and_other_councils_users_are_404_to_a_council_administrator(
    administrator, records
):
    superuser, kent_user = records["superuser"], records["kent"][User]

    password = {"usable_password": "true", "password1": "taken-9876", "password2": "taken-9876"}

    responses = [
        administrator.get(_url("accounts_user_change", superuser.pk)),
        administrator.get(_url("auth_user_password_change", superuser.pk)),
        administrator.post(_url("auth_user_password_change", superuser.pk), password),
        administrator.get(_url("auth_user_password_change", kent_user.pk)),
        administrator.post(_url("auth_user_password_change", kent_user.pk), password),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404, 404]
    superuser.refresh_from_db()
    assert not superuser.check_password("taken-9876")


def test_someone_who_sees_every_organisation_is_404_to_an_administrator_who_does_not(
    administrator, records
):
    colleague = records["croydon"][User]
    User.objects.filter(pk=colleague.pk).update(sees_all_organisations=True)

    assert administrator.get(_url("accounts_user_change", colleague.pk)).status_code == 404
    assert administrator.get(_url("auth_user_password_change", colleague.pk)).status_code == 404


def test_an_administrator_who_sees_every_organisation_may_give_it(client, records):
    User.objects.filter(pk=records["admin"].pk).update(sees_all_organisations=True)
    client.force_login(records["admin"])
    target = records["kent"][User]
    url = _url("accounts_user_change", target.pk)

    response = client.post(
        url,
        change_form_data(client, url, User)
        | {"sees_all_organisations": ["on"], "is_superuser": ["on"]},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.sees_all_organisations, target.is_superuser) == (True, False)


def test_a_new_user_joins_the_administrators_council(administrator, records):
    croydon, kent = records["croydon"][Organisation], records["kent"][Organisation]
    fields = {
        "username": "new-officer",
        "usable_password": "true",
        "password1": "a-long-pass-phrase-1",
        "password2": "a-long-pass-phrase-1",
    }

    refused = administrator.post(_url("accounts_user_add"), fields | {"organisation": kent.pk})
    added = administrator.post(_url("accounts_user_add"), fields | {"organisation": croydon.pk})

    assert refused.status_code == 200
    assert list(refused.context["adminform"].form.errors) == ["organisation"]
    assert added.status_code == 302
    user = User.objects.get(username="new-officer")
    assert (user.organisation, user.is_superuser, user.is_staff) == (croydon, False, False)
    assert user.history.latest().history_change_reason == "Added in the administration site"


def _save_path_request(records):
    request = RequestFactory().post("/admin/")
    request.user = records["admin"]
    return request


def test_the_save_path_refuses_a_privilege_that_slips_into_the_form(records):
    """Should a field the form hides ever reach it, the admin's save refuses it all the same."""
    user_admin, request = UserAdmin(User, AdminSite()), _save_path_request(records)
    target = records["croydon"][User]
    delete_user = Permission.objects.get(codename="delete_user")

    def forged(field, value):
        form_class = modelform_factory(User, fields=[field])
        form = form_class({field: value}, instance=User.objects.get(pk=target.pk))
        assert form.is_valid(), form.errors
        return form

    for form in (forged("is_superuser", "on"), forged("sees_all_organisations", "on")):
        with pytest.raises(PermissionDenied):
            user_admin.save_model(request, form.save(commit=False), form, change=True)
    for form in (
        forged("groups", [_group("Data protection").pk]),
        forged("user_permissions", [delete_user.pk]),
    ):
        with pytest.raises(PermissionDenied):
            user_admin.save_related(request, form, [], change=True)
    target.refresh_from_db()
    assert (target.is_superuser, target.sees_all_organisations) == (False, False)
    assert list(target.groups.values_list("name", flat=True)) == ["Officers"]
    assert list(target.user_permissions.all()) == []


# --- Records the app changes through its services are only shown ----------------------------

VIEW_ONLY = [model for model in COUNCIL_DATA if ADMINISTRATORS_MAY[model] == "v"]


@pytest.mark.parametrize("model", VIEW_ONLY, ids=_model_id)
def test_a_record_the_services_change_is_shown_and_never_changed_in_the_admin(
    administrator, records, model
):
    record = records["croydon"][model]

    shown = administrator.get(_url(f"{_names(model)}_change", record.pk))
    changed = administrator.post(_url(f"{_names(model)}_change", record.pk), {})
    deleted = administrator.post(_url(f"{_names(model)}_delete", record.pk), {"post": "yes"})

    assert (shown.status_code, changed.status_code, deleted.status_code) == (200, 403, 403)
    assert model.objects.filter(pk=record.pk).exists()


def test_not_even_a_superuser_replaces_an_evidence_file_or_changes_a_complaint(client, records):
    client.force_login(records["superuser"])
    evidence, complaint = records["croydon"][Evidence], records["croydon"][Complaint]
    kept = evidence.file.name

    replaced = client.post(
        _url("recommendations_evidence_change", evidence.pk),
        {"file": SimpleUploadedFile("other.pdf", b"%PDF-1.4 other"), "description": "Other"},
    )
    moved = client.post(
        _url("recommendations_complaint_change", complaint.pk),
        {"report_date": "2020-01-01", "title": "Other"},
    )

    assert (replaced.status_code, moved.status_code) == (403, 403)
    evidence.refresh_from_db()
    assert (evidence.file.name, evidence.description) == (kept, "Briefing")
    assert evidence.file.name.endswith("/briefing.pdf")


def test_an_old_version_is_read_and_never_reverted(administrator, records):
    team = records["croydon"][Team]
    first = team.history.earliest()
    Team.objects.filter(pk=team.pk).update(name="Front Door and MASH")
    url = _url("organisations_team_simple_history", team.pk, first.history_id)

    read = administrator.get(url)
    reverted = administrator.post(url, {"name": "Front Door", "organisation": team.organisation_id})

    assert (read.status_code, reverted.status_code) == (200, 405)
    team.refresh_from_db()
    assert team.name == "Front Door and MASH"


@pytest.mark.parametrize("model", [Ombudsman, StatutoryClockRule], ids=_model_id)
def test_data_every_council_shares_is_read_only_to_a_council_administrator(administrator, model):
    record = model.objects.first()

    shown = administrator.get(_url(f"{_names(model)}_change", record.pk))
    changed = administrator.post(_url(f"{_names(model)}_change", record.pk), {})

    assert (shown.status_code, changed.status_code) == (200, 403)


@pytest.mark.parametrize(
    ("model", "name", "ids"),
    [
        url
        for url in admin_object_urls(sorted(SHARED, key=_model_id))
        if url[1] != f"{_names(url[0])}_history"  # the list of changes: it only reads
    ],
    ids=_url_id,
)
def test_no_post_of_a_council_administrator_changes_data_every_council_shares(
    administrator, model, name, ids
):
    record = model.objects.order_by("pk").first()
    record.save()  # so it has a version in its history (migrations write none)
    before = model.objects.filter(pk=record.pk).values().get()

    response = administrator.post(_url(name, *_object_args(record, ids)), {"name": "Changed"})

    # An old version's page is for reading: it accepts no POST from anyone.
    assert response.status_code == (405 if name.endswith("_simple_history") else 403)
    assert model.objects.filter(pk=record.pk).values().get() == before


def test_a_shared_body_is_read_only_and_the_councils_own_body_is_theirs(administrator, records):
    shared = Body.objects.get(name="Cabinet", organisation=None)
    own = records["croydon"][Body]

    assert administrator.post(_url("reports_body_change", shared.pk), {}).status_code == 403
    data = change_form_data(administrator, _url("reports_body_change", own.pk), Body)
    response = administrator.post(_url("reports_body_change", own.pk), data | {"name": ["Panel"]})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Panel"


def test_a_council_administrator_changes_only_their_own_organisation(administrator, records):
    croydon = records["croydon"][Organisation]

    add = administrator.get(_url("organisations_organisation_add"))
    delete = administrator.get(_url("organisations_organisation_delete", croydon.pk))

    assert (add.status_code, delete.status_code) == (403, 403)


# --- Every save the admin still makes is in the history, with who and why ------------------


def _writable(records):
    croydon = records["croydon"]
    return {
        "admin": [croydon[User], croydon[Organisation], croydon[Team], croydon[Body]],
        "superuser": [
            Ombudsman.objects.get(short_name="LGSCO"),
            StatutoryClockRule.objects.first(),
            ReminderSchedule.objects.first(),
            Body.objects.get(name="Cabinet", organisation=None),
        ],
    }


@pytest.mark.parametrize("who", ["admin", "superuser"])
def test_each_admin_save_writes_history_with_who_and_why(client, records, who):
    client.force_login(records[who])
    for record in _writable(records)[who]:
        model = type(record)
        url = _url(f"{_names(model)}_change", record.pk)

        response = client.post(url, change_form_data(client, url, model))

        assert response.status_code == 302, model
        latest = record.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (
            records[who],
            "Changed in the administration site",
        )


def test_setting_a_password_in_the_admin_is_in_the_history(administrator, records):
    officer = records["croydon"][User]

    response = administrator.post(
        _url("auth_user_password_change", officer.pk),
        {
            "usable_password": "true",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )

    assert response.status_code == 302
    latest = officer.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        records["admin"],
        "Password set in the administration site",
    )


# --- A deadline's owner: changed here through the service, with the version it was opened at


def _owner_change(client, deadline, owner):
    url = _url("deadlines_deadline_change", deadline.pk)
    data = change_form_data(client, url, Deadline)
    return url, data | {"owner": [str(owner.pk)]}


def test_the_owner_is_chosen_from_the_active_staff_of_the_deadlines_organisation(
    administrator, records
):
    deadline = records["croydon"][Deadline]
    User.objects.filter(username="croydon-auditor").update(is_active=False)

    form = (
        administrator.get(_url("deadlines_deadline_change", deadline.pk)).context["adminform"].form
    )

    assert sorted(form.fields["owner"].queryset.values_list("username", flat=True)) == [
        "croydon-admin",
        "croydon-manager",
        "croydon-officer",
        "root",
    ]


def test_an_owner_changed_in_the_admin_moves_the_version_so_a_stale_app_form_is_refused(
    administrator, records
):
    recommendation = records["croydon"][Recommendation]
    deadline, officer = recommendation.deadline, records["croydon"][User]
    app = Client()
    app.force_login(User.objects.get(username="croydon-manager"))
    app_url = reverse("recommendations:recommendation_update", args=[recommendation.pk])
    app_data = {
        key: value
        for key, value in app.get(app_url).context["form"].initial.items()
        if value is not None
    }
    version_before = deadline.version

    url, data = _owner_change(administrator, deadline, officer)
    changed = administrator.post(url, data)
    stale = app.post(app_url, app_data | {"text": "Edited on a page opened before."})

    assert changed.status_code == 302
    deadline.refresh_from_db()
    assert (deadline.owner, deadline.version) == (officer, version_before + 1)
    latest = deadline.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        records["admin"],
        f"Owner changed to {officer}",
    )
    assert stale.context["conflict"] is True
    recommendation.refresh_from_db()
    assert recommendation.text == "Share the learning across the organisation."


def test_a_stale_admin_form_is_refused_after_a_change_in_the_app(administrator, records):
    recommendation = records["croydon"][Recommendation]
    deadline, officer = recommendation.deadline, records["croydon"][User]
    url, data = _owner_change(administrator, deadline, officer)
    services.recommendation_update(
        recommendation=recommendation,
        version=recommendation.version,
        by=User.objects.get(username="croydon-manager"),
        text="The manager's wording.",
    )
    version_after_the_app = Deadline.objects.get(pk=deadline.pk).version

    response = administrator.post(url, data)

    assert response.status_code == 302
    assert response.url == url
    assert [str(message) for message in response.wsgi_request._messages] == [
        "This deadline was changed by someone else while you were editing it. Your changes "
        "have not been saved: check the latest version and make them again."
    ]
    deadline.refresh_from_db()
    assert (deadline.owner.username, deadline.version) == (
        "croydon-manager",
        version_after_the_app,
    )


def test_someone_who_may_only_view_deadlines_reads_them_and_changes_nothing(client, records):
    officer, deadline = records["croydon"][User], records["croydon"][Deadline]
    User.objects.filter(pk=officer.pk).update(is_staff=True)
    client.force_login(officer)
    url = _url("deadlines_deadline_change", deadline.pk)
    version = deadline.history.latest().history_id

    shown = client.get(url)
    changed = client.post(url, {"owner": officer.pk, "version_seen": deadline.version})
    old = client.get(_url("deadlines_deadline_simple_history", deadline.pk, version))

    assert (shown.status_code, changed.status_code, old.status_code) == (200, 403, 200)
    assert "owner" not in shown.context["adminform"].form.fields
    assert Deadline.objects.get(pk=deadline.pk).owner.username == "croydon-manager"


def test_the_service_refuses_an_owner_from_another_council_or_who_has_left(records):
    deadline, manager = records["croydon"][Deadline], records["admin"]
    leaver = records["croydon"][User]
    leaver.is_active = False
    leaver.save()

    for owner in (records["kent"][User], leaver):
        with pytest.raises(ValidationError) as error:
            deadline_services.deadline_owner_change(deadline=deadline, owner=owner, by=manager)
        assert error.value.messages == [
            "Select an owner who works for Croydon Council and can sign in."
        ]


# --- What a live concern says, and an auditor's findings, are need-to-know -----------------


@pytest.mark.parametrize("model", [AuditOutcome, LiveConcern], ids=_model_id)
def test_the_admin_never_shows_a_concerns_words_or_an_auditors_findings(client, records, model):
    client.force_login(records["superuser"])
    record = records["croydon"][model]
    pages = [
        _url(f"{_names(model)}_changelist"),
        _url(f"{_names(model)}_change", record.pk),
        _url(f"{_names(model)}_history", record.pk),
        *(
            _url(f"{_names(model)}_simple_history", record.pk, version.history_id)
            for version in record.history.all()
        ),
    ]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        text = response.content.decode()
        assert "CR-0000" in text  # the pseudonymised case reference is shown
        for words in (CONCERN, RESPONSE, FINDINGS, LEARNING):
            assert words not in text, page
