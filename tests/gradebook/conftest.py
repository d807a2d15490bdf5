"""A school's grade book to work on: school S1 of the `tree` fixture, its class 6A1 (C1) with three
students, a maths teacher assigned for semester 1, another teacher, the principal and the homeroom teacher."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gradebook import services
from gradebook.models import EntryDeadline, Exemption, Mark, MarkKind
from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def book(tree):
    s1, c1 = tree.s1, tree.c1
    principal = make_person(unit=s1, role=Role.PRINCIPAL)
    maths = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán")
    other = make_person(unit=tree.g2, role=Role.TEACHER, full_name="Trần Thị Văn")
    students = [make_person(unit=c1, role=Role.STUDENT, full_name=f"Học sinh {n}") for n in (1, 2, 3)]
    year = services.current_school_year(s1)
    services.assignment_set(actor=principal, school_class=c1, subject="Toán", semester=1, teacher=maths)
    return SimpleNamespace(
        tree=tree,
        school=s1,
        school_class=c1,
        principal=principal,
        maths=maths,
        other=other,
        students=students,
        year=year,
    )


# --- locks, change requests, class book (the "locks" part of #16) -------------------------------------


@pytest.fixture
def locked_book(book):
    """The `book` with a maths mark 6,0 for the first student and a lock in force on that column, plus a
    vice-principal, a school admin, an Office staff member and a homeroom teacher for 6A1."""
    from datetime import timedelta

    from django.utils import timezone

    from gradebook import locking

    tree = book.tree
    student = book.students[0]
    mark = services.mark_set(
        actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán", semester=1,
        kind="gk", value="6",
    )  # fmt: skip
    lock = locking.lock_set(
        actor=book.principal, school=book.school, semester=1, school_class=book.school_class, subject="Toán",
        kind="gk", locks_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip
    homeroom = make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Chủ Nhiệm")
    book.school_class.homeroom_teacher = homeroom
    book.school_class.save(update_fields=["homeroom_teacher"])
    book.mark, book.lock, book.homeroom = mark, lock, homeroom
    book.vice = make_person(unit=book.school, role=Role.VICE_PRINCIPAL, full_name="Phó Hiệu Trưởng")
    book.admin = make_person(unit=book.school, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Trường")
    book.office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Chuyên Viên Phòng")
    return book


@pytest.fixture
def grid_client(client, book):
    """A client logged in as the maths teacher of `book`, and the grid's URLs (grid part)."""
    from django.urls import reverse

    client.force_login(book.maths)
    kwargs = {"class_id": book.school_class.pk, "semester": 1, "subject": "Toán"}
    return SimpleNamespace(
        client=client,
        grid_url=reverse("gradebook:grid", kwargs=kwargs),
        save_url=reverse("gradebook:cell_save", kwargs=kwargs),
        book_url=reverse("gradebook:class_book", kwargs={"class_id": book.school_class.pk, "semester": 1}),
    )


@pytest.fixture(autouse=True)
def _fresh_subject_rules():
    """Each test reads the subject rules of its own database (the process keeps a copy; grid part)."""
    services.rules_forget()
    yield
    services.rules_forget()


# --- progress part: a grade book with marks, an exemption and deadlines -----------------------------------


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
