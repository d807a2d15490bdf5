"""Mathematics in questions: finding the LaTeX formulas in a text and checking that KaTeX can read them.

Formulas are written between \\( \\) or $ $ (inline) and \\[ \\] or $$ $$ (display); a literal dollar is
written \\$. The browser renders them with the KaTeX the project serves (static/vendor/katex). The
server checks them with that same katex.min.js under node (latex_check.js), in one process for a whole
batch, so a formula the browser could not render is refused when it is saved or imported, with KaTeX's
own message. Without node (a machine set up by hand) only the delimiters and braces are checked.
"""

import html
import json
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nh3
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CHECKER = Path(__file__).with_name("latex_check.js")
MAX_FORMULA_CHARS = 5000
# Opening delimiter → (closing delimiter, display mode). Longest first so "$$" wins over "$".
DELIMITERS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False), ("$", "$", False))
_OPENING = re.compile(r"\\\$|\$\$|\$|\\\[|\\\(|\\\)|\\\]")


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


def plain_text(value: str) -> str:
    """The text a reader sees, tags removed and entities decoded: where formulas are looked for."""
    return html.unescape(nh3.clean(value or "", tags=set()))


def _short(tex: str) -> str:
    tex = " ".join(tex.split())
    return tex if len(tex) <= 60 else tex[:57] + "…"


def find_formulas(text: str) -> tuple[list[Formula], list[str]]:
    """The formulas of a plain text, and the problems with its delimiters (opened and never closed,
    closed and never opened, a formula too long)."""
    formulas: list[Formula] = []
    problems: list[str] = []
    position = 0
    while True:
        match = _OPENING.search(text, position)
        if match is None:
            break
        found = match.group()
        if found == "\\$":  # a literal dollar
            position = match.end()
            continue
        if found in ("\\)", "\\]"):
            problems.append(_("“%(delimiter)s” closes a formula that was never opened.") % {"delimiter": found})
            position = match.end()
            continue
        closing, display = next((c, d) for o, c, d in DELIMITERS if o == found)
        end = _find_closing(text, match.end(), closing)
        if end < 0:
            problems.append(
                _("A formula opened with “%(open)s” is never closed with “%(close)s”: %(start)s")
                % {"open": found, "close": closing, "start": _short(text[match.start() : match.start() + 60])}
            )
            break
        tex = text[match.end() : end].strip()
        if len(tex) > MAX_FORMULA_CHARS:
            problems.append(_("A formula is too long: at most %(max)d characters.") % {"max": MAX_FORMULA_CHARS})
        elif tex:
            formulas.append(Formula(tex, display))
        position = end + len(closing)
    return formulas, problems


def _find_closing(text: str, start: int, closing: str) -> int:
    position = start
    while True:
        end = text.find(closing, position)
        if end < 0:
            return -1
        # "\$" inside a $…$ formula is a literal dollar, not the end.
        if closing.startswith("$") and end > 0 and text[end - 1] == "\\":
            position = end + 1
            continue
        return end


def _braces_balanced(tex: str) -> bool:
    depth = 0
    escaped = False
    for char in tex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _katex_dir() -> Path:
    return Path(settings.BASE_DIR) / "static" / "vendor" / "katex"


def _katex_errors(formulas: list[Formula]) -> list[str | None] | None:
    """KaTeX's message for each formula (None when it renders), or None when node or KaTeX is missing."""
    node = shutil.which("node")
    if node is None or not (_katex_dir() / "katex.min.js").exists():
        logger.warning("node or static/vendor/katex is missing: formulas are only checked for delimiters and braces")
        return None
    payload = json.dumps([[f.tex, f.display] for f in formulas])
    try:
        # Fixed arguments (our script, our KaTeX); the formulas go through stdin, never the command line.
        done = subprocess.run(  # noqa: S603
            [node, str(CHECKER), str(_katex_dir())],
            input=payload,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        logger.error("KaTeX check failed to run: %s", error)
        return None
    return result if isinstance(result, list) and len(result) == len(formulas) else None


def check_texts(texts: list[str], *, html: bool = False) -> list[list[str]]:
    """For each text, the list of problems with its formulas; empty when every formula renders. One node
    process for the whole list. Question texts are plain text (html=False): "$a<b$ và $c>d$" must not
    lose "<b$ và $c>" to a tag stripper. With html=True, tags are removed and entities decoded first."""
    found = [find_formulas(plain_text(text) if html else text) for text in texts]
    problems = [list(p) for _f, p in found]
    flat = [(i, formula) for i, (formulas, _p) in enumerate(found) for formula in formulas]
    if not flat:
        return problems
    errors = _katex_errors([formula for _i, formula in flat])
    for n, (i, formula) in enumerate(flat):
        if errors is None:
            message = None if _braces_balanced(formula.tex) else _("the braces { } do not match")
        else:
            message = errors[n]
        if message:
            problems[i].append(
                _("The formula “%(tex)s” cannot be read: %(error)s") % {"tex": _short(formula.tex), "error": message}
            )
    return problems
