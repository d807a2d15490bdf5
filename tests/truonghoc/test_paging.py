"""The count-free pager (truonghoc.paging): one query per page, no COUNT(*)."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

from truonghoc.paging import MAX_PAGE, Page, count_free_page, page_number


@pytest.mark.parametrize(
    ("asked", "number"),
    [(None, 1), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("2", 2), (7, 7), ("99999", MAX_PAGE), ("2.5", 1)],
)
def test_the_page_asked_for_is_a_page_that_can_exist(asked, number):
    assert page_number(asked) == number


def test_one_row_past_the_page_tells_whether_there_is_a_next_one():
    rows = list(range(1, 46))
    first = count_free_page(rows, number=1, size=20)
    assert first.items == list(range(1, 21)) and first.has_next and not first.has_previous
    assert first.next_page_number == 2 and first.start_index == 1
    last = count_free_page(rows, number="3", size=20)
    assert last.items == list(range(41, 46)) and not last.has_next and last.has_previous
    assert last.previous_page_number == 2 and last.start_index == 41
    exact = count_free_page(rows[:40], number=2, size=20)
    assert not exact.has_next  # exactly full: no empty page after it
    assert count_free_page([], number=1, size=20).start_index == 0


def test_the_partial_keeps_the_other_parameters_and_says_no_total():
    request = RequestFactory().get("/", {"q": "toán", "page": "2"})
    with translation.override("en"):
        html = Template('{% include "components/count_free_pages.html" with testid="library" %}').render(
            RequestContext(request, {"page": Page(items=[1], number=2, has_next=True, size=1)})
        )
    assert 'href="?q=to%C3%A1n&amp;page=1" data-testid="library-previous"' in html
    assert 'href="?q=to%C3%A1n&amp;page=3" data-testid="library-next"' in html
    assert "Page 2</span>" in html and " of " not in html
    alone = Page(items=[1], number=1, has_next=False, size=20)
    assert "<nav" not in Template('{% include "components/count_free_pages.html" %}').render(Context({"page": alone}))
