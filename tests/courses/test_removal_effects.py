"""What removing course content changes elsewhere: progress no longer counts a removed section (and counts
it again once restored), and a learning group's forum closes to its members once the course is removed."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, LearningGroup
from courses.services.enrolment import section_mark_done
from courses.services.trash import content_delete, content_restore
from forums.permissions import can_view_forum
from forums.services import forum_for_owner
from tests.courses.factories import enrol, make_course, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(tree, people):
    return make_course(unit=tree.s1, author=people.teacher, title="Khoa học tự nhiên 6")


def test_removing_a_studied_section_is_no_longer_counted_in_progress(client, course, people):
    first, second, third = (make_section(course=course, position=n) for n in (1, 2, 3))
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    for section in (first, second):
        section_mark_done(actor=people.student, section=section)
    for section in (first, third):
        section_mark_done(actor=people.student2, section=section)

    content_delete(actor=people.teacher, obj=second)

    student = Enrolment.objects.get(course=course, user=people.student)
    student2 = Enrolment.objects.get(course=course, user=people.student2)
    assert student.sections_done == 1 and student.completed_at is None
    # The second learner did every section still there: the course is now complete for them.
    assert student2.sections_done == 2 and student2.completed_at is not None
    client.force_login(people.student)
    client.cookies["django_language"] = "en"
    assert "1 of 2 sections done (50%)" in client.get(reverse("home")).content.decode()

    content_restore(actor=people.teacher, obj=second)
    student.refresh_from_db()
    student2.refresh_from_db()
    assert student.sections_done == 2
    assert student2.sections_done == 2 and student2.completed_at is None


def test_group_forum_closes_to_members_when_the_course_is_removed(tree, people, course):
    group = LearningGroup.objects.create(
        course=course, name="Nhóm 1", unit=tree.s1, leader=people.teacher2, created_by=people.teacher
    )
    enrol(course=course, user=people.teacher2, group=group)
    forum = forum_for_owner(owner=group, unit=course.unit, title=group.name)
    assert can_view_forum(people.teacher2, forum)

    content_delete(actor=people.teacher, obj=course)

    forum.refresh_from_db()
    member = type(people.teacher2).objects.get(pk=people.teacher2.pk)
    assert not can_view_forum(member, forum)
    # The course's own instructors still see it (to restore and follow up).
    instructor = type(people.teacher).objects.get(pk=people.teacher.pk)
    assert can_view_forum(instructor, forum)
