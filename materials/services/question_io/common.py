"""What every question format shares: the parsed entry, the file-level error, and the words people use
for types, levels and true/false in Vietnamese and English."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.text import fold

from ...models.questions import CognitiveLevel, QuestionType

# The words written in files (and shown in the template), per type and level.
TYPE_WORDS = {
    QuestionType.SINGLE: "Một lựa chọn",
    QuestionType.MULTIPLE: "Nhiều lựa chọn",
    QuestionType.TRUE_FALSE: "Đúng sai",
    QuestionType.NUMERIC: "Trả lời ngắn",
    QuestionType.ESSAY: "Tự luận",
}
LEVEL_WORDS = {
    CognitiveLevel.RECOGNITION: "Nhận biết",
    CognitiveLevel.COMPREHENSION: "Thông hiểu",
    CognitiveLevel.APPLICATION: "Vận dụng",
    CognitiveLevel.HIGH_APPLICATION: "Vận dụng cao",
}
TRUE_WORD, FALSE_WORD = "Đúng", "Sai"
# Folded aliases (see _key) → value.
_TYPE_ALIASES = {
    QuestionType.SINGLE: ("mot lua chon", "1 lua chon", "single", "single choice", "trac nghiem", "mot dap an"),
    QuestionType.MULTIPLE: ("nhieu lua chon", "multiple", "multiple choice", "nhieu dap an"),
    QuestionType.TRUE_FALSE: ("dung sai", "true false", "true_false", "tf", "dung sai 4 y", "4 menh de"),
    QuestionType.NUMERIC: ("tra loi ngan", "numeric", "short answer", "short numeric answer", "so"),
    QuestionType.ESSAY: ("tu luan", "essay"),
}
_LEVEL_ALIASES = {
    1: ("nhan biet", "nb", "recognition", "1"),
    2: ("thong hieu", "th", "comprehension", "2"),
    3: ("van dung", "vd", "application", "3"),
    4: ("van dung cao", "vdc", "advanced application", "high application", "4"),
}
TRUE_WORDS = frozenset({"d", "dung", "t", "true", "1", "x", "yes", "co"})
FALSE_WORDS = frozenset({"s", "sai", "f", "false", "0", "no", "khong"})

FIELD_LABELS = {
    "type": gettext_lazy("Type"),
    "stem": gettext_lazy("Question"),
    "options": gettext_lazy("Options"),
    "numeric_answer": gettext_lazy("Answer"),
    "tolerance": gettext_lazy("Tolerance"),
    "answer_guide": gettext_lazy("Marking guide"),
    "explanation": gettext_lazy("Explanation"),
    "subject": gettext_lazy("Subject"),
    "grade": gettext_lazy("Grade"),
    "topic": gettext_lazy("Topic"),
    "level": gettext_lazy("Cognitive level"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


@dataclass
class Entry:
    """One question of a file (or one thing in it that is not a question we import).

    `fields` are clean_question's arguments (None when the entry cannot be a question at all);
    `problems` what is wrong, said for the person who wrote the file; `info` why an entry that is not a
    question (a Moodle description) is skipped; `image` an embedded picture, not yet checked."""

    position: int
    label: str
    fields: dict | None = None
    problems: list[str] = field(default_factory=list)
    info: str = ""
    image: bytes | None = None
    image_name: str = ""


@dataclass
class Defaults:
    """What Moodle XML and GIFT files do not carry, chosen on the upload form."""

    subject: str = ""
    grade: int | None = None
    topic: str = ""
    level: int | None = None


def _key(value) -> str:
    return " ".join(re.sub(r"[^a-z0-9_]+", " ", fold(str(value or ""))).split())


def type_from_word(value) -> str | None:
    key = _key(value)
    if not key:
        return None
    if key in QuestionType.values:
        return key
    return next((t for t, aliases in _TYPE_ALIASES.items() if key in aliases), None)


def level_from_word(value) -> int | None:
    key = _key(value)
    return next((level for level, aliases in _LEVEL_ALIASES.items() if key in aliases), None)


def truth_from_word(value) -> bool | None:
    key = _key(value)
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


def topic_from_path(path: str, fallback: str) -> str:
    """The topic of a Moodle/GIFT category path: its last segment ("$course$/top/Đại số/Phân số" →
    "Phân số"). Moodle writes a "/" inside a name as "//"."""
    parts = [p.replace("\x00", "/").strip() for p in (path or "").replace("//", "\x00").split("/")]
    parts = [p for p in parts if p and not (p.startswith("$") and p.endswith("$")) and p.lower() != "top"]
    return parts[-1][:255] if parts else fallback


def with_defaults(fields: dict, defaults: Defaults, topic: str) -> dict:
    fields.setdefault("subject", defaults.subject)
    fields.setdefault("grade", defaults.grade)
    fields.setdefault("level", defaults.level)
    fields.setdefault("topic", topic or defaults.topic)
    return fields


def not_text_message(kind: str) -> str:
    return _("This file is not a %(kind)s text file: it holds binary data. Choose the right format.") % {"kind": kind}


def decode_text(content: bytes, kind: str) -> str:
    """The text of an uploaded text file (UTF-8, with or without BOM, or UTF-16 with BOM)."""
    if not content or not content.strip():
        raise ImportFileError(_("The file is empty."))
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(not_text_message(kind)) from exc
    if b"\x00" in content[:4096]:
        raise ImportFileError(not_text_message(kind))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The text of this file is not UTF-8 (line %(line)d). Save it again as UTF-8 and retry.")
            % {"line": content[: exc.start].count(b"\n") + 1}
        ) from exc


# --- writing numbers the way both formats read them ----------------------------------------------


def plain_number(value) -> str:
    """A number as GIFT and Moodle XML read it: no exponent, no trailing zeros (0.5, 2, 1.25); none is 0."""
    return format(Decimal(value).normalize(), "f") if value is not None else "0"


def answer_weight(count: int) -> str:
    """Each of `count` correct answers' share of the marks, in percent (33.33333 for three)."""
    return plain_number(round(Decimal(100) / count, 5)) if count else "0"
