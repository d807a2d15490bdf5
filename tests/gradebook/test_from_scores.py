"""Marks from an online test and from a graded submission, sent into a regular column."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Submission
from gradebook.from_scores import quiz_score_map, scores_send, submission_score_map
from gradebook.models import Lock, Mark, MarkEvent
from materials.models import Attempt
from tests.courses.factories import make_assignment, make_course
from tests.materials.factories import make_quiz


@pytest.fixture
def quiz(book):
    quiz = make_quiz(author=book.maths, unit=book.tree.g1, classes=[book.school_class])
    now = timezone.now()
    for student, score, status in [
        (book.students[0], "8.25", Attempt.Status.GRADED),
        (book.students[1], "6.74", Attempt.Status.GRADED),
        (book.students[2], "9.00", Attempt.Status.SUBMITTED),  # essays not graded yet: no score
    ]:
        Attempt.objects.create(quiz=quiz, student=student, number=1, status=status, score=score, submitted_at=now)
    return quiz


def _send(book, scores, actor=None, index=2):
    return scores_send(
        actor=actor or book.maths,
        scores=scores,
        school_class=book.school_class,
        subject="Toán",
        semester=1,
        index=index,
        source="test:1",
    )


def test_quiz_scores_rounded_half_up_into_the_column(book, quiz):
    scores = quiz_score_map(quiz)
    assert set(scores) == {book.students[0].pk, book.students[1].pk}
    plan = _send(book, scores)
    assert [s.pk for s in plan.skipped] == [book.students[2].pk]
    marks = {m.student_id: m.value for m in Mark.objects.filter(kind="tx", index=2)}
    assert marks == {book.students[0].pk: Decimal("8.3"), book.students[1].pk: Decimal("6.7")}
    assert set(MarkEvent.objects.values_list("source", flat=True)) == {"test:1"}


def test_refusals_write_nothing(book, quiz):
    scores = quiz_score_map(quiz)
    with pytest.raises(PermissionDenied):
        _send(book, scores, actor=book.other)
    with pytest.raises(ValidationError):
        _send(book, scores, index=5)
    with pytest.raises(ValidationError):
        _send(book, {})
    Lock.objects.create(
        school=book.school,
        school_year=book.year,
        semester=1,
        locks_at=timezone.now() - timedelta(hours=1),
        set_by=book.principal,
    )
    with pytest.raises(ValidationError):
        _send(book, scores)
    assert not Mark.objects.exists()


def test_submission_grades(book):
    course = make_course(unit=book.school, author=book.maths)
    task = make_assignment(course=course)
    Submission.objects.create(
        assignment=task, learner=book.students[0], submitted_by=book.students[0], grade="7.45", graded_at=timezone.now()
    )
    Submission.objects.create(assignment=task, learner=book.students[1], submitted_by=book.students[1])
    assert submission_score_map(task) == {book.students[0].pk: Decimal("7.45")}
    plan = _send(book, submission_score_map(task))
    assert Mark.objects.get().value == Decimal("7.5") and len(plan.skipped) == 2


def test_the_pages_preview_then_write(book, quiz):
    client = Client()
    client.force_login(book.maths)
    assert "Kiểm tra 15 phút" in client.get(reverse("gradebook:score_sources")).content.decode()
    url = reverse("gradebook:scores_send", kwargs={"kind": "test", "pk": quiz.pk})
    target = book.maths.teaching_assignments.get().pk
    preview = client.post(url, {"target": target, "index": 1})
    assert 'data-testid="send-rows"' in preview.content.decode() and not Mark.objects.exists()
    client.post(url, {"target": target, "index": 1, "confirm": "1"})
    assert Mark.objects.filter(kind="tx", index=1).count() == 2
    other = Client()
    other.force_login(book.other)
    assert other.get(url).status_code == 404
    assert client.get(reverse("gradebook:scores_send", kwargs={"kind": "nope", "pk": quiz.pk})).status_code == 404
