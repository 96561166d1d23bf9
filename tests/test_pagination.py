"""Long lists link the first, last, current and neighbouring pages, as GOV.UK's pagination
does, and cost no more to page through at page 200 of 400 than at page 2 of 3."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from ombudsman_tracker.templatetags.pages import linked_pages


@pytest.mark.parametrize(
    ("pages", "number", "linked"),
    [
        (3, 2, [1, 2, 3]),
        (5, 1, [1, 2, None, 5]),
        (6, 3, [1, 2, 3, 4, None, 6]),
        (10, 5, [1, None, 4, 5, 6, None, 10]),
        (400, 200, [1, None, 199, 200, 201, None, 400]),
        (400, 400, [1, None, 399, 400]),
    ],
)
def test_the_pages_linked_are_the_ends_and_the_neighbours_with_a_gap_marked(pages, number, linked):
    page = Paginator(range(pages * 25), 25).get_page(number)

    assert linked_pages(page) == linked


def test_a_list_of_ten_thousand_pages_shows_a_handful_of_links_keeping_the_filters():
    page = Paginator(range(250_000), 25).get_page(5_000)
    html = render_to_string(
        "includes/pagination.html",
        {"page_obj": page},
        request=RequestFactory().get("/complaints/", {"status": "open", "page": "5000"}),
    )

    assert html.count('class="govuk-pagination__item') == 7
    assert 'aria-current="page">5000<' in html
    assert "?status=open&amp;page=10000" in html
    assert html.count("&ctdot;") == 2
