"""Reads of the grade book that depend on who is asking or on a class's state."""

from django.db.models import QuerySet

from units.models import Unit, in_subtree_q

from . import rules
from .models import Conduct, Mark, MarkKind, Rating, Semester, SubjectRule, TeachingAssignment
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


# --- assignments pages (issue #16, assignments part) ---------------------------------------------------


def school_teachers(*, school: Unit):
    """The active people who may be given a class to teach at `school` (teachers, group leaders, the
    principal and vice-principals), by name."""
    from django.contrib.auth import get_user_model

    from units.models import Role

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role__in=(Role.TEACHER, Role.GROUP_LEADER, Role.PRINCIPAL, Role.VICE_PRINCIPAL),
        )
        .filter(in_subtree_q(school, "role_assignments__unit"))
        .distinct()
        .order_by("name_sort", "pk")
    )


def school_subjects(*, school: Unit, school_year: str) -> list[str]:
    """The subjects of the grades the school's open classes are in, that year (for the subject list)."""
    from .services import regulation_for, subject_rules_ensure

    subject_rules_ensure(school_year=school_year)
    classes = open_classes(school=school)
    keys = {(regulation_for(c), c.grade) for c in classes}
    subjects: dict[str, None] = {}
    for regulation, grade in sorted(keys, key=lambda k: (k[0], k[1] or 0)):
        for rule in rules_for_grade(school_year=school_year, regulation=regulation, grade=grade or 0):
            subjects.setdefault(rule.subject, None)
    return list(subjects)


def open_classes(*, school: Unit):
    """The school's open classes, by name."""
    return Unit.objects.children(school, kinds=[Unit.Kind.CLASS]).filter(is_active=True).order_by("name")


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


# --- a student's own marks (progress part) -------------------------------------------------------------


def own_marks(*, student, school_year: str) -> dict:
    """A student's marks of a school year, per semester and subject, with the semester averages (Circular
    22, `rules.semester_average`), the year average and, when set, the conduct (the year's derived from the
    semesters', with the rating after summer training when there is one). Their own rows only: every
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
    typed = dict(Conduct.objects.filter(student=student, school_year=school_year).values_list("semester", "rating"))
    labels = dict(Rating.choices)
    conduct = {term: labels[typed[term]] for term in (Semester.FIRST, Semester.SECOND) if term in typed}
    derived = rules.year_conduct(typed.get(Semester.FIRST), typed.get(Semester.SECOND))
    if derived:
        conduct[Semester.YEAR] = labels[derived]  # Circular 22/2021: derived from the semesters, never typed
    after = rules.conduct_after_summer(derived, typed.get(Semester.YEAR))
    return {"subjects": rows, "conduct": conduct, "conduct_after_summer": labels[after] if after else ""}


def conduct_rows(*, students, school_class: Unit, school_year: str, semester: int) -> list[dict]:
    """The conduct page's rows (one query): per student, the semester's rating; for the whole year
    (semester 0) the year's conduct derived from the semesters' (`rules.year_conduct`) and, for a year
    Chưa đạt only, the rating after summer training, the one rating the homeroom teacher may set there."""
    ratings: dict[int, dict[int, str]] = {}
    for student_id, term, rating in Conduct.objects.filter(
        school_class=school_class, school_year=school_year
    ).values_list("student_id", "semester", "rating"):
        ratings.setdefault(student_id, {})[term] = rating
    labels = dict(Rating.choices)
    rows = []
    for student in students:
        own = ratings.get(student.pk, {})
        derived = rules.year_conduct(own.get(Semester.FIRST), own.get(Semester.SECOND))
        summer = rules.needs_summer_training(derived)
        rows.append(
            {
                "student": student,
                "rating": own.get(semester, "") if semester or summer else "",
                "derived": labels.get(derived or "", ""),
                "editable": bool(semester) or summer,
            }
        )
    return rows


# --- a student's absences, as their parent follows them (issue #17) ------------------------------------


def student_absences(*, student, start, end) -> dict:
    """A student's absences from `start` to `end` (a semester), latest first, with the counts the class book
    prints: whole days and periods, with and without permission. Their own rows only (one query)."""
    from .models import Absence

    rows = list(Absence.objects.filter(student=student, day__gte=start, day__lte=end).order_by("-day", "period"))
    counts = {"days_with": 0, "days_without": 0, "periods_with": 0, "periods_without": 0}
    for row in rows:
        counts[("days_" if row.period == 0 else "periods_") + ("with" if row.with_permission else "without")] += 1
    return {"rows": rows, **counts}
