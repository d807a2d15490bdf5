"""A course given to a class or professional group follows who is in it: people who join the class later
are enrolled; those who move to another class, transfer or whose account is closed have the enrolment
ended (their work kept) and get the same row back if they return; people who came another way are never
touched; a sync run twice changes nothing, and costs the same few queries for a class of 45."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AccountQuota
from accounts.services.issuing import account_issue
from accounts.services.lifecycle import (
    account_deactivate,
    account_reactivate,
    student_move_class,
    transfer_accept,
    transfer_request,
)
from courses.models import Course, EnrolledUnit, Enrolment, SectionProgress, Submission
from courses.services.enrolment import (
    enrolment_add_unit,
    enrolment_register,
    enrolment_remove_unit,
    enrolment_withdraw,
    section_mark_done,
)
from courses.services.roster import roster_sync
from courses.services.submissions import submission_create
from courses.services.trash import content_delete, content_restore
from tests.accounts.factories import UserFactory, complete_profile, make_person
from tests.courses.factories import make_assignment, make_course, make_section
from tests.units.factories import make_unit
from units.models import AuditEntry, Role, Unit
from units.services import role_assign, role_assignments_bulk_create, unit_merge

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def quotas(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=100, students=200)
    AccountQuota.objects.create(school=tree.s2, teachers=100, students=200)


@pytest.fixture
def lesson(tree, people):
    """Teacher An's lesson for School S1, given to class 6A1 (students Em and Hà)."""
    lesson = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON, title="Toán 6 – Phân số")
    assert enrolment_add_unit(actor=people.teacher, course=lesson, unit=tree.c1) == (2, 0)
    return lesson


def active(course) -> set[int]:
    return set(Enrolment.objects.filter(course=course, withdrawn_at__isnull=True).values_list("user_id", flat=True))


def row(course, user) -> Enrolment:
    return Enrolment.objects.get(course=course, user=user)


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def pdf():
    return SimpleUploadedFile("bai.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


# --- joining ---------------------------------------------------------------------------------------


def test_a_student_added_to_the_class_later_is_enrolled(tree, people, lesson):
    newcomer = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Phan Thị Nga")
    enrolment = row(lesson, newcomer)
    assert enrolment.is_active and enrolment.via_unit_id == tree.c1.pk
    assert enrolment.source == Enrolment.Source.CLASS and enrolment.enrolled_by_id == people.teacher.pk
    # A student of another class, and a teacher holding no role at the class, are not.
    assert active(lesson) == {people.student.pk, people.student2.pk, newcomer.pk}


def test_accounts_issued_or_imported_into_the_class_are_enrolled(tree, people, lesson, quotas):
    user, _batch = account_issue(
        actor=people.admin,
        school=tree.s1,
        account_type="student",
        values={"full_name": "Lê Văn Cường", "national_id": "0012345678", "unit": "6A1"},
    )
    assert row(lesson, user).via_unit_id == tree.c1.pk
    other, _batch = account_issue(
        actor=people.admin,
        school=tree.s1,
        account_type="student",
        values={"full_name": "Lê Thị Đào", "national_id": "0012345679", "unit": "7A1"},
    )
    assert not Enrolment.objects.filter(user=other).exists()


def test_a_professional_group_brings_its_new_teachers(tree, people):
    course = make_course(unit=tree.s1, author=people.leader, title="Bồi dưỡng GDPT 2018")
    added, _already = enrolment_add_unit(actor=people.leader, course=course, unit=tree.g1)
    assert added == 3  # An, Bình, Dung; the author is not enrolled in their own course
    newcomer = make_person(unit=tree.g1, role=Role.TEACHER)
    assert row(course, newcomer).source == Enrolment.Source.PROFESSIONAL_GROUP
    assert people.leader.pk not in active(course)


# --- leaving, and coming back ------------------------------------------------------------------------


def test_moving_to_another_class_ends_the_enrolment_and_keeps_the_work(tree, people, lesson, quotas, settings):
    section = make_section(course=lesson)
    make_section(course=lesson, position=2)
    section_mark_done(actor=fresh(people.student), section=section)
    submission = submission_create(
        actor=fresh(people.student), assignment=make_assignment(course=lesson), uploads=[pdf()]
    )

    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    enrolment = row(lesson, people.student)
    assert enrolment.withdrawn_at is not None and enrolment.via_unit_id == tree.c1.pk
    assert active(lesson) == {people.student2.pk}
    assert SectionProgress.objects.filter(enrolment=enrolment).count() == 1 and enrolment.sections_done == 1
    assert Submission.objects.filter(pk=submission.pk, learner=people.student).exists()

    # Back in 6A1: the same row is active again, with what they had done.
    student_move_class(actor=people.admin, student=fresh(people.student), to_class=tree.c1)
    again = row(lesson, people.student)
    assert again.pk == enrolment.pk and again.is_active and again.sections_done == 1
    assert Enrolment.objects.filter(course=lesson, user=people.student).count() == 1


def test_moving_between_two_classes_given_the_course_keeps_it(tree, people, lesson):
    enrolment_add_unit(actor=people.teacher, course=lesson, unit=tree.c2)
    before = row(lesson, people.student)
    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    after = row(lesson, people.student)
    assert after.pk == before.pk and after.is_active and after.via_unit_id == tree.c2.pk
    assert after.enrolled_at == before.enrolled_at


def test_a_transfer_to_another_school_ends_the_enrolment(tree, people, lesson, quotas):
    s2_class = make_unit(tree.s2, Unit.Kind.CLASS, "6B", grade=6)
    transfer = transfer_request(actor=people.admin, account=people.student, to_school=tree.s2)
    admin2 = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN)
    transfer_accept(actor=admin2, transfer=transfer, unit=Unit.objects.get(pk=s2_class.pk))
    assert not row(lesson, people.student).is_active
    assert active(lesson) == {people.student2.pk}


def test_a_closed_account_leaves_and_comes_back_when_reopened(tree, people, lesson, quotas):
    account_deactivate(actor=people.admin, account=people.student2, reason="Chuyển vùng")
    assert active(lesson) == {people.student.pk}
    account_reactivate(actor=people.admin, account=people.student2)
    assert active(lesson) == {people.student.pk, people.student2.pk}


def test_taking_the_course_back_from_the_class(tree, people, lesson):
    registered = complete_profile(make_person(unit=tree.c2, role=Role.STUDENT))
    enrolment_register(actor=registered, course=lesson)
    assert enrolment_remove_unit(actor=people.teacher, course=lesson, unit=tree.c1) == 2
    assert active(lesson) == {registered.pk}
    assert not EnrolledUnit.objects.filter(course=lesson).exists()
    assert AuditEntry.objects.filter(action="course.unenrol_unit").count() == 1
    with pytest.raises(ValidationError, match="not given to 6A1"):
        enrolment_remove_unit(actor=people.teacher, course=lesson, unit=tree.c1)
    with pytest.raises(ValidationError, match="Only the lesson's teachers"):  # issue #12: a lesson's words
        enrolment_remove_unit(actor=people.teacher2, course=lesson, unit=tree.c2)
    # Later arrivals in 6A1 are no longer enrolled.
    late = make_person(unit=tree.c1, role=Role.STUDENT)
    assert not Enrolment.objects.filter(user=late).exists()


def test_a_merged_class_hands_its_courses_to_the_class_it_joined(tree, people, lesson):
    other = make_unit(tree.s1, Unit.Kind.CLASS, "6A9", grade=6)
    merged_in = make_person(unit=other, role=Role.STUDENT)
    unit_merge(actor=None, source=Unit.objects.get(pk=tree.c1.pk), into=Unit.objects.get(pk=other.pk))
    assert list(EnrolledUnit.objects.filter(course=lesson).values_list("unit_id", flat=True)) == [other.pk]
    assert active(lesson) == {people.student.pk, people.student2.pk, merged_in.pk}
    assert set(Enrolment.objects.filter(course=lesson).values_list("via_unit_id", flat=True)) == {other.pk}


# --- what the sync leaves alone ----------------------------------------------------------------------


def test_people_who_came_another_way_are_not_dropped(tree, people):
    lesson = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON)
    own = enrolment_register(actor=people.student, course=lesson)  # before the class got the course
    assert enrolment_add_unit(actor=people.teacher, course=lesson, unit=tree.c1) == (1, 1)
    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    kept = row(lesson, people.student)
    assert kept.pk == own.pk and kept.is_active and kept.source == Enrolment.Source.SELF and kept.via_unit is None


def test_a_student_who_withdrew_on_their_own_stays_out(client, tree, people, lesson):
    client.force_login(people.student)
    page = client.get(reverse("courses:withdraw", args=[lesson.pk])).content.decode()
    # issue #12: a lesson speaks of starting it, not of being enrolled
    assert 'data-testid="class-roll-note"' in page and "You started with 6A1" in page
    enrolment_withdraw(actor=fresh(people.student), course=lesson)
    assert roster_sync(course_ids=[lesson.pk]).added == 0
    make_person(unit=tree.c1, role=Role.STUDENT)  # any later change of the class
    assert not row(lesson, people.student).is_active
    # Registering again is their own registration: leaving the class later does not end it.
    enrolment_register(actor=fresh(people.student), course=lesson)
    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    assert row(lesson, people.student).is_active


def test_a_closed_or_removed_course_keeps_its_roll(tree, people, lesson):
    Course.objects.filter(pk=lesson.pk).update(status=Course.Status.CLOSED)
    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    newcomer = make_person(unit=tree.c1, role=Role.STUDENT)
    assert active(lesson) == {people.student.pk, people.student2.pk}
    assert not Enrolment.objects.filter(user=newcomer).exists()


def test_a_restored_course_catches_up_with_its_class(tree, people, lesson):
    content_delete(actor=people.teacher, obj=lesson)
    student_move_class(actor=people.admin, student=people.student, to_class=tree.c2)
    newcomer = make_person(unit=tree.c1, role=Role.STUDENT)
    assert active(lesson) == {people.student.pk, people.student2.pk}  # removed: left as it was
    content_restore(actor=people.teacher, obj=Course.objects.get(pk=lesson.pk))
    assert active(lesson) == {people.student2.pk, newcomer.pk}


def test_the_sync_is_idempotent(tree, people, lesson):
    make_person(unit=tree.c1, role=Role.STUDENT)
    student_move_class(actor=people.admin, student=people.student2, to_class=tree.c2)
    snapshot = list(Enrolment.objects.order_by("pk").values())
    for _ in range(2):
        changes = roster_sync(course_ids=[lesson.pk])
        assert (changes.added, changes.returned, changes.ended, changes.moved) == (0, 0, 0, 0)
        roster_sync(user_ids=[people.student.pk, people.student2.pk])
        roster_sync(unit_ids=[tree.c1.pk, tree.c2.pk])
    assert list(Enrolment.objects.order_by("pk").values()) == snapshot


# --- cost --------------------------------------------------------------------------------------------


def test_a_class_of_45_costs_the_same_few_queries(tree, people, django_assert_max_num_queries):
    big = make_unit(tree.s1, Unit.Kind.CLASS, "6A5", grade=6)
    lesson = make_course(unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON)
    students = UserFactory.create_batch(45, unit=tree.s1, account_type="student")
    with django_assert_max_num_queries(6):  # roles in one insert, then the roll in a few queries
        role_assignments_bulk_create(rows=[(s.pk, big, Role.STUDENT) for s in students])
    with django_assert_max_num_queries(12):  # as for any group: the same whatever its size
        assert enrolment_add_unit(actor=people.teacher, course=lesson, unit=big) == (45, 0)
    with django_assert_max_num_queries(6):
        changes = roster_sync(course_ids=[lesson.pk])
    assert changes.added == 0 and changes.members[big.pk] == 45
    # 45 leave at once (the class is taken back), then come back: one write each way.
    with django_assert_max_num_queries(10):
        assert enrolment_remove_unit(actor=people.teacher, course=lesson, unit=big) == 45
    with django_assert_max_num_queries(12):  # as for any group: the same whatever its size
        assert enrolment_add_unit(actor=people.teacher, course=lesson, unit=big) == (45, 0)
    assert Enrolment.objects.filter(course=lesson).count() == 45
    # One student more: the role's own few queries and the roll's few, not one per classmate.
    with django_assert_max_num_queries(16):
        role_assign(actor=None, user=people.student, unit=big, role=Role.STUDENT)
    assert len(active(lesson)) == 46


# --- the people page ---------------------------------------------------------------------------------


def test_the_people_page_shows_who_came_with_the_class(client, tree, people, lesson, django_assert_max_num_queries):
    enrolment_register(actor=people.student_c2, course=lesson)
    for _ in range(10):
        make_person(unit=tree.c1, role=Role.STUDENT)
    student_move_class(actor=people.admin, student=people.student2, to_class=tree.c2)
    client.force_login(people.teacher)
    url = reverse("courses:progress", args=[lesson.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert page.count('data-testid="via-unit"') == 12  # 11 in 6A1 now, and Hà, who left it
    assert 'data-testid="enrolled-unit"' in page and "6A1" in page
    # Stopping from the page.
    response = client.post(reverse("courses:unenrol_unit", args=[lesson.pk, tree.c1.pk]), follow=True)
    assert "no longer given to 6A1" in response.content.decode()
    assert active(lesson) == {people.student_c2.pk}
    client.force_login(people.student)
    assert client.post(reverse("courses:unenrol_unit", args=[lesson.pk, tree.c1.pk])).status_code == 403
