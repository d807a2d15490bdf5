"""The question spreadsheet: one question per row, columns matched by their folded names in any order.

Read with openpyxl (read-only, streamed) rather than truonghoc.spreadsheets.read_table because a
question keeps its line breaks and because a real formula cell must be told from a text that starts
with "=". Cells written by our own export start with an apostrophe when they would otherwise run as a
formula (truonghoc.xlsx.safe_cell); the apostrophe is dropped again on import.
"""

import re
from datetime import date, datetime, time

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from truonghoc.spreadsheets import (
    DAMAGED,
    DAMAGED_MESSAGE,
    ZIP_MAGIC,
    SpreadsheetError,
    open_xlsx,
    refuse_unreadable,
)
from truonghoc.text import fold, nfc_text
from truonghoc.xlsx import FORMULA_STARTS, safe_cell, workbook_bytes

from ...models.questions import QuestionType
from ...scoring import number_text
from .common import (
    FALSE_WORD,
    LEVEL_WORDS,
    TRUE_WORD,
    TYPE_WORDS,
    Entry,
    ImportFileError,
    level_from_word,
    truth_from_word,
    type_from_word,
)

LETTERS = "ABCDEF"
# (key, header written in the template, folded aliases accepted, required)
COLUMNS = [
    ("type", "Loại", ("loai", "loai cau hoi", "kieu", "type"), True),
    ("subject", "Môn", ("mon", "mon hoc", "subject"), True),
    ("grade", "Lớp", ("lop", "khoi", "khoi lop", "grade"), True),
    ("topic", "Chủ đề", ("chu de", "bai", "topic"), True),
    ("level", "Mức độ", ("muc do", "muc do nhan thuc", "level", "cognitive level"), True),
    ("stem", "Câu hỏi", ("cau hoi", "noi dung", "noi dung cau hoi", "de bai", "question", "stem"), True),
    *[
        (letter, letter, (letter.lower(), f"phuong an {letter.lower()}", f"option {letter.lower()}"), False)
        for letter in LETTERS
    ],
    ("answer", "Đáp án", ("dap an", "dap an dung", "answer", "correct answer"), True),
    ("tolerance", "Sai số", ("sai so", "tolerance"), False),
    ("explanation", "Giải thích", ("giai thich", "loi giai", "huong dan giai", "explanation"), False),
    ("answer_guide", "Hướng dẫn chấm", ("huong dan cham", "marking guide", "answer guide"), False),
]
HEADER = [label for _key, label, _aliases, _required in COLUMNS]
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000
WIDTHS = {"type": 16, "subject": 12, "grade": 6, "topic": 22, "level": 14, "stem": 60, "answer": 12,
          "tolerance": 9, "explanation": 40, "answer_guide": 40}  # fmt: skip


def _fold_header(value) -> str:
    return " ".join(fold(str(value or "")).replace("_", " ").split())


def _is_header(cells: list) -> bool:
    folded = {_fold_header(c) for c in cells if isinstance(c, str)}
    return bool(folded & set(COLUMNS[5][2])) and bool(folded & set(COLUMNS[0][2]))


def _header_map(header: list) -> dict[str, int]:
    folded = [_fold_header(h) if isinstance(h, str) else "" for h in header]
    positions: dict[str, int] = {}
    for key, _label, aliases, _required in COLUMNS:
        found = [i for i, name in enumerate(folded) if name in aliases]
        if len(found) > 1:
            raise ImportFileError(
                _("The header has the column “%(column)s” more than once.") % {"column": header[found[1]]}
            )
        if found:
            positions[key] = found[0]
    missing = [label for key, label, _a, required in COLUMNS if required and key not in positions]
    if missing:
        raise ImportFileError(
            _("The header row lacks these columns: %(columns)s. Download the template to see them.")
            % {"columns": ", ".join(missing)}
        )
    if not any(letter in positions for letter in LETTERS):
        raise ImportFileError(_("The header row has no option columns (A, B, C, D…). Download the template."))
    return positions


def _open(content: bytes):
    """The refusals and the opening every import shares (truonghoc.spreadsheets), in this format's error."""
    try:
        refuse_unreadable(content)
        if not content.startswith(ZIP_MAGIC):
            raise ImportFileError(_("This file is not an Excel workbook (.xlsx). Choose the right format."))
        book, sheet = open_xlsx(
            content, too_much=_("This workbook unpacks to far more data than a question bank could hold.")
        )
    except SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc
    return book, sheet, str(DAMAGED_MESSAGE)


class _Cell:
    """A cell's text, or why it cannot be read as text."""

    __slots__ = ("problem", "text")

    def __init__(self, cell):
        self.problem = ""
        value = getattr(cell, "value", None)
        if value is None:
            self.text = ""
        elif getattr(cell, "data_type", "") == "f":
            self.text = ""
            self.problem = "formula"
        elif isinstance(value, datetime | date | time):
            # Excel turned what was typed ("1/2", "3-4") into a date: the text is lost.
            self.text = ""
            self.problem = "date"
        elif isinstance(value, float):
            self.text = str(int(value)) if value.is_integer() else repr(value)
        elif isinstance(value, str):
            if value[:1] == "'" and value[1:2] and value[1] in FORMULA_STARTS:
                value = value[1:]  # written by safe_cell
            self.text = nfc_text(value)
        else:
            self.text = nfc_text(str(value))


def read_rows(content: bytes):
    """(header positions, [(line, {key: _Cell})]) of the first sheet."""
    book, sheet, damaged = _open(content)
    try:
        positions = None
        rows = []
        for line, row in enumerate(sheet.iter_rows(), start=1):
            if positions is None:
                values = [getattr(c, "value", None) for c in row]
                if _is_header(values):
                    positions = _header_map(values)
                elif line >= HEADER_SEARCH_ROWS:
                    break
                continue
            cells = {key: _Cell(row[i]) if i < len(row) else _Cell(None) for key, i in positions.items()}
            if not any(c.text or c.problem for c in cells.values()):
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)d questions. Split it into several files.") % {"max": MAX_ROWS}
                )
    except ImportFileError:
        raise
    except DAMAGED as exc:
        raise ImportFileError(damaged) from exc
    finally:
        book.close()
    if positions is None:
        raise ImportFileError(
            _("The first rows have no header naming the columns (Loại, Câu hỏi, …). Download the template.")
        )
    if not rows:
        raise ImportFileError(_("The file has a header but no question rows."))
    return positions, rows


def _answer_letters(text: str) -> list[str]:
    return [ch for ch in text.upper() if ch.isalnum()]


def _row_entry(line: int, cells: dict) -> Entry:
    entry = Entry(position=line, label=_("row %(line)d") % {"line": line})
    labels = {key: label for key, label, _a, _r in COLUMNS}
    for key, cell in cells.items():
        if cell.problem == "formula":
            entry.problems.append(
                _("The cell “%(column)s” holds a spreadsheet formula; type its value instead.")
                % {"column": labels[key]}
            )
        elif cell.problem == "date":
            entry.problems.append(
                _("Excel turned the cell “%(column)s” into a date; format the column as Text and type it again.")
                % {"column": labels[key]}
            )
    text = {key: cell.text for key, cell in cells.items()}
    type_ = type_from_word(text.get("type"))
    if type_ is None:
        entry.problems.append(
            _("The type “%(value)s” is not one of: %(types)s.")
            % {"value": text.get("type", ""), "types": ", ".join(TYPE_WORDS.values())}
        )
    level = level_from_word(text.get("level"))
    if level is None and text.get("level"):
        entry.problems.append(
            _("The level “%(value)s” is not one of: %(levels)s (or 1 to 4).")
            % {"value": text["level"], "levels": ", ".join(LEVEL_WORDS.values())}
        )
    options = [(letter, text.get(letter, "")) for letter in LETTERS]
    present = [letter for letter, value in options if value]
    answer = text.get("answer", "")
    fields = {
        "type": type_ or "",
        "stem": text.get("stem", ""),
        "subject": text.get("subject", ""),
        "grade": text.get("grade", ""),
        "topic": text.get("topic", ""),
        "level": level,
        "explanation": text.get("explanation", ""),
        "answer_guide": text.get("answer_guide", ""),
        "options": [],
    }
    if type_ in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        letters = _answer_letters(answer)
        wrong = [a for a in letters if a not in present]
        if not letters:
            entry.problems.append(_("Give the correct answer in “Đáp án”, for example B (or A,C)."))
        elif wrong:
            entry.problems.append(
                _("The answer “%(answer)s” names %(letters)s, which is not among the options given (%(present)s).")
                % {"answer": answer, "letters": ", ".join(wrong), "present": ", ".join(present) or "—"}
            )
        elif type_ == QuestionType.SINGLE and len(letters) > 1:
            entry.problems.append(
                _("A single-choice question has one answer; “%(answer)s” gives %(count)d.")
                % {"answer": answer, "count": len(letters)}
            )
        fields["options"] = [{"text": value, "correct": letter in letters} for letter, value in options if value]
    elif type_ == QuestionType.TRUE_FALSE:
        words = [w for w in re.split(r"[,;/\s]+", answer) if w]
        if len(words) == 1:
            words = [ch for ch in answer if not ch.isspace()]  # "ĐSĐS"
        truths = [truth_from_word(w) for w in words]
        if len(truths) != 4 or None in truths:
            entry.problems.append(
                _("The answer of a true/false question is four marks Đ or S, such as “Đ,S,Đ,S”; “%(answer)s” is not.")
                % {"answer": answer}
            )
            truths = [False] * 4
        statements = [value for _letter, value in options[:4]]
        extra = [letter for letter, value in options[4:] if value]
        if extra:
            entry.problems.append(
                _("A true/false question has four statements (A–D); column %(letters)s should be empty.")
                % {"letters": ", ".join(extra)}
            )
        fields["options"] = [
            {"text": value, "correct": truth} for value, truth in zip(statements, truths, strict=True) if value
        ]
    elif type_ == QuestionType.NUMERIC:
        fields["numeric_answer"] = answer
        fields["tolerance"] = text.get("tolerance", "")
    entry.fields = fields
    return entry


def parse_xlsx(content: bytes) -> list[Entry]:
    """Every question row of the template, with the problems found in its cells. Raises ImportFileError
    when the file is not a readable template at all."""
    _positions, rows = read_rows(content)
    return [_row_entry(line, cells) for line, cells in rows]


# --- writing -------------------------------------------------------------------------------------


def question_row(question) -> list:
    """A question as a row of the template (the same columns as HEADER)."""
    options = list(question.options or [])
    letters = ["" for _l in LETTERS]
    for i, option in enumerate(options[: len(LETTERS)]):
        letters[i] = option["text"]
    answer = ""
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        answer = ",".join(LETTERS[i] for i, o in enumerate(options[: len(LETTERS)]) if o.get("correct"))
    elif question.type == QuestionType.TRUE_FALSE:
        answer = ",".join("Đ" if o.get("correct") else "S" for o in options)
    elif question.type == QuestionType.NUMERIC:
        answer = number_text(question.numeric_answer)
    tolerance = number_text(question.tolerance) if question.type == QuestionType.NUMERIC else ""
    return [
        TYPE_WORDS[question.type], question.subject, question.grade, question.topic, LEVEL_WORDS[question.level],
        question.stem, *letters, answer, tolerance, question.explanation, question.answer_guide,
    ]  # fmt: skip


def _write_sheet(book: Workbook, rows, *, write_only: bool):
    sheet = book.create_sheet("Cau hoi", 0)
    for index, (key, _label, _a, _r) in enumerate(COLUMNS):
        sheet.column_dimensions[_letter(index)].width = WIDTHS.get(key, 18)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    if write_only:
        header = []
        for label in HEADER:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        sheet.append(header)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
                cell.alignment = wrap
                cells.append(cell)
            sheet.append(cells)
    else:
        sheet.append(HEADER)
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    return sheet


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def export_xlsx(questions) -> bytes:
    """The questions in the template's layout, so the file can be imported again."""
    book = Workbook(write_only=True)
    _write_sheet(book, (question_row(q) for q in questions), write_only=True)
    return workbook_bytes(book)


EXAMPLES = [
    ["Một lựa chọn", "Toán", 6, "Phân số", "Nhận biết", "Phân số nào bằng \\(\\frac{1}{2}\\)?",
     "\\(\\frac{2}{4}\\)", "\\(\\frac{1}{3}\\)", "\\(\\frac{2}{3}\\)", "\\(\\frac{3}{4}\\)", "", "", "A", "",
     "Nhân cả tử và mẫu với 2.", ""],
    ["Nhiều lựa chọn", "Toán", 6, "Số nguyên tố", "Thông hiểu", "Những số nào là số nguyên tố?",
     "2", "9", "11", "15", "", "", "A,C", "", "9 = 3·3 và 15 = 3·5.", ""],
    ["Đúng sai", "Toán", 6, "Phân số", "Vận dụng", "Cho \\(x = \\frac{3}{4}\\). Các mệnh đề sau đúng hay sai?",
     "a) \\(x > \\frac{1}{2}\\)", "b) \\(x = 0,75\\)", "c) \\(2x = \\frac{3}{2}\\)", "d) \\(x < 0\\)", "", "",
     "Đ,Đ,Đ,S", "", "", ""],
    ["Trả lời ngắn", "Toán", 6, "Số thập phân", "Vận dụng", "Tính \\(1,2 + 2,3\\).",
     "", "", "", "", "", "", "3,5", "0,01", "", ""],
    ["Tự luận", "Toán", 6, "Phân số", "Vận dụng cao", "Chứng minh rằng \\(\\frac{n}{n+1}\\) là phân số tối giản.",
     "", "", "", "", "", "", "", "", "", "ƯCLN(n, n+1) = 1 (1 điểm)."],
]  # fmt: skip


def template_xlsx() -> bytes:
    """The template: the header and one example row per type, text-formatted answer and option columns
    (so Excel keeps "3,5" and "1/2" as typed), and a sheet of notes."""
    book = Workbook()
    book.remove(book.active)
    sheet = _write_sheet(book, EXAMPLES, write_only=False)
    for index, (key, _label, _a, _r) in enumerate(COLUMNS):
        if key in ("answer", "tolerance", *LETTERS):
            letter = _letter(index)
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    notes = book.create_sheet("Huong dan")
    lines = [
        _("How to fill in the question sheet"),
        _("One question per row, from row 2; keep the header row. The example rows may be replaced."),
        _("Loại (type): %(types)s.") % {"types": ", ".join(TYPE_WORDS.values())},
        _("Mức độ (level): %(levels)s, or 1 to 4.") % {"levels": ", ".join(LEVEL_WORDS.values())},
        _("Môn, Lớp, Chủ đề: the subject, the grade (1–12) and the topic a blueprint counts by."),
        _("A–F: the options. True/false questions use A–D for the four statements."),
        _(
            "Đáp án: the letter of the correct option (B), several letters for multiple choice (A,C), four marks "
            "for true/false (Đ,S,Đ,S or ĐSĐS), the number for a short answer (3,5); empty for an essay."
        ),
        _("Sai số: how far a short answer may be from the right number (0,01); empty means exactly."),
        _("Mathematics in LaTeX between \\( \\) or $ $, display formulas between \\[ \\] or $$ $$."),
        _("Questions already in the bank, or twice in the file, are found and not imported twice."),
        _("True/false words: %(true)s / %(false)s.") % {"true": TRUE_WORD, "false": FALSE_WORD},
    ]
    for line in lines:
        notes.append([safe_cell(str(line))])
    notes["A1"].font = Font(bold=True, size=13)
    notes.column_dimensions["A"].width = 120
    return workbook_bytes(book)
