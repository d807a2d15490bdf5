"""Closing attempts left open past their deadline (a student who closed the page or lost the
connection): every minute from Celery beat. Idempotent: an attempt already closed is skipped."""

from celery import shared_task

from truonghoc.queues import RETRY

from ..services.attempts import attempts_close_overdue
from ..services.results import exam_results_announce

__all__ = ["attempts_close_overdue_task"]

BATCH = 500
# A run never outlives the next one by much: 20 batches of 500 fit well within 50 s on a 2-core machine.
MAX_BATCHES = 20


@shared_task(**RETRY, time_limit=55, soft_time_limit=50)
def attempts_close_overdue_task() -> int:
    """Closes overdue attempts in batches of BATCH until none is left (or MAX_BATCHES ran)."""
    closed = 0
    for _ in range(MAX_BATCHES):
        count = attempts_close_overdue(batch=BATCH)
        closed += count
        if count < BATCH:
            break
    # Exams that have just closed: their students are told the results are out.
    exam_results_announce()
    return closed
