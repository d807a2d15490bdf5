"""Teaching assignments from a spreadsheet: refusals with line numbers, all or nothing, homerooms."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gradebook.assign_import import assignments_import
from gradebook.models import TeachingAssignment
from tests.accounts.factories import make_person
from units.models import Role, Unit

HEADER = ["Lớp", "Môn", "Giáo viên", "Học kì", "GVCN"]


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


def test_a_good_file_sets_both_semesters_and_the_homeroom(book):
    book.other.national_id = "001188000001"
    book.other.save(update_fields=["national_id"])
    content = _xlsx(
        [
            ["6A1", "Ngữ văn", "001188000001", "cả năm", book.maths.username],
            ["7a1", "Toán", book.maths.username, "2", ""],
        ]
    )
    check = assignments_import(actor=book.principal, school=book.school, content=content, dry_run=True)
    assert check.ok and check.set == 3 and TeachingAssignment.objects.count() == 1
    done = assignments_import(actor=book.principal, school=book.school, content=content)
    assert done.ok and done.set == 3 and done.homerooms == 1
    assert set(TeachingAssignment.objects.filter(subject="Ngữ văn").values_list("semester", flat=True)) == {1, 2}
    assert Unit.objects.get(pk=book.school_class.pk).homeroom_teacher == book.maths
    again = assignments_import(actor=book.principal, school=book.school, content=content)
    assert (again.set, again.unchanged) == (0, 3)


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
    result = assignments_import(actor=book.principal, school=book.school, content=content)
    assert [line for line, _ in result.refusals] == [4, 5, 6, 7, 8, 9]
    assert "3" in result.refusals[4][1]
    assert TeachingAssignment.objects.count() == 1


def test_missing_columns_and_who_may(book):
    result = assignments_import(
        actor=book.principal, school=book.school, content=_xlsx([["6A1", "Toán"]], header=["Lớp", "Môn"])
    )
    assert not result.ok and result.refusals[0][0] == 0
    with pytest.raises(PermissionDenied):
        assignments_import(actor=book.maths, school=book.school, content=_xlsx([]))


def test_the_page_previews_then_confirms(book):
    client = Client()
    client.force_login(book.principal)
    url = reverse("gradebook:assignments_import", kwargs={"school_id": book.school.pk})
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": io.BytesIO(_xlsx([["6A1", "Ngữ văn", book.other.username, "1", ""]]))})
    assert 'data-testid="preview"' in preview.content.decode() and TeachingAssignment.objects.count() == 1
    client.post(url, {"token": preview.context["token"]})
    assert TeachingAssignment.objects.count() == 2
    teacher = Client()
    teacher.force_login(book.maths)
    assert teacher.get(url).status_code == 404
