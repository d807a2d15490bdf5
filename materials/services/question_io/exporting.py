"""Exporting questions: the user's selection of the bank in the xlsx template, Moodle XML or GIFT.

The selection is "my questions" or "every question I can use", narrowed by subject, grade, topic,
level and type. Until the bank's own selectors exist (selectors/questions.py) the filter is built here
from permissions.questions.questions_usable_q.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from units.models import Role
from units.permissions import role_rows

from ...models import Question, VersionStatus
from ...permissions.questions import questions_usable_q
from .gift import export_gift
from .moodle import export_moodle
from .xlsx import export_xlsx

EXPORT_MAX = 10_000
MINE, USABLE = "mine", "usable"


@dataclass(frozen=True)
class ExportFormat:
    extension: str
    content_type: str
    write: object


FORMATS = {
    "xlsx": ExportFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export_xlsx),
    "moodle": ExportFormat("xml", "application/xml; charset=utf-8", export_moodle),
    "gift": ExportFormat("txt", "text/plain; charset=utf-8", export_gift),
}


def may_export_questions(user) -> bool:
    """Anyone who works with the bank (teachers, leaders, managers, staff); never a student, since an
    export carries the answers."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return user.is_superuser or any(role != Role.STUDENT for role, _path, _kind in role_rows(user))


def questions_for_export(
    *, user, scope: str = USABLE, subject: str = "", grade=None, topic: str = "", level=None, type: str = ""
) -> QuerySet:
    """The questions the user may export, filtered; ordered by topic so categories group them."""
    if scope == MINE:
        base = Q(author=user, deleted_at__isnull=True) & ~Q(status=VersionStatus.SUPERSEDED)
    else:
        base = questions_usable_q(user)
    queryset = Question.objects.filter(base)
    if subject:
        queryset = queryset.filter(subject__iexact=subject)
    if grade:
        queryset = queryset.filter(grade=grade)
    if topic:
        queryset = queryset.filter(topic__icontains=topic)
    if level:
        queryset = queryset.filter(level=level)
    if type:
        queryset = queryset.filter(type=type)
    return queryset.order_by("subject", "grade", "topic", "pk")


def export_questions(*, questions, format: str) -> bytes:
    """The file; ValueError with a message when the selection is too large to export at once."""
    chosen = list(questions[: EXPORT_MAX + 1])
    if len(chosen) > EXPORT_MAX:
        raise ValueError(
            _(
                "The selection holds more than %(max)d questions. Narrow it (by subject, grade or topic) and "
                "export again."
            )
            % {"max": EXPORT_MAX}
        )
    return FORMATS[format].write(chosen)
