"""Reading the results of a test: scores per student and class, the class summary, item statistics,
the essays waiting for a mark, and the review of one attempt.

Everything here reads a fixed few queries of `values()` rows and works in one pass in Python, so a
test taken by 500 students costs the same handful of queries as one taken by 5.

Item statistics follow classical test theory, on each student's FIRST handed-in attempt: later
attempts come after the student has seen feedback (practice mode) or the same questions, and would
make every item look easier than it is.
- difficulty p = the mean credit earned (0–1; a true/false item's partial credit counts as earned);
- discrimination = the corrected item–total correlation: Pearson's r (point-biserial for a 0/1 item)
  between the item's credit and the student's total credit on the OTHER questions of the attempt, so
  the item does not correlate with itself. It works for blueprint tests too, where students get
  different questions, since every attempt has the same number of questions. An essay not graded yet
  counts 0 in the rest score (as in the score) and is left out of its own item's figures.
- flags, only with at least MIN_ANSWERS answers: too hard (p < 0.2), too easy (p > 0.9), weak
  discrimination (< 0.2), negative discrimination (the better students get it wrong more often: most
  often a wrong key).
For choice questions the share of students choosing each option, overall and in the upper and lower
27% (by rest score), shows which distractor pulls the strong students: the usual sign of a wrong key.
"""

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses.models import Enrolment
from truonghoc.marks import mark_text
from units.models import Role, RoleAssignment, Unit

from ..models import Attempt, AttemptAnswer, QuestionType, Quiz, QuizItem
from ..models.questions import CHOICE_TYPES, option_letter
from ..scoring import number_text, parse_number, points_of

HANDED_IN = (Attempt.Status.SUBMITTED, Attempt.Status.GRADED)
CANCEL_ACTION = "quiz.question_cancel"
RESTORE_ACTION = "quiz.question_restore"
MIN_ANSWERS = 10
TOO_HARD = 0.2
TOO_EASY = 0.9
WEAK_DISCRIMINATION = 0.2
GROUP_SHARE = 0.27
ESSAY_PAGE = 20
# Score bands of Vietnamese report cards: yếu, trung bình, khá, giỏi.
BANDS = (
    (Decimal("0"), Decimal("5"), pgettext_lazy("score band", "Weak (below 5)")),
    (Decimal("5"), Decimal("6.5"), pgettext_lazy("score band", "Average (5 to under 6.5)")),
    (Decimal("6.5"), Decimal("8"), pgettext_lazy("score band", "Fair (6.5 to under 8)")),
    (Decimal("8"), Decimal("10.01"), pgettext_lazy("score band", "Good (8 to 10)")),
)


def band_of(score: Decimal) -> int:
    return next(i for i, (low, high, _label) in enumerate(BANDS) if low <= score < high)


# --- scores ---------------------------------------------------------------------------------------


class ScoreStatus:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    GRADED = "graded"
    LABELS = {
        NOT_STARTED: _("Not started"),
        IN_PROGRESS: _("In progress"),
        WAITING: _("Waiting for essay grading"),
        GRADED: _("Graded"),
    }


@dataclass
class ScoreRow:
    student_id: int
    full_name: str
    username: str
    name_sort: str
    name_folded: str
    class_id: int | None
    class_name: str
    eligible: bool
    attempts: int = 0
    best_score: Decimal | None = None
    best_attempt_id: int | None = None
    last_submitted_at: datetime | None = None
    status: str = ScoreStatus.NOT_STARTED

    @property
    def status_label(self) -> str:
        return ScoreStatus.LABELS[self.status]

    @property
    def best_score_text(self) -> str:
        return mark_text(self.best_score)


def _class_sort(unit: dict | None) -> tuple:
    # Classes by grade then name; students of no class last.
    if unit is None:
        return (1, 0, "")
    return (0, unit["grade"] or 0, unit["name"])


def quiz_scores(*, quiz: Quiz) -> list[ScoreRow]:
    """One row per student who may take the test (students of its classes, active learners of its
    course) or has made an attempt at it (a student who changed class keeps their result), sorted by
    class then name. A student's class is the test's class they study in, else any class they study in,
    else none. Six queries however many students."""
    quiz_class_ids = set(quiz.classes.values_list("pk", flat=True))
    attempts = list(
        Attempt.objects.filter(quiz=quiz)
        .order_by("student_id", "number")
        .values("id", "student_id", "status", "score", "submitted_at")
    )
    learners = set()
    if quiz.course_id:
        learners = set(
            Enrolment.objects.filter(course_id=quiz.course_id, withdrawn_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
    attempters = {a["student_id"] for a in attempts}
    memberships = RoleAssignment.objects.filter(role=Role.STUDENT, unit__kind=Unit.Kind.CLASS).filter(
        Q(unit_id__in=quiz_class_ids) | Q(user_id__in=learners | attempters)
    )
    class_of: dict[int, int] = {}
    in_quiz_class: set[int] = set()
    for user_id, unit_id in memberships.order_by("unit_id").values_list("user_id", "unit_id"):
        if unit_id in quiz_class_ids:
            if user_id not in in_quiz_class:
                class_of[user_id] = unit_id
            in_quiz_class.add(user_id)
        else:
            class_of.setdefault(user_id, unit_id)
    users = get_user_model().objects.filter(pk__in=in_quiz_class | learners | attempters)
    units = {u["id"]: u for u in Unit.objects.filter(pk__in=set(class_of.values())).values("id", "name", "grade")}
    by_student: dict[int, list[dict]] = defaultdict(list)
    for a in attempts:
        by_student[a["student_id"]].append(a)
    rows = []
    for user in users.values("id", "full_name", "username", "name_sort", "name_folded", "is_active"):
        eligible = user["is_active"] and (user["id"] in in_quiz_class or user["id"] in learners)
        if not eligible and user["id"] not in attempters:
            continue
        unit = units.get(class_of.get(user["id"]))
        row = ScoreRow(
            student_id=user["id"],
            full_name=user["full_name"],
            username=user["username"],
            name_sort=user["name_sort"],
            name_folded=user["name_folded"],
            class_id=unit["id"] if unit else None,
            class_name=unit["name"] if unit else "",
            eligible=eligible,
        )
        _fill_attempts(row, by_student.get(user["id"], []))
        rows.append((_class_sort(unit), row.name_sort, row.student_id, row))
    rows.sort(key=lambda item: item[:3])
    return [item[3] for item in rows]


def _fill_attempts(row: ScoreRow, attempts: list[dict]) -> None:
    row.attempts = len(attempts)
    handed = [a for a in attempts if a["status"] in HANDED_IN]
    if handed:
        best = max(handed, key=lambda a: (a["score"] or Decimal(0), a["submitted_at"]))
        row.best_score = best["score"] or Decimal(0)
        row.best_attempt_id = best["id"]
        row.last_submitted_at = max(a["submitted_at"] for a in handed)
    if any(a["status"] == Attempt.Status.IN_PROGRESS for a in attempts):
        row.status = ScoreStatus.IN_PROGRESS
    elif any(a["status"] == Attempt.Status.SUBMITTED for a in handed):
        row.status = ScoreStatus.WAITING
    elif handed:
        row.status = ScoreStatus.GRADED


def score_classes(rows: list[ScoreRow]) -> list[tuple[int | None, str]]:
    """The classes found in the rows, in their order (for the class filter)."""
    seen: dict[int | None, str] = {}
    for row in rows:
        seen.setdefault(row.class_id, row.class_name)
    return list(seen.items())


def filter_scores(rows: list[ScoreRow], *, class_id: int | None = None, words: list[str] = ()) -> list[ScoreRow]:
    """Rows of one class (0: students of no class) whose folded name or username holds every word."""
    if class_id is not None:
        wanted = None if class_id == 0 else class_id
        rows = [r for r in rows if r.class_id == wanted]
    for word in words:
        rows = [r for r in rows if word in r.name_folded or word in r.username.lower()]
    return rows


# --- class summary --------------------------------------------------------------------------------


@dataclass
class ClassSummary:
    class_id: int | None
    class_name: str
    students: int = 0
    handed_in: int = 0
    waiting: int = 0
    average: Decimal | None = None
    median: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    bands: list[int] = field(default_factory=lambda: [0] * len(BANDS))

    def texts(self) -> dict:
        return {name: mark_text(getattr(self, name)) for name in ("average", "median", "minimum", "maximum")}


def _summarise(summary: ClassSummary, rows: list[ScoreRow]) -> ClassSummary:
    summary.students = len(rows)
    scores = [r.best_score for r in rows if r.best_score is not None]
    summary.handed_in = len(scores)
    summary.waiting = sum(1 for r in rows if r.status == ScoreStatus.WAITING)
    if scores:
        two = Decimal("0.01")
        summary.average = (sum(scores) / len(scores)).quantize(two, rounding=ROUND_HALF_UP)
        summary.median = Decimal(statistics.median(scores)).quantize(two, rounding=ROUND_HALF_UP)
        summary.minimum = min(scores)
        summary.maximum = max(scores)
        for score in scores:
            summary.bands[band_of(score)] += 1
    return summary


def class_summary(*, quiz: Quiz, rows: list[ScoreRow] | None = None) -> tuple[list[ClassSummary], ClassSummary]:
    """Per class (and for everyone): students, how many handed in, average, median, lowest and highest
    of each student's best score, and how many fall in each band. Scores still waiting for an essay
    mark count as they stand (the essay 0 for now); `waiting` says how many those are."""
    if rows is None:
        rows = quiz_scores(quiz=quiz)
    grouped: dict[int | None, list[ScoreRow]] = {}
    for row in rows:
        grouped.setdefault(row.class_id, []).append(row)
    classes = [
        _summarise(ClassSummary(class_id=class_id, class_name=members[0].class_name), members)
        for class_id, members in grouped.items()
    ]
    return classes, _summarise(ClassSummary(class_id=None, class_name=""), rows)


def chart_data(classes: list[ClassSummary]) -> dict:
    """The band counts per class, for a stacked bar chart (Chart.js)."""
    return {
        "labels": [c.class_name or str(_("No class")) for c in classes],
        "bands": [str(label) for _low, _high, label in BANDS],
        "counts": [[c.bands[i] for c in classes] for i in range(len(BANDS))],
    }


# --- item statistics ------------------------------------------------------------------------------


class Flag:
    TOO_HARD = "too_hard"
    TOO_EASY = "too_easy"
    WEAK = "weak"
    NEGATIVE = "negative"
    FEW = "few"
    LABELS = {
        TOO_HARD: _("Too hard"),
        TOO_EASY: _("Too easy"),
        WEAK: _("Weak discrimination"),
        NEGATIVE: _("Negative discrimination: check the key"),
        FEW: _("Not enough answers"),
    }
    CSS = {
        TOO_HARD: "text-bg-warning",
        TOO_EASY: "text-bg-info",
        WEAK: "text-bg-warning",
        NEGATIVE: "text-bg-danger",
        FEW: "text-bg-light border",
    }


@dataclass
class OptionStat:
    label: str
    text: str
    correct: bool
    share: float
    upper: float | None
    lower: float | None


@dataclass
class ItemStat:
    position: int
    question: object
    answers: int = 0
    difficulty: float | None = None
    discrimination: float | None = None
    flags: list[str] = field(default_factory=list)
    options: list[OptionStat] = field(default_factory=list)
    blank: float | None = None
    common_wrong: list[tuple[str, int]] = field(default_factory=list)
    cancelled: bool = False

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        return [(Flag.CSS[f], Flag.LABELS[f]) for f in self.flags]

    @property
    def is_flagged(self) -> bool:
        return any(f != Flag.FEW for f in self.flags)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r, or None when either side does not vary (everyone earned the same)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def first_attempt_ids(quiz: Quiz) -> list[int]:
    """Each student's first handed-in attempt."""
    first: dict[int, int] = {}
    for attempt_id, student_id in (
        Attempt.objects.filter(quiz=quiz, status__in=HANDED_IN).order_by("number").values_list("id", "student_id")
    ):
        first.setdefault(student_id, attempt_id)
    return list(first.values())


def _chosen(type_: str, response, index: int) -> bool:
    if type_ == QuestionType.SINGLE:
        return isinstance(response, int) and response == index
    if type_ == QuestionType.MULTIPLE:
        return isinstance(response, list) and index in response
    # true/false: the share that said "true" for the statement
    return isinstance(response, list) and index < len(response) and response[index] is True


def _is_blank(response) -> bool:
    if response is None or response == "" or response == []:
        return True
    return isinstance(response, list) and all(r is None for r in response)


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def item_statistics(*, quiz: Quiz) -> list[ItemStat]:
    """Per question of the test, in its order: answers, difficulty, discrimination, flags and, for
    choice questions, the options' shares (see the module's docstring). Five queries."""
    attempt_ids = first_attempt_ids(quiz)
    rows = list(
        AttemptAnswer.objects.filter(attempt_id__in=attempt_ids).values(
            "attempt_id", "question_id", "credit", "response"
        )
    )
    totals: dict[int, float] = defaultdict(float)
    for row in rows:
        totals[row["attempt_id"]] += float(row["credit"] or 0)
    by_question: dict[int, list[tuple[float, float, object]]] = defaultdict(list)
    for row in rows:
        if row["credit"] is None:
            continue
        credit = float(row["credit"])
        by_question[row["question_id"]].append((credit, totals[row["attempt_id"]] - credit, row["response"]))
    cancelled = cancelled_questions(quiz)
    items = QuizItem.objects.filter(quiz=quiz).select_related("question").order_by("position", "id")
    stats = []
    for position, item in enumerate(items, 1):
        stat = ItemStat(position=position, question=item.question, cancelled=item.question_id in cancelled)
        _fill_item(stat, by_question.get(item.question_id, []))
        stats.append(stat)
    return stats


def _fill_item(stat: ItemStat, answers: list[tuple[float, float, object]]) -> None:
    question = stat.question
    n = stat.answers = len(answers)
    if n:
        credits = [a[0] for a in answers]
        stat.difficulty = sum(credits) / n
        stat.discrimination = pearson(credits, [a[1] for a in answers])
        stat.blank = sum(1 for a in answers if _is_blank(a[2])) / n
    if n < MIN_ANSWERS:
        stat.flags = [Flag.FEW]
    else:
        if stat.difficulty < TOO_HARD:
            stat.flags.append(Flag.TOO_HARD)
        if stat.difficulty > TOO_EASY:
            stat.flags.append(Flag.TOO_EASY)
        if stat.discrimination is not None:
            if stat.discrimination < 0:
                stat.flags.append(Flag.NEGATIVE)
            elif stat.discrimination < WEAK_DISCRIMINATION:
                stat.flags.append(Flag.WEAK)
    if not n:
        return
    ranked = sorted(answers, key=lambda a: a[1])
    size = max(1, math.ceil(n * GROUP_SHARE)) if n >= MIN_ANSWERS else 0
    lower, upper = ranked[:size], ranked[n - size :] if size else []
    if question.type in CHOICE_TYPES:
        for i, option in enumerate(question.options):
            stat.options.append(
                OptionStat(
                    label=option_letter(question.type, i),
                    text=option.get("text", ""),
                    correct=bool(option.get("correct")),
                    share=sum(1 for a in answers if _chosen(question.type, a[2], i)) / n,
                    upper=_share(sum(1 for a in upper if _chosen(question.type, a[2], i)), len(upper)),
                    lower=_share(sum(1 for a in lower if _chosen(question.type, a[2], i)), len(lower)),
                )
            )
    elif question.type == QuestionType.NUMERIC:
        wrong = Counter()
        for credit, _rest, response in answers:
            value = parse_number(response)
            if credit < 1 and value is not None:
                wrong[number_text(value)] += 1
        stat.common_wrong = wrong.most_common(3)


def cancelled_questions(quiz: Quiz) -> set[int]:
    """The questions of the quiz the teacher has cancelled (everyone earns full credit for them)."""
    return set(QuizItem.objects.filter(quiz=quiz, cancelled_at__isnull=False).values_list("question_id", flat=True))


# --- essays ---------------------------------------------------------------------------------------


def _essays(quiz: Quiz):
    return AttemptAnswer.objects.filter(
        attempt__quiz=quiz,
        attempt__status__in=HANDED_IN,
        question__type=QuestionType.ESSAY,
        credit__isnull=True,
    )


def essays_waiting_count(*, quiz: Quiz) -> int:
    return _essays(quiz).count()


def essays_to_grade(*, quiz: Quiz, after: AttemptAnswer | None = None, limit: int = ESSAY_PAGE) -> list[AttemptAnswer]:
    """Essays without a mark, the longest-waiting first; keyset pages: the ones after `after`."""
    essays = _essays(quiz)
    if after is not None:
        handed = after.attempt.submitted_at
        essays = essays.filter(
            Q(attempt__submitted_at__gt=handed)
            | Q(attempt__submitted_at=handed, attempt_id__gt=after.attempt_id)
            | Q(attempt__submitted_at=handed, attempt_id=after.attempt_id, position__gt=after.position)
        )
    return list(
        essays.select_related("attempt__student", "question").order_by(
            "attempt__submitted_at", "attempt_id", "position"
        )[:limit]
    )


def next_essay(*, quiz: Quiz, after: AttemptAnswer) -> AttemptAnswer | None:
    """The next essay to grade after this one; then any skipped before it."""
    following = essays_to_grade(quiz=quiz, after=after, limit=1)
    if following:
        return following[0]
    earlier = _essays(quiz).exclude(pk=after.pk).order_by("attempt__submitted_at", "attempt_id", "position")
    return earlier.first()


# --- review of an attempt -------------------------------------------------------------------------


@dataclass
class ShownOption:
    label: str
    text: str
    correct: bool
    chosen: bool | None  # true/false: the student's True/False/None for the statement


@dataclass
class ReviewItem:
    number: int
    answer: AttemptAnswer
    question: object
    options: list[ShownOption]
    response_text: str
    correct_text: str
    points: Decimal | None
    max_points: Decimal
    answered: bool


def display_order(answer: AttemptAnswer, count: int) -> list[int]:
    """The options' original indexes in the order the student saw them; the question's own order when
    no (valid) permutation was kept."""
    order = answer.option_order or []
    if sorted(order) == list(range(count)):
        return list(order)
    return list(range(count))


def attempt_review(*, attempt: Attempt) -> list[ReviewItem]:
    """The attempt's questions in the order shown, with the options in the order shown, what the
    student answered, the correct answer and the points earned. One query."""
    answers = list(attempt.answers.select_related("question", "graded_by").order_by("position"))
    count = len(answers)
    full = points_of(Decimal(1), count) if count else Decimal(0)
    items = []
    for number, answer in enumerate(answers, 1):
        question = answer.question
        response = answer.response
        options = []
        response_text = correct_text = ""
        if question.type in CHOICE_TYPES:
            for shown, index in enumerate(display_order(answer, len(question.options))):
                option = question.options[index]
                if question.type == QuestionType.TRUE_FALSE:
                    chosen = response[index] if isinstance(response, list) and index < len(response) else None
                else:
                    chosen = _chosen(question.type, response, index)
                options.append(
                    ShownOption(
                        label=option_letter(question.type, shown),
                        text=option.get("text", ""),
                        correct=bool(option.get("correct")),
                        chosen=chosen,
                    )
                )
        elif question.type == QuestionType.NUMERIC:
            response_text = "" if response is None else str(response)
            correct_text = number_text(question.numeric_answer)
            if question.tolerance:
                correct_text += f" ± {number_text(question.tolerance)}"
        else:
            response_text = "" if response is None else str(response)
        items.append(
            ReviewItem(
                number=number,
                answer=answer,
                question=question,
                options=options,
                response_text=response_text,
                correct_text=correct_text,
                points=points_of(answer.credit, count) if answer.credit is not None else None,
                max_points=full,
                answered=not _is_blank(response),
            )
        )
    return items


# --- export ---------------------------------------------------------------------------------------


def export_rows(*, quiz: Quiz, rows: list[ScoreRow], questions: list[int] | None = None):
    """Rows of the score sheet: name, username, class, attempts, best score, status, handed in, then
    (when `questions` is given) the credit of each question in the best attempt. One more query."""
    credits: dict[tuple[int, int], Decimal | None] = {}
    if questions:
        best = [r.best_attempt_id for r in rows if r.best_attempt_id]
        for attempt_id, question_id, credit in AttemptAnswer.objects.filter(attempt_id__in=best).values_list(
            "attempt_id", "question_id", "credit"
        ):
            credits[(attempt_id, question_id)] = credit
    for row in rows:
        line = [
            row.full_name,
            row.username,
            row.class_name,
            row.attempts,
            float(row.best_score) if row.best_score is not None else "",
            str(row.status_label),
            timezone.localtime(row.last_submitted_at).replace(tzinfo=None) if row.last_submitted_at else "",
        ]
        for question_id in questions or []:
            credit = credits.get((row.best_attempt_id, question_id))
            line.append(float(credit) if credit is not None else "")
        yield line
