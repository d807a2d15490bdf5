"""Thin Celery tasks: they take ids, call a service, and are safe to run twice."""

import logging
from functools import wraps

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from .models import IssueBatch
from .services.credentials import purge_expired_sheets
from .services.issuing import import_apply, import_validate

# Time limits fit a whole province's intake (45,000 rows) on a 2-core machine, with room to spare.
logger = logging.getLogger(__name__)


def _fail_batch_on_error(task):
    """An unexpected error must not leave a batch "in progress" forever with a page polling it: the
    batch is marked failed with a message (the import itself ran in a transaction, so nothing of it
    was written) and the error is logged for the developers."""

    @wraps(task)
    def wrapped(batch_id, *args):
        try:
            return task(batch_id, *args)
        except Exception:
            logger.exception("Issuing batch %s failed", batch_id)
            IssueBatch.objects.filter(pk=batch_id).update(
                status=IssueBatch.Status.FAILED,
                message=_("Something went wrong on our side; nothing was created. Please try again or tell us."),
            )
            return IssueBatch.Status.FAILED

    return wrapped


@shared_task(time_limit=30 * 60, soft_time_limit=28 * 60)
@_fail_batch_on_error
def import_validate_task(batch_id: int) -> str:
    batch = IssueBatch.objects.select_related("school").get(pk=batch_id)
    if batch.status != IssueBatch.Status.VALIDATING:
        return batch.status
    with batch.upload.open("rb") as handle:
        content = handle.read()
    return import_validate(batch=batch, content=content).status


@shared_task(time_limit=30 * 60, soft_time_limit=28 * 60)
@_fail_batch_on_error
def import_apply_task(batch_id: int, actor_id: int | None) -> str:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    batch = IssueBatch.objects.select_related("school").get(pk=batch_id)
    return import_apply(actor=actor, batch=batch).status


@shared_task(time_limit=300)
def purge_expired_credential_sheets() -> int:
    return purge_expired_sheets()
