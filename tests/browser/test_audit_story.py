"""An auditor records outcomes by keyboard until the audit triggers, checking each outcome's
answers before submitting it (and changing one from there); the manager then sees "Triggered"
and creates the full audit. Every audit page is checked with axe-core."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.roles import Role
from audits import services
from audits.models import AuditProgramme, ProgrammeKind
from organisations.models import Organisation, Team
from tests.browser.conftest import (
    choose,
    follow_link,
    press_button,
    sign_in,
    summary_value,
    tab_to,
    type_into,
)
from tests.factories import (
    population_imported,
    programme_set_up,
    recommendation_recorded,
    user_with_role,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SIMILAR = "Similar issues to the Ombudsman's case?"


@pytest.fixture
def story(db, settings):
    """A sample of 8 with a 25% threshold, all 8 cases assigned to one auditor.

    3 of 8 (37.5%) with similar issues is more than 25%: the third one triggers it.
    """
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the live concern's email is sent at once
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="audit-manager", organisation=croydon)
    auditor = user_with_role(
        Role.AUDITOR, username="audit-auditor", organisation=croydon, team="Quality Assurance"
    )
    Team.objects.create(
        organisation=croydon,
        name="Front Door",
        manager_name="Tess Manager",
        manager_email="front.door.manager@example.org",
    )
    population_imported(organisation=croydon, count=12, by=manager)
    programme = programme_set_up(
        recommendation=recommendation_recorded(by=manager, kind="audit"),
        by=manager,
        target_sample_size=8,
        moderation_percent=0,
    )
    services.sample_draw(
        programme=programme, by=manager, at=datetime(2022, 2, 1, tzinfo=UTC), seed="5eed"
    )
    services.auditor_add(programme=programme, auditor=auditor, by=manager)
    services.auditors_assign(programme=programme, by=manager)
    cases = list(programme.sample_cases.select_related("case").order_by("position"))
    return {"manager": manager, "auditor": auditor, "programme": programme, "cases": cases}


def record_outcome(page, check_page, reference, *, similar_issues, step):
    """From "Your audit cases": answer some questions, grade, and submit, by keyboard."""
    follow_link(page, page.get_by_role("link", name=f"Record the outcome for case {reference}"))
    check_page(f"outcome-{step}")
    held = page.get_by_role(
        "group", name="Was a strategy discussion held when the threshold was met?"
    )
    choose(page, held.get_by_label("No", exact=True))
    agencies = page.get_by_role("group", name="Which agencies were involved?")
    police = agencies.get_by_label("Police")
    tab_to(page, police)
    page.keyboard.press("Space")
    expect(police).to_be_checked()
    choose(page, page.get_by_role("group", name="Overall grade").get_by_label("Inadequate"))
    answer = "Yes" if similar_issues else "No"
    choose(page, page.get_by_role("group", name=SIMILAR).get_by_label(answer, exact=True))
    type_into(page, page.get_by_label("Findings"), f"Case {reference}: no strategy discussion.")
    press_button(page, page.get_by_role("button", name="Continue"))
    expect(summary_value(page, SIMILAR)).to_have_text(answer)
    press_button(page, page.get_by_role("button", name="Submit outcome"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Outcome submitted for case {reference}"
    )


def test_auditor_records_until_triggered_then_manager_creates_full_audit(page, check_page, story):
    manager, auditor, programme, cases = (
        story["manager"],
        story["auditor"],
        story["programme"],
        story["cases"],
    )
    first = cases[0].case.case_reference

    page.goto("/")
    sign_in(page, auditor)
    check_page("auditor-home")
    follow_link(page, page.get_by_role("link", name="See your audit cases"))
    check_page("my-cases")
    expect(page.locator("tbody .govuk-table__row")).to_have_count(8)

    # A draft first: saved, still open, and the submitted outcome is locked afterwards.
    follow_link(page, page.get_by_role("link", name=f"Record the outcome for case {first}"))
    check_page("outcome-empty")
    type_into(page, page.get_by_label("Findings"), "Started reading the case file.")
    press_button(page, page.get_by_role("button", name="Save as draft"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Draft saved for case {first}"
    )
    expect(page.get_by_label("Findings")).to_have_value("Started reading the case file.")
    check_page("outcome-draft")

    # A live concern, raised from the case, goes to the team manager at once.
    follow_link(page, page.get_by_role("button", name="Raise a live concern"))
    check_page("concern-form")
    expect(page.get_by_label("Team manager's email address")).to_have_value(
        "front.door.manager@example.org"
    )
    type_into(
        page,
        page.get_by_label("What is the concern?"),
        "A younger sibling still lives with the adult named in the referral.",
    )
    press_button(page, page.get_by_role("button", name="Send the concern"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The team manager will be emailed within a minute"
    )
    expect(page.locator("#concern-email")).to_contain_text(
        "Emailed to front.door.manager@example.org on"
    )
    check_page("concern")
    assert [email.to for email in mail.outbox] == [["front.door.manager@example.org"]]

    follow_link(page, page.get_by_role("link", name=f"Back to the audit of case {first}"))
    choose(page, page.get_by_role("group", name="Overall grade").get_by_label("Inadequate"))
    choose(page, page.get_by_role("group", name=SIMILAR).get_by_label("Yes", exact=True))
    press_button(page, page.get_by_role("button", name="Continue"))

    # Check the answers before the submit that locks them; change one from there.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the outcome"
    )
    expect(summary_value(page, "Overall grade")).to_have_text("Inadequate")
    expect(summary_value(page, "Findings")).to_have_text("Started reading the case file.")
    check_page("check-answers")
    follow_link(page, page.get_by_role("link", name="Change Overall grade"))
    expect(page).to_have_url(re.compile(r"/outcome/#id_grade_0$"))
    grades = page.get_by_role("group", name="Overall grade")
    expect(grades.get_by_label("Inadequate")).to_be_checked()
    expect(page.get_by_label("Findings")).to_have_value("Started reading the case file.")
    choose(page, grades.get_by_label("Requires improvement"))
    press_button(page, page.get_by_role("button", name="Continue"))
    expect(summary_value(page, "Overall grade")).to_have_text("Requires improvement")
    expect(summary_value(page, SIMILAR)).to_have_text("Yes")
    press_button(page, page.get_by_role("button", name="Submit outcome"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Outcome submitted for case {first}"
    )
    check_page("my-cases-one-submitted")

    follow_link(page, page.get_by_role("link", name=f"View the outcome for case {first}"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "This outcome is submitted and locked"
    )
    expect(page.get_by_role("button", name="Submit outcome")).to_have_count(0)
    check_page("outcome-locked")
    follow_link(page, page.get_by_role("link", name="Back to your audit cases"))

    # One without similar issues, then two with: 3 of 8 is more than 25%.
    for step, (sample_case, similar) in enumerate(
        [(cases[1], False), (cases[2], True), (cases[3], True)], start=2
    ):
        record_outcome(
            page, check_page, sample_case.case.case_reference, similar_issues=similar, step=step
        )
    check_page("my-cases-four-submitted")

    press_button(page, page.get_by_role("button", name="Sign out"))
    sign_in(page, manager)
    follow_link(page, page.get_by_role("link", name="Audits", exact=True))
    check_page("audits")
    expect(page.locator("tbody .govuk-table__row")).to_contain_text("4 of 8 audited")
    follow_link(page, page.get_by_role("link", name=programme.title))
    check_page("programme")
    decision = page.locator("#decision")
    expect(decision.locator(".govuk-tag")).to_have_text("Triggered: a full audit is needed")
    expect(decision).to_contain_text("3 of the 8 cases in the sample show similar issues")
    expect(summary_value(page, "With similar issues")).to_have_text("3")
    expect(page.locator("#provenance")).to_be_visible()

    follow_link(page, page.get_by_role("link", name="Create the full audit"))
    check_page("full-audit-form")
    deadline = page.get_by_role("group", name="Deadline")
    type_into(page, deadline.get_by_label("Day"), "31")
    type_into(page, deadline.get_by_label("Month"), "3")
    type_into(page, deadline.get_by_label("Year"), "2023")
    press_button(page, page.get_by_role("button", name="Create the full audit"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Full audit created: due on 31 March 2023"
    )
    full = AuditProgramme.objects.get(kind=ProgrammeKind.FULL)
    expect(page.get_by_role("heading", level=1)).to_have_text(full.title)
    expect(summary_value(page, "Deadline")).to_contain_text("31 March 2023")
    expect(page.locator("#deadline-rule")).to_have_text(f"A date set by {manager}")
    check_page("full-audit")
    assert full.deadline.due_date == date(2023, 3, 31)

    follow_link(
        page, page.get_by_role("link", name="The sample audit whose threshold was triggered")
    )
    expect(summary_value(page, "Full audit")).to_contain_text(f"Confirmed by {manager}")
    expect(page.get_by_role("link", name="Create the full audit")).to_have_count(0)
    check_page("programme-with-full-audit")


def select_by_keyboard(page, select, value, max_presses=20):
    """Tab to a select and press the down arrow until ``value`` is chosen."""
    tab_to(page, select)
    for _ in range(max_presses):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"The arrow keys never chose {value} in {select}", pytrace=False)


POPULATION_CSV = (
    "case_reference,team,opened_on,closed_on,presenting_needs,cross_border\n"
    + "".join(
        f"CR-{n:05d},Front Door,2019-01-10,2019-06-30,sexual exploitation;missing,yes\n"
        for n in range(1, 13)
    )
    + "CR-SIMILAR,Front Door,2019-01-10,2019-06-30,sexual exploitation,no\n"
)


def test_manager_imports_sets_up_draws_assigns_and_settles_by_keyboard(
    page, check_page, tmp_path, settings
):
    # The live server runs in this process, so the import runs in its request, as a worker would.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    croydon = Organisation.objects.get_or_create(name="Croydon Council")[0]
    manager = user_with_role(Role.MANAGER, username="audit-manager", organisation=croydon)
    auditors = [
        user_with_role(
            Role.AUDITOR, username=f"audit-{n}", organisation=croydon, team="Quality Assurance"
        )
        for n in (1, 2)
    ]
    recommendation = recommendation_recorded(by=manager, kind="audit")
    population = tmp_path / "population.csv"
    population.write_text(POPULATION_CSV)

    page.goto("/")
    sign_in(page, manager)
    follow_link(page, page.get_by_role("link", name="Audits", exact=True))
    check_page("audits-empty")

    follow_link(page, page.get_by_role("link", name="Import the case population"))
    check_page("population-form")
    file_input = page.get_by_label("Upload the population")
    tab_to(page, file_input)
    # Space would open the operating system's file dialog, which no keyboard test can drive.
    file_input.set_input_files(population)
    press_button(page, page.get_by_role("button", name="Import the population"))
    expect(page).to_have_url(re.compile(r"/audits/population/uploads/\d+/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Population imported: 13 rows, 13 new cases, 0 already held"
    )
    check_page("population-imported")
    follow_link(page, page.get_by_role("link", name="Back to the population imports"))
    expect(page.get_by_role("heading", name="Import the case population")).to_be_visible()

    follow_link(page, page.get_by_role("link", name="Audits", exact=True))
    follow_link(page, page.get_by_role("button", name="Set up an audit"))
    check_page("set-up-form")
    select_by_keyboard(
        page, page.get_by_label("Recommendation the audit answers"), str(recommendation.pk)
    )
    type_into(page, page.get_by_label("Title"), "Audit of cross-border cases since 2018")
    for group, (day, month, year) in [
        ("Cases closed from", ("1", "1", "2018")),
        ("Cases closed up to", ("26", "11", "2021")),
    ]:
        dates = page.get_by_role("group", name=group)
        type_into(page, dates.get_by_label("Day"), day)
        type_into(page, dates.get_by_label("Month"), month)
        type_into(page, dates.get_by_label("Year"), year)
    type_into(page, page.get_by_label("Presenting needs"), "Sexual exploitation; missing")
    deadline = page.get_by_role("group", name="Deadline")
    type_into(page, deadline.get_by_label("Day"), "30")
    type_into(page, deadline.get_by_label("Month"), "4")
    type_into(page, deadline.get_by_label("Year"), "2022")
    press_button(page, page.get_by_role("button", name="Set up the audit"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Audit programme set up: Audit of cross-border cases since 2018"
    )
    expect(page.locator("#deadline-rule")).to_have_text(f"A date set by {manager}")
    check_page("programme-set-up")

    follow_link(page, page.get_by_role("link", name="Draw the sample"))
    check_page("draw")
    press_button(page, page.get_by_role("button", name="Draw the sample"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Sample drawn: 12 cases from a population of 12"
    )
    expect(page.locator("#sample")).to_be_visible()
    expect(page.locator(".govuk-warning-text")).to_contain_text("a shortfall of 38")
    check_page("drawn")

    follow_link(page, page.get_by_role("link", name="Add a similar case"))
    check_page("similar-case-form")
    type_into(page, page.get_by_label("Case reference"), "CR-SIMILAR")
    type_into(
        page,
        page.get_by_label("Why is it a similar case?"),
        "Same presenting needs; the border was crossed but not flagged.",
    )
    press_button(page, page.get_by_role("button", name="Add the case"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Similar case CR-SIMILAR added at position 13"
    )

    follow_link(page, page.get_by_role("link", name="Extend the sample"))
    type_into(page, page.get_by_label("How many more cases?"), "5")
    press_button(page, page.get_by_role("button", name="Extend the sample"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Every case in the population is already in the sample."
    )
    check_page("extend-refused")
    follow_link(page, page.get_by_role("link", name="Cancel"))

    follow_link(page, page.get_by_role("link", name="Manage auditors"))
    check_page("auditors")
    for auditor in auditors:
        select_by_keyboard(page, page.get_by_label("Auditor to add"), str(auditor.pk))
        press_button(page, page.get_by_role("button", name="Add the auditor"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"{auditor} added as an auditor"
        )
    check_page("auditors-added")
    follow_link(page, page.get_by_role("link", name="Back to the audit"))

    follow_link(page, page.get_by_role("link", name="Assign auditors"))
    check_page("assign")
    press_button(page, page.get_by_role("button", name="Assign the cases"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Cases assigned to the auditors"
    )
    check_page("assigned")

    # Both auditors of a moderated case submit, and disagree.
    programme = AuditProgramme.objects.get()
    moderated = programme.sample_cases.filter(moderator__isnull=False).select_related("case")[0]
    for auditor, similar in [(moderated.auditor, False), (moderated.moderator, True)]:
        services.outcome_save(
            sample_case=moderated,
            auditor=auditor,
            answers={"grade": "good", "similar_issues": similar},
            version=None,
            submit=True,
            at=datetime(2022, 3, 1, tzinfo=UTC),
        )
    reference = moderated.case.case_reference
    page.reload()
    check_page("disagreement")

    follow_link(page, page.get_by_role("link", name=f"Settle case {reference}"))
    check_page("settle")
    choose(page, page.get_by_role("group", name=SIMILAR).get_by_label("Yes", exact=True))
    choose(page, page.get_by_role("group", name="Overall grade").get_by_label("Good"))
    press_button(page, page.get_by_role("button", name="Settle the moderation"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Moderation of case {reference} settled"
    )
    expect(summary_value(page, "With similar issues")).to_have_text("1")

    follow_link(page, page.get_by_role("link", name=f"Reopen the audit of case {reference}"))
    check_page("reopen")
    type_into(
        page,
        page.get_by_label("Why is the outcome being reopened?"),
        "The grade was recorded against the wrong case.",
    )
    press_button(page, page.get_by_role("button", name="Reopen the outcome"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Audit of case {reference} reopened"
    )
    expect(summary_value(page, "Cases audited")).to_have_text("0")

    follow_link(page, page.get_by_role("link", name=f"Reassign case {reference}"))
    check_page("reassign")
