"""Heavy reads on a read replica (issue #19, point 4), with read-your-writes.

With `DATABASE_REPLICA_URL` set, settings add a `replica` database and this module's router. Nothing reads
the replica by default: a view or task opts in where a few seconds of replication lag cannot mislead —
dashboards, the letters archive, the library search, exports — with `@reads_from_replica` (views) or
`with replica_reads():` (tasks, commands). Every write, every `select_for_update` and every read outside
those places stays on the primary.

Read-your-writes: a person who has just changed something must see it. Any request that may write (a method
other than GET/HEAD/OPTIONS) that did not fail sets a short-lived cookie (`READ_YOUR_WRITES_SECONDS`,
10 s by default, above the replica's usual lag); while it lives, that person's reads stay on the primary even
in replica views. The cookie carries no data; forging or dropping it can only move one's own reads.

Inside a transaction on the primary the replica is never used: a view that opened `atomic()` reads what it
wrote.
"""

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

REPLICA = "replica"
COOKIE = "th_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reads_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_on_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_your_writes_seconds() -> int:
    return getattr(settings, "READ_YOUR_WRITES_SECONDS", 10)


@contextmanager
def replica_reads(enabled: bool = True):
    """Reads inside this block go to the replica (when one is configured)."""
    token = _reads_on_replica.set(enabled and replica_configured())
    try:
        yield
    finally:
        _reads_on_replica.reset(token)


def recently_wrote(request) -> bool:
    return COOKIE in request.COOKIES


def reads_from_replica(view):
    """A view whose reads may be a few seconds old: they go to the replica, unless the request may write or
    its person wrote something in the last few seconds."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        use = request.method in SAFE_METHODS and not recently_wrote(request)
        with replica_reads(use):
            return view(request, *args, **kwargs)

    wrapper.reads_from_replica = True
    return wrapper


class ReplicaRouter:
    """Reads on the replica only inside `replica_reads()` and outside a transaction on the primary."""

    def db_for_read(self, model, **hints):
        if _reads_on_replica.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary; nothing migrates it


class ReadYourWritesMiddleware:
    """After a request that may have written (and did not fail), the person's reads stay on the primary for
    READ_YOUR_WRITES_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if replica_configured() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                COOKIE, "1", max_age=read_your_writes_seconds(), httponly=True, samesite="Lax",
                secure=request.is_secure(),
            )  # fmt: skip
        return response
