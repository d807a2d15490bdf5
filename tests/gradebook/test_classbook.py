"""Issue #16, point 4: absences (a day by the homeroom teacher, a period by its teacher), conduct (the
homeroom teacher; a class or school lock locks it), comments; counts per semester for the printed book."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gradebook import classbook, locking
from gradebook.models import Absence, Conduct, StudentComment
from units.models import AuditEntry
from units.selectors import school_year_for


def _school_day(book):
    """A weekday of this school year, in the past (today when the year just began)."""
    year = school_year_for(book.school)
    day = min(timezone.localdate(), year.end)
    return max(day - timedelta(days=1), year.start)


def test_homeroom_records_a_day_a_subject_teacher_their_period(locked_book):
    book, day = locked_book, _school_day(locked_book)
    student = book.students[0].pk
    classbook.absence_record(actor=book.homeroom, school_class=book.school_class, student_id=student, day=day)
    classbook.absence_record(
        actor=book.homeroom, school_class=book.school_class, student_id=student, day=day, with_permission=True
    )
    assert Absence.objects.get(period=0).with_permission is True  # corrected, not doubled
    classbook.absence_record(
        actor=book.maths, school_class=book.school_class, student_id=student, day=day - timedelta(days=1) if
        day > school_year_for(book.school).start else day, period=2, subject="Toán",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # a subject teacher does not record a whole day
        classbook.absence_record(actor=book.maths, school_class=book.school_class, student_id=student, day=day)
    with pytest.raises(PermissionDenied):  # nor another teacher's period
        classbook.absence_record(
            actor=book.other, school_class=book.school_class, student_id=student, day=day, period=3, subject="Toán"
        )
    with pytest.raises(ValidationError):  # the future
        classbook.absence_record(
            actor=book.homeroom, school_class=book.school_class, student_id=student,
            day=timezone.localdate() + timedelta(days=3),
        )  # fmt: skip
    with pytest.raises(ValidationError):  # a period without its subject
        classbook.absence_record(
            actor=book.homeroom, school_class=book.school_class, student_id=student, day=day, period=4
        )
    assert Absence.objects.count() == 2
    assert AuditEntry.objects.filter(action="gradebook.absence_record").count() == 3
    year = school_year_for(book.school)
    counts = classbook.absence_counts(school_class=book.school_class, school_year=year.label, semester=0)
    assert counts[student] == {"days_with": 1, "days_without": 0, "periods_with": 0, "periods_without": 1}
    semester = year.semester_number(day)
    assert (
        classbook.absence_counts(school_class=book.school_class, school_year=year.label, semester=semester)[student][
            "days_with"
        ]
        == 1
    )
    other_semester = 2 if semester == 1 else 1
    assert (
        student
        not in classbook.absence_counts(school_class=book.school_class, school_year=year.label, semester=other_semester)
        or classbook.absence_counts(school_class=book.school_class, school_year=year.label, semester=other_semester)[
            student
        ]["days_with"]
        == 0
    )
    classbook.absence_remove(actor=book.homeroom, absence=Absence.objects.get(period=0))
    assert Absence.objects.count() == 1


def test_conduct_by_the_homeroom_teacher_until_a_class_lock(locked_book):
    book = locked_book
    student = book.students[0].pk
    classbook.conduct_set(
        actor=book.homeroom, school_class=book.school_class, student_id=student, semester=1, rating="T"
    )
    with pytest.raises(ValidationError) as derived:  # the year's conduct is derived, not typed
        classbook.conduct_set(
            actor=book.homeroom, school_class=book.school_class, student_id=student, semester=0, rating="K"
        )
    assert derived.value.code == "derived"
    classbook.conduct_set(
        actor=book.homeroom, school_class=book.school_class, student_id=student, semester=2, rating="CD"
    )
    # year Chưa đạt (semester II Chưa đạt): the rating after summer training is taken
    classbook.conduct_set(
        actor=book.homeroom, school_class=book.school_class, student_id=student, semester=0, rating="K"
    )
    with pytest.raises(PermissionDenied):
        classbook.conduct_set(
            actor=book.maths, school_class=book.school_class, student_id=student, semester=1, rating="D"
        )
    with pytest.raises(ValidationError):
        classbook.conduct_set(
            actor=book.homeroom, school_class=book.school_class, student_id=student, semester=1, rating="X"
        )
    # The column lock of the fixture does not lock conduct; a class lock does.
    locking.lock_set(actor=book.principal, school=book.school, semester=1, school_class=book.school_class,
                     locks_at=timezone.now())  # fmt: skip
    with pytest.raises(ValidationError) as locked:
        classbook.conduct_set(
            actor=book.homeroom, school_class=book.school_class, student_id=student, semester=1, rating="D"
        )
    assert locked.value.code == "locked"
    assert dict(Conduct.objects.values_list("semester", "rating")) == {1: "T", 2: "CD", 0: "K"}


def test_comments_general_by_homeroom_subject_by_its_teacher(locked_book):
    book = locked_book
    student = book.students[0].pk
    klass = book.school_class
    classbook.comment_set(actor=book.homeroom, school_class=klass, student_id=student, semester=1, text="Chăm ngoan")
    classbook.comment_set(
        actor=book.maths, school_class=klass, student_id=student, semester=1, subject="Toán", text="Tiến bộ"
    )
    with pytest.raises(PermissionDenied):
        classbook.comment_set(actor=book.maths, school_class=klass, student_id=student, semester=1, text="x")
    with pytest.raises(PermissionDenied):
        classbook.comment_set(
            actor=book.other, school_class=klass, student_id=student, semester=1, subject="Toán", text="x"
        )
    assert dict(StudentComment.objects.values_list("subject", "text")) == {"": "Chăm ngoan", "Toán": "Tiến bộ"}
    classbook.comment_set(actor=book.homeroom, school_class=klass, student_id=student, semester=1, text="  ")
    assert StudentComment.objects.count() == 1


def test_class_pages(locked_book, client):
    book = locked_book
    klass = book.school_class
    client.force_login(book.homeroom)
    for name in ("absences", "conduct", "comments"):
        assert client.get(reverse(f"gradebook:{name}", kwargs={"class_id": klass.pk})).status_code == 200
    student = book.students[1]
    url = reverse("gradebook:conduct", kwargs={"class_id": klass.pk}) + "?hk=2"
    assert client.post(url, {f"s{student.pk}": "K"}).status_code == 302
    assert Conduct.objects.get(student=student, semester=2).rating == "K"
    url = reverse("gradebook:comments", kwargs={"class_id": klass.pk}) + "?hk=2"
    client.post(url, {f"s{student.pk}": "Ngoan"})
    assert StudentComment.objects.get(student=student).text == "Ngoan"
    day = _school_day(book)
    url = reverse("gradebook:absences", kwargs={"class_id": klass.pk})
    response = client.post(url, {"student": student.pk, "day": day.isoformat(), "period": 0})
    assert response.status_code == 302 and Absence.objects.filter(student=student).exists()
    client.force_login(book.students[0])
    assert client.get(reverse("gradebook:conduct", kwargs={"class_id": klass.pk})).status_code == 404
    assert client.post(url, {"student": student.pk, "day": day.isoformat(), "period": 0}).status_code == 404
