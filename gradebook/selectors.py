"""Reads of the grade book that depend on who is asking or on a class's state."""

from django.db.models import QuerySet

from units.models import Unit

from .models import Conduct, Mark, MarkKind, Semester, SubjectRule, TeachingAssignment
from .rules import semester_average, year_average


def assignments_of_teacher(*, teacher, school_year: str) -> QuerySet[TeachingAssignment]:
    """What `teacher` teaches in a school year: each class, subject and semester."""
    return (
        TeachingAssignment.objects.filter(teacher=teacher, school_year=school_year)
        .select_related("school_class", "school")
        .order_by("semester", "school_class__name", "subject")
    )


def assignments_of_school(
    *, school: Unit, school_year: str, semester: int | None = None
) -> QuerySet[TeachingAssignment]:
    rows = TeachingAssignment.objects.filter(school=school, school_year=school_year)
    if semester:
        rows = rows.filter(semester=semester)
    return rows.select_related("school_class", "teacher").order_by("school_class__name", "subject", "semester")


def rules_for_grade(*, school_year: str, regulation: str, grade: int) -> list[SubjectRule]:
    return list(SubjectRule.objects.filter(school_year=school_year, regulation=regulation, grade=grade).order_by("id"))


def class_marks(*, school_class: Unit, school_year: str, semester: int, subject: str | None = None) -> QuerySet[Mark]:
    """The marks entered in a class's grid (one indexed read), for one subject or all."""
    marks = Mark.objects.filter(school_class=school_class, school_year=school_year, semester=semester)
    if subject:
        marks = marks.filter(subject=subject)
    return marks


# --- a student's own marks (progress part) -------------------------------------------------------------


def own_marks(*, student, school_year: str) -> dict:
    """A student's marks of a school year, per semester and subject, with the semester averages (Circular
    22, `rules.semester_average`), the year average and, when set, the conduct. Their own rows only: every
    read is filtered by `student` (three queries)."""
    subjects: dict[str, dict] = {}
    for mark in Mark.objects.filter(student=student, school_year=school_year).order_by("subject", "kind", "index"):
        entry = subjects.setdefault(mark.subject, {"subject": mark.subject, 1: {}, 2: {}, 0: {}})
        shown = mark.get_level_display() if mark.level else mark.value
        entry[mark.semester][(mark.kind, mark.index)] = shown
    rows = []
    for subject in sorted(subjects):
        entry = subjects[subject]
        result = {"subject": subject, "semesters": [], "year_average": None}
        averages = []
        for semester in (Semester.FIRST, Semester.SECOND):
            cells = entry[semester]
            regulars = [value for (kind, _i), value in sorted(cells.items()) if kind == MarkKind.REGULAR]
            numbers = [value for value in regulars if not isinstance(value, str)]
            midterm = cells.get((MarkKind.MIDTERM, 1))
            end = cells.get((MarkKind.END_OF_TERM, 1))
            by_level = any(isinstance(value, str) for value in cells.values())
            average = None
            if not by_level:
                average = semester_average(
                    numbers,
                    midterm if not isinstance(midterm, str) else None,
                    end if not isinstance(end, str) else None,
                )
            averages.append(average)
            result["semesters"].append(
                {"semester": semester, "regulars": regulars, "midterm": midterm, "end": end, "average": average}
            )
        result["year_average"] = year_average(*averages)
        rows.append(result)
    conduct = {
        c.semester: c.get_rating_display() for c in Conduct.objects.filter(student=student, school_year=school_year)
    }
    return {"subjects": rows, "conduct": conduct}
