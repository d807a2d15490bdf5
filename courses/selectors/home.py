"""What a learner's home page and calendar show: work due next, upcoming live sessions, their courses
with progress, and a month of deadlines and sessions. Each read is one query whatever the number of
courses."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from truonghoc.softdelete import alive_q

from ..models import Assignment, Course, Enrolment, LiveSession, Section, Submission
from .teaching import taught_q

DUE_LIMIT = 5
SESSIONS_LIMIT = 5
SESSIONS_DAYS = 14
COURSES_LIMIT = 30
CALENDAR_LIMIT = 500
LONGEST_SESSION = timedelta(minutes=600)  # LiveSession.duration_minutes' upper bound
JOIN_EARLY = timedelta(minutes=15)


def _enrolled(user) -> Exists:
    return Exists(Enrolment.objects.filter(user_id=user.pk, withdrawn_at__isnull=True, course_id=OuterRef("course_id")))


def _my_course(user) -> Q:
    """Courses the user studies (active enrolment) or teaches (wrote or co-teaches), still live."""
    return (Q(enrolled=True) | taught_q(user, "course__")) & Q(
        alive_q("course__"), course__status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED)
    )


def my_courses(*, user, limit: int = COURSES_LIMIT) -> list[Enrolment]:
    """Active enrolments with their course and `live_sections` / `percent` for the progress bar."""
    live_sections = (
        Section.objects.alive()
        .filter(course_id=OuterRef("course_id"))
        .order_by()
        .values("course_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    enrolments = list(
        Enrolment.objects.filter(
            alive_q("course__"),
            user_id=user.pk,
            withdrawn_at__isnull=True,
            course__status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED),
        )
        .select_related("course")
        .annotate(live_sections=Coalesce(Subquery(live_sections, output_field=IntegerField()), Value(0)))
        .order_by(F("completed_at").asc(nulls_first=True), "-enrolled_at", "-id")[:limit]
    )
    for e in enrolments:
        e.percent = min(100, round(100 * e.sections_done / e.live_sections)) if e.live_sections else 0
    return enrolments


def due_next(*, user, limit: int = DUE_LIMIT) -> list[Assignment]:
    """Assignments of the user's courses still to hand in, nearest deadline first: those still open, and
    those past the deadline that accept late work. Each carries `my_group_leader_id` for group work (only
    the leader hands it in) and `is_overdue`."""
    now = timezone.now()
    mine = Enrolment.objects.filter(user_id=user.pk, withdrawn_at__isnull=True, course_id=OuterRef("course_id"))
    current = Submission.objects.alive().filter(assignment_id=OuterRef("pk"), is_current=True)
    assignments = list(
        Assignment.objects.alive()
        .filter(
            _enrolled(user),
            alive_q("course__"),
            course__status=Course.Status.PUBLISHED,
        )
        .filter(Q(due_at__gte=now) | Q(late_policy=Assignment.LatePolicy.MARK_LATE))
        .annotate(
            my_group_id=Subquery(mine.values("group_id")[:1]),
            my_group_leader_id=Subquery(mine.values("group__leader_id")[:1]),
            done_by_me=Exists(current.filter(learner_id=user.pk)),
            done_by_group=Exists(current.filter(group_id=OuterRef("my_group_id"))),
        )
        .filter(Q(per_group=False, done_by_me=False) | Q(per_group=True, done_by_group=False))
        .select_related("course")
        .order_by("due_at", "id")[:limit]
    )
    for a in assignments:
        a.is_overdue = a.due_at < now
        a.leader_submits = a.per_group and a.my_group_leader_id != user.pk
    return assignments


def _sessions(user):
    return LiveSession.objects.alive().annotate(enrolled=_enrolled(user)).filter(_my_course(user))


def upcoming_sessions(*, user, days: int = SESSIONS_DAYS, limit: int = SESSIONS_LIMIT) -> list[LiveSession]:
    """Sessions of the user's courses not yet over and starting within `days`; `can_join` from 15
    minutes before the start until the end."""
    now = timezone.now()
    rows = (
        _sessions(user)
        .filter(starts_at__gte=now - LONGEST_SESSION, starts_at__lte=now + timedelta(days=days))
        .select_related("course")
        .order_by("starts_at", "id")[: limit + 20]
    )
    sessions = []
    for s in rows:
        mark_join(s, now)
        if s.ends_at > now:
            sessions.append(s)
    return sessions[:limit]


def mark_join(session: LiveSession, now: datetime | None = None) -> LiveSession:
    now = now or timezone.now()
    session.ends_at = session.starts_at + timedelta(minutes=session.duration_minutes)
    session.can_join = session.starts_at - JOIN_EARLY <= now < session.ends_at
    session.is_over = now >= session.ends_at
    return session


# --- calendar ----------------------------------------------------------------------------------


@dataclass
class CalendarItem:
    kind: str  # "deadline" or "session"
    starts_at: datetime
    ends_at: datetime
    title: str
    course: Course
    obj: object

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.obj.pk}@truonghoc"


def calendar_items(*, user, start: datetime, end: datetime) -> list[CalendarItem]:
    """Deadlines and live sessions of the user's courses (studied or written) in [start, end), in time
    order. Two queries."""
    deadlines = (
        Assignment.objects.alive()
        .filter(due_at__gte=start, due_at__lt=end)
        .annotate(enrolled=_enrolled(user))
        .filter(_my_course(user))
        .select_related("course")
        .order_by("due_at", "id")[:CALENDAR_LIMIT]
    )
    sessions = (
        _sessions(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("course")
        .order_by("starts_at", "id")[:CALENDAR_LIMIT]
    )
    items = [CalendarItem("deadline", a.due_at, a.due_at, a.title, a.course, a) for a in deadlines] + [
        CalendarItem("session", s.starts_at, s.starts_at + timedelta(minutes=s.duration_minutes), s.title, s.course, s)
        for s in sessions
    ]
    items.sort(key=lambda i: (i.starts_at, i.kind))
    return items


# --- a learner's work as a parent follows it (issue #17) ------------------------------------------------

WORK_PAST_DAYS = 60
WORK_AHEAD_DAYS = 30
WORK_LIMIT = 60


def learner_work(
    *, learner, past_days: int = WORK_PAST_DAYS, ahead_days: int = WORK_AHEAD_DAYS, limit: int = WORK_LIMIT
) -> list[Assignment]:
    """The assignments of `learner`'s courses (active enrolments, published or closed courses) due from
    `past_days` ago to `ahead_days` ahead, deadline first, each with `submission` (the learner's current
    version, or their learning group's for group work; None when nothing was handed in) and `is_overdue`.
    What a parent sees as due, handed in and missing. Two queries whatever the number of courses."""
    now = timezone.now()
    mine = Enrolment.objects.filter(user_id=learner.pk, withdrawn_at__isnull=True, course_id=OuterRef("course_id"))
    current = Submission.objects.alive().filter(assignment_id=OuterRef("pk"), is_current=True).order_by("-version")
    own = current.filter(learner_id=learner.pk).values("pk")[:1]
    by_group = current.filter(group_id=OuterRef("my_group_id")).values("pk")[:1]
    assignments = list(
        Assignment.objects.alive()
        .filter(
            _enrolled(learner),
            alive_q("course__"),
            course__status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED),
            due_at__gte=now - timedelta(days=past_days),
            due_at__lte=now + timedelta(days=ahead_days),
        )
        .annotate(my_group_id=Subquery(mine.values("group_id")[:1]))
        .annotate(
            submission_id=Case(
                When(per_group=True, then=Subquery(by_group)),
                default=Subquery(own),
                output_field=IntegerField(),
            )
        )
        .select_related("course")
        .order_by("due_at", "id")[:limit]
    )
    ids = [a.submission_id for a in assignments if a.submission_id]
    submissions = Submission.objects.in_bulk(ids) if ids else {}
    for a in assignments:
        a.submission = submissions.get(a.submission_id)
        a.is_overdue = a.due_at < now
    return assignments
