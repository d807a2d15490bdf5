"""Celery tasks for question imports: thin, taking ids, safe to run twice (the import engine checks the
batch's status first). IMPORTER.task marks the batch failed on an unexpected error instead of leaving a
page polling forever; the step ran in a transaction, so nothing of the import was written."""

from celery import shared_task

from truonghoc.queues import RETRY

from ..models import QuestionImport
from ..services.question_io.importing import IMPORTER, question_import_apply, question_import_run

__all__ = ["question_import_apply_task", "question_import_validate_task"]


# 20,000 questions (the most a file may hold) are checked and written in well under ten minutes.
@shared_task(**RETRY, time_limit=15 * 60, soft_time_limit=14 * 60)
@IMPORTER.task
def question_import_validate_task(batch_id: int) -> str:
    batch = QuestionImport.objects.select_related("created_by", "unit").get(pk=batch_id)
    return question_import_run(batch=batch).status


@shared_task(**RETRY, time_limit=15 * 60, soft_time_limit=14 * 60)
@IMPORTER.task
def question_import_apply_task(batch_id: int) -> str:
    batch = QuestionImport.objects.get(pk=batch_id)
    return question_import_apply(batch=batch).status
