"""How long `seed_demo` takes to build the Hà Nam demo province (≈48,000 accounts), and its memory.

Target (issue #2): under 2 minutes on a 2-core machine. Prints seconds per phase, accounts per second,
peak memory, and the time of a second (idempotent) run.
"""

import resource
import time

from _setup import ROOT, engine, scratch_database

TABLE = ROOT / "reports" / "data" / "ha_nam_2015.tsv"


def main() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from reports.demo import seed_province
    from reports.participation import read_participation_table

    with scratch_database():
        table = read_participation_table(TABLE)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = seed_province(table=table, province="Hà Nam", demo_logins=True)
        first = time.perf_counter() - started
        accounts = User.objects.count()
        started = time.perf_counter()
        again = seed_province(table=table, province="Hà Nam", demo_logins=True)
        second = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database: {engine()}")
        print(f"seed_demo (Hà Nam, {len(table.rows)} schools): {first:.1f} s for {accounts} accounts")
        print(f"  {accounts / first:,.0f} accounts/s")
        print("  phases: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items()))
        print(f"  queries: {len(queries)}")
        print(f"  created: {dict(result.created)}")
        print(f"second run (idempotent): {second:.2f} s, created {sum(again.created.values())} rows")
        print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
