"""Grade-entry progress: expected and entered cells per teaching assignment, missed deadlines, exact
numbers on real rows, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gradebook import progress, services
from gradebook.models import EntryDeadline, Exemption, Mark, MarkKind
from tests.accounts.factories import make_person
from units.models import Role
from units.services import role_revoke


def _mark(book, student, subject, kind, index, value=None, level="", school_class=None):
    return Mark.objects.create(
        student=student, school=book.school, school_class=school_class or book.school_class,
        school_year=book.year, semester=1, subject=subject, kind=kind, index=index,
        value=Decimal(value) if value is not None else None, level=level,
    )  # fmt: skip


@pytest.fixture
def filled(book):
    """Toán (4 ĐĐGtx) and Giáo dục thể chất (comment, 3 ĐĐGtx, one student exempt) in 6A1, some marks in."""
    s1, s2, s3 = book.students
    services.assignment_set(
        actor=book.principal, school_class=book.school_class, subject="Giáo dục thể chất", semester=1,
        teacher=book.other,
    )  # fmt: skip
    Exemption.objects.create(
        student=s3, school=book.school, school_year=book.year, semester=1, subject="Giáo dục thể chất",
        reason="Sức khoẻ", set_by=book.principal,
    )  # fmt: skip
    for student in (s1, s2, s3):
        _mark(book, student, "Toán", MarkKind.REGULAR, 1, "8.0")
    _mark(book, s1, "Toán", MarkKind.REGULAR, 2, "7.5")
    _mark(book, s2, "Toán", MarkKind.REGULAR, 2, "6.0")
    _mark(book, s3, "Toán", MarkKind.REGULAR, 2)  # emptied cell: not entered
    _mark(book, s1, "Toán", MarkKind.MIDTERM, 1, "9.0")
    _mark(book, s1, "Giáo dục thể chất", MarkKind.REGULAR, 1, level="D")
    _mark(book, s2, "Giáo dục thể chất", MarkKind.REGULAR, 1, level="CD")
    _mark(book, s3, "Giáo dục thể chất", MarkKind.REGULAR, 1, level="D")  # exempt: not counted
    today = timezone.localdate()
    EntryDeadline.objects.create(
        school=book.school, school_year=book.year, semester=1, kind=MarkKind.REGULAR, due=today - timedelta(days=1),
        set_by=book.principal,
    )  # fmt: skip
    EntryDeadline.objects.create(
        school=book.school, school_year=book.year, semester=1, kind=MarkKind.MIDTERM, due=today + timedelta(days=5),
        set_by=book.principal,
    )  # fmt: skip
    return book


def test_expected_entered_and_missed_cells_are_exact(filled):
    rows = {row.subject: row for row in progress.school_progress(school=filled.school, school_year=filled.year, semester=1)}
    maths, sport = rows["Toán"], rows["Giáo dục thể chất"]
    # Toán: 3 students × (4 ĐĐGtx + gk + ck) = 18; in: 3 + 2 ĐĐGtx and one gk = 6.
    assert (maths.students, maths.columns, maths.expected, maths.entered, maths.percent) == (3, 6, 18, 6, 33.3)
    # ĐĐGtx past its deadline: 12 expected, 5 in, 7 missed; ĐĐGgk's deadline is still ahead.
    assert maths.missed == {MarkKind.REGULAR: 7}
    assert maths.behind and maths.teacher_id == filled.maths.pk
    # Thể chất (comment): 2 students (one exempt) × (3 + 1 + 1) = 10; two levels in.
    assert (sport.students, sport.columns, sport.expected, sport.entered) == (2, 5, 10, 2)
    assert sport.missed == {MarkKind.REGULAR: 4}
    total = progress.totals(list(rows.values()))
    assert (total.expected, total.entered, total.missed, total.assignments, total.behind) == (28, 8, 11, 2, 2)
    assert total.percent == 28.6


def test_a_student_who_left_the_class_is_neither_expected_nor_counted(filled):
    role_revoke(actor=None, user=filled.students[0], unit=filled.school_class, role=Role.STUDENT)
    rows = {row.subject: row for row in progress.school_progress(school=filled.school, school_year=filled.year, semester=1)}
    assert (rows["Toán"].expected, rows["Toán"].entered) == (12, 3)


def test_no_assignment_no_rows(tree):
    assert progress.school_progress(school=tree.s2, school_year="2026-2027", semester=1) == []


def test_queries_do_not_grow_with_the_school(filled):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            progress.schools_progress(school_ids=[filled.school.pk], school_year=filled.year, semester=1)
        return len(ctx.captured_queries)

    before = count()
    c2 = filled.tree.c2
    more = [make_person(unit=c2, role=Role.STUDENT) for _ in range(3)]
    for subject in ("Toán", "Ngữ văn"):
        services.assignment_set(actor=filled.principal, school_class=c2, subject=subject, semester=1, teacher=filled.maths)
    for student in more:
        _mark(filled, student, "Toán", MarkKind.REGULAR, 1, "5.0", school_class=c2)
    assert count() == before <= 7
