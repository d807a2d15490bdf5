"""The count-free pager: one query per page, no COUNT(*).

Django's Paginator counts the whole result first; on a full-text search over 100,000 letters or the
library of a whole province that count costs more than the page itself. These lists instead read one
row past the page: if it is there, there is a next page. They show "Page N" with Previous/Next
(templates/components/count_free_pages.html), never "of M". Lists that need "Page N of M" keep
Django's Paginator (templates/components/pagination.html, the one pager, keeping the other parameters).
"""

from dataclasses import dataclass

from .params import parse_int

# Deep pages of a search are never read by people, only by crawlers; beyond this the last one is shown.
MAX_PAGE = 250


@dataclass
class Page:
    """What templates use of Django's Page (has_next, next_page_number…), without the paginator."""

    items: list
    number: int
    has_next: bool
    size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        """The 1-based position of the first row on this page (0 on an empty page), for numbered rows."""
        return (self.number - 1) * self.size + 1 if self.items else 0


def page_number(value, *, max_page: int = MAX_PAGE) -> int:
    """The page asked for in the URL (`?page=`): 1 for anything that is not a number, at most max_page."""
    return min(max(parse_int(value, default=1), 1), max_page)


def count_free_page(rows, *, number=1, size: int) -> Page:
    """One page of a queryset (or list) in one query: one row past the page tells whether there is a next."""
    number = page_number(number)
    start = (number - 1) * size
    fetched = list(rows[start : start + size + 1])
    return Page(items=fetched[:size], number=number, has_next=len(fetched) > size, size=size)
