"""A class's grid for one subject and semester as an xlsx, in the layout schools use, and back.

Export: five header lines (school, class, subject, semester, year), then STT, Mã định danh, Họ và tên,
Ngày sinh, TX1..TXn, GK, CK, ĐTBmhk (the average is computed with `gradebook.rules`, export only).
Import: the same layout; students matched by mã định danh; every cell written through
`services.mark_set(..., source="import")` by the importing teacher, all or nothing. An empty cell leaves
the mark as it is. `grid_import(..., dry_run=True)` is the check that the preview shows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.selectors import class_students
from truonghoc.formatting import date_text
from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.xlsx import SheetBytes, safe_cell, workbook_bytes
from units.models import Unit

from . import rules, services
from .models import Mark, MarkKind

FIXED_HEADERS = ["STT", "Mã định danh", "Họ và tên", "Ngày sinh"]
AVERAGE_HEADER = "ĐTBmhk"


def grid_headers(regular_count: int) -> list[str]:
    return [*FIXED_HEADERS, *(f"TX{n}" for n in range(1, regular_count + 1)), "GK", "CK", AVERAGE_HEADER]


def _columns(regular_count: int) -> list[tuple[str, int]]:
    return [(MarkKind.REGULAR, n) for n in range(1, regular_count + 1)] + [
        (MarkKind.MIDTERM, 1),
        (MarkKind.END_OF_TERM, 1),
    ]


def _mark_text(value: Decimal | None):
    return None if value is None else float(value)


def grid_xlsx(*, school_class: Unit, subject: str, semester: int, school_year: str) -> SheetBytes:
    """The grid as a workbook; `.rows` counts the students."""
    rule = services.subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    columns = _columns(rule.regular_count)
    marks = {
        (m.student_id, m.kind, m.index): m
        for m in Mark.objects.filter(
            school_class=school_class, school_year=school_year, semester=semester, subject=subject
        )
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Bang diem"
    school = school_class.school()
    for label, value in (
        (_("School"), school.name),
        (_("Class"), school_class.name),
        (_("Subject"), subject),
        (_("Semester"), semester),
        (_("School year"), school_year),
    ):
        sheet.append([safe_cell(str(label)), safe_cell(value)])
    sheet.append(grid_headers(rule.regular_count))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    count = 0
    for number, student in enumerate(class_students(school_class=school_class), start=1):
        values = [marks.get((student.pk, kind, index)) for kind, index in columns]
        numbers = [m.value if m else None for m in values]
        regulars = [v for v in numbers[: rule.regular_count] if v is not None]
        average = None
        if not rule.by_comment and regulars and numbers[-2] is not None and numbers[-1] is not None:
            average = rules.semester_average(regulars, numbers[-2], numbers[-1])
        cells = [(m.level or None) if rule.by_comment and m else _mark_text(m.value if m else None) for m in values]
        sheet.append(
            [
                number,
                safe_cell(student.national_id or student.username),
                safe_cell(student.full_name),
                date_text(student.date_of_birth),
                *cells,
                _mark_text(average),
            ]
        )
        count += 1
    content = SheetBytes(workbook_bytes(workbook))
    content.rows = count
    return content


@dataclass
class GridImport:
    """What an import did (or, for a check, would do): counts and refusals with their line numbers."""

    written: int = 0
    unchanged: int = 0
    empty: int = 0
    refusals: list[tuple[int, str]] = field(default_factory=list)
    changes: list[tuple[int, str, str, str, str]] = field(default_factory=list)  # line, student, column, old, new

    @property
    def ok(self) -> bool:
        return not self.refusals


class _Refused(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return str(value).strip()


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)


def grid_import(
    *, actor, content: bytes, school_class: Unit, subject: str, semester: int, school_year: str, dry_run: bool = False
) -> GridImport:
    """Write the marks of a grid workbook, all or nothing. With `dry_run` nothing is kept: the result says
    what would be written and what is refused."""
    result = GridImport()
    try:
        rule = services.subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    except ValidationError as error:
        result.refusals.append((0, _message(error)))
        return result
    expected = grid_headers(rule.regular_count)
    columns = _columns(rule.regular_count)
    try:
        header, rows = read_table(content, is_header=lambda h: "Mã định danh" in h)
    except SpreadsheetError as error:
        result.refusals.append((0, str(error)))
        return result
    header = list(header)
    while header and not header[-1]:
        header.pop()
    if header[: len(expected) - 1] != expected[:-1] or (len(header) == len(expected) and header[-1] != expected[-1]):
        result.refusals.append(
            (
                0,
                _("The columns are not those of this grid. Expected: %(expected)s; found: %(found)s.")
                % {"expected": ", ".join(expected), "found": ", ".join(header)},
            )
        )
        return result
    students = {(s.national_id or s.username): s for s in class_students(school_class=school_class)}
    try:
        with transaction.atomic():
            for line, cells in rows:
                cells = list(cells) + [None] * len(expected)
                code = _text(cells[1])
                if not code and not any(_text(c) for c in cells[: len(expected)]):
                    continue
                student = students.get(code)
                if student is None:
                    result.refusals.append(
                        (
                            line,
                            _("%(code)s is not a student of %(name)s.") % {"code": code or "?", "name": school_class},
                        )
                    )
                    continue
                for offset, (kind, index) in enumerate(columns):
                    typed = _text(cells[len(FIXED_HEADERS) + offset])
                    column = expected[len(FIXED_HEADERS) + offset]
                    if not typed:
                        result.empty += 1
                        continue
                    value, level = (None, typed) if rule.by_comment else (typed, "")
                    before = Mark.objects.filter(
                        student=student,
                        school_year=school_year,
                        semester=semester,
                        subject=subject,
                        kind=kind,
                        index=index,
                    ).first()
                    old_version = before.version if before else None
                    try:
                        with transaction.atomic():
                            mark = services.mark_set(
                                actor=actor,
                                student_id=student.pk,
                                school_class=school_class,
                                subject=subject,
                                semester=semester,
                                kind=kind,
                                index=index,
                                value=value,
                                level=level,
                                school_year=school_year,
                                source="import",
                            )
                    except (ValidationError, PermissionDenied) as error:
                        result.refusals.append((line, f"{column}: {_message(error)}"))
                        continue
                    if before is not None and mark.version == old_version:
                        result.unchanged += 1
                    else:
                        result.written += 1
                        old = _text(
                            before.value if before and before.value is not None else (before.level if before else "")
                        )
                        new = _text(mark.value if mark.value is not None else mark.level)
                        result.changes.append((line, student.full_name, column, old, new))
            if result.refusals or dry_run:
                raise _Refused
    except _Refused:
        pass
    return result
