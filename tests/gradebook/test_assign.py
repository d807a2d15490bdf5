"""Assignments part of #16: remove/copy services, the grid as xlsx and back, manage.py import_marks."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gradebook import services
from gradebook.grid_xlsx import (
    grid_headers,
    grid_xlsx,
    mark_import_apply,
    mark_import_confirm,
    mark_import_start,
    mark_import_validate,
)
from gradebook.models import (
    Lock,
    Mark,
    MarkEvent,
    MarkImport,
    MarkImportRow,
    MarkKind,
    Regulation,
    SubjectRule,
    TeachingAssignment,
)
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

# The grid of a subject with four regular assessments (Toán, grade 6).
FOUR_REGULARS = SubjectRule(regulation=Regulation.TT22_2021, grade=6, subject="Toán", periods_per_year=140)


def _ids(book):
    for n, student in enumerate(book.students, start=1):
        student.national_id = f"00120000000{n}"
        student.save(update_fields=["national_id"])
    return [s.national_id for s in book.students]


def _sheet(rows, header=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Trường", "S1"])
    sheet.append(header or grid_headers(FOUR_REGULARS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check(book, content, actor=None):
    """The engine's check of a grid file: kept, read again from storage as the task does, nothing written."""
    batch = mark_import_start(
        actor=actor or book.maths,
        school_class=book.school_class,
        subject="Toán",
        semester=1,
        upload=SimpleUploadedFile("bang-diem.xlsx", content),
    )
    return mark_import_validate(batch=batch)


def _import(book, content, actor=None):
    """Check, then (when the file is ready) confirm and apply: the page's steps one after the other."""
    actor = actor or book.maths
    batch = _check(book, content, actor)
    if batch.status == MarkImport.Status.READY:
        batch = mark_import_apply(actor=actor, batch=mark_import_confirm(actor=actor, batch=batch))
    return batch


def _refused(batch):
    return [(r.line, "; ".join(r.errors)) for r in batch.rows.filter(action=MarkImportRow.Action.ERROR)]


# --- services ------------------------------------------------------------------------------------------


def test_remove_keeps_marks_and_is_audited(book):
    student = book.students[0]
    services.mark_set(
        actor=book.maths,
        student_id=student.pk,
        school_class=book.school_class,
        subject="Toán",
        semester=1,
        kind=MarkKind.REGULAR,
        index=1,
        value="8",
    )
    assignment = TeachingAssignment.objects.get(subject="Toán", semester=1)
    with pytest.raises(PermissionDenied):
        services.assignment_remove(actor=book.maths, assignment=assignment)
    services.assignment_remove(actor=book.principal, assignment=assignment)
    assert not TeachingAssignment.objects.exists()
    assert Mark.objects.filter(student=student).count() == 1
    assert AuditEntry.objects.filter(action="gradebook.assignment_remove").count() == 1


def test_copy_semester_one_to_two(book):
    services.assignment_set(
        actor=book.principal, school_class=book.school_class, subject="Ngữ văn", semester=2, teacher=book.maths
    )
    services.assignment_set(
        actor=book.principal, school_class=book.school_class, subject="Ngữ văn", semester=1, teacher=book.other
    )
    with pytest.raises(PermissionDenied):
        services.assignments_copy_semester(actor=book.other, school=book.school)
    assert services.assignments_copy_semester(actor=book.principal, school=book.school) == 2
    seconds = {a.subject: a.teacher for a in TeachingAssignment.objects.filter(semester=2)}
    assert seconds == {"Toán": book.maths, "Ngữ văn": book.other}
    assert services.assignments_copy_semester(actor=book.principal, school=book.school) == 0


def test_copy_with_nothing_in_semester_one_is_refused(book):
    TeachingAssignment.objects.all().delete()
    with pytest.raises(ValidationError):
        services.assignments_copy_semester(actor=book.principal, school=book.school)


# --- the grid as xlsx ----------------------------------------------------------------------------------


def test_export_layout_and_average(book):
    ids = _ids(book)
    student = book.students[0]
    for kind, index, value in [("tx", 1, "8"), ("tx", 2, "7"), ("gk", 1, "6"), ("ck", 1, "9")]:
        services.mark_set(
            actor=book.maths,
            student_id=student.pk,
            school_class=book.school_class,
            subject="Toán",
            semester=1,
            kind=kind,
            index=index,
            value=value,
        )
    content = grid_xlsx(school_class=book.school_class, subject="Toán", semester=1, school_year=book.year)
    assert content.rows == 3
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == book.school_class.name and rows[4][1] == book.year
    assert list(rows[5]) == grid_headers(FOUR_REGULARS)
    first = next(r for r in rows[6:] if r[1] == ids[0])
    # (8 + 7 + 2×6 + 3×9) / (2 + 2 + 3) = 54/7 = 7.71… → 7.7
    assert first[4:] == (8, 7, None, None, 6, 9, 7.7)


def test_import_writes_leaves_empty_cells_and_is_checked_first(book):
    ids = _ids(book)
    content = _sheet([[1, ids[0], "HS 1", "", "8,5", 7, None, None, 6, None], [2, ids[1], "HS 2", "", None]])
    check = _check(book, content)
    assert check.status == MarkImport.Status.READY and check.new_rows == 3 and not Mark.objects.exists()
    assert (check.total_rows, check.error_rows, check.empty_cells) == (2, 0, 9)
    done = mark_import_apply(actor=book.maths, batch=mark_import_confirm(actor=book.maths, batch=check))
    assert done.status == MarkImport.Status.DONE and done.new_rows == 3
    mark = Mark.objects.get(student=book.students[0], kind="tx", index=1)
    assert mark.value == Decimal("8.5") and MarkEvent.objects.get(mark=mark).source == "import"
    again = _check(book, content)
    assert again.status == MarkImport.Status.INVALID and (again.new_rows, again.unchanged_marks) == (0, 3)
    assert again.message and not again.error_rows


@pytest.mark.parametrize("bad", ["11", "-1", "8,75", "abc"])
def test_a_bad_mark_refuses_the_whole_file(book, bad):
    ids = _ids(book)
    content = _sheet([[1, ids[0], "HS 1", "", "8"], [2, ids[1], "HS 2", "", bad]])
    result = _import(book, content)
    assert result.status == MarkImport.Status.INVALID and result.error_rows == 1
    refused = _refused(result)
    assert refused[0][0] == 4 and refused[0][1].startswith("TX1: ")
    assert not Mark.objects.exists()


def test_shifted_columns_another_class_and_locked_cells_are_refused(book):
    ids = _ids(book)
    shifted = _import(book, _sheet([[1, ids[0], "HS 1", "8"]], header=["STT", "Mã định danh", "Họ và tên", "TX1"]))
    assert shifted.status == MarkImport.Status.INVALID and "TX1" in shifted.message and not shifted.total_rows
    stranger = make_person(unit=book.tree.c2, role=Role.STUDENT, national_id="009999999999")
    other = _import(book, _sheet([[1, stranger.national_id, "X", "", "8"]]))
    assert other.status == MarkImport.Status.INVALID and "009999999999" in _refused(other)[0][1]
    Lock.objects.create(
        school=book.school,
        school_year=book.year,
        semester=1,
        locks_at=timezone.now() - timedelta(days=1),
        set_by=book.principal,
    )
    locked = _import(book, _sheet([[1, ids[0], "HS 1", "", "8"]]))
    assert locked.status == MarkImport.Status.INVALID and not Mark.objects.exists()
    assert _refused(locked)[0][1].startswith("TX1: ")


def test_a_teacher_who_does_not_teach_it_is_refused(book):
    ids = _ids(book)
    with pytest.raises(PermissionDenied):
        _import(book, _sheet([[1, ids[0], "HS 1", "", "8"]]), actor=book.other)
    assert not Mark.objects.exists() and not MarkImport.objects.exists()


# --- manage.py import_marks ----------------------------------------------------------------------------


def _file(tmp_path, content):
    path = tmp_path / "diem.xlsx"
    path.write_bytes(content)
    return str(path)


def test_cli_writes_as_the_assigned_teacher(book, tmp_path):
    ids = _ids(book)
    out = io.StringIO()
    path = _file(tmp_path, _sheet([[1, ids[0], "HS 1", "", "9", None, None, None, "7", "8"]]))
    call_command(
        "import_marks", path, "--class", book.school_class.code, "--subject", "Toán", "--semester", "1", stdout=out
    )
    assert Mark.objects.filter(entered_by=book.maths).count() == 3
    assert "3" in out.getvalue()


def test_cli_refusal_exits_non_zero_and_writes_nothing(book, tmp_path):
    ids = _ids(book)
    out = io.StringIO()
    path = _file(tmp_path, _sheet([[1, ids[0], "HS 1", "", "9"], [2, ids[1], "HS 2", "", "11"]]))
    with pytest.raises(CommandError):
        call_command(
            "import_marks", path, "--class", book.school_class.code, "--subject", "Toán", "--semester", "1", stdout=out
        )
    assert "4" in out.getvalue() and not Mark.objects.exists()
    with pytest.raises(CommandError):
        call_command(
            "import_marks",
            path,
            "--class",
            book.school_class.code,
            "--subject",
            "Toán",
            "--semester",
            "1",
            "--as",
            book.other.username,
            stdout=io.StringIO(),
        )


def test_cli_prints_the_pages_summary_and_refuses_an_unreadable_file(book, tmp_path):
    ids = _ids(book)
    out = io.StringIO()
    path = _file(tmp_path, _sheet([[1, ids[0], "HS 1", "", "9"]]))
    args = ["--class", book.school_class.code, "--subject", "Toán", "--semester", "1"]
    call_command("import_marks", path, *args, "--dry-run", stdout=out)
    assert "Mọi dòng đều hợp lệ" in out.getvalue() and not Mark.objects.exists()
    assert MarkImport.objects.get().status == MarkImport.Status.FAILED  # checked only: can never be confirmed
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_marks", str(empty), *args, stdout=out)
    assert "Tệp trống" in out.getvalue() and not Mark.objects.exists()
