"""The page numbers a list's pagination links (templates/includes/pagination.html)."""

from django import template

register = template.Library()


@register.filter
def linked_pages(page) -> list[int | None]:
    """The first and last pages, ``page`` and its neighbours, with ``None`` for each gap (an
    ellipsis), as GOV.UK's pagination shows them. Worked out from the numbers alone, so a list
    of thousands of pages costs no more than one of ten."""
    last = page.paginator.num_pages
    around = range(max(1, page.number - 1), min(last, page.number + 1) + 1)
    numbers: list[int | None] = []
    for number in sorted({1, *around, last}):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
