"""Thin Celery tasks of units: they take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from truonghoc.queues import RETRY

from .importing import IMPORTER, unit_import_apply
from .models import UnitImport

# A country's file (63 Departments, 700 Offices, 45,000 schools) is checked and written in well under
# two minutes (bench/bench_import_units.py); the limits leave room on a busy machine.


@shared_task(**RETRY, time_limit=30 * 60, soft_time_limit=28 * 60)
@IMPORTER.task
def unit_import_validate_task(batch_id: int) -> str:
    batch = UnitImport.objects.select_related("under").get(pk=batch_id)
    return IMPORTER.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(**RETRY, time_limit=30 * 60, soft_time_limit=28 * 60)
@IMPORTER.task
def unit_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    batch = UnitImport.objects.select_related("under").get(pk=batch_id)
    return unit_import_apply(actor=actor, batch=batch).status
