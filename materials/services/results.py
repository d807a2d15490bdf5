"""Writes on results: the teacher's mark for an essay, and cancelling a bad question of a test.

Both end in `grading.attempt_rescore`, the one place a score is computed, and both are audited with
the state before and after, because a mark that changes must be explainable later.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.marks import mark_text, parse_mark
from truonghoc.text import nfc_text
from units.services import audit_log

from ..models import Attempt, AttemptAnswer, Question, QuestionType, Quiz, QuizItem
from ..permissions.quizzes import can_manage_quiz
from ..scoring import TEN, question_credit
from ..selectors.results import CANCEL_ACTION, HANDED_IN, RESTORE_ACTION, cancelled_questions
from .grading import attempt_rescore

FEEDBACK_MAX_CHARS = 5000


def _text(value) -> str | None:
    return None if value is None else str(value)


def _notify_graded(attempt: Attempt) -> None:
    """Tell the student their result is ready, if they may see it now (an exam shows results only
    once it has closed; its students find them in their list then)."""
    if attempt.status != Attempt.Status.GRADED or not attempt.quiz.results_released_at(timezone.now()):
        return
    notify(
        recipients=[attempt.student],
        title=_("Your test “%(title)s” has been graded: %(score)s/10")
        % {"title": attempt.quiz.title, "score": mark_text(attempt.score)},
        url=reverse("materials:attempt_review", args=[attempt.pk]),
    )


@transaction.atomic
def essay_grade(*, actor, answer: AttemptAnswer, score, feedback: str = "") -> AttemptAnswer:
    """The teacher's mark for one essay answer, on the 10-point scale for that question (credit =
    mark / 10). Grading again is allowed: the change is audited, the attempt is rescored, and the
    student is told once every answer of the attempt has a mark."""
    # Lock the attempt: two teachers grading two essays of one attempt must not rescore from a stale read.
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz__unit", "quiz__author", "student")
        .get(pk=answer.attempt_id)
    )
    answer = AttemptAnswer.objects.select_related("question").get(pk=answer.pk)
    quiz = attempt.quiz
    if not can_manage_quiz(actor, quiz):
        raise ValidationError(_("Only the test's author and the school's managers can grade it."), code="forbidden")
    if answer.question.type != QuestionType.ESSAY:
        raise ValidationError(_("Only essays are graded by hand; the other questions are graded automatically."))
    if attempt.status == Attempt.Status.IN_PROGRESS:
        raise ValidationError(
            _("This attempt is still in progress; it can be graded once the student has handed it in."),
            code="in_progress",
        )
    mark = parse_mark(score, field="score")
    feedback = nfc_text(feedback or "")
    if len(feedback) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            {"feedback": _("Feedback can be at most %(max)d characters.") % {"max": FEEDBACK_MAX_CHARS}}
        )
    before = {"credit": _text(answer.credit), "feedback": answer.feedback, "score": _text(attempt.score)}
    was_graded = attempt.status == Attempt.Status.GRADED
    answer.credit = (mark / TEN).quantize(Decimal("0.0001"))
    answer.feedback = feedback
    answer.graded_by = actor
    answer.graded_at = timezone.now()
    answer.full_clean()
    answer.save(update_fields=["credit", "feedback", "graded_by", "graded_at"])
    previous_score = attempt.score
    attempt_rescore(attempt=attempt)
    audit_log(
        actor=actor,
        action="attempt.essay_grade",
        unit=quiz.unit,
        target=attempt,
        before=before,
        after={
            "answer": answer.pk,
            "question": answer.question_id,
            "credit": _text(answer.credit),
            "feedback": feedback,
            "score": _text(attempt.score),
        },
    )
    if not was_graded or previous_score != attempt.score:
        _notify_graded(attempt)
    return answer


@transaction.atomic
def quiz_regrade_question(*, actor, quiz: Quiz, question: Question, give_everyone_credit: bool) -> int:
    """Cancel a bad question (give_everyone_credit=True: every handed-in answer to it earns full
    credit), or undo that (False: objective answers are graded again from the question's key).

    The cancellation is kept on the test's QuizItem, so attempts handed in later earn full credit for
    it too (services.attempts reads it when grading). An essay's marks cannot be restored once
    cancelled (they were replaced), so undoing is refused for essays. Returns how many attempts were
    rescored."""
    quiz = Quiz.objects.select_for_update(of=("self",)).select_related("unit", "author").get(pk=quiz.pk)
    if not can_manage_quiz(actor, quiz):
        raise ValidationError(_("Only the test's author and the school's managers can change its marks."))
    if not QuizItem.objects.filter(quiz=quiz, question=question).exists():
        raise ValidationError(_("This question is not part of this test."))
    cancelled = question.pk in cancelled_questions(quiz)
    if give_everyone_credit and cancelled:
        raise ValidationError(_("This question is already cancelled: everyone has full credit for it."))
    if not give_everyone_credit:
        if not cancelled:
            raise ValidationError(_("This question is not cancelled; there is nothing to undo."))
        if question.type == QuestionType.ESSAY:
            raise ValidationError(
                _("A cancelled essay cannot be restored: its marks were replaced. Grade the essays again instead.")
            )
    attempts = list(
        Attempt.objects.select_for_update(of=("self",))
        .filter(quiz=quiz, status__in=HANDED_IN, answers__question=question)
        .select_related("quiz", "student")
        .order_by("pk")
    )
    answers = AttemptAnswer.objects.filter(attempt__in=[a.pk for a in attempts], question=question)
    now = timezone.now()
    QuizItem.objects.filter(quiz=quiz, question=question).update(cancelled_at=now if give_everyone_credit else None)
    if give_everyone_credit:
        answers.update(credit=Decimal(1), graded_by=actor, graded_at=now)
    else:
        changed = []
        for answer in answers.only("pk", "response"):
            answer.credit = question_credit(question, answer.response)
            answer.graded_by = None
            answer.graded_at = None
            changed.append(answer)
        AttemptAnswer.objects.bulk_update(changed, ["credit", "graded_by", "graded_at"], batch_size=500)
    scores_before = {a.pk: _text(a.score) for a in attempts}
    for attempt in attempts:
        was_graded = attempt.status == Attempt.Status.GRADED
        attempt.quiz = quiz
        attempt_rescore(attempt=attempt)
        if not was_graded:
            _notify_graded(attempt)
    audit_log(
        actor=actor,
        action=CANCEL_ACTION if give_everyone_credit else RESTORE_ACTION,
        unit=quiz.unit,
        target=quiz,
        before={"question": question.pk, "scores": scores_before},
        after={"question": question.pk, "scores": {a.pk: _text(a.score) for a in attempts}},
    )
    return len(attempts)


def exam_results_announce(*, now=None, batch: int = 50) -> int:
    """Tells the students of exams that have closed that their results are out (an exam is often graded
    before it closes, when nobody may be told yet). Each exam once; attempts still open at the close are
    closed first so everyone's result is there. Returns how many exams were announced."""
    from .attempts import attempts_close_overdue

    now = now or timezone.now()
    due = list(
        Quiz.objects.alive()
        .filter(
            mode=Quiz.Mode.EXAM,
            status=Quiz.Status.PUBLISHED,
            closes_at__lte=now,
            results_notified_at__isnull=True,
        )
        .order_by("closes_at", "pk")[:batch]
    )
    if due:
        attempts_close_overdue(now=now)
    for quiz in due:
        with transaction.atomic():
            claimed = Quiz.objects.filter(pk=quiz.pk, results_notified_at__isnull=True).update(results_notified_at=now)
            if not claimed:  # another worker announced it
                continue
            students = get_user_model().objects.filter(
                pk__in=Attempt.objects.filter(quiz=quiz, status__in=HANDED_IN).values("student_id")
            )
            notify(
                recipients=students,
                title=_("The results of “%(title)s” are out.") % {"title": quiz.title},
                url=reverse("materials:quiz_taking_list"),
            )
    return len(due)
