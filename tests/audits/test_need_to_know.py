"""Need to know in the case audit, as the users' stories (issue 9).

A live concern is read only by the auditor who raised it, the manager it was sent to and the
case's managers; everyone else who may see the programme sees only that it exists. An auditor
sees only the cases assigned to them; the whole sample is for those who run the programme.
Neither auditor of a moderated case sees the other's answers until both have submitted.
"""

import re
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audits import services
from audits.models import SampleCase
from audits.selectors import moderation_pair
from deadlines.models import Deadline
from ombudsman_tracker.history import ConflictError
from organisations.models import Organisation
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = pytest.mark.django_db

AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)
CONCERN = "Younger sibling still lives with the adult named in the 2019 referral."
RESPONSE = "Social worker visited the same day; a safety plan is agreed."
NOT_READABLE = "Only the auditor who raised it and the case's managers can read what it says."
REFERENCE = re.compile(r"CR-\d{5}")


def references_on(response) -> set[str]:
    return set(REFERENCE.findall(response.content.decode()))


def references_of(programme, user) -> set[str]:
    cases = programme.sample_cases.filter(Q(auditor=user) | Q(moderator=user))
    return set(cases.values_list("case__case_reference", flat=True))


@pytest.fixture
def croydon(db):
    return Organisation.objects.get_or_create(name="Croydon Council")[0]


@pytest.fixture
def people(croydon):
    """Everyone in the stories, by what they are to the audit."""
    police = Organisation.objects.create(name="Metropolitan Police", kind="police")
    kent = Organisation.objects.create(name="Kent County Council")
    return {
        "manager": user_with_role(Role.MANAGER, username="manager", organisation=croydon),
        "raiser": user_with_role(
            Role.AUDITOR, username="raiser", organisation=croydon, team="Quality Assurance"
        ),
        "other_auditor": user_with_role(
            Role.AUDITOR, username="other-auditor", organisation=croydon, team="Quality Assurance"
        ),
        "partner_auditor": user_with_role(
            Role.AUDITOR, username="detective", organisation=police, team="Child Abuse"
        ),
        # The Front Door's manager, who holds no manager's role here: the concern was sent to
        # them (their address is written differently, as people type them).
        "team_manager": user_with_role(
            Role.OFFICER,
            username="team-manager",
            organisation=croydon,
            team="Front Door",
            email="Front.Door.Manager@example.org",
        ),
        "viewer": user_with_role(Role.VIEWER, username="viewer", organisation=croydon),
        "officer": user_with_role(Role.OFFICER, username="officer", organisation=croydon),
        "clerk": user_with_role(Role.COMMITTEE_CLERK, username="clerk", organisation=croydon),
        "administrator": user_with_role(
            Role.ADMINISTRATOR, username="administrator", organisation=croydon
        ),
        "other_council_manager": user_with_role(
            Role.MANAGER, username="kent-manager", organisation=kent
        ),
    }


@pytest.fixture
def programme(croydon, people):
    """Nine Front Door cases shared between two Croydon auditors and a police auditor."""
    manager = people["manager"]
    population_imported(organisation=croydon, count=12, by=manager)
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"),
        by=manager,
        target_sample_size=9,
        moderation_percent=0,
    )
    services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    for name in ("raiser", "other_auditor", "partner_auditor"):
        services.auditor_add(programme=programme, auditor=people[name], by=manager)
    services.auditors_assign(programme=programme, by=manager)
    return programme


@pytest.fixture
def concern(programme, people):
    """Raised by an auditor on one of their cases and answered by the council's manager."""
    sample_case = programme.sample_cases.filter(auditor=people["raiser"]).first()
    concern = services.concern_raise(
        sample_case=sample_case,
        concern=CONCERN,
        raised_by=people["raiser"],
        at=AT,
        team_manager_email="front.door.manager@example.org",
    )
    return services.concern_respond(concern=concern, response=RESPONSE, by=people["manager"], at=AT)


# --- Live concerns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "reads_it", "sees_the_case"),
    [
        ("raiser", 200, True, True),
        ("team_manager", 200, True, True),
        ("manager", 200, True, True),
        ("other_auditor", 200, False, False),
        ("partner_auditor", 200, False, False),
        ("viewer", 200, False, False),
        ("officer", 200, False, False),
        ("clerk", 200, False, False),
        ("administrator", 200, False, True),  # runs the audit: sees every case, not the concern
        ("other_council_manager", 404, False, False),
    ],
)
def test_only_the_raiser_the_manager_it_was_sent_to_and_the_cases_managers_read_a_concern(
    client, people, concern, who, status, reads_it, sees_the_case
):
    reference = concern.sample_case.case.case_reference
    client.force_login(people[who])

    response = client.get(reverse("audits:concern_detail", args=[concern.pk]))

    assert response.status_code == status
    content = response.content.decode()
    assert (CONCERN in content) is reads_it
    assert (RESPONSE in content) is reads_it
    assert (reference in content) is sees_the_case
    if status == 200:
        assert (NOT_READABLE in content) is not reads_it
        assert "Response due" in content
        if not reads_it:
            assert "Recorded on 1 February 2022" in content


@pytest.mark.parametrize(
    ("who", "status"),
    [("team_manager", 403), ("administrator", 403), ("raiser", 403), ("manager", 302)],
)
def test_only_a_manager_of_the_cases_council_records_the_response(
    client, people, programme, who, status
):
    sample_case = programme.sample_cases.filter(auditor=people["raiser"]).first()
    concern = services.concern_raise(
        sample_case=sample_case,
        concern=CONCERN,
        raised_by=people["raiser"],
        at=AT,
        team_manager_email="front.door.manager@example.org",
    )
    client.force_login(people[who])

    response = client.post(
        reverse("audits:concern_detail", args=[concern.pk]), {"response": RESPONSE}
    )

    concern.refresh_from_db()
    assert response.status_code == status
    assert concern.response == (RESPONSE if status == 302 else "")
    with pytest.raises(ValidationError, match="Only a manager of the case's organisation"):
        services.concern_respond(
            concern=concern, response="Again", by=people["administrator"], at=AT
        )


def test_the_programme_page_lists_a_concern_without_its_case_to_those_who_may_not_see_it(
    client, people, concern
):
    reference = concern.sample_case.case.case_reference
    url = concern.sample_case.programme.get_absolute_url()

    client.force_login(people["viewer"])
    viewer_page = client.get(url).content.decode()
    client.force_login(people["raiser"])
    raiser_page = client.get(url).content.decode()

    assert "Live concern" in viewer_page
    assert reference not in viewer_page
    assert CONCERN not in viewer_page
    assert f"Concern on case {reference}" in raiser_page
    assert CONCERN not in raiser_page  # the list never carries the text, even for its raiser


def test_a_concerns_deadline_names_neither_the_case_nor_the_concern(client, people, programme):
    sample_case = programme.sample_cases.filter(auditor=people["raiser"]).first()
    concern = services.concern_raise(
        sample_case=sample_case,
        concern=CONCERN,
        raised_by=people["raiser"],
        at=AT,
        team_manager_email="front.door.manager@example.org",
    )
    deadline = Deadline.objects.get(live_concern=concern)
    # The dashboard lists every open deadline of the council to its administrators.
    client.force_login(people["administrator"])

    dashboard = client.get(reverse("dashboard:index")).content.decode()

    assert deadline.title == "Response to a live concern"
    assert "Response to a live concern" in dashboard
    assert CONCERN not in dashboard
    assert sample_case.case.case_reference not in dashboard


# --- Case lists -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["raiser", "partner_auditor"])
def test_an_auditor_sees_exactly_their_own_cases_on_the_programme_page(
    client, people, programme, concern, who
):
    own = references_of(programme, people[who])
    someone_elses = programme.sample_cases.filter(auditor=people["other_auditor"]).first()
    submit(someone_elses, people["other_auditor"], findings="OTHER-CASE-FINDING")
    client.force_login(people[who])

    response = client.get(programme.get_absolute_url())

    assert len(own) == 3
    assert references_on(response) == own
    assert "OTHER-CASE-FINDING" not in response.text
    assert "Cases sampled 9" in " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


@pytest.mark.parametrize("who", ["viewer", "officer"])
def test_a_viewer_or_officer_sees_the_figures_and_no_case(client, people, programme, concern, who):
    client.force_login(people[who])

    response = client.get(programme.get_absolute_url())

    assert response.status_code == 200
    assert references_on(response) == set()
    assert "None of the sample's cases is assigned to you." in response.text


def test_the_manager_running_the_programme_sees_every_case(client, people, programme, concern):
    client.force_login(people["manager"])

    response = client.get(programme.get_absolute_url())

    every = set(programme.sample_cases.values_list("case__case_reference", flat=True))
    assert len(every) == 9
    assert references_on(response) == every


def test_a_manager_from_a_partner_agency_auditing_here_sees_only_their_cases_and_no_tools(
    client, people, programme
):
    police = people["partner_auditor"].organisation
    inspector = user_with_role(
        Role.MANAGER, username="inspector", organisation=police, team="Public Protection"
    )
    services.auditor_add(programme=programme, auditor=inspector, by=people["manager"])
    SampleCase.objects.filter(pk=programme.sample_cases.first().pk).update(auditor=inspector)
    client.force_login(inspector)

    page = client.get(programme.get_absolute_url())
    assign = client.get(reverse("audits:auditors_assign", args=[programme.pk]))
    reassign = client.get(reverse("audits:case_reassign", args=[programme.sample_cases.first().pk]))

    assert references_on(page) == references_of(programme, inspector)
    assert "Assign auditors" not in page.text
    assert (assign.status_code, reassign.status_code) == (404, 404)


def test_an_auditors_programme_page_runs_the_same_queries_for_few_cases_and_many(
    client, people, programme, croydon
):
    auditor = people["raiser"]
    client.force_login(auditor)
    url = programme.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    services.sample_extend(programme=programme, by=people["manager"], count=3)
    services.auditors_assign(programme=programme, by=people["manager"])
    for sample_case in programme.sample_cases.filter(auditor=auditor):
        services.outcome_save(
            sample_case=sample_case,
            auditor=auditor,
            answers={"grade": "good", "similar_issues": False},
            version=None,
            submit=True,
            at=AT,
        )

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(references_of(programme, auditor)) == 4
    assert len(many) == len(few)


# --- Blind moderation -----------------------------------------------------------------------

AUDITOR_FINDING = "AUDITOR-FINDING: no strategy discussion was held."
MODERATOR_FINDING = "MODERATOR-FINDING: the police were not invited."


@pytest.fixture
def moderated(programme, people):
    """Two moderated cases, each with a manager as one of its two auditors.

    ``by_manager``: audited by an auditor, moderated by the manager.
    ``of_manager``: audited by the manager, moderated by an auditor.
    """
    first, second = programme.sample_cases.filter(auditor=people["raiser"])[:2]
    SampleCase.objects.filter(pk=first.pk).update(moderator=people["manager"])
    SampleCase.objects.filter(pk=second.pk).update(
        auditor=people["manager"], moderator=people["raiser"]
    )
    return {
        "by_manager": SampleCase.objects.get(pk=first.pk),
        "of_manager": SampleCase.objects.get(pk=second.pk),
    }


def submit(sample_case, auditor, *, findings, similar_issues=True, grade="inadequate"):
    return services.outcome_save(
        sample_case=sample_case,
        auditor=auditor,
        answers={"grade": grade, "similar_issues": similar_issues, "findings": findings},
        version=None,
        submit=True,
        at=AT,
    )


def settle_url(sample_case) -> str:
    return reverse("audits:moderation_settle", args=[sample_case.pk])


def test_the_moderator_a_manager_sees_none_of_the_first_auditors_findings_before_submitting(
    client, people, moderated
):
    sample_case = moderated["by_manager"]
    audit = submit(sample_case, people["raiser"], findings=AUDITOR_FINDING)
    client.force_login(people["manager"])

    settle = client.get(settle_url(sample_case))
    reopen = client.get(reverse("audits:outcome_reopen", args=[audit.pk]))
    page = client.get(sample_case.programme.get_absolute_url())

    for response in (settle, reopen, page):
        assert response.status_code == 200
        assert AUDITOR_FINDING not in response.text
    assert "This case cannot be settled yet" in settle.text
    assert "the moderator has not submitted yet" in settle.text
    assert "Settle the moderation</button>" not in settle.text
    assert "its answers are hidden from you" in reopen.text
    assert "Hidden until you submit your moderation" in page.text


def test_the_first_auditor_a_manager_sees_none_of_the_moderators_findings_before_submitting(
    client, people, moderated
):
    sample_case = moderated["of_manager"]
    moderation = submit(sample_case, people["raiser"], findings=MODERATOR_FINDING)
    client.force_login(people["manager"])

    settle = client.get(settle_url(sample_case))
    reopen = client.get(reverse("audits:outcome_reopen", args=[moderation.pk]))
    page = client.get(sample_case.programme.get_absolute_url())

    for response in (settle, reopen, page):
        assert response.status_code == 200
        assert MODERATOR_FINDING not in response.text
    assert "the auditor has not submitted yet" in settle.text
    assert "its answers are hidden from you" in reopen.text


def test_once_both_have_submitted_a_manager_sees_both_and_settles(client, people, moderated):
    sample_case = moderated["by_manager"]
    submit(sample_case, people["raiser"], findings=AUDITOR_FINDING, similar_issues=True)
    submit(sample_case, people["manager"], findings=MODERATOR_FINDING, similar_issues=False)
    colleague = user_with_role(
        Role.MANAGER, username="colleague", organisation=people["manager"].organisation
    )
    client.force_login(colleague)

    settle = client.get(settle_url(sample_case))
    page = client.get(sample_case.programme.get_absolute_url())
    settled = client.post(
        settle_url(sample_case),
        {"similar_issues": "no", "grade": "good", "seen": settle.context["form"]["seen"].value()},
        follow=True,
    )

    assert AUDITOR_FINDING in settle.text
    assert MODERATOR_FINDING in settle.text
    assert "Cases where the auditor and the moderator disagree" in page.text
    assert f"Moderation of case {sample_case.case} settled" in settled.text
    sample_case.refresh_from_db()
    assert (sample_case.settled_similar_issues, sample_case.settled_grade) == (False, "good")
    assert sample_case.settled_by == colleague
    client.force_login(people["raiser"])
    first_auditors_page = client.get(sample_case.programme.get_absolute_url())
    assert "Cases where the auditor and the moderator disagree" in first_auditors_page.text


def test_settling_before_both_have_submitted_is_refused_by_the_service_and_the_page(
    client, people, moderated
):
    sample_case = moderated["by_manager"]
    submit(sample_case, people["raiser"], findings=AUDITOR_FINDING)
    client.force_login(people["manager"])

    with pytest.raises(ValidationError, match="the moderator has not submitted yet"):
        services.moderation_settle(
            sample_case=sample_case,
            similar_issues=False,
            grade="good",
            seen=moderation_pair(sample_case).seen,
            by=people["manager"],
        )
    refused = client.post(
        settle_url(sample_case),
        {"similar_issues": "no", "grade": "good", "seen": moderation_pair(sample_case).seen},
        follow=True,
    )

    assert refused.redirect_chain == [(settle_url(sample_case), 302)]
    assert "the moderator has not submitted yet" in refused.text
    sample_case.refresh_from_db()
    assert (sample_case.settled_similar_issues, sample_case.settled_by) == (None, None)


def test_a_case_without_a_moderator_cannot_be_settled(people, programme):
    sample_case = programme.sample_cases.filter(auditor=people["raiser"]).first()
    submit(sample_case, people["raiser"], findings=AUDITOR_FINDING)

    with pytest.raises(ValidationError, match="not moderated"):
        services.moderation_settle(
            sample_case=sample_case,
            similar_issues=False,
            grade="good",
            seen=moderation_pair(sample_case).seen,
            by=people["manager"],
        )


def test_two_managers_settling_at_once_do_not_overwrite_each_other(client, people, moderated):
    sample_case = moderated["by_manager"]
    submit(sample_case, people["raiser"], findings=AUDITOR_FINDING, similar_issues=True)
    submit(sample_case, people["manager"], findings=MODERATOR_FINDING, similar_issues=False)
    colleague = user_with_role(
        Role.MANAGER, username="colleague", organisation=people["manager"].organisation
    )
    seen = moderation_pair(sample_case).seen  # both open the page

    services.moderation_settle(
        sample_case=sample_case, similar_issues=True, grade="inadequate", seen=seen, by=colleague
    )
    with pytest.raises(ConflictError):
        services.moderation_settle(
            sample_case=sample_case, similar_issues=False, grade="good", seen=seen, by=colleague
        )
    client.force_login(people["manager"])
    late = client.post(
        settle_url(sample_case), {"similar_issues": "no", "grade": "good", "seen": seen}
    )

    assert late.status_code == 200
    assert "Someone else settled this case" in late.text
    sample_case.refresh_from_db()
    assert late.context["form"]["seen"].value() == moderation_pair(sample_case).seen
    assert (sample_case.settled_similar_issues, sample_case.settled_grade) == (True, "inadequate")
