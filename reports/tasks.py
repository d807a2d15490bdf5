"""Background work of reports: the snapshots' recompute (nightly by Celery beat, or from the dashboard) and
the online share's recompute (issue #17), fanned out one school per task like the grade book's results
(gradebook/tasks.py): N workers compute N schools at a time, each in its own transaction; a task retried or
run twice sets the same figures again (idempotent). A final task re-adds the Offices, Departments and the
Ministry from the stored school rows."""

from datetime import date

from celery import chord, current_app, group, shared_task
from django.utils import timezone

from truonghoc.queues import RETRY
from units.models import Unit
from units.periods import current_periods

from .services import share_recompute_schools, share_rollup, stats_recompute

# One school per task: a 2,000-student school is a fraction of a second of work, against a few milliseconds
# of broker round trip; one per task balances a province's 500 schools best over the workers.
SHARE_SCHOOLS_PER_TASK = 1


@shared_task(**RETRY, time_limit=15 * 60, soft_time_limit=14 * 60)
def stats_recompute_task(unit_id: int | None = None) -> int:
    """Recompute the snapshots (everything, or one unit's subtree and the units above it); idempotent. The
    online share is kept as it was, then refreshed school by school (share_recompute)."""
    from django.core.cache import cache

    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    try:
        rows = stats_recompute(unit=unit, share=False)
    finally:
        cache.delete(f"reports:recompute-queued:{unit_id}")
    share_recompute.delay(unit_id)
    return rows


def _periods(today: str):
    # Every task of one fan-out reads the same periods, even when the province runs past midnight.
    return current_periods(date.fromisoformat(today))


# acks_late (settings): a worker lost mid-school leaves the task on the queue for another one; RETRY: the
# database restarted, a lost connection.
@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
def share_recompute_school(school_ids: list[int], today: str) -> int:
    """The online-share figures of these schools' rows; returns the rows updated."""
    return share_recompute_schools(school_ids=school_ids, periods=_periods(today))


@shared_task(**RETRY, time_limit=10 * 60, soft_time_limit=9 * 60)
def share_rollup_task(_results=None, today: str = "") -> int:
    """After the schools: every Office, Department and the Ministry re-added from the school rows."""
    return share_rollup(periods=_periods(today or timezone.localdate().isoformat()))


def share_recompute_job(unit_id: int | None, today: str) -> group:
    """The per-school tasks covering every school at or below `unit_id` (everything without one)."""
    schools = Unit.objects.filter(kind__in=Unit.SCHOOL_KINDS)
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            return group([])
        schools = Unit.objects.schools_under(unit)
    ids = list(schools.order_by("pk").values_list("pk", flat=True))
    return group(
        share_recompute_school.s(ids[start : start + SHARE_SCHOOLS_PER_TASK], today)
        for start in range(0, len(ids), SHARE_SCHOOLS_PER_TASK)
    )


@shared_task(**RETRY, time_limit=5 * 60, soft_time_limit=4 * 60)
def share_recompute(unit_id: int | None = None) -> int:
    """Recompute the online share of every school at or below `unit_id` (a province: its Department), then
    the units above them. In-process (CELERY_TASK_ALWAYS_EAGER) the schools run here one after the other and
    the rows updated are returned; with workers, a chord queues the schools then the roll-up, and the
    number of schools queued is returned."""
    today = timezone.localdate().isoformat()
    job = share_recompute_job(unit_id, today)
    if not job.tasks:
        return 0
    if current_app.conf.task_always_eager:
        # The same bodies, one after the other (a task may not wait on results, even eager ones).
        rows = sum(share_recompute_school(*signature.args) for signature in job.tasks)
        return rows + share_rollup_task(today=today)
    chord(job)(share_rollup_task.s(today=today))
    return sum(len(signature.args[0]) for signature in job.tasks)
