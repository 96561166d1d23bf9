"""Headless Chromium, driven by Playwright, against Django's live server.

Every page a story visits goes through ``check_page``: a full-page screenshot under
``test-artifacts/screenshots/``, no Content-Security-Policy report or script error in the
console, and no axe-core violation of WCAG 2.2 AA. Stories use the keyboard only: ``tab_to``
moves focus the way a keyboard user does, and fails when Tab never reaches the control.
"""

import contextlib
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from accounts import two_factor
from tests.conftest import service_missing

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking switches Chromium keeps calling Google's hosts, which the closed
# network refuses, and a run can hang; no sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LOGIN_PATH = "/accounts/login/"
SECOND_STEP_PATH = "/accounts/two-factor/code/"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
AXE = Axe()

_reports = pytest.StashKey[dict]()
_problems = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Kept so the page fixture can take a screenshot of the page a failed test stopped on.
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """One Chromium for every browser test.

    Package scope rather than session scope: Playwright's sync API keeps an asyncio loop
    running in the main thread while it is open, which would break any later test that
    starts an event loop of its own, so it is closed as soon as the browser tests are done.
    """
    if not CHROMIUM.exists():
        service_missing(f"{CHROMIUM} is missing: apt-get install chromium")
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Django refuses ORM calls (our factories) from a thread with a running event
        # loop; Playwright's loop never runs our code concurrently, so they are safe here.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Playwright's sync API leaves the main thread in another contextvars context, where
        # Django opens new connection objects (to the same test database). Without the
        # database's serialized contents they could not restore the role groups and the
        # ombudsmen (created by migrations) after each transactional test flushes them.
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, request, settings, tmp_path):
    """A fresh browser context per test, so no cookie or session leaks between stories."""
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = request.node.stash[_problems] = []  # check_page fails on any of these
    page.on("console", lambda message: _note_csp_report(problems, message.text))
    page.on("pageerror", lambda error: problems.append(f"Script error: {error}"))
    yield page
    reports = request.node.stash.get(_reports, {})
    if "call" in reports and reports["call"].failed:
        with contextlib.suppress(PlaywrightError):  # a crashed page must not hide the failure
            _screenshot(page, f"{_test_name(request)}-failed")
    context.close()


def _note_csp_report(problems, text):
    if "Content Security Policy" in text:
        problems.append(text)


def _test_name(request) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")


def _screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def check_page(page, request):
    """``check_page("step")``: screenshot the page, then fail on a CSP report or axe violation.

    Screenshots are named ``<test>-<nn>-<step>.png`` in the order the story took them.
    """
    name = _test_name(request)
    problems = request.node.stash[_problems]
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    steps = 0

    def check(step: str):
        nonlocal steps
        steps += 1
        page.wait_for_load_state("load")
        _screenshot(page, f"{name}-{steps:02d}-{step}")
        violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
        failures = []
        if problems:  # read after axe has run, so that a late console report is not missed
            failures.append(f"The browser reported on {page.url}:\n" + "\n".join(problems))
        if violations:
            failures.append(axe_report(page.url, violations))
        assert not failures, "\n\n".join(failures)

    return check


def axe_report(url, violations) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


# --- Keyboard -------------------------------------------------------------------------------

_DESCRIBE_FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "<body>";
    const text = (el.innerText || el.value || "").trim().slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}` +
        `${el.name ? " name=" + el.name : ""}>${text}`;
}"""


def is_focused(locator) -> bool:
    """Whether focus is on ``locator`` (or on one of its elements, for a radio group)."""
    return locator.evaluate_all("elements => elements.includes(document.activeElement)")


def tab_to(page, locator, max_presses=80):
    """Press Tab until ``locator`` has focus, as a keyboard user would; fail if it never does."""
    locator.first.wait_for(state="attached")
    if is_focused(locator):
        return
    visited = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
        visited.append(page.evaluate(_DESCRIBE_FOCUS))
    pytest.fail(
        f"{locator} never received focus after {max_presses} presses of Tab on {page.url}. "
        f"Focus went to: {', '.join(visited[:25])}{' ...' if len(visited) > 25 else ''}",
        pytrace=False,
    )


def press_and_wait(page, key="Enter"):
    """Press a key that submits a form or follows a link, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def type_into(page, locator, text):
    """Tab to an empty text field and type into it."""
    tab_to(page, locator)
    page.keyboard.type(text)


def follow_link(page, link):
    tab_to(page, link)
    press_and_wait(page, "Enter")


def press_button(page, button):
    tab_to(page, button)
    press_and_wait(page, "Enter")


def choose(page, radio, max_presses=10):
    """Select a radio as a keyboard user does: Tab into its group, arrow to it, Space."""
    group = page.locator(f'input[type="radio"][name="{radio.get_attribute("name")}"]')
    tab_to(page, group)
    for _ in range(max_presses):
        if is_focused(radio):
            break
        page.keyboard.press("ArrowDown")
    else:
        pytest.fail(f"Arrow keys never reached {radio} in its radio group", pytrace=False)
    page.keyboard.press("Space")
    assert radio.is_checked(), f"{radio} is focused but Space did not select it"


def summary_value(page, key):
    """The value of the summary list row whose key is exactly ``key``."""
    return page.locator(
        ".govuk-summary-list__row",
        has=page.locator(
            ".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")
        ),
    ).locator(".govuk-summary-list__value")


def recovery_code(user) -> str:
    """A one-time recovery code for the second step of signing in (any earlier one is void)."""
    return two_factor.recovery_codes_make(user=user, count=1)[0]


def sign_in(page, user, password=PASSWORD, *, code=None, second_step=True):
    """Sign in through the real form with the keyboard; open it first unless it is showing.

    Then the second step, when the page asks for it: ``code`` if given, else a recovery code
    made for the user now (each works once, so every sign-in gets a fresh one). With
    ``second_step=False`` it stops after the password, wherever that leads.
    """
    if urlparse(page.url).path != LOGIN_PATH:
        page.goto(LOGIN_PATH)
    if second_step and code is None and two_factor.second_factor_required(user):
        code = recovery_code(user)
    type_into(page, page.get_by_label("Username", exact=True), user.get_username())
    type_into(page, page.get_by_label("Password", exact=True), password)
    press_and_wait(page, "Enter")
    if urlparse(page.url).path == LOGIN_PATH:
        problem = page.locator(".govuk-error-summary").all_inner_texts()
        pytest.fail(f"{user} could not sign in: {problem or 'still on the sign-in page'}")
    if second_step and urlparse(page.url).path == SECOND_STEP_PATH:
        type_into(page, page.get_by_label("Code", exact=True), code or "")
        press_and_wait(page, "Enter")
        if urlparse(page.url).path == SECOND_STEP_PATH:
            problem = page.locator(".govuk-error-summary").all_inner_texts()
            pytest.fail(f"{user}'s code was refused: {problem}")
