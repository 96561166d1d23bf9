"""An auditor checks their answers before the submit that locks them: each answer with a
"Change" link back to its question, then "Submit outcome". Errors read as sentences, in the
order of the questions; a submit on top of answers changed since is refused."""

# The audit story's fixtures are shared with test_views.py: tests name them as arguments.
# ruff: noqa: F811

import re
from datetime import date

import pytest
from django.urls import reverse

from audits.models import AuditOutcome, OutcomeRole, OutcomeStatus
from tests.audits.test_views import (  # noqa: F401 (fixtures, used as arguments)
    auditor,
    auditors,
    check_url,
    croydon,
    date_fields,
    manager,
    moderated_by_the_other_auditor,
    outcome_post,
    outcome_url,
    own_case,
    page_text,
    population,
    programme,
    recommendation,
    submit,
)
from viewlog.models import RecordView, ViewKind

pytestmark = pytest.mark.django_db

ANSWERS = {
    "strategy_discussion_held": "no",
    "days_to_strategy_discussion": "",
    "agencies_involved": ["social_care", "police"],
    "other_council_contacted": "yes",
    **date_fields("other_council_contacted_on", date(2019, 3, 27)),
    "grade": "inadequate",
    "similar_issues": "yes",
    "findings": "No strategy discussion was held.",
}


def continued(client, sample_case, **answers):
    """Answers entered and "Continue" pressed: the check page, as the browser lands on it."""
    response = outcome_post(client, sample_case, action="check", **(ANSWERS | answers))
    assert (response.status_code, response.url) == (302, check_url(sample_case))
    return client.get(check_url(sample_case))


def summary_rows(response) -> list[tuple[str, str, str]]:
    """(question, answer, Change link) for each row of the check page's summary list."""
    rows = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*'
        r'<dd class="govuk-summary-list__value">(.*?)</dd>\s*'
        r'<dd class="govuk-summary-list__actions">\s*<a class="govuk-link" href="([^"]+)"',
        response.content.decode(),
        re.S,
    )
    return [(page_text_of(q), page_text_of(a), href) for q, a, href in rows]


def page_text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).replace("&#x27;", "'").split())


def error_summary(response) -> list[tuple[str, str]]:
    """(link target, message) of each error in the summary, in its order."""
    summary = response.content.decode().split("govuk-error-summary__list")[1].split("</ul>")[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_continuing_shows_each_answer_with_a_change_link_to_its_question(client, auditor, own_case):
    client.force_login(auditor)

    page = continued(client, own_case)

    form = outcome_url(own_case)
    assert "Check your answers before submitting the outcome" in page_text(page)
    assert summary_rows(page) == [
        (
            "Was a strategy discussion held when the threshold was met?",
            "No",
            f"{form}#id_strategy_discussion_held_0",
        ),
        (
            "Days from referral to strategy discussion",
            "Not answered",
            f"{form}#id_days_to_strategy_discussion",
        ),
        (
            "Which agencies were involved?",
            "Social care, Police",
            f"{form}#id_agencies_involved_0",
        ),
        ("Was the other council contacted?", "Yes", f"{form}#id_other_council_contacted_0"),
        (
            "When was the other council contacted?",
            "27 March 2019",
            f"{form}#id_other_council_contacted_on_day",
        ),
        (
            "Was information shared across the border?",
            "Not answered",
            f"{form}#id_information_shared_0",
        ),
        ("Was the child seen and heard?", "Not answered", f"{form}#id_child_seen_and_heard_0"),
        (
            "Is there evidence of professional curiosity?",
            "Not answered",
            f"{form}#id_professional_curiosity_0",
        ),
        (
            "Was it decided which council leads?",
            "Not answered",
            f"{form}#id_lead_council_decided_0",
        ),
        ("Overall grade", "Inadequate", f"{form}#id_grade_0"),
        ("Similar issues to the Ombudsman's case?", "Yes", f"{form}#id_similar_issues_0"),
        ("Findings", "No strategy discussion was held.", f"{form}#id_findings"),
        ("Learning", "None recorded", f"{form}#id_learning"),
    ]
    # Nothing is submitted until the auditor says so: the answers wait as a draft.
    outcome = AuditOutcome.objects.get()
    assert (outcome.status, outcome.submitted_at) == (OutcomeStatus.DRAFT, None)


def test_a_change_link_returns_to_the_question_with_every_answer_kept(client, auditor, own_case):
    client.force_login(auditor)
    rows = summary_rows(continued(client, own_case))
    grade_link = next(href for question, _, href in rows if question == "Overall grade")

    path, anchor = grade_link.split("#")
    form_page = client.get(path)

    assert f'id="{anchor}"' in form_page.content.decode()
    form = form_page.context["form"]
    assert (form["grade"].value(), form["similar_issues"].value()) == ("inadequate", "yes")
    assert form["other_council_contacted_on"].value() == date(2019, 3, 27)
    assert form["findings"].value() == "No strategy discussion was held."

    # Changed there, the check page shows the change.
    changed = continued(client, own_case, version=form["version"].value(), grade="good")
    assert ("Overall grade", "Good") in [(q, a) for q, a, _ in summary_rows(changed)]


def test_submitting_from_the_check_page_records_and_locks_the_outcome(client, auditor, own_case):
    client.force_login(auditor)
    version = continued(client, own_case).context["form"]["version"].value()

    submitted = client.post(check_url(own_case), {"version": version}, follow=True)

    outcome = AuditOutcome.objects.get()
    assert submitted.redirect_chain == [(reverse("audits:my_cases"), 302)]
    assert f"Outcome submitted for case {own_case.case}" in page_text(submitted)
    assert (outcome.status, outcome.grade, outcome.similar_issues) == (
        OutcomeStatus.SUBMITTED,
        "inadequate",
        True,
    )
    assert [entry.history_change_reason for entry in outcome.history.all()] == [
        "Outcome submitted",
        "Draft saved",
    ]
    # Locked: the check page sends the auditor to the locked outcome.
    again = client.get(check_url(own_case))
    assert (again.status_code, again.url) == (302, outcome_url(own_case))


def test_answers_changed_in_another_tab_are_not_submitted_unseen(client, auditor, own_case):
    client.force_login(auditor)
    checked = continued(client, own_case).context["form"]["version"].value()
    outcome_post(client, own_case, action="draft", version=checked, **(ANSWERS | {"grade": "good"}))

    refused = client.post(check_url(own_case), {"version": checked})

    outcome = AuditOutcome.objects.get()
    assert refused.status_code == 200
    assert outcome.status == OutcomeStatus.DRAFT
    assert "These answers were changed (in another tab or window)" in page_text(refused)
    # What is there now, to check again, with its version: submitting it then works.
    assert ("Overall grade", "Good") in [(q, a) for q, a, _ in summary_rows(refused)]
    latest = refused.context["form"]["version"].value()
    assert int(latest) == outcome.version
    client.post(check_url(own_case), {"version": latest})
    outcome.refresh_from_db()
    assert (outcome.status, outcome.grade) == (OutcomeStatus.SUBMITTED, "good")


def test_with_nothing_to_check_the_check_page_returns_to_the_form(client, auditor, own_case):
    client.force_login(auditor)

    response = client.get(check_url(own_case))

    assert (response.status_code, response.url) == (302, outcome_url(own_case))


def test_only_the_cases_own_auditor_opens_its_check_page_and_each_look_is_logged(
    client, auditor, auditors, manager, own_case
):
    client.force_login(auditor)
    continued(client, own_case)
    looks = RecordView.objects.filter(user=auditor, kind=ViewKind.AUDIT_CASE)
    before = looks.count()
    client.get(check_url(own_case))

    for other in (auditors[1], manager):
        client.force_login(other)
        assert client.get(check_url(own_case)).status_code == 404
        assert client.post(check_url(own_case), {"version": 1}).status_code == 404

    assert looks.count() == before + 1
    assert not RecordView.objects.filter(user__in=[auditors[1], manager]).exists()
    assert AuditOutcome.objects.get().status == OutcomeStatus.DRAFT


def test_a_moderator_checks_only_their_own_answers(client, auditors, own_case):
    moderated_by_the_other_auditor(own_case, auditors)
    submit(own_case, similar_issues=True, findings="SECRET-FINDING of the first auditor")
    client.force_login(own_case.moderator)

    page = continued(client, own_case, findings="The moderator's own reading.")

    assert "SECRET-FINDING" not in page.content.decode()
    assert ("Findings", "The moderator's own reading.") in [
        (q, a) for q, a, _ in summary_rows(page)
    ]
    assert AuditOutcome.objects.get(role=OutcomeRole.MODERATION).auditor == own_case.moderator


# --- Errors ---------------------------------------------------------------------------------


def test_errors_read_as_sentences_in_the_order_of_the_questions(client, auditor, own_case):
    client.force_login(auditor)

    response = outcome_post(
        client,
        own_case,
        action="check",
        strategy_discussion_held="yes",
        days_to_strategy_discussion="-3",
        other_council_contacted="yes",
    )

    assert error_summary(response) == [
        (
            "id_days_to_strategy_discussion",
            "Days from referral to strategy discussion must be 0 or more",
        ),
        ("id_other_council_contacted_on_day", "Enter the date the other council was contacted"),
        ("id_grade_0", "Select the overall grade before submitting"),
        ("id_similar_issues_0", "Select whether the case shows similar issues before submitting"),
    ]
    # The summary lists them in the order the page asks the questions.
    content = response.content.decode()
    form_part = content[content.index("<form") :]
    positions = [form_part.index(f'id="{anchor}"') for anchor, _ in error_summary(response)]
    assert positions == sorted(positions)
    assert not AuditOutcome.objects.exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("27", "", "2019", "The date the other council was contacted must include a month"),
        ("31", "2", "2019", "The date the other council was contacted must be a real date"),
        ("27", "3", "19", "Year must include 4 numbers"),
    ],
)
def test_the_contact_date_says_what_is_wrong_with_it(
    client, auditor, own_case, day, month, year, message
):
    client.force_login(auditor)

    response = outcome_post(
        client,
        own_case,
        action="draft",
        other_council_contacted_on_day=day,
        other_council_contacted_on_month=month,
        other_council_contacted_on_year=year,
    )

    assert error_summary(response) == [("id_other_council_contacted_on_day", message)]


def test_a_draft_may_leave_the_contact_date_blank(client, auditor, own_case):
    client.force_login(auditor)

    response = outcome_post(client, own_case, action="draft", other_council_contacted="yes")

    assert response.status_code == 302
    assert AuditOutcome.objects.get().other_council_contacted_on is None
