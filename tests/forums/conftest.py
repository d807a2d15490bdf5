from types import SimpleNamespace

import pytest
from guardian.shortcuts import assign_perm

from forums.models import Forum
from forums.services import forum_for_owner, forum_for_unit, thread_create
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_course
from units.models import Role

complete = complete_profile


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=complete(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
        teacher2=complete(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Trần Thị Bình")),
        teacher3=complete(make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Văn Cường")),
        incomplete=make_person(unit=tree.g1, role=Role.TEACHER, full_name="Phạm Thị Dung"),
        student=complete(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
        leader=complete(make_person(unit=tree.g1, role=Role.GROUP_LEADER, full_name="Vũ Thị Giang")),
        principal=make_person(unit=tree.s1, role=Role.PRINCIPAL, account_type="staff", full_name="Đỗ Văn Hải"),
        other_school=complete(make_person(unit=tree.g3, role=Role.TEACHER, full_name="Bùi Văn Khoa")),
        bo=make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF, full_name="Ngô Thị Lan"),
    )


@pytest.fixture
def forum(tree):
    """The forum of the professional group G1 (school S1)."""
    return forum_for_unit(unit=tree.g1)


@pytest.fixture
def thread(forum, people):
    return thread_create(actor=people.teacher, forum=forum, title="Dạy học theo dự án", body="Mở đầu chủ đề.")


@pytest.fixture(autouse=True)
def _in_english(english_pages):
    """Every test here reads English (tests/conftest.py)."""


@pytest.fixture
def course_setup(tree, people):
    """Teacher An teaches the course (teacher2 Bình is a co-instructor); student Em and student Hà are
    enrolled; teacher3 Cường is in the audience but not enrolled; the principal oversees it."""
    course = make_course(unit=tree.s1, author=people.teacher, title="Bồi dưỡng GDPT 2018")
    assign_perm("courses.teach_course", people.teacher2, course)
    learner2 = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Đặng Thu Hà"))
    enrol(course=course, user=people.student)
    enrol(course=course, user=learner2)
    questions = forum_for_owner(owner=course, unit=course.unit, title="Hỏi – Đáp", kind=Forum.Kind.QUESTIONS)
    discussion = forum_for_owner(owner=course, unit=course.unit, title="Thảo luận chung")
    return SimpleNamespace(course=course, learner2=learner2, questions=questions, discussion=discussion)
