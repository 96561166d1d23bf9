"""Pages every user meets before the stories start: styled, accessible, keyboard-operable."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LOGIN_PATH, press_and_wait, type_into

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
