"""The class book beside the marks (issue #16, point 4): absences per day or period, conduct per semester
(the year's is derived, `rules.year_conduct`; the whole year holds only the rating after summer training),
and teachers' comments per student and semester. Written here, audited, and refused with a clear message
when the writer may not, the student is not in the class or the day is outside the year. A class or school
lock in force also locks that semester's conduct."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.text import nfc
from units.models import Role, RoleAssignment, Unit, parent_path
from units.selectors import school_year_for, school_year_labelled
from units.services import audit_log

from . import rules
from .models import Absence, Conduct, Lock, Rating, Semester, StudentComment
from .permissions import can_comment, can_record_absence, can_set_conduct
from .services import _class_of_student, _school_class, current_school_year

MAX_PERIOD = 10


def _year_of_day(school: Unit, day: date):
    year = school_year_for(school, day)
    if not year.start <= day <= year.end:
        raise ValidationError({"day": [_("Choose a day inside the school year.")]})
    return year


def _check_day(school: Unit, day) -> None:
    if not isinstance(day, date):
        raise ValidationError({"day": [_("Choose a day.")]})
    if day > timezone.localdate():
        raise ValidationError({"day": [_("An absence is recorded on the day or after it, not before.")]})


@transaction.atomic
def absence_record(
    *,
    actor,
    school_class: Unit,
    student_id: int,
    day: date,
    period: int = 0,
    subject: str = "",
    with_permission: bool = False,
) -> Absence:
    """Record (or correct) a student's absence: a whole day (period 0, the homeroom teacher) or one period
    of a subject (its teacher, or the homeroom teacher)."""
    _school_class(school_class)
    school = school_class.school()
    _check_day(school, day)
    year = _year_of_day(school, day)
    subject = nfc(subject or "")
    if not isinstance(period, int) or not 0 <= period <= MAX_PERIOD:
        raise ValidationError({"period": [_("Choose a period from 1 to 10, or the whole day.")]})
    if period and not subject:
        raise ValidationError({"subject": [_("Say which subject's period the student missed.")]})
    if not period:
        subject = ""
    semester = year.semester_number(day)
    if not can_record_absence(
        actor, school_class=school_class, school_year=year.label, semester=semester, subject=subject
    ) or (not period and not can_set_conduct(actor, school_class)):
        raise PermissionDenied(
            _("Only the homeroom teacher records a whole day; a subject's teacher records their own periods.")
        )
    _class_of_student(student_id, school_class)
    absence = (
        Absence.objects.select_for_update().filter(student_id=student_id, day=day, period=period, source="").first()
    )
    before = {"with_permission": absence.with_permission, "subject": absence.subject} if absence else None
    if absence is None:
        absence = Absence(student_id=student_id, day=day, period=period)
    absence.school, absence.school_class, absence.school_year = school, school_class, year.label
    absence.subject, absence.with_permission = subject, bool(with_permission)
    absence.recorded_by, absence.recorded_at = actor, timezone.now()
    absence.full_clean(validate_unique=False, validate_constraints=False)
    absence.save()
    audit_log(
        actor=actor,
        action="gradebook.absence_record",
        unit=school_class,
        target=absence,
        before=before,
        after={
            "student": student_id,
            "day": day.isoformat(),
            "period": period,
            "with_permission": bool(with_permission),
        },
    )
    return absence


@transaction.atomic
def absence_remove(*, actor, absence: Absence) -> None:
    """Remove an absence recorded by mistake (whoever may record it)."""
    absence = Absence.objects.select_for_update().select_related("school_class").get(pk=absence.pk)
    year = school_year_for(absence.school, absence.day)
    if not can_record_absence(
        actor,
        school_class=absence.school_class,
        school_year=absence.school_year,
        semester=year.semester_number(absence.day),
        subject=absence.subject,
    ) or (not absence.period and not can_set_conduct(actor, absence.school_class)):
        raise PermissionDenied(_("You cannot remove this absence."))
    audit_log(
        actor=actor,
        action="gradebook.absence_remove",
        unit=absence.school_class,
        target=absence,
        before={"student": absence.student_id, "day": absence.day.isoformat(), "period": absence.period},
    )
    absence.delete()


@dataclass
class LessonAbsences:
    """What `lesson_absences_set` did: rows written (new or changed), removed, left as they were, and the
    students it could not file (not in an open class, or the day outside their school year)."""

    written: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[int] = field(default_factory=list)


def _classes_of(student_ids) -> dict[int, Unit]:
    """Each student's open class (one query)."""
    rows = RoleAssignment.objects.filter(
        user_id__in=student_ids, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS, unit__is_active=True
    ).select_related("unit")
    # Oldest first, so a student in two classes (moved, not yet closed) is filed in the latest one.
    return {row.user_id: row.unit for row in rows.order_by("created_at", "id")}


@transaction.atomic
def lesson_absences_set(
    *, actor, source: str, day: date, period: int, subject: str, absences: dict[int, bool | None]
) -> LessonAbsences:
    """File one lesson's absences in the grade book, a period of `subject` on `day`, and keep them in step
    with later corrections. `absences` is the whole lesson: each student → True (absent with permission),
    False (without) or None (present). The rows are keyed by `source` ("live:<session id>"): calling again
    updates them, removes those of students no longer absent, and never adds a second row. One audit entry
    per call that changes something.

    The caller has checked that `actor` teaches the lesson (teaching.permissions.can_take_attendance): a
    live lesson's teacher need not hold a teaching assignment of the class. Students not in an open class,
    or whose school year does not hold `day`, are skipped and returned."""
    source = (source or "").strip()
    subject = nfc(subject or "").strip()[:100]
    if not source:
        raise ValidationError(_("Say where these absences come from."))
    if not isinstance(period, int) or not 1 <= period <= MAX_PERIOD:
        raise ValidationError({"period": [_("Choose a period from 1 to 10.")]})
    if not subject:
        raise ValidationError({"subject": [_("Say which subject's period the student missed.")]})
    result = LessonAbsences()
    existing = {a.student_id: a for a in Absence.objects.select_for_update().filter(source=source)}
    absent = {pk: bool(v) for pk, v in absences.items() if v is not None}
    classes = _classes_of(list(absent))
    schools = {u.path: u for u in Unit.objects.filter(path__in={parent_path(c.path) for c in classes.values()})}
    years = {}
    for path, school in schools.items():
        year = school_year_for(school, day)
        years[path] = year if year.start <= day <= year.end else None
    now = timezone.now()
    new, changed = [], []
    for student_id, with_permission in sorted(absent.items()):
        school_class = classes.get(student_id)
        school = schools.get(parent_path(school_class.path)) if school_class else None
        year = years.get(school.path) if school else None
        if year is None:
            result.skipped.append(student_id)
            continue
        row = existing.pop(student_id, None) or Absence(student_id=student_id, source=source)
        values = {
            "school": school,
            "school_class": school_class,
            "school_year": year.label,
            "day": day,
            "period": period,
            "subject": subject,
            "with_permission": with_permission,
        }
        if row.pk and all(
            getattr(row, f"{k}_id" if k in ("school", "school_class") else k) == (v.pk if isinstance(v, Unit) else v)
            for k, v in values.items()
        ):
            result.unchanged += 1
            continue
        for key, value in values.items():
            setattr(row, key, value)
        row.recorded_by, row.recorded_at = actor, now
        (changed if row.pk else new).append(row)
    # What is left was filed by this lesson for a student now present (or no longer on its list).
    gone = list(existing.values())
    if gone:
        Absence.objects.filter(pk__in=[a.pk for a in gone]).delete()
    if new:
        Absence.objects.bulk_create(new)
    if changed:
        Absence.objects.bulk_update(
            changed,
            ["school", "school_class", "school_year", "day", "period", "subject", "with_permission", "recorded_by",
             "recorded_at"],
        )  # fmt: skip
    result.written, result.removed = len(new) + len(changed), len(gone)
    if result.written or result.removed:
        unit = next(iter(schools.values()), None) or (gone[0].school if gone else None)
        audit_log(
            actor=actor,
            action="gradebook.lesson_absences",
            unit=unit,
            after={
                "source": source,
                "day": day.isoformat(),
                "period": period,
                "subject": subject,
                "written": result.written,
                "removed": result.removed,
            },
        )
    return result


def conduct_locked(*, school_class: Unit, school_year: str, semester: int) -> Lock | None:
    """A class or whole-school lock in force over that semester's conduct (a column lock does not lock it).
    The after-summer-training rating (semester 0) is given once semester II is closed: only a lock of the
    whole year locks it."""
    now = timezone.now()
    semesters = (semester, Semester.YEAR) if semester else (Semester.YEAR,)
    return (
        Lock.objects.filter(
            Q(school_class__isnull=True) | Q(school_class=school_class),
            school__path=school_class.school_path,
            school_year=school_year,
            semester__in=semesters,
            locks_at__lte=now,
            subject="",
            kind="",
        )
        .order_by("locks_at")
        .first()
    )


@transaction.atomic
def conduct_set(
    *, actor, school_class: Unit, student_id: int, semester: int, rating: str, school_year: str | None = None
) -> Conduct | None:
    """The homeroom teacher sets a student's conduct for a semester (Tốt/Khá/Đạt/Chưa đạt); an empty
    rating clears it. Refused once a class or school lock is in force for that semester.

    The year's conduct is derived from the two semesters (`rules.year_conduct`), never typed. Semester 0
    (the whole year) records only the rating after summer conduct training (Circular 22/2021, the
    re-assessment of conduct), accepted only for a student whose derived year conduct is Chưa đạt."""
    _school_class(school_class)
    school = school_class.school()
    school_year = school_year or current_school_year(school)
    if not can_set_conduct(actor, school_class):
        raise PermissionDenied(_("Only the homeroom teacher sets conduct."))
    if semester not in (Semester.YEAR, Semester.FIRST, Semester.SECOND):
        raise ValidationError(_("Choose semester 1, semester 2 or the whole year."))
    if rating and rating not in Rating.values:
        raise ValidationError({"rating": [_("Choose Tốt, Khá, Đạt or Chưa đạt.")]})
    _class_of_student(student_id, school_class)
    if semester == Semester.YEAR and rating:
        semesters = dict(
            Conduct.objects.filter(
                student_id=student_id, school_year=school_year, semester__in=(Semester.FIRST, Semester.SECOND)
            ).values_list("semester", "rating")
        )
        if not rules.needs_summer_training(rules.year_conduct(semesters.get(1), semesters.get(2))):
            raise ValidationError(
                _(
                    "The year's conduct follows from the two semesters. A rating for the whole year is given only "
                    "after summer conduct training, to a student whose year conduct is Chưa đạt."
                ),
                code="derived",
            )
    if conduct_locked(school_class=school_class, school_year=school_year, semester=semester):
        raise ValidationError(_("The class book is locked for this semester: conduct cannot change."), code="locked")
    conduct = (
        Conduct.objects.select_for_update()
        .filter(student_id=student_id, school_year=school_year, semester=semester)
        .first()
    )
    before = {"rating": conduct.rating} if conduct else None
    if not rating:
        if conduct is not None:
            conduct.delete()
            audit_log(actor=actor, action="gradebook.conduct_clear", unit=school_class, before=before)
        return None
    if conduct is None:
        conduct = Conduct(student_id=student_id, school_year=school_year, semester=semester)
    conduct.school, conduct.school_class = school, school_class
    conduct.rating, conduct.set_by, conduct.updated_at = rating, actor, timezone.now()
    conduct.full_clean(validate_unique=False, validate_constraints=False)
    conduct.save()
    audit_log(
        actor=actor,
        action="gradebook.conduct_set",
        unit=school_class,
        target=conduct,
        before=before,
        after={"student": student_id, "semester": semester, "rating": rating},
    )
    return conduct


@transaction.atomic
def comment_set(
    *,
    actor,
    school_class: Unit,
    student_id: int,
    semester: int,
    text: str,
    subject: str = "",
    school_year: str | None = None,
) -> StudentComment | None:
    """A teacher's comment on a student for a semester: the homeroom teacher's general one (no subject) or
    the subject teacher's. Empty text removes it."""
    _school_class(school_class)
    school = school_class.school()
    school_year = school_year or current_school_year(school)
    subject = nfc(subject or "")
    if semester not in (Semester.FIRST, Semester.SECOND):
        raise ValidationError(_("Choose semester 1 or 2."))
    if not can_comment(actor, school_class=school_class, school_year=school_year, semester=semester, subject=subject):
        raise PermissionDenied(_("The homeroom teacher writes the general comment; a subject's teacher writes theirs."))
    _class_of_student(student_id, school_class)
    text = nfc(text or "").strip()
    if len(text) > 2000:
        raise ValidationError({"text": [_("A comment is at most 2000 characters.")]})
    comment = (
        StudentComment.objects.select_for_update()
        .filter(student_id=student_id, school_year=school_year, semester=semester, subject=subject)
        .first()
    )
    before = {"text": comment.text} if comment else None
    if not text:
        if comment is not None:
            comment.delete()
            audit_log(actor=actor, action="gradebook.comment_clear", unit=school_class, before=before)
        return None
    if comment is None:
        comment = StudentComment(student_id=student_id, school_year=school_year, semester=semester, subject=subject)
    comment.school, comment.text, comment.by, comment.updated_at = school, text, actor, timezone.now()
    comment.full_clean(validate_unique=False, validate_constraints=False)
    comment.save()
    audit_log(
        actor=actor,
        action="gradebook.comment_set",
        unit=school_class,
        target=comment,
        before=before,
        after={"student": student_id, "semester": semester, "subject": subject},
    )
    return comment


def absence_counts(*, school_class: Unit, school_year: str, semester: int) -> dict[int, dict[str, int]]:
    """Per student of the class: whole days and periods missed in a semester (0 = the year), with and
    without permission — what the printed book shows. One query."""
    year = school_year_labelled(int(school_year[:4]), school_class)
    rows = Absence.objects.filter(school_class=school_class, school_year=school_year)
    if semester in (Semester.FIRST, Semester.SECOND):
        start, end = year.semesters[semester - 1]
        if semester == Semester.FIRST:
            rows = rows.filter(day__lt=year.semesters[1][0])
        else:
            rows = rows.filter(day__gte=year.semesters[1][0])
        del start, end
    counts: dict[int, dict[str, int]] = {}
    for student_id, period, with_permission in rows.values_list("student_id", "period", "with_permission"):
        entry = counts.setdefault(
            student_id, {"days_with": 0, "days_without": 0, "periods_with": 0, "periods_without": 0}
        )
        key = ("days_" if period == 0 else "periods_") + ("with" if with_permission else "without")
        entry[key] += 1
    return counts
