"""The timetable from a school's workbook, through the import engine: the layout (rows day × period, a
column per class, cells "Môn - GV"), each bad input refused on its line with nothing written, all or
nothing on confirm, the pages (upload → check → the lines → confirm) and the template."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from teaching.models import Timetable, TimetableImport, TimetableSlot
from teaching.timetable_import import (
    split_cell,
    timetable_import_apply,
    timetable_import_confirm,
    timetable_import_start,
    timetable_import_validate,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
S = TimetableImport.Status
FROM = date(2026, 11, 2)


def _xlsx(rows, classes=("6A1", "7A1"), header=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "THCS Trần Phú"
    sheet.append(["THỜI KHÓA BIỂU HỌC KÌ I"])
    sheet.append(header or ["Thứ", "Buổi", "Tiết", *classes])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD = [
    ["Thứ 2", "Sáng", 1, "Chào cờ", "Chào cờ"],
    ["", "", 2, "Toán - GV0001", "Văn - Lê Thị Văn"],
    ["", "", 3, "Văn - Lê Thị Văn", "Toán - Hòa"],
    ["", "Chiều", 1, "Tin - Đỗ Văn Tin", ""],
    [3, "Sáng", 1, "KHTN - GV0002", "Anh"],
]


def _check(tkb, content, actor=None):
    batch = timetable_import_start(
        actor=actor or tkb.admin, school=tkb.tree.s1, upload=SimpleUploadedFile("tkb.xlsx", content), valid_from=FROM
    )
    return timetable_import_validate(batch=batch)  # reads the kept file, as the task does


def _apply(tkb, batch, actor=None):
    actor = actor or tkb.admin
    return timetable_import_apply(actor=actor, batch=timetable_import_confirm(actor=actor, batch=batch))


def test_cells_split_into_subject_and_teacher():
    assert split_cell("Toán - Hòa") == ("Toán", "Hòa")
    assert split_cell("Toán-GV0001") == ("Toán", "GV0001")
    assert split_cell("Ngữ văn / Lê Thị Văn") == ("Ngữ văn", "Lê Thị Văn")
    assert split_cell("Tin\nĐỗ Văn Tin") == ("Tin", "Đỗ Văn Tin")
    assert split_cell("Chào cờ") == ("Chào cờ", "")
    assert split_cell("Lịch sử và Địa lí - Hòa") == ("Lịch sử và Địa lí", "Hòa")


def test_a_good_file_sets_every_class_timetable_from_its_date(tkb):
    batch = _check(tkb, _xlsx(GOOD))
    assert batch.status == S.READY, list(batch.rows.values_list("errors", flat=True))
    assert (batch.total_rows, batch.error_rows, batch.new_rows, batch.class_count) == (5, 0, 9, 2)
    assert not Timetable.objects.exists()  # the check writes nothing
    batch = _apply(tkb, batch)
    assert batch.status == S.DONE
    c1 = Timetable.objects.get(school_class=tkb.tree.c1, valid_from=FROM)
    c2 = Timetable.objects.get(school_class=tkb.tree.c2, valid_from=FROM)
    rows = {(s.weekday, s.session, s.period): (s.subject, s.teacher_id) for s in c1.slots.all()}
    assert rows == {
        (1, "am", 1): ("Hoạt động trải nghiệm, hướng nghiệp", None),
        (1, "am", 2): ("Toán", tkb.hoa_teacher.pk),
        (1, "am", 3): ("Ngữ văn", tkb.colleague.pk),
        (1, "pm", 1): ("Tin học", tkb.tin.pk),
        (2, "am", 1): ("Khoa học tự nhiên", tkb.tin.pk),
    }
    assert c2.slots.count() == 4 and c2.slots.get(weekday=1, period=3).teacher == tkb.hoa_teacher  # "Hòa"
    # The same file again, from the same date, replaces those versions (no duplicate).
    _apply(tkb, _check(tkb, _xlsx(GOOD[:2])))
    assert Timetable.objects.count() == 2 and TimetableSlot.objects.filter(timetable=c1).count() == 2


@pytest.mark.parametrize(
    ("rows", "classes", "line", "problem"),
    [
        ([*GOOD[:1], ["", "", 2, "Toán", "", "Toán"]], ("6A1", "7A1", "9Z9"), 0, "9Z9 is not an open class"),
        ([["2", "Sáng", 2, "Thiên văn - Hòa", ""]], ("6A1", "7A1"), 3, "Thiên văn is not a subject of grade 6"),
        ([["2", "Sáng", 2, "Toán - Phạm Hiệu Trưởng", ""]], ("6A1", "7A1"), 3, "is not a teacher of this school"),
        ([["2", "Sáng", 2, "Toán - Hòa", ""], ["2", "Sáng", 2, "Văn - Tin", ""]], ("6A1", "7A1"), 4,
         "is already on line 4"),
        ([["2", "Sáng", 2, "Toán - Hòa", "Toán - GV0001"]], ("6A1", "7A1"), 3, "Phạm Thị Hòa already teaches 6A1"),
        ([["8", "Sáng", 1, "Toán", ""]], ("6A1", "7A1"), 3, "Thứ must be a day from 2 to 7"),
        ([["2", "Tối", 1, "Toán", ""]], ("6A1", "7A1"), 3, "Buổi must be Sáng or Chiều"),
        ([["2", "Sáng", 9, "Toán", ""]], ("6A1", "7A1"), 3, "Tiết must be a number from 1 to 6"),
    ],
    ids=["unknown-class", "unknown-subject", "teacher-of-another-school", "two-lessons-one-slot",
         "teacher-in-two-classes", "bad-day", "bad-session", "bad-period"],
)  # fmt: skip
def test_each_bad_input_is_refused_on_its_line_and_nothing_is_written(tkb, rows, classes, line, problem):
    batch = _check(tkb, _xlsx(GOOD[:1] + rows if line else rows, classes=classes))
    assert batch.status == S.INVALID
    refused = {r.line: " ".join(r.errors) for r in batch.rows.filter(action="error")}
    expected_line = line + 1 if line else 0  # GOOD's first line sits above
    assert problem in refused[expected_line], refused
    assert "nothing was written" in batch.message or batch.error_rows
    with pytest.raises(Exception, match="present state"):
        timetable_import_confirm(actor=tkb.admin, batch=batch)
    assert not Timetable.objects.exists() and not TimetableSlot.objects.exists()


def test_a_change_between_check_and_confirm_refuses_the_whole_file(tkb):
    from units.services import role_revoke

    batch = _check(tkb, _xlsx(GOOD))
    role_revoke(actor=None, user=tkb.tin, unit=tkb.tree.g1, role="teacher")  # Tin left the school meanwhile
    batch = _apply(tkb, batch)
    assert batch.status == S.FAILED and "no longer teaches" in batch.message
    assert not Timetable.objects.exists() and not TimetableSlot.objects.exists()


def test_only_the_school_managers_import(tkb):
    for outsider in (tkb.teacher, tkb.stranger, tkb.an):
        with pytest.raises(PermissionDenied):
            _check(tkb, _xlsx(GOOD), actor=outsider)
    assert not TimetableImport.objects.exists()


def test_the_pages_upload_check_show_and_confirm(client, tkb):
    client.force_login(tkb.admin)
    school_page = reverse("teaching:timetables", args=[tkb.tree.s1.pk])
    page = client.get(school_page).content.decode()
    assert 'data-testid="timetable-class"' in page and "6A1" in page and 'data-testid="timetable-upload"' in page
    template = client.get(reverse("teaching:timetable_template", args=[tkb.tree.s1.pk]))
    sheet = load_workbook(io.BytesIO(template.content)).active
    header = [c.value for c in next(iter(sheet.iter_rows(min_row=2, max_row=2)))]
    assert header == ["Thứ", "Buổi", "Tiết", "6A1", "7A1"] and sheet.max_row == 2 + 6 * 2 * 5
    bad = SimpleUploadedFile("tkb.xlsx", _xlsx([["2", "Sáng", 1, "Thiên văn - Hòa", ""]]))
    response = client.post(school_page, {"file": bad, "valid_from": "2026-11-02"})
    batch = TimetableImport.objects.get()
    assert response["Location"] == reverse("teaching:timetable_import", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="row-problems"' in page and "Thiên văn" in page and 'data-testid="import-problems"' in page
    good = SimpleUploadedFile("tkb.xlsx", _xlsx(GOOD))
    response = client.post(school_page, {"file": good, "valid_from": "2026-11-02"})
    batch = TimetableImport.objects.latest("pk")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-ready"' in page
    client.post(reverse("teaching:timetable_import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.DONE and TimetableSlot.objects.count() == 9
    client.force_login(tkb.teacher)
    assert client.get(reverse("teaching:timetable_import", args=[batch.pk])).status_code == 404


def test_a_teacher_busy_in_a_class_the_file_leaves_alone_is_refused(tkb):
    from teaching.services_timetable import SlotInput, slot_set, timetable_create

    seven = timetable_create(actor=tkb.admin, school_class=tkb.tree.c2, valid_from=FROM)
    slot_set(actor=tkb.admin, timetable=seven, weekday=1, session="am", period=2,
             values=SlotInput(subject="Toán", teacher_id=tkb.hoa_teacher.pk))  # fmt: skip
    # A file of 6A1 only: Hòa teaches 7A1 on Monday, period 2, in 7A1's timetable in force then.
    batch = _check(tkb, _xlsx([["2", "Sáng", 1, "Chào cờ"], ["2", "Sáng", 2, "Toán - Hòa"]], classes=("6A1",)))
    assert batch.status == S.INVALID
    assert "Phạm Thị Hòa already teaches 7A1" in " ".join(batch.rows.get(line=4).errors)
    assert not Timetable.objects.filter(school_class=tkb.tree.c1).exists()
