"""The entry grid, its JSON save endpoint and the class book overview (issue #16, point 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gradebook import services
from gradebook.models import Lock, Mark, MarkKind
from tests.accounts.factories import make_person
from units.models import Role


def _post(grid_client, student, value="", kind="tx", index=1, version=0, level=None):
    data = {"student": student.pk, "kind": kind, "index": index, "version": version}
    data["level" if level is not None else "value"] = level if level is not None else value
    return grid_client.client.post(grid_client.save_url, data)


def test_the_teacher_sees_the_columns_of_the_rule_and_the_students(book, grid_client):
    response = grid_client.client.get(grid_client.grid_url)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("TX1", "TX4", "GK", "CK", "ĐTBmhk"):  # Toán 6: 140 periods, 4 regular assessments
        assert label in page
    assert "TX5" not in page
    assert all(s.full_name in page for s in book.students)
    assert page.count("data-gb-cell") == 3 * 6
    assert "<script>" not in page and 'style="' not in page


def test_saving_a_cell_answers_the_mark_version_and_average(book, grid_client):
    student = book.students[0]
    answer = _post(grid_client, student, "8.5").json()
    assert answer == {"ok": True, "value_text": "8,5", "version": 1, "average_text": "", "message": answer["message"]}
    _post(grid_client, student, "7", kind="gk")
    answer = _post(grid_client, student, "9,0", kind="ck").json()
    # (8,5 + 2×7 + 3×9) / (1 + 5) = 49,5 / 6 = 8,25 → 8,3
    assert answer["average_text"] == "8,3"
    assert Mark.objects.get(student=student, kind="ck").value == Decimal("9.0")
    response = grid_client.client.get(grid_client.grid_url)
    assert 'data-testid="average-' in response.content.decode() and "8,3" in response.content.decode()


@pytest.mark.parametrize("typed", ["11", "-1", "8,75", "abc"])
def test_a_bad_mark_is_refused_with_a_message_and_nothing_saved(book, grid_client, typed):
    response = _post(grid_client, book.students[0], typed)
    assert response.status_code == 400
    assert response.json()["ok"] is False and response.json()["message"]
    assert not Mark.objects.exists()


def test_a_stale_version_is_refused_with_the_other_value(book, grid_client):
    student = book.students[0]
    _post(grid_client, student, "6")
    response = _post(grid_client, student, "9", version=0)
    assert response.status_code == 409
    body = response.json()
    assert (body["stale"], body["value_text"], body["version"]) == (True, "6", 1)
    assert book.maths.full_name in body["message"]
    assert Mark.objects.get().value == Decimal("6.0")
    assert _post(grid_client, student, "9", version=1).json()["version"] == 2


def test_another_teacher_is_refused_403_and_a_locked_cell_409(book, grid_client, client):
    grid_client.client.force_login(book.other)
    assert _post(grid_client, book.students[0], "5").status_code == 403
    assert grid_client.client.get(grid_client.grid_url).status_code == 404
    grid_client.client.force_login(book.maths)
    Lock.objects.create(
        school=book.school, school_year=book.year, semester=1, kind=MarkKind.MIDTERM,
        locks_at=timezone.now() - timedelta(days=1), set_by=book.principal,
    )  # fmt: skip
    response = _post(grid_client, book.students[0], "5", kind="gk")
    assert response.status_code == 409 and response.json()["locked"] is True
    assert not Mark.objects.exists()
    page = grid_client.client.get(grid_client.grid_url).content.decode()
    assert page.count("data-gb-cell") == 3 * 5  # the GK column is shown locked, not editable


def test_bad_cell_addresses_are_refused_400(book, grid_client):
    client = grid_client.client
    assert client.post(grid_client.save_url, {"student": "²", "kind": "tx", "index": 1}).status_code == 400
    assert (
        client.post(grid_client.save_url, {"student": book.students[0].pk, "kind": "zz", "index": 1}).status_code == 400
    )
    assert _post(grid_client, book.students[0], "5", index=5).status_code == 400
    assert _post(grid_client, book.principal, "5").status_code == 400  # not a student of the class
    assert client.get(grid_client.save_url).status_code == 405
    assert not Mark.objects.exists()


def test_the_principal_reads_the_grid_and_the_class_book(book, grid_client):
    services.mark_set(actor=book.maths, student_id=book.students[0].pk, school_class=book.school_class,
                      subject="Toán", semester=1, kind="tx", value="8")  # fmt: skip
    grid_client.client.force_login(book.principal)
    page = grid_client.client.get(grid_client.grid_url).content.decode()
    assert "data-gb-cell" not in page and 'data-testid="grid-read-only"' in page
    response = grid_client.client.get(grid_client.book_url)
    assert response.status_code == 200
    assert "Toán" in response.content.decode()
    student = make_person(unit=book.school_class, role=Role.STUDENT)
    grid_client.client.force_login(student)
    assert grid_client.client.get(grid_client.book_url).status_code == 404
    assert grid_client.client.get(grid_client.grid_url).status_code == 404


def test_saving_a_mark_costs_a_fixed_number_of_queries(book, grid_client, django_assert_max_num_queries):
    _post(grid_client, book.students[0], "5")
    with django_assert_max_num_queries(16):
        assert _post(grid_client, book.students[1], "6").status_code == 200
    with django_assert_max_num_queries(16):
        assert _post(grid_client, book.students[0], "7", version=1).status_code == 200


def test_a_comment_subject_takes_levels_and_shows_its_result(book, grid_client):
    services.assignment_set(actor=book.principal, school_class=book.school_class, subject="Giáo dục thể chất",
                            semester=1, teacher=book.maths)  # fmt: skip
    from django.urls import reverse

    kwargs = {"class_id": book.school_class.pk, "semester": 1, "subject": "Giáo dục thể chất"}
    grid_client.save_url = reverse("gradebook:cell_save", kwargs=kwargs)
    page = grid_client.client.get(reverse("gradebook:grid", kwargs=kwargs)).content.decode()
    assert "<select" in page
    student = book.students[0]
    assert _post(grid_client, student, "7").status_code == 400
    # Giáo dục thể chất 6: 70 periods, 3 regular assessments; the result needs every one of them.
    answers = [_post(grid_client, student, level="D", kind=k, index=i).json() for k, i in
               (("tx", 1), ("tx", 2), ("gk", 1), ("ck", 1), ("tx", 3))]  # fmt: skip
    assert [a["average_text"] for a in answers] == ["", "", "", "", "Đạt"]
    assert _post(grid_client, student, level="CD", kind="tx", index=3, version=1).json()["average_text"] == "Chưa đạt"


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_grid_and_the_class_book_cost_the_same_queries_for_more_students(book, grid_client):
    client = grid_client.client
    client.get(grid_client.book_url)  # the year's rules are read once per process
    before = (_queries(client, grid_client.grid_url), _queries(client, grid_client.book_url))
    for n in range(6):
        student = make_person(unit=book.school_class, role=Role.STUDENT, full_name=f"Thêm {n}")
        services.mark_set(actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
                          semester=1, kind="gk", value=str(n))  # fmt: skip
    after = (_queries(client, grid_client.grid_url), _queries(client, grid_client.book_url))
    assert after == before
    assert max(after) <= 16
