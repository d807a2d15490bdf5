"""Background work of teaching: the check and the apply of a timetable workbook (truonghoc.imports). A file
is one school's week: seconds of work; the limits leave room."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import TimetableImport
from .timetable_import import IMPORTER as TIMETABLES
from .timetable_import import timetable_import_apply


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@TIMETABLES.task
def timetable_import_validate_task(batch_id: int) -> str:
    batch = TimetableImport.objects.select_related("school", "created_by").get(pk=batch_id)
    return TIMETABLES.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@TIMETABLES.task
def timetable_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = TimetableImport.objects.select_related("school").get(pk=batch_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return timetable_import_apply(actor=actor, batch=batch).status
