"""Grade-entry progress (tiến độ vào điểm): how many of the marks a school expects are in.

For each teaching assignment (teacher × class × subject × semester) the expected cells are the class's
active students, less those exempt from the subject that semester (or the whole year), times the
subject's columns (`SubjectRule.columns`): its ĐĐGtx, one ĐĐGgk and one ĐĐGck — a subject assessed
by comment has the same columns, holding levels; a primary subject its level (Mức) and its periodic tests.
A cell is entered when it holds a value or a level. For each entry deadline already past, the cells of
that column kind still empty are "deadline missed".

A school's progress is computed in a fixed number of grouped queries whatever its size (assignments,
students per class, exemptions, rules, deadlines, and one grouped count of the entered marks); the
Offices and Departments read it from the reports snapshots, never from these tables.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from units.models import Role, RoleAssignment, Unit

from .models import EntryDeadline, Exemption, Mark, MarkKind, Regulation, Semester, SubjectRule, TeachingAssignment

COUNTED_KINDS = (MarkKind.REGULAR, MarkKind.MIDTERM, MarkKind.END_OF_TERM, MarkKind.LEVEL)


@dataclass
class ProgressRow:
    """One teaching assignment's progress."""

    assignment_id: int
    school_class_id: int
    class_name: str
    subject: str
    semester: int
    teacher_id: int
    teacher_name: str
    students: int = 0
    columns: int = 0
    expected: int = 0
    entered: int = 0
    # {column kind: cells still empty after its deadline}
    missed: dict = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return round(100 * self.entered / self.expected, 1) if self.expected else None

    @property
    def missed_cells(self) -> int:
        return sum(self.missed.values())

    @property
    def behind(self) -> bool:
        return self.missed_cells > 0

    @property
    def missed_kinds(self) -> list[str]:
        labels = dict(MarkKind.choices)
        return [str(labels[kind]) for kind in COUNTED_KINDS if self.missed.get(kind)]


@dataclass
class SchoolProgress:
    expected: int = 0
    entered: int = 0
    missed: int = 0
    assignments: int = 0
    behind: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.entered / self.expected, 1) if self.expected else None


def _columns(rule: SubjectRule | None) -> dict[str, list[int]]:
    """{column kind: its indexes} of a subject in a semester (`SubjectRule.columns`)."""
    by_kind: dict[str, list[int]] = {}
    for kind, index in rule.columns() if rule is not None else []:
        by_kind.setdefault(kind, []).append(index)
    return by_kind


def _regulation(grade: int | None) -> str:
    return Regulation.TT27_2020 if (grade or 0) <= 5 else Regulation.TT22_2021


def schools_progress(
    *, school_ids: list[int], school_year: str, semester: int, today: date | None = None
) -> dict[int, list[ProgressRow]]:
    """{school id: [ProgressRow per teaching assignment]} for the semester, in seven queries whatever the
    number of schools, classes or marks."""
    today = today or timezone.localdate()
    assignments = list(
        TeachingAssignment.objects.filter(school_id__in=school_ids, school_year=school_year, semester=semester)
        .values(
            "id",
            "school_id",
            "school_class_id",
            "school_class__name",
            "school_class__grade",
            "subject",
            "teacher_id",
            "teacher__full_name",
        )
        .order_by("school_class__name", "subject")
    )
    result: dict[int, list[ProgressRow]] = {school_id: [] for school_id in school_ids}
    if not assignments:
        return result
    class_ids = {a["school_class_id"] for a in assignments}

    # Active students per class.
    members: dict[int, set[int]] = defaultdict(set)
    for class_id, user_id in RoleAssignment.objects.filter(
        unit_id__in=class_ids, role=Role.STUDENT, user__is_active=True
    ).values_list("unit_id", "user_id"):
        members[class_id].add(user_id)

    # Exempt students per subject (this semester or the whole year).
    exempt: dict[str, set[int]] = defaultdict(set)
    for user_id, subject in Exemption.objects.filter(
        school_id__in=school_ids, school_year=school_year, semester__in=(semester, Semester.YEAR)
    ).values_list("student_id", "subject"):
        exempt[subject].add(user_id)

    rules = {
        (r.regulation, r.grade, r.subject): r
        for r in SubjectRule.objects.filter(school_year=school_year, subject__in={a["subject"] for a in assignments})
    }

    deadlines: dict[int, set[str]] = defaultdict(set)
    for school_id, kind in EntryDeadline.objects.filter(
        school_id__in=school_ids,
        school_year=school_year,
        semester__in=(semester, Semester.YEAR),
        due__lt=today,
        kind__in=COUNTED_KINDS,
    ).values_list("school_id", "kind"):
        deadlines[school_id].add(kind)

    # Entered cells: non-empty marks of a student still in the class and not exempt, per column.
    in_class = RoleAssignment.objects.filter(
        unit_id=OuterRef("school_class_id"), user_id=OuterRef("student_id"), role=Role.STUDENT, user__is_active=True
    )
    is_exempt = Exemption.objects.filter(
        student_id=OuterRef("student_id"),
        school_year=school_year,
        semester__in=(semester, Semester.YEAR),
        subject=OuterRef("subject"),
    )
    entered: dict[tuple, int] = {}
    counts = (
        Mark.objects.filter(
            school_id__in=school_ids,
            school_year=school_year,
            semester=semester,
            school_class_id__in=class_ids,
            kind__in=COUNTED_KINDS,
        )
        .filter(Q(value__isnull=False) | ~Q(level=""))
        .filter(Exists(in_class))
        .exclude(Exists(is_exempt))
        .values("school_class_id", "subject", "kind", "index")
        .annotate(n=Count("id"))
        .order_by()
    )
    for entry in counts:
        entered[(entry["school_class_id"], entry["subject"], entry["kind"], entry["index"])] = entry["n"]

    for a in assignments:
        rule = rules.get((_regulation(a["school_class__grade"]), a["school_class__grade"], a["subject"]))
        columns = _columns(rule)
        students = members.get(a["school_class_id"], set()) - exempt.get(a["subject"], set())
        row = ProgressRow(
            assignment_id=a["id"],
            school_class_id=a["school_class_id"],
            class_name=a["school_class__name"],
            subject=a["subject"],
            semester=semester,
            teacher_id=a["teacher_id"],
            teacher_name=a["teacher__full_name"],
            students=len(students),
            columns=sum(len(indexes) for indexes in columns.values()),
        )
        for kind, indexes in columns.items():
            expected = len(students) * len(indexes)
            done = sum(entered.get((a["school_class_id"], a["subject"], kind, index), 0) for index in indexes)
            done = min(done, expected)
            row.expected += expected
            row.entered += done
            if kind in deadlines[a["school_id"]] and expected > done:
                row.missed[kind] = expected - done
        result[a["school_id"]].append(row)
    return result


def school_progress(*, school: Unit, school_year: str, semester: int, today: date | None = None) -> list[ProgressRow]:
    return schools_progress(school_ids=[school.pk], school_year=school_year, semester=semester, today=today)[school.pk]


def totals(rows: list[ProgressRow]) -> SchoolProgress:
    total = SchoolProgress()
    for row in rows:
        total.expected += row.expected
        total.entered += row.entered
        total.missed += row.missed_cells
        total.assignments += 1
        total.behind += int(row.behind)
    return total


def schools_totals(*, school_ids: list[int], school_year: str, semester: int, today=None) -> dict[int, SchoolProgress]:
    """{school id: SchoolProgress} — what the reports snapshot stores per school."""
    found = schools_progress(school_ids=school_ids, school_year=school_year, semester=semester, today=today)
    return {school_id: totals(rows) for school_id, rows in found.items()}


__all__ = ["ProgressRow", "SchoolProgress", "school_progress", "schools_progress", "schools_totals", "totals"]
