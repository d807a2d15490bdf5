"""Background work of teaching: building a records archive (issue #17, point 5), and the check and the apply
of a plan file and of a timetable workbook (truonghoc.imports). One archive per task: a school's year is a
few hundred plans at most, each an xlsx and a one-page-or-so PDF. A plan file is a few hundred lines at
most, a timetable file one school's week: seconds of work; the limits leave room."""

from celery import shared_task
from django.contrib.auth import get_user_model

from truonghoc.queues import RETRY

from .models import PlanImport, TimetableImport
from .plan_import import IMPORTER as PLANS
from .plan_import import plan_import_apply
from .timetable_import import IMPORTER as TIMETABLES
from .timetable_import import timetable_import_apply


@shared_task(**RETRY, time_limit=30 * 60, soft_time_limit=29 * 60)
def archive_build_task(archive_id: int) -> str:
    from .archive import archive_build  # the archive module loads WeasyPrint's printing helpers

    return archive_build(archive_id).status


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@PLANS.task
def plan_import_validate_task(batch_id: int) -> str:
    batch = PlanImport.objects.select_related("school", "plan", "group", "created_by").get(pk=batch_id)
    return PLANS.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@PLANS.task
def plan_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = PlanImport.objects.select_related("school").get(pk=batch_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return plan_import_apply(actor=actor, batch=batch).status


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@TIMETABLES.task
def timetable_import_validate_task(batch_id: int) -> str:
    batch = TimetableImport.objects.select_related("school", "created_by").get(pk=batch_id)
    return TIMETABLES.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@TIMETABLES.task
def timetable_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = TimetableImport.objects.select_related("school").get(pk=batch_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return timetable_import_apply(actor=actor, batch=batch).status
