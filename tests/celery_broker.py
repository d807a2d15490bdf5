"""Tests that publish to a real broker (REDIS_URL, a Redis a test starts and stops, kombu's memory://) point the
project's Celery app at it with `celery_broker(url)`, the one way to do so.

kombu keeps its connection and producer pools in process-wide registries keyed by the broker's URL, and the
app keeps its own handle on them. A pool closed by one test (a Redis stopped under it, a forced close) would
otherwise still be registered for the next test that publishes to the same URL in the same process, which
then fails with "Acquire on closed pool" depending on the order the tests ran in. So the pools are reset on
the way in and on the way out, and the settings changed are put back."""

from contextlib import contextmanager


def reset_broker_pools(app) -> None:
    from kombu import pools

    pools.reset()  # closes every pool and empties the registries
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str, **conf):
    """Tasks published to the broker at `url` instead of running in-process, as in production; `conf`: more
    Celery settings for the duration (e.g. result_backend)."""
    from truonghoc.celery import app

    changes = {"task_always_eager": False, "broker_url": url, **conf}
    previous = {key: app.conf[key] for key in changes}
    reset_broker_pools(app)
    app.conf.update(changes)
    try:
        yield app
    finally:
        reset_broker_pools(app)
        app.conf.update(previous)
