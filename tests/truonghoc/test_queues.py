"""Celery work by kind (truonghoc/queues.py): every task has a route, time limits within its kind's, retries for
transient errors; bulk work never lands on the interactive queue; an import's queue follows its rows."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from accounts.models import IssueBatch
from accounts.tasks import import_apply_task, import_validate_task
from tests.accounts.factories import make_person
from truonghoc import queues
from truonghoc.celery import app
from truonghoc.imports.engine import BYTES_PER_ROW, import_kind, import_rows
from truonghoc.imports.models import ImportStatus
from units.models import Role

from .test_imports import FAKE

BULK_WORK = {
    "reports.tasks.stats_recompute_task",
    "gradebook.tasks.recompute_results",
    "gradebook.tasks.recompute_school_results",
    "accounts.tasks.import_validate_task",
    "accounts.tasks.import_apply_task",
    "units.tasks.unit_import_validate_task",
    "units.tasks.unit_import_apply_task",
    "materials.tasks.question_io.question_import_validate_task",
    "materials.tasks.question_io.question_import_apply_task",
    "gradebook.tasks.assignment_import_validate_task",
    "gradebook.tasks.assignment_import_apply_task",
    "gradebook.tasks.mark_import_validate_task",
    "gradebook.tasks.mark_import_apply_task",
    "reports.tasks.share_recompute",
    "reports.tasks.share_recompute_school",
    "reports.tasks.share_rollup_task",
    "teaching.tasks.archive_build_task",
    "teaching.tasks.plan_import_validate_task",
    "teaching.tasks.plan_import_apply_task",
    "teaching.tasks.timetable_import_validate_task",
    "teaching.tasks.timetable_import_apply_task",
}


def project_tasks() -> dict:
    app.loader.import_default_modules()  # what a worker loads: every app's tasks module
    return {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}


def routed_queue(name: str, **options) -> str:
    """The queue Celery itself picks when the task is sent (the router every apply_async goes through)."""
    return app.amqp.router.route(options, name, (), {})["queue"].name


def test_every_task_the_project_defines_has_a_route_and_no_route_names_a_missing_task():
    tasks = project_tasks()
    assert len(tasks) >= 16  # the apps' tasks were found (notifications, accounts, units, materials, gradebook…)
    unrouted = sorted(set(tasks) - set(queues.ROUTES))
    assert not unrouted, f"tasks without a route in truonghoc/queues.py ROUTES: {unrouted}"
    assert sorted(set(queues.ROUTES) - set(tasks)) == []
    for name in tasks:
        assert routed_queue(name) in {queues.INTERACTIVE, queues.BULK}, name


def test_the_settings_declare_both_queues_and_the_route_table():
    assert [queue.name for queue in app.conf.task_queues] == ["interactive", "bulk"]
    assert app.conf.task_routes == queues.celery_routes()
    assert app.conf.task_default_queue == queues.BULK  # a task forgotten in ROUTES never slows interactive work
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    # Redis redelivers an unacknowledged message after this: longer than any task may run.
    assert app.conf.broker_transport_options["visibility_timeout"] > queues.KINDS[queues.BULK].time_limit


def test_bulk_work_never_lands_on_the_interactive_queue():
    for name in BULK_WORK:
        assert queues.ROUTES[name] == queues.BULK
        assert routed_queue(name) == "bulk"
    for name in (
        "notifications.tasks.notifications_send_email",
        "materials.tasks.attempts.attempts_close_overdue_task",
    ):
        assert routed_queue(name) == "interactive"
    # A recompute's fan-out: each per-school task is routed by its name, to bulk.
    from gradebook.tasks import recompute_school_results

    signature = recompute_school_results.s([1], "2025-2026")
    assert routed_queue(signature.task, **signature.options) == "bulk"


@pytest.mark.parametrize("name", sorted(queues.ROUTES))
def test_each_task_has_time_limits_within_its_kind_and_retries_transient_errors(name):
    task = project_tasks()[name]
    kind = queues.KINDS[queues.ROUTES[name]]
    assert task.time_limit and task.soft_time_limit, f"{name} has no time limits"
    assert task.soft_time_limit < task.time_limit <= kind.time_limit
    assert task.acks_late
    assert task.max_retries == 5 and task.retry_backoff and task.retry_jitter
    assert OperationalError in task.autoretry_for
    assert not any(issubclass(error, (ValueError, KeyError)) for error in task.autoretry_for)  # bugs fail at once


def test_the_beat_schedule_names_routed_tasks_and_lets_stale_runs_expire():
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in queues.ROUTES
        assert entry["options"]["expires"] > 0


# --- imports: the queue follows the rows -----------------------------------------------------------------------


@pytest.fixture
def admin(tree):
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.queues", account_type="teacher")


def _batch(tree, admin, size: int) -> IssueBatch:
    return FAKE.start(
        upload=SimpleUploadedFile("ds.csv", b"x" * size), stored_name="queues.bin",
        school=tree.s1, kind=IssueBatch.Kind.IMPORT, account_type="student", created_by=admin,
    )  # fmt: skip


def test_a_small_import_is_interactive_and_a_large_one_bulk(tree, admin, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INTERACTIVE_MAX_ROWS = 100
    settings.IMPORT_SYNC_MAX_BYTES = 10
    settings.CELERY_TASK_ALWAYS_EAGER = False
    small = _batch(tree, admin, 100 * BYTES_PER_ROW)  # before the check: the most rows its size could hold
    large = _batch(tree, admin, 100 * BYTES_PER_ROW + 1)
    assert import_rows(small) == 100 and import_kind(small) == queues.INTERACTIVE
    assert import_rows(large) == 101 and import_kind(large) == queues.BULK
    # Once checked, the counted rows decide: a large file of few rows (pictures, long texts) is interactive.
    large.total_rows = 80
    assert import_kind(large) == queues.INTERACTIVE
    large.total_rows = 5_000
    assert import_kind(large) == queues.BULK

    sent = []
    with (
        mock.patch.object(import_validate_task, "apply_async", lambda args, **options: sent.append((args, options))),
        mock.patch.object(import_apply_task, "apply_async", lambda args, **options: sent.append((args, options))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        FAKE.dispatch(import_validate_task, small)
        FAKE.dispatch(import_apply_task, large, admin.pk)
    (small_args, small_options), (large_args, large_options) = sent
    assert small_args == [small.pk] and large_args == [large.pk, admin.pk]
    assert routed_queue(import_validate_task.name, **small_options) == "interactive"
    interactive = queues.KINDS[queues.INTERACTIVE]
    assert (
        (small_options["time_limit"], small_options["soft_time_limit"])
        == (300, 270)
        == (
            interactive.time_limit,
            interactive.soft_time_limit,
        )
    )
    # The large one keeps the task's own (bulk) limits and goes to bulk.
    assert large_options == {"queue": "bulk"}
    assert routed_queue(import_apply_task.name, **large_options) == "bulk"


class _Request:
    def __init__(self, *, retries, eager=False):
        self.retries, self.is_eager, self.called_directly = retries, eager, False


def test_an_import_step_hit_by_a_transient_error_is_retried_in_a_worker_and_fails_only_at_the_last_try(tree, admin):
    batch = _batch(tree, admin, 10)

    @FAKE.task
    def step(batch_id):
        raise OperationalError("server closed the connection unexpectedly")

    running = mock.Mock(max_retries=5)
    with mock.patch("truonghoc.imports.engine.current_task", running):
        running.request = _Request(retries=2)
        with pytest.raises(OperationalError):  # Celery's autoretry takes it from here; the batch still waits
            step(batch.pk)
        batch.refresh_from_db()
        assert batch.status == ImportStatus.VALIDATING
        running.request = _Request(retries=5)  # the last try: the page must not poll forever
        assert step(batch.pk) == ImportStatus.FAILED
        batch.refresh_from_db()
        assert batch.status == ImportStatus.FAILED and batch.message == FAKE.crash_message
        # Within a request (eager) there is no later try either: failed at once, as before.
        batch.status = ImportStatus.VALIDATING
        batch.save(update_fields=["status"])
        running.request = _Request(retries=0, eager=True)
        assert step(batch.pk) == ImportStatus.FAILED

    @FAKE.task
    def buggy(batch_id):
        raise KeyError("a bug")

    batch.status = ImportStatus.VALIDATING
    batch.save(update_fields=["status"])
    with mock.patch("truonghoc.imports.engine.current_task", running):
        running.request = _Request(retries=0)
        assert buggy(batch.pk) == ImportStatus.FAILED  # not transient: no retry, failed at once


# --- sent for real: through Celery's own publishing path into a broker ------------------------------------------


@pytest.fixture
def broker():
    """A Celery app with the project's settings (queues, routes) on kombu's in-memory broker: messages are really
    published, routed and queued, and can be read back."""
    from celery import Celery

    publisher = Celery("routing-test")
    publisher.config_from_object("django.conf:settings", namespace="CELERY")
    publisher.conf.update(broker_url="memory://", task_always_eager=False)
    with publisher.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in publisher.conf.task_queues:
            queue(channel).declare()
            channel.queue_purge(queue.name)

        def received() -> dict[str, list[str]]:
            taken = {}
            for queue in publisher.conf.task_queues:
                names = []
                while (message := channel.basic_get(queue.name, no_ack=True)) is not None:
                    names.append(message.headers["task"])
                taken[queue.name] = names
            return taken

        yield publisher, received


def test_every_task_sent_lands_on_its_own_queue(broker):
    publisher, received = broker
    for name in sorted(queues.ROUTES):
        publisher.send_task(name, args=[1])
    # An import the engine judged small: its explicit queue wins over the table's bulk.
    publisher.send_task("accounts.tasks.import_validate_task", args=[2], queue="interactive")
    queued = received()
    assert sorted(queued) == ["bulk", "interactive"]
    assert sorted(queued["bulk"]) == sorted(BULK_WORK)  # every bulk task, and on bulk only
    assert sorted(queued["interactive"]) == sorted(
        [name for name, kind in queues.ROUTES.items() if kind == queues.INTERACTIVE]
        + ["accounts.tasks.import_validate_task"]
    )
    assert not set(queued["interactive"]) & (BULK_WORK - {"accounts.tasks.import_validate_task"})
