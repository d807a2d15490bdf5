"""Faults survived (issue #19, point 5): a full disk, Redis stopped, PostgreSQL's connections cut, a Celery
worker and a web process killed mid-work. Each fault is real where it can be made here: a Redis server the
test starts and stops, connections terminated by PostgreSQL itself, worker and gunicorn processes killed with
SIGKILL. Only the full disk is simulated (the storage's write raises ENOSPC)."""

import errno
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
import redis
from django.core import mail
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from materials.models import Material, MaterialVersion
from notifications.services import notify
from tests.accounts.factories import complete_profile, make_person
from tests.celery_broker import celery_broker
from tests.materials.test_approval import pdf
from truonghoc.cache import FallbackRedisCache
from truonghoc.enqueue import pending_tasks_send
from truonghoc.models import PendingTask
from units.models import AuditEntry, Role

from .conftest import ROOT
from .test_serve import GUNICORN, _get, _wait_until_up

CELERY = GUNICORN.parent / "celery"

PASSWORD = "secret-pass-123"  # tests.accounts.factories
LOGIN = "/tai-khoan/login/"


@pytest.fixture
def teacher(tree):
    return complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An"))


# --- disk full on media ----------------------------------------------------------------------------------------


def test_a_full_disk_refuses_the_upload_clearly_and_writes_no_row(client, tree, teacher, monkeypatch, settings):
    def disk_full(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    client.force_login(teacher)
    audits = AuditEntry.objects.count()
    response = client.post(
        reverse("materials:new"),
        {"unit": tree.g1.pk, "kind": "document", "title": "Phân số", "licence": "cc-by", "grade": 6,
         "subject": "Toán", "file": pdf()},
    )  # fmt: skip
    html = response.content.decode()
    # The form again, what was typed kept, the reason in Vietnamese next to the file field.
    assert response.status_code == 200
    assert "Máy chủ hết chỗ lưu tệp" in html and "Phân số" in html
    assert not Material.objects.exists() and not MaterialVersion.objects.exists()
    assert AuditEntry.objects.count() == audits
    files = settings.PRIVATE_ROOT
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]


def test_another_storage_error_is_not_taken_for_a_full_disk(client, tree, teacher, monkeypatch):
    def broken(self, name, content):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(FileSystemStorage, "_save", broken)
    client.force_login(teacher)
    client.raise_request_exception = True
    with pytest.raises(OSError, match="Input/output"):
        client.post(
            reverse("materials:new"),
            {"unit": tree.g1.pk, "kind": "document", "title": "Phân số", "licence": "cc-by", "subject": "Toán",
             "file": pdf()},
        )  # fmt: skip
    assert not Material.objects.exists()


# --- Redis stopped ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A Redis server of the test's own (never the machine's shared one), stopped and started at will."""

    def __init__(self, binary: str):
        self.binary, self.port, self.process = binary, _free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait(10)

    def client(self):
        return redis.Redis.from_url(self.url, socket_connect_timeout=1)


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have redis-server: the fault tests start and stop their own Redis.")
        pytest.skip("redis-server is not installed (Debian's redis-server package): no Redis to stop.")
    server = RedisServer(binary)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def celery_on(redis_server):
    with celery_broker(redis_server.url) as app:
        yield app


@pytest.fixture
def closed_port():
    """A local port nothing listens on: a Redis that is down (connections refused)."""
    return _free_port()


def test_the_cache_answers_from_memory_while_redis_is_unreachable_and_says_so_once(closed_port, caplog):
    cache_down = FallbackRedisCache(f"redis://127.0.0.1:{closed_port}/0", {"KEY_PREFIX": "t", "OPTIONS": {}})
    with caplog.at_level(logging.WARNING, logger="truonghoc.cache"):
        assert cache_down.add("tries", 0, 60) is True
        assert cache_down.incr("tries") == 1 and cache_down.get("tries") == 1
        cache_down.set_many({"a": 1, "b": 2}, 60)
        assert cache_down.get_many(["a", "b"]) == {"a": 1, "b": 2}
        cache_down.delete("a")
        assert cache_down.get("a") is None and cache_down.has_key("b")
    assert cache_down.down is True
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Redis cache unreachable"]


@pytest.fixture
def broker_down(closed_port):
    with celery_broker(f"redis://127.0.0.1:{closed_port}/0") as app:
        yield app
    # The dashboard's "already queued" marker of a kept recompute must not hold back a later test's recompute.
    cache.clear()


def test_with_the_broker_down_a_request_runs_interactive_work_here_and_keeps_bulk_work(
    client, tree, teacher, broker_down, django_capture_on_commit_callbacks
):
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:recompute", args=[tree.dept_a.pk]))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify(recipients=[teacher], title="Công văn mới", email=True)
    note.refresh_from_db()
    assert note.emailed_at is not None and len(mail.outbox) == 1
    assert list(PendingTask.objects.values_list("name", "args")) == [
        ("reports.tasks.stats_recompute_task", [tree.dept_a.pk])
    ]
    # Still down: the kept task stays for the next run.
    assert pending_tasks_send() == 0 and PendingTask.objects.count() == 1


@pytest.mark.redis
def test_with_redis_stopped_pages_answer_logins_are_limited_and_no_task_is_lost(
    client, tree, teacher, settings, redis_server, celery_on, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    # Redis is tried again every half second while down (5 s in production): several failed tries, one log line.
    monkeypatch.setattr(FallbackRedisCache, "RETRY_SECONDS", 0.5)
    settings.CACHES = {
        "default": {
            "BACKEND": "truonghoc.cache.FallbackRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    # Sessions are not in the cache alone: a Redis outage logs nobody out.
    assert settings.SESSION_ENGINE.rsplit(".", 1)[1] in {"db", "cached_db"}
    staff = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(staff)
    assert client.get(reverse("reports:dashboard", args=[tree.dept_a.pk])).status_code == 200
    cache.set("faults:probe", "on redis")
    assert redis_server.client().dbsize() > 0  # the cache really is Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="truonghoc.cache"):
        for _ in range(3):
            response = client.get(reverse("reports:dashboard", args=[tree.dept_a.pk]))
            assert response.status_code == 200 and response.wsgi_request.user == staff
        assert client.get(reverse("home")).status_code == 200
    outage_lines = [r for r in caplog.records if r.name == "truonghoc.cache"]
    assert len(outage_lines) == 1 and "unreachable" in outage_lines[0].getMessage()  # said once, not per call
    readiness = client.get("/readyz")
    assert readiness.status_code == 200 and readiness.json()["status"] == "degraded"

    # Bulk work asked for while the broker is down: the page answers, the task is kept in the database.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:recompute", args=[tree.dept_a.pk]))
    assert response.status_code == 302
    assert list(PendingTask.objects.values_list("name", "args")) == [
        ("reports.tasks.stats_recompute_task", [tree.dept_a.pk])
    ]
    # Interactive work (an email) runs in this process instead.
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = notify(recipients=[teacher], title="Công văn mới", email=True)
    note.refresh_from_db()
    assert note.emailed_at is not None and [m.to for m in mail.outbox] == [[teacher.email]]
    assert PendingTask.objects.count() == 1

    # Failed logins are still limited while Redis is down (counted in this process): the sixth try is refused
    # even with the right password.
    client.logout()
    for _ in range(5):
        client.post(LOGIN, {"login": teacher.username, "password": "wrong"})
    client.post(LOGIN, {"login": teacher.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session

    # Redis returns: the kept task is queued (once), and the cache is Redis again.
    redis_server.start()
    assert pending_tasks_send() == 1 and not PendingTask.objects.exists()
    assert pending_tasks_send() == 0
    assert redis_server.client().llen("bulk") == 1
    time.sleep(FallbackRedisCache.RETRY_SECONDS)
    cache.set("faults:probe", "back")
    assert redis_server.client().get(cache.make_and_validate_key("faults:probe")) is not None
    assert getattr(cache, "down", None) is False


# --- web processes under gunicorn ----------------------------------------------------------------------------


def _database_url() -> str:
    """The URL of the test run's own database (its data committed by transactional tests)."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params["USER"] or "")
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{params['NAME']}"


@contextmanager
def gunicorn(production_env, tmp_path, *, workers=2, timeout=60):
    """gunicorn with the project's config on the test's database, over plain HTTP; yields (base URL, the master
    process). The test settings, not production's: the same database, cache and connection settings (base.py),
    and pages served without a collectstatic first (production's manifest needs one; test_serve.py covers it)."""
    port = _free_port()
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": "truonghoc.settings.test",
        "DATABASE_URL": _database_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_TIMEOUT": str(timeout),
        "SECURE_SSL_REDIRECT": "false",
        "LOG_FORMAT": "text",
    }
    env.pop("REDIS_URL", None)
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "truonghoc.wsgi", "--config", "truonghoc/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        log.close()


def _hammer(base: str, paths: list[str], stop: threading.Event, statuses: list[int]) -> None:
    """One visitor reading pages one after another until told to stop (the load under the fault)."""
    while not stop.is_set():
        for path in paths:
            statuses.append(_get(base + path)[0])


NEWS = "/tin-tuc/"  # a public page that reads the database


@pytest.mark.django_db(transaction=True)
def test_postgresql_connections_cut_and_refused_under_load_give_no_5xx(production_env, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own connections are cut here: the run on PostgreSQL (make test) does it.")
    name = connection.settings_dict["NAME"]
    with gunicorn(production_env, tmp_path) as (base, _process):
        assert _get(base + NEWS)[0] == 200
        statuses: list[int] = []
        stop = threading.Event()
        visitors = [threading.Thread(target=_hammer, args=(base, [NEWS, "/readyz"], stop, statuses)) for _ in range(3)]
        for visitor in visitors:
            visitor.start()
        try:
            while len(statuses) < 10:
                time.sleep(0.05)
            # From the server's maintenance database (a database cannot refuse connections to itself from inside).
            params = connection.settings_dict
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                own = cursor.fetchone()[0]
            admin = psycopg2.connect(
                dbname="postgres", user=params["USER"], password=params["PASSWORD"] or None,
                host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432,
            )  # fmt: skip
            admin.autocommit = True
            try:
                with admin.cursor() as cursor:
                    # Every connection the web processes hold is cut, as a restart does…
                    cursor.execute(TERMINATE, [name, own])
                    assert cursor.fetchone()[0] >= 1
                    time.sleep(0.5)
                    # …then PostgreSQL refuses new ones for a moment, as while it starts up again.
                    cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                    try:
                        cursor.execute(TERMINATE, [name, own])
                        time.sleep(0.8)
                    finally:
                        cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            finally:
                admin.close()
            before = len(statuses)
            while len(statuses) < before + 20:
                time.sleep(0.05)
        finally:
            stop.set()
            for visitor in visitors:
                visitor.join(60)
    log = (tmp_path / "gunicorn.log").read_text()
    assert statuses and all(status == 200 for status in statuses), (Counter(statuses), log[-3000:])
    # The refused connects were waited for and tried again, not turned into errors.
    assert "PostgreSQL refused a connection" in log, log[-3000:]


# The test's own connection (transactional test data, flushed at the end) is kept.
TERMINATE = """
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = %s AND pid <> %s
"""


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _connection_inode(local_port: int, server_port: int) -> str | None:
    """The inode of the server side of our TCP connection (/proc/net/tcp: local = server, remote = us)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == local_port:
            return fields[9]
    return None


@pytest.mark.django_db(transaction=True)
def test_a_web_process_killed_mid_request_the_clients_retry_succeeds(production_env, tmp_path):
    with gunicorn(production_env, tmp_path) as (base, process):
        port = int(base.rsplit(":", 1)[1])
        assert _get(base + "/healthz")[0] == 200
        # A request in the middle of being served: its first half sent, the worker that took it waiting for the
        # rest (a slow client, a large form on a poor connection).
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET /tai-khoan/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        inode, handler = None, None
        deadline = time.monotonic() + 30
        while handler is None and time.monotonic() < deadline:
            inode = _connection_inode(sock.getsockname()[1], port)
            handler = next((pid for pid in _worker_pids(process.pid) if inode in _socket_inodes(pid)), None)
            time.sleep(0.05)
        assert handler is not None, "no gunicorn worker took the request"
        workers_before = set(_worker_pids(process.pid))
        os.kill(handler, signal.SIGKILL)
        # The client sees its connection dropped, not a half page…
        try:
            sock.sendall(b"\r\n")
            received = sock.recv(1024)
        except OSError:
            received = b""
        finally:
            sock.close()
        assert received == b""
        # …and its retry (an idempotent GET) is served, by the other worker or the one gunicorn starts instead.
        status, _, body = _get(base + "/tai-khoan/login/")
        assert status == 200 and 'name="password"' in body
        deadline = time.monotonic() + 60
        while len(_worker_pids(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        workers_after = set(_worker_pids(process.pid))
        assert handler not in workers_after and len(workers_after) == 2 and workers_after != workers_before
        assert process.poll() is None


# --- a Celery worker killed mid-task ---------------------------------------------------------------------------

STUDENTS = 6_000  # three bulk writes of 2,000 (accounts.services.issuing.BATCH): a kill after the first is mid-way


def _celery_worker(env, log_path):
    """A real worker on the bulk queue, in its own process group (its pool's child dies with it)."""
    return subprocess.Popen(
        [str(CELERY), "-A", "truonghoc", "worker", "--queues=bulk", "--concurrency=1", "--pool=prefork",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log_path.open("a"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_a_worker_killed_mid_import_the_work_completes_exactly_once(
    killed, tree, redis_server, celery_on, production_env, tmp_path, settings
):
    """ "pool process": the process running the task dies (out of memory, a crash); its worker gives the message
    back at once (task_reject_on_worker_lost) and runs it again. "whole worker": the worker and its pool die
    (the host gone); Redis gives the message to another worker after the visibility timeout."""
    from accounts.models import AccountQuota, IssueBatch, User
    from accounts.services.issuing import import_confirm, import_start, import_validate
    from accounts.tasks import import_apply_task
    from tests.accounts.spreadsheets import students, xlsx
    from truonghoc.imports.engine import progress_key

    school = tree.s1
    AccountQuota.objects.create(school=school, teachers=10, students=STUDENTS)
    admin = make_person(unit=school, role=Role.SCHOOL_ADMIN, username="quantri.tp", account_type="teacher")
    content = xlsx(students(STUDENTS))
    batch = import_start(
        actor=admin, school=school, account_type="student", upload=SimpleUploadedFile("hs.xlsx", content)
    )
    batch = import_confirm(actor=admin, batch=import_validate(batch=batch, content=content))
    assert (batch.status, batch.new_rows) == ("importing", STUDENTS)
    before = User.objects.count()

    env = {
        **production_env,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_server.url,
        "PRIVATE_ROOT": str(settings.PRIVATE_ROOT),
        "LOG_FORMAT": "text",
        # A worker lost whole (its host gone) gives its message back only through Redis' visibility timeout:
        # seconds here instead of two hours, so the second worker gets it within the test.
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    log = tmp_path / "workers.log"
    progress = RedisCache(redis_server.url, {"KEY_PREFIX": "th"})
    first = _celery_worker(env, log)
    workers = [first]
    try:
        import_apply_task.apply_async(args=[batch.pk, admin.pk], queue="bulk")
        # Mid-way: the first 2,000 accounts written (in the import's open transaction), 4,000 to go.
        seen = _wait_for(lambda: progress.get(progress_key(IssueBatch, batch.pk)), 120, "the import's progress")
        assert 0 < seen["done"] < STUDENTS
        if killed == "pool process":
            (child,) = _worker_pids(first.pid)
            os.kill(child, signal.SIGKILL)
            _wait_for(lambda: child not in _worker_pids(first.pid), 30, "the pool process to go")
            # The transaction died with it: nothing half-done (the worker may already be at it again).
            assert User.objects.filter(unit=school, account_type="student").count() in (0, STUDENTS)
        else:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(30)
            # The kill rolled the transaction back: nothing half-done, the batch still waits.
            batch.refresh_from_db()
            assert batch.status == "importing" and User.objects.count() == before
            workers.append(_celery_worker(env, log))
        _wait_for(lambda: IssueBatch.objects.filter(pk=batch.pk, status="done").exists(), 180, "the import's end")
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(60)
    created = User.objects.filter(unit=school, account_type="student")
    assert created.count() == STUDENTS == User.objects.count() - before
    assert created.values("national_id").distinct().count() == STUDENTS
    assert batch.rows.filter(action="create", user__isnull=False).count() == STUDENTS
    assert AuditEntry.objects.filter(action="account.import").count() == 1
    assert AuditEntry.objects.filter(action="account.create").count() == STUDENTS
    if killed == "pool process":
        assert "WorkerLostError" in log.read_text()  # the worker saw its process die and gave the task back
