"""Issue #19, point 4: heavy reads on a read replica with read-your-writes; PgBouncer's transaction mode.

The routing rules are tested here on one database; `bench/bench_replica.py` starts a real streaming
replica (pg_basebackup) and checks the same rules against it, with the replication lag."""

import json
import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from truonghoc import replica
from truonghoc.replica import COOKIE, ReadYourWritesMiddleware, ReplicaRouter, reads_from_replica, replica_reads

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def configured(monkeypatch):
    """As if DATABASE_REPLICA_URL were set (the router only names the alias; no query is run here)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def test_reads_go_to_the_replica_only_inside_replica_reads(configured, transactional_db):
    # transactional_db: the test itself must not run inside a transaction, as a request does not.
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"
    with replica_reads():
        assert router.db_for_read(None) == "replica"
        # Writes, and reads inside a transaction on the primary (a view that writes reads what it wrote).
        assert router.db_for_write(None) == "default"
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
    assert router.db_for_read(None) == "default"
    assert router.allow_migrate("default", "units") is True
    assert router.allow_migrate("replica", "units") is False


def test_without_a_replica_nothing_moves(db):
    with replica_reads():
        assert ReplicaRouter().db_for_read(None) == "default"


def _where_reads_go(request):
    seen = {}

    @reads_from_replica
    def view(request):
        seen["db"] = ReplicaRouter().db_for_read(None)
        return HttpResponse("ok")

    view(request)
    return seen["db"]


def test_a_person_who_just_wrote_reads_the_primary(configured):
    factory = RequestFactory()
    assert _where_reads_go(factory.get("/")) == "replica"
    wrote = factory.get("/")
    wrote.COOKIES[COOKIE] = "1"
    assert _where_reads_go(wrote) == "default"
    # A request that may write never reads the replica.
    assert _where_reads_go(factory.post("/")) == "default"


@pytest.mark.parametrize(
    "method,status,cookie",
    [("POST", 200, True), ("POST", 302, True), ("DELETE", 204, True), ("POST", 403, False), ("GET", 200, False)],
)
def test_a_write_that_did_not_fail_keeps_the_person_on_the_primary_for_a_while(
    configured, settings, method, status, cookie
):
    settings.READ_YOUR_WRITES_SECONDS = 7
    middleware = ReadYourWritesMiddleware(lambda request: HttpResponse(status=status))
    response = middleware(RequestFactory().generic(method, "/"))
    assert (COOKIE in response.cookies) is cookie
    if cookie:
        assert response.cookies[COOKIE]["max-age"] == 7
        assert response.cookies[COOKIE]["httponly"]


def test_no_cookie_without_a_replica(db):
    middleware = ReadYourWritesMiddleware(lambda request: HttpResponse())
    assert COOKIE not in middleware(RequestFactory().post("/")).cookies


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("reports:dashboard", {"pk": 1}),
        ("reports:export", {"pk": 1, "fmt": "xlsx"}),
        ("reports:grade_entry", {"pk": 1}),
        ("letters:archive", {}),
        ("materials:library", {}),
        ("teaching:share", {"unit_id": 1}),
    ],
)
def test_the_heavy_pages_read_the_replica(name, kwargs):
    assert getattr(resolve(reverse(name, kwargs=kwargs)).func, "reads_from_replica", False)


def _settings_with(env_vars: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DJANGO_SETTINGS_MODULE="truonghoc.settings.local", **env_vars)
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
        "'ssc': {a: d.get('DISABLE_SERVER_SIDE_CURSORS', False) for a, d in settings.DATABASES.items()}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_replica_and_the_pooler_are_switched_on_by_the_environment():
    primary = "postgres://app@db-primary:5432/truonghoc"
    plain = _settings_with({"DATABASE_URL": primary, "DATABASE_REPLICA_URL": ""})
    assert plain == {"aliases": ["default"], "routers": [], "ssc": {"default": False}}
    both = _settings_with(
        {
            "DATABASE_URL": primary,
            "DATABASE_REPLICA_URL": "postgres://app@db-replica:5432/truonghoc",
            "DATABASE_POOLER_TRANSACTION_MODE": "true",
        }
    )
    assert both == {
        "aliases": ["default", "replica"],
        "routers": ["truonghoc.replica.ReplicaRouter"],
        "ssc": {"default": True, "replica": True},
    }
