"""The shared package's one task: queue what was kept while the broker was down (truonghoc/enqueue.py)."""

from celery import shared_task

from .enqueue import pending_tasks_send as send
from .queues import RETRY


@shared_task(**RETRY, time_limit=120, soft_time_limit=100)
def pending_tasks_send() -> int:
    return send()
