"""A primary subject's grid (Circular 27/2020): its level (Mức: Hoàn thành tốt / Hoàn thành / Chưa hoàn thành)
entered beside its periodic tests, in the grid page, through the JSON save, in progress and in the grid's
xlsx both ways."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from gradebook import services
from gradebook.grid_xlsx import grid_xlsx, mark_import_apply, mark_import_confirm, mark_import_start
from gradebook.grid_xlsx import mark_import_validate as validate
from gradebook.models import Mark, MarkImport, MarkKind
from tests.gradebook.test_rules_book import primary_classes  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LEVEL_NAMES = "Hoàn thành tốt, Hoàn thành, Chưa hoàn thành"


@pytest.fixture
def grade4(book, primary_classes):  # noqa: F811
    teacher, classes = primary_classes
    school_class, pupil = classes[4]
    services.assignment_set(actor=book.principal, school_class=school_class, subject="Đạo đức", semester=1,
                            teacher=teacher, school_year=book.year)  # fmt: skip
    return teacher, school_class, pupil


def _urls(school_class, subject):
    kwargs = {"class_id": school_class.pk, "semester": 1, "subject": subject}
    return reverse("gradebook:grid", kwargs=kwargs), reverse("gradebook:cell_save", kwargs=kwargs)


def _post(client, url, pupil, kind, **data):
    return client.post(url, {"student": pupil.pk, "kind": kind, "index": 1, "version": 0, **data})


def test_a_primary_teacher_saves_a_level_and_a_test_mark(book, grade4, client):
    teacher, school_class, pupil = grade4
    client.force_login(teacher)
    _grid, save = _urls(school_class, "Toán")
    answer = _post(client, save, pupil, "mh", level="HTT")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["ok"] and data["value_text"] == "HTT" and data["average_text"] == "Hoàn thành tốt"
    answer = _post(client, save, pupil, "ck", value="9").json()
    assert answer["ok"] and answer["value_text"] == "9" and answer["average_text"] == "Hoàn thành tốt"
    marks = {m.kind: (m.value, m.level) for m in Mark.objects.filter(student=pupil, subject="Toán")}
    assert marks[MarkKind.LEVEL] == (None, "HTT") and str(marks[MarkKind.END_OF_TERM][0]) == "9.0"
    # a comment-only primary subject: its level only
    _grid, save = _urls(school_class, "Đạo đức")
    assert _post(client, save, pupil, "mh", level="CHT").json()["average_text"] == "Chưa hoàn thành"


@pytest.mark.parametrize("data", [{"level": "D"}, {"level": "Tốt"}, {"value": "8"}])
def test_a_bad_level_is_refused_naming_the_levels(book, grade4, client, data):
    teacher, school_class, pupil = grade4
    client.force_login(teacher)
    _grid, save = _urls(school_class, "Toán")
    answer = _post(client, save, pupil, "mh", **data)
    assert answer.status_code == 400
    assert LEVEL_NAMES in answer.json()["message"]
    assert not Mark.objects.filter(student=pupil).exists()


def test_a_level_is_refused_in_a_secondary_grid_as_before(book, grid_client):
    answer = grid_client.client.post(
        grid_client.save_url, {"student": book.students[0].pk, "kind": "mh", "index": 1, "version": 0, "level": "HT"}
    )
    assert answer.status_code == 400 and not Mark.objects.filter(kind="mh").exists()


def _cell(page: str, key: str) -> str:
    match = re.search(rf'data-testid="cell-1-{key}">(.*?)</td>', page, re.S)
    assert match, key
    return match.group(1)


def test_the_primary_grid_page_has_a_level_select_and_test_inputs(book, grade4, client):
    teacher, school_class, pupil = grade4
    services.mark_set(actor=teacher, student_id=pupil.pk, school_class=school_class, subject="Toán", semester=1,
                      kind="mh", level="HT", school_year=book.year)  # fmt: skip
    client.force_login(teacher)
    grid, _save = _urls(school_class, "Toán")
    page = client.get(grid).content.decode()
    level = _cell(page, "mh1")
    assert "<select" in level and "<input" not in level
    assert re.findall(r'<option value="(\w*)"', level) == ["", "HTT", "HT", "CHT"]
    assert "Hoàn thành tốt" in level and "Chưa hoàn thành" in level
    assert re.search(r'<option value="HT"\s+selected>', level)
    for key in ("gk1", "ck1"):
        assert "<input" in _cell(page, key) and "<select" not in _cell(page, key)
    assert "ĐTBmhk" not in page and 'data-testid="average-1">Hoàn thành<' in page
    assert "<script>" not in page and 'style="' not in page
    moral, _save = _urls(school_class, "Đạo đức")
    page = client.get(moral).content.decode()
    assert page.count("data-gb-cell") == 1 and "<select" in _cell(page, "mh1")


def _sheet_rows(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def _import(teacher, school_class, content):
    batch = mark_import_start(actor=teacher, school_class=school_class, subject="Toán", semester=1,
                              upload=SimpleUploadedFile("diem.xlsx", content))  # fmt: skip
    return validate(batch=batch)


def _content(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_primary_grid_file_round_trips_a_level(book, grade4):
    teacher, school_class, pupil = grade4
    services.mark_set(actor=teacher, student_id=pupil.pk, school_class=school_class, subject="Toán", semester=1,
                      kind="mh", level="HTT", school_year=book.year)  # fmt: skip
    rows = _sheet_rows(grid_xlsx(school_class=school_class, subject="Toán", semester=1, school_year=book.year))
    header = next(i for i, row in enumerate(rows) if "Mã định danh" in row)
    assert rows[header][4:8] == ["Mức", "GK", "CK", "ĐTBmhk"]
    assert rows[header + 1][4] == "HTT"
    # the same file back: nothing to write
    content = _content(rows)
    assert _import(teacher, school_class, content).new_rows == 0
    # the Vietnamese label, in another case, and a test mark
    rows[header + 1][4:7] = ["hoàn thành", None, 7]
    batch = _import(teacher, school_class, _content(rows))
    assert batch.status == MarkImport.Status.READY and batch.new_rows == 2
    batch = mark_import_apply(actor=teacher, batch=mark_import_confirm(actor=teacher, batch=batch))
    assert batch.status == MarkImport.Status.DONE
    marks = {m.kind: (m.value, m.level) for m in Mark.objects.filter(student=pupil, subject="Toán")}
    assert marks[MarkKind.LEVEL] == (None, "HT") and str(marks[MarkKind.END_OF_TERM][0]) == "7.0"
    # anything else is refused, naming the levels
    rows[header + 1][4] = "Tốt"
    batch = _import(teacher, school_class, _content(rows))
    assert batch.status == MarkImport.Status.INVALID
    (row,) = batch.rows.all()
    assert row.errors[0].startswith("Mức:") and LEVEL_NAMES in row.errors[0]
    assert Mark.objects.get(student=pupil, kind=MarkKind.LEVEL).level == "HT"
