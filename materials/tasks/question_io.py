"""Celery tasks for question imports: thin, taking ids, safe to run twice (the services check the
batch's status first). An unexpected error marks the batch failed instead of leaving a page polling
forever; the service ran in a transaction, so nothing of the import was written."""

import logging
from functools import wraps

from celery import shared_task
from django.utils.translation import gettext as _

from ..models import QuestionImport
from ..services.question_io.importing import question_import_apply, question_import_run

__all__ = ["question_import_apply_task", "question_import_validate_task"]
logger = logging.getLogger(__name__)


def _fail_batch_on_error(task):
    @wraps(task)
    def wrapped(batch_id, *args):
        try:
            return task(batch_id, *args)
        except Exception:
            logger.exception("Question import %s failed", batch_id)
            QuestionImport.objects.filter(pk=batch_id).update(
                status=QuestionImport.Status.FAILED,
                message=_("Something went wrong on our side; no question was created. Please try again or tell us."),
            )
            return QuestionImport.Status.FAILED

    return wrapped


# 20,000 questions (the most a file may hold) are checked and written in well under ten minutes.
@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
@_fail_batch_on_error
def question_import_validate_task(batch_id: int) -> str:
    batch = QuestionImport.objects.select_related("created_by", "unit").get(pk=batch_id)
    return question_import_run(batch=batch).status


@shared_task(time_limit=15 * 60, soft_time_limit=14 * 60)
@_fail_batch_on_error
def question_import_apply_task(batch_id: int) -> str:
    batch = QuestionImport.objects.get(pk=batch_id)
    return question_import_apply(batch=batch).status
