"""The entry grid of one class, subject and semester, and the class book (a class × all its subjects): their
rows and columns as the pages show them. Reads only; every write is `services.mark_set`.

A grid costs a fixed number of queries whatever the class size: the students, the marks of the grid, the
locks of the school's semester (a lock covers a whole column, so it is checked per column, not per cell).
Averages and results are derived here with `gradebook.rules`, never stored or typed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.selectors import class_students
from truonghoc.marks import mark_text
from units.models import Unit

from . import rules
from .models import Level, Lock, Mark, MarkKind, Regulation, Semester, SubjectRule

PASS, NOT_PASSED = Level.PASSED.value, Level.NOT_PASSED.value


COLUMN_LABELS = {MarkKind.REGULAR: "TX{n}", MarkKind.MIDTERM: "GK", MarkKind.END_OF_TERM: "CK", MarkKind.LEVEL: "Mức"}


@dataclass(frozen=True)
class Column:
    kind: str
    index: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}{self.index}"


def columns_of(rule: SubjectRule) -> list[Column]:
    """TX1..TXn, GK, CK of a subject under Circular 22 (levels Đ/CĐ for a comment-only subject); Mức (the
    semester level) then the periodic tests of a primary subject under Circular 27."""
    return [Column(kind, index, COLUMN_LABELS[kind].format(n=index)) for kind, index in rule.columns()]


def comment_result(levels: list[str], expected_count: int) -> str | None:
    """A comment-only subject's semester result: `rules.comment_semester_result` (Circular 22, art. 9.1.a)."""
    return rules.comment_semester_result(levels, expected_count)


def row_result(rule: SubjectRule, cells: dict[tuple[str, int], Mark]) -> Decimal | str | None:
    """ĐTBmhk of a marked subject (a Decimal) or the result of a comment subject ("D"/"CD"), or None. A
    primary subject (Circular 27) has no ĐTBmhk: its result is its semester level ("HTT"/"HT"/"CHT")."""
    if rule.regulation == Regulation.TT27_2020:
        return getattr(cells.get((MarkKind.LEVEL, 1)), "level", "") or None
    if rule.by_comment:
        levels = [getattr(cells.get((c.kind, c.index)), "level", "") for c in columns_of(rule)]
        return comment_result(levels, len(levels)) if levels else None

    def value(kind, index=1):
        mark = cells.get((kind, index))
        return mark.value if mark is not None else None

    regulars = [value(kind, n) for kind, n in rule.columns() if kind == MarkKind.REGULAR]
    return rules.semester_average(regulars, value(MarkKind.MIDTERM), value(MarkKind.END_OF_TERM))


def result_text(result) -> str:
    if result is None:
        return ""
    if isinstance(result, Decimal):
        return mark_text(result)
    return Level(result).label


def cell_text(mark: Mark | None) -> str:
    if mark is None:
        return ""
    return mark_text(mark.value) if mark.value is not None else mark.level


@dataclass
class GridCell:
    column: Column
    mark: Mark | None
    locked: bool

    @property
    def text(self) -> str:
        return cell_text(self.mark)

    @property
    def version(self) -> int:
        return self.mark.version if self.mark is not None else 0


@dataclass
class GridRow:
    student: object
    cells: list[GridCell] = field(default_factory=list)
    result: Decimal | str | None = None

    @property
    def result_text(self) -> str:
        return result_text(self.result)


def locks_of(*, school: Unit, school_year: str, semester: int) -> list[Lock]:
    """The locks in force now over the school's semester (one query)."""
    from django.utils import timezone

    return list(
        Lock.objects.filter(
            school=school, school_year=school_year, semester__in=(semester, Semester.YEAR), locks_at__lte=timezone.now()
        ).order_by("locks_at")
    )


def column_lock(locks: list[Lock], *, school_class: Unit, subject: str, semester: int, column: Column) -> Lock | None:
    for lock in locks:
        if lock.covers(school_class_id=school_class.pk, subject=subject, kind=column.kind, semester=semester):
            return lock
    return None


def grid_rows(
    *, school: Unit, school_class: Unit, school_year: str, semester: int, rule: SubjectRule
) -> tuple[list[Column], dict[str, bool], list[GridRow]]:
    """Columns, which columns are locked, and one row per student sorted by given name (three queries)."""
    columns = columns_of(rule)
    locks = locks_of(school=school, school_year=school_year, semester=semester)
    locked = {
        c.key: column_lock(locks, school_class=school_class, subject=rule.subject, semester=semester, column=c)
        is not None
        for c in columns
    }
    students = class_students(school_class=school_class)
    marks: dict[int, dict[tuple[str, int], Mark]] = defaultdict(dict)
    for mark in Mark.objects.filter(
        school_year=school_year, semester=semester, subject=rule.subject, student__in=[s.pk for s in students]
    ):
        marks[mark.student_id][(mark.kind, mark.index)] = mark
    rows = []
    for student in students:
        cells = marks.get(student.pk, {})
        rows.append(
            GridRow(
                student=student,
                cells=[GridCell(c, cells.get((c.kind, c.index)), locked[c.key]) for c in columns],
                result=row_result(rule, cells),
            )
        )
    return columns, locked, rows


def student_result(*, student_id: int, school_year: str, semester: int, rule: SubjectRule):
    """One student's ĐTBmhk (or comment result) in a subject, from the database (one query)."""
    cells = {
        (m.kind, m.index): m
        for m in Mark.objects.filter(
            student_id=student_id, school_year=school_year, semester=semester, subject=rule.subject
        )
    }
    return row_result(rule, cells)


@dataclass
class BookRow:
    student: object
    results: list[str]


def class_book_rows(
    *, school_class: Unit, school_year: str, semester: int, subject_rules: list[SubjectRule]
) -> list[BookRow]:
    """Each student's ĐTBmhk or comment result per subject, in the order of `subject_rules` (two queries)."""
    students = class_students(school_class=school_class)
    by_student: dict[int, dict[str, dict[tuple[str, int], Mark]]] = defaultdict(lambda: defaultdict(dict))
    subjects = [rule.subject for rule in subject_rules]
    for mark in Mark.objects.filter(
        school_year=school_year, semester=semester, subject__in=subjects, student__in=[s.pk for s in students]
    ).only("student_id", "subject", "kind", "index", "value", "level"):
        by_student[mark.student_id][mark.subject][(mark.kind, mark.index)] = mark
    rows = []
    for student in students:
        own = by_student.get(student.pk, {})
        rows.append(
            BookRow(student, [result_text(row_result(rule, own.get(rule.subject, {}))) for rule in subject_rules])
        )
    return rows
