"""The one sanitiser of the rich texts people write: forum posts, letters, news, course texts.

The editor (Quill, through `truonghoc.forms.RichTextWidget`) produces paragraphs, bold, italic,
underline, lists, links, headings 2–4 and quotes; exactly that survives `clean_html`, on the way in
(services) and again on display (the `rich_text` filter), so a script, an event handler, a style or a
javascript: link never reaches a page. Without JavaScript the textarea still works: plain text becomes
paragraphs with its line breaks, and so does older plain-text content when it is shown.

Notifications quote such texts: `html_text` gives the words a reader sees, `excerpt` shortens them
without cutting a formula in two, and `plain_math` drops LaTeX delimiters where nothing renders them
(emails).
"""

import html
import re
import unicodedata

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
)
# "*": nothing on every tag (nh3 would otherwise keep title and lang everywhere).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"

_TAG = re.compile(r"<[a-zA-Z/!]")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|li|h[1-6]|blockquote|div|ul|ol)>")
_SPACES = re.compile(r"[ \t\xa0]+")
# A formula of the question bank's notation (materials/latex.py): $$…$$, \[…\], \(…\), $…$; "\$" is a
# literal dollar. Longest delimiters first, so "$$" is never read as two empty "$…$".
_FORMULA = re.compile(r"\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|(?<!\\)\$(?:\\\$|[^$])+?(?<!\\)\$", re.DOTALL)
_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<!\\)\$((?:\\\$|[^$])+?)(?<!\\)\$", re.DOTALL)


def looks_like_html(value: str | None) -> bool:
    return bool(_TAG.search(value or ""))


def clean_html(value: str | None) -> str:
    """Sanitised HTML from what the person typed: plain text becomes paragraphs (line breaks kept);
    HTML keeps only what the editor makes."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        text = linebreaks(escape(text))
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
    )
    # The editor writes every space as &nbsp;, which would stop a paragraph from wrapping on a phone.
    return cleaned.replace("&nbsp;", " ").replace("\xa0", " ").strip()


def html_text(value: str | None) -> str:
    """The words a reader sees: tags removed, entities decoded, one line per paragraph or list item.
    Plain text comes back as it was (only its spaces tidied)."""
    value = value or ""
    if looks_like_html(value):
        value = html.unescape(nh3.clean(_BLOCK_END.sub(lambda m: m.group(0) + "\n", value), tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def html_has_text(value: str | None) -> bool:
    return bool(html_text(value))


def excerpt(text: str | None, limit: int) -> str:
    """At most `limit` characters of a plain text, cut at a space and never inside a formula: a
    formula that does not fit is left out whole, and "…" says that something was."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    room = limit - 1  # for the "…"
    spans = [(m.start(), m.end()) for m in _FORMULA.finditer(text)]

    def formula_around(position: int):
        return next(((start, end) for start, end in spans if start < position < end), None)

    cut = room
    span = formula_around(cut)
    if span:
        cut = span[0]
    else:
        space = text.rfind(" ", 0, room + 1)
        if space > room // 2:
            span = formula_around(space)
            cut = span[1] if span else space
    return text[:cut].rstrip() + "…"


def plain_math(text: str | None) -> str:
    """A text with its formulas' delimiters removed, for places where nothing renders them (emails):
    "\\(x^2\\)" reads "x^2"."""
    return _DELIMITED.sub(lambda m: next(g for g in m.groups() if g is not None), text or "")
