"""A class's grid for one subject and semester as an xlsx, in the layout schools use, and back.

Export: five header lines (school, class, subject, semester, year), then STT, Mã định danh, Họ và tên,
Ngày sinh, TX1..TXn, GK, CK, ĐTBmhk (a primary subject: Mức, its level HTT/HT/CHT, then its periodic
tests; its ĐTBmhk stays empty) (the average is computed with `gradebook.rules`, export only).
Import, through the import engine (truonghoc.imports, `MarkImporter`): the same layout; students matched
by mã định danh. The check reads every typed cell with `services.mark_check` (the grid's refusals: who
writes, the column, 0–10 with one decimal, the class's own students, locks) and records one row per
student with what changes; nothing is written. Confirming writes every changed cell through
`services.mark_set(..., source="import")` by the teacher, all or nothing: a cell refused now (a lock in
force since the check, a mark saved meanwhile) refuses the whole file (ImportRefused). An empty cell
leaves the mark as it is.
"""

import unicodedata
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.selectors import class_students
from truonghoc.formatting import date_text
from truonghoc.formatting import number as number_text
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, progress_set, refused_summary
from truonghoc.marks import mark_text
from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.xlsx import SheetBytes, safe_cell, workbook_bytes
from units.models import Unit
from units.services import audit_log

from . import rules, services
from .grid import columns_of
from .models import Level, Mark, MarkImport, MarkImportRow, MarkKind, Regulation, SubjectRule
from .permissions import can_enter_marks

FIXED_HEADERS = ["STT", "Mã định danh", "Họ và tên", "Ngày sinh"]
AVERAGE_HEADER = "ĐTBmhk"


def grid_headers(rule: SubjectRule) -> list[str]:
    """The header of a subject's grid file: its columns as the grid names them (`grid.columns_of`: TX1..TXn,
    GK, CK; a primary subject only its periodic tests), then the semester average."""
    return [*FIXED_HEADERS, *(column.label for column in columns_of(rule)), AVERAGE_HEADER]


def primary_level(typed: str) -> str:
    """A primary subject's level as typed in the file: its code (HTT, HT, CHT) or its Vietnamese label, in
    any case; anything else is returned as typed, for `services.mark_check` to refuse."""

    def folded(text: str) -> str:
        return unicodedata.normalize("NFC", " ".join(text.split())).casefold()

    for code in services.PRIMARY_LEVELS:
        if folded(typed) in (folded(str(code)), folded(str(Level(code).label))):
            return str(code)
    return typed


def _mark_text(value: Decimal | None):
    return None if value is None else float(value)


def grid_xlsx(*, school_class: Unit, subject: str, semester: int, school_year: str) -> SheetBytes:
    """The grid as a workbook; `.rows` counts the students."""
    rule = services.subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    columns = rule.columns()
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
    sheet.append(grid_headers(rule))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    count = 0
    for number, student in enumerate(class_students(school_class=school_class), start=1):
        values = [marks.get((student.pk, kind, index)) for kind, index in columns]
        numbers = [m.value if m else None for m in values]
        average = None
        if rule.regulation == Regulation.TT22_2021 and not rule.by_comment:
            regulars = [v for v in numbers[: rule.regular_count] if v is not None]
            if regulars and numbers[-2] is not None and numbers[-1] is not None:
                average = rules.semester_average(regulars, numbers[-2], numbers[-1])
        holds_level = [rule.by_comment or kind == MarkKind.LEVEL for kind, _index in columns]
        cells = [
            (m.level or None) if m and level else _mark_text(m.value if m else None)
            for m, level in zip(values, holds_level, strict=True)
        ]
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


# --- import: the grid's layout back, through the import engine ---------------------------------------------
A = MarkImportRow.Action
MAX_LINES = 2000  # a class has at most a few dozen students; more lines is not a grid


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


def _cell_now(mark: Mark | None) -> str:
    if mark is None:
        return ""
    return mark_text(mark.value) if mark.value is not None else mark.level


def _read_grid(batch: MarkImport, content: bytes, rule) -> list[tuple[int, list]]:
    """The students' lines of a grid file; SpreadsheetError says why the file cannot be read as this grid."""
    expected = grid_headers(rule)
    try:
        header, rows = read_table(content, is_header=lambda h: "Mã định danh" in h, max_lines=MAX_LINES)
    except SpreadsheetError as error:
        if str(error) == _("The file has no header row naming its columns."):
            raise SpreadsheetError(
                _(
                    "None of the first rows is the grid's header (%(expected)s). Download the grid's xlsx, "
                    "fill it in and upload it."
                )
                % {"expected": ", ".join(expected)}
            ) from error
        raise
    header = list(header)
    while header and not header[-1]:
        header.pop()
    if header[: len(expected) - 1] != expected[:-1] or (len(header) == len(expected) and header[-1] != expected[-1]):
        raise SpreadsheetError(
            _("The columns are not those of this grid. Expected: %(expected)s; found: %(found)s.")
            % {"expected": ", ".join(expected), "found": ", ".join(header)}
        )
    lines = []
    for line, cells in rows:
        cells = list(cells) + [None] * len(expected)
        if _text(cells[1]) or any(_text(c) for c in cells[: len(expected)]):
            lines.append((line, cells))
    if not lines:
        raise SpreadsheetError(_("The file has the grid's header but no student's line."))
    return lines


def _check_marks(batch: MarkImport, content: bytes) -> MarkImport:
    """Check every typed cell as the grid would (services.mark_check), write nothing, record the rows."""
    school_class, subject, semester, year = batch.school_class, batch.subject, batch.semester, batch.school_year
    actor = batch.created_by
    if actor is None or not can_enter_marks(
        actor, school_class=school_class, subject=subject, school_year=year, semester=semester
    ):
        return batch_finish(
            batch,
            status=MarkImport.Status.INVALID,
            message=_("You do not teach %(subject)s in %(name)s this semester.")
            % {"subject": subject, "name": school_class},
        )
    try:
        rule = services.subject_rule(school_year=year, school_class=school_class, subject=subject)
        lines = _read_grid(batch, content, rule)
    except (ValidationError, SpreadsheetError) as error:
        return batch_finish(batch, status=MarkImport.Status.INVALID, message=_message(error))
    expected = grid_headers(rule)
    columns = rule.columns()
    students = {(s.national_id or s.username): s for s in class_students(school_class=school_class)}
    now = {
        (m.student_id, m.kind, m.index): m
        for m in Mark.objects.filter(school_class=school_class, school_year=year, semester=semester, subject=subject)
    }
    rows, seen = [], {}
    batch.new_rows = batch.unchanged_marks = batch.empty_cells = 0
    for line, cells in lines:
        code = _text(cells[1])
        data = {"code": code, "name": _text(cells[2]), "cells": []}
        errors: list[str] = []
        student = students.get(code)
        if student is None:
            errors.append(_("%(code)s is not a student of %(name)s.") % {"code": code or "?", "name": school_class})
        elif student.pk in seen:
            errors.append(_("This student is already on line %(other)s.") % {"other": seen[student.pk]})
        else:
            seen[student.pk] = line
            data.update(student_id=student.pk, name=student.full_name)
            for offset, (kind, index) in enumerate(columns):
                typed = _text(cells[len(FIXED_HEADERS) + offset])
                column = expected[len(FIXED_HEADERS) + offset]
                if not typed:
                    batch.empty_cells += 1
                    continue
                if kind == MarkKind.LEVEL:
                    value, level = None, primary_level(typed)
                else:
                    value, level = (None, typed) if rule.by_comment else (typed, "")
                try:
                    _school, _year, read = services.mark_check(
                        actor=actor, student_id=student.pk, school_class=school_class, subject=subject,
                        semester=semester, kind=kind, index=index, value=value, level=level, school_year=year,
                    )  # fmt: skip
                except (ValidationError, PermissionDenied) as error:
                    errors.append(f"{column}: {_message(error)}")
                    continue
                mark = now.get((student.pk, kind, index))
                same = mark is not None and mark.value == read and mark.level == level
                data["cells"].append(
                    {
                        "column": column, "kind": kind, "index": index, "value": value or "", "level": level,
                        "old": _cell_now(mark), "new": mark_text(read) if read is not None else level,
                        "version": mark.version if mark else 0, "same": same,
                    }
                )  # fmt: skip
        changes = sum(not c["same"] for c in data["cells"])
        if errors:
            action = A.ERROR
        else:
            batch.new_rows += changes
            batch.unchanged_marks += len(data["cells"]) - changes
            action = A.WRITE if changes else A.UNCHANGED
        rows.append(MarkImportRow(batch=batch, line=line, data=data, errors=errors, action=action))
    MarkImportRow.objects.bulk_create(rows)
    batch.total_rows = len(rows)
    batch.error_rows = sum(r.action == A.ERROR for r in rows)
    message = ""
    if not batch.error_rows and not batch.new_rows:
        message = _("Every mark in this file is already in the book as it says: there is nothing to write.")
    ready = not batch.error_rows and batch.new_rows
    return batch_finish(batch, status=MarkImport.Status.READY if ready else MarkImport.Status.INVALID, message=message)


def _apply_marks(batch: MarkImport, actor) -> MarkImport:
    """Write every changed cell of a checked file through mark_set, as checked: a cell refused now (a lock
    in force since, a mark saved meanwhile, the teacher no longer assigned) refuses the whole file."""
    rows = list(batch.rows.filter(action=A.WRITE))
    written = 0
    for done, row in enumerate(rows, start=1):
        for cell in row.data["cells"]:
            if cell["same"]:
                continue
            try:
                services.mark_set(
                    actor=actor, student_id=row.data["student_id"], school_class=batch.school_class,
                    subject=batch.subject, semester=batch.semester, kind=cell["kind"], index=cell["index"],
                    value=cell["value"], level=cell["level"], school_year=batch.school_year,
                    expected_version=cell["version"], source="import",
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as error:
                raise ImportRefused(
                    _("Nothing was written: line %(line)d, %(column)s: %(problem)s")
                    % {"line": row.line, "column": cell["column"], "problem": _message(error)}
                ) from error
            written += 1
        if done % 10 == 0:
            progress_set(batch, done, len(rows), "write")
    batch.new_rows = written
    audit_log(
        actor=actor, action="gradebook.marks_import", unit=batch.school_class, target=batch,
        after={"file": batch.original_name, "subject": batch.subject, "semester": batch.semester, "written": written},
    )  # fmt: skip
    return batch_finish(batch, status=MarkImport.Status.DONE)


class MarkImporter(Importer):
    """A grid's marks as a user of the import engine."""

    model = MarkImport
    crash_message = gettext_lazy("Something went wrong on our side; nothing was written. Please try again or tell us.")
    apply_related = ("school_class", "school")

    def check(self, batch: MarkImport, content: bytes) -> MarkImport:
        return _check_marks(batch, content)

    def apply(self, batch: MarkImport, actor) -> MarkImport:
        return _apply_marks(batch, actor)


IMPORTER = MarkImporter()


def _may_enter(actor, *, school_class: Unit, subject: str, semester: int, school_year: str) -> None:
    if not can_enter_marks(
        actor, school_class=school_class, subject=subject, school_year=school_year, semester=semester
    ):
        raise PermissionDenied(
            _("You do not teach %(subject)s in %(name)s this semester.") % {"subject": subject, "name": school_class}
        )


@transaction.atomic
def mark_import_start(*, actor, school_class: Unit, subject: str, semester: int, upload) -> MarkImport:
    """Register a grid file of the teacher's class × subject × semester (the check runs next); audited."""
    school = school_class.school()
    year = services.current_school_year(school)
    _may_enter(actor, school_class=school_class, subject=subject, semester=semester, school_year=year)
    services.subject_rule(school_year=year, school_class=school_class, subject=subject)
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{school_class.code}-hk{semester}-{timezone.now():%Y%m%d-%H%M%S}.bin",
        school=school, school_class=school_class, subject=subject, semester=semester, school_year=year,
        created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="gradebook.marks_import_upload", unit=school_class, target=batch,
        after={"file": batch.original_name, "subject": subject, "semester": semester},
    )  # fmt: skip
    return batch


def mark_import_validate(*, batch: MarkImport, content: bytes | None = None) -> MarkImport:
    return IMPORTER.validate(batch, content)


def mark_import_confirm(*, actor, batch: MarkImport) -> MarkImport:
    """READY → IMPORTING; only a teacher who may enter these marks confirms (the marks are written as them)."""
    _may_enter(
        actor, school_class=batch.school_class, subject=batch.subject, semester=batch.semester,
        school_year=batch.school_year,
    )  # fmt: skip
    return IMPORTER.confirm(batch)


def mark_import_apply(*, actor, batch: MarkImport) -> MarkImport:
    return IMPORTER.run_apply(batch, actor)


def mark_import_cancel(*, actor, batch: MarkImport) -> MarkImport:
    """Drop a checked file instead of confirming it: nothing is written, and it can no longer be confirmed."""
    _may_enter(
        actor, school_class=batch.school_class, subject=batch.subject, semester=batch.semester,
        school_year=batch.school_year,
    )  # fmt: skip
    return IMPORTER.cancel(batch, message=_("Cancelled: nothing was written."))


def mark_import_summary(batch: MarkImport) -> str:
    """What a finished check or import says, the same on the page and on the command line."""
    counts = {
        "new": number_text(batch.new_rows),
        "unchanged": number_text(batch.unchanged_marks),
        "empty": number_text(batch.empty_cells),
        "errors": number_text(batch.error_rows),
    }
    if batch.status == MarkImport.Status.DONE:
        return _("Done: %(new)s marks written; %(unchanged)s unchanged.") % counts
    if batch.status == MarkImport.Status.READY:
        return (
            _(
                "Every line is correct: %(new)s marks will be written, %(unchanged)s stay the same; %(empty)s empty "
                "cells leave the marks as they are."
            )
            % counts
        )
    if batch.error_rows:
        return refused_summary(batch, errors=counts["errors"])
    return batch.message
