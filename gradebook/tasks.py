"""Background work of the grade book: recomputing derived results for a whole Office, Department or
province (DESIGN §6–7). `recompute_results` fans out one `recompute_school_results` task per school (a
Celery group), so N workers recompute N schools at a time; each school is read, computed and written in
its own transaction, so a worker's memory is bounded by one school, and a task that fails or is retried
redoes only idempotent work (a school already done writes nothing the second time)."""

from celery import current_app, group, shared_task

from truonghoc.queues import RETRY
from units.models import Unit

from .services import results_recompute

# One school per task: a 2,000-student school is about a second of work, against a few milliseconds of
# broker round trip, so bigger chunks would save nothing and balance the workers worse (a province's last
# tasks would wait on one worker holding several schools).
SCHOOLS_PER_TASK = 1


# acks_late (settings): a worker lost mid-school leaves the task on the queue for another one; RETRY: the
# database restarted, a lost connection, a deadlock.
@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
def recompute_school_results(school_ids: list[int], school_year: str) -> int:
    """Recompute the results of these schools for `school_year`, one after the other; returns students."""
    total = 0
    for school in Unit.objects.filter(pk__in=school_ids).order_by("pk"):
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


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@ASSIGNMENTS.task
def assignment_import_validate_task(batch_id: int) -> str:
    batch = AssignmentImport.objects.select_related("school", "created_by").get(pk=batch_id)
    return ASSIGNMENTS.validate(batch).status  # reads the kept file; only a batch waiting for its check


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@ASSIGNMENTS.task
def assignment_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = AssignmentImport.objects.select_related("school").get(pk=batch_id)
    return assignment_import_apply(actor=_actor(actor_id), batch=batch).status


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@MARKS.task
def mark_import_validate_task(batch_id: int) -> str:
    batch = MarkImport.objects.select_related("school", "school_class", "created_by").get(pk=batch_id)
    return MARKS.validate(batch).status


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
@MARKS.task
def mark_import_apply_task(batch_id: int, actor_id: int | None) -> str:
    batch = MarkImport.objects.select_related("school", "school_class").get(pk=batch_id)
    return mark_import_apply(actor=_actor(actor_id), batch=batch).status


def recompute_results_job(unit_id: int, school_year: str) -> group:
    """The group of per-school tasks covering every school at or below `unit_id` (each school once)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return group([])
    school_ids = list(Unit.objects.schools_under(unit).order_by("pk").values_list("pk", flat=True))
    return group(
        recompute_school_results.s(school_ids[start : start + SCHOOLS_PER_TASK], school_year)
        for start in range(0, len(school_ids), SCHOOLS_PER_TASK)
    )


@shared_task(**RETRY, time_limit=5 * 60, soft_time_limit=4 * 60)
def recompute_results(unit_id: int, school_year: str) -> int:
    """Recompute the results of every school at or below `unit_id` for `school_year`.

    In-process (the embedded mode, CELERY_TASK_ALWAYS_EAGER) the schools run here, one after the other,
    and the students recomputed are returned. With workers, the per-school tasks are queued for them and
    the number of schools queued is returned (a task does not wait for other tasks)."""
    job = recompute_results_job(unit_id, school_year)
    if not job.tasks:
        return 0
    if current_app.conf.task_always_eager:
        return sum(job.apply().get())
    job.apply_async()
    return sum(len(signature.args[0]) for signature in job.tasks)
