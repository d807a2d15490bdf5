"""The school's semester summary table (bảng tổng hợp): per class, the number of students at each learning
result and conduct rating, and the class's average of each marked subject, from `class_books_data` (the
whole school in a fixed number of queries) so it agrees with the class books."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from units.models import Unit

from .book import class_books_data
from .models import Rating
from .rules import round_mark

RATINGS = [code for code, _label in Rating.choices]


@dataclass
class SummaryRow:
    school_class: Unit
    students: int
    results: dict[str, int]
    conduct: dict[str, int]
    averages: dict[str, Decimal | None]


@dataclass
class SummaryTable:
    school: Unit
    school_year: str
    semester: int
    subjects: list[str]
    rows: list[SummaryRow]

    @property
    def rating_labels(self) -> list[str]:
        return [str(label) for _code, label in Rating.choices]


def _mean(values: list[Decimal]) -> Decimal | None:
    return round_mark(sum(values, Decimal(0)) / len(values)) if values else None


def semester_summary(*, school: Unit, school_year: str, semester: int) -> SummaryTable:
    """Semester 1 or 2, or 0 for the year."""
    classes = Unit.objects.below(school).filter(kind=Unit.Kind.CLASS).order_by("grade", "name")
    subjects: list[str] = []
    rows = []
    for book in class_books_data(classes, school_year):
        school_class = book.school_class
        for rule in book.marked_rules:
            if rule.subject not in subjects:
                subjects.append(rule.subject)
        results = dict.fromkeys(RATINGS, 0)
        conduct = dict.fromkeys(RATINGS, 0)
        averages: dict[str, list[Decimal]] = {}
        for line in book.students:
            if line.results.get(semester) in results:
                results[line.results[semester]] += 1
            if line.conduct.get(semester) in conduct:
                conduct[line.conduct[semester]] += 1
            for subject in line.subjects:
                if subject.rule.by_comment:
                    continue
                value = subject.year_average if semester == 0 else subject.terms[semester].average
                if value is not None:
                    averages.setdefault(subject.rule.subject, []).append(value)
        rows.append(
            SummaryRow(
                school_class=school_class,
                students=len(book.students),
                results=results,
                conduct=conduct,
                averages={subject: _mean(values) for subject, values in averages.items()},
            )
        )
    for row in rows:
        row.average_list = [row.averages.get(subject) for subject in subjects]
        row.result_list = [row.results[code] for code in RATINGS]
        row.conduct_list = [row.conduct[code] for code in RATINGS]
    return SummaryTable(school=school, school_year=school_year, semester=semester, subjects=subjects, rows=rows)


def summary_workbook(table: SummaryTable) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Summary")[:31]
    labels = table.rating_labels
    sheet.append(
        [_("Class"), _("Students")]
        + [_("Result: %(r)s") % {"r": label} for label in labels]
        + [_("Conduct: %(r)s") % {"r": label} for label in labels]
        + table.subjects
    )
    for row in table.rows:
        sheet.append(
            [row.school_class.name, row.students, *row.result_list, *row.conduct_list]
            + ["" if v is None else str(v).replace(".", ",") for v in row.average_list]
        )
    return workbook
