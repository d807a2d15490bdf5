"""The regulations' rules through the services and the class book: the year's conduct derived and the
rating after summer training, comment subjects' results, the adjustment and the re-assessment in the stored
results, promotion in the class book, and the primary periodic test columns."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gradebook import classbook, services
from gradebook.book import class_book_data
from gradebook.grid import columns_of
from gradebook.models import Absence, Conduct, Mark, SubjectResult
from tests.accounts.factories import make_person
from tests.gradebook.test_results import fill, put, result
from tests.units.factories import make_unit
from units.models import Role, Unit

pytestmark = pytest.mark.django_db


def conduct(book, student, semester, rating):
    return classbook.conduct_set(
        actor=book.homeroom, school_class=book.school_class, student_id=student.pk, semester=semester, rating=rating
    )


# --- conduct: the year derived, the rating after summer training ------------------------------------------


def test_year_conduct_is_derived_and_only_a_failed_year_takes_an_after_summer_rating(locked_book):
    book = locked_book
    student = book.students[1]
    for semester, rating in ((1, "K"), (2, "T")):
        conduct(book, student, semester, rating)
    with pytest.raises(ValidationError) as refused:
        conduct(book, student, 0, "T")
    assert refused.value.code == "derived" and not Conduct.objects.filter(semester=0).exists()
    conduct(book, student, 2, "CD")  # semester II Chưa đạt: the year is Chưa đạt
    conduct(book, student, 0, "D")
    assert Conduct.objects.get(student=student, semester=0).rating == "D"
    line = next(line for line in class_book_data(book.school_class, book.year).students if line.student == student)
    assert line.conduct[0] == "CD" and line.conduct_after_summer == "D"
    assert line.conduct_labels[0] == "Chưa đạt" and line.conduct_after_summer_label == "Đạt"
    # semester II corrected to Khá: the year is Khá, the left-over summer rating no longer counts
    conduct(book, student, 2, "K")
    line = next(line for line in class_book_data(book.school_class, book.year).students if line.student == student)
    assert line.conduct[0] == "K" and line.conduct_after_summer == ""


def test_after_summer_rating_is_not_locked_by_a_semester_lock(locked_book):
    from django.utils import timezone

    from gradebook import locking

    book = locked_book
    student = book.students[1]
    conduct(book, student, 1, "D")
    conduct(book, student, 2, "CD")
    locking.lock_set(actor=book.principal, school=book.school, semester=2, school_class=book.school_class,
                     locks_at=timezone.now())  # fmt: skip
    with pytest.raises(ValidationError):
        conduct(book, student, 2, "D")
    assert conduct(book, student, 0, "D").rating == "D"


def test_conduct_page_year_tab(locked_book, client):
    book = locked_book
    failed, good = book.students[1], book.students[2]
    for student, ratings in ((failed, ("T", "CD")), (good, ("K", "T"))):
        for semester, rating in zip((1, 2), ratings, strict=True):
            conduct(book, student, semester, rating)
    client.force_login(book.homeroom)
    url = reverse("gradebook:conduct", kwargs={"class_id": book.school_class.pk}) + "?hk=0"
    page = client.get(url)
    html = page.content.decode()
    assert f'name="s{failed.pk}"' in html and f'name="s{good.pk}"' not in html  # only the failed year
    assert [row["derived"] for row in page.context["rows"] if row["student"] == good] == ["Tốt"]
    assert client.post(url, {f"s{failed.pk}": "D", f"s{good.pk}": "T"}).status_code == 302
    assert dict(Conduct.objects.filter(semester=0).values_list("student_id", "rating")) == {failed.pk: "D"}


# --- results through the services --------------------------------------------------------------------------


def test_comment_subject_results_and_unknown_while_an_assessment_is_missing(book):
    student = book.students[0]
    fill(book, student, "8.0")
    put(book, student, "Giáo dục thể chất", 1, "tx", 2, level="CD")  # one regular assessment Chưa đạt
    services.results_recompute(school=book.school, school_year=book.year)
    levels = dict(
        SubjectResult.objects.filter(student=student, subject="Giáo dục thể chất").values_list("semester", "level")
    )
    assert levels == {1: "CD", 2: "D", 0: "D"}  # the year is semester II's result
    assert result(student, book.year, 1).learning == "K"  # Tốt but for that one subject: adjusted to Khá
    Mark.objects.filter(student=student, subject="Giáo dục thể chất", semester=2, kind="ck").update(level="")
    services.results_recompute(school=book.school, school_year=book.year)
    assert SubjectResult.objects.get(student=student, subject="Giáo dục thể chất", semester=2).level == ""
    assert result(student, book.year, 2).learning == ""  # not known yet


def test_one_weak_subject_is_adjusted_two_are_not(book):
    one, two = book.students[0], book.students[1]
    fill(book, one, "8.5", override={"Toán": "3.0"})
    fill(book, two, "8.5", override={"Toán": "3.0", "Ngữ văn": "3.0"})
    services.results_recompute(school=book.school, school_year=book.year)
    assert (result(one, book.year).learning, result(one, book.year).needs_retest) == ("K", False)
    assert (result(two, book.year).learning, result(two, book.year).needs_retest) == ("CD", True)


def test_retest_even_when_the_year_conduct_is_not_passed(locked_book):
    book = locked_book
    student = book.students[1]
    fill(book, student, "6.0", override={"Toán": "3.0", "Ngữ văn": "3.0"})
    conduct(book, student, 1, "D")
    conduct(book, student, 2, "CD")
    services.results_recompute(school=book.school, school_year=book.year)
    assert (result(student, book.year).learning, result(student, book.year).needs_retest) == ("CD", True)


# --- promotion in the class book -----------------------------------------------------------------------------


def _line(book, student):
    return next(line for line in class_book_data(book.school_class, book.year).students if line.student == student)


def test_promotion_in_the_class_book(locked_book):
    book = locked_book
    good, retest, absent = book.students
    for student in (good, retest, absent):
        fill(book, student, "7.0", override={"Toán": "3.0", "Ngữ văn": "3.0"} if student == retest else None)
        conduct(book, student, 1, "T")
        conduct(book, student, 2, "T")
    for n in range(46):
        Absence.objects.create(
            student=absent, school=book.school, school_class=book.school_class, school_year=book.year,
            day=date(2026, 9, 7) + timedelta(days=n), with_permission=n % 2 == 0, recorded_by=book.homeroom,
        )  # fmt: skip
    Absence.objects.create(  # a missed period is not a missed day
        student=good, school=book.school, school_class=book.school_class, school_year=book.year,
        day=date(2026, 9, 7), period=3, subject="Toán", recorded_by=book.homeroom,
    )  # fmt: skip
    assert (_line(book, good).promoted, _line(book, good).promotion_label) == (True, "Lên lớp")
    assert (_line(book, absent).absent_days, _line(book, absent).promoted) == (46, False)
    assert _line(book, absent).promotion_label == "Ở lại"
    line = _line(book, retest)
    assert (line.results[0], line.promoted, line.promotion_label) == ("CD", None, "")  # awaiting the retest
    put(book, retest, "Toán", 0, "kl", value=D("6.0"))
    put(book, retest, "Ngữ văn", 0, "kl", value=D("5.5"))
    line = _line(book, retest)
    assert (line.result_after_retest, line.promoted) == ("K", True)  # six subjects at 7,0, none below 5
    put(book, retest, "Toán", 0, "kl", value=D("3.0"))
    put(book, retest, "Ngữ văn", 0, "kl", value=D("3.0"))
    line = _line(book, retest)
    assert (line.result_after_retest, line.promoted, line.promotion_label) == ("CD", False, "Ở lại")


# --- Circular 27/2020: the primary periodic test columns ----------------------------------------------------


@pytest.fixture
def primary_classes(book):
    teacher = make_person(unit=book.tree.g1, role=Role.TEACHER, full_name="Cô Tiểu Học")
    classes = {}
    for grade in (3, 4):
        school_class = make_unit(book.school, Unit.Kind.CLASS, f"{grade}A1", grade=grade)
        pupil = make_person(unit=school_class, role=Role.STUDENT)
        for subject in ("Toán", "Tiếng Việt", "Tin học và Công nghệ") + (("Khoa học",) if grade == 4 else ()):
            services.assignment_set(actor=book.principal, school_class=school_class, subject=subject, semester=1,
                                    teacher=teacher, school_year=book.year)  # fmt: skip
        classes[grade] = (school_class, pupil)
    return teacher, classes


def _primary_mark(book, teacher, school_class, pupil, subject, kind, value="8"):
    return services.mark_set(
        actor=teacher, student_id=pupil.pk, school_class=school_class, subject=subject, semester=1, kind=kind,
        value=value, school_year=book.year,
    )  # fmt: skip


def test_primary_midterm_only_grades_4_5_tieng_viet_and_toan(book, primary_classes):
    teacher, classes = primary_classes
    grade3, pupil3 = classes[3]
    grade4, pupil4 = classes[4]
    with pytest.raises(ValidationError) as refused:
        _primary_mark(book, teacher, grade3, pupil3, "Toán", "gk")
    assert "Toán lớp 3 không có bài kiểm tra định kì giữa học kì" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        _primary_mark(book, teacher, grade4, pupil4, "Khoa học", "gk")
    assert "Khoa học lớp 4 không có bài kiểm tra định kì giữa học kì" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        _primary_mark(book, teacher, grade4, pupil4, "Toán", "tx")  # no regular marks in primary
    assert not Mark.objects.filter(student__in=[pupil3, pupil4]).exists()
    assert _primary_mark(book, teacher, grade4, pupil4, "Toán", "gk").value == D("8")
    assert _primary_mark(book, teacher, grade4, pupil4, "Tiếng Việt", "gk").value == D("8")
    assert _primary_mark(book, teacher, grade3, pupil3, "Tin học và Công nghệ", "ck").value == D("8")


def test_primary_grid_columns(book):
    rules = services.rules_of_year(book.year)

    def keys(grade, subject):
        return [column.key for column in columns_of(rules[("tt27_2020", grade, subject)])]

    # the semester's level (Mức) first, then the periodic tests
    assert keys(4, "Toán") == ["mh1", "gk1", "ck1"]
    assert keys(3, "Toán") == ["mh1", "ck1"]
    assert keys(5, "Khoa học") == ["mh1", "ck1"]
    assert keys(4, "Đạo đức") == ["mh1"]
    assert [column.label for column in columns_of(rules[("tt27_2020", 4, "Toán")])] == ["Mức", "GK", "CK"]
    assert [column.key for column in columns_of(rules[("tt22_2021", 6, "Toán")])] == [
        "tx1", "tx2", "tx3", "tx4", "gk1", "ck1",
    ]  # fmt: skip


def test_the_class_book_page_of_semester_two_shows_the_year(locked_book, client):
    book = locked_book
    student = book.students[0]
    fill(book, student, "8.5")
    conduct(book, student, 1, "T")
    conduct(book, student, 2, "K")
    client.force_login(book.homeroom)
    url = reverse("gradebook:class_book", kwargs={"class_id": book.school_class.pk, "semester": 2})
    html = client.get(url).content.decode()
    assert 'data-testid="class-book-year"' in html and "Lên lớp" in html
    row = next(line for line in client.get(url).context["year_lines"] if line.student == student)
    assert (row.results[0], row.conduct[0], row.promoted) == ("T", "K", True)
    first = reverse("gradebook:class_book", kwargs={"class_id": book.school_class.pk, "semester": 1})
    assert 'data-testid="class-book-year"' not in client.get(first).content.decode()


def test_the_a3_pdf_and_the_xlsx_show_promotion_and_the_after_summer_rating(locked_book):
    import io

    from pypdf import PdfReader

    from gradebook.printing import class_book_pdf, class_book_workbook

    book = locked_book
    promoted, summer = book.students[0], book.students[1]
    for student in (promoted, summer):
        fill(book, student, "8.5")
    conduct(book, promoted, 1, "T")
    conduct(book, promoted, 2, "T")
    conduct(book, summer, 1, "K")
    conduct(book, summer, 2, "CD")
    conduct(book, summer, 0, "CD")  # after summer training, still Chưa đạt
    data = class_book_data(book.school_class, book.year)
    reader = PdfReader(io.BytesIO(class_book_pdf(data)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Lên lớp" in text and "Ở lại" in text and "sau rèn luyện hè" in text
    workbook, _count = class_book_workbook(data)
    rows = {row[1]: row for row in workbook.worksheets[-1].iter_rows(values_only=True)}
    assert rows[promoted.full_name][-1] == "Lên lớp"
    assert rows[summer.full_name][-3:] == ("", "Chưa đạt", "Ở lại")


def test_primary_progress_expects_the_level_and_the_periodic_tests(book, primary_classes):
    from gradebook.progress import schools_progress

    teacher, classes = primary_classes
    grade4, pupil4 = classes[4]
    _primary_mark(book, teacher, grade4, pupil4, "Toán", "gk")
    rows = schools_progress(school_ids=[book.school.pk], school_year=book.year, semester=1)[book.school.pk]
    expected = {(row.class_name, row.subject): (row.expected, row.entered) for row in rows}
    assert expected[("4A1", "Toán")] == (3, 1)  # the level, the mid-term and end-of-term tests
    assert expected[("4A1", "Khoa học")] == (2, 0)
    assert expected[("3A1", "Toán")] == (2, 0)
    services.mark_set(
        actor=teacher, student_id=pupil4.pk, school_class=grade4, subject="Toán", semester=1, kind="mh",
        level="HTT", school_year=book.year,
    )  # fmt: skip
    rows = schools_progress(school_ids=[book.school.pk], school_year=book.year, semester=1)[book.school.pk]
    expected = {(row.class_name, row.subject): (row.expected, row.entered) for row in rows}
    assert expected[("4A1", "Toán")] == (3, 2)  # the level counts as entered


def test_primary_grid_pages_show_the_level_and_the_test_columns(book, primary_classes, client):
    _teacher, classes = primary_classes
    grade4, _pupil = classes[4]
    client.force_login(book.principal)

    def page(subject):
        url = reverse("gradebook:grid", kwargs={"class_id": grade4.pk, "semester": 1, "subject": subject})
        response = client.get(url)
        assert response.status_code == 200
        return [column.key for column in response.context["columns"]]

    assert page("Toán") == ["mh1", "gk1", "ck1"]
    assert page("Khoa học") == ["mh1", "ck1"]
    assert page("Đạo đức") == ["mh1"]  # assessed by its level only


def test_primary_grid_file_has_the_level_and_the_test_columns(book):
    """The grid's xlsx of a primary subject names its level and periodic tests, never TX columns (Circular
    27/2020)."""
    from gradebook.grid_xlsx import grid_headers

    rules = services.rules_of_year(book.year)
    assert grid_headers(rules[("tt27_2020", 4, "Toán")])[4:] == ["Mức", "GK", "CK", "ĐTBmhk"]
    assert grid_headers(rules[("tt27_2020", 3, "Toán")])[4:] == ["Mức", "CK", "ĐTBmhk"]
    assert grid_headers(rules[("tt22_2021", 6, "Toán")])[4:] == ["TX1", "TX2", "TX3", "TX4", "GK", "CK", "ĐTBmhk"]
