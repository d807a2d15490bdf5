"""GIFT, Moodle's text format for questions, read and written by hand (there is no library we trust).

Questions are separated by blank lines; `//` starts a comment line; `$CATEGORY: a/b/c` sets the topic
of the questions after it; `::title::` names a question; `[html]`, `[plain]`, `[markdown]` and
`[moodle]` give its text format; `\\~ \\= \\# \\{ \\} \\: \\\\` are the escaped special characters and `\\n`
a line break (except where it starts a LaTeX command such as \\neq).

Answer blocks: `{=a ~b ~c}` single choice, `{~%50%a ~%50%b ~%-100%c}` multiple choice, `{T}`/`{F}` a
single choice Đúng/Sai, `{#3.5:0.1}` or `{#1..2}` (a range becomes midpoint ± half-width) numeric,
`{}` essay, `{=statement -> Đúng …}` with four true/false pairs our true/false type; `####text` inside
the braces is the explanation. Text after the braces makes a missing-word question (a blank is put in
its place). Other matching and short answers with words are refused with a message.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from truonghoc.text import nfc

from ...models.questions import QuestionType
from ...scoring import parse_number
from ..question_rules import text_from_html
from .common import (
    FALSE_WORD,
    TRUE_WORD,
    Defaults,
    Entry,
    ImportFileError,
    answer_weight,
    decode_text,
    plain_number,
    topic_from_path,
    truth_from_word,
    with_defaults,
)

SPECIAL = "~=#{}:\\"
BLANK = "_____"
# LaTeX commands that start with "n": "\neq" in a hand-written file is a formula, not a line break.
_N_COMMANDS = frozenset(
    ("neq", "ne", "not", "nabla", "nu", "ni", "neg", "nmid", "nleq", "ngeq", "nless", "ngtr", "nexists", "notin",
     "nsubseteq", "nsupseteq", "nearrow", "nwarrow", "natural", "ncong", "nparallel", "nsim", "nrightarrow",
     "nleftarrow", "nleftrightarrow", "nRightarrow", "nLeftarrow", "nLeftrightarrow", "newline", "nolimits",
     "normalsize")
)  # fmt: skip
_LETTERS = re.compile(r"[A-Za-z]+")


def unescape(text: str) -> str:
    out = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following in SPECIAL:
                out.append(following)
                i += 2
                continue
            if following == "n":
                word = _LETTERS.match(text, i + 1)
                if word is None or word.group() not in _N_COMMANDS:
                    out.append("\n")
                    i += 2
                    continue
        out.append(char)
        i += 1
    return "".join(out)


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped `token` at or after start, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _split_items(body: str) -> tuple[str, list[tuple[str, str]]]:
    """(text before the first marker, [(marker "=" or "~", raw text)])."""
    items: list[tuple[str, str]] = []
    before = []
    current: list[str] | None = None
    marker = ""
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            (current if current is not None else before).append(body[i : i + 2])
            i += 2
            continue
        if char in "=~":
            if current is not None:
                items.append((marker, "".join(current)))
            current, marker = [], char
        else:
            (current if current is not None else before).append(char)
        i += 1
    if current is not None:
        items.append((marker, "".join(current)))
    return "".join(before), items


class _Item:
    def __init__(self, marker: str, raw: str, text_of):
        self.marker = marker
        feedback = _find(raw, "#")
        raw = raw if feedback < 0 else raw[:feedback]
        self.weight = Decimal(100) if marker == "=" else Decimal(0)
        match = re.match(r"\s*%(-?\d+(?:[.,]\d+)?)%", raw)
        if match:
            self.weight = parse_number(match.group(1)) or Decimal(0)
            raw = raw[match.end() :]
        self.has_weight = bool(match)
        arrow = raw.rfind("->")
        self.pair = None
        if arrow >= 0:
            self.pair = (text_of(raw[:arrow]), nfc(unescape(raw[arrow + 2 :])))
        self.text = text_of(raw)


def _numeric(body: str, entry: Entry) -> dict | None:
    spec = body[1:].strip()
    if spec.startswith("="):
        _before, items = _split_items(spec)
        spec = items[0][1] if items else ""
        spec = re.sub(r"^\s*%[-\d.,]+%", "", spec)
    feedback = _find(spec, "#")
    spec = unescape(spec if feedback < 0 else spec[:feedback]).strip()
    if ".." in spec:
        low, high = (parse_number(p) for p in spec.split("..", 1))
        if low is None or high is None or high < low:
            entry.problems.append(_("The range “%(range)s” is not two numbers low..high.") % {"range": spec[:40]})
            return None
        return {"type": QuestionType.NUMERIC, "numeric_answer": (low + high) / 2, "tolerance": (high - low) / 2}
    answer, _sep, tolerance = spec.partition(":")
    return {"type": QuestionType.NUMERIC, "numeric_answer": answer.strip(), "tolerance": tolerance.strip()}


def _answer_fields(body: str, text_of, entry: Entry) -> dict | None:
    stripped = body.strip()
    if not stripped:
        return {"type": QuestionType.ESSAY}
    if stripped.startswith("#"):
        return _numeric(stripped, entry)
    word = stripped.split("#", 1)[0].strip().upper()
    if word in ("T", "TRUE", "F", "FALSE"):
        right = word.startswith("T")
        return {
            "type": QuestionType.SINGLE,
            "options": [{"text": TRUE_WORD, "correct": right}, {"text": FALSE_WORD, "correct": not right}],
        }
    before, raw_items = _split_items(body)
    if before.strip():
        entry.problems.append(
            _("The answers must start with = (right) or ~ (wrong); found “%(text)s”.") % {"text": before.strip()[:40]}
        )
        return None
    items = [_Item(marker, raw, text_of) for marker, raw in raw_items]
    if items and all(i.pair for i in items) and all(i.marker == "=" for i in items):
        truths = [truth_from_word(i.pair[1]) for i in items]
        if len(items) != 4 or None in truths:
            entry.problems.append(
                _(
                    "A matching question is imported only as a true/false question: exactly four statements, each "
                    "matched to Đúng or Sai (=statement -> Đúng). This one has %(count)d pairs."
                )
                % {"count": len(items)}
            )
            return None
        return {
            "type": QuestionType.TRUE_FALSE,
            "options": [{"text": i.pair[0], "correct": t} for i, t in zip(items, truths, strict=True)],
        }
    if items and all(i.marker == "=" for i in items):
        numbers = [parse_number(i.text) for i in items]
        if None in numbers:
            entry.problems.append(
                _(
                    "A short-answer question is imported only when its answers are numbers; this one accepts "
                    "“%(answer)s”."
                )
                % {"answer": next(i.text for i, n in zip(items, numbers, strict=True) if n is None)[:80]}
            )
            return None
        if len(set(numbers)) > 1:
            entry.problems.append(_("This question accepts several different numbers; the bank keeps one answer."))
        return {"type": QuestionType.NUMERIC, "numeric_answer": numbers[0], "tolerance": ""}
    weighted = any(i.has_weight and i.weight > 0 for i in items)
    correct = sum(1 for i in items if i.weight > 0)
    multiple = weighted or correct > 1
    return {
        "type": QuestionType.MULTIPLE if multiple else QuestionType.SINGLE,
        "options": [{"text": i.text, "correct": i.weight > 0} for i in items],
    }


def _blocks(text: str):
    """(first line number, lines) of each block between blank lines, comment lines left out."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if block:
                yield first, block
            block = []
            continue
        if not block:
            first = number
        block.append(line)
    if block:
        yield first, block


def _question(source: str, entry: Entry, defaults: Defaults, topic: str) -> None:
    rest = source.strip()
    title = ""
    if rest.startswith("::"):
        end = _find(rest, "::", 2)
        if end < 0:
            entry.problems.append(_("The title opened with :: is never closed with ::."))
            return
        title = nfc(unescape(rest[2:end]))
        rest = rest[end + 2 :].lstrip()
        if title:
            entry.label = f"{entry.label} “{title[:60]}”"
    fmt = "moodle"
    match = re.match(r"\[(html|plain|markdown|moodle)\]", rest, re.IGNORECASE)
    if match:
        fmt = match.group(1).lower()
        rest = rest[match.end() :]

    def text_of(raw: str) -> str:
        value = unescape(raw)
        return text_from_html(value) if fmt == "html" else value.strip()

    opening = _find(rest, "{")
    if opening < 0:
        entry.problems.append(_("This question has no answer block { … }."))
        return
    closing = _find(rest, "}", opening + 1)
    if closing < 0:
        entry.problems.append(_("The answer block opened with { is never closed with }."))
        return
    body, after = rest[opening + 1 : closing], rest[closing + 1 :]
    nested = _find(body, "{")
    if nested >= 0 or _find(after, "{") >= 0 or _find(after, "}") >= 0:
        entry.problems.append(
            _("A { or } is out of place; inside a text write them as \\{ and \\} (LaTeX braces too).")
        )
        return
    feedback_at = _find(body, "####")
    explanation = ""
    if feedback_at >= 0:
        explanation = text_of(body[feedback_at + 4 :])
        body = body[:feedback_at]
    fields = _answer_fields(body, text_of, entry)
    if fields is None:
        return
    stem = text_of(rest[:opening])
    if after.strip():
        stem = f"{stem} {BLANK} {text_of(after)}".strip()
    fields["stem"] = stem
    fields["explanation"] = explanation
    entry.fields = with_defaults(fields, defaults, topic)


def parse_gift(content: bytes, defaults: Defaults) -> list[Entry]:
    text = decode_text(content, "GIFT").replace("\r\n", "\n").replace("\r", "\n")
    entries: list[Entry] = []
    topic = ""
    for line, lines in _blocks(text):
        while lines and lines[0].strip().startswith("$CATEGORY:"):
            topic = topic_from_path(lines[0].strip()[len("$CATEGORY:") :], "")
            lines = lines[1:]
            line += 1
        if not lines:
            continue
        number = len(entries) + 1
        label = _("question %(number)d (line %(line)d)") % {"number": number, "line": line}
        entry = Entry(position=number, label=label)
        entries.append(entry)
        _question("\n".join(lines), entry, defaults, topic)
    if not entries:
        raise ImportFileError(_("The file holds no question."))
    return entries


# --- writing -------------------------------------------------------------------------------------


def escape(text: str) -> str:
    text = text or ""
    out = []
    for i, char in enumerate(text):
        if char in SPECIAL:
            out.append("\\" + char)
        elif char == "\n":
            # A space keeps "\n" + "eq…" from reading as \neq; the importer drops it with the line's spaces.
            out.append("\\n " if text[i + 1 : i + 2].isascii() and text[i + 1 : i + 2].isalpha() else "\\n")
        else:
            out.append(char)
    return "".join(out)


def export_gift(questions) -> bytes:
    """The questions as GIFT. Grade, subject and level have no place in GIFT (the topic goes in
    $CATEGORY), nor do images or an essay's marking guide."""
    parts = ["// " + _("Exported from the question bank of Connected Schools")]
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            parts.append("$CATEGORY: $course$/top/" + topic.replace("/", "//"))
        lines = [f"::{escape(_('Question %(number)d') % {'number': q.pk})}:: {escape(q.stem)} {{"]
        if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            correct = sum(1 for o in q.options if o.get("correct"))
            for option in q.options:
                if q.type == QuestionType.SINGLE:
                    lines.append(("=" if option.get("correct") else "~") + escape(option["text"]))
                else:
                    weight = answer_weight(correct) if option.get("correct") else "-100"
                    lines.append(f"~%{weight}%{escape(option['text'])}")
        elif q.type == QuestionType.TRUE_FALSE:
            for option in q.options:
                lines.append(f"={escape(option['text'])} -> {TRUE_WORD if option.get('correct') else FALSE_WORD}")
        elif q.type == QuestionType.NUMERIC:
            lines.append(f"#{plain_number(q.numeric_answer)}:{plain_number(q.tolerance)}")
        if q.explanation:
            lines.append("####" + escape(q.explanation))
        lines.append("}")
        parts.append("\n".join(lines))
    return ("\n\n".join(parts) + "\n").encode("utf-8")
