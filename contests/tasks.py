"""Background work of contests: results published at the time set in advance (issue #18, point 3), every minute
from Celery beat. Idempotent: a round already published is skipped, so a run retried or run twice tells nobody
twice."""

from celery import shared_task

from truonghoc.queues import RETRY

from .results import results_publish_due

__all__ = ["results_publish_due_task"]


# A run publishes at most results.PUBLISH_DUE_BATCH rounds and ends within its minute.
@shared_task(**RETRY, time_limit=55, soft_time_limit=50)
def results_publish_due_task() -> int:
    return results_publish_due()
