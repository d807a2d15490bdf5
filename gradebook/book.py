"""The class book ("Sổ gọi tên và ghi điểm") as data: one assembly used by the A3 PDF, the xlsx export,
the report cards and `manage.py export_gradebook`, so they all show the same numbers.

Every computed value comes from `gradebook.rules` (semester and year averages, learning results with the
adjustment, the year's conduct derived from the semesters', the result after the re-assessment and
promotion); the semesters' conduct, the rating after summer training and absences are read from their
models. A fixed number of queries, whatever the size of the class or the
number of classes (`class_books_data`).

A subject assessed by comments has its semester result (Đạt / Chưa đạt) from all its assessments' levels;
its year result is the second semester's (Circular 22, art. 9).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.selectors import classes_students
from units.models import Unit

from . import rules
from .models import Absence, Conduct, Exemption, Mark, MarkKind, Rating, Regulation, Semester, SubjectRule
from .services import regulation_for, subject_rules_ensure

RATING_LABELS = dict(Rating.choices)


@dataclass
class SubjectTerm:
    """One subject's cells of one semester for one student, with the average derived from them."""

    regulars: list[Decimal | None]
    midterm: Decimal | None = None
    end: Decimal | None = None
    level: str = ""  # Đạt / Chưa đạt of a subject assessed by comments
    exempt: bool = False

    @property
    def average(self) -> Decimal | None:
        return rules.semester_average(self.regulars, self.midterm, self.end)


@dataclass
class SubjectLine:
    rule: SubjectRule
    terms: dict[int, SubjectTerm]
    exempt_year: bool = False

    @property
    def year_average(self) -> Decimal | None:
        return rules.year_average(self.terms[1].average, self.terms[2].average)

    @property
    def year_level(self) -> str:
        return self.terms[2].level

    @property
    def term_list(self) -> list[SubjectTerm]:
        return [self.terms[1], self.terms[2]]


@dataclass
class StudentLine:
    number: int
    student: object
    subjects: list[SubjectLine] = field(default_factory=list)
    # semester → rating code; the year's (0) is derived from the two semesters (`rules.year_conduct`)
    conduct: dict[int, str] = field(default_factory=dict)
    conduct_after_summer: str = ""  # the rating after summer training, for a year conduct Chưa đạt
    absent_with: int = 0
    absent_without: int = 0
    absent_days: int = 0  # whole days (buổi) missed in the year, with or without permission
    results: dict[int, str | None] = field(default_factory=dict)  # semester (0 = year) → result code
    result_after_retest: str = ""  # the year learning result after the re-assessment (art. 12)
    promoted: bool | None = None  # `rules.promotion`; None while not known (or a primary class)

    def conduct_label(self, semester: int) -> str:
        return str(RATING_LABELS.get(self.conduct.get(semester, ""), ""))

    @property
    def conduct_after_summer_label(self) -> str:
        return str(RATING_LABELS.get(self.conduct_after_summer, ""))

    @property
    def result_after_retest_label(self) -> str:
        return str(RATING_LABELS.get(self.result_after_retest, ""))

    @property
    def promotion_label(self) -> str:
        """Lên lớp (promoted), Ở lại (repeats the year) or blank (not known yet), as the book prints it."""
        if self.promoted is None:
            return ""
        return str(_("Promoted") if self.promoted else _("Repeats the year"))

    def result_label(self, semester: int) -> str:
        return str(RATING_LABELS.get(self.results.get(semester) or "", ""))

    @property
    def result_labels(self) -> dict[int, str]:
        return {semester: self.result_label(semester) for semester in (0, 1, 2)}

    @property
    def conduct_labels(self) -> dict[int, str]:
        return {semester: self.conduct_label(semester) for semester in (0, 1, 2)}


@dataclass
class ClassBook:
    school: Unit
    school_class: Unit
    school_year: str
    homeroom_teacher: object
    rules: list[SubjectRule]
    students: list[StudentLine]

    @property
    def marked_rules(self) -> list[SubjectRule]:
        return [rule for rule in self.rules if not rule.by_comment]

    @property
    def subject_pages(self) -> list[dict]:
        """One page per subject: its rule, the numbers of its regular columns and (student, subject) rows."""
        return [
            {
                "rule": rule,
                "regular_numbers": range(1, rule.regular_count + 1),
                "rows": [(line, line.subjects[index]) for line in self.students],
            }
            for index, rule in enumerate(self.rules)
        ]

    @property
    def comment_rules(self) -> list[SubjectRule]:
        return [rule for rule in self.rules if rule.by_comment]


def _result(lines: list[SubjectLine], semester: int) -> str | None:
    averages, comments = [], []
    for line in lines:
        if semester == Semester.YEAR:
            if line.exempt_year or (line.terms[1].exempt and line.terms[2].exempt):
                continue
            if line.rule.by_comment:
                comments.append(line.year_level)
            else:
                averages.append(line.year_average)
        else:
            term = line.terms[semester]
            if term.exempt:
                continue
            if line.rule.by_comment:
                comments.append(term.level)
            else:
                averages.append(term.average)
    return rules.learning_result(averages, comments)


def class_book_data(school_class: Unit, school_year: str) -> ClassBook:
    """The whole book of `school_class` in `school_year`: every student, subject, semester, average,
    result, conduct and absence count (the one-class call of `class_books_data`)."""
    return class_books_data([school_class], school_year)[0]


def class_books_data(classes, school_year: str) -> list[ClassBook]:
    """The books of many classes of `school_year`, in the order given, in a fixed number of queries (nine at
    most) whatever the number of classes and students: the school's summary reads a whole school at once."""
    classes = list(classes)
    if not classes:
        return []
    subject_rules_ensure(school_year=school_year)
    rules_by_key: dict[tuple[str, int], list[SubjectRule]] = defaultdict(list)
    for rule in SubjectRule.objects.filter(
        school_year=school_year, grade__in={school_class.grade or 0 for school_class in classes}
    ).order_by("assessed_by", "id"):
        rules_by_key[(rule.regulation, rule.grade)].append(rule)
    students_by_class = classes_students(class_ids=[school_class.pk for school_class in classes])
    ids = list({student.pk for students in students_by_class.values() for student in students})
    homeroom_ids = {c.homeroom_teacher_id for c in classes if c.homeroom_teacher_id}
    homerooms = get_user_model().objects.in_bulk(homeroom_ids) if homeroom_ids else {}
    school_paths = {c.school_path for c in classes if c.school_path}
    schools = {unit.path: unit for unit in Unit.objects.filter(path__in=school_paths)} if school_paths else {}

    # Plain tuples rather than model instances: a school's summary reads every mark of the school.
    cells: dict[tuple, tuple] = {
        (student_id, semester, subject, kind, index): (value, level)
        for student_id, semester, subject, kind, index, value, level in Mark.objects.filter(
            student_id__in=ids, school_year=school_year
        ).values_list("student_id", "semester", "subject", "kind", "index", "value", "level")
    }
    exempt = set(
        Exemption.objects.filter(student_id__in=ids, school_year=school_year).values_list(
            "student_id", "semester", "subject"
        )
    )
    conduct: dict[int, dict[int, str]] = defaultdict(dict)
    for student_id, semester, rating in Conduct.objects.filter(student_id__in=ids, school_year=school_year).values_list(
        "student_id", "semester", "rating"
    ):
        conduct[student_id][semester] = rating
    absences = {
        row["student_id"]: row
        for row in Absence.objects.filter(student_id__in=ids, school_year=school_year)
        .values("student_id")
        .annotate(
            with_p=Count("id", filter=Q(with_permission=True)),
            without_p=Count("id", filter=Q(with_permission=False)),
            days=Count("id", filter=Q(period=0)),
        )
    }
    books = []
    for school_class in classes:
        subject_rules = rules_by_key.get((regulation_for(school_class), school_class.grade or 0), [])
        secondary = regulation_for(school_class) == Regulation.TT22_2021
        lines = [
            _student_line(number, student, subject_rules, cells, exempt, conduct, absences, secondary)
            for number, student in enumerate(students_by_class.get(school_class.pk, []), start=1)
        ]
        books.append(
            ClassBook(
                school=schools.get(school_class.school_path or "", school_class),
                school_class=school_class,
                school_year=school_year,
                homeroom_teacher=homerooms.get(school_class.homeroom_teacher_id),
                rules=subject_rules,
                students=lines,
            )
        )
    return books


def _student_line(number, student, subject_rules, cells, exempt, conduct, absences, secondary) -> StudentLine:
    def value(key):
        cell = cells.get(key)
        return cell[0] if cell is not None else None

    typed = conduct.get(student.pk, {})
    line = StudentLine(number=number, student=student, conduct={k: v for k, v in typed.items() if k})
    year_conduct = rules.year_conduct(typed.get(Semester.FIRST), typed.get(Semester.SECOND))
    if year_conduct:
        line.conduct[int(Semester.YEAR)] = year_conduct
    line.conduct_after_summer = rules.conduct_after_summer(year_conduct, typed.get(Semester.YEAR)) or ""
    counts = absences.get(student.pk)
    if counts:
        line.absent_with, line.absent_without = counts["with_p"], counts["without_p"]
        line.absent_days = counts["days"]
    for rule in subject_rules:
        terms = {}
        for semester in (Semester.FIRST, Semester.SECOND):
            base = (student.pk, int(semester), rule.subject)
            terms[int(semester)] = SubjectTerm(
                regulars=[value((*base, MarkKind.REGULAR.value, i)) for i in range(1, rule.regular_count + 1)],
                midterm=value((*base, MarkKind.MIDTERM.value, 1)),
                end=value((*base, MarkKind.END_OF_TERM.value, 1)),
                level=_comment_result(cells, base, rule) if rule.by_comment else "",
                exempt=base in exempt,
            )
        line.subjects.append(SubjectLine(rule=rule, terms=terms, exempt_year=(student.pk, 0, rule.subject) in exempt))
    for semester in (Semester.FIRST, Semester.SECOND, Semester.YEAR):
        line.results[int(semester)] = _result(line.subjects, int(semester))
    if secondary:
        line.result_after_retest = _after_retest(cells, student.pk, line) or ""
        line.promoted = rules.promotion(
            line.results[0],
            year_conduct,
            line.absent_days,
            after_retest=line.result_after_retest,
            after_summer=line.conduct_after_summer,
        )
    return line


def _comment_result(cells: dict, base: tuple, rule: SubjectRule) -> str:
    """A comment subject's semester result from all its assessments (`rules.comment_semester_result`,
    Circular 22 art. 9.1.a); "" while one is still missing."""
    columns = [(MarkKind.REGULAR.value, i) for i in range(1, rule.regular_count + 1)]
    columns += [(MarkKind.MIDTERM.value, 1), (MarkKind.END_OF_TERM.value, 1)]
    levels = [cell[1] if (cell := cells.get((*base, kind, index))) is not None else "" for kind, index in columns]
    return rules.comment_semester_result(levels, len(columns)) or ""


def _after_retest(cells: dict, student_id: int, line: StudentLine) -> str | None:
    """The year learning result after the re-assessment (art. 12, `rules.result_after_retest`), from the
    re-assessment cells (semester 0) of the subjects to re-take; None when none is needed or none is in."""
    if not rules.needs_retest(line.results.get(0)):
        return None
    averages, comments = {}, {}
    for subject in line.subjects:
        if subject.exempt_year or (subject.terms[1].exempt and subject.terms[2].exempt):
            continue
        if subject.rule.by_comment:
            comments[subject.rule.subject] = subject.year_level
        else:
            averages[subject.rule.subject] = subject.year_average
    retests = {}
    for name in rules.retest_subjects(averages, comments):
        mark = cells.get((student_id, int(Semester.YEAR), name, MarkKind.RETEST.value, 1))
        if mark is not None and (mark[0] is not None or mark[1]):
            retests[name] = mark[0] if mark[0] is not None else mark[1]
    return rules.result_after_retest(averages, comments, retests)
