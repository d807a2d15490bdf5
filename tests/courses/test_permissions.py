import pytest

from courses.models import Course
from courses.permissions import can_create_course, can_view_course, courses_scope_q, in_audience
from tests.courses.factories import enrol, make_course

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Course.objects.filter(courses_scope_q(user)).values_list("title", flat=True))


def test_audience_school_reaches_its_people_only(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, title="S1")
    assert in_audience(people.student, course) and in_audience(people.teacher3, course)
    assert not in_audience(people.other_school, course)
    assert can_view_course(people.student, course)
    assert not can_view_course(people.other_school, course)
    assert visible(people.student) == {"S1"}
    assert visible(people.other_school) == set()


def test_drafts_seen_by_instructors_and_overseers_not_learners(tree, people):
    make_course(unit=tree.s1, author=people.teacher, title="Nháp", status=Course.Status.DRAFT)
    assert visible(people.teacher) == {"Nháp"}
    assert visible(people.admin) == {"Nháp"} and visible(people.office) == {"Nháp"}
    assert visible(people.student) == set() and visible(people.other_office) == set()


def test_national_audience_and_enrolment_keep_it_visible(tree, people):
    make_course(unit=tree.ministry, author=people.bo, audience_unit=tree.ministry, title="Toàn quốc")
    assert "Toàn quốc" in visible(people.other_school)
    narrow = make_course(unit=tree.s2, author=people.other_school, title="S2")
    enrol(course=narrow, user=people.student)
    assert "S2" in visible(people.student)


def test_who_creates_what(tree, people):
    assert can_create_course(people.teacher, tree.g1, Course.Kind.TOPIC)
    assert not can_create_course(people.teacher3, tree.g1, Course.Kind.TOPIC)
    assert can_create_course(people.teacher, tree.s1, Course.Kind.LESSON)
    assert not can_create_course(people.student, tree.s1, Course.Kind.LESSON)
    assert can_create_course(people.office, tree.office_a1, Course.Kind.TRAINING)
    assert not can_create_course(people.office, tree.office_b1, Course.Kind.TRAINING)
    assert not can_create_course(people.other_school, tree.s1, Course.Kind.LESSON)
