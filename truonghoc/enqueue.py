"""Queueing a task when the broker may be down (issue #19, point 5): THE way a request hands work to Celery.

`enqueue(task, args=…)` publishes the task as `apply_async` does. When Redis cannot be reached, the request
does not fail (the person's data is already committed: callers enqueue in `transaction.on_commit`):
  - interactive work (truonghoc/queues.py: an email, a small import a person is waiting for) runs here, in
    this process, as it does without a broker (`make run`): seconds of work, and the person gets its result;
  - bulk work (a province's import, a recompute, an archive) would hold a web process for minutes: it is kept
    in the database (`PendingTask`) and queued by `pending_tasks_send`, which beat runs every minute, as soon
    as the broker answers again (and by `manage.py pending_tasks_send` for an operator who will not wait).
    Tasks are idempotent (they take ids and check their state), so a task queued twice does its work once.
Publishing retries briefly (settings: CELERY_TASK_PUBLISH_RETRY_POLICY = queues.PUBLISH_RETRY) before deciding
the broker is down: a request waits for the broker a second at most, never until it returns.

Without a broker at all (CELERY_TASK_ALWAYS_EAGER, the embedded mode) `enqueue` is `apply_async`: the task
runs here."""

import logging

from celery import current_app
from django.db import transaction

from .queues import BULK, INTERACTIVE, ROUTES

logger = logging.getLogger(__name__)

QUEUED, RAN_HERE, KEPT = "queued", "ran here", "kept"
# Tasks queued per run of pending_tasks_send (the rest wait for the next run, a minute later).
SEND_BATCH = 500


def broker_errors() -> tuple[type[BaseException], ...]:
    """What publishing raises when the broker cannot be reached (kombu wraps the transport's errors in its
    OperationalError; the Redis result backend's subscription may raise Redis' own)."""
    from kombu.exceptions import OperationalError

    errors: tuple[type[BaseException], ...] = (OperationalError, ConnectionError, TimeoutError)
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover (redis is in requirements.txt)
        return errors
    return (*errors, RedisConnectionError, RedisTimeoutError)


def queue_of(task, options: dict) -> str:
    """The queue the task goes to: the one asked for, else its route (truonghoc/queues.py), else bulk."""
    return options.get("queue") or ROUTES.get(task.name, BULK)


def enqueue(task, *, args=(), kwargs=None, **options) -> str:
    """Queue `task`; with the broker down, run it here (interactive) or keep it for later (bulk). Returns
    QUEUED, RAN_HERE or KEPT."""
    args, kwargs = list(args), dict(kwargs or {})
    try:
        task.apply_async(args=args, **({"kwargs": kwargs} if kwargs else {}), **options)
        return QUEUED
    except broker_errors() as error:
        broker_down = error
    if queue_of(task, options) == INTERACTIVE:
        logger.warning("Broker unreachable (%s): %s runs in this process.", type(broker_down).__name__, task.name)
        try:
            task.apply(args=args, kwargs=kwargs)
            return RAN_HERE
        except Exception:
            # Whatever failed here (a mail server down too) is tried again by a worker, later.
            logger.exception("%s failed in this process; kept for the queue.", task.name)
    else:
        logger.warning("Broker unreachable (%s): %s kept until it returns.", type(broker_down).__name__, task.name)
    from .models import PendingTask

    PendingTask.objects.create(name=task.name, args=args, kwargs=kwargs, options=options)
    return KEPT


def pending_tasks_send() -> int:
    """Queue the tasks kept while the broker was down, oldest first; returns how many were queued. A task is
    forgotten only once published; with the broker still down, the rest stay for the next run."""
    from .models import PendingTask

    sent = 0
    for pk in PendingTask.objects.order_by("pk").values_list("pk", flat=True)[:SEND_BATCH]:
        with transaction.atomic():
            # Two runs at once (beat and an operator) each lock a row before sending it: queued once.
            pending = PendingTask.objects.select_for_update().filter(pk=pk).first()
            if pending is None:
                continue
            task = current_app.tasks[pending.name]
            try:
                task.apply_async(args=pending.args, kwargs=pending.kwargs, **pending.options)
            except broker_errors() as error:
                logger.warning("Broker still unreachable (%s): %d tasks wait.", type(error).__name__,
                               PendingTask.objects.count())  # fmt: skip
                break
            pending.delete()
            sent += 1
    return sent
