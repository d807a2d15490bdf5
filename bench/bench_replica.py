"""A real streaming replica (issue #19, point 4): the routing of truonghoc/replica.py checked against it.

Starts a private PostgreSQL pair on this machine — a primary (initdb, port 5491) and a hot standby made from
it with `pg_basebackup -R -X stream` (port 5492), both owned by the `postgres` user in a temporary folder —
so that neither the machine's own cluster nor its pg_hba.conf (which allows no replication connection) is
touched. Then, in a Django process with DATABASE_URL on the primary and DATABASE_REPLICA_URL on the standby:
migrates and seeds the demo province of a small table, and reports
- the replication lag (a commit on the primary until the standby has replayed it), p50 / p95 / max;
- where the Department dashboard's queries go: on the replica for a person who has not written, on the
  primary for 10 s after a POST (read-your-writes), on the replica again once the cookie is gone;
- the dashboard's p50 / p95 read from the replica and from the primary.
It fails (exit 1) if a rule does not hold. Needs the PostgreSQL server binaries (Debian's postgresql) and
root or the postgres user. Usage: python bench/bench_replica.py [--requests 40]
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRIMARY_PORT, REPLICA_PORT = 5491, 5492
DB = "th_replica_bench"
TABLE = (
    "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\ttopics_posted\n"
    "THPT\t1\tA Phủ Lý\t6\t20\t4\t1\n"
    "THCS Phủ Lý\t1\tTrần Phú\t8\t30\t8\t2\n"
    "THCS Phủ Lý\t2\tLê Hồng Phong\t8\t30\t6\t1\n"
)


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"{name} not found: install Debian's postgresql")
    return found[-1]


def _as_postgres(args, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(  # noqa: S603 — fixed programs, no shell
        prefix + [str(a) for a in args], check=True, capture_output=True, text=True, **kwargs
    )


def _start_pair(work: Path):
    primary, standby = work / "primary", work / "standby"
    _as_postgres([_bin("initdb"), "-D", primary, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"])
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{work}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
        )
    _as_postgres([_bin("pg_ctl"), "-D", primary, "-l", work / "primary.log", "-w", "start"])
    _as_postgres(
        [_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", PRIMARY_PORT, "-U", "postgres", "-D", standby, "-R",
         "-X", "stream"]
    )  # fmt: skip
    with open(standby / "postgresql.conf", "a") as conf:
        conf.write(f"port = {REPLICA_PORT}\n")
    _as_postgres([_bin("pg_ctl"), "-D", standby, "-l", work / "standby.log", "-w", "start"])
    _as_postgres([_bin("createdb"), "-h", "127.0.0.1", "-p", PRIMARY_PORT, "-U", "postgres", DB])
    return primary, standby


def _stop_pair(work: Path):
    for name in ("standby", "primary"):
        if (work / name / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                + [_bin("pg_ctl"), "-D", str(work / name), "-m", "immediate", "stop"],
                capture_output=True,
            )


def outer(args):
    work = Path(tempfile.mkdtemp(prefix="th-replica-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    try:
        started = time.perf_counter()
        _start_pair(work)
        print(
            f"primary :{PRIMARY_PORT} and streaming standby :{REPLICA_PORT} up in {time.perf_counter() - started:.1f} s"
        )
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
        env.update(
            DJANGO_SETTINGS_MODULE="truonghoc.settings.local",
            DEBUG="false",
            ALLOWED_HOSTS="testserver,127.0.0.1",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}",
            DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
            MEDIA_ROOT=str(work / "media"),
            PRIVATE_ROOT=str(work / "private"),
            REDIS_URL="",
        )
        command = [sys.executable, __file__, "--inner", "--requests", str(args.requests)]
        result = subprocess.run(command, env=env)  # noqa: S603 — this very script
        return result.returncode
    finally:
        _stop_pair(work)
        shutil.rmtree(work, ignore_errors=True)


def _percentiles(values):
    import statistics

    values = sorted(values)
    return statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)], values[-1]


def inner(args):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from truonghoc.replica import COOKIE

    failures = []
    call_command("migrate", verbosity=0)
    table = Path(os.environ["MEDIA_ROOT"]).parent / "table.tsv"
    table.write_text(TABLE, encoding="utf-8")
    started = time.perf_counter()
    call_command("seed_demo", "--table", str(table), "--province", "Hà Nam", stdout=StringIO())
    print(f"demo province seeded on the primary in {time.perf_counter() - started:.1f} s")

    primary, replica = connections["default"], connections["replica"]

    def replayed(lsn):
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return cursor.fetchone()[0]

    def lag_ms():
        with primary.cursor() as cursor:
            cursor.execute("UPDATE units_unit SET name = name WHERE id = (SELECT min(id) FROM units_unit)")
            cursor.execute("SELECT pg_current_wal_lsn()")
            lsn = cursor.fetchone()[0]
        begin = time.perf_counter()
        while not replayed(lsn):
            time.sleep(0.0005)
        return (time.perf_counter() - begin) * 1000

    lags = [lag_ms() for _ in range(50)]
    p50, p95, worst = _percentiles(lags)
    print(f"replication lag after a commit: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms (50 commits)")
    with primary.cursor() as a, replica.cursor() as b:
        a.execute("SELECT count(*) FROM accounts_user")
        b.execute("SELECT count(*) FROM accounts_user")
        counts = (a.fetchone()[0], b.fetchone()[0])
    print(f"accounts on the primary / the standby: {counts[0]} / {counts[1]}")
    if counts[0] != counts[1]:
        failures.append("the standby does not have every account")

    staff = User.objects.get(username="so")
    url = reverse("reports:dashboard", kwargs={"pk": staff.unit_id})
    client = Client()
    client.force_login(staff)

    def where(label):
        with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
            response = client.get(url)
        print(
            f"  {label}: {response.status_code}, {len(on_replica)} queries on the replica, "
            f"{len(on_primary)} on the primary"
        )
        return response.status_code, len(on_replica), len(on_primary)

    print(f"the Department dashboard ({url}):")
    status, r, _p = where("no recent write")
    if status != 200 or r == 0:
        failures.append("the dashboard did not read the replica")
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    if COOKIE not in response.cookies:
        failures.append("a POST did not set the read-your-writes cookie")
    status, r, _p = where("right after a POST (read-your-writes)")
    if r != 0:
        failures.append("a person who just wrote read the replica")
    client.cookies.pop(COOKIE, None)  # what the browser does once max-age has passed
    status, r, _p = where("once the cookie has expired")
    if r == 0:
        failures.append("the dashboard did not go back to the replica")

    def timings():
        times = []
        for _ in range(args.requests):
            begin = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - begin) * 1000)
        return _percentiles(times)

    timings()  # warm
    rep = timings()
    client.cookies[COOKIE] = "1"
    pri = timings()
    print(
        f"dashboard from the replica: p50 {rep[0]:.0f} ms, p95 {rep[1]:.0f} ms; "
        f"from the primary: p50 {pri[0]:.0f} ms, p95 {pri[1]:.0f} ms"
    )
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=40)
    arguments = parser.parse_args()
    sys.exit(inner(arguments) if arguments.inner else outer(arguments))
