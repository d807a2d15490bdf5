"""The letters archive ("Tra cứu công văn"): search by number, subject, issuer, year and text, accent-free
and in any word order, over only the letters the visitor may see, newest first.

The search runs on `Letter.search_text` (folded text kept by the services): every word of the query must
appear in it. On PostgreSQL a trigram GIN index (migration 0003) answers those LIKE '%word%' filters, so
the archive stays fast at hundreds of thousands of letters. Pages are fetched one row past their size
instead of counting every match: a COUNT(*) over a common word would cost more than the page itself.
"""

import re
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.html import strip_tags

from truonghoc.paging import Page, count_free_page, page_number  # noqa: F401 (the view pages here)
from truonghoc.params import parse_id
from truonghoc.text import fold, nfc
from units.models import Unit
from units.permissions import Action, scope
from units.selectors import ancestor_paths, children_q

from ..models import Letter
from ..permissions.letters import letters_visible_q, member_unit_paths

PAGE_SIZE = 20
MAX_WORDS = 8
EXCERPT_CHARS = 220

ISSUER_KINDS = (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE, Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY)
_WORD = re.compile(r"\w+")


def search_words(query: str) -> list[str]:
    """Folded words of a query; "1364/SGDĐT-GDTrH" gives 1364, sgddt, gdtrh. One-letter words ("V/v")
    match nearly every letter and are dropped, except digits."""
    words = []
    for word in _WORD.findall(fold(query)):
        if (len(word) > 1 or word.isdigit()) and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def archive_letters(
    *,
    user,
    query: str = "",
    issuer: Unit | None = None,
    year: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Letter]:
    """The letters the user may see that match every word of `query` and the filters, newest first."""
    # Drafts stay on their issuer's desk: the archive holds issued letters only.
    letters = Letter.objects.filter(letters_visible_q(user), status=Letter.Status.ISSUED)
    for word in search_words(query):
        letters = letters.filter(search_text__contains=word)
    if issuer is not None:
        letters = letters.filter(issuer=issuer)
    if year:
        # A letter's year is its date's year; the date range lets the (status, date) index start there.
        letters = letters.filter(year=year, issued_on__year=year)
    if date_from:
        letters = letters.filter(issued_on__gte=date_from)
    if date_to:
        letters = letters.filter(issued_on__lte=date_to)
    return (
        letters.select_related("issuer")
        .defer("search_text", "audience", "issuer__name_folded")
        .order_by("-issued_on", "-number", "-id")
    )


def archive_page(letters: QuerySet[Letter], *, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of results in one query (truonghoc.paging); with_excerpts then attaches the excerpts."""
    return count_free_page(letters, number=number, size=size)


def excerpt(text: str, words: list[str], length: int = EXCERPT_CHARS) -> str:
    """Plain text around the first word found, so a result shows why it matched."""
    plain = nfc(strip_tags(text or ""))
    if len(plain) <= length:
        return plain
    start = 0
    folded = fold(plain)
    # Folding keeps one character per precomposed Vietnamese letter, so positions carry over; when a
    # rare character folds differently, the excerpt starts at the top instead.
    if len(folded) == len(plain):
        found = [i for i in (folded.find(word) for word in words) if i >= 0]
        if found:
            start = max(min(found) - length // 4, 0)
            while start > 0 and not plain[start - 1].isspace():
                start -= 1
    piece = plain[start : start + length]
    if start + length < len(plain):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + piece


def with_excerpts(page: Page, query: str) -> Page:
    words = search_words(query)
    for letter in page.items:
        letter.excerpt = excerpt(letter.body, words)
    return page


def archive_issuers(*, user, chosen=None) -> list[Unit]:
    """Issuers offered in the filter: the units above the person and their own (Ministry, Department,
    Office, school), and the issuing units directly below the units they look after (a Department's
    Offices and upper-secondary schools). Anonymous visitors get the Ministry and the Departments.
    `chosen` (an id from the query string) is added when it names another issuing unit, so a link to
    "this issuer's letters" works from anywhere; what is listed stays limited by who may see what."""
    paths = set()
    below = Q(pk__in=[])
    managed = set(scope(user, Action.MANAGE).prefixes)
    for path in member_unit_paths(user) | managed:
        paths.update(ancestor_paths(path))
    for prefix in sorted(managed | set(scope(user, Action.VIEW_REPORTS).prefixes)):
        below |= children_q(prefix, "")
    offered = (Q(path__in=paths) | below) if paths else Q(depth__lte=2)
    if chosen_pk := parse_id(chosen):
        offered |= Q(pk=chosen_pk)
    units = Unit.objects.filter(offered, kind__in=ISSUER_KINDS)
    return list(units.only("id", "name", "kind", "path", "depth").order_by("path"))
