"""The cache when Redis stops (issue #19, point 5): pages keep answering.

`FallbackRedisCache` is Django's RedisCache (settings: CACHES with REDIS_URL) that, when Redis cannot be
reached, answers from a local-memory cache in the process instead of failing the request. It says so once
per outage (a warning, then an info line when Redis answers again), and while Redis is down it tries Redis
again at most every `RETRY_SECONDS`, so a page does not pay a failed connection per cache call.

What that means for what the cache holds:
  - Cached pages and figures: recomputed in each process; nothing is lost (the database has them).
  - Sessions: not in the cache (Django's database sessions, the default engine), so nobody is logged out.
  - Rate limits (allauth's login limits, the parent request form): counted per process while Redis is down.
    They stay enforced, never switched off and never locking everyone out: a person gets at most the limit
    times the number of web processes. Failing closed (refusing every login while Redis is down) would
    turn a cache outage into a site outage for a whole country; failing open would let a password be
    guessed at full speed. This is the safe middle the limits were designed for (a limit per process is
    still a limit).
  - Import progress bars and the "already queued" markers: per process; the import itself is in the
    database and its page shows the right status when it ends.
  - Locks: the project's own are row locks in the database, never in the cache; allauth's short lock around
    a rate-limit counter is per process meanwhile, like the counter it guards.
When Redis returns, the counters start again from Redis' own (a person's local counts are not carried over).
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _connection_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class FallbackRedisCache(RedisCache):
    """RedisCache answering from a process-local LocMemCache while Redis is unreachable."""

    RETRY_SECONDS = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        local = {key: value for key, value in params.items() if key != "OPTIONS"}
        self._local = LocMemCache(f"fallback:{server}", local)
        self._errors = _connection_errors()
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic time before which Redis is not tried again
        self.down = False  # whether the last call fell back (readiness reports it)

    def _went_down(self, error: BaseException) -> None:
        with self._lock:
            if not self.down:
                logger.warning(
                    "Redis cache unreachable (%s): answering from this process's memory until it returns.",
                    type(error).__name__,
                )
            self.down = True
            self._down_until = time.monotonic() + self.RETRY_SECONDS

    def _came_back(self) -> None:
        with self._lock:
            if self.down:
                logger.warning("Redis cache reachable again: back on Redis.")
            self.down = False

    def _call(self, name: str, *args, **kwargs):
        if time.monotonic() >= self._down_until:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except self._errors as error:
                self._went_down(error)
            else:
                if self.down:
                    self._came_back()
                return result
        return getattr(self._local, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self._local.clear()
        return self._call("clear")
