"""Finding questions: the bank's search and filters, what waits for a reviewer, a question's trail.

The bank searches `Question.search_text` (folded stem, subject, topic, "lop N" and options, kept by the
services) word by word, as the library does, so accents and word order do not matter. Pages are
fetched one row past their size instead of counting every match.
"""

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from approvals import selectors as approval
from truonghoc.paging import Page, count_free_page

from .. import latex
from ..models import Question, QuestionReview, QuestionType, VersionStatus
from ..models.questions import option_letter
from ..permissions.questions import can_view_question, questions_usable_q, sees_question_drafts
from ..scoring import number_text
from .library import ROW_PEOPLE_AND_UNITS, SUBJECTS, Sharing, search_words

PAGE_SIZE = 25
GRADES = tuple(range(1, 13))
MAX_TOPICS = 300
S = VersionStatus


class Scope:
    USABLE = "usable"
    MINE = "mine"
    CHOICES = ((USABLE, _("Questions I can use")), (MINE, _("Questions I wrote")))


# The "status" filter of my own questions: the statuses, and removed ones (to find and restore them).
REMOVED = "removed"
MINE_STATUSES = (*S.choices, (REMOVED, _("Removed")))

_LIST_FIELDS = (
    "id",
    "type",
    "stem",
    "subject",
    "grade",
    "topic",
    "level",
    "status",
    "image",
    "replaces_id",
    "author_id",
    "created_at",
    "updated_at",
    "approved_at",
    "deleted_at",
    *ROW_PEOPLE_AND_UNITS,
)


def bank_search(*, user, filters: dict | None = None) -> QuerySet[Question]:
    """The questions of the bank for a user, newest first. `filters`: scope ("usable", the default: what a
    test of theirs may contain; "mine": what they wrote), q (every word must appear), subject, grade,
    topic, level, type, and for "mine" status (a status, or "removed")."""
    filters = filters or {}
    if filters.get("scope") == Scope.MINE:
        questions = Question.objects.filter(author=user) if user.is_authenticated else Question.objects.none()
        status = filters.get("status") or ""
        if status == REMOVED:
            questions = questions.removed()
        else:
            questions = questions.alive()
            if status in S.values:
                questions = questions.filter(status=status)
    else:
        questions = Question.objects.filter(questions_usable_q(user))
    for word in search_words(filters.get("q") or ""):
        questions = questions.filter(search_text__contains=word)
    if filters.get("subject"):
        questions = questions.filter(subject=filters["subject"])
    if filters.get("grade"):
        questions = questions.filter(grade=filters["grade"])
    if filters.get("topic"):
        questions = questions.filter(topic__iexact=filters["topic"])
    if filters.get("level"):
        questions = questions.filter(level=filters["level"])
    if filters.get("type") in QuestionType.values:
        questions = questions.filter(type=filters["type"])
    return questions.select_related("unit", "shared_with", "author").only(*_LIST_FIELDS).order_by("-created_at", "-id")


def bank_page(questions: QuerySet[Question], *, number=1, size: int = PAGE_SIZE) -> Page:
    """One page in one query (truonghoc.paging), each question with its sharing label and preview."""
    page = count_free_page(questions, number=number, size=size)
    for question in page.items:
        question.sharing_label = Sharing.label(Sharing.of(question.shared_with))
        question.preview = _preview(question.stem)
    return page


def _formula_spans(text: str):
    """(start, end) of each formula with its delimiters, as materials.latex finds them."""
    position = 0
    while True:
        match = latex._OPENING.search(text, position)
        if match is None:
            return
        found = match.group()
        if found in ("\\$", "\\)", "\\]"):
            position = match.end()
            continue
        closing = next(c for o, c, _d in latex.DELIMITERS if o == found)
        end = latex._find_closing(text, match.end(), closing)
        if end < 0:
            yield match.start(), len(text)
            return
        yield match.start(), end + len(closing)
        position = end + len(closing)


def _preview(stem: str, limit: int = 300) -> str:
    """The start of a long stem for a list, never cutting a formula in half (it would show broken)."""
    if len(stem) <= limit:
        return stem
    cut = limit
    for start, end in _formula_spans(stem):
        if start >= cut:
            break
        if end > cut:
            cut = start
            break
    return stem[:cut].rstrip() + " …"


def bank_subjects(*, user) -> list[str]:
    """Subjects offered in the filter: the programme's, and any other found among the usable questions."""
    found = (
        Question.objects.filter(questions_usable_q(user))
        .order_by()
        .values_list("subject", flat=True)
        .distinct()[:MAX_TOPICS]
    )
    extra = sorted(set(found) - set(SUBJECTS))
    return [*SUBJECTS, *extra]


def bank_topics(*, user, subject: str = "", grade: int | None = None) -> list[str]:
    """Topics used by the questions the user may use (and their own), for the filter's suggestions."""
    questions = Question.objects.alive().filter(questions_usable_q(user) | Q(author=user))
    if subject:
        questions = questions.filter(subject=subject)
    if grade:
        questions = questions.filter(grade=grade)
    return list(questions.order_by("topic").values_list("topic", flat=True).distinct()[:MAX_TOPICS])


# --- what waits for reviewers --------------------------------------------------------------------


def waiting_questions(*, user) -> QuerySet[Question]:
    """Questions waiting at a step this user decides (never their own), oldest first."""
    questions = Question.objects.select_related("unit", "author", "replaces")
    return approval.waiting_at_steps(questions, user=user)


def waiting_question_proposals(*, user) -> QuerySet[QuestionReview]:
    """Proposals to share a question, sent to a unit where the user is staff."""
    return approval.waiting_proposals(QuestionReview, user=user)


# --- one question --------------------------------------------------------------------------------


def lineage(question: Question) -> list[Question]:
    """The question and every version of it, oldest first: the rows it replaced and the revisions made
    since. Chains are short (one row per approved change)."""
    older = []
    current = question
    while current.replaces_id:
        current = Question.objects.select_related("author").get(pk=current.replaces_id)
        older.append(current)
    newer = []
    frontier = [question.pk]
    while frontier:
        found = list(Question.objects.filter(replaces__in=frontier).select_related("author").order_by("created_at"))
        newer.extend(found)
        frontier = [q.pk for q in found]
    return [*reversed(older), question, *newer]


def visible_lineage(*, user, question: Question) -> list[Question]:
    """The question's lineage as the user may see it: all of it for its author and the reviewers of a step
    one of its versions waits at, else only the versions they may view (the approved one)."""
    versions = lineage(question)
    if any(sees_question_drafts(user, version) for version in versions):
        return versions
    return [version for version in versions if can_view_question(user, version)]


def question_trail(*, questions: list[Question]) -> list[QuestionReview]:
    """Every step of these questions' approval, in time order."""
    return approval.trail(QuestionReview, items=questions)


def numeric_text(value: Decimal | None) -> str:
    """A stored number as people write it, with the active language's decimal mark ("3,5", not "3.500000").
    Never grouped: "1.000" would read back as one in English."""
    return number_text(value, decimal_mark=get_format("DECIMAL_SEPARATOR"))


def option_rows(question: Question) -> list[dict]:
    """The options with their letters (A, B, C… or a–d for statements), as the detail page shows them."""
    return [
        {
            "letter": option_letter(question.type, i),
            "text": option.get("text", ""),
            "correct": bool(option.get("correct")),
        }
        for i, option in enumerate(question.options or [])
    ]
