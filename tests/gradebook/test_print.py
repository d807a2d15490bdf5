"""The printed grade book (issue #16, point 7 and 8): the class book's data, its A3 PDF and xlsx, the
report cards, the school's semester summary and `manage.py export_gradebook`."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from gradebook import services
from gradebook.book import class_book_data
from gradebook.models import Absence, Conduct
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

A3_LANDSCAPE = (1190.55, 841.89)


def _fill(book, student, marks=(8, 9, 7, 8), midterm=8, end=9):
    for index, value in enumerate(marks, start=1):
        services.mark_set(
            actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
            semester=1, kind="tx", index=index, value=Decimal(value), level="",
        )  # fmt: skip
    for kind, value in (("gk", midterm), ("ck", end)):
        services.mark_set(
            actor=book.maths, student_id=student.pk, school_class=book.school_class, subject="Toán",
            semester=1, kind=kind, index=1, value=Decimal(value), level="",
        )  # fmt: skip


@pytest.fixture
def printed(book):
    student = book.students[0]
    student.full_name = "Lê Thị Ánh Tuyết"
    student.date_of_birth = date(2014, 3, 9)
    student.national_id = "001214000123"
    student.save()
    _fill(book, student)
    Conduct.objects.create(
        student=student, school=book.school, school_class=book.school_class, school_year=book.year,
        semester=1, rating="T", set_by=book.principal,
    )  # fmt: skip
    for day, permitted in ((date(2026, 10, 5), True), (date(2026, 10, 6), False), (date(2026, 10, 7), False)):
        Absence.objects.create(
            student=student, school=book.school, school_class=book.school_class, school_year=book.year,
            day=day, with_permission=permitted, recorded_by=book.principal,
        )  # fmt: skip
    return book


def _line(data, student):
    return next(line for line in data.students if line.student.pk == student.pk)


def _maths(line):
    return next(subject for subject in line.subjects if subject.rule.subject == "Toán")


def test_the_book_derives_averages_conduct_and_absences(printed):
    data = class_book_data(printed.school_class, printed.year)
    line = _line(data, printed.students[0])
    maths = _maths(line)
    # (8 + 9 + 7 + 8 + 2 × 8 + 3 × 9) / (4 + 5) = 75 / 9 = 8,33… → 8,3
    assert maths.terms[1].regulars == [Decimal(8), Decimal(9), Decimal(7), Decimal(8)]
    assert maths.terms[1].average == Decimal("8.3")
    assert maths.terms[2].average is None and maths.year_average is None
    assert line.conduct_label(1) == "Tốt"
    assert (line.absent_with, line.absent_without) == (1, 2)
    assert line.results[1] is None  # the other subjects have no marks yet: the result is not known
    other = _line(data, printed.students[1])
    assert _maths(other).terms[1].average is None and other.conduct_label(1) == ""
    assert [line.number for line in data.students] == [1, 2, 3]


def test_the_book_reads_a_fixed_number_of_queries(printed):
    with CaptureQueriesContext(connection) as small:
        class_book_data(printed.school_class, printed.year)
    for n in range(12):
        student = make_person(unit=printed.school_class, role=Role.STUDENT, full_name=f"Thêm {n}")
        _fill(printed, student)
    with CaptureQueriesContext(connection) as big:
        data = class_book_data(printed.school_class, printed.year)
    assert len(data.students) == 15
    assert len(big) == len(small) <= 10


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"gradebook:{name}", args=args), params)


def test_class_book_pdf_is_a3_landscape_with_vietnamese_text_and_audited(client, printed):
    response = _get(client, printed.principal, "class_book_pdf", printed.school_class.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A3_LANDSCAPE
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Sổ gọi tên và ghi điểm" in text
    assert "Lê Thị Ánh Tuyết" in text and "09/03/2014" in text and "001214000123" in text
    assert "8,3" in text or "8.3" in text
    entry = AuditEntry.objects.get(action="export.gradebook.class_book")
    assert entry.actor == printed.principal and entry.after["rows"] == 3


@pytest.mark.parametrize("who", ["other", "student"])
def test_class_book_refused_to_who_does_not_see_the_class(client, printed, who):
    user = printed.other if who == "other" else printed.students[1]
    for name in ("class_book_pdf", "class_book_xlsx"):
        assert _get(client, user, name, printed.school_class.pk).status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="export.gradebook").exists()


def test_the_subject_teacher_gets_the_xlsx_with_the_same_numbers(client, printed):
    response = _get(client, printed.maths, "class_book_xlsx", printed.school_class.pk)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = next(ws for ws in workbook.worksheets if ws.title.endswith("Toán"))
    rows = list(sheet.iter_rows(values_only=True))
    row = next(r for r in rows if r[1] == "Lê Thị Ánh Tuyết")
    assert row[rows[0].index("ĐTBmhk1")] == "8,3"


def test_a_bad_year_is_a_404(client, printed):
    assert (
        _get(client, printed.principal, "class_book_pdf", printed.school_class.pk, year="2026-2030").status_code == 404
    )


def test_report_cards_for_the_class_and_for_a_student_themself(client, printed):
    response = _get(client, printed.principal, "report_cards_pdf", printed.school_class.pk)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    assert round(float(reader.pages[0].mediabox.width), 1) == 595.3  # A4 portrait
    own = printed.students[0]
    response = _get(client, own, "report_cards_pdf", printed.school_class.pk, student=own.pk)
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Phiếu báo điểm" in text and "Lê Thị Ánh Tuyết" in text
    # a student sees their own card only, never the class or a classmate's
    assert _get(client, own, "report_cards_pdf", printed.school_class.pk).status_code == 403
    other = printed.students[1].pk
    assert _get(client, own, "report_cards_pdf", printed.school_class.pk, student=other).status_code == 403


def test_semester_summary_counts_and_averages(client, printed):
    url_args = (printed.school.pk, 1, "xlsx")
    assert _get(client, printed.maths, "semester_summary", *url_args).status_code == 403
    response = _get(client, printed.principal, "semester_summary", *url_args)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    head, row = rows[0], next(r for r in rows[1:] if r[0] == printed.school_class.name)
    assert row[1] == 3
    assert row[head.index("Toán")] == "8,3"
    assert row[head.index("Rèn luyện: Tốt")] == 1
    pdf = _get(client, printed.principal, "semester_summary", printed.school.pk, 1, "pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert _get(client, printed.principal, "semester_summary", printed.school.pk, 1, "csv").status_code == 404
    assert _get(client, printed.principal, "semester_summary", printed.school.pk, 3, "pdf").status_code == 404


def test_export_gradebook_command(printed, tmp_path):
    out = tmp_path / "book.xlsx"
    call_command("export_gradebook", "--class", printed.school_class.code, "--format", "xlsx", "--out", str(out))
    workbook = load_workbook(out)
    results = list(workbook.worksheets[-1].iter_rows(values_only=True))
    tuyet = next(r for r in results if r[1] == "Lê Thị Ánh Tuyết")
    assert "Tốt" in tuyet and tuyet[8:10] == (1, 2)
    pdf = tmp_path / "book.pdf"
    call_command(
        "export_gradebook", "--class", printed.school_class.code, "--format", "pdf", "--out", str(pdf),
        "--year", printed.year,
    )  # fmt: skip
    page = PdfReader(pdf).pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A3_LANDSCAPE
    with pytest.raises(CommandError):
        call_command("export_gradebook", "--class", "NOPE", "--format", "pdf", "--out", str(pdf))
    with pytest.raises(CommandError):
        call_command(
            "export_gradebook", "--class", printed.school_class.code, "--format", "pdf", "--out", str(pdf),
            "--year", "2026",
        )  # fmt: skip


def test_the_printing_page_links_the_downloads_for_who_may_see_the_book(client, printed):
    response = _get(client, printed.principal, "class_print", printed.school_class.pk)
    assert response.status_code == 200
    pdf_url = reverse("gradebook:class_book_pdf", args=[printed.school_class.pk])
    assert f"{pdf_url}?year={printed.year}" in response.content.decode()
    assert _get(client, printed.other, "class_print", printed.school_class.pk).status_code == 403
    assert _get(client, printed.principal, "class_print", printed.tree.s1.pk).status_code == 404


def _class_with_students(printed, name: str, grade: int):
    """Another class of the school with two students (one with maths marks and a conduct rating) and a
    homeroom teacher."""
    from tests.units.factories import make_unit
    from units.models import Unit
    from units.services import class_set_homeroom_teacher

    school_class = make_unit(printed.school, Unit.Kind.CLASS, name, grade=grade)
    teacher = make_person(unit=printed.tree.g1, role=Role.TEACHER, full_name=f"Chủ nhiệm {name}")
    class_set_homeroom_teacher(actor=None, school_class=school_class, teacher=teacher)
    students = [make_person(unit=school_class, role=Role.STUDENT, full_name=f"Học sinh {name} {n}") for n in (1, 2)]
    Conduct.objects.create(
        student=students[0], school=printed.school, school_class=school_class, school_year=printed.year,
        semester=1, rating="K", set_by=printed.principal,
    )  # fmt: skip
    return school_class, students


def test_the_books_of_many_classes_agree_with_one_class_each(printed):
    from gradebook.book import class_books_data

    other, students = _class_with_students(printed, "6A2", 6)
    books = class_books_data([printed.school_class, other], printed.year)
    assert [book.school_class for book in books] == [printed.school_class, other]
    assert [line.student.pk for line in books[1].students] == [s.pk for s in students]
    assert books[1].homeroom_teacher.full_name == "Chủ nhiệm 6A2" and books[1].school == printed.school
    alone = class_book_data(printed.school_class, printed.year)
    first = _line(books[0], printed.students[0])
    assert _maths(first).terms[1].average == _maths(_line(alone, printed.students[0])).terms[1].average
    assert first.conduct_label(1) == "Tốt" and _line(books[1], students[0]).conduct_label(1) == "Khá"
    assert class_books_data([], printed.year) == []


def test_the_school_summary_costs_the_same_queries_for_2_or_6_classes(printed, django_assert_num_queries):
    from gradebook.summary import semester_summary
    from units.services import class_set_homeroom_teacher

    class_set_homeroom_teacher(actor=None, school_class=printed.school_class, teacher=printed.maths)
    with CaptureQueriesContext(connection) as two:
        table = semester_summary(school=printed.school, school_year=printed.year, semester=1)
    assert len(table.rows) == 2
    for name, grade in (("6A2", 6), ("7A2", 7), ("8A1", 8), ("9A1", 9)):
        _class_with_students(printed, name, grade)
    with django_assert_num_queries(len(two)):
        table = semester_summary(school=printed.school, school_year=printed.year, semester=1)
    assert len(table.rows) == 6 and len(two) <= 12  # two of them: subject_rules_ensure's savepoint
    row = next(row for row in table.rows if row.school_class.name == "8A1")
    assert row.students == 2 and row.conduct["K"] == 1


@pytest.mark.django_db(databases=[])
def test_every_element_of_the_printed_forms_is_in_the_small_user_agent_sheet():
    """printing.py replaces WeasyPrint's user-agent stylesheet by print_css/ua.css: an element missing there
    would print as plain inline text (a table cell without its table display)."""
    import re
    from pathlib import Path

    from django.conf import settings

    from gradebook.printing import CSS_DIR

    ua = (CSS_DIR / "ua.css").read_text(encoding="utf-8")
    known = set(re.findall(r"(?<![-.\w])([a-z][a-z0-9]*)(?=[\s,{:])", ua.split("*/", 1)[1]))
    folder = Path(settings.BASE_DIR) / "templates" / "gradebook" / "print"
    for name in ("base.html", "class_book.html", "report_cards.html", "summary.html"):
        tags = set(re.findall(r"<([a-z][a-z0-9]*)", (folder / name).read_text(encoding="utf-8")))
        assert tags and tags <= known, (name, tags - known)
