"""Pages every user meets before the stories start: styled, accessible, keyboard-operable,
on a phone as on a desktop, and the administration site's pages that council staff use."""

import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from accounts.roles import Role
from audits import services as audit_services
from reports.models import Body
from reports.services import report_draft_create
from tests.browser.conftest import (
    AXE,
    AXE_OPTIONS,
    LOGIN_PATH,
    VIEWPORT,
    axe_report,
    press_and_wait,
    sign_in,
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

TRANSPARENT = "rgba(0, 0, 0, 0)"


def _computed(locator, prop):
    return locator.evaluate("(el, prop) => getComputedStyle(el)[prop]", prop)


def test_govuk_frontend_styles_and_script_load(page, check_page):
    # A missing `npm run build` still serves the HTML; only the computed styles show it.
    page.goto(LOGIN_PATH)

    header = page.locator(".govuk-template__header > *").first
    assert _computed(header, "backgroundColor") != TRANSPARENT
    assert _computed(page.get_by_role("button", name="Sign in"), "backgroundColor") != TRANSPARENT
    assert _computed(page.locator(".govuk-heading-l"), "fontFamily") == "arial, sans-serif"
    # static/src/main.mjs ran: the GOV.UK components are initialised without an inline script.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    check_page("sign-in")


def test_sign_in_with_wrong_password_shows_the_error_summary(page, check_page, officer):
    page.goto(LOGIN_PATH)
    type_into(page, page.get_by_label("Username", exact=True), officer.username)
    type_into(page, page.get_by_label("Password", exact=True), "not-the-password")
    press_and_wait(page, "Enter")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please enter a correct username and password.")
    expect(page).to_have_title(re.compile(r"^Error: Sign in "))
    check_page("sign-in-error")


def test_the_page_check_fails_on_an_axe_violation_and_on_a_csp_report(page, check_page):
    # The checks guard every story; this shows they still catch what they are for.
    page.goto(LOGIN_PATH)
    page.evaluate(
        """() => {
            const image = document.createElement("img");
            image.src = "/static/images/app-favicon.svg";
            image.id = "no-alt-text";
            document.querySelector("main").append(image);
        }"""
    )
    with pytest.raises(AssertionError, match=r"(?s)image-alt \(critical\).*#no-alt-text"):
        check_page("axe-catches-missing-alt-text")

    page.evaluate("""() => document.getElementById("no-alt-text").remove()""")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => document.head.insertAdjacentHTML("beforeend", "<style>p {}</style>")"""
        )
    with pytest.raises(
        AssertionError, match="violates the following Content Security Policy directive 'style-src"
    ):
        check_page("csp-report-caught")


PHONE = {"width": 375, "height": 800}
AT = datetime(2022, 2, 1, 10, 0, tzinfo=UTC)


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _csp_reports(page) -> list[str]:
    """The Content-Security-Policy reports in the console from now on."""
    reports = []

    def note(message):
        if "Content Security Policy" in message.text:
            reports.append(message.text)

    page.on("console", note)
    return reports


def test_wide_tables_scroll_in_their_own_region_on_a_phone_and_the_admin_passes_axe(
    page, check_page
):
    """On a 375 px phone the audit programme and a report's preview fit the screen: each wide
    table scrolls sideways in a named region that the keyboard can reach and scroll (WCAG
    1.4.10, 2.1.1). The same person, who also administers the council's staff, then opens a
    user's page in the administration site, which passes axe too."""
    manager = user_with_role(Role.MANAGER, username="narrow-manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=Role.ADMINISTRATOR))
    auditor = user_with_role(Role.AUDITOR, username="narrow-auditor", team="Quality Assurance")
    recommendation = recommendation_recorded(by=manager, kind="audit")
    population_imported(organisation=manager.organisation, count=12, by=manager)
    programme = programme_set_up(
        recommendation=recommendation, by=manager, target_sample_size=8, moderation_percent=0
    )
    audit_services.sample_draw(programme=programme, by=manager, at=AT, seed="5eed")
    audit_services.auditor_add(programme=programme, auditor=auditor, by=manager)
    audit_services.auditors_assign(programme=programme, by=manager)
    audit_services.outcome_save(  # so that the findings' tables are drawn too
        sample_case=programme.sample_cases.order_by("position").first(),
        auditor=auditor,
        answers={"grade": "requires_improvement", "similar_issues": True},
        version=None,
        submit=True,
        at=AT,
    )
    report = report_draft_create(
        organisation=manager.organisation,
        complaints=[recommendation.complaint],
        body=Body.objects.get(name="General Purposes & Audit Committee", organisation=None),
        meeting_date=date(2022, 2, 15),
        asked_to="Note the progress made.",
        by=manager,
        at=AT,
    )

    page.goto("/")
    sign_in(page, manager)
    page.set_viewport_size(PHONE)

    page.goto(programme.get_absolute_url())
    check_page("programme-on-a-phone")
    assert _page_width(page) <= PHONE["width"]
    sample = page.get_by_role("region", name="Cases in the sample", exact=True)
    assert sample.evaluate("region => region.scrollWidth > region.clientWidth")
    tab_to(page, sample)
    page.keyboard.press("ArrowRight")
    expect(sample).not_to_have_js_property("scrollLeft", 0)

    page.goto(report.get_absolute_url())
    check_page("report-preview-on-a-phone")
    assert _page_width(page) <= PHONE["width"]

    csp_reports = _csp_reports(page)
    page.set_viewport_size(VIEWPORT)
    page.goto(f"/admin/accounts/user/{auditor.pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change user")
    assert csp_reports == []
    # Not check_page: axe reads forms.css's @import through a <style> element of its own, which
    # the CSP blocks and the console reports. Without preloading, only css-orientation-lock
    # (WCAG 1.3.4) goes unchecked, and the admin's stylesheets lock no orientation.
    violations = AXE.run(page, options=AXE_OPTIONS | {"preload": False}).response["violations"]
    assert not violations, axe_report(page.url, violations)
