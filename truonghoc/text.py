"""The one place where Vietnamese text is normalised, folded for search, and sorted.

Every app calls these instead of writing its own: a name typed in NFD on a phone and in NFC on a
desktop must be the same name, and "nguyen van a" must find "Nguyễn Văn A".
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SPACES = re.compile(r"\s+")
# Control characters never belong in a name or a search; PostgreSQL even refuses NUL in a query.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(value: str | None) -> str:
    """NFC-normalise, drop control characters and collapse runs of white space; None becomes ''."""
    if not value:
        return ""
    if type(value) is str and value.isascii() and value.isprintable() and "  " not in value:
        # Plain ASCII without control characters (codes, numbers, most cells of a list): NFC leaves it as it
        # is and its only white space is the single space, so only the ends can change.
        return value.strip(" ")
    return _SPACES.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", str(value)))).strip()


def nfc_text(value: str | None) -> str:
    """Like nfc() for a text of several lines: line breaks are kept (at most one blank line in a row),
    spaces within a line collapse, control characters go."""
    if not value:
        return ""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def search_text(value: str | None, *, max_length: int = 200) -> str:
    """What was typed in a search box or a text filter of a query string, ready for a lookup: nfc() (so NUL
    and other control characters are dropped, and PostgreSQL never sees them), at most `max_length` long."""
    return nfc(value)[:max_length]


class _MarkDropper(dict):
    """A str.translate() table that drops combining marks (category Mn) and keeps every other character.
    Each character's category is looked up once, the first time it is met; after that translate() runs in C
    (a search page folded its excerpts one Python call per character, 6,500 a request)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        if len(self) < 20_000:  # the letters of the languages one meets; a flood of rare ones is not kept
            self[code] = kept
        return kept


_DROP_MARKS = _MarkDropper()


def fold(value: str | None) -> str:
    """Lower-case, diacritic-free form for search: 'Đặng Thị Hòa' -> 'dang thi hoa'."""
    text = nfc(value)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return decomposed.translate(_DROP_MARKS).lower()


def name_sort_key(full_name: str | None) -> str:
    """Vietnamese names sort by given name (the last word), then by the family and middle names.

    'Nguyễn Văn An' sorts as 'an nguyen van'. Folding keeps 'Ánh' next to 'Anh'; the original
    NFC form is appended so that names differing only in tone marks still sort deterministically.
    """
    name = nfc(full_name)
    if not name:
        return ""
    words = name.split(" ")
    ordered = " ".join([words[-1], *words[:-1]])
    return f"{fold(ordered)}|{ordered.lower()}"


# --- names that go into spreadsheets and lists --------------------------------------------------
# A cell starting with one of these is read as a formula by Excel/LibreOffice (CSV/formula injection);
# a tab or carriage return in front hides such a start.
FORMULA_STARTS = ("=", "+", "-", "@")
# Unicode bidi controls (embeddings, overrides, isolates, marks): they make "exe.pdf" read as "fdp.exe"
# and a name display as another (Trojan Source).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def formula_or_bidi_problem(value: str | None) -> str | None:
    """Why a name (of a person, unit, course, letter…) is refused, or None when it is fine."""
    text = str(value or "")
    if text[:1] in ("\t", "\r") or text.lstrip()[:1] in FORMULA_STARTS:
        return _(
            "A name may not start with “=”, “+”, “-”, “@”, a tab or a line break: spreadsheets read it as a "
            "formula. Remove that first character."
        )
    if any(ch in BIDI_CONTROLS for ch in text):
        return _("The name holds invisible text-direction characters. Type it again without copying it from elsewhere.")
    return None


def refuse_formula_or_bidi(value: str | None) -> None:
    """The one validator of names at entry (forms' fields and the import engine's row check): refuses a
    value that a spreadsheet would run as a formula or that holds bidi controls. Exports still
    neutralise cells (`truonghoc.xlsx.safe_cell`) as the second line."""
    problem = formula_or_bidi_problem(value)
    if problem:
        raise ValidationError(problem, code="unsafe_name")
