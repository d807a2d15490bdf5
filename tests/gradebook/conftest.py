"""A school's grade book to work on: school S1 of the `tree` fixture, its class 6A1 (C1) with three
students, a maths teacher assigned for semester 1, another teacher, the principal and the homeroom teacher."""

from types import SimpleNamespace

import pytest

from gradebook import services
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
