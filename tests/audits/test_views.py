"""Users' stories through the audit pages, with the test client."""

import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audits import services
from audits.models import (
    AuditOutcome,
    AuditProgramme,
    LiveConcern,
    OutcomeRole,
    OutcomeStatus,
    PopulationCase,
    ProgrammeKind,
    SampleCase,
)
from audits.selectors import moderation_pair, programme_threshold, programmes_listed
from audits.threshold import Decision
from organisations.models import Organisation, Team
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
SUBMITTED = {"grade": "requires_improvement"}


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def manager(croydon):
    return user_with_role(Role.MANAGER, username="manager", organisation=croydon)


@pytest.fixture
def auditors(croydon):
    """Two senior managers from Quality Assurance, independent of the Front Door's cases."""
    return [
        user_with_role(
            Role.AUDITOR, username=f"auditor{n}", organisation=croydon, team="Quality Assurance"
        )
        for n in (1, 2)
    ]


@pytest.fixture
def auditor(auditors):
    return auditors[0]


@pytest.fixture
def recommendation(manager):
    return recommendation_recorded(
        by=manager, kind="audit", text="Audit 50 cases closed in similar circumstances."
    )


@pytest.fixture
def population(croydon, manager):
    return population_imported(organisation=croydon, count=12, by=manager)


def assigned_programme(recommendation, manager, auditors, *, size=8, **criteria):
    """A programme drawn with a fixed seed and every case assigned."""
    programme = programme_set_up(
        recommendation=recommendation,
        by=manager,
        target_sample_size=size,
        moderation_percent=0,
        **criteria,
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for auditor in auditors:
        services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    return programme


@pytest.fixture
def programme(recommendation, manager, auditors, population):
    return assigned_programme(recommendation, manager, auditors)


@pytest.fixture
def own_case(programme, auditor):
    return programme.sample_cases.filter(auditor=auditor).select_related("case").first()


def submit(sample_case, *, similar_issues, by=None, **answers):
    return services.outcome_save(
        sample_case=sample_case,
        auditor=by or sample_case.auditor,
        answers=SUBMITTED | {"similar_issues": similar_issues} | answers,
        version=None,
        submit=True,
        at=AT,
    )


def moderated_by_the_other_auditor(sample_case, auditors):
    """Give a case of a programme drawn without moderation a moderator after all."""
    sample_case.moderator = next(a for a in auditors if a.pk != sample_case.auditor_id)
    sample_case.save(update_fields=["moderator"])


def page_text(response) -> str:
    """What a reader sees: each tag read as a space, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def date_fields(name, day: date) -> dict:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def outcome_url(sample_case) -> str:
    return reverse("audits:outcome_form", args=[sample_case.pk])


def outcome_post(client, sample_case, *, action, version="", **answers):
    data = {"action": action, "version": version} | answers
    return client.post(outcome_url(sample_case), data)


def check_url(sample_case) -> str:
    return reverse("audits:outcome_check", args=[sample_case.pk])


def continue_and_submit(client, sample_case, *, version="", **answers):
    """As the pages do it: continue to check the answers, then submit them from there."""
    checked = outcome_post(client, sample_case, action="check", version=version, **answers)
    assert (checked.status_code, checked.url) == (302, check_url(sample_case))
    shown = client.get(check_url(sample_case)).context["form"]["version"].value()
    return client.post(check_url(sample_case), {"version": shown}, follow=True)


# --- A manager sets up, draws and assigns ---------------------------------------------------


def test_a_recommendation_to_audit_cases_offers_its_audit_set_up_to_those_who_run_audits(
    client, croydon, manager, recommendation
):
    officer = user_with_role(Role.OFFICER, username="officer", organisation=croydon)
    learning = recommendation_recorded(complaint=recommendation.complaint, by=manager)
    set_up = f"{reverse('audits:programme_create')}?recommendation={recommendation.pk}"

    client.force_login(manager)
    managers_page = client.get(recommendation.get_absolute_url())
    learning_page = client.get(learning.get_absolute_url())
    client.force_login(officer)
    officers_page = client.get(recommendation.get_absolute_url())

    # After the recommendation's own actions (audits adds it: recommendations knows no audits).
    shown = page_text(managers_page)
    assert shown.index("Edit the recommendation") < shown.index("Set up the case audit")
    assert f'href="{set_up}"' in managers_page.content.decode()
    assert "Set up the case audit" not in page_text(learning_page)
    assert "Set up the case audit" not in page_text(officers_page)


def test_a_manager_sets_up_draws_and_assigns_the_audit_through_the_pages(
    client, manager, auditors, recommendation, population
):
    client.force_login(manager)

    response = client.post(
        reverse("audits:programme_create"),
        {
            "recommendation": recommendation.pk,
            "title": "Audit of cross-border cases",
            **date_fields("closed_from", date(2018, 1, 1)),
            **date_fields("closed_to", date(2021, 11, 26)),
            "cross_border_only": "on",
            "presenting_needs": "Sexual exploitation; missing,  ",
            "target_sample_size": "8",
            "threshold_percent": "25",
            "moderation_percent": "25",
            "owner": manager.pk,
            **date_fields("due_date", date(2022, 4, 30)),
        },
        follow=True,
    )

    programme = AuditProgramme.objects.get()
    assert response.redirect_chain == [(programme.get_absolute_url(), 302)]
    assert "Audit programme set up: Audit of cross-border cases" in page_text(response)
    assert programme.presenting_needs == ["missing", "sexual exploitation"]
    assert (programme.target_sample_size, programme.deadline.due_date) == (8, date(2022, 4, 30))
    assert "The sample has not been drawn yet." in page_text(response)

    draw_page = client.get(reverse("audits:sample_draw", args=[programme.pk]))
    assert "12 cases in the population match the criteria" in page_text(draw_page)

    drawn = client.post(reverse("audits:sample_draw", args=[programme.pk]), follow=True)
    programme.refresh_from_db()
    assert "Sample drawn: 8 cases from a population of 12" in page_text(drawn)
    assert programme.seed in page_text(drawn)
    assert programme.population_checksum in page_text(drawn)

    for auditor in auditors:
        added = client.post(
            reverse("audits:programme_auditors", args=[programme.pk]),
            {"auditor": auditor.pk},
            follow=True,
        )
        assert f"{auditor} added as an auditor" in page_text(added)
    assigned = client.post(reverse("audits:auditors_assign", args=[programme.pk]), follow=True)

    assert "Cases assigned to the auditors" in page_text(assigned)
    loads = [programme.sample_cases.filter(auditor=auditor).count() for auditor in auditors]
    assert loads == [4, 4]
    assert programme.sample_cases.filter(moderator__isnull=False).count() == 2
    assert "8 cases in the sample, in draw order: 0 submitted, 0 in draft, 8 not started" in (
        page_text(assigned)
    )


def test_the_set_up_form_says_what_is_wrong(client, manager, recommendation):
    client.force_login(manager)

    response = client.post(
        reverse("audits:programme_create"),
        {
            "recommendation": recommendation.pk,
            "title": "",
            **date_fields("closed_from", date(2021, 1, 1)),
            **date_fields("closed_to", date(2018, 1, 1)),
            "target_sample_size": "50",
            "threshold_percent": "25",
            "moderation_percent": "10",
            "owner": manager.pk,
        },
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter a title" in text
    assert "Cases closed up to must be on or after cases closed from" in text
    assert "Enter the deadline" in text
    assert not AuditProgramme.objects.exists()


def test_the_draw_page_says_when_nothing_matches(client, manager, recommendation):
    programme = programme_set_up(recommendation=recommendation, by=manager)
    client.force_login(manager)

    response = client.get(reverse("audits:sample_draw", args=[programme.pk]))

    assert "No case in the population matches the audit's criteria" in page_text(response)
    assert b"Draw the sample</button>" not in response.content


def test_extending_the_sample_takes_the_next_cases_in_the_same_order(client, manager, programme):
    first = list(programme.sample_cases.values_list("case__case_reference", flat=True))
    client.force_login(manager)

    response = client.post(
        reverse("audits:sample_extend", args=[programme.pk]), {"count": "3"}, follow=True
    )

    after = list(programme.sample_cases.values_list("case__case_reference", flat=True))
    assert "Sample extended by 3 cases" in page_text(response)
    assert after[:8] == first
    assert len(after) == 11


def test_a_similar_case_must_be_in_the_organisations_population(
    client, manager, recommendation, auditors, croydon
):
    population_imported(organisation=croydon, count=5, by=manager)
    population_imported(organisation=croydon, count=1, by=manager, start=50, cross_border=False)
    kent = Organisation.objects.create(name="Kent County Council")
    population_imported(organisation=kent, count=1, by=manager, start=70)
    programme = assigned_programme(recommendation, manager, auditors, size=8)
    url = reverse("audits:substitute_add", args=[programme.pk])
    client.force_login(manager)

    elsewhere = client.post(url, {"case_reference": "CR-00070", "reason": "Similar"})
    added = client.post(
        url,
        {"case_reference": "CR-00050", "reason": "Same needs; not flagged cross-border"},
        follow=True,
    )

    assert "There is no case CR-00070 in the population of Croydon Council" in page_text(elsewhere)
    text = page_text(added)
    assert "Similar case CR-00050 added at position 6" in text
    assert "The criteria found 5 cases against a target of 8: a shortfall of 3." in text
    assert "Same needs; not flagged cross-border" in text
    assert programme.sample_cases.get(position=6).substitute_reason == (
        "Same needs; not flagged cross-border"
    )


def test_an_auditor_with_open_cases_cannot_be_removed(client, manager, programme, auditor):
    client.force_login(manager)

    response = client.post(
        reverse("audits:programme_auditors", args=[programme.pk]),
        {"remove": auditor.pk},
        follow=True,
    )

    assert f"{auditor} has 4 case(s) still to record: reassign them first." in page_text(response)
    assert programme.auditors.filter(pk=auditor.pk).exists()


def test_only_staff_who_may_record_outcomes_can_be_added_as_auditors(
    client, manager, programme, croydon
):
    viewer = user_with_role(Role.VIEWER, username="viewer", organisation=croydon)
    police = Organisation.objects.create(name="Metropolitan Police", kind="police")
    detective = user_with_role(
        Role.AUDITOR, username="detective", organisation=police, team="Child Abuse"
    )
    client.force_login(manager)

    page = client.get(reverse("audits:programme_auditors", args=[programme.pk]))
    candidates = list(page.context["form"].fields["auditor"].queryset)
    refused = client.post(
        reverse("audits:programme_auditors", args=[programme.pk]), {"auditor": viewer.pk}
    )
    added = client.post(
        reverse("audits:programme_auditors", args=[programme.pk]),
        {"auditor": detective.pk},
        follow=True,
    )

    assert detective in candidates
    assert viewer not in candidates
    assert "Select a valid choice" in page_text(refused)
    assert f"{detective} added as an auditor" in page_text(added)


def test_a_manager_reassigns_a_case_to_another_auditor(
    client, manager, programme, own_case, auditors
):
    client.force_login(manager)

    response = client.post(
        reverse("audits:case_reassign", args=[own_case.pk]),
        {"auditor": auditors[1].pk},
        follow=True,
    )

    own_case.refresh_from_db()
    assert own_case.auditor == auditors[1]
    assert f"Case {own_case.case} reassigned to {auditors[1]}" in page_text(response)


# --- An auditor records outcomes ------------------------------------------------------------


def test_an_auditor_saves_a_draft_submits_it_and_cannot_change_it_afterwards(
    client, auditor, own_case
):
    client.force_login(auditor)

    my_cases = client.get(reverse("audits:my_cases"))
    assert f"{own_case.case.case_reference} Audit of 50 cross-border cases Audit Not started" in (
        page_text(my_cases)
    )

    draft = client.post(
        outcome_url(own_case),
        {
            "action": "draft",
            "version": "",
            "strategy_discussion_held": "no",
            "agencies_involved": ["social_care", "police"],
            **date_fields("other_council_contacted_on", date(2019, 3, 27)),
            "findings": "No strategy discussion was held.",
        },
        follow=True,
    )
    outcome = AuditOutcome.objects.get()
    assert draft.redirect_chain == [(outcome_url(own_case), 302)]
    assert f"Draft saved for case {own_case.case}" in page_text(draft)
    assert (outcome.status, outcome.version) == (OutcomeStatus.DRAFT, 1)
    assert outcome.agencies_involved == ["social_care", "police"]
    assert outcome.other_council_contacted_on == date(2019, 3, 27)
    assert "Draft" in page_text(client.get(reverse("audits:my_cases")))

    submitted = continue_and_submit(
        client,
        own_case,
        version="1",
        strategy_discussion_held="no",
        agencies_involved=["social_care", "police"],
        findings="No strategy discussion was held.",
        grade="inadequate",
        similar_issues="yes",
    )
    outcome.refresh_from_db()
    assert submitted.redirect_chain == [(reverse("audits:my_cases"), 302)]
    assert outcome.history.first().history_change_reason == "Outcome submitted"
    assert f"Outcome submitted for case {own_case.case}" in page_text(submitted)
    assert (outcome.status, outcome.similar_issues, outcome.grade) == (
        OutcomeStatus.SUBMITTED,
        True,
        "inadequate",
    )
    assert outcome.other_council_contacted_on is None  # left blank on submit, so cleared

    locked = client.get(outcome_url(own_case))
    assert "This outcome is submitted and locked" in page_text(locked)
    assert b'name="action"' not in locked.content
    again = outcome_post(client, own_case, action="draft", version="2", findings="Changed")
    outcome.refresh_from_db()
    assert "This outcome has been submitted: a manager must reopen it." in page_text(again)
    assert outcome.findings == "No strategy discussion was held."


def test_submitting_needs_the_grade_and_the_similar_issues_answer(client, auditor, own_case):
    client.force_login(auditor)

    response = outcome_post(client, own_case, action="check", findings="Started")

    text = page_text(response)
    assert "There is a problem" in text
    assert "Select the overall grade before submitting" in text
    assert "Select whether the case shows similar issues before submitting" in text
    assert not AuditOutcome.objects.exists()


def test_a_stale_version_is_refused_and_what_the_user_typed_is_kept(client, auditor, own_case):
    client.force_login(auditor)
    outcome_post(client, own_case, action="draft", findings="First draft")
    outcome_post(client, own_case, action="draft", version="1", findings="Saved in another tab")

    response = outcome_post(
        client, own_case, action="draft", version="1", findings="What I typed here"
    )

    outcome = AuditOutcome.objects.get()
    text = page_text(response)
    assert response.status_code == 200
    assert "changed by someone else while you were editing it" in text
    assert "What I typed here" in text
    assert response.context["form"]["version"].value() == "2"
    assert outcome.findings == "Saved in another tab"

    saved = outcome_post(
        client, own_case, action="draft", version="2", findings="What I typed here"
    )
    outcome.refresh_from_db()
    assert saved.status_code == 302
    assert outcome.findings == "What I typed here"


def test_a_form_opened_before_the_first_save_does_not_overwrite_it(client, auditor, own_case):
    client.force_login(auditor)
    outcome_post(client, own_case, action="draft", findings="Saved in the first tab")

    response = outcome_post(client, own_case, action="draft", findings="From the second tab")

    assert "changed by someone else while you were editing it" in page_text(response)
    assert "From the second tab" in page_text(response)
    assert AuditOutcome.objects.get().findings == "Saved in the first tab"


def test_a_case_not_assigned_to_the_user_is_not_found(client, auditors, own_case):
    client.force_login(auditors[1])

    assert client.get(outcome_url(own_case)).status_code == 404
    assert outcome_post(client, own_case, action="draft").status_code == 404


def test_a_manager_reopens_a_submitted_outcome_and_the_auditor_can_change_it(
    client, manager, auditor, own_case
):
    outcome = submit(own_case, similar_issues=False)
    client.force_login(manager)

    detail = client.get(own_case.programme.get_absolute_url())
    reopen_url = reverse("audits:outcome_reopen", args=[outcome.pk])
    assert reopen_url in detail.content.decode()
    refused = client.post(reopen_url, {"reason": ""})
    reopened = client.post(
        reopen_url, {"reason": "Grade recorded against the wrong case"}, follow=True
    )

    assert "Enter the reason for reopening the outcome" in page_text(refused)
    outcome.refresh_from_db()
    assert outcome.status == OutcomeStatus.DRAFT
    assert f"Audit of case {own_case.case} reopened" in page_text(reopened)
    assert outcome.history.first().history_change_reason == (
        "Reopened: Grade recorded against the wrong case"
    )

    client.force_login(auditor)
    changed = continue_and_submit(
        client, own_case, version=str(outcome.version), grade="good", similar_issues="no"
    )
    outcome.refresh_from_db()
    assert changed.redirect_chain == [(reverse("audits:my_cases"), 302)]
    assert (outcome.status, outcome.grade) == (OutcomeStatus.SUBMITTED, "good")


def test_the_moderator_records_without_seeing_the_first_auditors_answers(
    client, manager, recommendation, auditors, population
):
    programme = programme_set_up(
        recommendation=recommendation, by=manager, target_sample_size=4, moderation_percent=50
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for auditor in auditors:
        services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    moderated = programme.sample_cases.filter(moderator__isnull=False).first()
    submit(moderated, similar_issues=True, findings="SECRET-FINDING from the first auditor")
    client.force_login(moderated.moderator)

    form = client.get(outcome_url(moderated))
    detail = client.get(programme.get_absolute_url())

    assert "Moderation of case" in page_text(form)
    assert "SECRET-FINDING" not in form.content.decode()
    assert "SECRET-FINDING" not in detail.content.decode()
    assert "Hidden until you submit your moderation" in page_text(detail)

    for sample_case in programme.sample_cases.filter(moderator=moderated.moderator):
        submitted = continue_and_submit(client, sample_case, grade="good", similar_issues="no")
        assert submitted.redirect_chain == [(reverse("audits:my_cases"), 302)]
    moderation = AuditOutcome.objects.get(sample_case=moderated, role=OutcomeRole.MODERATION)
    assert moderation.auditor == moderated.moderator
    after = client.get(programme.get_absolute_url())
    assert "Hidden until you submit your moderation" not in page_text(after)
    # Need to know (issue 9): written findings are for those who run the audit, not auditors.
    assert "SECRET-FINDING" not in after.content.decode()
    client.force_login(manager)
    assert "SECRET-FINDING" in client.get(programme.get_absolute_url()).content.decode()


def test_moderation_agreement_and_a_settled_disagreement_change_the_figures(
    client, manager, recommendation, auditors, population
):
    programme = programme_set_up(
        recommendation=recommendation, by=manager, target_sample_size=4, moderation_percent=50
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for auditor in auditors:
        services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    first, second = programme.sample_cases.filter(moderator__isnull=False)
    submit(first, similar_issues=True, grade="inadequate")
    submit(first, similar_issues=True, grade="inadequate", by=first.moderator)
    submit(second, similar_issues=False, grade="good")
    submit(second, similar_issues=True, grade="good", by=second.moderator)
    client.force_login(manager)

    before = page_text(client.get(programme.get_absolute_url()))
    settle_page = client.get(reverse("audits:moderation_settle", args=[second.pk]))
    settled = client.post(
        reverse("audits:moderation_settle", args=[second.pk]),
        {
            "similar_issues": "yes",
            "grade": "requires_improvement",
            "seen": settle_page.context["form"]["seen"].value(),
        },
        follow=True,
    )

    assert "Similar issues 1 of 2 50% 0.00 Grade 2 of 2 100% 1.00" in before
    assert "Cases where the auditor and the moderator disagree" in before
    assert "With similar issues 1 " in before
    text = page_text(settled)
    assert f"Moderation of case {second.case} settled" in text
    assert "With similar issues 2 " in text
    assert programme_threshold(programme).with_similar_issues == 2


# --- The decision and the full audit --------------------------------------------------------


def test_the_decision_shows_triggered_and_the_manager_creates_the_full_audit(
    client, manager, programme
):
    cases = list(programme.sample_cases.order_by("position"))
    for index, sample_case in enumerate(cases[:3]):
        submit(sample_case, similar_issues=index < 3)
    client.force_login(manager)

    detail = client.get(programme.get_absolute_url())
    text = page_text(detail)
    assert "Triggered: a full audit is needed" in text
    assert "3 of the 8 cases in the sample show similar issues" in text
    assert "100% of the audited cases (3 of 3)" in text
    assert "95% Wilson interval: 43.9% to 100%" in text
    full_url = reverse("audits:full_audit_create", args=[programme.pk])
    assert full_url in detail.content.decode()

    created = client.post(
        full_url,
        {"owner": manager.pk, **date_fields("due_date", date(2023, 3, 31))},
        follow=True,
    )

    full = AuditProgramme.objects.get(kind=ProgrammeKind.FULL)
    programme.refresh_from_db()
    assert created.redirect_chain == [(full.get_absolute_url(), 302)]
    assert "Full audit created: due on 31 March 2023" in page_text(created)
    assert (full.triggered_by, full.deadline.due_date) == (programme, date(2023, 3, 31))
    assert programme.full_audit_confirmed_by == manager
    again = page_text(client.get(programme.get_absolute_url()))
    assert f"Confirmed by {manager} on" in again
    assert full_url not in client.get(programme.get_absolute_url()).content.decode()


def test_no_full_audit_before_the_threshold_is_triggered(client, manager, programme):
    submit(programme.sample_cases.first(), similar_issues=True)
    client.force_login(manager)

    response = client.post(
        reverse("audits:full_audit_create", args=[programme.pk]),
        {"owner": manager.pk, **date_fields("due_date", date(2023, 3, 31))},
    )

    assert "A full audit can only be created once the threshold has been triggered" in (
        page_text(response)
    )
    assert not AuditProgramme.objects.filter(kind=ProgrammeKind.FULL).exists()


def test_the_list_counts_agree_with_the_programme_threshold(
    client, manager, recommendation, auditors, population
):
    programme = assigned_programme(recommendation, manager, auditors, size=8)
    cases = list(programme.sample_cases.order_by("position"))
    submit(cases[0], similar_issues=True)
    submit(cases[1], similar_issues=False)
    submit(cases[2], similar_issues=True)
    for sample_case, settled in [(cases[2], False), (cases[1], True)]:
        moderated_by_the_other_auditor(sample_case, auditors)
        submit(sample_case, similar_issues=settled, by=sample_case.moderator)
        services.moderation_settle(
            sample_case=sample_case,
            similar_issues=settled,
            grade="",
            seen=moderation_pair(sample_case).seen,
            by=manager,
        )
    services.outcome_save(
        sample_case=cases[3],
        auditor=cases[3].auditor,
        answers={"similar_issues": True},
        version=None,
        submit=False,
        at=AT,
    )
    client.force_login(manager)

    (row,) = programmes_listed(manager)
    response = client.get(reverse("audits:programme_list"))

    assert row.threshold == programme_threshold(programme)
    assert (row.threshold.audited, row.threshold.with_similar_issues) == (3, 2)
    assert "3 of 8 audited" in page_text(response)
    assert "Not yet known" in page_text(response)


def test_the_list_shows_other_councils_audits_only_to_their_partner_agency_auditors(
    client, programme, manager
):
    kent = Organisation.objects.create(name="Kent County Council")
    police = Organisation.objects.create(name="Kent Police", kind="police")
    kent_manager = user_with_role(Role.MANAGER, username="kent-manager", organisation=kent)
    detective = user_with_role(Role.AUDITOR, username="detective", organisation=police)
    services.auditor_add(programme=programme, auditor=detective, by=manager)

    client.force_login(kent_manager)
    kent_list = client.get(reverse("audits:programme_list"))
    kent_page = client.get(programme.get_absolute_url())
    client.force_login(detective)
    police_list = client.get(reverse("audits:programme_list"))

    assert programme.title not in page_text(kent_list)
    assert kent_page.status_code == 404
    assert programme.title in page_text(police_list)


# --- Live concerns --------------------------------------------------------------------------


@pytest.fixture
def front_door_team(croydon):
    return Team.objects.create(
        organisation=croydon,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email="front.door.manager@example.org",
    )


def test_raising_a_live_concern_emails_the_team_manager_without_the_concern(
    client, auditor, own_case, front_door_team, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SITE_URL = "https://tracker.example.org"
    client.force_login(auditor)
    url = reverse("audits:concern_raise", args=[own_case.pk])

    form = client.get(url)
    assert form.context["form"]["team_manager_email"].value() == "front.door.manager@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "concern": "Younger sibling still living with the adult named in 2019.",
                "team_manager_email": "front.door.manager@example.org",
            },
            follow=True,
        )

    concern = LiveConcern.objects.get()
    concern_url = reverse("audits:concern_detail", args=[concern.pk])
    assert response.redirect_chain == [(concern_url, 302)]
    assert "The team manager will be emailed within a minute" in page_text(response)
    assert (
        "Team manager Waiting to be emailed to front.door.manager@example.org: it should go "
        "within a minute"
    ) in page_text(response)
    sent_at = timezone.localtime(LiveConcern.objects.get().emailed_at)  # once committed
    assert (
        f"Team manager Emailed to front.door.manager@example.org on {sent_at:%-d %B %Y, %H:%M}"
    ) in page_text(client.get(concern_url))
    (email,) = mail.outbox
    assert email.to == ["front.door.manager@example.org"]
    assert email.cc == [auditor.email]
    assert email.subject == (
        f"Live concern raised during a case audit: case {own_case.case} needs your response"
    )
    link = f"https://tracker.example.org{concern_url}"
    html_body, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert link in email.body
    assert f'href="{link}"' in html_body
    assert "Younger sibling" not in email.body
    assert "Younger sibling" not in html_body


def test_without_a_known_team_manager_the_email_address_is_required(client, auditor, own_case):
    client.force_login(auditor)

    response = client.post(
        reverse("audits:concern_raise", args=[own_case.pk]),
        {"concern": "At risk now", "team_manager_email": ""},
    )

    assert "Enter the team manager&#x27;s email address" in response.content.decode()
    assert not LiveConcern.objects.exists()


def test_a_manager_records_the_response_and_others_may_only_read_it(
    client, manager, auditor, own_case, croydon
):
    concern = services.concern_raise(
        sample_case=own_case,
        concern="At risk now",
        raised_by=auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )
    url = reverse("audits:concern_detail", args=[concern.pk])
    viewer = user_with_role(Role.VIEWER, username="viewer", organisation=croydon)

    client.force_login(viewer)
    read = client.get(url)
    refused = client.post(url, {"response": "Seen"})
    client.force_login(manager)
    recorded = client.post(url, {"response": "Visited the same day."}, follow=True)

    # Need to know (changed with issue 9): a viewer sees that the concern exists, not its text.
    assert "At risk now" not in page_text(read)
    assert "Only the auditor who raised it and the case's managers can read what it says." in (
        page_text(read)
    )
    assert "Record the response" not in page_text(read)
    assert refused.status_code == 403
    concern.refresh_from_db()
    assert concern.response == "Visited the same day."
    assert "Response recorded" in page_text(recorded)
    assert "Visited the same day." in page_text(recorded)


def test_the_concern_is_listed_on_the_programme_page_and_not_in_the_figures(
    client, manager, auditor, own_case
):
    services.concern_raise(
        sample_case=own_case,
        concern="At risk now",
        raised_by=auditor,
        at=AT,
        team_manager_email="tm@example.org",
    )
    client.force_login(manager)

    text = page_text(client.get(own_case.programme.get_absolute_url()))

    assert f"Concern on case {own_case.case}" in text
    assert "Cases audited 0" in text


# --- Population import ----------------------------------------------------------------------

HEADER = "case_reference,team,opened_on,closed_on,presenting_needs,cross_border,other_council\n"


def population_file(*rows, header=HEADER):
    return SimpleUploadedFile(
        "population.csv", (header + "".join(rows)).encode(), content_type="text/csv"
    )


@pytest.fixture
def import_worker(settings, tmp_path, django_capture_on_commit_callbacks):
    """Imports run at once, as the worker would, when the upload's transaction commits."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True

    def post(client, file):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("audits:population_import"), {"file": file})
        return client.get(response.url)  # the upload's page

    return post


def test_the_population_import_lists_each_row_error_and_imports_nothing(
    client, manager, import_worker
):
    client.force_login(manager)

    response = import_worker(
        client,
        population_file(
            "CR-1,Front Door,2019-01-01,2019-02-01,neglect,yes,Kent\n",
            "CR-2,Front Door,2019-03-01,2019-02-01,neglect,yes,Kent\n",
            "CR-3,Front Door,2019-01-01,2019-02-01,neglect,maybe,Kent\n",
        ),
    )

    rows = [(e["row_number"], e["column"]) for e in response.context["row_errors"]]
    assert rows == [(3, "closed_on"), (4, "cross_border")]
    text = page_text(response)
    assert "There is a problem" in text
    assert "2 problem(s) in the file; nothing was imported." in text
    assert "3 closed_on The case cannot close before it opened." in text
    assert not PopulationCase.objects.exists()


def test_a_personal_identifier_column_stops_the_import(client, manager, import_worker):
    client.force_login(manager)

    response = import_worker(
        client, population_file("CR-1,Jo Bloggs\n", header="case_reference,child_name\n")
    )

    assert "looks like personal data" in page_text(response)
    assert not PopulationCase.objects.exists()


def test_the_population_import_reports_its_counts(client, manager, croydon, import_worker):
    client.force_login(manager)
    rows = [f"CR-{n},Front Door,2019-01-01,2019-02-01,neglect;missing,yes,Kent\n" for n in range(3)]

    import_worker(client, population_file(*rows[:1]))
    response = import_worker(client, population_file(*rows))

    assert "Population imported: 3 rows, 2 new cases, 1 already held" in page_text(response)
    assert PopulationCase.objects.filter(organisation=croydon).count() == 3
    form_page = client.get(reverse("audits:population_import"))
    assert "about half a minute" in page_text(form_page)


def test_only_a_csv_file_is_accepted(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("audits:population_import"),
        {"file": SimpleUploadedFile("population.xlsx", io.BytesIO(b"PK").getvalue())},
    )

    assert "The selected file must be a CSV" in page_text(response)


# --- Home and navigation --------------------------------------------------------------------


def test_home_shows_the_auditors_cases_still_to_submit(client, auditor, own_case):
    submit(own_case, similar_issues=False)
    client.force_login(auditor)

    text = page_text(client.get(reverse("home")))

    assert "Your audit cases 3 of your 4 audit cases still to submit." in text


# --- Queries --------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def another_recommendation_to_audit(recommendation, manager):
    """One recommendation has one sample audit: another audit is of another recommendation."""
    return recommendation_recorded(complaint=recommendation.complaint, by=manager, kind="audit")


def _more_programmes(recommendation, manager, auditors, n):
    for _ in range(n):
        programme = assigned_programme(
            another_recommendation_to_audit(recommendation, manager), manager, auditors, size=4
        )
        for sample_case in programme.sample_cases.all()[:2]:
            submit(sample_case, similar_issues=True)


def test_the_audits_list_runs_the_same_queries_for_one_programme_and_several(
    client, manager, recommendation, auditors, population
):
    _more_programmes(recommendation, manager, auditors, 1)
    client.force_login(manager)
    url = reverse("audits:programme_list")
    client.get(url)

    one = count_queries(client, url)
    _more_programmes(recommendation, manager, auditors, 3)
    several = count_queries(client, url)

    assert several == one


def test_the_programme_page_runs_the_same_queries_however_large_the_sample(
    client, manager, recommendation, auditors, croydon
):
    population_imported(organisation=croydon, count=40, by=manager)
    small = assigned_programme(recommendation, manager, auditors, size=1)
    large = assigned_programme(
        another_recommendation_to_audit(recommendation, manager), manager, auditors, size=30
    )
    for programme in (small, large):
        for sample_case in programme.sample_cases.all()[:1]:
            submit(sample_case, similar_issues=True)
    for sample_case in large.sample_cases.all()[1:20]:
        submit(sample_case, similar_issues=False)
    services.concern_raise(
        sample_case=large.sample_cases.first(),
        concern="At risk",
        raised_by=auditors[0],
        at=AT,
        team_manager_email="tm@example.org",
    )
    services.concern_raise(
        sample_case=small.sample_cases.first(),
        concern="At risk",
        raised_by=auditors[0],
        at=AT,
        team_manager_email="tm@example.org",
    )
    client.force_login(manager)
    client.get(small.get_absolute_url())

    assert count_queries(client, large.get_absolute_url()) == count_queries(
        client, small.get_absolute_url()
    )


def test_my_cases_runs_the_same_queries_for_one_case_and_several(
    client, manager, recommendation, auditor, population
):
    programme = assigned_programme(recommendation, manager, [auditor], size=1)
    client.force_login(auditor)
    url = reverse("audits:my_cases")
    client.get(url)

    one = count_queries(client, url)
    services.sample_extend(programme=programme, by=manager, count=5)
    services.auditors_assign(programme=programme, by=manager)
    for sample_case in programme.sample_cases.all()[:3]:
        submit(sample_case, similar_issues=False)
    several = count_queries(client, url)

    assert SampleCase.objects.filter(auditor=auditor).count() == 6
    assert several == one


# --- Decision wording -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("similar", "audited", "decision"),
    [
        (0, 0, Decision.NOT_YET_KNOWN),
        (3, 3, Decision.TRIGGERED),
        (0, 7, Decision.CANNOT_TRIGGER),
        (2, 8, Decision.NOT_TRIGGERED),
    ],
)
def test_the_programme_page_names_the_decision(
    client, manager, programme, similar, audited, decision
):
    cases = list(programme.sample_cases.order_by("position"))
    for index, sample_case in enumerate(cases[:audited]):
        submit(sample_case, similar_issues=index < similar)
    client.force_login(manager)

    response = client.get(programme.get_absolute_url())

    assert response.context["threshold"].decision == decision
    assert re.search(rf"Decision {re.escape(decision.label)}", page_text(response))
