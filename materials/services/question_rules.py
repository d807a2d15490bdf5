"""What makes a question valid, shared by the form, the editor's services and every importer.

`clean_question` takes the fields as typed or imported and returns them cleaned (NFC text, numbers
read, options checked for the type) or raises ValidationError with a message per field. Formulas are
checked with KaTeX, one node process per call; an importer passes `check_math=False` and checks the
whole file at once with `math_problems`. `fingerprint` and `search_text` are computed here once, so a
duplicate is the same duplicate whoever looks for it.
"""

import hashlib
import html
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from truonghoc.text import fold, nfc, nfc_text

from .. import latex
from ..models.questions import CognitiveLevel, QuestionType
from ..scoring import parse_number

TEXT_MAX_CHARS = 20_000
OPTION_MAX_CHARS = 2_000
MAX_OPTIONS = 10
# A question's picture, typed or imported: JPEG or PNG, re-encoded, at most this size.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
TEXT_FIELDS = ("stem", "explanation", "answer_guide")
_BLOCK_TAGS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>")
_TAGS = re.compile(r"<[^>]*>")


def text_from_html(value: str | None) -> str:
    """Imported HTML (Moodle, GIFT [html]) as the plain text the bank stores: paragraphs and line breaks
    become new lines, every other tag goes, entities are decoded. Tables and styling are not kept."""
    text = _BLOCK_TAGS.sub("\n", value or "")
    text = _TAGS.sub("", text)
    return nfc_text(html.unescape(text))


_OPTION_LABEL = re.compile(r"^([A-Ja-j])\s*[.):]\s+")


def _option_text(value, position: int) -> str:
    """The option's text without a label copied from a paper ("B. 24", "c) ..."): the portal prints its
    own letters. Only the letter of the option's own place is taken off, so "A. B" stays as typed
    anywhere but first."""
    text = nfc_text(str(value or ""))
    label = _OPTION_LABEL.match(text)
    if label and ord(label.group(1).lower()) - ord("a") == position:
        text = text[label.end() :].strip()
    return text


def _options_for(type_: str, options, errors: dict) -> list[dict]:
    """Options as [{"text", "correct"}], checked for the type."""
    cleaned = []
    for option in options or []:
        text = _option_text(option.get("text"), len(cleaned))
        if text:
            cleaned.append({"text": text[:OPTION_MAX_CHARS], "correct": bool(option.get("correct"))})
    if type_ in (QuestionType.NUMERIC, QuestionType.ESSAY):
        return []
    correct = sum(1 for o in cleaned if o["correct"])
    if type_ == QuestionType.TRUE_FALSE:
        if len(cleaned) != 4:
            errors.setdefault("options", []).append(
                _("A true/false question has exactly four statements (a, b, c, d); this one has %(count)d.")
                % {"count": len(cleaned)}
            )
        return cleaned
    if len(cleaned) < 2:
        errors.setdefault("options", []).append(_("Give at least two options."))
    elif len(cleaned) > MAX_OPTIONS:
        errors.setdefault("options", []).append(_("Give at most %(max)d options.") % {"max": MAX_OPTIONS})
    folded = [fold(o["text"]) for o in cleaned]
    if len(set(folded)) != len(folded):
        errors.setdefault("options", []).append(_("Two options have the same text."))
    if type_ == QuestionType.SINGLE and correct != 1 and len(cleaned) >= 2:
        errors.setdefault("options", []).append(
            _("A single-choice question has exactly one correct option; this one has %(count)d.") % {"count": correct}
        )
    if type_ == QuestionType.MULTIPLE and correct < 1 and len(cleaned) >= 2:
        errors.setdefault("options", []).append(_("Mark at least one option as correct."))
    return cleaned


def clean_question(
    *,
    type: str,
    stem: str,
    options=(),
    numeric_answer=None,
    tolerance=None,
    answer_guide: str = "",
    explanation: str = "",
    subject: str = "",
    grade=None,
    topic: str = "",
    level=None,
    check_math: bool = True,
) -> dict:
    """The question's fields, cleaned; raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    if type not in QuestionType.values:
        errors["type"] = [_("Choose the type of question.")]
    out: dict = {"type": type}
    for name, value in (("stem", stem), ("explanation", explanation), ("answer_guide", answer_guide)):
        text = nfc_text(value)
        if len(text) > TEXT_MAX_CHARS:
            errors[name] = [_("This text is too long: at most %(max)d characters.") % {"max": TEXT_MAX_CHARS}]
        out[name] = text[:TEXT_MAX_CHARS]
    if not out["stem"]:
        errors["stem"] = [_("Write the question.")]
    out["subject"] = nfc(subject)[:100]
    if not out["subject"]:
        errors["subject"] = [_("Give the subject.")]
    out["topic"] = nfc(topic)[:255]
    if not out["topic"]:
        errors["topic"] = [_("Give the topic (it is what a blueprint counts by).")]
    try:
        out["grade"] = int(grade)
        if not 1 <= out["grade"] <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors["grade"] = [_("The grade is a number from 1 to 12.")]
    try:
        out["level"] = int(level)
        if out["level"] not in CognitiveLevel.values:
            raise ValueError
    except (TypeError, ValueError):
        errors["level"] = [
            _("Choose the cognitive level: recognition, comprehension, application or advanced application.")
        ]
    out["options"] = _options_for(type, options, errors) if type in QuestionType.values else []
    out["numeric_answer"] = None
    out["tolerance"] = Decimal(0)
    if type == QuestionType.NUMERIC:
        answer = numeric_answer if isinstance(numeric_answer, Decimal) else parse_number(numeric_answer)
        if answer is None:
            errors["numeric_answer"] = [_("The answer of a numeric question is a number, such as 3,5 or -2.")]
        elif abs(answer) >= Decimal(10) ** 12:
            errors["numeric_answer"] = [_("This number is too large.")]
        out["numeric_answer"] = answer
        if tolerance not in (None, ""):
            value = tolerance if isinstance(tolerance, Decimal) else parse_number(tolerance)
            if value is None or value < 0:
                errors["tolerance"] = [_("The tolerance is a number of zero or more, such as 0,01.")]
            else:
                out["tolerance"] = value
    if check_math:
        for field, problems in math_problems([out]).items():
            errors.setdefault(field, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    return out


def _math_texts(question: dict) -> list[tuple[str, str]]:
    texts = [(name, question.get(name) or "") for name in TEXT_FIELDS]
    texts += [("options", option["text"]) for option in question.get("options") or []]
    return texts


def math_problems(questions: list[dict]) -> dict:
    """Problems with the formulas of cleaned questions. For one question: {field: [messages]}; for
    several, use `math_problems_many`."""
    return math_problems_many(questions)[0] if questions else {}


def math_problems_many(questions: list[dict]) -> list[dict]:
    """For each cleaned question, {field: [messages]} for formulas KaTeX cannot read. One node process."""
    index = [(i, field, text) for i, q in enumerate(questions) for field, text in _math_texts(q)]
    checked = latex.check_texts([text for _i, _f, text in index])
    out: list[dict] = [{} for _q in questions]
    for (i, field, _text), problems in zip(index, checked, strict=True):
        if problems:
            out[i].setdefault(field, []).extend(problems)
    return out


def fingerprint(*, type: str, stem: str, options) -> str:
    """The same question whatever its accents, case, spacing, punctuation or option order."""

    def norm(text: str) -> str:
        return " ".join(re.sub(r"[^\w\\^_{}()=+\-*/<>.,]", " ", fold(text)).split())

    parts = [type, norm(stem), *sorted(norm(o.get("text", "")) for o in options or [])]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def search_text(question: dict) -> str:
    parts = [question.get("stem", ""), question.get("subject", ""), question.get("topic", "")]
    if question.get("grade"):
        parts.append(f"lop {question['grade']}")
    parts += [o["text"] for o in question.get("options") or []]
    return fold(" ".join(p for p in parts if p))[:20_000]
