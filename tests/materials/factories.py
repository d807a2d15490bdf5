"""Questions and tests for tests. Built directly, already approved where asked, so each test states only
what it needs; the writes under test go through materials.services."""

from itertools import count

from django.utils import timezone

from materials.models import BlueprintRow, Question, Quiz, QuizItem, VersionStatus
from materials.services.question_rules import clean_question, fingerprint, search_text

_serial = count(1)

OPTIONS = {
    "single": [{"text": "A đúng", "correct": True}, {"text": "B sai"}, {"text": "C sai"}, {"text": "D sai"}],
    "multiple": [{"text": "A đúng", "correct": True}, {"text": "B đúng", "correct": True}, {"text": "C sai"}],
    "true_false": [
        {"text": "Ý thứ nhất, đúng", "correct": True},
        {"text": "Ý thứ hai, sai"},
        {"text": "Ý thứ ba, đúng", "correct": True},
        {"text": "Ý thứ tư, sai"},
    ],
}


def make_question(
    *,
    author,
    unit,
    type="single",
    approved=True,
    subject="Toán",
    grade=6,
    topic="Phân số",
    level=1,
    stem=None,
    options=None,
    numeric_answer=None,
    tolerance=None,
    **fields,
) -> Question:
    """A question of `unit` (a group or school); approved and shared with its school unless
    approved=False (then a draft). Stems are unique unless given."""
    data = clean_question(
        type=type,
        stem=stem or f"Câu hỏi số {next(_serial)}: tính \\(\\frac{{1}}{{2}} + x\\)",
        options=options if options is not None else OPTIONS.get(type, []),
        numeric_answer=numeric_answer if numeric_answer is not None else ("3,5" if type == "numeric" else None),
        tolerance=tolerance,
        subject=subject,
        grade=grade,
        topic=topic,
        level=level,
        check_math=False,
        **{k: fields.pop(k) for k in ("explanation", "answer_guide") if k in fields},
    )
    school = unit.school() if unit.kind in (unit.Kind.GROUP, unit.Kind.CLASS) else unit
    now = timezone.now()
    return Question.objects.create(
        author=author,
        unit=unit,
        status=VersionStatus.APPROVED if approved else VersionStatus.DRAFT,
        shared_with=school if approved else None,
        approved_at=now if approved else None,
        fingerprint=fingerprint(type=data["type"], stem=data["stem"], options=data["options"]),
        search_text=search_text(data),
        **data,
        **fields,
    )


def make_quiz(*, author, unit, questions=(), classes=(), status=Quiz.Status.PUBLISHED, **fields) -> Quiz:
    """A hand-built quiz with `questions` in order, open now for a day unless told otherwise."""
    now = timezone.now()
    fields.setdefault("title", "Kiểm tra 15 phút")
    fields.setdefault("subject", "Toán")
    fields.setdefault("grade", 6)
    fields.setdefault("opens_at", now - timezone.timedelta(minutes=5))
    fields.setdefault("closes_at", now + timezone.timedelta(days=1))
    quiz = Quiz.objects.create(
        author=author, unit=unit, status=status, published_at=now if status == Quiz.Status.PUBLISHED else None, **fields
    )
    QuizItem.objects.bulk_create(QuizItem(quiz=quiz, question=q, position=i) for i, q in enumerate(questions, 1))
    if classes:
        quiz.classes.set(classes)
    return quiz


def make_blueprint_quiz(*, author, unit, rows, pool=(), **fields) -> Quiz:
    """A published blueprint quiz: rows is [(topic, level, count)], pool the questions stored as its items
    (each goes to the row of its topic and level)."""
    quiz = make_quiz(author=author, unit=unit, selection=Quiz.Selection.BLUEPRINT, **fields)
    by_cell = {}
    for topic, level, n in rows:
        by_cell[(topic, level)] = BlueprintRow.objects.create(quiz=quiz, topic=topic, level=level, count=n)
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, question=q, position=i, row=by_cell[(q.topic, q.level)]) for i, q in enumerate(pool, 1)
    )
    return quiz
