"""Reads of the online-teaching records (hồ sơ dạy học trực tuyến, issue #17 point 5) of a school, a group
or a teacher for a school year: the directives the school received about online teaching, the plans with
their approval trail, the online lessons of the approved plans with their evidence (the section's
materials, the live session and its attendance, the course's submissions and assessments) and the online
share (`selectors.online_share`, the same figures as the share page).

The retention rule lives here, once: `RETENTION_YEARS` and `retention_date`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from approvals.models import Status
from courses.models import Submission
from publications.selectors.letters import letters_received_about
from units.models import Unit
from units.selectors import SchoolYearDates

from .models import ONLINE_MODES, Attendance, AttendanceStatus, PlanLesson, PlanReview, TeachingPlan
from .selectors import Share, SubjectShare, _held_annotation, _taught, online_share
from .services import school_year_dates, year_is_closed

# Records of online teaching are kept 10 years after the school year closes. Luật Lưu trữ 2011 (and its
# 2024 successor, Luật Lưu trữ số 33/2024/QH15) leaves the periods to the sector's list of records;
# Thông tư 27/2016/TT-BGDĐT keeps teaching records (kế hoạch dạy học, sổ ghi đầu bài) 10 years, the
# period chosen for these records. Change it here only: the page, the archive and purge_records read it.
RETENTION_YEARS = 10

# Letters count as directives on online teaching when their folded text holds one of these.
DIRECTIVE_PHRASES = ["trực tuyến", "qua internet", "dạy học online"]


def retention_date(year_end: date) -> date:
    """The day an archive of a school year ending on `year_end` may be purged from."""
    try:
        return year_end.replace(year=year_end.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return year_end.replace(year=year_end.year + RETENTION_YEARS, day=28)


def attendance_counts(session_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{live session id: (present, recorded)} from the live lessons' attendance (point 4): students present
    or late — or, before the teacher confirmed the sheet, who joined — over the students on the sheet."""
    if not session_ids:
        return {}
    present = Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]) | Q(
        status="", first_joined_at__isnull=False
    )
    rows = (
        Attendance.objects.filter(lesson__session_id__in=session_ids)
        .values("lesson__session_id")
        .annotate(total=Count("pk"), present=Count("pk", filter=present))
    )
    return {row["lesson__session_id"]: (row["present"], row["total"]) for row in rows}


@dataclass
class RecordLesson:
    lesson: PlanLesson
    plan: TeachingPlan
    taught: bool
    materials: list[str] = field(default_factory=list)
    attendance: tuple[int, int] | None = None  # (present, recorded), None without attendance
    submissions: int = 0
    assessed: int = 0

    @property
    def evidence(self) -> str:
        """The lesson's link: the live session's address, or the course and section."""
        if self.lesson.live_session is not None:
            return self.lesson.live_session.url
        if self.lesson.section is not None:
            return f"{self.lesson.section.course.title} · {self.lesson.section.title}"
        return ""


@dataclass
class Record:
    school: Unit
    school_year: str
    dates: SchoolYearDates
    closed: bool
    group: Unit | None = None
    teacher: object = None
    directives: list = field(default_factory=list)
    plans: list[TeachingPlan] = field(default_factory=list)
    trails: dict[int, list[PlanReview]] = field(default_factory=dict)
    lessons: list[RecordLesson] = field(default_factory=list)
    share: Share | None = None
    rows: list[SubjectShare] = field(default_factory=list)

    @property
    def scope(self) -> str:
        return "teacher" if self.teacher is not None else "group" if self.group is not None else "school"

    @property
    def owner_name(self) -> str:
        if self.teacher is not None:
            return self.teacher.full_name
        return (self.group or self.school).name

    @property
    def retain_until(self) -> date:
        return retention_date(self.dates.end)

    @property
    def taught_count(self) -> int:
        return sum(1 for row in self.lessons if row.taught)

    @property
    def approved_count(self) -> int:
        return sum(1 for plan in self.plans if plan.status == Status.APPROVED)


def record_plans(*, school: Unit, school_year: str, group: Unit | None = None, teacher=None):
    plans = TeachingPlan.objects.alive().filter(school=school, school_year=school_year)
    if teacher is not None:
        plans = plans.filter(author=teacher)
    elif group is not None:
        plans = plans.filter(unit=group)
    return plans.select_related("school", "unit", "author").order_by("grade", "subject", "level", "id")


def _evidence(lessons: list[RecordLesson]) -> None:
    """Materials, attendance, submissions and assessments of the lessons: a fixed number of queries."""
    course_ids = set()
    session_ids = []
    for row in lessons:
        section = row.lesson.section
        if section is not None:
            course_ids.add(section.course_id)
            row.materials = [item for item in (section.file_name, section.link_url) if item]
        session = row.lesson.live_session
        if session is not None:
            course_ids.add(session.course_id)
            session_ids.append(session.pk)
    counts = {}
    if course_ids:
        counts = {
            row["assignment__course"]: row
            for row in Submission.objects.alive()
            .filter(assignment__course_id__in=course_ids, assignment__deleted_at__isnull=True, is_current=True)
            .values("assignment__course")
            .annotate(total=Count("pk"), assessed=Count("pk", filter=Q(graded_at__isnull=False)))
        }
    attendance = attendance_counts(session_ids)
    for row in lessons:
        course_id = None
        if row.lesson.section is not None:
            course_id = row.lesson.section.course_id
        elif row.lesson.live_session is not None:
            course_id = row.lesson.live_session.course_id
            row.attendance = attendance.get(row.lesson.live_session_id)
        found = counts.get(course_id)
        if found:
            row.submissions, row.assessed = found["total"], found["assessed"]


def record_of(*, school: Unit, school_year: str, group: Unit | None = None, teacher=None) -> Record:
    """The record of the school (neither group nor teacher), of one of its groups or of one teacher."""
    dates = school_year_dates(school, school_year)
    record = Record(
        school=school,
        school_year=school_year,
        dates=dates,
        closed=year_is_closed(school, school_year),
        group=group,
        teacher=teacher,
    )
    record.directives = list(
        letters_received_about(unit=school, since=dates.start, until=dates.end, phrases=DIRECTIVE_PHRASES)
    )
    record.plans = list(record_plans(school=school, school_year=school_year, group=group, teacher=teacher))
    trails = defaultdict(list)
    if record.plans:
        from approvals.selectors import trail

        for step in trail(PlanReview, items=record.plans):
            trails[step.plan_id].append(step)
    record.trails = dict(trails)
    for plan in record.plans:
        plan.record_trail = record.trails.get(plan.pk, [])
    approved = {plan.pk: plan for plan in record.plans if plan.status == Status.APPROVED}
    now, today = timezone.now(), timezone.localdate()
    lessons = (
        PlanLesson.objects.filter(plan_id__in=list(approved), mode__in=ONLINE_MODES)
        .select_related("live_session", "section", "section__course")
        .annotate(live_held=_held_annotation())
        .order_by("plan_id", "position", "id")
    )
    record.lessons = [
        RecordLesson(
            lesson=lesson,
            plan=approved[lesson.plan_id],
            taught=_taught(lesson, year_start=dates.start, now=now, today=today),
        )
        for lesson in lessons
    ]
    _evidence(record.lessons)
    school_share = online_share(unit=school, school_year=school_year).schools[0]
    if teacher is not None:
        key, rows, label = teacher.pk, school_share.teachers, teacher.full_name
    elif group is not None:
        key, rows, label = group.pk, school_share.groups, group.name
    else:
        key, rows, label = None, None, school.name
    if rows is None:
        record.share = school_share.total
        record.rows = school_share.rows
    else:
        record.share = next((row for row in rows if row.key == key), Share(label=label, key=key))
    return record
