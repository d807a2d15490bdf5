"""Exports of personal data are audited (issue #14, point 7): every download of a school's account list,
a course's progress or grade book, an assignment's grade book, a test's results or the statistics writes
exactly one `export.<kind>` entry (actor, unit, row count, file name), shown on the unit's audit page;
a refused download writes nothing."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from reports.services import stats_recompute
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_assignment, make_course
from tests.materials.factories import make_question, make_quiz
from tests.materials.test_results import hand_in
from truonghoc.xlsx import xlsx_bytes, xlsx_response
from units.models import AuditEntry, Role
from units.periods import all_time


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Mai Văn Kiên"),
        teacher=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
        student=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
        student2=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Đặng Thu Hà")),
        dept=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, full_name="Tạ Thị Loan"),
        other_dept=make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF, full_name="Hồ Văn Minh"),
    )


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.g1, author=people.teacher, title="Bồi dưỡng thường xuyên")
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    return course


def _exports():
    return AuditEntry.objects.filter(action__startswith="export.")


def _download(client, user, url, data=None):
    client.force_login(user)
    response = client.get(url, data or {})
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment")
    return response


def _the_entry(*, action, actor, unit, target=None, rows):
    entry = _exports().get()
    assert (entry.action, entry.actor, entry.unit) == (action, actor, unit)
    assert entry.after["rows"] == rows and entry.after["filename"]
    if target is not None:
        assert (entry.target_type.model_class(), entry.target_id) == (type(target), str(target.pk))
    return entry


def test_the_school_account_list(client, tree, people):
    url = reverse("accounts:school_accounts", args=[tree.s1.pk])
    _download(client, people.admin, url, {"type": "student", "export": "xlsx"})
    entry = _the_entry(action="export.accounts", actor=people.admin, unit=tree.s1, rows=2)
    assert entry.after["filename"] == f"tai-khoan-{tree.s1.code}.xlsx"
    client.force_login(people.student)
    assert client.get(url, {"export": "xlsx"}).status_code in (403, 404)
    assert _exports().count() == 1


def test_the_course_progress(client, tree, people, course):
    _download(client, people.teacher, reverse("courses:progress", args=[course.pk]), {"format": "xlsx"})
    _the_entry(action="export.course_progress", actor=people.teacher, unit=tree.g1, target=course, rows=2)


def test_the_course_grade_book(client, tree, people, course):
    make_assignment(course=course)
    _download(client, people.teacher, reverse("courses:grades_export", args=[course.pk]))
    _the_entry(action="export.course_grades", actor=people.teacher, unit=tree.g1, target=course, rows=2)


def test_the_assignment_grade_book(client, tree, people, course):
    from courses.models import Submission

    assignment = make_assignment(course=course)
    Submission.objects.create(assignment=assignment, learner=people.student, submitted_by=people.student)
    _download(client, people.teacher, reverse("courses:assignment_grades_export", args=[assignment.pk]))
    _the_entry(action="export.assignment_grades", actor=people.teacher, unit=tree.g1, target=assignment, rows=1)


def test_the_test_results(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    hand_in(quiz, people.student, [(question, 0)])
    _download(client, people.teacher, reverse("materials:results_export", args=[quiz.pk]))
    # Every student of the class is listed, also the one who did not start.
    _the_entry(action="export.quiz_results", actor=people.teacher, unit=tree.g1, target=quiz, rows=2)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_statistics(client, tree, people, fmt):
    stats_recompute(periods=[all_time()])
    _download(client, people.dept, reverse("reports:export", args=[tree.dept_a.pk, fmt]))
    entry = _the_entry(action="export.statistics", actor=people.dept, unit=tree.dept_a, rows=3)
    assert entry.after["filename"].endswith(f".{fmt}")  # dept A lists its two offices and its THPT school


@pytest.mark.parametrize(
    "who, url",
    [
        ("student", lambda tree, course, quiz: reverse("courses:grades_export", args=[course.pk])),
        ("student", lambda tree, course, quiz: reverse("courses:progress", args=[course.pk]) + "?format=xlsx"),
        ("student2", lambda tree, course, quiz: reverse("materials:results_export", args=[quiz.pk])),
        ("other_dept", lambda tree, course, quiz: reverse("reports:export", args=[tree.dept_a.pk, "csv"])),
        ("teacher", lambda tree, course, quiz: reverse("accounts:school_accounts", args=[tree.s1.pk]) + "?export=xlsx"),
    ],
)
def test_a_refused_download_writes_nothing(client, tree, people, course, who, url):
    question = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question])
    client.force_login(getattr(people, who))
    response = client.get(url(tree, course, quiz))
    assert response.status_code in (403, 404)
    assert not _exports().exists()


def test_the_download_is_shown_on_the_audit_page_of_the_unit_and_those_above(client, tree, people, course):
    _download(client, people.teacher, reverse("courses:grades_export", args=[course.pk]))
    client.force_login(people.admin)
    html = client.get(reverse("units:audit", args=[tree.s1.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tải bảng điểm khóa học" in html or "Course grade book downloaded" in html
    assert f"bang-diem-khoa-{course.pk}.xlsx" in html


def test_an_audited_download_calls_its_audit_once_with_the_rows_and_an_unaudited_one_must_say_so():
    calls = []
    content = xlsx_bytes(title="t", header=["a"], rows=iter([[1], [2], [3]]))
    xlsx_response(content, "x.xlsx", audit=lambda **kw: calls.append(kw))
    assert calls == [{"filename": "x.xlsx", "rows": 3}]
    with pytest.raises(TypeError):
        xlsx_response(content, "x.xlsx")  # audit= has no default: every download says whether it is audited
