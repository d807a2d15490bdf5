from celery import shared_task

from truonghoc.queues import RETRY
from units.models import Unit

from .services import stats_recompute


@shared_task(**RETRY, time_limit=15 * 60, soft_time_limit=14 * 60)
def stats_recompute_task(unit_id: int | None = None) -> int:
    """Recompute the snapshots (everything, or one unit's subtree and the units above it); idempotent."""
    from django.core.cache import cache

    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    try:
        return stats_recompute(unit=unit)
    finally:
        cache.delete(f"reports:recompute-queued:{unit_id}")
