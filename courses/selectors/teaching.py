"""What a teacher's home page shows of their own work: the courses they teach with what waits in each,
the work waiting for a mark (per assignment, oldest first, with the total), and what waits for them in
their professional groups (topics to check, products to review, colleagues' new topics). Each read is
one query whatever the number of courses, assignments or groups."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from truonghoc.softdelete import alive_q
from units.models import Role, Unit
from units.permissions import TEACHING_ROLES, belongs_where_q, units_where

from ..models import Assignment, Course, LearningGroup, Product, Submission
from ..permissions import TEACH_PERM
from .catalogue import my_teaching

TAUGHT_LIMIT = 30
QUEUE_LIMIT = 8
NEW_TOPIC_DAYS = 14


def taught_q(user, prefix: str = "") -> Q:
    """Courses the user teaches: those they wrote and those they co-teach (`courses.teach_course`, the
    same guardian lookup as `my_teaching`), as a filter on Course or on a model reaching it through
    `prefix` (e.g. "course__")."""
    granted = get_objects_for_user(user, TEACH_PERM, klass=Course, accept_global_perms=False, with_superuser=False)
    taught = Q(**{f"{prefix}author_id": user.pk}) | Q(**{f"{prefix}pk__in": granted.values("pk")})
    # Only where the user still belongs (permissions.is_instructor): not the old school's after a transfer.
    return taught & belongs_where_q(user, f"{prefix}unit")


def _waiting_submissions():
    """Current work handed in, not removed, not graded, of a live assignment of a live course."""
    return Submission.objects.alive().filter(
        alive_q("assignment__"),
        alive_q("assignment__course__"),
        is_current=True,
        grade__isnull=True,
    )


def _count(queryset, outer: str) -> Coalesce:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def taught_courses(*, user, limit: int = TAUGHT_LIMIT) -> list[Course]:
    """The courses, lessons and topics the user teaches (`my_teaching`: drafts included, removed ones
    not), open ones first, each with `learners`, `to_grade` and `learning_groups` counts."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        my_teaching(user=user)
        .annotate(
            to_grade=_count(_waiting_submissions(), "assignment__course_id"),
            learning_groups=_count(LearningGroup.objects.all(), "course_id"),
        )
        .order_by(
            # Published first, then drafts, then closed ones; the latest change first within each.
            F("closed_at").asc(nulls_first=True),
            F("published_at").desc(nulls_last=True),
            "-updated_at",
            "-id",
        )[:limit]
    )


@dataclass
class GradingQueue:
    total: int = 0  # current submissions waiting for a mark in every course the user teaches
    assignments: list[Assignment] = field(default_factory=list)  # each with `waiting`, `oldest_id`, `oldest_at`


def grading_queue(*, user, limit: int = QUEUE_LIMIT) -> GradingQueue:
    """The assignments of the user's courses with work waiting for a mark, the longest-waiting first;
    each carries `waiting` (how many) and `oldest_id` (the first one to open). Two queries."""
    if not getattr(user, "is_authenticated", False):
        return GradingQueue()
    waiting = _waiting_submissions().filter(taught_q(user, "assignment__course__"))
    total = waiting.aggregate(n=Count("id"))["n"]
    if not total:
        return GradingQueue()
    oldest = waiting.filter(assignment_id=OuterRef("pk")).order_by("submitted_at", "id")
    assignments = list(
        Assignment.objects.alive()
        .filter(taught_q(user, "course__"), alive_q("course__"))
        .annotate(
            waiting=_count(waiting, "assignment_id"),
            oldest_id=Subquery(oldest.values("id")[:1]),
            oldest_at=Subquery(oldest.values("submitted_at")[:1]),
        )
        .filter(waiting__gt=0)
        .select_related("course")
        .order_by("oldest_at", "id")[:limit]
    )
    return GradingQueue(total=total, assignments=assignments)


# --- the professional groups --------------------------------------------------------------------


@dataclass
class GroupWork:
    group: Unit
    is_leader: bool = False
    topics_to_check: int = 0  # leaders: posted topics flagged empty or near-duplicate
    products_to_review: int = 0  # leaders (and topic authors): colleagues' products not yet reviewed
    new_topics: int = 0  # colleagues' topics posted in the last two weeks

    @property
    def anything(self) -> bool:
        return bool(self.topics_to_check or self.products_to_review or self.new_topics)


def products_to_review_q(user, led_group_paths) -> Q:
    """Products someone else handed in, not yet reviewed, in a group the user leads or for a topic the
    user wrote."""
    where = Q(topic__author_id=user.pk)
    if led_group_paths:
        where |= Q(unit__path__in=list(led_group_paths))
    return Q(where, alive_q(), reviewed_at__isnull=True) & ~Q(author_id=user.pk)


def group_work(*, user) -> list[GroupWork]:
    """Each professional group the user teaches in, with what waits for them there. One query for the
    groups, one for the topics, one for the products."""
    rows = [(role, path) for role, path, _kind in units_where(user, TEACHING_ROLES, kinds=[Unit.Kind.GROUP])]
    if not rows:
        return []
    led = {path for role, path in rows if role == Role.GROUP_LEADER}
    units = Unit.objects.filter(path__in=[p for _r, p in rows], is_active=True).order_by("path")
    groups = {g.path: GroupWork(group=g, is_leader=g.path in led) for g in units}
    since = timezone.now() - timedelta(days=NEW_TOPIC_DAYS)
    topics = (
        Course.objects.counted_topics()
        .filter(unit__path__in=list(groups))
        .values("unit__path")
        .annotate(
            flagged=Count("id", filter=~Q(quality=Course.Quality.OK)),
            new=Count("id", filter=Q(created_at__gte=since) & ~Q(author_id=user.pk)),
        )
        .order_by()
    )
    for row in topics:
        work = groups[row["unit__path"]]
        work.new_topics = row["new"]
        if work.is_leader:
            work.topics_to_check = row["flagged"]
    products = (
        Product.objects.filter(products_to_review_q(user, led), unit__path__in=list(groups))
        .values("unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in products:
        groups[row["unit__path"]].products_to_review = row["n"]
    return list(groups.values())
