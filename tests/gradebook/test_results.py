"""The derived results: full school recompute, per-student recompute after a write (same numbers), the
query count not growing with students, exemptions, the re-assessment and primary classes."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gradebook import services
from gradebook.models import Exemption, Mark, StudentResult, SubjectResult, SubjectRule
from gradebook.rules import COMPETENCE_ITEMS
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import Role, Unit

pytestmark = pytest.mark.django_db


def rules_of(book, grade=6, regulation="tt22_2021"):
    services.subject_rules_ensure(school_year=book.year)
    return list(SubjectRule.objects.filter(school_year=book.year, grade=grade, regulation=regulation))


def put(book, student, subject, semester, kind, index=1, value=None, level="", school_class=None):
    Mark.objects.update_or_create(
        student=student,
        school_year=book.year,
        semester=semester,
        subject=subject,
        kind=kind,
        index=index,
        defaults={
            "school": book.school,
            "school_class": school_class or book.school_class,
            "value": value,
            "level": level,
        },
    )


def fill(book, student, average, *, override=None, comment="D", skip=()):
    """Every subject of grade 6 in both semesters: each marked subject's marks all `average` (so its
    ĐTBmhk is `average`), each comment subject's assessments all `comment`."""
    override = override or {}
    for rule in rules_of(book):
        if rule.subject in skip:
            continue
        for semester in (1, 2):
            value = override.get(rule.subject, average)
            for index in range(1, rule.regular_count + 1):
                if rule.by_comment:
                    put(book, student, rule.subject, semester, "tx", index, level=comment)
                else:
                    put(book, student, rule.subject, semester, "tx", index, value=D(value))
            for kind in ("gk", "ck"):
                if rule.by_comment:
                    put(book, student, rule.subject, semester, kind, level=comment)
                else:
                    put(book, student, rule.subject, semester, kind, value=D(value))


def result(student, year, semester=0):
    return StudentResult.objects.get(student=student, school_year=year, semester=semester)


def test_full_recompute_averages_and_results(book):
    good, fair = book.students[0], book.students[1]
    fill(book, good, "8.5")
    fill(book, fair, "7.0")
    # Toán for the first student: semester 1 (8+7+9+6 + 2×7 + 3×8)/9 = 7,6 ; semester 2 all 8,5
    for index, value in enumerate(["8", "7", "9", "6"], start=1):
        put(book, good, "Toán", 1, "tx", index, value=D(value))
    put(book, good, "Toán", 1, "gk", value=D("7"))
    put(book, good, "Toán", 1, "ck", value=D("8"))
    assert services.results_recompute(school=book.school, school_year=book.year) == 2
    toan = {r.semester: r.average for r in SubjectResult.objects.filter(student=good, subject="Toán")}
    assert toan == {1: D("7.6"), 2: D("8.5"), 0: D("8.2")}  # (7,6 + 17) / 3 = 8,2
    assert result(good, book.year, 1).learning == "T"
    assert result(good, book.year).learning == "T"
    assert result(fair, book.year).learning == "K"
    assert SubjectResult.objects.get(student=fair, subject="Giáo dục thể chất", semester=0).level == "D"
    # idempotent: a second run changes nothing and duplicates nothing
    count = SubjectResult.objects.count()
    services.results_recompute(school=book.school, school_year=book.year)
    assert SubjectResult.objects.count() == count


def test_missing_mark_leaves_result_unknown_and_exemption_leaves_subject_out(book):
    student = book.students[0]
    fill(book, student, "8.0", skip=("Tin học",))
    services.results_recompute(school=book.school, school_year=book.year)
    assert result(student, book.year).learning == ""  # Tin học has no marks: not known yet
    for semester in (0,):
        Exemption.objects.create(
            student=student,
            school=book.school,
            school_year=book.year,
            semester=semester,
            subject="Tin học",
            reason="Sức khoẻ",
            set_by=book.principal,
        )
    services.results_recompute(school=book.school, school_year=book.year)
    assert result(student, book.year).learning == "T"


def test_retest_after_the_summer(book):
    student = book.students[0]
    fill(book, student, "6.0", override={"Toán": "3.0"})  # ĐTBmcn 3,0 < 3,5: Chưa đạt
    services.results_recompute(school=book.school, school_year=book.year)
    year = result(student, book.year)
    assert (year.learning, year.needs_retest, year.after_retest) == ("CD", True, "")
    put(book, student, "Toán", 0, "kl", value=D("6.0"))
    services.results_recompute(school=book.school, school_year=book.year)
    year = result(student, book.year)
    assert (year.learning, year.needs_retest, year.after_retest) == ("CD", True, "D")  # all 6,0 with Toán 6,0: Đạt


def snapshot(student):
    subjects = sorted(
        SubjectResult.objects.filter(student=student).values_list("semester", "subject", "average", "level")
    )
    students = sorted(StudentResult.objects.filter(student=student).values_list("semester", "learning", "needs_retest"))
    return subjects, students


def test_incremental_after_mark_set_equals_full(book, django_capture_on_commit_callbacks):
    student = book.students[0]
    fill(book, student, "7.0")
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_set(
            actor=book.maths,
            student_id=student.pk,
            school_class=book.school_class,
            subject="Toán",
            semester=1,
            kind="ck",
            value="9,5",
            school_year=book.year,
        )
    incremental = snapshot(student)
    assert (1, "Toán", D("7.8"), "") in incremental[0]  # (4×7 + 2×7 + 3×9,5) / 9 = 7,83 → 7,8
    SubjectResult.objects.all().delete()
    StudentResult.objects.all().delete()
    services.results_recompute(school=book.school, school_year=book.year)
    assert snapshot(student) == incremental


def make_students(book, n):
    students = [make_person(unit=book.school_class, role=Role.STUDENT) for _ in range(n)]
    for student in students:
        fill(book, student, "7.5")
    return students


def test_recompute_query_count_does_not_grow_with_students(book):
    make_students(book, 2)
    with CaptureQueriesContext(connection) as few:
        services.results_recompute(school=book.school, school_year=book.year)
    make_students(book, 8)
    with CaptureQueriesContext(connection) as many:
        assert services.results_recompute(school=book.school, school_year=book.year) == 10
    reads = [[q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")] for ctx in (few, many)]
    assert len(reads[0]) == len(reads[1]) <= 8  # rules, classes, exemptions, conduct, ratings, stored results ×2, marks
    # the upserts are batched: SQLite caps parameters per statement (~100 rows here), PostgreSQL takes 5,000
    rows = SubjectResult.objects.count() + StudentResult.objects.count()
    writes = len(many) - len(reads[1])
    assert writes <= 4 + rows // 50


@pytest.fixture
def primary(book):
    school_class = make_unit(book.school, Unit.Kind.CLASS, "1A1", grade=1)
    homeroom = make_person(unit=book.tree.g1, role=Role.TEACHER, full_name="Cô Chủ Nhiệm")
    Unit.objects.filter(pk=school_class.pk).update(homeroom_teacher=homeroom)
    school_class.refresh_from_db()
    teacher = make_person(unit=book.tree.g1, role=Role.TEACHER, full_name="Cô Tiếng Việt")
    services.assignment_set(
        actor=book.principal,
        school_class=school_class,
        subject="Tiếng Việt",
        semester=2,
        teacher=teacher,
        school_year=book.year,
    )
    pupil = make_person(unit=school_class, role=Role.STUDENT)
    return school_class, homeroom, teacher, pupil


def test_primary_periodic_tests_are_whole_marks_1_to_10(book, primary):
    school_class, _homeroom, teacher, pupil = primary
    common = {
        "actor": teacher,
        "student_id": pupil.pk,
        "school_class": school_class,
        "subject": "Tiếng Việt",
        "semester": 2,
        "kind": "ck",
        "school_year": book.year,
    }
    for bad in ("7,5", "0"):
        with pytest.raises(ValidationError):
            services.mark_set(value=bad, **common)
    assert not Mark.objects.filter(student=pupil).exists()
    assert services.mark_set(value="9", **common).value == D("9")


def test_competence_rating_homeroom_only_and_primary_year_result(book, primary):
    school_class, homeroom, teacher, pupil = primary
    with pytest.raises(PermissionDenied):
        services.competence_rating_set(
            actor=teacher,
            student_id=pupil.pk,
            school_class=school_class,
            semester=2,
            item="pc_yeu_nuoc",
            level="T",
            school_year=book.year,
        )
    with pytest.raises(ValidationError):
        services.competence_rating_set(
            actor=homeroom,
            student_id=pupil.pk,
            school_class=school_class,
            semester=2,
            item="nonsense",
            level="T",
            school_year=book.year,
        )
    for code, _name in COMPETENCE_ITEMS:
        services.competence_rating_set(
            actor=homeroom,
            student_id=pupil.pk,
            school_class=school_class,
            semester=2,
            item=code,
            level="T",
            school_year=book.year,
        )
    for rule in rules_of(book, grade=1, regulation="tt27_2020"):
        put(book, pupil, rule.subject, 2, "mh", level="HTT", school_class=school_class)
        if not rule.by_comment:
            put(book, pupil, rule.subject, 2, "ck", value=D("9"), school_class=school_class)
    services.results_recompute(school=book.school, school_year=book.year)
    assert result(pupil, book.year).learning == "HXS"
    put(book, pupil, "Toán", 2, "ck", value=D("8"), school_class=school_class)
    services.results_recompute(school=book.school, school_year=book.year)
    assert result(pupil, book.year).learning == "HTT"


def test_task_recomputes_every_school_below_a_unit(book):
    from gradebook.tasks import recompute_results

    fill(book, book.students[0], "8.5")
    assert recompute_results(book.tree.office_a1.pk, book.year) == 1
    assert result(book.students[0], book.year).learning == "T"
    assert recompute_results(book.tree.office_a1.pk, book.year) == 1  # idempotent
    assert StudentResult.objects.filter(student=book.students[0]).count() == 3
    assert recompute_results(book.tree.office_b1.pk, book.year) == 0  # no marks in that Office's school
