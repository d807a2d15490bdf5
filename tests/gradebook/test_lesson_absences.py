"""`classbook.lesson_absences_set`: a lesson's absences filed from elsewhere (teaching's live lessons), kept in
step with corrections by their source, never duplicated; students it cannot file are skipped and said."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from gradebook.classbook import absence_counts, lesson_absences_set
from gradebook.models import Absence
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role
from units.selectors import school_year_for

pytestmark = pytest.mark.django_db


def _day(book):
    return school_year_for(book.school).start + timedelta(days=20)


def test_filed_once_per_source_and_corrected_in_place(book):
    a, b, c = book.students
    day = _day(book)
    first = lesson_absences_set(
        actor=book.maths,
        source="live:7",
        day=day,
        period=3,
        subject="Toán",
        absences={a.pk: True, b.pk: False, c.pk: None},
    )
    assert (first.written, first.removed, first.skipped) == (2, 0, [])
    rows = {x.student_id: x for x in Absence.objects.filter(source="live:7")}
    assert {k: (v.with_permission, v.period, v.school_class_id, v.school_year) for k, v in rows.items()} == {
        a.pk: (True, 3, book.school_class.pk, book.year),
        b.pk: (False, 3, book.school_class.pk, book.year),
    }
    counts = absence_counts(school_class=book.school_class, school_year=book.year, semester=0)
    assert counts[a.pk]["periods_with"] == 1 and counts[b.pk]["periods_without"] == 1
    same = lesson_absences_set(
        actor=book.maths, source="live:7", day=day, period=3, subject="Toán", absences={a.pk: True, b.pk: False}
    )
    assert (same.written, same.removed, same.unchanged) == (0, 0, 2)
    fixed = lesson_absences_set(
        actor=book.maths, source="live:7", day=day, period=3, subject="Toán", absences={a.pk: False, b.pk: None}
    )
    assert (fixed.written, fixed.removed) == (1, 1)
    assert list(Absence.objects.values_list("student_id", "with_permission")) == [(a.pk, False)]
    # Another lesson the same day and period is another source: its own row.
    lesson_absences_set(actor=book.maths, source="live:8", day=day, period=3, subject="Toán", absences={a.pk: True})
    assert Absence.objects.filter(student=a).count() == 2
    assert AuditEntry.objects.filter(action="gradebook.lesson_absences").count() == 3  # not for "same"


def test_students_it_cannot_file_are_skipped(book):
    teacher_learner = make_person(unit=book.tree.g1, role=Role.TEACHER)  # a learner who is in no class
    a = book.students[0]
    done = lesson_absences_set(
        actor=book.maths, source="live:9", day=_day(book), period=1, subject="Toán",
        absences={a.pk: False, teacher_learner.pk: False},
    )  # fmt: skip
    assert done.skipped == [teacher_learner.pk] and done.written == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"source": ""}, None), ({"period": 0}, "period"), ({"period": 11}, "period"), ({"subject": " "}, "subject")],
)
def test_bad_input_changes_nothing(book, kwargs, field):
    values = {"source": "live:1", "day": _day(book), "period": 2, "subject": "Toán"} | kwargs
    with pytest.raises(ValidationError) as refused:
        lesson_absences_set(actor=book.maths, absences={book.students[0].pk: True}, **values)
    if field:
        assert field in refused.value.message_dict
    assert not Absence.objects.exists()
