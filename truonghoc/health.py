"""The load balancer's and the orchestrator's probes.

`/healthz` (liveness): the process answers; it touches nothing else, so a database outage does not get
every web process restarted. `/readyz` (readiness): this process can serve: each database alias (the
replica too when one is configured), the cache (Redis in production), each file storage writable, and the
Celery queues shorter than READY_QUEUE_MAX_DEPTH. JSON with each check's status and time in ms; 200 when
all pass, 503 otherwise. Redis stopped is "degraded", still 200: the process serves pages (the cache falls
back to its memory, tasks run here or wait in the database: truonghoc/cache.py, enqueue.py), and taking every
web process out of the load balancer would turn a cache outage into a site outage.
Nothing in it names a host, a URL or a credential: a failed check says only the
exception's class."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .enqueue import broker_errors
from .metrics import queue_depths

OK, FAIL, SKIPPED, DEGRADED = "ok", "fail", "skipped", "degraded"


@never_cache
def healthz(request):
    return JsonResponse({"status": OK})


def _check_database(alias: str):
    try:
        _select_one(alias)
    except (OperationalError, InterfaceError):
        # The connection this process held was cut (PostgreSQL restarted): ready means a new one works.
        connections[alias].close()
        _select_one(alias)


def _select_one(alias: str):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not keep the value")
    cache.delete(key)
    if getattr(cache, "down", False):  # truonghoc.cache.FallbackRedisCache answering from memory
        return DEGRADED, {}
    return None


def _check_storage(alias: str):
    storage = storages[alias]
    name = storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    storage.delete(name)


def _check_queues():
    try:
        depths = queue_depths()
    except broker_errors():
        return DEGRADED, {}
    if depths is None:
        return SKIPPED, {}
    limit = settings.READY_QUEUE_MAX_DEPTH
    return (OK if max(depths.values(), default=0) <= limit else FAIL), {"depths": depths, "limit": limit}


def _timed(check, *args) -> dict:
    started = time.perf_counter()
    try:
        outcome = check(*args)
    except Exception as exc:
        result = {"status": FAIL, "error": type(exc).__name__}
    else:
        status, extra = outcome if outcome else (OK, {})
        result = {"status": status, **extra}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def readiness() -> dict:
    checks = {}
    for alias in connections:
        checks["database" if alias == "default" else f"database:{alias}"] = _timed(_check_database, alias)
    checks["cache"] = _timed(_check_cache)
    for alias in ("default", "private"):
        checks[f"storage:{alias}"] = _timed(_check_storage, alias)
    checks["queues"] = _timed(_check_queues)
    statuses = {check["status"] for check in checks.values()}
    status = FAIL if FAIL in statuses else DEGRADED if DEGRADED in statuses else OK
    return {"status": status, "checks": checks}


@never_cache
def readyz(request):
    report = readiness()
    return JsonResponse(report, status=503 if report["status"] == FAIL else 200)
