"""Reads of the grade book that depend on who is asking or on a class's state."""

from django.db.models import QuerySet

from units.models import Unit

from .models import Mark, SubjectRule, TeachingAssignment


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


def class_results(*, school_class: Unit, school_year: str, semester: int):
    """The derived results of a class for a semester (0: the year): students' results and subject results."""
    from .models import StudentResult, SubjectResult

    students = StudentResult.objects.filter(school_class=school_class, school_year=school_year, semester=semester)
    subjects = SubjectResult.objects.filter(school_class=school_class, school_year=school_year, semester=semester)
    return students.order_by("student__full_name"), subjects.order_by("student_id", "subject")


def student_results(*, student, school_year: str):
    """One student's derived results in a year: {semester: StudentResult} and the SubjectResult rows."""
    from .models import StudentResult, SubjectResult

    overall = {r.semester: r for r in StudentResult.objects.filter(student=student, school_year=school_year)}
    subjects = SubjectResult.objects.filter(student=student, school_year=school_year).order_by("semester", "subject")
    return overall, list(subjects)
