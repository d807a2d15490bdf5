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
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.bulk import upsert_rows
from truonghoc.formatting import date_text
from truonghoc.marks import MarkWords, parse_mark
from units.models import Role, RoleAssignment, Unit, in_subtree_q
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
from .rules import is_primary_test_mark, primary_periodic_tests

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
            # a study topic (chuyên đề học tập) is assessed within its subject, never as a subject of its own
            if row["assessed_by"].strip() in ("score", "comment")
        ] + _primary_rules(school_year)
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
        in_subtree_q(school),
        user=teacher,
        role__in=(Role.TEACHER, Role.GROUP_LEADER, Role.PRINCIPAL, Role.VICE_PRINCIPAL),
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
    if value is not None and rule.by_comment and cell.kind != MarkKind.LEVEL:
        raise ValidationError(
            _("%(subject)s is assessed by comments: choose Đạt or Chưa đạt.") % {"subject": rule.subject}
        )
    if cell.kind == MarkKind.LEVEL and rule.regulation != Regulation.TT27_2020:
        raise ValidationError(_("A subject level is set in primary classes only."))
    if cell.kind == MarkKind.LEVEL and (value is not None or (level and level not in PRIMARY_LEVELS)):
        raise ValidationError(levels_refusal(PRIMARY_LEVELS))
    test_columns = (MarkKind.REGULAR, MarkKind.MIDTERM, MarkKind.END_OF_TERM)
    if rule.regulation == Regulation.TT27_2020 and cell.kind in test_columns:
        _check_primary_test(rule, cell)
    if (
        value is not None
        and cell.kind in (MarkKind.MIDTERM, MarkKind.END_OF_TERM)
        and rule.regulation == Regulation.TT27_2020
        and not is_primary_test_mark(value)
    ):
        # Circular 27/2020 art. 7.2: a primary periodic test is marked in whole marks from 1 to 10.
        raise ValidationError(_("A primary periodic test is marked with a whole number from 1 to 10."))
    if level:
        allowed = PRIMARY_LEVELS if cell.kind == MarkKind.LEVEL else COMMENT_LEVELS
        if level not in allowed or (cell.kind != MarkKind.LEVEL and not rule.by_comment):
            raise ValidationError(_("This column takes a mark from 0 to 10, not a level."))


def levels_refusal(levels) -> str:
    """The refusal of a level a column does not take, naming the ones it does."""
    return _("Choose one of: %(levels)s.") % {"levels": ", ".join(str(Level(code).label) for code in levels)}


def _check_primary_test(rule: SubjectRule, cell: Cell) -> None:
    """Circular 27/2020, periodic tests: a primary subject takes marks only in its test columns
    (`rules.primary_periodic_tests`); its regular assessment is by comments, not marks."""
    tests = primary_periodic_tests(rule.grade, rule.subject)
    if cell.kind in tests:
        return
    if cell.kind == MarkKind.MIDTERM and tests:
        raise ValidationError(
            _(
                "%(subject)s has no mid-term test in grade %(grade)s: in primary school only Tiếng Việt and "
                "Toán of grades 4 and 5 have one."
            )
            % {"subject": rule.subject, "grade": rule.grade}
        )
    if cell.kind == MarkKind.REGULAR:
        raise ValidationError(_("A primary subject's regular assessment is a comment, not a mark."))
    raise ValidationError(
        _("%(subject)s has no periodic test in grade %(grade)s: set its level instead.")
        % {"subject": rule.subject, "grade": rule.grade}
    )


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
    student_id, school_year = mark.student_id, mark.school_year
    results_recompute_on_commit(student_id=student_id, school_year=school_year)
    return mark


def mark_check(
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
) -> tuple[Unit, str, Decimal | None]:
    """Every refusal of `mark_set` but the stale version, writing nothing: who writes, the column, the
    value ("8,5" → 8.5), the student's class, the lock. Returns (school, school year, value read); the
    grid import checks a whole file with it before anything is written."""
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
    return school, school_year, value


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
    school, school_year, value = mark_check(
        actor=actor, student_id=student_id, school_class=school_class, subject=subject, semester=semester,
        kind=kind, index=index, value=value, level=level, school_year=school_year,
    )  # fmt: skip
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


# --- teaching assignments: remove, copy a semester (issue #16, assignments part) ------------------------


@transaction.atomic
def assignment_remove(*, actor, assignment: TeachingAssignment) -> None:
    """Remove one teaching assignment; the marks already entered stay in the book. Audited."""
    if not can_run_gradebook(actor, assignment.school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets teaching assignments."))
    before = {
        "subject": assignment.subject,
        "semester": assignment.semester,
        "teacher": assignment.teacher.full_name,
        "school_year": assignment.school_year,
    }
    school_class = assignment.school_class
    audit_log(
        actor=actor,
        action="gradebook.assignment_remove",
        unit=school_class,
        target=assignment,
        before=before,
        after=None,
    )
    assignment.delete()


@transaction.atomic
def assignments_copy_semester(*, actor, school: Unit, school_year: str | None = None) -> int:
    """Copy every semester-1 assignment of `school` to semester 2 in one step, replacing semester 2's
    teacher where one was named. Returns how many semester-2 assignments were created or changed."""
    if not can_run_gradebook(actor, school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets teaching assignments."))
    school_year = school_year or current_school_year(school)
    firsts = list(
        TeachingAssignment.objects.filter(school=school, school_year=school_year, semester=Semester.FIRST)
        .select_related("school_class", "teacher")
        .order_by("pk")
    )
    if not firsts:
        raise ValidationError(_("Semester 1 has no teaching assignments to copy yet."))
    seconds = {
        (a.school_class_id, a.subject): a
        for a in TeachingAssignment.objects.select_for_update().filter(
            school=school, school_year=school_year, semester=Semester.SECOND
        )
    }
    changed = 0
    now = timezone.now()
    for first in firsts:
        second = seconds.get((first.school_class_id, first.subject))
        if second is not None and second.teacher_id == first.teacher_id:
            continue
        if second is None:
            second = TeachingAssignment(
                school=school,
                school_class=first.school_class,
                school_year=school_year,
                semester=Semester.SECOND,
                subject=first.subject,
            )
        second.teacher = first.teacher
        second.set_by = actor
        second.updated_at = now
        second.save()
        changed += 1
    audit_log(
        actor=actor,
        action="gradebook.assignments_copy_semester",
        unit=school,
        target=None,
        before=None,
        after={"school_year": school_year, "changed": changed},
    )
    return changed


# --- Circular 27 primary rules and ratings; derived results (issue #16, "rules" part) -------------------

PRIMARY_FILE = Path(__file__).resolve().parent / "data" / "primary_2018_periods.tsv"


def _primary_rules(school_year: str) -> list[SubjectRule]:
    """The primary subjects of the 2018 programme (Circular 27/2020): a subject with periodic tests takes
    marks (the tests) and a level, the others a level only."""
    with PRIMARY_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        SubjectRule(
            school_year=school_year,
            regulation=Regulation.TT27_2020,
            grade=int(row["grade"]),
            subject=row["subject"].strip(),
            periods_per_year=int(row["periods_per_year"]),
            assessed_by=AssessedBy.COMMENT if row["assessed_by"].strip() == "comment" else AssessedBy.SCORE,
        )
        for row in csv.DictReader(lines, delimiter="\t")
    ]


@transaction.atomic
def competence_rating_set(
    *, actor, student_id: int, school_class: Unit, semester: int, item: str, level: str, school_year: str | None = None
):
    """A primary student's rating on a quality or competence (Circular 27/2020, art. 6.2), set by the
    class's homeroom teacher only; audited."""
    from .models import CompetenceLevel, CompetenceRating
    from .rules import COMPETENCE_ITEMS

    _school_class(school_class)
    school = school_class.school()
    if actor is None or school_class.homeroom_teacher_id != actor.pk:
        raise PermissionDenied(_("Only the class's homeroom teacher rates qualities and competences."))
    if regulation_for(school_class) != Regulation.TT27_2020:
        raise ValidationError(_("Qualities and competences are rated this way in primary classes only."))
    if item not in dict(COMPETENCE_ITEMS):
        raise ValidationError(_("Choose a quality or competence from the list."))
    if level not in CompetenceLevel.values:
        raise ValidationError(_("Choose Tốt, Đạt or Cần cố gắng."))
    if semester not in (Semester.FIRST, Semester.SECOND):
        raise ValidationError(_("Choose semester 1 or 2."))
    _class_of_student(student_id, school_class)
    school_year = school_year or current_school_year(school)
    rating = (
        CompetenceRating.objects.select_for_update()
        .filter(student_id=student_id, school_year=school_year, semester=semester, item=item)
        .first()
    )
    before = {"level": rating.level} if rating else None
    if rating is None:
        rating = CompetenceRating(
            student_id=student_id,
            school=school,
            school_class=school_class,
            school_year=school_year,
            semester=semester,
            item=item,
        )
    rating.level, rating.set_by, rating.updated_at = level, actor, timezone.now()
    rating.full_clean(validate_unique=False)
    rating.save()
    audit_log(
        actor=actor,
        action="gradebook.competence_rating_set",
        unit=school_class,
        target=rating,
        before=before,
        after={"item": item, "level": level, "semester": semester},
    )
    results_recompute_on_commit(student_id=student_id, school_year=school_year)
    return rating


RESULT_BATCH = 20000  # changed rows written per bulk upsert; a school's first recompute is 3–4 of them
DELETE_BATCH = 900  # keys per DELETE … WHERE id IN (…), within any SQLite's parameter limit


def _school_context(
    *, school_ids: list[int], school_year: str, student_ids: list[int] | None = None, rules: dict | None = None
) -> dict:
    """What the results need besides the marks, in a fixed number of queries: the year's rules (read
    afresh unless given, as the per-student path gives this process's cached copy), the classes' grades,
    exemptions and (primary) competence ratings. Conduct is not read: the re-assessment after the summer
    does not depend on it (Circular 22/2021)."""
    from .models import CompetenceRating, Exemption

    if rules is None:
        year_rules = list(SubjectRule.objects.filter(school_year=school_year))
        if not year_rules and subject_rules_ensure(school_year=school_year):
            year_rules = list(SubjectRule.objects.filter(school_year=school_year))
        rules = {}
        for rule in year_rules:
            rules.setdefault((rule.regulation, rule.grade), {})[rule.subject] = rule

    def scoped(qs):
        qs = qs.filter(school_year=school_year, school_id__in=school_ids)
        return qs.filter(student_id__in=student_ids) if student_ids is not None else qs

    exempt: dict[int, set] = {}
    for student_id, semester, subject in scoped(Exemption.objects.all()).values_list(
        "student_id", "semester", "subject"
    ):
        exempt.setdefault(student_id, set()).add((semester, subject))
    ratings: dict[int, dict] = {}
    for student_id, semester, item, level in scoped(CompetenceRating.objects.all()).values_list(
        "student_id", "semester", "item", "level"
    ):
        ratings.setdefault(student_id, {}).setdefault(semester, {})[item] = level
    return {"rules": rules, "exempt": exempt, "ratings": ratings, "grades": {}}


def _student_results(student_id: int, rows: list[tuple], ctx: dict, school_year: str, now):
    """The SubjectResult and StudentResult rows of one student from their mark tuples
    (school_id, school_class_id, semester, subject, kind, index, value, level)."""
    from . import rules as R

    school_id, class_id = rows[-1][0], rows[-1][1]
    grade = ctx["grades"].get(class_id)
    regulation = Regulation.TT27_2020 if (grade or 0) <= 5 else Regulation.TT22_2021
    grade_rules = ctx["rules"].get((regulation, grade), {})
    exempt = ctx["exempt"].get(student_id, set())
    cells: dict[tuple[int, str], dict] = {}
    for _school, _class, semester, subject, kind, index, value, level in rows:
        cells.setdefault((semester, subject), {})[(kind, index)] = (value, level)
    subject_rows, student_rows = [], []

    def subject_row(semester, subject, average=None, level=""):
        subject_rows.append(
            (student_id, school_id, class_id, school_year, semester, subject, average, level or "", now)
        )

    def student_row(semester, learning, needs_retest=False, after_retest=""):
        student_rows.append(
            (
                student_id,
                school_id,
                class_id,
                school_year,
                semester,
                learning or "",
                needs_retest,
                after_retest or "",
                now,
            )
        )

    marked = {subject for _semester, subject in cells}
    if regulation == Regulation.TT27_2020:
        levels, tests = {}, {}
        for semester in (Semester.FIRST, Semester.SECOND):
            for subject, rule in grade_rules.items():
                cell = cells.get((semester, subject), {})
                level = cell.get((MarkKind.LEVEL, 1), (None, ""))[1]
                test = cell.get((MarkKind.END_OF_TERM, 1), (None, ""))[0]
                if subject in marked:
                    subject_row(semester, subject, test, level)
                if semester == Semester.SECOND and (semester, subject) not in exempt and (0, subject) not in exempt:
                    levels[subject] = level
                    if not rule.by_comment:
                        tests[subject] = test
        year_ratings = ctx["ratings"].get(student_id, {}).get(Semester.SECOND, {})
        ratings = [year_ratings.get(code, "") for code, _name in R.COMPETENCE_ITEMS]
        student_row(Semester.YEAR, R.primary_year_result(list(levels.values()), ratings, list(tests.values())))
        return subject_rows, student_rows

    per_semester: dict[int, tuple[dict, dict]] = {}
    for semester in (Semester.FIRST, Semester.SECOND):
        averages, comments = {}, {}
        for subject, rule in grade_rules.items():
            if (semester, subject) in exempt or (0, subject) in exempt:
                continue  # art. 9: an exempt subject is left out of the results
            cell = cells.get((semester, subject), {})
            regulars = [cell.get((MarkKind.REGULAR, i), (None, ""))[:2] for i in range(1, rule.regular_count + 1)]
            midterm = cell.get((MarkKind.MIDTERM, 1), (None, ""))
            end = cell.get((MarkKind.END_OF_TERM, 1), (None, ""))
            if rule.by_comment:
                result = R.comment_semester_result(
                    [lv for _v, lv in regulars] + [midterm[1], end[1]], rule.regular_count + 2
                )
                comments[subject] = result
                if subject in marked:
                    subject_row(semester, subject, None, result)
            else:
                average = R.semester_average([v for v, _lv in regulars], midterm[0], end[0])
                averages[subject] = average
                if subject in marked:
                    subject_row(semester, subject, average)
        per_semester[semester] = (averages, comments)
        student_row(semester, R.learning_result(list(averages.values()), list(comments.values())))
    (avg1, com1), (avg2, com2) = per_semester[Semester.FIRST], per_semester[Semester.SECOND]
    year_averages = {s: R.year_average(avg1.get(s), avg2.get(s)) for s in avg2}
    year_comments = {s: R.comment_year_result(com1.get(s), com2.get(s)) for s in com2}
    for subject in sorted(marked & (set(year_averages) | set(year_comments))):
        if subject in year_averages:
            subject_row(Semester.YEAR, subject, year_averages[subject])
        else:
            subject_row(Semester.YEAR, subject, None, year_comments[subject])
    year = R.learning_result(list(year_averages.values()), list(year_comments.values()))
    retest = R.needs_retest(year)  # art. 12: whatever the conduct
    after = ""
    if retest:
        retests = {}
        for subject in R.retest_subjects(year_averages, year_comments):
            value, level = cells.get((Semester.YEAR, subject), {}).get((MarkKind.RETEST, 1), (None, ""))
            if value is not None or level:
                retests[subject] = value if value is not None else level
        after = R.result_after_retest(year_averages, year_comments, retests)
    student_row(Semester.YEAR, year, retest, after)
    return subject_rows, student_rows


SUBJECT_RESULT_COLUMNS = (
    "student_id",
    "school_id",
    "school_class_id",
    "school_year",
    "semester",
    "subject",
    "average",
    "level",
    "computed_at",
)
STUDENT_RESULT_COLUMNS = (
    "student_id",
    "school_id",
    "school_class_id",
    "school_year",
    "semester",
    "learning",
    "needs_retest",
    "after_retest",
    "computed_at",
)


SUBJECT_RESULT_KEY = ("student_id", "school_year", "semester", "subject")
STUDENT_RESULT_KEY = ("student_id", "school_year", "semester")
MARK_COLUMNS = ("student_id", "school_id", "school_class_id", "semester", "subject", "kind", "index", "value", "level")


@dataclass
class RecomputeCounts:
    """What a recompute did: students computed, derived rows computed, rows written (new or changed) and
    rows deleted (no longer derived from any mark)."""

    students: int = 0
    computed: int = 0
    written: int = 0
    deleted: int = 0


class _ResultChanges:
    """A recompute's rows against what is stored: only a new or changed row is written, and a stored row the
    marks no longer give is deleted at the end; so a second recompute with nothing changed writes nothing
    (and keeps each row's `computed_at`). The stored rows are read once (one query per table), keyed like
    the unique constraints; memory is bounded by the scope read (one school, or one student)."""

    def __init__(self, school_year: str, **scope):
        from .models import StudentResult, SubjectResult

        self.counts = RecomputeCounts()
        # Stored rows as (columns compared…, pk): the computed rows are (the same columns…, computed_at).
        subjects = SubjectResult.objects.filter(school_year=school_year, **scope)
        self.subjects = {(r[0], r[4], r[5]): r for r in subjects.values_list(*SUBJECT_RESULT_COLUMNS[:-1], "pk")}
        students = StudentResult.objects.filter(school_year=school_year, **scope)
        self.students = {(r[0], r[4]): r for r in students.values_list(*STUDENT_RESULT_COLUMNS[:-1], "pk")}
        self.changed_subjects: list[tuple] = []
        self.changed_students: list[tuple] = []

    def add(self, subject_rows: list[tuple], student_rows: list[tuple]) -> None:
        """One student's computed rows (the last value of each row is `computed_at`, not compared)."""
        self.counts.students += 1
        self.counts.computed += len(subject_rows) + len(student_rows)
        subjects, students = self.subjects, self.students
        for row in subject_rows:
            stored = subjects.pop((row[0], row[4], row[5]), None)
            if stored is None or stored[:-1] != row[:-1]:
                self.changed_subjects.append(row)
        for row in student_rows:
            stored = students.pop((row[0], row[4]), None)
            if stored is None or stored[:-1] != row[:-1]:
                self.changed_students.append(row)
        if len(self.changed_subjects) >= RESULT_BATCH:
            self.write()

    def write(self) -> None:
        from .models import StudentResult, SubjectResult

        self.counts.written += upsert_rows(
            SubjectResult, SUBJECT_RESULT_COLUMNS, SUBJECT_RESULT_KEY, self.changed_subjects
        ) + upsert_rows(StudentResult, STUDENT_RESULT_COLUMNS, STUDENT_RESULT_KEY, self.changed_students)
        self.changed_subjects, self.changed_students = [], []

    def finish(self) -> RecomputeCounts:
        """Write what is left and delete the stored rows no computed row matched."""
        from .models import StudentResult, SubjectResult

        self.write()
        for model, stale in ((SubjectResult, self.subjects), (StudentResult, self.students)):
            keys = [row[-1] for row in stale.values()]
            for start in range(0, len(keys), DELETE_BATCH):
                self.counts.deleted += model.objects.filter(pk__in=keys[start : start + DELETE_BATCH]).delete()[0]
        return self.counts


def _recompute(marks, ctx: dict, school_year: str, changes: _ResultChanges) -> RecomputeCounts:
    """Mark tuples ordered by student (MARK_COLUMNS) → each student's results → the changed rows written.
    Memory is bounded by one student's marks plus the stored rows of the scope."""
    now = timezone.now()
    for student_id, rows in groupby(marks, key=itemgetter(0)):
        subjects, students = _student_results(student_id, [row[1:] for row in rows], ctx, school_year, now)
        changes.add(subjects, students)
    return changes.finish()


def _mark_rows(queryset):
    """The marks of `queryset` as MARK_COLUMNS tuples, streamed by a server-side cursor on PostgreSQL.

    Read through the database cursor, not the ORM's iterator: the SQL is the ORM's own, but a school's
    quarter of a million rows then skip its per-row converters and generator layers (about a fifth of the
    read). The values are the driver's: int, str, Decimal (SQLite's text decimals are converted here)."""
    from django.db import connection

    sql, params = queryset.values_list(*MARK_COLUMNS).query.sql_with_params()
    if connection.vendor == "postgresql":
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(10000):
                yield from chunk
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        decimals: dict = {}
        while chunk := cursor.fetchmany(10000):
            for row in chunk:
                value = row[7]
                if value is not None and not isinstance(value, Decimal):
                    if value not in decimals:
                        decimals[value] = Decimal(str(value)).quantize(ONE_DECIMAL)
                    value = decimals[value]
                    row = (*row[:7], value, row[8])
                yield row


def results_recompute_counts(*, school: Unit, school_year: str) -> RecomputeCounts:
    """Recompute every derived average and result of a school's year from its marks (Circulars 22 and 27,
    `gradebook.rules`), writing only what changed: a fixed number of reads (rules, classes, exemptions,
    ratings, the stored results, the marks streamed in student order), then the new or changed
    rows in bulk (`truonghoc.bulk.upsert_rows`: COPY on PostgreSQL) and the stale ones deleted.
    Idempotent: a second run with nothing changed writes nothing."""
    with transaction.atomic():
        ctx = _school_context(school_ids=[school.pk], school_year=school_year)
        ctx["grades"] = dict(Unit.objects.children(school, kinds=[Unit.Kind.CLASS]).values_list("pk", "grade"))
        changes = _ResultChanges(school_year, school_id=school.pk)
        # In order of entry within a student, as the per-student path reads them: the results take the
        # school and class of the student's last mark, the same on every run.
        marks = Mark.objects.filter(school=school, school_year=school_year).order_by("student_id", "pk")
        return _recompute(_mark_rows(marks), ctx, school_year, changes)


def results_recompute(*, school: Unit, school_year: str) -> int:
    """`results_recompute_counts` for callers that want the number of students recomputed."""
    return results_recompute_counts(school=school, school_year=school_year).students


def _rules_by_grade(school_year: str) -> dict[tuple[str, int], dict[str, SubjectRule]]:
    rules: dict[tuple[str, int], dict[str, SubjectRule]] = {}
    for (regulation, grade, subject), rule in rules_of_year(school_year).items():
        rules.setdefault((regulation, grade), {})[subject] = rule
    return rules


def results_recompute_on_commit(*, student_id: int, school_year: str) -> None:
    """Recompute a student's results once the current transaction commits, once per student however many of
    their cells it wrote: a file of 240 marks for 40 students recomputes 40 students, not 240 times.

    One callback per transaction holds the students to recompute; a later write in the same transaction adds
    its student to that callback's set (found in the connection's pending on-commit callbacks, which Django
    drops with a rolled-back transaction or savepoint). Outside a transaction it runs at once."""
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        pending = getattr(entry[1], "gradebook_students", None)
        if pending is not None:
            pending.add((student_id, school_year))
            return
    pending = {(student_id, school_year)}

    def recompute() -> None:
        recompute.gradebook_students = None  # run: a later write schedules its own (tests run callbacks early)
        for pending_student, pending_year in sorted(pending):
            results_recompute_student(student_id=pending_student, school_year=pending_year)

    recompute.gradebook_students = pending
    transaction.on_commit(recompute)


def results_recompute_student(*, student_id: int, school_year: str) -> RecomputeCounts:
    """Recompute one student's results after a write: the same computation as `results_recompute`, in at
    most eight queries whatever the student's marks (marks with their classes' grades, exemptions,
    ratings, the two stored results; then only the changed rows, usually one or two upserts).

    Run inline on commit of the write, not handed to Celery: it is a few milliseconds of indexed reads, the
    teacher's next page (class book, report card) shows the new results at once, and a grade-entry peak
    does not put one task per typed cell on the broker (nor need one: the embedded mode has none)."""
    marks = list(
        Mark.objects.filter(student_id=student_id, school_year=school_year)
        .order_by("pk")
        .values_list(*MARK_COLUMNS, "school_class__grade")
    )
    school_ids = sorted({row[1] for row in marks})
    # All or nothing, without a savepoint when called inside a transaction: nothing here to recover from.
    with transaction.atomic(savepoint=False):
        changes = _ResultChanges(school_year, student_id=student_id)
        if not marks:
            return changes.finish()  # every mark gone: so are the results derived from them
        ctx = _school_context(
            school_ids=school_ids, school_year=school_year, student_ids=[student_id], rules=_rules_by_grade(school_year)
        )
        ctx["grades"] = {row[2]: row[-1] for row in marks}
        return _recompute([row[:-1] for row in marks], ctx, school_year, changes)


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
