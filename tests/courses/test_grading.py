"""Grading: the 10-point scale ("8,5"), refusals (11, "abc", three decimals), audit and notification,
the grading list (filters, 50 a page, same queries for 5 or 65 rows), "Save and next" by keyset, who
has not handed in, and the xlsx exports (fixed queries, formulas neutralised)."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from courses.models import Enrolment, LearningGroup, Submission
from courses.services.submissions import submission_create, submission_grade
from notifications.models import Notification
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_assignment, make_course
from units.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def pdf(name="bai.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="Bồi dưỡng thường xuyên")
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    return course


@pytest.fixture
def assignment(course):
    return make_assignment(course=course, title="Bài thu hoạch")


@pytest.fixture
def handed_in(people, assignment):
    return submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])


def make_learners(tree, course, assignment, n: int, *, late_every: int = 0) -> list[Submission]:
    """n enrolled learners who each handed in (rows built directly: the service is tested elsewhere)."""
    rows = []
    for i in range(n):
        learner = make_person(unit=tree.c1, role=Role.STUDENT, full_name=f"Học sinh {i:03d}")
        Enrolment.objects.create(course=course, user=learner)
        rows.append(
            Submission(
                assignment=assignment,
                learner=learner,
                submitted_by=learner,
                is_late=bool(late_every and i % late_every == 0),
            )
        )
    return Submission.objects.bulk_create(rows)


def grade_error(**kwargs) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        submission_grade(**kwargs)
    return " ".join(info.value.messages)


# --- the service -------------------------------------------------------------------------------


def test_grade_with_a_comma_is_audited_and_notified(people, handed_in):
    Notification.objects.all().delete()
    graded = submission_grade(actor=people.teacher, submission=handed_in, grade="8,5", feedback="Tốt")
    assert graded.grade == Decimal("8.50") and graded.graded_by == people.teacher and graded.graded_at
    entry = AuditEntry.objects.get(action="submission.grade")
    assert entry.before["grade"] is None and entry.after["grade"] == "8.50"
    note = Notification.objects.get(recipient=people.student)
    assert "8,5" in note.title and note.url == reverse("courses:submission", args=[handed_in.pk])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("11", "between 0 and 10"), ("-1", "between 0 and 10"), ("abc", "as a number"), ("8,555", "two decimals"),
     ("", "as a number"), ("NaN", "as a number")],
)  # fmt: skip
def test_bad_grades_change_nothing(people, handed_in, value, expected):
    assert expected in grade_error(actor=people.teacher, submission=handed_in, grade=value)
    handed_in.refresh_from_db()
    assert handed_in.grade is None and not AuditEntry.objects.filter(action="submission.grade").exists()


def test_only_instructors_grade(people, handed_in):
    for outsider in (people.student2, people.admin, people.teacher2):
        assert "Only the course's instructors" in grade_error(actor=outsider, submission=handed_in, grade="9")


def test_group_grade_notifies_every_member(people, course):
    group = LearningGroup.objects.create(course=course, name="Nhóm A", leader=people.student, created_by=people.teacher)
    Enrolment.objects.filter(course=course).update(group=group)
    assignment = make_assignment(course=course, per_group=True)
    submission = submission_create(actor=people.student, assignment=assignment, uploads=[pdf()])
    Notification.objects.all().delete()
    submission_grade(actor=people.teacher, submission=submission, grade="10")
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {people.student.pk, people.student2.pk}


# --- the pages ---------------------------------------------------------------------------------


def page(client, user, url, **kwargs):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url, **kwargs)


def send(client, user, url, data):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.post(url, data)


def test_grading_page_for_instructor_overseer_learner_and_outsider(client, people, handed_in):
    url = reverse("courses:grading", args=[handed_in.assignment_id])
    response = page(client, people.teacher, url)
    assert response.status_code == 200 and people.student.full_name in response.content.decode()
    assert reverse("courses:grade", args=[handed_in.pk]) in response.content.decode()
    overseer = page(client, people.admin, url)
    assert (
        overseer.status_code == 200 and reverse("courses:grade", args=[handed_in.pk]) not in overseer.content.decode()
    )
    assert page(client, people.admin, reverse("courses:grade", args=[handed_in.pk])).status_code == 403
    assert page(client, people.student, url).status_code == 403
    assert page(client, people.student, reverse("courses:grade", args=[handed_in.pk])).status_code == 403
    assert page(client, people.other_school, url).status_code == 404
    assert page(client, people.other_office, url).status_code == 404


def test_grading_list_costs_the_same_for_5_or_65_rows(
    client, tree, people, course, assignment, django_assert_max_num_queries
):
    make_learners(tree, course, assignment, 5)
    url = reverse("courses:grading", args=[assignment.pk])
    client.force_login(people.teacher)
    client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    make_learners(tree, course, assignment, 60, late_every=3)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.content.decode().count('data-testid="submission-row"') == 50
    second = client.get(url + "?page=2")
    assert second.content.decode().count('data-testid="submission-row"') == 15
    late = client.get(url + "?show=late")
    assert late.content.decode().count('data-testid="submission-row"') == 20


def test_filters_and_who_has_not_handed_in(client, people, course, assignment, handed_in):
    submission_grade(actor=people.teacher, submission=handed_in, grade="7")
    url = reverse("courses:grading", args=[assignment.pk])
    assert 'data-testid="submission-row"' not in page(client, people.teacher, url + "?show=ungraded").content.decode()
    assert (
        page(client, people.teacher, url + "?show=graded").content.decode().count('data-testid="submission-row"') == 1
    )
    missing = page(client, people.teacher, url + "?show=missing").content.decode()
    assert (
        people.student2.full_name in missing
        and people.student.full_name not in missing.split('data-testid="missing"')[1]
    )


def test_save_and_next_walks_the_ungraded_by_id(client, tree, people, course, assignment):
    rows = make_learners(tree, course, assignment, 4)
    Submission.objects.filter(pk=rows[1].pk).update(grade=5, graded_at=timezone.now())
    response = send(client, people.teacher, reverse("courses:grade", args=[rows[0].pk]), {"grade": "9,25", "next": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("courses:grade", args=[rows[2].pk])
    rows[0].refresh_from_db()
    assert rows[0].grade == Decimal("9.25")
    response = send(client, people.teacher, reverse("courses:grade", args=[rows[3].pk]), {"grade": "6", "next": "1"})
    assert response["Location"] == reverse("courses:grade", args=[rows[2].pk])  # wraps to the one left behind
    send(client, people.teacher, reverse("courses:grade", args=[rows[2].pk]), {"grade": "6", "next": "1"})
    response = send(client, people.teacher, reverse("courses:grade", args=[rows[1].pk]), {"grade": "6", "next": "1"})
    assert response["Location"].startswith(reverse("courses:grading", args=[assignment.pk]))


def test_grade_form_keeps_what_was_typed(client, people, handed_in):
    url = reverse("courses:grade", args=[handed_in.pk])
    for value, message in (("11", "between 0 and 10"), ("abc", "as a number")):
        response = send(client, people.teacher, url, {"grade": value, "feedback": "Nhận xét dài"})
        html = response.content.decode()
        assert response.status_code == 200 and message in html and "Nhận xét dài" in html
    handed_in.refresh_from_db()
    assert handed_in.grade is None


def test_learner_sees_grade_and_feedback(client, people, handed_in):
    submission_grade(actor=people.teacher, submission=handed_in, grade="8.5", feedback="Cần bổ sung ví dụ")
    html = page(client, people.student, reverse("courses:submission", args=[handed_in.pk])).content.decode()
    assert "8.5/10" in html and "Cần bổ sung ví dụ" in html


def read_xlsx(response) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_course_grades_export(client, tree, people, course, assignment, handed_in, django_assert_max_num_queries):
    second = make_assignment(course=course, title='=HYPERLINK("x")', due_in=timedelta(days=9))
    submission_grade(actor=people.teacher, submission=handed_in, grade="8,5")
    url = reverse("courses:grades_export", args=[course.pk])
    client.force_login(people.teacher)
    with django_assert_max_num_queries(12) as small:
        response = client.get(url)
    rows = read_xlsx(response)
    assert rows[1][4:] == ["Bài thu hoạch", '\'=HYPERLINK("x")']
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name[people.student.full_name][4:] == [8.5, None]
    assert by_name[people.student2.full_name][4] is None
    assert second.pk
    make_learners(tree, course, assignment, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(read_xlsx(response)) == 2 + 32
    assert page(client, people.student, url).status_code == 403
    assert page(client, people.other_school, url).status_code == 404


def test_assignment_export_and_formula_names(client, tree, people, course, assignment):
    sneaky = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="=cmd|' /C calc'!A0"))
    enrol(course=course, user=sneaky)
    submission_create(actor=sneaky, assignment=assignment, uploads=[pdf()])
    response = page(client, people.teacher, reverse("courses:assignment_grades_export", args=[assignment.pk]))
    rows = read_xlsx(response)
    assert rows[2][0].startswith("'=") and rows[2][2] == 1
    assert (
        page(client, people.student, reverse("courses:assignment_grades_export", args=[assignment.pk])).status_code
        == 403
    )
