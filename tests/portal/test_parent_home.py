"""The parent's home page (issue #17): a switcher between their children, and for the chosen child the
work due, handed in and missing, the semester's marks and absences; never another child; the same
queries for one child or three. And the permission matrix: a parent reaches no other page of a child."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountQuota, Guardianship, User
from accounts.permissions import is_parent_of
from accounts.services.parents import parent_issue, parent_link
from courses.models import Assignment, Submission
from gradebook import classbook, services
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_assignment, make_course
from units.models import Role
from units.periods import semester_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(tree):
    """At S1: a principal, a maths teacher, a homeroom teacher for 6A1; pupils An (6A1) and Hoa (7A1) whose
    mother Bình has one parent account; Cường (6A1), another family's child; Khác, a pupil of S2."""
    AccountQuota.objects.create(school=tree.s1, teachers=10, students=10)
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    maths = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán")
    homeroom = make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Chủ Nhiệm")
    tree.c1.homeroom_teacher = homeroom
    tree.c1.save(update_fields=["homeroom_teacher"])
    an = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Văn An")
    hoa = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Nguyễn Thị Hoa")
    cuong = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Lê Văn Cường")
    other_school = make_person(unit=tree.s2, role=Role.STUDENT, full_name="Vũ Văn Khác")
    mother = parent_issue(
        actor=principal, child=an, values={"parent_name": "Trần Thị Bình", "parent_phone": "0912345678",
                                           "parent_relation": "mother"},
    ).parent  # fmt: skip
    parent_issue(actor=principal, child=hoa, values={"parent_phone": "0912345678"})
    cuong_parent = parent_issue(actor=principal, child=cuong, values={"parent_email": "cuong.ph@example.vn"}).parent
    for parent in (mother, cuong_parent):  # past the first login
        parent.set_password("Mat-khau-rieng-2026")
        parent.must_change_password = False
        parent.save(update_fields=["password", "must_change_password"])
    return type("Family", (), locals())


def test_the_parent_sees_each_child_and_only_their_own(client, tree, family):
    f = family
    course = make_course(unit=tree.s1, author=f.maths, title="Toán 6")
    for learner in (f.an, f.cuong):
        enrol(course=course, user=learner)
    make_assignment(course=course, title="Bài tập chương 2", due_in=timedelta(days=3))
    late = make_assignment(course=course, title="Bài thu hoạch tuần 1", due_in=-timedelta(days=2))
    done = make_assignment(course=course, title="Bài tập chương 1", due_in=-timedelta(days=5))
    Submission.objects.create(
        assignment=done, learner=f.an, submitted_by=f.an, grade="8.5", graded_by=f.maths, graded_at=timezone.now()
    )
    Submission.objects.create(assignment=late, learner=f.cuong, submitted_by=f.cuong)
    other_course = make_course(unit=tree.s1, author=f.maths, title="Ngữ văn 6 riêng")
    enrol(course=other_course, user=f.cuong)
    make_assignment(course=other_course, title="Bài của bạn khác", due_in=timedelta(days=1))

    semester = semester_of(timezone.localdate(), tree.s1).number
    services.assignment_set(actor=f.principal, school_class=tree.c1, subject="Toán", semester=semester, teacher=f.maths)
    services.mark_set(
        actor=f.maths, student_id=f.an.pk, school_class=tree.c1, subject="Toán", semester=semester, kind="gk",
        value="7,5",
    )  # fmt: skip
    services.mark_set(
        actor=f.maths, student_id=f.cuong.pk, school_class=tree.c1, subject="Toán", semester=semester, kind="gk",
        value="3,5",
    )  # fmt: skip
    yesterday = timezone.localdate() - timedelta(days=1)
    classbook.absence_record(actor=f.homeroom, school_class=tree.c1, student_id=f.an.pk, day=yesterday)
    classbook.absence_record(
        actor=f.homeroom, school_class=tree.c1, student_id=f.cuong.pk, day=yesterday - timedelta(days=1)
    )

    client.force_login(f.mother)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="parent-home"' in page
    assert page.count('data-testid="child-tab"') == 2 and "Nguyễn Thị Hoa" in page
    assert "Lê Chủ Nhiệm" in page  # An (the first child) is shown: his homeroom teacher
    assert "Bài tập chương 2" in page  # due
    assert "Bài thu hoạch tuần 1" in page  # missing (Cường handed it in, An did not)
    assert "Bài tập chương 1" in page and "8,5" in page  # handed in, with the mark
    assert "7,5" in page and "3,5" not in page  # An's marks, not Cường's
    assert page.count('data-testid="absence"') == 1
    assert "Bài của bạn khác" not in page and "Lê Văn Cường" not in page

    hoa_page = client.get(reverse("home"), {"hs": f.hoa.pk}).content.decode()
    assert 'data-testid="empty-upcoming"' in hoa_page and 'data-testid="empty-marks"' in hoa_page
    assert 'data-testid="empty-absences"' in hoa_page and "Bài tập chương 2" not in hoa_page

    # Another family's child, a child of another school, garbage: all look missing.
    for asked in (f.cuong.pk, f.other_school.pk, "abc"):
        assert client.get(reverse("home"), {"hs": asked}).status_code == 404


def test_a_parent_with_no_child_linked_gets_a_clear_empty_page(client, family):
    Guardianship.objects.filter(parent=family.cuong_parent).update(ended_at=timezone.now())
    client.force_login(family.cuong_parent)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="no-children"' in page and 'data-testid="child-switcher"' not in page


def test_home_queries_do_not_grow_with_children(client, tree, family, django_assert_max_num_queries):
    course = make_course(unit=tree.s1, author=family.maths)
    enrol(course=course, user=family.an)
    make_assignment(course=course)
    client.force_login(family.cuong_parent)  # one child
    with django_assert_max_num_queries(20) as one:
        assert client.get(reverse("home")).status_code == 200
    for n in (1, 2):
        kid = make_person(unit=tree.c2, role=Role.STUDENT, full_name=f"Con thứ {n}")
        parent_link(actor=family.principal, parent=family.cuong_parent, child=kid, relation="father")
    client.force_login(family.cuong_parent)  # three children
    with django_assert_max_num_queries(len(one.captured_queries)) as three:
        page = client.get(reverse("home")).content.decode()
    assert page.count('data-testid="child-tab"') == 3
    assert len(three.captured_queries) == len(one.captured_queries)


# --- the permission matrix: own child / another child / a child of another school -------------------------
def test_a_parent_reaches_no_page_of_any_child(client, tree, family):
    f = family
    course = make_course(unit=tree.s1, author=f.maths, title="Toán 6")
    enrol(course=course, user=f.an)
    assignment = make_assignment(course=course, due_in=-timedelta(days=1))
    submission = Submission.objects.create(assignment=assignment, learner=f.an, submitted_by=f.an)
    assert is_parent_of(f.mother, f.an) and not is_parent_of(f.mother, f.cuong)
    assert not is_parent_of(f.mother, f.other_school) and not is_parent_of(f.an, f.an)
    client.force_login(f.mother)
    pages = {
        "school directory": reverse("units:people", args=[tree.s1.pk]),
        "class directory": reverse("units:people", args=[tree.c1.pk]),
        "class space": reverse("units:space", args=[tree.c1.pk]),
        "other school": reverse("units:people", args=[tree.s2.pk]),
        "class book": reverse("gradebook:class_book", args=[tree.c1.pk, 1]),
        "absences": reverse("gradebook:absences", args=[tree.c1.pk]),
        "course progress": reverse("courses:progress", args=[course.pk]),
        "grading": reverse("courses:grading", args=[assignment.pk]),
        "submission": reverse("courses:submission", args=[submission.pk]),
    }
    for child in (f.an, f.cuong, f.other_school):
        pages[f"profile {child.full_name}"] = reverse("accounts:account_detail", args=[child.pk])
        pages[f"record {child.full_name}"] = reverse("courses:record", args=[child.pk])
    for name, url in pages.items():
        status = client.get(url).status_code
        assert status in (302, 403, 404), (name, status)
    # The marks page is the parent's own (empty), never a child's.
    page = client.get(reverse("gradebook:my_marks")).content.decode()
    assert "Nguyễn Văn An" not in page


def test_the_parent_logs_in_and_lands_on_the_parent_page(client, family):
    response = client.post("/tai-khoan/login/", {"login": family.mother.username, "password": "Mat-khau-rieng-2026"})
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="parent-home"' in page and family.mother.account_type == User.AccountType.PARENT


def test_assignments_of_removed_courses_are_not_listed(client, tree, family):
    course = make_course(unit=tree.s1, author=family.maths)
    enrol(course=course, user=family.an)
    Assignment.objects.create(course=course, title="Đã xoá", due_at=timezone.now(), deleted_at=timezone.now())
    client.force_login(family.mother)
    assert "Đã xoá" not in client.get(reverse("home")).content.decode()
