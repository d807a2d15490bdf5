"""Grade-entry progress: expected and entered cells per teaching assignment, missed deadlines, exact
numbers on real rows, in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gradebook import progress, services
from gradebook.models import Conduct, EntryDeadline, Mark, MarkKind
from tests.accounts.factories import make_person
from tests.gradebook.conftest import _mark
from units.models import Role
from units.services import role_revoke


def test_expected_entered_and_missed_cells_are_exact(filled):
    rows = {
        row.subject: row for row in progress.school_progress(school=filled.school, school_year=filled.year, semester=1)
    }
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
    rows = {
        row.subject: row for row in progress.school_progress(school=filled.school, school_year=filled.year, semester=1)
    }
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
        services.assignment_set(
            actor=filled.principal, school_class=c2, subject=subject, semester=1, teacher=filled.maths
        )
    for student in more:
        _mark(filled, student, "Toán", MarkKind.REGULAR, 1, "5.0", school_class=c2)
    assert count() == before <= 7


# --- the school's page ---------------------------------------------------------------------------------


def test_the_principal_sees_progress_filters_and_behind_only(client, filled):
    url = reverse("gradebook:progress_school", args=[filled.school.pk])
    client.force_login(filled.principal)
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [(r.class_name, r.subject, r.entered, r.expected) for r in rows] == [
        ("6A1", "Giáo dục thể chất", 2, 10),
        ("6A1", "Toán", 6, 18),
    ]
    assert page.context["total"].percent == 28.6
    page = client.get(url, {"teacher": filled.maths.pk})
    assert [r.subject for r in page.context["rows"]] == ["Toán"]
    page = client.get(url, {"subject": "Giáo dục thể chất", "sort": "percent"})
    assert [r.subject for r in page.context["rows"]] == ["Giáo dục thể chất"]
    page = client.get(url, {"sort": "percent"})
    assert [r.subject for r in page.context["rows"]] == ["Giáo dục thể chất", "Toán"]
    assert 'data-testid="progress-table"' in page.content.decode()


def test_behind_only_leaves_out_assignments_on_time(client, filled):
    Mark.objects.filter(subject="Giáo dục thể chất").delete()
    EntryDeadline.objects.filter(kind=MarkKind.REGULAR).update(due=timezone.localdate() + timedelta(days=3))
    client.force_login(filled.principal)
    page = client.get(reverse("gradebook:progress_school", args=[filled.school.pk]), {"behind": "1"})
    assert page.context["rows"] == [] and 'data-testid="no-rows"' in page.content.decode()


def test_progress_page_empty_state_and_who_may_see_it(client, book, tree):
    url = reverse("gradebook:progress_school", args=[tree.s2.pk])
    principal2 = make_person(unit=tree.s2, role=Role.PRINCIPAL)
    client.force_login(principal2)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="no-assignments"' in page.content.decode()
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    client.force_login(office)
    assert client.get(reverse("gradebook:progress_school", args=[book.school.pk])).status_code == 200
    for who in (book.maths, book.students[0], principal2):
        client.force_login(who)
        assert client.get(reverse("gradebook:progress_school", args=[book.school.pk])).status_code == 404


# --- a student's own marks -----------------------------------------------------------------------------


def test_a_student_sees_their_own_marks_and_averages_and_nothing_of_others(client, book):
    s1, s2, _s3 = book.students
    for index, value in enumerate(("8.0", "7.0", "9.0", "6.0"), start=1):
        _mark(book, s1, "Toán", MarkKind.REGULAR, index, value)
    _mark(book, s1, "Toán", MarkKind.MIDTERM, 1, "7.5")
    _mark(book, s1, "Toán", MarkKind.END_OF_TERM, 1, "8.5")
    _mark(book, s2, "Toán", MarkKind.REGULAR, 1, "3.3")
    _mark(book, s2, "Ngữ văn", MarkKind.REGULAR, 1, "4.4")
    Conduct.objects.create(
        student=s1, school=book.school, school_class=book.school_class, school_year=book.year, semester=1,
        rating="T", set_by=book.principal,
    )  # fmt: skip
    client.force_login(s1)
    page = client.get(reverse("gradebook:my_marks"))
    assert page.status_code == 200
    (maths,) = page.context["subjects"]
    first = maths["semesters"][0]
    # (8 + 7 + 9 + 6 + 2 × 7.5 + 3 × 8.5) / 9 = 70.5 / 9 = 7.83… → 7.8
    assert first["average"] == Decimal("7.8") and maths["year_average"] is None
    html = page.content.decode()
    assert "7,8" in html or "7.8" in html
    assert "3,3" not in html and "3.3" not in html and "Ngữ văn" not in html and "4,4" not in html
    assert page.context["conduct"] == {1: "Tốt"}


def test_a_student_without_marks_sees_the_empty_state(client, book):
    client.force_login(book.students[2])
    page = client.get(reverse("gradebook:my_marks"))
    assert page.status_code == 200 and 'data-testid="no-marks"' in page.content.decode()


def test_home_links_the_students_marks_and_the_principals_progress(client, book):
    client.force_login(book.students[0])
    html = client.get(reverse("home")).content.decode()
    assert reverse("gradebook:my_marks") in html
    assert reverse("gradebook:progress_school", args=[book.school.pk]) not in html
    client.force_login(book.principal)
    html = client.get(reverse("home")).content.decode()
    assert reverse("gradebook:progress_school", args=[book.school.pk]) in html
    assert reverse("gradebook:my_marks") not in html


# --- the demo --------------------------------------------------------------------------------------------


def test_the_demo_fills_a_school_grade_book_once(book):
    from gradebook.demo import seed_demo_gradebook
    from gradebook.models import Lock, MarkEvent, TeachingAssignment

    student = book.students[0]
    TeachingAssignment.objects.all().delete()
    written = seed_demo_gradebook(school=book.school, principal=book.principal, teacher=book.maths, student=student)
    assert written > 0 and Mark.objects.count() == written == MarkEvent.objects.filter(source="demo").count()
    maths = TeachingAssignment.objects.get(school_class=book.school_class, subject="Toán")
    assert maths.teacher == book.maths
    # Every subject of grades 6 and 7 is assigned (12 each in the 2018 programme).
    assert TeachingAssignment.objects.count() == 24
    assert EntryDeadline.objects.filter(school=book.school).count() == 3
    assert Lock.objects.filter(school=book.school).count() == 2
    semester = TeachingAssignment.objects.values_list("semester", flat=True).first()
    rows = progress.school_progress(school=book.school, school_year=book.year, semester=semester)
    total = progress.totals(rows)
    assert 0 < total.entered < total.expected == 3 * sum(r.columns for r in rows if r.class_name == "6A1")
    assert seed_demo_gradebook(school=book.school, principal=book.principal, teacher=book.maths, student=student) == 0
