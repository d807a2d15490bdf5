"""truonghoc/sql.py: the hot reads written in plain SQL give what their ORM twins give, on every engine the
project runs on (SQLite with no settings, PostgreSQL in CI)."""

import pytest
from django.db.models import Count, Max, Q, Sum

from accounts.models import User
from courses.models import Course, Enrolment, Section, SectionProgress
from courses.permissions import enrolment_of
from courses.selectors import catalogue
from forums.models import Post, ThreadSubscription
from forums.selectors import is_following, thread_posts_stamp
from forums.services import forum_for_unit, post_delete, post_hide, post_reply, thread_create
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import enrol, make_course, make_section
from truonghoc.softdelete import alive_q
from units.models import Role, Unit
from units.permissions import role_rows

pytestmark = pytest.mark.django_db


def test_role_rows(tree):
    person = make_person(unit=tree.g1, role=Role.TEACHER)
    person.role_assignments.create(role=Role.GROUP_LEADER, unit=tree.g2)
    person.role_assignments.create(role=Role.TEACHER, unit=tree.s2)
    Unit.objects.filter(pk=tree.s2.pk).update(is_active=False)  # a role at a closed unit counts for nothing
    orm = person.role_assignments.filter(unit__is_active=True).values_list("role", "unit__path", "unit__kind")
    assert sorted(role_rows(person)) == sorted(orm) and len(orm) == 2


def test_a_threads_posts_stamp(tree):
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    other = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    thread = thread_create(actor=teacher, forum=forum_for_unit(unit=tree.g1), title="Chủ đề", body="Mở đầu")
    replies = [post_reply(actor=other, thread=thread, body=f"Trả lời {n}") for n in range(4)]
    leader = complete_profile(make_person(unit=tree.g1, role=Role.GROUP_LEADER))  # the group forum's moderator
    post_hide(actor=leader, post=replies[1], reason="Lạc đề")
    post_delete(actor=other, post=replies[2])
    hidden = Q(is_hidden=True)
    orm = Post.objects.filter(thread=thread).aggregate(
        count=Count("id"),
        changed=Max("updated_at"),
        hidden=Count("id", filter=hidden),
        hidden_ids=Sum("id", filter=hidden),
        hidden_at=Max("hidden_at"),
        removed=Count("id", filter=Q(deleted_at__isnull=False)),
        removed_at=Max("deleted_at"),
        names=Max("author__updated_at"),
        hiders=Max("hidden_by__updated_at"),
        removers=Max("deleted_by__updated_at"),
    )
    stamp = thread_posts_stamp(thread=thread)
    assert stamp[0] == 5 and stamp[2] == 1 and stamp[3] == replies[1].pk and stamp[5] == 1
    assert [stamp[0], stamp[2], stamp[3], stamp[5]] == [orm["count"], orm["hidden"], orm["hidden_ids"], orm["removed"]]
    assert all((a is None) == (b is None) for a, b in zip(stamp, orm.values(), strict=True))


def test_following(tree):
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    reader = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    thread = thread_create(actor=teacher, forum=forum_for_unit(unit=tree.g1), title="Chủ đề", body="Mở đầu")
    assert is_following(thread=thread, user=teacher)  # who starts a thread follows it
    assert not is_following(thread=thread, user=reader)
    ThreadSubscription.objects.create(thread=thread, user=reader, following=False)
    assert not is_following(thread=thread, user=reader)
    ThreadSubscription.objects.filter(user=reader).update(following=True)
    assert is_following(thread=thread, user=reader)


def test_an_enrolment_and_a_courses_sections(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    learner = make_person(unit=tree.c1, role=Role.STUDENT)
    course = make_course(unit=tree.s1, author=teacher, status=Course.Status.PUBLISHED)
    sections = [make_section(course=course, position=p) for p in (2, 1, 1)]
    Section.objects.filter(pk=sections[0].pk).update(deleted_at=sections[0].updated_at)  # removed
    assert enrolment_of(learner, course) is None
    current = enrol(course=course, user=learner)
    found = enrolment_of(User.objects.get(pk=learner.pk), course)
    assert found == current and found.course_id == course.pk and found.withdrawn_at is None
    Enrolment.objects.filter(pk=current.pk).update(withdrawn_at=current.enrolled_at)
    assert enrolment_of(User.objects.get(pk=learner.pk), course) is None  # a withdrawn one does not count
    orm = Section.objects.filter(alive_q(), course=course).order_by("position", "id").values_list("pk", flat=True)
    assert [pk for pk, _changed in catalogue.course_section_stamps(course=course)] == list(orm)
    assert len(orm) == 2
    SectionProgress.objects.create(enrolment=current, section=sections[1])
    assert catalogue.sections_done_ids(enrolment=current) == {sections[1].pk}


def test_instance_with_its_relations(tree, django_assert_num_queries):
    from django.forms.models import model_to_dict

    from forums.models import Thread
    from truonghoc import sql

    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER))
    thread = thread_create(actor=teacher, forum=forum_for_unit(unit=tree.g1), title="Chủ đề", body="Mở đầu")
    orm = Thread.objects.select_related("forum__unit", "author", "deleted_by").get(pk=thread.pk)
    with django_assert_num_queries(4):  # the thread, its forum, the forum's unit, the author; no remover
        got = sql.instance(Thread, thread.pk, "forum", "forum__unit", "forum__owner_type", "author", "deleted_by")
    with django_assert_num_queries(0):
        assert model_to_dict(got) == model_to_dict(orm)
        assert model_to_dict(got.forum) == model_to_dict(orm.forum) and got.forum.unit == tree.g1
        assert got.author == teacher and got.author.full_name == teacher.full_name and got.deleted_by is None
    assert sql.instance(Thread, thread.pk + 1000) is None
    with django_assert_num_queries(1):  # a row handed in is not read again
        again = sql.instance(Thread, thread.pk, "author", known=[teacher])
    assert again.author is teacher
