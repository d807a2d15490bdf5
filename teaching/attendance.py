"""Live lessons with attendance (issue #17, point 4): the portal's "join" step, the attendance sheet the
teacher confirms after the lesson, and a student's own attendance. Writes and reads of the same small
area, like `gradebook.classbook`.

- Joining goes through `live_join`: only members of the course (an enrolled learner, an instructor), from
  `JOIN_EARLY` before the start until the end; the stored link is checked again (http/https) before the
  portal sends anyone to it. A learner's joins are counted (first, last, how many); anyone's first join
  marks the lesson as held.
- The sheet lists every enrolled learner with a status pre-filled from the joins: present, late (first
  joined more than `LATE_AFTER` after the start), absent (never joined: unexcused until the teacher says
  otherwise). `attendance_confirm` stores the statuses and files the absences of students in the grade
  book (`gradebook.classbook.lesson_absences_set`, keyed by the session: a correction updates them).
- A lesson took place (held) once someone joined through the portal or its attendance was confirmed;
  `teaching.selectors.online_share` counts a live lesson as taught from then (`held_q`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from courses.models import Course, Enrolment, LiveSession
from courses.permissions import is_instructor, is_learner
from courses.selectors.home import JOIN_EARLY
from courses.services.live import web_link_or_none
from gradebook.classbook import LessonAbsences, lesson_absences_set
from truonghoc.formatting import datetime_text
from units.selectors import school_year_for
from units.services import audit_log

from .models import ABSENT_STATUSES, Attendance, AttendanceStatus, LiveLesson
from .permissions import can_take_attendance
from .services import ensure_year_open

# Joined more than this after the start: late.
LATE_AFTER = timedelta(minutes=10)
# The grade book's default period for a lesson starting at a time of day: mornings 1–5 from 07:00,
# afternoons 6–10 from 13:00, 45 minutes and a 5-minute break each; the teacher corrects it on the sheet.
MORNING, AFTERNOON, SLOT_MINUTES = 7 * 60, 13 * 60, 50


def ends_at(session: LiveSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.duration_minutes)


def default_period(starts_at: datetime) -> int:
    local = timezone.localtime(starts_at)
    minutes = local.hour * 60 + local.minute
    base, first = (MORNING, 1) if minutes < 12 * 60 else (AFTERNOON, 6)
    return first + min(4, max(0, minutes - base) // SLOT_MINUTES)


def suggested_status(row: Attendance | None, *, starts_at: datetime) -> str:
    """What the joins say: never joined → absent (unexcused), first join more than LATE_AFTER after the
    start → late, else present."""
    if row is None or not row.joins:
        return AttendanceStatus.UNEXCUSED
    if row.first_joined_at > starts_at + LATE_AFTER:
        return AttendanceStatus.LATE
    return AttendanceStatus.PRESENT


def _lesson_locked(session: LiveSession) -> LiveLesson:
    """The session's LiveLesson, created on first need, locked for this transaction."""
    lesson = LiveLesson.objects.select_for_update().filter(session=session).first()
    if lesson is None:
        try:
            with transaction.atomic():
                lesson = LiveLesson.objects.create(session=session)
        except IntegrityError:  # created meanwhile by another join
            pass
        lesson = LiveLesson.objects.select_for_update().get(session=session)
    return lesson


# --- joining ---------------------------------------------------------------------------------------------


@transaction.atomic
def live_join(*, user, session: LiveSession, now: datetime | None = None) -> str:
    """Record that `user` joins `session` through the portal and return the link to send them to. Refused
    with a clear message (nothing recorded) to anyone who is not a member of the course, before the join
    opens or after the end, or when the stored link is not a web address."""
    now = now or timezone.now()
    course = session.course
    learner = is_learner(user, course)
    if not (learner or is_instructor(user, course)):
        raise PermissionDenied(_("Only the students enrolled in this course and its teachers can join its sessions."))
    if session.is_deleted or course.is_deleted or course.status == Course.Status.DRAFT:
        raise ValidationError(_("This session is no longer on the course's programme."), code="removed")
    if now < session.starts_at - JOIN_EARLY:
        raise ValidationError(
            _("This session opens at %(time)s, %(minutes)d minutes before it starts. Come back then.")
            % {"time": datetime_text(session.starts_at - JOIN_EARLY), "minutes": JOIN_EARLY.seconds // 60},
            code="too_early",
        )
    if now >= ends_at(session):
        raise ValidationError(
            _("This session ended at %(time)s.") % {"time": datetime_text(ends_at(session))}, code="over"
        )
    url = web_link_or_none(session.url)
    if url is None:
        raise ValidationError(
            _("This session's link is not a web address (http or https). Ask the teacher to correct it."),
            code="bad_link",
        )
    lesson = _lesson_locked(session)
    if lesson.first_join_at is None:
        lesson.first_join_at = now
        lesson.save(update_fields=["first_join_at"])
    if learner:
        updated = Attendance.objects.filter(lesson=lesson, student=user).update(
            # A row a confirmation created before any join has no first join yet: this one is it.
            joins=F("joins") + 1,
            last_joined_at=now,
            first_joined_at=Coalesce(F("first_joined_at"), Value(now)),
        )
        if not updated:
            Attendance.objects.create(lesson=lesson, student=user, first_joined_at=now, last_joined_at=now, joins=1)
    return url


# --- the sheet ---------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    student: User
    attendance: Attendance | None
    suggested: str
    status: str  # the confirmed status, else the suggested one

    @property
    def confirmed(self) -> bool:
        return bool(self.attendance and self.attendance.status)

    @property
    def is_absent(self) -> bool:
        return self.status in ABSENT_STATUSES


def lesson_of(session: LiveSession) -> LiveLesson | None:
    return LiveLesson.objects.filter(session=session).select_related("confirmed_by").first()


def enrolled_learners(session: LiveSession) -> QuerySet[User]:
    """Every learner of the session's course with an active enrolment, by given name. One query."""
    return User.objects.filter(
        pk__in=Enrolment.objects.filter(course_id=session.course_id, withdrawn_at__isnull=True).values("user_id")
    ).order_by("name_sort", "id")


def attendance_sheet(session: LiveSession, lesson: LiveLesson | None = None) -> list[SheetRow]:
    """One row per enrolled learner, pre-filled from the joins. Two queries whatever the class size."""
    rows = {}
    if lesson is not None:
        rows = {a.student_id: a for a in Attendance.objects.filter(lesson=lesson)}
    sheet = []
    for student in enrolled_learners(session):
        row = rows.get(student.pk)
        suggested = suggested_status(row, starts_at=session.starts_at)
        sheet.append(SheetRow(student, row, suggested, (row.status if row and row.status else suggested)))
    return sheet


@dataclass
class Confirmed:
    lesson: LiveLesson
    changed: int
    absences: LessonAbsences


@transaction.atomic
def attendance_confirm(
    *, actor, session: LiveSession, statuses: dict[int, str], period: int | None = None, now: datetime | None = None
) -> Confirmed:
    """Confirm or correct the attendance of `session` (its instructors, once it has started): `statuses`
    maps students to an `AttendanceStatus`; an enrolled learner left out keeps what is stored, else what the
    joins suggest. The students' absences go to the grade book as a period (`period`, default from the start
    time) of the course's subject; doing it again updates them. Audited."""
    now = now or timezone.now()
    session = LiveSession.objects.select_for_update().select_related("course__unit").get(pk=session.pk)
    if not can_take_attendance(actor, session):
        raise PermissionDenied(_("Only the teachers of this course confirm its attendance."))
    if session.is_deleted:
        raise ValidationError(_("This session has been removed; restore it before taking attendance."))
    if now < session.starts_at:
        raise ValidationError(_("Attendance is confirmed once the session has started."), code="not_started")
    # The records of a closed school year are archived and read-only (point 5), attendance with them.
    lesson_year = school_year_for(session.course.unit, timezone.localdate(session.starts_at))
    ensure_year_open(session.course.unit, lesson_year.label)
    valid = set(AttendanceStatus.values)
    if bad := sorted({s for s in statuses.values() if s not in valid}):
        raise ValidationError(
            _("Choose a status for every student (unknown: %(values)s).") % {"values": ", ".join(bad)}
        )
    if period is not None and (not isinstance(period, int) or not 1 <= period <= 10):
        raise ValidationError({"period": [_("Choose a period from 1 to 10.")]})
    lesson = _lesson_locked(session)
    sheet = attendance_sheet(session, lesson)
    enrolled = {row.student.pk for row in sheet}
    if strangers := set(statuses) - enrolled:
        raise ValidationError(
            _("%(count)d of these people are not enrolled in the course; reload the page.") % {"count": len(strangers)}
        )
    changed, new = [], []
    for row in sheet:
        status = statuses.get(row.student.pk) or row.status
        if row.attendance is None:
            new.append(Attendance(lesson=lesson, student=row.student, status=status, updated_by=actor, updated_at=now))
        elif row.attendance.status != status:
            row.attendance.status, row.attendance.updated_by, row.attendance.updated_at = status, actor, now
            changed.append(row.attendance)
        row.status = status
    Attendance.objects.bulk_create(new)
    Attendance.objects.bulk_update(changed, ["status", "updated_by", "updated_at"])
    first_time = lesson.confirmed_at is None
    lesson.confirmed_at, lesson.confirmed_by = now, actor
    lesson.period = period or lesson.period or default_period(session.starts_at)
    lesson.save(update_fields=["confirmed_at", "confirmed_by", "period"])
    course = session.course
    students = {row.student.pk for row in sheet if row.student.account_type == User.AccountType.STUDENT}
    absences = lesson_absences_set(
        actor=actor,
        source=f"live:{session.pk}",
        day=timezone.localdate(session.starts_at),
        period=lesson.period,
        subject=course.subject or session.title,
        absences={
            row.student.pk: (row.status == AttendanceStatus.EXCUSED if row.is_absent else None)
            for row in sheet
            if row.student.pk in students
        },
    )
    audit_log(
        actor=actor,
        action="teaching.attendance_confirm" if first_time else "teaching.attendance_correct",
        unit=course.unit,
        target=lesson,
        after={
            "session": session.pk,
            "present": sum(r.status == AttendanceStatus.PRESENT for r in sheet),
            "late": sum(r.status == AttendanceStatus.LATE for r in sheet),
            "excused": sum(r.status == AttendanceStatus.EXCUSED for r in sheet),
            "unexcused": sum(r.status == AttendanceStatus.UNEXCUSED for r in sheet),
            "changed": len(new) + len(changed),
        },
    )
    return Confirmed(lesson=lesson, changed=len(new) + len(changed), absences=absences)


# --- a student's own attendance -----------------------------------------------------------------------------


def attendance_of(*, student, now: datetime | None = None) -> QuerySet[LiveSession]:
    """The started sessions of the courses `student` is or was enrolled in, latest first, each with
    `my_status` (blank until confirmed), `my_first_join`, `my_joins` and `confirmed`. One query (a page of
    it with the paginator's count: two)."""
    now = now or timezone.now()
    mine = Attendance.objects.filter(lesson__session_id=OuterRef("pk"), student_id=student.pk)
    return (
        LiveSession.objects.alive()
        .filter(
            Q(course__deleted_at__isnull=True),
            course_id__in=Enrolment.objects.filter(user_id=student.pk).values("course_id"),
            starts_at__lte=now,
        )
        .annotate(
            my_status=Subquery(mine.values("status")[:1]),
            my_first_join=Subquery(mine.values("first_joined_at")[:1]),
            my_joins=Subquery(mine.values("joins")[:1]),
            confirmed=Exists(LiveLesson.objects.filter(session_id=OuterRef("pk"), confirmed_at__isnull=False)),
        )
        .select_related("course")
        .order_by("-starts_at", "-id")
    )
