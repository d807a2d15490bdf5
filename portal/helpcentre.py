"""The help centre: one short guide per role, written in Vietnamese as Markdown files in portal/help/.

A guide is `portal/help/<slug>.md`:

    ---
    title: Hướng dẫn cho giáo viên
    audience: Giáo viên
    order: 40
    ---
    One paragraph saying who the guide is for.

    ## Soạn một khóa học {#giao-vien-khoa-hoc}
    1. Mở **Khóa học** → thẻ **Tôi giảng dạy** …
    ![Trang khóa học](shot:giaovien-khoa-hoc)

Only a small part of Markdown is read: paragraphs, numbered and bulleted lists, **bold**, and links whose
target is a URL name without arguments (`[Khóa học](courses:catalogue)`) or another help section
(`[…](muc:<anchor>)`), so a link never points at a page that does not exist (reverse() fails loudly, a
missing section is refused when the guides load, and a test loads every guide).
The HTML made from it goes through the project's one sanitiser (truonghoc.richtext.clean_html).

Every section has an anchor `{#…}` that is unique across all guides: the pages' "?" links
(`{% help_link "<anchor>" %}`, truonghoc.help_tags) name a section by it alone.

`![caption](shot:<name>)` shows static/help/shots/<name>.png when the browser tests have taken it
(tests/e2e/test_help_screenshots.py; the folder is git-ignored); without it nothing is shown.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from truonghoc.richtext import clean_html
from truonghoc.text import fold, nfc, search_text

HELP_DIR = Path(__file__).resolve().parent / "help"
SHOTS_DIR = Path(settings.BASE_DIR) / "static" / "help" / "shots"
SHOT_STATIC = "help/shots/{name}.png"

_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*\{#(?P<anchor>[a-z0-9][a-z0-9-]*)\}\s*$")
_SHOT = re.compile(r"^!\[(?P<caption>[^\]]*)\]\(shot:(?P<name>[a-z0-9][a-z0-9-]*)\)\s*$")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?P<target>[a-z_]+(?::[a-z0-9_-]+)?)\)")
_SECTION_LINK = re.compile(r"\]\(muc:(?P<anchor>[a-z0-9-]+)\)")
_BOLD = re.compile(r"\*\*(?P<text>.+?)\*\*")
_ORDERED = re.compile(r"^\d+\.\s+")
_BULLET = re.compile(r"^[-*]\s+")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# A search reads at most this many words of the query; more only slows it down and finds nothing new.
MAX_WORDS = 8
SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 200


@dataclass
class Shot:
    name: str
    caption: str

    @property
    def static_path(self) -> str:
        return SHOT_STATIC.format(name=self.name)

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the picture taken by the browser tests on this machine, None when there is
        none (checked on each page: they may run after start-up). Read from the PNG header, so the page
        keeps the picture's room before it loads and a link to a section lands on that section."""
        try:
            with open(SHOTS_DIR / f"{self.name}.png", "rb") as file:
                header = file.read(24)
        except OSError:
            return None
        if len(header) < 24 or not header.startswith(b"\x89PNG\r\n\x1a\n") or header[12:16] != b"IHDR":
            return None
        return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


@dataclass
class Section:
    anchor: str
    title: str
    html: SafeString
    text: str  # the words a reader sees, for search and snippets
    guide_slug: str = ""
    guide_title: str = ""
    shots: list[Shot] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{reverse('help:guide', args=[self.guide_slug])}#{self.anchor}"

    @property
    def folded(self) -> str:
        return fold(f"{self.title} {self.text}")


@dataclass
class Guide:
    slug: str
    title: str
    audience: str
    order: int
    intro: SafeString
    sections: list[Section]

    @property
    def url(self) -> str:
        return reverse("help:guide", args=[self.slug])


def _inline(text: str) -> str:
    """One line of a guide as HTML: escaped first, then **bold** and links to named pages."""
    html = escape(text)

    def link(match):
        target = match.group("target")
        if target.startswith("muc:"):
            url = reverse("help:section", args=[target.removeprefix("muc:")])
        else:
            url = reverse(target)
        return f'<a href="{url}">{match.group("text")}</a>'

    html = _LINK.sub(link, html)
    return _BOLD.sub(r"<strong>\g<text></strong>", html)


def _plain(text: str) -> str:
    text = _LINK.sub(r"\g<text>", text)
    return _BOLD.sub(r"\g<text>", text)


def _blocks(lines: list[str]) -> tuple[str, str, list[Shot]]:
    """Paragraphs and lists of a section: (html, plain text, screenshots)."""
    html: list[str] = []
    words: list[str] = []
    shots: list[Shot] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush():
        nonlocal list_tag
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append(f"<{list_tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""

    for raw in lines:
        line = raw.strip()
        shot = _SHOT.match(line)
        ordered, bullet = _ORDERED.match(line), _BULLET.match(line)
        if not line:
            flush()
        elif shot:
            flush()
            shots.append(Shot(name=shot.group("name"), caption=nfc(shot.group("caption"))))
        elif ordered or bullet:
            tag = "ol" if ordered else "ul"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            list_tag = tag
            item = line[(ordered or bullet).end() :]
            items.append(item)
            words.append(_plain(item))
        elif items:  # a continuation line of the last item
            items[-1] += " " + line
            words.append(_plain(line))
        else:
            paragraph.append(line)
            words.append(_plain(line))
    flush()
    return clean_html("".join(html)), nfc(" ".join(words)), shots


def parse_guide(slug: str, source: str) -> Guide:
    lines = source.replace("\r\n", "\n").split("\n")
    meta: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = lines.index("---", 1)
        for line in lines[1:end]:
            key, _sep, value = line.partition(":")
            meta[key.strip()] = value.strip()
        lines = lines[end + 1 :]
    if not meta.get("title"):
        raise ImproperlyConfigured(f"Help guide {slug}: no title.")
    intro_lines: list[str] = []
    chunks: list[tuple[re.Match, list[str]]] = []
    for line in lines:
        if line.startswith("## "):
            heading = _HEADING.match(line)
            if not heading:
                raise ImproperlyConfigured(f"Help guide {slug}: a section without an anchor: {line!r}")
            chunks.append((heading, []))
        elif chunks:
            chunks[-1][1].append(line)
        else:
            intro_lines.append(line)
    intro, _text, _shots = _blocks(intro_lines)
    sections = []
    for heading, body in chunks:
        html, text, shots = _blocks(body)
        sections.append(
            Section(
                anchor=heading.group("anchor"),
                title=nfc(heading.group("title")),
                html=mark_safe(html),  # noqa: S308 - the output of the sanitiser
                text=text,
                guide_slug=slug,
                guide_title=meta["title"],
                shots=shots,
            )
        )
    return Guide(
        slug=slug,
        title=nfc(meta["title"]),
        audience=nfc(meta.get("audience", "")),
        order=int(meta.get("order", "100")),
        intro=mark_safe(intro),  # noqa: S308 - the output of the sanitiser
        sections=sections,
    )


@cache
def guides() -> tuple[Guide, ...]:
    """Every guide, in their stated order; read once per process (the files are part of the code)."""
    sources = {path.stem: path.read_text(encoding="utf-8") for path in sorted(HELP_DIR.glob("*.md"))}
    loaded = [parse_guide(slug, source) for slug, source in sources.items()]
    seen: dict[str, str] = {}
    for guide in loaded:
        if not _SLUG.match(guide.slug):
            raise ImproperlyConfigured(f"Help guide file name {guide.slug!r}: use lower-case letters, digits and -.")
        for section in guide.sections:
            if section.anchor in seen:
                raise ImproperlyConfigured(
                    f"Help section {section.anchor!r} is in both {seen[section.anchor]} and {guide.slug}."
                )
            seen[section.anchor] = guide.slug
    for slug, source in sources.items():
        for match in _SECTION_LINK.finditer(source):
            if match.group("anchor") not in seen:
                raise ImproperlyConfigured(f"Help guide {slug} links to a missing section {match.group('anchor')!r}.")
    return tuple(sorted(loaded, key=lambda g: (g.order, g.slug)))


def guide(slug: str) -> Guide | None:
    return next((g for g in guides() if g.slug == slug), None)


def section(anchor: str) -> Section | None:
    return next((s for g in guides() for s in g.sections if s.anchor == anchor), None)


def query_words(query: str | None) -> list[str]:
    """The folded words of a search (NUL and control characters dropped, at most 200 characters)."""
    words = [w for w in re.split(r"[^\w]+", fold(search_text(query))) if w]
    return list(dict.fromkeys(words))[:MAX_WORDS]


@dataclass
class Hit:
    section: Section
    snippet: SafeString
    score: int


def _fold_aligned(text: str) -> str:
    """fold() character by character, so that a position in the result is the same position in `text`."""
    out = []
    for ch in text:
        folded = fold(ch) if ch.strip() else " "
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def _word_start(word: str) -> re.Pattern:
    """A word of the query matches the start of a word of the text ("tai" finds "tài khoản", not "ngoài")."""
    return re.compile(r"(?<!\w)" + re.escape(word))


def snippet(text: str, words: list[str]) -> SafeString:
    """About SNIPPET_LENGTH characters of `text` around the first word found, the words marked."""
    folded = _fold_aligned(text)
    found = [_word_start(w).search(folded) for w in words]
    positions = [m.start() for m in found if m]
    start = max(0, min(positions) - SNIPPET_BEFORE) if positions else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + SNIPPET_LENGTH // 2 else end
    marks = [False] * (end - start)
    for word in words:
        for match in _word_start(word).finditer(folded, start, end):
            for i in range(match.start() - start, min(match.end(), end) - start):
                marks[i] = True
    parts, i = [], 0
    piece = text[start:end]
    while i < len(piece):
        j = i
        while j < len(piece) and marks[j] == marks[i]:
            j += 1
        chunk = escape(piece[i:j])
        parts.append(f"<mark>{chunk}</mark>" if marks[i] else chunk)
        i = j
    return mark_safe(("… " if start else "") + "".join(parts) + (" …" if end < len(text) else ""))  # noqa: S308 - escaped above


def search(query: str | None) -> list[Hit]:
    """Sections holding every word of the query, accents and case ignored ("tai khoan" finds "tài khoản"):
    those whose title holds the words first."""
    words = query_words(query)
    if not words:
        return []
    patterns = [_word_start(w) for w in words]
    hits = []
    for g in guides():
        for s in g.sections:
            haystack = fold(f"{g.title} {s.title} {s.text}")
            if all(p.search(haystack) for p in patterns):
                title, text = fold(s.title), fold(s.text)
                score = sum(3 for p in patterns if p.search(title)) + sum(1 for p in patterns if p.search(text))
                score += 5 if _word_start(" ".join(words)).search(title) else 0  # the words as typed, in the title
                hits.append(Hit(section=s, snippet=snippet(s.text, words), score=score))
    hits.sort(key=lambda h: -h.score)
    return hits
