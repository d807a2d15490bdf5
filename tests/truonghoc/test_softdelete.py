"""truonghoc.softdelete: the queryset every soft-deleted model shares, the Q helpers for lookups across
relations, and the one declaration of the shared check constraint."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses.models import Assignment, Course, LiveSession, Product, Section, Submission
from forums.models import Post, Thread
from materials.models import Material, Question, Quiz
from publications.models import Article
from tests.accounts.factories import make_person
from tests.courses.factories import make_course, make_section
from truonghoc.softdelete import (
    SoftDeleted,
    SoftDeleteQuerySet,
    alive_q,
    removed_q,
    soft_delete_constraint,
)
from units.models import Role

SOFT_DELETED = {
    Course: "course",
    Section: "section",
    Assignment: "assignment",
    Submission: "submission",
    LiveSession: "live_session",
    Product: "product",
    Thread: "thread",
    Post: "post",
    Material: "material",
    Question: "question",
    Quiz: "quiz",
    Article: "article",
}


def test_the_q_helpers_reach_across_relations():
    assert alive_q() == Q(deleted_at__isnull=True)
    assert removed_q() == Q(deleted_at__isnull=False)
    assert alive_q("course__sections__") == Q(course__sections__deleted_at__isnull=True)


def test_the_constraint_keeps_the_names_the_migrations_gave():
    constraint = soft_delete_constraint("live_session")
    assert constraint.name == "live_session_deleted_has_date"
    assert constraint.condition == Q(deleted_by__isnull=True) | Q(deleted_at__isnull=False)


@pytest.mark.parametrize("model", list(SOFT_DELETED), ids=lambda m: m.__name__)
def test_every_soft_deleted_model_declares_it_once_and_reads_alive_and_removed(model):
    assert issubclass(model, SoftDeleted)
    names = [c.name for c in model._meta.constraints if c.name.endswith("_deleted_has_date")]
    assert names == [f"{SOFT_DELETED[model]}_deleted_has_date"]
    assert isinstance(model.objects.all(), SoftDeleteQuerySet)
    assert hasattr(model._default_manager, "alive") and hasattr(model._base_manager, "all")


@pytest.fixture
def course(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    return make_course(unit=tree.s1, author=teacher, title="Khoá học")


@pytest.mark.django_db
def test_alive_and_removed_split_the_rows_and_related_managers_have_them(course):
    kept, gone = make_section(course=course, title="Còn"), make_section(course=course, position=2, title="Đã xoá")
    Section.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    assert list(Section.objects.alive()) == [kept]
    assert list(Section.objects.removed()) == [gone]
    assert list(course.sections.alive()) == [kept] and list(course.sections.removed()) == [gone]
    live = Course.objects.annotate(n=Count("sections", filter=alive_q("sections__"))).get(pk=course.pk)
    assert live.n == 1


@pytest.mark.django_db
def test_the_database_refuses_a_remover_without_a_date(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(deleted_by=course.author)


@pytest.mark.django_db
def test_counted_is_posted_and_not_removed(tree, course):
    def topic(title, status=Course.Status.PUBLISHED):
        return make_course(unit=tree.g1, author=course.author, title=title, kind=Course.Kind.TOPIC, status=status)

    posted, closed, removed = topic("Đã đăng"), topic("Đã đóng", Course.Status.CLOSED), topic("Đã xoá")
    topic("Nháp", Course.Status.DRAFT)
    Course.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    assert set(Course.objects.counted()) == {posted, closed, course}
    assert set(Course.objects.counted_topics()) == {posted, closed}
