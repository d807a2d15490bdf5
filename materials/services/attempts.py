"""Taking a test: starting an attempt, saving answers, handing in, and closing attempts left open past
their deadline. Grading of objective answers happens here (materials.scoring); the score itself is
always computed by materials.services.grading.attempt_rescore.

Concurrency, because a whole school hands in at the same minute:
- Two clicks on "Start" make one attempt: the partial unique constraint `attempt_one_in_progress`
  refuses the second insert, which then returns the first attempt.
- Saving an answer is one UPDATE of the answer row (after one read of the answer with its question).
  It takes no lock that other saves wait for: its check of the attempt's status reads the attempt row
  FOR KEY SHARE, the lock a foreign key check takes, which only waits while that attempt is being
  handed in, and then sees it handed in. So an answer is either graded or refused, never "saved"
  after grading without counting.
- Handing in locks the attempt row: twice at once or twice in a row grades once; the second call
  returns the attempt already handed in.

Practice mode: the student may change an answer until they press "Check" on it; checking saves the
answer, grades it at once (its credit is stored) and locks it, so the correct answer and explanation
shown cannot be copied back into the answer. An essay has no right answer to show: checking shows its
marking guide and does not lock it.
"""

import json
import random
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.params import parse_int
from truonghoc.text import nfc, nfc_text

from ..models import Attempt, AttemptAnswer, Quiz, QuizItem
from ..models.questions import CHOICE_TYPES, QuestionType
from ..models.quizzes import ANSWER_GRACE
from ..permissions.quizzes import why_cannot_start
from ..scoring import question_credit
from .grading import attempt_rescore

# The last answer sent as the timer runs out is still on its way: it is accepted this long after.
NUMERIC_MAX_CHARS = 40
ESSAY_MAX_CHARS = 20_000
# Nobody should be able to predict their draw or the order of the options from the time or a seed.
_random = random.SystemRandom()


# --- starting ----------------------------------------------------------------------------------


def is_overdue(attempt: Attempt, now=None) -> bool:
    """Past the deadline and its grace: nothing more is accepted, the attempt is closed as it stands."""
    now = now or timezone.now()
    return attempt.deadline is not None and now > attempt.deadline + ANSWER_GRACE


def deadline_for(quiz: Quiz, started_at):
    """The time limit from the start, cut at the test's close; None when there is neither."""
    ends = [moment for moment in (quiz.closes_at,) if moment is not None]
    if quiz.time_limit:
        ends.append(started_at + timedelta(minutes=quiz.time_limit))
    return min(ends) if ends else None


def _draw(quiz: Quiz) -> list[tuple]:
    """The questions of a new attempt as (question_id, option_order), in the order shown.

    A hand-built test gives every item; a blueprint test draws each row's count from its pool. The
    options of single and multiple choice questions are permuted when the test shuffles options; the
    four statements of a true/false question keep their a–d order (the exam format refers to them)."""
    items = list(
        QuizItem.objects.filter(quiz=quiz)
        .select_related("question", "row")
        .only("position", "row__topic", "row__level", "row__count", "question__type", "question__options")
        .order_by("position", "pk")
    )
    if quiz.selection == Quiz.Selection.BLUEPRINT:
        pools: dict[int, list[QuizItem]] = {}
        for item in items:
            if item.row_id is not None:
                pools.setdefault(item.row_id, []).append(item)
        chosen = []
        for pool in sorted(pools.values(), key=lambda p: (p[0].row.topic, p[0].row.level)):
            drawn_here = _random.sample(pool, min(pool[0].row.count, len(pool)))
            chosen.extend(sorted(drawn_here, key=lambda item: (item.position, item.pk)))
    else:
        chosen = items
    if quiz.shuffle_questions:
        _random.shuffle(chosen)
    drawn = []
    for item in chosen:
        question = item.question
        order = list(range(len(question.options))) if question.type in CHOICE_TYPES else []
        if quiz.shuffle_options and question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            _random.shuffle(order)
        drawn.append((item.question_id, order))
    return drawn


def _in_progress(*, student, quiz) -> Attempt | None:
    return Attempt.objects.filter(quiz=quiz, student=student, status=Attempt.Status.IN_PROGRESS).first()


@transaction.atomic
def attempt_start(*, student, quiz: Quiz, now=None) -> Attempt:
    """A new attempt with its questions drawn, or the attempt already in progress (two clicks, two
    tabs). An attempt in progress past its deadline is closed first, as it stands."""
    now = now or timezone.now()
    current = _in_progress(student=student, quiz=quiz)
    if current is not None:
        if not is_overdue(current, now):
            return current
        attempt_submit(student=student, attempt=current, now=now)
    used = Attempt.objects.filter(quiz=quiz, student=student).aggregate(count=Count("pk"), last=Max("number"))
    reason = why_cannot_start(student, quiz, attempts_used=used["count"], now=now)
    if reason:
        raise ValidationError(reason)
    drawn = _draw(quiz)
    if not drawn:
        raise ValidationError(_("This test has no questions yet. Please tell your teacher."))
    try:
        # A savepoint: a second click that loses the race gets the first attempt, not an error.
        with transaction.atomic():
            attempt = Attempt(
                quiz=quiz,
                student=student,
                number=(used["last"] or 0) + 1,
                started_at=now,
                deadline=deadline_for(quiz, now),
            )
            attempt.full_clean(validate_constraints=False)
            attempt.save()
            AttemptAnswer.objects.bulk_create(
                AttemptAnswer(attempt=attempt, question_id=question_id, position=position, option_order=order)
                for position, (question_id, order) in enumerate(drawn, 1)
            )
    except IntegrityError:
        current = _in_progress(student=student, quiz=quiz)
        if current is None:
            raise ValidationError(_("Your attempt could not be started just now. Please try again.")) from None
        return current
    return attempt


# --- answering ---------------------------------------------------------------------------------


def _index(value, count: int) -> int | None:
    """An option index sent by the page ("2" or 2) within the question's options, else None."""
    if isinstance(value, bool):
        return None
    return parse_int(value, minimum=0, maximum=count - 1)


def _truth(value):
    if value is None or value == "":
        return None
    if value in (True, "1", "true", "True", "on"):
        return True
    if value in (False, "0", "false", "False"):
        return False
    raise ValueError


def clean_response(question, response):
    """The response as stored for the question's type (see AttemptAnswer), None for a blank answer;
    raises ValidationError for a malformed one."""
    bad = ValidationError(_("This answer could not be read. Please choose or type it again."))
    kind = question.type
    if response is None or response == "" or response == []:
        return None
    count = len(question.options or [])
    if kind == QuestionType.SINGLE:
        index = _index(response, count)
        if index is None:
            raise bad
        return index
    if kind == QuestionType.MULTIPLE:
        if not isinstance(response, list | tuple):
            response = [response]
        indexes = [_index(value, count) for value in response]
        if any(index is None for index in indexes):
            raise bad
        return sorted(set(indexes)) or None
    if kind == QuestionType.TRUE_FALSE:
        if not isinstance(response, list | tuple) or len(response) != 4:
            raise bad
        try:
            values = [_truth(value) for value in response]
        except ValueError:
            raise bad from None
        return values if any(value is not None for value in values) else None
    if not isinstance(response, str):
        raise bad
    if kind == QuestionType.NUMERIC:
        text = nfc(response)
        if len(text) > NUMERIC_MAX_CHARS:
            raise ValidationError(
                _("A numeric answer is at most %(max)d characters, such as 3,5 or -2.") % {"max": NUMERIC_MAX_CHARS}
            )
        return text or None
    if kind == QuestionType.ESSAY:
        text = nfc_text(response)
        if len(text) > ESSAY_MAX_CHARS:
            raise ValidationError(
                _("This answer is too long: at most %(max)d characters. Nothing was saved; please shorten it.")
                % {"max": ESSAY_MAX_CHARS}
            )
        return text or None
    raise bad


def _answer_row(*, student, attempt_id: int, position: int) -> AttemptAnswer:
    """The answer at `position` of the student's attempt, with its attempt, test and question: one query.
    Raises AttemptAnswer.DoesNotExist for someone else's attempt or a position it does not have."""
    return (
        AttemptAnswer.objects.select_related("attempt__quiz", "question")
        .only(
            "attempt_id",
            "question_id",
            "position",
            "option_order",
            "response",
            "saved_at",
            "credit",
            "attempt__student_id",
            "attempt__status",
            "attempt__deadline",
            "attempt__quiz__mode",
            "attempt__quiz__closes_at",
            "question__type",
            "question__options",
            "question__numeric_answer",
            "question__tolerance",
            "question__explanation",
            "question__answer_guide",
        )
        .get(attempt_id=attempt_id, position=position, attempt__student=student)
    )


def _update_answer(*, answer: AttemptAnswer, response, now, credit) -> bool:
    """The one statement of a save: written only while the attempt is in progress and in time, and
    while the answer has not been checked (practice mode)."""
    answer_table = AttemptAnswer._meta.db_table
    attempt_table = Attempt._meta.db_table
    # Waits only for a hand-in of this attempt that is under way (FOR UPDATE), then sees it handed in.
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {answer_table} SET response = %s{cast}, saved_at = %s, credit = %s "  # noqa: S608
        f"WHERE id = %s AND credit IS NULL AND attempt_id IN ("
        f"SELECT id FROM {attempt_table} WHERE id = %s AND status = %s AND (deadline IS NULL OR deadline >= %s){lock})"
    )
    moment = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                None if response is None else json.dumps(response),
                moment(now),
                credit,
                answer.pk,
                answer.attempt_id,
                Attempt.Status.IN_PROGRESS,
                moment(now - ANSWER_GRACE),
            ],
        )
        return cursor.rowcount == 1


def _refusal(answer: AttemptAnswer, *, student, now) -> ValidationError:
    """Why a save was refused, after the fact (the answer and attempt read again): closing the attempt
    when its time is up."""
    fresh = _answer_row(student=student, attempt_id=answer.attempt_id, position=answer.position)
    attempt = fresh.attempt
    if attempt.status == Attempt.Status.IN_PROGRESS and is_overdue(attempt, now):
        attempt_submit(student=student, attempt=attempt, now=now)
        attempt.status = Attempt.Status.SUBMITTED
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return ValidationError(
            _(
                "Time is up or this attempt was handed in: this answer was not saved. "
                "Your answers saved before the deadline are kept."
            ),
            code="closed",
        )
    if fresh.credit is not None:
        return ValidationError(
            _("You have checked this question: its answer can no longer be changed."), code="checked"
        )
    return ValidationError(_("This answer could not be saved. Please try again."), code="retry")


def answer_save(*, student, attempt, position: int, response, now=None, check: bool = False) -> AttemptAnswer:
    """Saves the student's answer at `position` of their attempt in progress; a blank response clears it.

    `attempt` is the Attempt or its id: the hot path reads the attempt together with the answer and its
    question in one query, then writes with one UPDATE. Refused (ValidationError, nothing changed) for
    a malformed answer, an attempt handed in, or after the deadline and its grace, in which case the
    attempt is closed with the answers saved until then. Raises AttemptAnswer.DoesNotExist when the
    attempt is not the student's or has no such position.

    `check` (practice mode): also grades the answer now and locks it; the returned answer then carries
    its credit, and its question the correct answer and explanation for the page."""
    now = now or timezone.now()
    attempt_id = attempt if isinstance(attempt, int) else attempt.pk
    answer = _answer_row(student=student, attempt_id=attempt_id, position=position)
    current = answer.attempt
    if current.status != Attempt.Status.IN_PROGRESS or is_overdue(current, now):
        raise _refusal(answer, student=student, now=now)
    cleaned = clean_response(answer.question, response)
    practice_check = check and current.quiz.mode == Quiz.Mode.PRACTICE
    credit = question_credit(answer.question, cleaned) if practice_check else None
    if not _update_answer(answer=answer, response=cleaned, now=now, credit=credit):
        raise _refusal(answer, student=student, now=now)
    answer.response, answer.saved_at, answer.credit = cleaned, now, credit
    answer.checked = practice_check
    return answer


# --- handing in --------------------------------------------------------------------------------


def _close(attempt: Attempt, *, now, auto: bool) -> Attempt:
    """Grades every objective answer as saved and hands the attempt in. The attempt row is locked."""
    answers = list(
        # Not attempt.answers: a related manager sets each row's attempt, which would load the deferred
        # attempt_id once per row (40 extra queries per hand-in).
        AttemptAnswer.objects.filter(attempt_id=attempt.pk)
        .select_related("question")
        .only(
            "response",
            "credit",
            "question__type",
            "question__options",
            "question__numeric_answer",
            "question__tolerance",
        )
    )
    # A question the teacher cancelled earns everyone full credit (services.results).
    cancelled = set(
        QuizItem.objects.filter(quiz_id=attempt.quiz_id, cancelled_at__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    for answer in answers:
        if answer.question_id in cancelled:
            answer.credit = Decimal(1)
        else:
            answer.credit = question_credit(answer.question, answer.response)
    AttemptAnswer.objects.bulk_update(answers, ["credit"], batch_size=500)
    attempt.status = Attempt.Status.SUBMITTED
    attempt.auto_submitted = auto
    # Closed by the clock: it ended at the deadline, whenever the server got round to closing it.
    attempt.submitted_at = min(now, attempt.deadline) if auto and attempt.deadline else now
    attempt.save(update_fields=["status", "auto_submitted", "submitted_at"])
    return attempt_rescore(attempt=attempt)


@transaction.atomic
def attempt_submit(*, student, attempt: Attempt, now=None) -> Attempt:
    """Hands the attempt in and grades it. After the deadline and its grace it is closed as it stood
    (auto_submitted): the answers saved until then count. Handing in an attempt already handed in
    (a double click, two tabs, the timer and the button together) returns it unchanged; the returned
    attempt's `just_submitted` says whether this call handed it in."""
    now = now or timezone.now()
    locked = Attempt.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=attempt.pk)
    if locked.student_id != student.pk:
        raise ValidationError(_("This attempt is not yours."))
    locked.just_submitted = False
    if locked.status != Attempt.Status.IN_PROGRESS:
        return locked
    # Handed in at or after the deadline (the page's countdown reached zero, or the last click came in
    # within the grace): it ended at the time limit, and the teacher sees that.
    at_limit = locked.deadline is not None and now >= locked.deadline
    _close(locked, now=now, auto=at_limit)
    locked.just_submitted = True
    return locked


def attempts_close_overdue(*, now=None, batch: int = 500) -> int:
    """Closes up to `batch` attempts still in progress whose deadline and grace have passed (students
    who closed the page), grading them with what was saved. Each in its own transaction, skipping one
    a student is handing in right now. Returns how many were closed."""
    now = now or timezone.now()
    due = list(
        Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lt=now - ANSWER_GRACE)
        .order_by("deadline")
        .values_list("pk", flat=True)[:batch]
    )
    closed = 0
    for pk in due:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk=pk, status=Attempt.Status.IN_PROGRESS)
                .first()
            )
            if attempt is not None:
                _close(attempt, now=now, auto=True)
                closed += 1
    return closed
