"""Exporting questions: the user's selection of the bank in the xlsx template, Moodle XML or GIFT.

The selection is "my questions" or "every question I can use", narrowed by subject, grade, topic,
level and type, through the bank's own search (selectors/questions.py).
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ...models import VersionStatus
from ...selectors.questions import Scope, bank_search
from .gift import export_gift
from .moodle import export_moodle
from .xlsx import export_xlsx

EXPORT_MAX = 10_000
MINE, USABLE = Scope.MINE, Scope.USABLE


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


def questions_for_export(
    *, user, scope: str = USABLE, subject: str = "", grade=None, topic: str = "", level=None, type: str = ""
) -> QuerySet:
    """The bank's own search (selectors.questions.bank_search) with every field loaded, replaced
    questions left out, ordered by topic so categories group them."""
    filters = {"scope": scope, "subject": subject, "grade": grade, "topic": topic, "level": level, "type": type}
    return (
        bank_search(user=user, filters=filters)
        .exclude(status=VersionStatus.SUPERSEDED)
        .defer(None)
        .select_related(None)
        .order_by("subject", "grade", "topic", "pk")
    )


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
