"""Reads of the timetable: a class's timetable in force on a day and its versions, the week as a grid, a
teacher's week across classes, and a pupil's week with the links they may follow (the student's and the
parent's home pages).

The week shown is the one in force on the day asked (today): a timetable that starts mid-week shows from
the next visit after its date. A pupil's week costs three queries whatever the number of slots; a live
session's link is given only when the pupil is enrolled in the session's course (and the course and the
session are not removed), an LMS lesson's likewise.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Enrolment, LiveSession, Section
from truonghoc.softdelete import alive_q
from units.models import Role, RoleAssignment, Unit, in_subtree_q

from .models import MAX_PERIOD, DaySession, PlanLesson, Timetable, TimetableSlot, Weekday
from .services_timetable import in_force_q_subquery

# Rows a grid always shows (a morning of five periods); more appear when a slot uses them.
DEFAULT_PERIODS = 5


def today() -> date:
    """The day the pages show (one place, so a test can pin the week)."""
    return timezone.localdate()


def timetable_in_force(*, school_class: Unit, day: date | None = None) -> Timetable | None:
    day = day or today()
    return (
        Timetable.objects.filter(school_class=school_class, valid_from__lte=day).order_by("-valid_from", "-id").first()
    )


def timetable_versions(*, school_class: Unit) -> list[Timetable]:
    """Every timetable of the class, newest first, with who made it."""
    return list(Timetable.objects.filter(school_class=school_class).select_related("created_by"))


def monday_of(day: date) -> date:
    """The Monday of `day`'s week (Sunday shows the week to come)."""
    if day.isoweekday() == 7:
        return day + timedelta(days=1)
    return day - timedelta(days=day.weekday())


@dataclass
class Day:
    weekday: int
    date: date
    is_today: bool
    slots: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return Weekday(self.weekday).label


@dataclass
class Week:
    """A week of a timetable: its days (Monday–Saturday) with their slots in order, today's day (None on a
    Sunday) and the grid rows (session × period) for the table."""

    timetable: Timetable | None
    days: list[Day]
    today: Day | None
    rows: list[dict]

    @property
    def is_empty(self) -> bool:
        return not any(d.slots for d in self.days)


def _order(slot) -> tuple:
    return (slot.weekday, 0 if slot.session == DaySession.MORNING else 1, slot.period)


def build_week(slots, *, timetable: Timetable | None = None, day: date | None = None, full: bool = False) -> Week:
    """Arrange slots into a week. `full` keeps every row a session may hold (the editing grid)."""
    day = day or today()
    monday = monday_of(day)
    days = [Day(n, monday + timedelta(days=n - 1), monday + timedelta(days=n - 1) == day) for n in Weekday.values]
    cells = {}
    for slot in sorted(slots, key=_order):
        days[slot.weekday - 1].slots.append(slot)
        cells[(slot.session, slot.period, slot.weekday)] = slot
    rows = []
    for session in DaySession.values:
        used = [p for (s, p, _w) in cells if s == session]
        last = max([*used, DEFAULT_PERIODS if (full or session == DaySession.MORNING) else 0])
        if full:
            last = MAX_PERIOD
        for period in range(1, last + 1):
            rows.append(
                {
                    "session": session,
                    "session_label": DaySession(session).label,
                    "period": period,
                    "cells": [(w, cells.get((session, period, w))) for w in Weekday.values],
                }
            )
    current = next((d for d in days if d.is_today), None)
    return Week(timetable=timetable, days=days, today=current, rows=rows)


def class_week(*, timetable: Timetable | None, day: date | None = None, full: bool = False) -> Week:
    """A class's timetable as a week (one query for its slots, with teachers and links)."""
    slots = []
    if timetable is not None:
        slots = list(
            timetable.slots.select_related(
                "teacher", "plan_lesson", "live_session__course", "section__course"
            ).order_by("weekday", "session", "period")
        )
    return build_week(slots, timetable=timetable, day=day, full=full)


def teacher_week(*, teacher, day: date | None = None) -> Week:
    """The teacher's lessons this week across classes: the slots of each class's timetable in force today
    (one query)."""
    day = day or today()
    slots = list(
        TimetableSlot.objects.filter(teacher_id=teacher.pk, timetable__valid_from__lte=day)
        .annotate(in_force=in_force_q_subquery(day))
        .filter(timetable_id=F("in_force"))
        .select_related("timetable__school_class", "live_session", "section", "plan_lesson")
    )
    return build_week(slots, day=day)


# --- a pupil's week, with the links they may follow ---------------------------------------------------


def _open_courses(student_id: int) -> set[int]:
    """The courses the pupil is enrolled in now (not removed, published or closed): one small query."""
    return set(
        Enrolment.objects.filter(
            alive_q("course__"),
            user_id=student_id,
            withdrawn_at__isnull=True,
            course__status__in=(Course.Status.PUBLISHED, Course.Status.CLOSED),
        ).values_list("course_id", flat=True)
    )


@dataclass
class PupilSlot:
    """A slot as a pupil sees it: read as plain values (a week is 30-odd rows of six joined tables; model
    instances would cost more than the query), with the one link the pupil may follow."""

    weekday: int
    session: str
    period: int
    subject: str
    teacher_name: str
    link: str = ""
    link_kind: str = ""
    link_title: str = ""

    @property
    def session_label(self) -> str:
        return DaySession(self.session).label


_LINK_COLUMNS = ("course_id", "title", "deleted_at")
PUPIL_COLUMNS = (
    "weekday", "session", "period", "subject", "link_url", "teacher__full_name", "plan_lesson__title",
    *(f"{p}live_session__{f}" for p in ("", "plan_lesson__") for f in (*_LINK_COLUMNS, "url")),
    *(f"{p}section__{f}" for p in ("", "plan_lesson__") for f in _LINK_COLUMNS),
    "live_session_id", "section_id", "plan_lesson_id", "plan_lesson__live_session_id", "plan_lesson__section_id",
)  # fmt: skip


def student_timetable(*, student) -> Timetable | None:
    """The timetable in force today of the pupil's current class (one query)."""
    classes = RoleAssignment.objects.filter(
        user_id=student.pk, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS, unit__is_active=True
    ).values("unit_id")
    return (
        Timetable.objects.filter(school_class_id__in=classes, valid_from__lte=today())
        .select_related("school_class")
        .order_by("-valid_from", "-id")
        .first()
    )


def student_week(*, student, joins: bool = True) -> Week:
    """A pupil's week (the student's home, and the parent's for the chosen child): three queries whatever
    the number of slots (the timetable, its slots with their teacher and links as plain values, the
    pupil's courses). Each slot carries `link` (href), `link_kind` and `link_title` when the pupil may
    follow it. A live lesson's link is the portal's join step (`teaching:live_join`), which records the
    attendance before it opens the meeting; with `joins=False` (a parent's view) the live lesson is named
    but not linked: only the pupil joins, from their own account."""
    timetable = student_timetable(student=student)
    slots = []
    if timetable is not None:
        rows = list(timetable.slots.values(*PUPIL_COLUMNS))
        courses = _open_courses(student.pk)  # also without links: the same queries for every week
        slots = [_pupil_slot(row, courses, joins=joins) for row in rows]
    return build_week(slots, timetable=timetable)


def _pupil_slot(row: dict, courses: set[int], *, joins: bool = True) -> PupilSlot:
    """The link a pupil follows: the live session (only in a course they are in, not removed), the LMS
    lesson (likewise), a plan lesson's own session or section, or the plain link."""
    slot = PupilSlot(
        weekday=row["weekday"], session=row["session"], period=row["period"], subject=row["subject"],
        teacher_name=row["teacher__full_name"] or "",
    )  # fmt: skip
    prefix = ""
    if row["plan_lesson_id"]:
        slot.link_title, prefix = row["plan_lesson__title"], "plan_lesson__"
    session, section = f"{prefix}live_session__", f"{prefix}section__"
    if row[f"{session}course_id"] in courses and row[f"{session}deleted_at"] is None:
        session_id = row[f"{prefix}live_session_id"]
        slot.link = reverse("teaching:live_join", args=[session_id]) if joins else ""
        slot.link_kind = "live"
        slot.link_title = slot.link_title or row[f"{session}title"]
    elif row[f"{section}course_id"] in courses and row[f"{section}deleted_at"] is None:
        anchor = f"#section-{row[f'{prefix}section_id']}"
        slot.link = reverse("courses:course", args=[row[f"{section}course_id"]]) + anchor
        slot.link_kind = "lms"
        slot.link_title = slot.link_title or row[f"{section}title"]
    elif row["link_url"]:
        slot.link, slot.link_kind = row["link_url"], "url"
    return slot


# --- the editing page ---------------------------------------------------------------------------------


def slot_link_choices(*, timetable: Timetable) -> dict:
    """What a slot of this class may link to: lessons of the school's plans for the class's grade (online
    ones first), live sessions and sections of the school's courses (newest first); capped lists."""
    school, grade = timetable.school, timetable.school_class.grade
    in_school = in_subtree_q(school, "course__unit")
    lessons = (
        PlanLesson.objects.filter(alive_q("plan__"), plan__school=school, plan__grade=grade,
                                  plan__school_year=timetable.school_year)
        .select_related("plan")
        .order_by("plan__subject", "plan__level", "position")[:400]
    )  # fmt: skip
    sessions = (
        LiveSession.objects.alive().filter(alive_q("course__"), in_school).select_related("course")
        .order_by("-starts_at")[:200]
    )  # fmt: skip
    sections = (
        Section.objects.alive()
        .filter(alive_q("course__"), Q(course__grade=grade) | Q(course__grade__isnull=True), in_school)
        .select_related("course")
        .order_by("course__title", "position")[:300]
    )
    return {"plan_lessons": list(lessons), "live_sessions": list(sessions), "sections": list(sections)}


def timetable_classes(*, school: Unit, day: date | None = None) -> list[Unit]:
    """The school's open classes, each with `timetable` (in force on `day`) and `next_timetable` (a newer
    one already planned): two queries."""
    from gradebook.selectors import open_classes

    day = day or today()
    classes = list(open_classes(school=school))
    by_class: dict[int, list[Timetable]] = {}
    for timetable in Timetable.objects.filter(school_class__in=classes).annotate(n=Count("slots")):
        by_class.setdefault(timetable.school_class_id, []).append(timetable)
    for school_class in classes:
        versions = sorted(by_class.get(school_class.pk, []), key=lambda t: t.valid_from)
        school_class.timetable = next((t for t in reversed(versions) if t.valid_from <= day), None)
        school_class.next_timetable = next((t for t in versions if t.valid_from > day), None)
    return classes
