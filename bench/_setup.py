"""Shared set-up for the benchmark scripts: Django configured for the machine's database (DATABASE_URL,
or SQLite), with a throw-away test database so a benchmark never touches real data."""

import argparse
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truonghoc.settings.test")

import django  # noqa: E402

django.setup()


@contextmanager
def scratch_database(keep: bool = False):
    """A throw-away test database; with `keep`, Django's keepdb: the database outlives the run and the next
    run finds it (to profile the same seeded data again and again)."""
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases, teardown_test_environment

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        yield
    finally:
        if not keep:
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


def seed_demo_province() -> float:
    """The demo province (Hà Nam's 141 schools, ≈48,000 accounts, the demo logins), as `make run` loads
    it; the seconds it took."""
    import time

    from reports.demo import seed_province
    from reports.participation import read_participation_table

    start = time.perf_counter()
    seed_province(
        table=read_participation_table(ROOT / "reports/data/ha_nam_2015.tsv"), province="Hà Nam", demo_logins=True
    )
    return time.perf_counter() - start


def search_bench_args(count_option: str) -> argparse.Namespace:
    """The search benchmarks' options: how many rows to create (--letters, --items…; 100,000 by
    default) and how many requests each search is timed over."""
    parser = argparse.ArgumentParser()
    parser.add_argument(f"--{count_option}", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    return parser.parse_args()


@contextmanager
def demo_province_database():
    """A scratch database holding the demo province, saying which engine it is and how long the load took."""
    with scratch_database():
        print(f"database: {engine()}")
        print(f"demo province seeded in {seed_demo_province():.0f} s")
        yield


def timed_bulk_load(build, *models):
    """Run `build()` and what a bulk load needs after it (the new tables' statistics, the units'); what
    build returned and the seconds it all took."""
    from reports.services import analyze_tables
    from units.models import Unit

    start = time.perf_counter()
    made = build()
    after_bulk_load(*models)
    analyze_tables(Unit)
    return made, time.perf_counter() - start


def after_bulk_load(*models, trigram_index: str = "") -> None:
    """On PostgreSQL, what autovacuum does after a load (statistics, and the visibility map that lets an
    index answer without the table), then whether the search's trigram index is there."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        if trigram_index:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [trigram_index])
            print(f"trigram index: {'present' if cursor.fetchone() else 'MISSING'}")


def search_timings(url: str, searches: list[tuple[str, dict]], username: str, requests: int) -> float:
    """Print p50, p95 and the queries of each search of a list page as `username`; the worst p95."""
    from urllib.parse import urlencode

    worst = 0.0
    for label, params in searches:
        full = f"{url}?{urlencode(params)}" if params else url
        p50, p95, queries = page_timings(full, username, requests)
        worst = max(worst, p95)
        print(f"  {label:<28} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    return worst
