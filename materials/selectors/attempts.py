"""What a student reads while taking tests: their tests (open, coming up, closed) with their attempts
and best score, their own attempt, and the questions of an attempt as shown to them (options in the
attempt's shuffled order)."""

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attempt, AttemptAnswer, Quiz
from ..models.questions import QuestionType, option_letter
from ..permissions.quizzes import quizzes_for_student_q

HOME_LIMIT = 4
OPEN, UPCOMING, CLOSED = 0, 1, 2


def open_quizzes(*, user, now=None) -> QuerySet[Quiz]:
    """The published tests the user may take: open now first (closing soonest first), then coming up
    (opening soonest first), then closed (latest first). Each carries `phase` (OPEN/UPCOMING/CLOSED),
    `attempts_used`, `best_score` (handed-in attempts only), `current_attempt` (the id of the attempt
    in progress, if any) and `released` (whether scores may be shown). Subqueries keyed by the student,
    so a test with thousands of attempts costs the same as one with none."""
    now = now or timezone.now()
    mine = Attempt.objects.filter(quiz=OuterRef("pk"), student=user).order_by()
    phase = Case(
        When(opens_at__gt=now, then=Value(UPCOMING)),
        When(closes_at__lte=now, then=Value(CLOSED)),
        default=Value(OPEN),
        output_field=IntegerField(),
    )
    return (
        Quiz.objects.filter(quizzes_for_student_q(user))
        .select_related("course")
        .annotate(
            phase=phase,
            attempts_used=Coalesce(Subquery(mine.values("quiz").annotate(n=Count("pk")).values("n")[:1]), Value(0)),
            best_score=Subquery(
                mine.exclude(status=Attempt.Status.IN_PROGRESS)
                .order_by(F("score").desc(nulls_last=True))
                .values("score")[:1]
            ),
            current_attempt=Subquery(mine.filter(status=Attempt.Status.IN_PROGRESS).values("pk")[:1]),
            released=Case(
                When(mode=Quiz.Mode.PRACTICE, then=Value(True)),
                When(closes_at__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            soon=Case(
                When(phase=OPEN, then=F("closes_at")),
                When(phase=UPCOMING, then=F("opens_at")),
            ),
            late=Case(When(phase=CLOSED, then=F("closes_at"))),
        )
        .order_by("phase", F("soon").asc(nulls_last=True), F("late").desc(nulls_last=True), "-pk")
    )


def home_quizzes(*, user, now=None, limit: int = HOME_LIMIT) -> list[Quiz]:
    """The tests open now for the home page, closing soonest first."""
    return list(open_quizzes(user=user, now=now).filter(phase=OPEN)[:limit])


@dataclass
class Choice:
    letter: str  # as shown: A, B, C… in the attempt's order (a–d for true/false statements)
    index: int  # in the question's own order: what the page sends back
    text: str
    selected: bool | None  # true/false: True, False or None (not answered)
    correct: bool


def decorate(answer: AttemptAnswer, *, practice: bool) -> AttemptAnswer:
    """Adds what the page shows: `choices` (in the attempt's order), `answered`, `checked` (practice:
    graded already and locked) and, once checked, the correct answer as `correct_letters` /
    `correct_statements` / `correct_number`."""
    question = answer.question
    options = question.options or []
    order = answer.option_order or list(range(len(options)))
    response = answer.response
    choices = []
    for shown, index in enumerate(order):
        if index >= len(options):
            continue  # the question lost an option after the draw: never show a stale index
        if question.type == QuestionType.TRUE_FALSE:
            selected = response[index] if isinstance(response, list) and index < len(response) else None
        elif question.type == QuestionType.MULTIPLE:
            selected = isinstance(response, list) and index in response
        else:
            selected = response == index and not isinstance(response, bool)
        choices.append(
            Choice(
                letter=option_letter(question.type, shown),
                index=index,
                text=options[index].get("text", ""),
                selected=selected,
                correct=bool(options[index].get("correct")),
            )
        )
    answer.choices = choices
    answer.answered = response not in (None, "", [])
    answer.checked = practice and answer.credit is not None
    answer.show_feedback = answer.checked
    answer.correct_letters = ", ".join(c.letter for c in choices if c.correct)
    answer.correct_number = question.numeric_answer
    answer.is_text = question.type in (QuestionType.NUMERIC, QuestionType.ESSAY)
    return answer


def attempt_page(*, attempt: Attempt) -> list[AttemptAnswer]:
    """The attempt's questions in the order shown, each with its question (one query) and the display
    fields of `decorate`."""
    practice = attempt.quiz.mode == Quiz.Mode.PRACTICE
    answers = AttemptAnswer.objects.filter(attempt=attempt).select_related("question").order_by("position")
    return [decorate(answer, practice=practice) for answer in answers]


def unanswered_positions(*, attempt: Attempt) -> list[int]:
    return list(
        AttemptAnswer.objects.filter(attempt=attempt, response__isnull=True)
        .order_by("position")
        .values_list("position", flat=True)
    )


def answered_count(*, attempt: Attempt) -> tuple[int, int]:
    """(answered, total) for the receipt."""
    counts = AttemptAnswer.objects.filter(attempt=attempt).aggregate(
        total=Count("pk"), answered=Count("pk", filter=Q(response__isnull=False))
    )
    return counts["answered"], counts["total"]


def phase_label(phase: int) -> str:
    return {OPEN: _("Open now"), UPCOMING: _("Coming up"), CLOSED: _("Closed")}[phase]
