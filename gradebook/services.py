"""Every write to the grade book.

`mark_set` is the one way a mark is written from a page, an import or a test result: it checks who is
writing, the student's class, the column against the subject's rule, the lock and the version the writer
saw, then records the write in the cell's history. A change after a lock goes through a change request,
which applies with `mark_write` once the principal approved it.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.formatting import date_text
from truonghoc.marks import MarkWords, parse_mark
from units.models import Role, RoleAssignment, Unit
from units.selectors import school_year_for
from units.services import audit_log

from .models import (
    AssessedBy,
    Level,
    Lock,
    Mark,
    MarkEvent,
    MarkKind,
    Regulation,
    Semester,
    SubjectRule,
    TeachingAssignment,
)
from .permissions import can_enter_marks, can_run_gradebook

PROGRAMME_FILE = Path(__file__).resolve().parent / "data" / "programme_2018_periods.tsv"
ONE_DECIMAL = Decimal("0.1")

# The grade book's own refusals of a typed mark: one decimal (Circular 22 writes marks to one decimal).
GRADEBOOK_WORDS = MarkWords(
    not_a_number=gettext_lazy("Type the mark as a number from 0 to 10, for example 8,5."),
    out_of_range=gettext_lazy("The mark must be between 0 and 10."),
    too_precise=gettext_lazy("Give the mark with one decimal at most, for example 8,5."),
)

COMMENT_LEVELS = (Level.PASSED, Level.NOT_PASSED)
PRIMARY_LEVELS = (Level.EXCELLENT, Level.COMPLETED, Level.NOT_COMPLETED)


def read_gradebook_mark(text) -> Decimal | None:
    """A typed grade-book mark ("8,5", "8.5", "10") as a Decimal with one place; None for an empty cell.
    Raises ValidationError with a clear message for "11", "-1", "8,75", "abc"."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    mark = parse_mark(text, words=GRADEBOOK_WORDS)
    if mark != mark.quantize(ONE_DECIMAL):
        raise ValidationError(str(GRADEBOOK_WORDS.too_precise), code="invalid_mark")
    return mark.quantize(ONE_DECIMAL)


def current_school_year(unit: Unit, day: date | None = None) -> str:
    """The label ("2026-2027") of the school year `unit` is in on `day` (today)."""
    return school_year_for(unit, day).label


def regulation_for(school_class: Unit) -> str:
    return Regulation.TT27_2020 if (school_class.grade or 0) <= 5 else Regulation.TT22_2021


# --- subject rules -------------------------------------------------------------------------------------


def _programme_rows() -> list[dict]:
    with PROGRAMME_FILE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@transaction.atomic
def subject_rules_ensure(*, school_year: str) -> int:
    """Make sure `school_year` has its subject rules: copied from the latest earlier year that has some (a
    school's edits carry over), else from the 2018 programme's table. Idempotent; returns rows created."""
    if SubjectRule.objects.filter(school_year=school_year).exists():
        return 0
    earlier = (
        SubjectRule.objects.filter(school_year__lt=school_year)
        .order_by("-school_year")
        .values_list("school_year", flat=True)
        .first()
    )
    if earlier:
        rows = [
            SubjectRule(
                school_year=school_year,
                regulation=rule.regulation,
                grade=rule.grade,
                subject=rule.subject,
                periods_per_year=rule.periods_per_year,
                assessed_by=rule.assessed_by,
            )
            for rule in SubjectRule.objects.filter(school_year=earlier)
        ]
    else:
        rows = [
            SubjectRule(
                school_year=school_year,
                regulation=Regulation.TT22_2021,
                grade=int(row["grade"]),
                subject=row["subject"].strip(),
                periods_per_year=int(row["periods_per_year"]),
                assessed_by=AssessedBy.COMMENT if row["assessed_by"].strip() == "comment" else AssessedBy.SCORE,
            )
            for row in _programme_rows()
        ]
    SubjectRule.objects.bulk_create(rows, ignore_conflicts=True)
    rules_forget()
    return len(rows)


def subject_rule(*, school_year: str, school_class: Unit, subject: str) -> SubjectRule:
    """The rule of `subject` for the class's grade in that year; refuses a subject the grade does not have."""
    rule = rules_of_year(school_year).get((regulation_for(school_class), school_class.grade, subject))
    if rule is None:
        raise ValidationError(
            _("%(subject)s is not a subject of grade %(grade)s in the school year %(year)s.")
            % {"subject": subject, "grade": school_class.grade, "year": school_year}
        )
    return rule


# --- teaching assignments ------------------------------------------------------------------------------


def _school_class(unit: Unit) -> Unit:
    if unit.kind != Unit.Kind.CLASS or not unit.is_active:
        raise ValidationError(_("%(name)s is not an open class.") % {"name": unit})
    return unit


@transaction.atomic
def assignment_set(
    *, actor, school_class: Unit, subject: str, semester: int, teacher, school_year: str | None = None
) -> TeachingAssignment:
    """Name `teacher` as the teacher of `subject` in `school_class` for a semester (replacing whoever was
    named). The teacher must teach at the class's school; audited."""
    _school_class(school_class)
    school = school_class.school()
    if not can_run_gradebook(actor, school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets teaching assignments."))
    school_year = school_year or current_school_year(school)
    subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    if semester not in (Semester.FIRST, Semester.SECOND):
        raise ValidationError(_("Choose semester 1 or 2."))
    teaches_here = RoleAssignment.objects.filter(
        user=teacher,
        role__in=(Role.TEACHER, Role.GROUP_LEADER, Role.PRINCIPAL, Role.VICE_PRINCIPAL),
        unit__path__startswith=school.path,
    ).exists()
    if not teacher.is_active or not teaches_here:
        raise ValidationError(
            _("%(name)s does not teach at %(school)s.") % {"name": teacher.full_name, "school": school}
        )
    assignment = (
        TeachingAssignment.objects.select_for_update()
        .filter(school_class=school_class, school_year=school_year, semester=semester, subject=subject)
        .first()
    )
    before = {"teacher": assignment.teacher.full_name} if assignment else None
    if assignment is None:
        assignment = TeachingAssignment(
            school=school, school_class=school_class, school_year=school_year, semester=semester, subject=subject
        )
    assignment.teacher = teacher
    assignment.set_by = actor
    assignment.updated_at = timezone.now()
    assignment.full_clean(validate_unique=False)
    assignment.save()
    audit_log(
        actor=actor,
        action="gradebook.assignment_set",
        unit=school_class,
        target=assignment,
        before=before,
        after={"subject": subject, "semester": semester, "teacher": teacher.full_name},
    )
    return assignment


# --- marks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Where a mark goes: one column of one student's row in a class's grid."""

    student_id: int
    school_class: Unit
    subject: str
    semester: int
    kind: str
    index: int = 1
    school_year: str = ""


def lock_covering(*, school: Unit, cell: Cell, at=None) -> Lock | None:
    """The earliest lock in force over `cell` at `at` (now), or None."""
    at = at or timezone.now()
    locks = Lock.objects.filter(
        school=school, school_year=cell.school_year, semester__in=(cell.semester, Semester.YEAR), locks_at__lte=at
    )
    for lock in locks:
        if lock.covers(
            school_class_id=cell.school_class.pk, subject=cell.subject, kind=cell.kind, semester=cell.semester, at=at
        ):
            return lock
    return None


def _check_column(rule: SubjectRule, *, cell: Cell, value, level: str) -> None:
    if cell.kind == MarkKind.REGULAR and not 1 <= cell.index <= rule.regular_count:
        raise ValidationError(
            _("%(subject)s has %(n)d regular assessments per semester.")
            % {"subject": rule.subject, "n": rule.regular_count}
        )
    if cell.kind != MarkKind.REGULAR and cell.index != 1:
        raise ValidationError(_("This column has one mark per semester."))
    if cell.kind == MarkKind.RETEST and cell.semester != Semester.YEAR:
        raise ValidationError(_("The re-assessment is entered for the whole year."))
    if cell.kind != MarkKind.RETEST and cell.semester == Semester.YEAR:
        raise ValidationError(_("Choose semester 1 or 2."))
    if value is not None and rule.by_comment:
        raise ValidationError(
            _("%(subject)s is assessed by comments: choose Đạt or Chưa đạt.") % {"subject": rule.subject}
        )
    if level:
        allowed = PRIMARY_LEVELS if cell.kind == MarkKind.LEVEL else COMMENT_LEVELS
        if level not in allowed or (cell.kind != MarkKind.LEVEL and not rule.by_comment):
            raise ValidationError(_("This column takes a mark from 0 to 10, not a level."))


def _class_of_student(student_id: int, school_class: Unit) -> None:
    in_class = RoleAssignment.objects.filter(user_id=student_id, unit=school_class, role=Role.STUDENT).exists()
    if not in_class:
        raise ValidationError(_("This student is not in %(name)s.") % {"name": school_class})


class StaleMark(ValidationError):
    """The cell changed since the writer read it: nothing written; `mark` is what is there now."""

    def __init__(self, message, mark: Mark):
        super().__init__(message, code="stale")
        self.mark = mark


def mark_write(
    mark: Mark, *, actor, value: Decimal | None, level: str, reason: str = "", approved_by=None, source: str = ""
) -> Mark:
    """Write a cell that has already been checked, and its history. The only place Mark rows change:
    `mark_set` for an open cell, the change-request approval for a locked one. Call inside a transaction
    with the row locked (or new)."""
    if mark.pk and mark.value == value and mark.level == level:
        return mark
    old_value, old_level = (mark.value, mark.level) if mark.pk else (None, "")
    mark.value, mark.level = value, level
    mark.entered_by = actor
    mark.updated_at = timezone.now()
    if mark.pk:
        mark.version += 1
        mark.save(update_fields=["value", "level", "entered_by", "updated_at", "version"])
    else:
        mark.save()
    MarkEvent.objects.create(
        mark=mark,
        old_value=old_value,
        new_value=value,
        old_level=old_level,
        new_level=level,
        by=actor,
        reason=reason,
        approved_by=approved_by,
        source=source,
    )
    return mark


@transaction.atomic
def mark_set(
    *,
    actor,
    student_id: int,
    school_class: Unit,
    subject: str,
    semester: int,
    kind: str,
    index: int = 1,
    value=None,
    level: str = "",
    school_year: str | None = None,
    expected_version: int | None = None,
    source: str = "grid",
) -> Mark:
    """Write one cell as its teacher typed it ("8,5", "" to empty it, or a level). Refused, with nothing
    written: a writer who does not teach that class and subject this semester, a student of another class,
    a column the subject does not have, a value out of range or with two decimals, a locked cell (a change
    request is the way), and a cell someone else saved since `expected_version` (StaleMark)."""
    _school_class(school_class)
    school = school_class.school()
    school_year = school_year or current_school_year(school)
    if not can_enter_marks(
        actor, school_class=school_class, subject=subject, school_year=school_year, semester=semester or Semester.SECOND
    ):
        raise PermissionDenied(
            _("You do not teach %(subject)s in %(name)s this semester.") % {"subject": subject, "name": school_class}
        )
    cell = Cell(student_id, school_class, subject, semester, kind, index, school_year)
    value = read_gradebook_mark(value) if not isinstance(value, Decimal) else read_gradebook_mark(str(value))
    rule = subject_rule(school_year=school_year, school_class=school_class, subject=subject)
    _check_column(rule, cell=cell, value=value, level=level)
    _class_of_student(student_id, school_class)
    lock = lock_covering(school=school, cell=cell)
    if lock is not None:
        raise ValidationError(
            _("This mark is locked since %(day)s. To change it, send a change request with the reason.")
            % {"day": date_text(timezone.localtime(lock.locks_at).date())},
            code="locked",
        )
    mark = (
        Mark.objects.select_for_update()
        .filter(
            student_id=student_id, school_year=school_year, semester=semester, subject=subject, kind=kind, index=index
        )
        .first()
    )
    if mark is None:
        if expected_version not in (None, 0):
            raise ValidationError(_("This cell was changed meanwhile. Reload the page."), code="stale")
        mark = Mark(
            student_id=student_id,
            school=school,
            school_class=school_class,
            school_year=school_year,
            semester=semester,
            subject=subject,
            kind=kind,
            index=index,
        )
    elif expected_version is not None and expected_version != mark.version:
        raise StaleMark(
            _("%(name)s saved this cell meanwhile. Its mark is now shown; type yours again if it should win.")
            % {"name": mark.entered_by.full_name if mark.entered_by else _("Someone")},
            mark,
        )
    return mark_write(mark, actor=actor, value=value, level=level, source=source)


# --- the subject rules of a year, read once per process (grid part) ------------------------------------
# Saving one mark reads its subject's rule; the rules of a year change a few times a year, so each process
# keeps them for RULES_CACHE_SECONDS (a change saved in this process is seen at once, through the signal
# below; another process sees it when its copy expires). The checks of mark_set are unchanged.

RULES_CACHE_SECONDS = 60
_rules_cache: dict[str, tuple[float, dict]] = {}


def rules_forget() -> None:
    """Drop this process's copy of the subject rules (after a rule changed, and between tests)."""
    _rules_cache.clear()


def rules_of_year(school_year: str) -> dict[tuple[str, int, str], SubjectRule]:
    """{(regulation, grade, subject): rule} of a school year, made sure to exist; one query per process and
    RULES_CACHE_SECONDS, none in between."""
    import time

    cached = _rules_cache.get(school_year)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    subject_rules_ensure(school_year=school_year)
    rows = {
        (rule.regulation, rule.grade, rule.subject): rule
        for rule in SubjectRule.objects.filter(school_year=school_year)
    }
    _rules_cache[school_year] = (time.monotonic() + RULES_CACHE_SECONDS, rows)
    return rows


def _rules_changed(sender, **kwargs) -> None:
    rules_forget()


models.signals.post_save.connect(_rules_changed, sender=SubjectRule, dispatch_uid="gradebook_rules_forget_save")
models.signals.post_delete.connect(_rules_changed, sender=SubjectRule, dispatch_uid="gradebook_rules_forget_delete")
