"""A person's record (hồ sơ): for a teacher, the courses they took (progress, grades), taught, their
topics, products and forum posts; for a student, their courses, submissions and grades.

Everything is read by the person, never by their current unit, so the record follows them when they
change school. A fixed number of queries whatever the length of the record.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from guardian.shortcuts import get_objects_for_user

from forums.models import Post
from truonghoc.softdelete import alive_q

from ..models import Course, Enrolment, Product, Submission
from ..permissions import TEACH_PERM

LATEST_POSTS = 10


@dataclass
class TakenCourse:
    enrolment: Enrolment
    total_sections: int
    submissions: list = field(default_factory=list)

    @property
    def course(self) -> Course:
        return self.enrolment.course

    @property
    def percent(self) -> int:
        if not self.total_sections:
            return 100 if self.enrolment.completed_at else 0
        return min(100, round(100 * self.enrolment.sections_done / self.total_sections))

    @property
    def graded(self) -> list:
        return [s for s in self.submissions if s.grade is not None]


@dataclass
class Record:
    person: object
    taken: list[TakenCourse]
    taught: list[Course]
    topics: list[Course]
    products: list[Product]
    post_count: int
    latest_posts: list[Post]

    @property
    def is_teacher(self) -> bool:
        return self.person.account_type != "student"


def person_record(*, person) -> Record:
    """The record of one person, whatever unit they belong to now. Seven queries."""
    enrolments = list(
        Enrolment.objects.filter(user=person)
        .exclude(course__kind=Course.Kind.TOPIC)
        .select_related("course__unit", "group")
        .annotate(total_sections=Count("course__sections", filter=alive_q("course__sections__"), distinct=True))
        .order_by("-enrolled_at", "-id")
    )
    group_ids = [e.group_id for e in enrolments if e.group_id]
    submissions = (
        Submission.objects.alive()
        .filter(Q(learner=person) | Q(group_id__in=group_ids), is_current=True)
        .select_related("assignment", "group", "graded_by")
        .order_by("assignment__due_at", "assignment_id")
    )
    by_course: dict[int, list] = {}
    for submission in submissions:
        by_course.setdefault(submission.assignment.course_id, []).append(submission)
    taken = [
        TakenCourse(enrolment=e, total_sections=e.total_sections, submissions=by_course.get(e.course_id, []))
        for e in enrolments
    ]
    taught_ids = get_objects_for_user(
        person, TEACH_PERM, klass=Course, accept_global_perms=False, with_superuser=False
    ).values("pk")
    taught = list(
        Course.objects.filter(Q(author=person) | Q(pk__in=taught_ids))
        .exclude(kind=Course.Kind.TOPIC)
        .select_related("unit")
        .annotate(learners=Count("enrolments", filter=Q(enrolments__withdrawn_at__isnull=True)))
        .order_by("-created_at", "-id")
    )
    topics = list(
        Course.objects.filter(author=person, kind=Course.Kind.TOPIC)
        .select_related("unit", "duplicate_of")
        .order_by("-created_at", "-id")
    )
    products = list(Product.objects.filter(author=person).select_related("unit", "topic").order_by("-created_at"))
    posts = Post.objects.alive().filter(author=person, is_hidden=False)
    return Record(
        person=person,
        taken=taken,
        taught=taught,
        topics=topics,
        products=products,
        post_count=posts.count(),
        latest_posts=list(posts.select_related("thread__forum").order_by("-created_at", "-id")[:LATEST_POSTS]),
    )
