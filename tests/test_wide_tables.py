"""Wide tables scroll sideways inside their own region on a narrow screen, so the page never
does (WCAG 1.4.10): ``{% wide_table %}`` (ombudsman_tracker/templatetags/wide_tables.py) draws
the region, named and focusable so that a keyboard can scroll it (WCAG 2.1.1).
tests/browser/test_accessibility.py measures the pages on a 375 px screen."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A region drawn by hand, named by the table's caption (the dashboard's chart tables).
NAMED_REGION = re.compile(
    r'<div class="app-scroll-region" role="region" aria-labelledby="[^"]+" tabindex="0">'
)


def test_a_wide_table_sits_in_a_named_focusable_scroll_region():
    template = Template("{% wide_table name %}<table></table>{% endwide_table %}")

    html = template.render(Context({"name": "Cases & outcomes"}))

    assert html == (
        '<div class="app-scroll-region" role="region" aria-label="Cases &amp; outcomes"'
        ' tabindex="0">\n<table></table>\n</div>\n'
    )


def test_a_wide_table_without_a_name_is_refused_when_the_template_is_read():
    with pytest.raises(TemplateSyntaxError, match="wide_table takes the table's name"):
        Template("{% wide_table %}<table></table>{% endwide_table %}")


def _page_templates():
    """Every template of a page. Emails are left out: mail programs neither scroll a region
    nor let the keyboard into it."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "emails" not in path.relative_to(TEMPLATES).parts:
            yield path


def _tables_outside_a_region(path: Path) -> list[str]:
    outside, depth, previous = [], 0, ""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        depth += line.count("{% wide_table ") - line.count("{% endwide_table %}")
        if "<table" in line and not (depth > 0 or NAMED_REGION.search(previous)):
            outside.append(f"{path.relative_to(TEMPLATES)}:{number}")
        if line.strip():
            previous = line
    return outside


def test_every_table_on_a_page_is_in_a_scroll_region():
    outside = [place for path in _page_templates() for place in _tables_outside_a_region(path)]

    assert outside == [], 'Wrap these in {% wide_table "Name" %}…{% endwide_table %}'
