"""Reads of the test builder: my tests, a test's questions, the bank picker, what the bank holds for each
blueprint cell, the classes and courses a test may be given to, and a preview draw.

"The bank" for a test is `bank_q`: the questions the user may use (materials.permissions.questions),
without the user's own revisions still in approval, whose approved original is usable already; counting
both would put two versions of one question in a pool.
"""

import random
from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from courses.models import Course
from courses.selectors.catalogue import my_teaching, title_search_q
from truonghoc.text import fold
from units.models import Unit
from units.permissions import belongs_where_q
from units.selectors import in_subtree_q

from ..models import Attempt, BlueprintRow, CognitiveLevel, Question, QuestionType, Quiz, QuizItem
from ..permissions import OPEN_STATUSES, _active, school_path
from ..permissions.questions import questions_usable_q
from ..permissions.quizzes import managed_school_paths
from .library import search_words

MAX_QUESTIONS = 200
QUIZ_PAGE_SIZE = 25
PICKER_PAGE_SIZE = 20
LEVELS = CognitiveLevel.values


def bank_q(user) -> Q:
    """Questions a test built by `user` may draw on (filter on Question)."""
    return questions_usable_q(user) & ~Q(replaces__isnull=False, status__in=OPEN_STATUSES)


def question_label(question: Question) -> str:
    """How a question is named in messages: its number and the start of its text."""
    stem = " ".join((question.stem or "").split())
    return f"#{question.pk} “{stem[:60]}{'…' if len(stem) > 60 else ''}”"


def quiz_question_count(quiz: Quiz) -> int:
    """How many questions each student gets: every item of a hand-built test, the sum of a blueprint's
    rows. Uses the `item_total`/`row_total` annotations of `my_quizzes` when present."""
    if quiz.selection == Quiz.Selection.BLUEPRINT:
        total = getattr(quiz, "row_total", None)
        if total is None:
            total = quiz.blueprint_rows.aggregate(n=Sum("count"))["n"]
        return total or 0
    total = getattr(quiz, "item_total", None)
    if total is None:
        total = quiz.items.filter(row__isnull=True).count()
    return total


# --- my tests ------------------------------------------------------------------------------------


def _count(qs: QuerySet) -> Subquery:
    return Coalesce(Subquery(qs.values("quiz").annotate(n=Count("pk")).values("n")[:1]), Value(0))


def my_quizzes(*, user, q: str = "", removed: bool = False) -> QuerySet[Quiz]:
    """Tests the user wrote where they still belong, and every test of the schools they manage; removed
    ones on request.
    Each row has `attempt_total`, `item_total` and `row_total`, so a page costs the same few queries."""
    if not _active(user):
        return Quiz.objects.none()
    if user.is_superuser:
        scope = Q()
    else:
        # Their own tests where they still belong (permissions.quizzes.can_manage_quiz), not the old school's.
        scope = Q(author=user) & belongs_where_q(user)
        for path in managed_school_paths(user):
            scope |= in_subtree_q(path)
    qs = (Quiz.objects.removed() if removed else Quiz.objects.alive()).filter(scope)
    # Accent-free, any order: the course catalogue's title search (no search column on Quiz).
    qs = qs.filter(title_search_q(q))
    rows = BlueprintRow.objects.filter(quiz=OuterRef("pk")).values("quiz").annotate(n=Sum("count")).values("n")[:1]
    return (
        qs.select_related("unit", "author", "course")
        .prefetch_related("classes")
        .annotate(
            attempt_total=_count(Attempt.objects.filter(quiz=OuterRef("pk"))),
            item_total=_count(QuizItem.objects.filter(quiz=OuterRef("pk"), row__isnull=True)),
            row_total=Coalesce(Subquery(rows, output_field=IntegerField()), Value(0)),
        )
        .order_by("-created_at", "-id")
    )


def quiz_page(qs: QuerySet, number):
    return Paginator(qs, QUIZ_PAGE_SIZE).get_page(number)


def quiz_items(*, quiz: Quiz) -> list[QuizItem]:
    """The test's hand-picked questions in order (or, published from a blueprint, its pool)."""
    return list(
        quiz.items.select_related("question", "question__author", "row").order_by("row__topic", "position", "id")
    )


# --- building ------------------------------------------------------------------------------------


def class_choices(unit: Unit) -> list[tuple[int | None, list[Unit]]]:
    """The active classes of the unit's school, grouped by grade (grade, classes), in order."""
    path = school_path(unit)
    if not path:
        return []
    groups: dict[int | None, list[Unit]] = defaultdict(list)
    classes = Unit.objects.below(path).filter(kind=Unit.Kind.CLASS, is_active=True).order_by("grade", "name")
    for klass in classes:
        groups[klass.grade].append(klass)
    return list(groups.items())


def course_choices(user) -> QuerySet[Course]:
    """Courses the user teaches (wrote or co-teaches)."""
    return my_teaching(user=user).order_by("title")


def blueprint_availability(*, user, subject: str, grade: int, also=None) -> dict[tuple[str, int], int]:
    """{(topic, level): number of usable questions} for the subject and grade, in one GROUP BY query.
    `also`: another user whose usable questions count too (the test's author, when a manager publishes)."""
    usable = bank_q(user) if also is None or also.pk == user.pk else bank_q(user) | bank_q(also)
    rows = (
        Question.objects.filter(usable, subject=subject, grade=grade)
        .values("topic", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["topic"], row["level"]): row["n"] for row in rows}


def blueprint_grid(*, quiz: Quiz, availability: dict) -> list[dict]:
    """The editor's rows: every topic the bank has for the test's subject and grade, plus those the
    blueprint names already (the bank may have lost them), each with a cell per level: count asked,
    number available."""
    counts = {(row.topic, row.level): row.count for row in quiz.blueprint_rows.all()}
    topics = sorted({t for t, _lv in availability} | {t for t, _lv in counts}, key=lambda t: (fold(t), t))
    return [
        {
            "topic": topic,
            "cells": [
                {
                    "level": level,
                    "count": counts.get((topic, level), 0),
                    "available": availability.get((topic, level), 0),
                }
                for level in LEVELS
            ],
        }
        for topic in topics
    ]


def picker_questions(
    *, user, quiz: Quiz, topic: str = "", level: int | None = None, type: str = "", q: str = ""
) -> QuerySet[Question]:
    """Usable questions of the test's subject and grade not in it yet, newest first."""
    qs = Question.objects.filter(bank_q(user), subject=quiz.subject, grade=quiz.grade).exclude(
        pk__in=QuizItem.objects.filter(quiz=quiz).values("question_id")
    )
    if topic:
        qs = qs.filter(topic=topic)
    if level:
        qs = qs.filter(level=level)
    if type:
        qs = qs.filter(type=type)
    for word in search_words(q):
        qs = qs.filter(search_text__contains=word)
    return qs.select_related("author").order_by("-created_at", "-id")


def picker_topics(*, user, quiz: Quiz) -> list[str]:
    return list(
        Question.objects.filter(bank_q(user), subject=quiz.subject, grade=quiz.grade)
        .order_by("topic")
        .values_list("topic", flat=True)
        .distinct()
    )


def picker_page(qs: QuerySet, number):
    return Paginator(qs, PICKER_PAGE_SIZE).get_page(number)


# --- preview -------------------------------------------------------------------------------------


def preview_questions(*, user, quiz: Quiz) -> tuple[list[Question], bool]:
    """The questions a student would get, in order, and whether it is one random draw (a blueprint).
    A published blueprint draws from its stored pool; a draft from the bank as it is now."""
    if quiz.selection == Quiz.Selection.MANUAL:
        items = quiz.items.filter(row__isnull=True).select_related("question").order_by("position", "id")
        return [item.question for item in items], False
    rng = random.SystemRandom()
    chosen: list[Question] = []
    rows = list(quiz.blueprint_rows.all())
    if quiz.status == Quiz.Status.PUBLISHED:
        pool: dict[int, list[Question]] = defaultdict(list)
        for item in quiz.items.filter(row__isnull=False).select_related("question"):
            pool[item.row_id].append(item.question)
        for row in rows:
            chosen += rng.sample(pool[row.pk], min(row.count, len(pool[row.pk])))
    else:
        cells = Q(pk__in=[])
        for row in rows:
            cells |= Q(topic=row.topic, level=row.level)
        by_cell: dict[tuple[str, int], list[Question]] = defaultdict(list)
        for question in Question.objects.filter(
            bank_q(user) | bank_q(quiz.author), cells, subject=quiz.subject, grade=quiz.grade
        ):
            by_cell[(question.topic, question.level)].append(question)
        for row in rows:
            found = by_cell[(row.topic, row.level)]
            chosen += rng.sample(found, min(row.count, len(found)))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen, True


QUESTION_TYPES = QuestionType.choices
