"""Background work of the grade book: recomputing derived results for a whole Office, Department or
province, school by school (DESIGN §6–7): each school is read, computed and upserted in its own
transaction, so memory stays bounded by one school and a retry redoes only idempotent upserts."""

from celery import shared_task

from units.models import Unit

from .services import results_recompute


@shared_task(time_limit=30 * 60, soft_time_limit=29 * 60)
def recompute_results(unit_id: int, school_year: str) -> int:
    """Recompute the results of every school at or below `unit_id` for `school_year`; returns students."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return 0
    school_ids = Unit.objects.schools_under(unit).values_list("pk", flat=True)
    total = 0
    for school in Unit.objects.filter(pk__in=list(school_ids)).order_by("pk"):
        total += results_recompute(school=school, school_year=school_year)
    return total


# --- spreadsheet imports (truonghoc.imports): the check and the apply of an assignment or grid file ------
# A file is one school's assignments or one class's grid: seconds of work; the limits leave room.
from django.contrib.auth import get_user_model  # noqa: E402

from .assign_import import IMPORTER as ASSIGNMENTS  # noqa: E402
from .assign_import import assignment_import_apply  # noqa: E402
from .grid_xlsx import IMPORTER as MARKS  # noqa: E402
from .grid_xlsx import mark_import_apply  # noqa: E402
from .models import AssignmentImport, MarkImport  # noqa: E402


def _actor(actor_id: int | None):
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@ASSIGNMENTS.task
def assignment_import_validate_task(batch_id: int) -> str:
    batch = AssignmentImport.objects.select_related("school", "created_by").get(pk=batch_id)
    return ASSIGNMENTS.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@ASSIGNMENTS.task
def assignment_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = AssignmentImport.objects.select_related("school").get(pk=batch_id)
    return assignment_import_apply(actor=_actor(actor_id), batch=batch).status


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@MARKS.task
def mark_import_validate_task(batch_id: int) -> str:
    batch = MarkImport.objects.select_related("school", "school_class", "created_by").get(pk=batch_id)
    return MARKS.validate(batch).status


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
@MARKS.task
def mark_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = MarkImport.objects.select_related("school", "school_class").get(pk=batch_id)
    return mark_import_apply(actor=_actor(actor_id), batch=batch).status
