"""Celery work by kind (issue #19, point 3): interactive work (notifications, emails, small imports, the
closing of overdue attempts) never waits behind bulk work (large imports, recomputes of statistics and
results, exports, PDF books).

Each kind is a queue with its own workers (the Procfile's `worker_interactive` and `worker_bulk`; `make run`
with REDIS_URL starts one worker on both). THE table of which task goes where is `ROUTES`, read by
settings (`CELERY_TASK_ROUTES`); tests/truonghoc/test_queues.py fails on a task that has no route, on a task
without time limits, and on limits above its kind's ceiling (`KINDS`).

Imports are the one task family whose kind depends on the work: `truonghoc.imports.Importer.dispatch` sends a
file of up to IMPORT_INTERACTIVE_MAX_ROWS rows to the interactive queue with that kind's limits, a larger one
to the bulk queue (the route below, so an import queued any other way is treated as large).

Every task is `acks_late` (settings: the message is acknowledged after the task ran, and a worker lost
mid-task gives it back to the queue) and so must be idempotent; transient errors (a database restart, a lost
connection, a mail server that hangs up) are retried with exponential backoff (`RETRY`)."""

import smtplib
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError

INTERACTIVE = "interactive"
BULK = "bulk"


@dataclass(frozen=True)
class Kind:
    """A queue's promise: no task of it runs longer than `time_limit` seconds (killed) and each is asked to
    stop at `soft_time_limit`. A task declares its own limits within these; the worker of the queue gets them
    as its defaults too (Procfile)."""

    queue: str
    time_limit: int
    soft_time_limit: int


KINDS = {
    # A person waits for it (a bell, an email, a preview of their file): minutes at most.
    INTERACTIVE: Kind(INTERACTIVE, time_limit=5 * 60, soft_time_limit=4 * 60 + 30),
    # A province's import (45,000 rows), a nightly recompute, a large export: up to an hour.
    BULK: Kind(BULK, time_limit=60 * 60, soft_time_limit=55 * 60),
}

# Task name → kind. Every task the project defines is here (a test lists the registered tasks).
ROUTES: dict[str, str] = {
    # Interactive: a person is waiting for it, or it is seconds of work that must not wait hours.
    "notifications.tasks.notifications_send_email": INTERACTIVE,
    "materials.tasks.attempts.attempts_close_overdue_task": INTERACTIVE,  # students' results, every minute
    # Every minute: contest results out at the time set in advance, participants told (a few rounds a run).
    "contests.tasks.results_publish_due_task": INTERACTIVE,
    # Every hour, seconds of work; the credential sheets' lifetime (CREDENTIAL_SHEET_HOURS) is a promise.
    "accounts.tasks.purge_expired_credential_sheets": INTERACTIVE,
    # Every minute: the tasks kept while the broker was down (truonghoc/enqueue.py), queued once it is back.
    "truonghoc.tasks.pending_tasks_send": INTERACTIVE,
    # Bulk: recomputes of a whole unit's figures and results.
    "reports.tasks.stats_recompute_task": BULK,
    "gradebook.tasks.recompute_results": BULK,
    "gradebook.tasks.recompute_school_results": BULK,
    "reports.tasks.share_recompute": BULK,
    "reports.tasks.share_recompute_school": BULK,
    "reports.tasks.share_rollup_task": BULK,
    # Exports: a records archive prints a PDF per plan (minutes for a school).
    "teaching.tasks.archive_build_task": BULK,
    # Imports: bulk unless the engine's dispatch sends a small file to the interactive queue.
    "accounts.tasks.import_validate_task": BULK,
    "accounts.tasks.import_apply_task": BULK,
    "units.tasks.unit_import_validate_task": BULK,
    "units.tasks.unit_import_apply_task": BULK,
    "materials.tasks.question_io.question_import_validate_task": BULK,
    "materials.tasks.question_io.question_import_apply_task": BULK,
    "gradebook.tasks.assignment_import_validate_task": BULK,
    "gradebook.tasks.assignment_import_apply_task": BULK,
    "gradebook.tasks.mark_import_validate_task": BULK,
    "gradebook.tasks.mark_import_apply_task": BULK,
    "teaching.tasks.plan_import_validate_task": BULK,
    "teaching.tasks.plan_import_apply_task": BULK,
    "teaching.tasks.timetable_import_validate_task": BULK,
    "teaching.tasks.timetable_import_apply_task": BULK,
}


def celery_routes() -> dict[str, dict[str, str]]:
    """ROUTES in the shape of Celery's `task_routes`."""
    return {name: {"queue": KINDS[kind].queue} for name, kind in ROUTES.items()}


# Errors that pass: the database restarted or a connection was lost (psycopg2 raises them as Django's
# OperationalError/InterfaceError; SQLite's "database is locked" too), a network or mail server hiccup.
# A permanent error (a bug, bad data) is not retried: the task fails at once and says so.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
)

# The retry options of every task (`@shared_task(**RETRY, …)`): 10 s, 20 s, 40 s … at most 5 minutes apart,
# with jitter so the tasks a restart failed do not all come back in the same second; 5 tries.
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 5 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}


# Celery's own retry of publishing a task (settings: CELERY_TASK_PUBLISH_RETRY_POLICY), kept short: about a
# second (0 + 0.2 + 0.4 + 0.4 s) before a request decides the broker is down (truonghoc/enqueue.py).
PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.4}


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)
