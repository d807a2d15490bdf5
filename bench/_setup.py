"""Shared set-up for the benchmark scripts: Django configured for the machine's database (DATABASE_URL,
or SQLite), with a throw-away test database so a benchmark never touches real data."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truonghoc.settings.test")

import django  # noqa: E402

django.setup()


@contextmanager
def scratch_database():
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases, teardown_test_environment

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()


def engine() -> str:
    from django.db import connection

    return connection.vendor


def page_timings(url: str, username: str, requests: int = 60) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, queries) of GET `url` as `username`, through the whole Django stack."""
    import statistics
    import time

    from django.db import connection
    from django.template import Template
    from django.test import Client, utils
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    # The test environment wraps template rendering to record contexts for assertions; production
    # does not, so time the pages without that wrapper.
    Template._render = utils._TestState.saved_data.template_render
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    if os.environ.get("BENCH_SLOW_QUERIES"):
        # Show the slowest query of the page: where to look when a page is slow with few queries.
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
        if slowest:
            print(f"    slowest query {float(slowest['time']) * 1000:.1f} ms: {slowest['sql'][:600]}")
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], len(queries)
