"""The grade book's core: rules as data, assignments, and mark_set's refusals and history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gradebook import services
from gradebook.models import Lock, Mark, MarkEvent, MarkKind, SubjectRule


def test_rules_of_a_year_come_from_the_programme_and_carry_over(db):
    created = services.subject_rules_ensure(school_year="2026-2027")
    assert created == SubjectRule.objects.filter(school_year="2026-2027").count() > 50
    maths6 = SubjectRule.objects.get(school_year="2026-2027", grade=6, subject="Toán")
    assert (maths6.periods_per_year, maths6.regular_count, maths6.by_comment) == (140, 4, False)
    civic = SubjectRule.objects.get(school_year="2026-2027", grade=6, subject="Giáo dục công dân")
    assert civic.regular_count == 2
    maths6.periods_per_year = 70
    maths6.save()
    services.subject_rules_ensure(school_year="2027-2028")
    assert SubjectRule.objects.get(school_year="2027-2028", grade=6, subject="Toán").regular_count == 3
    assert services.subject_rules_ensure(school_year="2027-2028") == 0


@pytest.mark.parametrize(
    "typed, stored", [("8,5", Decimal("8.5")), ("8.5", Decimal("8.5")), ("10", Decimal("10.0")), ("0", Decimal("0.0"))]
)
def test_a_typed_mark_is_read_with_one_decimal(typed, stored):
    assert services.read_gradebook_mark(typed) == stored


@pytest.mark.parametrize("typed", ["11", "-1", "8,75", "abc", "1e1"])
def test_a_bad_mark_is_refused(typed):
    with pytest.raises(ValidationError):
        services.read_gradebook_mark(typed)


def _set(book, who, value, **extra):
    fields = {"student_id": book.students[0].pk, "school_class": book.school_class, "subject": "Toán", "semester": 1,
              "kind": MarkKind.REGULAR, "index": 1}  # fmt: skip
    fields.update(extra)
    return services.mark_set(actor=who, value=value, **fields)


def test_the_assigned_teacher_enters_a_mark_and_its_history_is_kept(book):
    mark = _set(book, book.maths, "7,5")
    assert (mark.value, mark.version) == (Decimal("7.5"), 1)
    mark = _set(book, book.maths, "8", expected_version=1)
    assert (mark.value, mark.version) == (Decimal("8.0"), 2)
    events = list(MarkEvent.objects.filter(mark=mark).values_list("old_value", "new_value"))
    assert events == [(None, Decimal("7.5")), (Decimal("7.5"), Decimal("8.0"))]


def test_others_cannot_enter_marks(book):
    for who in (book.other, book.principal):
        with pytest.raises(PermissionDenied):
            _set(book, who, "5")
    assert not Mark.objects.exists()


def test_wrong_column_student_and_stale_version_are_refused(book):
    with pytest.raises(ValidationError):
        _set(book, book.maths, "5", index=5)  # Toán 6 has 4 regular assessments
    with pytest.raises(ValidationError):
        _set(book, book.maths, "5", kind=MarkKind.MIDTERM, index=2)
    outsider = book.principal
    with pytest.raises(ValidationError):
        _set(book, book.maths, "5", student_id=outsider.pk)
    _set(book, book.maths, "6")
    with pytest.raises(services.StaleMark) as refused:
        _set(book, book.maths, "9", expected_version=0)
    assert refused.value.mark.value == Decimal("6.0")
    assert Mark.objects.get().value == Decimal("6.0")


def test_a_locked_mark_is_refused(book):
    _set(book, book.maths, "6")
    Lock.objects.create(
        school=book.school,
        school_year=book.year,
        semester=1,
        school_class=book.school_class,
        subject="Toán",
        kind=MarkKind.REGULAR,
        locks_at=timezone.now() - timedelta(minutes=1),
        set_by=book.principal,
    )
    with pytest.raises(ValidationError) as refused:
        _set(book, book.maths, "9")
    assert refused.value.code == "locked"
    assert Mark.objects.get().value == Decimal("6.0")
    # Another column of the same grid is still open.
    assert _set(book, book.maths, "7", kind=MarkKind.MIDTERM).value == Decimal("7.0")
