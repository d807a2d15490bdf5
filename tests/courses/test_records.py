"""Records (hồ sơ): a teacher's professional record and a student's learning record, kept across
transfers, printable, seen by the person and the units above them only."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from courses.models import Course, Product, Submission
from courses.services.trash import content_delete
from forums.services import forum_for_unit, post_reply, thread_create
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from units.models import Role, RoleAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def graded(assignment, learner, grade):
    return Submission.objects.create(
        assignment=assignment, learner=learner, submitted_by=learner, grade=Decimal(grade),
        graded_at=timezone.now(), graded_by=assignment.course.author,
    )  # fmt: skip


def record(client, viewer, person):
    client.force_login(viewer)
    return client.get(reverse("courses:record", args=[person.pk]))


@pytest.fixture
def history(tree, people):
    """The teacher took a Department training (2 of 3 sections, graded 8.5), teaches a lesson to class 6A1
    (co-instructor of another), posted a topic and a product, and wrote in the group's forum."""
    training = make_course(unit=tree.dept_a, author=people.bo, title="Tập huấn GDPT 2018", audience_unit=tree.dept_a)
    for n in range(3):
        make_section(course=training, position=n)
    removed = make_section(course=training, position=9)
    content_delete(actor=people.bo, obj=removed)  # removed sections do not count
    enrolment = enrol(course=training, user=people.teacher)
    enrolment.sections_done = 2
    enrolment.save(update_fields=["sections_done"])
    graded(make_assignment(course=training, title="Bài thu hoạch"), people.teacher, "8.5")
    lesson = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON, title="Phân số")
    enrol(course=lesson, user=people.student)
    graded(make_assignment(course=lesson, title="Bài tập phân số"), people.student, "9")
    shared = make_course(unit=tree.s1, author=people.teacher2, kind=Course.Kind.LESSON, title="Hình học")
    assign_perm("courses.teach_course", people.teacher, shared)
    make_course(
        unit=tree.g1, author=people.teacher, kind=Course.Kind.TOPIC, title="Dạy học dự án", audience_unit=tree.s1
    )
    Product.objects.create(unit=tree.g1, author=people.teacher, title="Giáo án mẫu", link_url="https://e.com/a")
    thread = thread_create(actor=people.teacher, forum=forum_for_unit(unit=tree.g1), title="Đề kiểm tra", body="A")
    post_reply(actor=people.teacher, thread=thread, body="B")
    return training, lesson


def test_a_teachers_record_holds_courses_taken_and_taught_topics_products_and_posts(client, tree, people, history):
    response = record(client, people.teacher, people.teacher)
    assert response.status_code == 200
    rec = response.context["record"]
    assert rec.is_teacher
    (taken,) = rec.taken
    assert (taken.course.title, taken.total_sections, taken.percent) == ("Tập huấn GDPT 2018", 3, 67)
    assert [s.grade for s in taken.graded] == [Decimal("8.5")]
    assert {c.title for c in rec.taught} == {"Phân số", "Hình học"}
    assert [c.learners for c in rec.taught if c.title == "Phân số"] == [1]
    assert [t.title for t in rec.topics] == ["Dạy học dự án"]
    assert [p.title for p in rec.products] == ["Giáo án mẫu"]
    assert rec.post_count == 2 and len(rec.latest_posts) == 2
    html = response.content.decode()
    assert "Professional record" in html and "2/3 (67%)" in html and "<strong>8.5</strong>/10" in html
    assert 'data-testid="print"' in html and "css/record_print.css" in html and 'data-testid="post-count">2<' in html


def test_a_students_record_follows_them_to_another_school(client, tree, people, history):
    html = record(client, people.student, people.student).content.decode()
    assert "Learning record" in html and "Phân số" in html and "<strong>9</strong>/10" in html
    assert "Courses taught" not in html
    # Transferred to School S2: the record comes along, and S2 now sees it, S1 no longer does.
    people.student.unit = tree.s2
    people.student.save(update_fields=["unit"])
    RoleAssignment.objects.filter(user=people.student).update(unit=tree.s2)
    s2_admin = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="staff")
    response = record(client, s2_admin, people.student)
    assert response.status_code == 200 and "Phân số" in response.content.decode()
    assert record(client, people.admin, people.student).status_code == 404


def test_who_sees_a_record(client, tree, people, history):
    for viewer in (people.teacher, people.admin, people.principal, people.office, people.bo):
        assert record(client, viewer, people.teacher).status_code == 200, viewer
    for viewer in (people.teacher2, people.leader, people.student, people.other_school, people.other_office):
        assert record(client, viewer, people.teacher).status_code == 404, viewer
    assert record(client, people.admin, people.other_school).status_code == 404  # another school's teacher


def test_a_record_costs_the_same_queries_however_long(client, tree, people, history, django_assert_max_num_queries):
    client.force_login(people.admin)
    url = reverse("courses:record", args=[people.teacher.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as first:
        client.get(url)
    for n in range(8):
        course = make_course(unit=tree.s1, author=people.teacher2, title=f"Khoá {n}")
        make_section(course=course)
        enrol(course=course, user=people.teacher)
        graded(make_assignment(course=course), people.teacher, "7")
        make_course(unit=tree.s1, author=people.teacher, title=f"Dạy {n}")
        Product.objects.create(unit=tree.g1, author=people.teacher, title=f"SP {n}", link_url="https://e.com")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["record"].taken) == 9


def test_profile_pages_link_to_the_record(client, tree, people):
    client.force_login(people.teacher)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("courses:record", args=[people.teacher.pk]) in html
    client.force_login(people.admin)
    html = client.get(reverse("accounts:account_detail", args=[people.teacher.pk])).content.decode()
    assert reverse("courses:record", args=[people.teacher.pk]) in html
