"""Participation statistics: full recompute time and dashboard speed.

Targets (issue #4): full recompute for the demo province (≈48,000 accounts) under 5 s; for 1,000,000
accounts under 60 s (and how it grows from 100k to 1M); a dashboard page p95 under 100 ms with a fixed
number of queries. Usage: python bench/bench_stats.py [--max-accounts 1000000]
"""

import argparse
import time

from _setup import engine, page_timings, scratch_database, seed_demo_province


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def dashboard_timings(unit, username, requests=60):
    from django.urls import reverse

    return page_timings(reverse("reports:dashboard", args=[unit.pk]), username, requests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-accounts", type=int, default=1_000_000)
    args = parser.parse_args()

    from reports.scale import generate_country, plan_for_accounts
    from reports.services import stats_recompute
    from units.models import Unit

    with scratch_database():
        print(f"database: {engine()}")
        seed_demo_province()
        rows, seconds = timed(stats_recompute)
        print(f"demo province (48,399 accounts): full recompute {seconds:.2f} s ({rows} snapshot rows, 15 periods)")
        _rows, seconds = timed(stats_recompute)
        print(f"  again (idempotent): {seconds:.2f} s")
        dept = Unit.objects.get(code="SGD-HANAM")
        p50, p95, queries = dashboard_timings(dept, "so")
        print(f"Department dashboard (141 schools): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")

        total = 48_399
        for size, prefix in ((100_000, "B1"), (1_000_000, "B2")):
            if size > args.max_accounts:
                break
            add = size - total
            _result, seconds = timed(generate_country, plan=plan_for_accounts(add), prefix=prefix)
            total += add
            print(f"country grown to {total:,} accounts (+{add:,} in {seconds:.0f} s)")
            rows, seconds = timed(stats_recompute)
            print(f"  full recompute at {total:,} accounts: {seconds:.2f} s ({rows:,} snapshot rows)")
            ministry = Unit.objects.get(code="BGDDT")
            from accounts.models import User
            from units.models import Role, RoleAssignment

            if not User.objects.filter(username="bench-bo").exists():
                staff = User.objects.create(username="bench-bo", full_name="Bench", unit=ministry, account_type="staff")
                RoleAssignment.objects.create(user=staff, unit=ministry, role=Role.MINISTRY_STAFF)
            p50, p95, queries = dashboard_timings(ministry, "bench-bo", requests=30)
            print(f"  Ministry dashboard: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")
            big = Unit.objects.filter(kind="department", code__startswith=prefix).first()
            if big is not None:
                p50, p95, queries = dashboard_timings(big, "bench-bo", requests=30)
                schools = Unit.objects.below(big).filter(kind="school").count()
                print(f"  a Department ({schools} schools): p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries")


if __name__ == "__main__":
    main()
