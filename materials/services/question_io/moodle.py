"""Moodle XML: reading a <quiz> export and writing one Moodle can import.

The file is parsed with expat directly, refusing any DOCTYPE: Moodle never writes one, and without it
there is no entity to expand (no billion laughs) and nothing external to fetch (no XXE).

Mapping: multichoice → single (single="true") or multiple choice, correct = fraction > 0; truefalse →
single choice Đúng/Sai; numerical → numeric with its tolerance; shortanswer → numeric when every
accepted answer is a number; essay (marking guide from graderinfo); matching with exactly four
subquestions answered Đúng/Sai (True/False) → our true/false type, which is also how we export it.
A category sets the topic of the questions after it; a description is skipped and listed.
"""

import base64
import binascii
import html
from decimal import Decimal
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext as _

from truonghoc.text import nfc

from ...models.questions import QuestionType
from ...scoring import parse_number
from ..question_rules import IMAGE_MAX_BYTES, text_from_html
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

SUPPORTED = ("multichoice", "truefalse", "numerical", "shortanswer", "essay", "matching")


class _Refused(Exception):
    pass


def parse_xml(content: bytes) -> tuple[ElementTree.Element, dict[int, int]]:
    """The document's root and the line of every <question>, or ImportFileError with the parser's line
    and column. Any DOCTYPE (hence any entity declaration) is refused."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ImportFileError(_("The file is empty."))
    if not head.startswith(b"<") and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        decode_text(content, "Moodle XML")  # a binary file says so
        raise ImportFileError(
            _(
                "This file is not XML: a Moodle XML file starts with <?xml … or <quiz>. Check the format you "
                "chose, or export the questions from Moodle again as “Moodle XML format”."
            )
        )
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    lines: dict[int, int] = {}

    def refuse(*_args):
        raise _Refused

    def start(tag, attrs):
        element = builder.start(tag, attrs)
        if tag == "question":
            lines[id(element)] = parser.CurrentLineNumber

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(content, True)
        root = builder.close()
    except _Refused as exc:
        raise ImportFileError(
            _(
                "The file declares a DOCTYPE or entities (line %(line)d). Moodle XML files never do; such a file "
                "is refused for safety."
            )
            % {"line": parser.CurrentLineNumber}
        ) from exc
    except expat.ExpatError as exc:
        raise ImportFileError(
            _("The XML is broken at line %(line)d, column %(column)d: %(problem)s. Nothing was read.")
            % {"line": exc.lineno, "column": exc.offset + 1, "problem": expat.ErrorString(exc.code)}
        ) from exc
    if root.tag != "quiz":
        raise ImportFileError(
            _("This XML file is not a Moodle question export: its top element is <%(tag)s>, not <quiz>.")
            % {"tag": root.tag[:40]}
        )
    return root, lines


def _text(element, path: str = "") -> str:
    """The content of <path><text>, turned from HTML into plain text unless its format says plain."""
    node = element.find(path) if path else element
    if node is None:
        return ""
    text = node.findtext("text") or ""
    if node.get("format", "html") in ("plain_text", "markdown"):
        return text
    return text_from_html(text)


def _fraction(answer) -> Decimal:
    return parse_number(answer.get("fraction", "0")) or Decimal(0)


def _image(question) -> tuple[list[tuple[str, bytes]], list[str]]:
    files, problems = [], []
    for node in question.findall("questiontext/file"):
        name = node.get("name") or "image"
        if (node.get("encoding") or "base64") != "base64":
            problems.append(_("The image %(name)s is not base64-encoded.") % {"name": name})
            continue
        try:
            data = base64.b64decode("".join((node.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            problems.append(_("The image %(name)s is damaged (its base64 text cannot be read).") % {"name": name})
            continue
        if len(data) > IMAGE_MAX_BYTES:
            problems.append(_("The image %(name)s is larger than 10 MB.") % {"name": name})
            continue
        files.append((name, data))
    return files, problems


def _question_fields(kind: str, question, entry: Entry) -> dict | None:
    answers = question.findall("answer")
    if kind == "multichoice":
        single = (question.findtext("single") or "true").strip().lower() in ("true", "1")
        return {
            "type": QuestionType.SINGLE if single else QuestionType.MULTIPLE,
            "options": [{"text": _text(a), "correct": _fraction(a) > 0} for a in answers],
        }
    if kind == "truefalse":
        right = next((truth_from_word(_text(a)) for a in answers if _fraction(a) > 0), None)
        if right is None:
            entry.problems.append(_("This true/false question does not say which answer is right."))
        return {
            "type": QuestionType.SINGLE,
            "options": [{"text": TRUE_WORD, "correct": right is True}, {"text": FALSE_WORD, "correct": right is False}],
        }
    if kind in ("numerical", "shortanswer"):
        accepted = [a for a in answers if _fraction(a) > 0]
        best = max((_fraction(a) for a in accepted), default=Decimal(0))
        full = [a for a in accepted if _fraction(a) == best]
        numbers = [parse_number(_text(a)) for a in accepted]
        if not accepted:
            entry.problems.append(_("This question has no accepted answer."))
            return None
        if kind == "shortanswer" and None in numbers:
            entry.problems.append(
                _(
                    "A short-answer question is imported only when every accepted answer is a number; this one "
                    "accepts “%(answer)s”."
                )
                % {"answer": next(_text(a) for a, n in zip(accepted, numbers, strict=True) if n is None)[:80]}
            )
            return None
        if len({parse_number(_text(a)) for a in full}) > 1:
            entry.problems.append(_("This question accepts several different numbers; the bank keeps one answer."))
        return {
            "type": QuestionType.NUMERIC,
            "numeric_answer": _text(full[0]),
            "tolerance": (full[0].findtext("tolerance") or "").strip() if kind == "numerical" else "",
        }
    if kind == "essay":
        return {"type": QuestionType.ESSAY, "answer_guide": _text(question, "graderinfo")}
    if kind == "matching":
        pairs = [(_text(s), (s.findtext("answer/text") or "").strip()) for s in question.findall("subquestion")]
        pairs = [(statement, answer) for statement, answer in pairs if statement or answer]
        truths = [truth_from_word(answer) for _statement, answer in pairs]
        if len(pairs) != 4 or None in truths:
            entry.problems.append(
                _(
                    "A matching question is imported only as a true/false question: exactly four statements, each "
                    "matched to Đúng or Sai (True or False). This one has %(count)d pairs."
                )
                % {"count": len(pairs)}
            )
            return None
        return {
            "type": QuestionType.TRUE_FALSE,
            "options": [{"text": s, "correct": t} for (s, _a), t in zip(pairs, truths, strict=True)],
        }
    return None


def parse_moodle(content: bytes, defaults: Defaults) -> list[Entry]:
    root, lines = parse_xml(content)
    entries: list[Entry] = []
    topic = ""
    number = 0
    for question in root.iter("question"):
        kind = (question.get("type") or "").strip().lower()
        if kind == "category":
            topic = topic_from_path(question.findtext("category/text") or "", "")
            continue
        number += 1
        name = nfc(question.findtext("name/text"))[:80]
        label = _("question %(number)d (line %(line)d)") % {"number": number, "line": lines.get(id(question), 0)}
        if name:
            label = _("question %(number)d “%(name)s” (line %(line)d)") % {
                "number": number,
                "name": name,
                "line": lines.get(id(question), 0),
            }
        entry = Entry(position=number, label=label)
        entries.append(entry)
        if kind == "description":
            entry.info = _("A description, not a question: skipped.")
            continue
        if kind not in SUPPORTED:
            entry.problems.append(
                _("The Moodle question type “%(type)s” cannot be imported. Supported: %(supported)s.")
                % {"type": kind or "?", "supported": ", ".join(SUPPORTED)}
            )
            continue
        fields = _question_fields(kind, question, entry)
        if fields is None:
            continue
        fields["stem"] = _text(question, "questiontext")
        fields["explanation"] = _text(question, "generalfeedback")
        entry.fields = with_defaults(fields, defaults, topic)
        files, problems = _image(question)
        entry.problems += problems
        if len(files) > 1:
            entry.problems.append(
                _("This question has %(count)d images; a bank question keeps one. Combine them into one picture.")
                % {"count": len(files)}
            )
        elif files:
            entry.image_name, entry.image = files[0]
    if not entries:
        raise ImportFileError(_("The file holds no question."))
    return entries


# --- writing -------------------------------------------------------------------------------------


def _html(text: str) -> str:
    return html.escape(text or "", quote=False).replace("\n", "<br>")


def _text_node(parent, tag: str, text: str, *, fmt: str | None = "html"):
    node = ElementTree.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ElementTree.SubElement(node, "text").text = _html(text) if fmt == "html" else text
    return node


def _image_file(question) -> tuple[str, str] | None:
    if not question.image:
        return None
    try:
        with question.image.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return f"q{question.pk}.jpg", base64.b64encode(data).decode("ascii")


def export_moodle(questions) -> bytes:
    root = ElementTree.Element("quiz")
    topic = None
    for q in questions:
        if q.topic != topic:
            topic = q.topic
            category = ElementTree.SubElement(root, "question", {"type": "category"})
            ElementTree.SubElement(ElementTree.SubElement(category, "category"), "text").text = (
                "$course$/top/" + topic.replace("/", "//")
            )
        kind = {
            QuestionType.SINGLE: "multichoice",
            QuestionType.MULTIPLE: "multichoice",
            QuestionType.TRUE_FALSE: "matching",
            QuestionType.NUMERIC: "numerical",
            QuestionType.ESSAY: "essay",
        }[q.type]
        node = ElementTree.SubElement(root, "question", {"type": kind})
        ElementTree.SubElement(ElementTree.SubElement(node, "name"), "text").text = (
            " ".join(q.stem.split())[:80] or f"#{q.pk}"
        )
        stem = _text_node(node, "questiontext", q.stem)
        image = _image_file(q)
        if image:
            name, data = image
            stem.find("text").text += f'<p><img src="@@PLUGINFILE@@/{name}" alt=""></p>'
            ElementTree.SubElement(stem, "file", {"name": name, "path": "/", "encoding": "base64"}).text = data
        _text_node(node, "generalfeedback", q.explanation)
        ElementTree.SubElement(node, "defaultgrade").text = "1"
        if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            correct = sum(1 for o in q.options if o.get("correct"))
            ElementTree.SubElement(node, "single").text = "true" if q.type == QuestionType.SINGLE else "false"
            ElementTree.SubElement(node, "shuffleanswers").text = "true"
            ElementTree.SubElement(node, "answernumbering").text = "ABCD"
            for option in q.options:
                fraction = answer_weight(correct) if option.get("correct") else ("0" if q.type == "single" else "-100")
                answer = _text_node(node, "answer", option["text"])
                answer.set("fraction", fraction)
        elif q.type == QuestionType.TRUE_FALSE:
            ElementTree.SubElement(node, "shuffleanswers").text = "false"
            for option in q.options:
                sub = _text_node(node, "subquestion", option["text"])
                ElementTree.SubElement(ElementTree.SubElement(sub, "answer"), "text").text = (
                    TRUE_WORD if option.get("correct") else FALSE_WORD
                )
        elif q.type == QuestionType.NUMERIC:
            answer = ElementTree.SubElement(node, "answer", {"fraction": "100"})
            ElementTree.SubElement(answer, "text").text = plain_number(q.numeric_answer)
            ElementTree.SubElement(answer, "tolerance").text = plain_number(q.tolerance)
        else:
            ElementTree.SubElement(node, "responseformat").text = "editor"
            _text_node(node, "graderinfo", q.answer_guide)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
