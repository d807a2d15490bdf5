"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from truonghoc.queues import RETRY

from .models import IssueBatch
from .services.credentials import purge_expired_sheets
from .services.issuing import IMPORTER, import_apply

# Time limits fit a whole province's intake (45,000 rows) on a 2-core machine, with room to spare.
# IMPORTER.task marks the batch failed on an unexpected error (truonghoc.imports).


@shared_task(**RETRY, time_limit=30 * 60, soft_time_limit=28 * 60)
@IMPORTER.task
def import_validate_task(batch_id: int) -> str:
    batch = IssueBatch.objects.select_related("school").get(pk=batch_id)
    return IMPORTER.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(**RETRY, time_limit=30 * 60, soft_time_limit=28 * 60)
@IMPORTER.task
def import_apply_task(batch_id: int, actor_id: int | None) -> str:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    batch = IssueBatch.objects.select_related("school").get(pk=batch_id)
    return import_apply(actor=actor, batch=batch).status


@shared_task(**RETRY, time_limit=5 * 60, soft_time_limit=4 * 60 + 30)
def purge_expired_credential_sheets() -> int:
    return purge_expired_sheets()
