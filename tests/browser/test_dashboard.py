"""A manager opens the deadline dashboard by keyboard: figures, named charts, matching tables."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import (
    LOGIN_PATH,
    follow_link,
    press_and_wait,
    recovery_code,
    sign_in,
    tab_to,
)
from tests.dashboard.conftest import known_records

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHARTS = {
    # chart's accessible name: (the summary that shows its table, the table's caption, the
    # table's cells that the bars draw)
    "Deadlines due in the next 90 days, by week": (
        "Deadlines by week as a table",
        "Deadlines due in the next 90 days, by week: the figures",
        "td:last-child",
    ),
    # The rate that leads (the Ombudsman's reading): the first of the table's two rates.
    "Recommendations implemented, late or not, by quarter": (
        "Compliance by quarter as a table",
        "Recommendations implemented, late or not, by quarter: the figures",
        "td:nth-last-child(2)",
    ),
}


def test_a_manager_opens_the_dashboard_and_reads_the_figures_charts_and_tables(page, check_page):
    records = known_records(today=timezone.localdate())

    page.goto("/")
    sign_in(page, records.manager)
    follow_link(page, page.get_by_role("link", name="Dashboard", exact=True))
    check_page("dashboard")

    expect(page.get_by_role("heading", level=1)).to_have_text("Deadline dashboard")
    expect(page.locator("#figure-open")).to_have_text("3 open recommendations")
    expect(page.locator("#figure-overdue")).to_have_text("1 overdue")
    expect(page.locator("#figure-due-14")).to_have_text("1 due in the next 14 days")
    expect(page.locator("#figure-due-30")).to_have_text("2 due in the next 30 days")
    expect(page.locator("#figure-on-time")).to_have_text("3 complied on time")
    expect(page.locator("#figure-late")).to_have_text("1 complied late")
    expect(page.locator("#figure-rate-implemented")).to_have_text(
        "67% implemented, late or not 4 of 6 due (1 late)"
    )
    expect(page.locator("#figure-rate-on-time")).to_have_text("50% implemented on time 3 of 6 due")

    for name, (summary, caption, charted) in CHARTS.items():
        chart = page.get_by_role("img", name=name, exact=True)
        expect(chart).to_be_visible()
        expect(chart).to_have_accessible_description(chart.locator("desc").text_content())
        table = page.get_by_role("table", name=caption, exact=True)
        expect(table).to_be_hidden()
        tab_to(page, page.locator("summary", has_text=summary))
        page.keyboard.press("Enter")
        expect(table).to_be_visible()
        # One row a bar, and the figure on each bar is in the table's row.
        bar_values = chart.locator(".app-chart__value").all_text_contents()
        column = table.locator(f"tbody tr {charted}").all_text_contents()
        assert [v.strip() for v in column] == [
            "None due" if v == "\N{EN DASH}" else v for v in bar_values
        ]
    expect(page.locator("#chart-timeline .app-chart__value")).to_have_count(13)
    check_page("tables-shown")

    # The figures per owner are in the third tab: Tab reaches the selected tab (the tabs
    # keep only that one in the tab order), the arrow keys move along them.
    tab_to(page, page.get_by_role("tab", name="By organisation"))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="By owner")).to_be_focused()
    owners = page.get_by_role("table", name="Recommendations by owner")
    expect(owners).to_be_visible()
    expect(owners.get_by_role("row", name="Olu Tester")).to_contain_text("40%")
    check_page("by-owner")


def test_the_dashboard_works_without_javascript(browser, live_server):
    records = known_records(today=timezone.localdate())
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        code = recovery_code(records.manager)
        page.goto(LOGIN_PATH)
        page.get_by_label("Username", exact=True).fill(records.manager.username)
        page.get_by_label("Password", exact=True).fill("correct-horse-battery")
        press_and_wait(page, "Enter")
        page.get_by_label("Code", exact=True).fill(code)
        press_and_wait(page, "Enter")
        page.goto("/dashboard/")

        expect(page.locator("#figure-rate-on-time")).to_contain_text("50%")
        # Without the tabs script every breakdown is on the page, one after another.
        for caption in ("organisation", "service area", "owner"):
            expect(page.get_by_role("table", name=f"Recommendations by {caption}")).to_be_visible()
        expect(page.get_by_role("img", name=next(iter(CHARTS)))).to_be_visible()
        page.locator("summary", has_text="Deadlines by week as a table").click()
        expect(page.locator("#table-timeline")).to_be_visible()
    finally:
        context.close()
