"""Reads of assignments and submissions that depend on who is asking: a learner's own status per
assignment, the grading list (keyset-friendly, paginated by the view), who has not submitted, and the
rows of the grades export (a fixed number of queries whatever the number of learners)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import Assignment, Course, Enrolment, LearningGroup, Submission
from ..permissions import can_follow_learners, enrolment_of

GRADING_FILTERS = ("all", "ungraded", "graded", "late", "missing")


# --- a learner's own work ----------------------------------------------------------------------


def owner_filter(user, assignment: Assignment) -> Q | None:
    """Which submissions are "mine" for this assignment: the user's own, or their learning group's."""
    if not assignment.per_group:
        return Q(learner_id=user.pk)
    enrolment = enrolment_of(user, assignment.course)
    if enrolment is None or enrolment.group_id is None:
        return None
    return Q(group_id=enrolment.group_id)


def my_versions(*, user, assignment: Assignment) -> QuerySet[Submission]:
    """Every version the user (or their group) handed in, newest first, with their files."""
    owner = owner_filter(user, assignment)
    if owner is None:
        return Submission.objects.none()
    return (
        Submission.objects.alive()
        .filter(owner, assignment=assignment)
        .select_related("submitted_by", "graded_by")
        .prefetch_related("files")
        .order_by("-version")
    )


@dataclass
class AssignmentRow:
    assignment: Assignment
    mine: Submission | None = None  # the learner's current version
    submitted: int = 0  # instructors: how many current submissions
    graded: int = 0


def course_assignments(*, user, course: Course, include_removed: bool = False) -> list[AssignmentRow]:
    """The course's assignments with, for a learner, their own current version, and for those who
    follow the course, how many were handed in and graded. Three queries whatever the size."""
    qs = Assignment.objects.filter(course=course)
    if not include_removed:
        qs = qs.alive()
    assignments = list(qs.select_related("deleted_by"))
    rows = {a.pk: AssignmentRow(assignment=a) for a in assignments}
    if not assignments:
        return []
    if can_follow_learners(user, course):
        counts = (
            Submission.objects.alive()
            .filter(assignment__in=assignments, is_current=True)
            .values("assignment_id")
            .annotate(n=Count("id"), graded=Count("id", filter=Q(grade__isnull=False)))
        )
        for row in counts:
            rows[row["assignment_id"]].submitted = row["n"]
            rows[row["assignment_id"]].graded = row["graded"]
    enrolment = enrolment_of(user, course)
    if enrolment is not None:
        mine = Q(learner_id=user.pk, assignment__per_group=False)
        if enrolment.group_id:
            mine |= Q(group_id=enrolment.group_id, assignment__per_group=True)
        for submission in Submission.objects.alive().filter(mine, assignment__in=assignments, is_current=True):
            rows[submission.assignment_id].mine = submission
    return list(rows.values())


# --- grading -----------------------------------------------------------------------------------


def grading_queryset(*, assignment: Assignment, show: str = "all") -> QuerySet[Submission]:
    """Current submissions in id order (the order "Save and next" walks by keyset)."""
    qs = Submission.objects.alive().filter(assignment=assignment, is_current=True)
    if show == "ungraded":
        qs = qs.filter(grade__isnull=True)
    elif show == "graded":
        qs = qs.filter(grade__isnull=False)
    elif show == "late":
        qs = qs.filter(is_late=True)
    return qs.select_related("learner", "group", "submitted_by").annotate(file_count=Count("files")).order_by("id")


def next_ungraded(*, assignment: Assignment, after_id: int) -> Submission | None:
    """The next current, ungraded submission after this one (one indexed query, no list loaded);
    wraps around to the first one left behind."""
    qs = Submission.objects.alive().filter(assignment=assignment, is_current=True, grade__isnull=True).order_by("id")
    return qs.filter(id__gt=after_id).first() or qs.exclude(id=after_id).first()


def not_submitted(*, assignment: Assignment) -> QuerySet:
    """Learners (or learning groups, for group work) with no current submission."""
    done = Submission.objects.alive().filter(assignment=assignment, is_current=True)
    if assignment.per_group:
        return (
            LearningGroup.objects.filter(course_id=assignment.course_id)
            .exclude(Exists(done.filter(group_id=OuterRef("pk"))))
            .select_related("leader")
            .order_by("name", "id")
        )
    return (
        Enrolment.objects.filter(course_id=assignment.course_id, withdrawn_at__isnull=True)
        .exclude(Exists(done.filter(learner_id=OuterRef("user_id"))))
        .select_related("user", "group")
        .order_by("user__name_sort", "id")
    )


def grading_counts(*, assignment: Assignment) -> dict[str, int]:
    current = Submission.objects.alive().filter(assignment=assignment, is_current=True)
    counts = current.aggregate(
        all=Count("id"),
        ungraded=Count("id", filter=Q(grade__isnull=True)),
        graded=Count("id", filter=Q(grade__isnull=False)),
        late=Count("id", filter=Q(is_late=True)),
    )
    counts["missing"] = not_submitted(assignment=assignment).count()
    return counts


# --- export ------------------------------------------------------------------------------------


def grade_rows(*, course: Course, assignments: list[Assignment]) -> Iterator[list]:
    """[learner, school/class, learning group, grade per assignment…] for each active learner.
    Group work gives each member their group's grade. Two queries, streamed with iterator()."""
    grades: dict[tuple, object] = {}
    for assignment_id, learner_id, group_id, grade in (
        Submission.objects.alive()
        .filter(assignment__in=assignments, is_current=True)
        .values_list("assignment_id", "learner_id", "group_id", "grade")
    ):
        grades[(assignment_id, "g" if group_id else "u", group_id or learner_id)] = grade
    enrolments = (
        Enrolment.objects.filter(course=course, withdrawn_at__isnull=True)
        .select_related("user__unit", "group")
        .order_by("user__name_sort", "id")
    )
    for enrolment in enrolments.iterator(chunk_size=2000):
        row = [
            enrolment.user.full_name,
            enrolment.user.username,
            enrolment.user.unit.name if enrolment.user.unit_id else "",
            enrolment.group.name if enrolment.group_id else "",
        ]
        for a in assignments:
            key = (a.pk, "g", enrolment.group_id) if a.per_group else (a.pk, "u", enrolment.user_id)
            grade = grades.get(key)
            row.append(float(grade) if grade is not None else "")
        yield row


def assignment_rows(*, assignment: Assignment) -> Iterator[list]:
    """One row per current submission of one assignment (learner or group), streamed."""
    qs = (
        Submission.objects.alive()
        .filter(assignment=assignment, is_current=True)
        .select_related("learner", "group", "submitted_by")
        .annotate(file_count=Count("files"))
        .order_by("id")
    )
    for s in qs.iterator(chunk_size=2000):
        yield [
            s.group.name if s.group_id else s.learner.full_name,
            s.submitted_by.full_name,
            s.version,
            timezone.localtime(s.submitted_at).replace(tzinfo=None),  # spreadsheets have no time zones
            "x" if s.is_late else "",
            s.file_count,
            float(s.grade) if s.grade is not None else "",
            s.feedback,
        ]
