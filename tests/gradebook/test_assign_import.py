"""Teaching assignments from a spreadsheet, through the import engine: refusals with line numbers, all or
nothing, homerooms, the pages (upload → check → preview → confirm / cancel)."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gradebook.assign_import import (
    assignment_import_apply,
    assignment_import_cancel,
    assignment_import_confirm,
    assignment_import_start,
    assignment_import_validate,
)
from gradebook.models import AssignmentImport, AssignmentImportRow, TeachingAssignment
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role, RoleAssignment, Unit

HEADER = ["Lớp", "Môn", "Giáo viên", "Học kì", "GVCN"]
S = AssignmentImport.Status


def _xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["PHÂN CÔNG GIẢNG DẠY"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _check(book, content, actor=None, name="phan-cong.xlsx"):
    batch = assignment_import_start(
        actor=actor or book.principal, school=book.school, upload=SimpleUploadedFile(name, content)
    )
    assert batch.status == S.VALIDATING
    return assignment_import_validate(batch=batch)  # reads the kept file, as the task does


def _apply(book, batch, actor=None):
    actor = actor or book.principal
    return assignment_import_apply(actor=actor, batch=assignment_import_confirm(actor=actor, batch=batch))


def _problems(batch):
    return [(r.line, r.errors[0]) for r in batch.rows.filter(action=AssignmentImportRow.Action.ERROR)]


def test_a_good_file_sets_both_semesters_and_the_homeroom(book):
    book.other.national_id = "001188000001"
    book.other.save(update_fields=["national_id"])
    content = _xlsx(
        [
            ["6A1", "Ngữ văn", "001188000001", "cả năm", book.maths.username],
            ["7a1", "Toán", book.maths.username, "2", ""],
        ]
    )
    batch = _check(book, content)
    assert batch.status == S.READY and (batch.new_rows, batch.homeroom_rows) == (3, 1)
    assert TeachingAssignment.objects.count() == 1  # the check writes nothing
    done = _apply(book, batch)
    assert done.status == S.DONE and (done.new_rows, done.homeroom_rows) == (3, 1)
    assert set(TeachingAssignment.objects.filter(subject="Ngữ văn").values_list("semester", flat=True)) == {1, 2}
    assert Unit.objects.get(pk=book.school_class.pk).homeroom_teacher == book.maths
    assert AuditEntry.objects.filter(action="gradebook.assignments_import").count() == 1
    again = _check(book, content)
    assert again.status == S.INVALID and (again.new_rows, again.unchanged_rows, again.error_rows) == (0, 3, 0)
    assert "không có gì cần thay đổi" in again.message


def test_refusals_have_line_numbers_and_nothing_is_written(book):
    stranger = make_person(unit=book.tree.g3, role=Role.TEACHER)
    content = _xlsx(
        [
            ["6A1", "Ngữ văn", book.other.username, "1", ""],  # line 3: fine
            ["9Z9", "Toán", book.other.username, "1", ""],  # 4: unknown class
            ["6A1", "Lịch sử và Địa lí", "nobody", "1", ""],  # 5: unknown teacher
            ["6A1", "Khoa học tự nhiên", stranger.username, "1", ""],  # 6: another school's teacher
            ["6A1", "Vật lí", book.other.username, "1", ""],  # 7: not a subject of grade 6
            ["6A1", "Ngữ văn", book.maths.username, "cả năm", ""],  # 8: same class+subject+semester as line 3
            ["6A1", "Tin học", book.other.username, "3", ""],  # 9: bad semester
        ]
    )
    batch = _check(book, content)
    assert batch.status == S.INVALID and batch.error_rows == 6 and batch.total_rows == 7
    refused = _problems(batch)
    assert [line for line, _ in refused] == [4, 5, 6, 7, 8, 9]
    assert "9Z9" in refused[0][1] and "nobody" in refused[1][1] and "3" in refused[4][1]
    with pytest.raises(ValidationError):
        assignment_import_confirm(actor=book.principal, batch=batch)
    assert TeachingAssignment.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (_xlsx([["6A1", "Toán"]], header=["Lớp", "Môn"]), "Lớp, Môn, Giáo viên"),  # missing columns
        (_xlsx([], header=HEADER), "không có dòng phân công"),  # a header and nothing else
        (b"", "Tệp trống"),
        (b"%PDF-1.4\x00\x01binary", "không phải tệp Excel"),  # not a spreadsheet
    ],
)
def test_a_file_that_cannot_be_read_says_why_and_writes_nothing(book, content, words):
    batch = _check(book, content)
    assert batch.status == S.INVALID and words in batch.message and not batch.rows.exists()
    assert TeachingAssignment.objects.count() == 1


def test_who_may(book):
    with pytest.raises(PermissionDenied):
        assignment_import_start(actor=book.maths, school=book.school, upload=SimpleUploadedFile("a.xlsx", _xlsx([])))
    batch = _check(book, _xlsx([["6A1", "Ngữ văn", book.other.username, "1", ""]]))
    with pytest.raises(PermissionDenied):
        assignment_import_confirm(actor=book.maths, batch=batch)
    with pytest.raises(PermissionDenied):
        assignment_import_cancel(actor=book.maths, batch=batch)


def test_a_teacher_gone_since_the_check_fails_the_whole_file(book):
    content = _xlsx(
        [["6A1", "Ngữ văn", book.maths.username, "1", ""], ["6A1", "Tin học", book.other.username, "1", ""]]
    )
    batch = _check(book, content)
    assert batch.status == S.READY
    RoleAssignment.objects.filter(user=book.other).delete()  # left the school after the preview
    batch = _apply(book, batch)
    assert batch.status == S.FAILED and "dòng 4" in batch.message
    assert TeachingAssignment.objects.count() == 1  # line 3 was rolled back too


def test_the_pages_upload_check_preview_confirm_and_refuse_a_second_confirm(book):
    client = Client()
    client.force_login(book.principal)
    url = reverse("gradebook:assignments_import", kwargs={"school_id": book.school.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"file": SimpleUploadedFile("pc.xlsx", _xlsx([["6A1", "Ngữ văn", book.other.username, "1", ""]]))}
    )
    batch = AssignmentImport.objects.get()
    assert response.url == reverse("gradebook:assignment_import", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="import-ready"' in page and 'data-action="set"' in page
    assert reverse("gradebook:assignment_import_confirm", args=[batch.pk]) in page
    assert TeachingAssignment.objects.count() == 1
    client.post(reverse("gradebook:assignment_import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.DONE and TeachingAssignment.objects.count() == 2
    assert 'data-testid="import-done"' in client.get(response.url).content.decode()
    second = client.post(reverse("gradebook:assignment_import_confirm", args=[batch.pk]), follow=True)
    assert "Không thể nhập tệp này" in second.content.decode()
    assert AuditEntry.objects.filter(action="gradebook.assignment_set").count() == 2  # the fixture's + one
    teacher = Client()
    teacher.force_login(book.maths)
    assert teacher.get(url).status_code == 404
    assert teacher.get(response.url).status_code == 404
    assert teacher.post(reverse("gradebook:assignment_import_confirm", args=[batch.pk])).status_code == 404


def test_a_checked_file_can_be_cancelled_and_then_never_applied(book):
    client = Client()
    client.force_login(book.principal)
    batch = _check(book, _xlsx([["6A1", "Ngữ văn", book.other.username, "1", ""]]))
    client.post(reverse("gradebook:assignment_import_cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.FAILED and batch.message
    with pytest.raises(ValidationError):
        assignment_import_confirm(actor=book.principal, batch=batch)
    assert TeachingAssignment.objects.count() == 1


def test_the_preview_shows_each_lines_problem_paginated(book):
    rows = [["9Z9", "Toán", book.other.username, "1", ""] for _ in range(60)]
    batch = _check(book, _xlsx(rows))
    client = Client()
    client.force_login(book.principal)
    url = reverse("gradebook:assignment_import", args=[batch.pk])
    first = client.get(url).content.decode()
    assert first.count('data-action="error"') == 50 and "9Z9" in first and 'data-testid="import-problems"' in first
    assert client.get(url + "?page=2").content.decode().count('data-action="error"') == 10
