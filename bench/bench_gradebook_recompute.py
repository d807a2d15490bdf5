"""Grade book: recomputing every average and result (issue #16, "Speed and scale").

Targets: a 2,000-student school (12 subjects × ~6 columns × 2 semesters ≈ 250,000 marks) under 2 s; a
province of 500,000 students (≈60 million marks) under 5 minutes in Celery with peak memory under 1 GB.

This script builds `--schools` schools of `--students` students each (bulk inserts), then prints:
- one school (`services.results_recompute_counts`): the first recompute (no results stored yet) and a
  second one with nothing changed (which writes nothing): seconds, rows written, queries, peak memory;
- the province path: `gradebook.tasks.recompute_results_job` (one task per school) run by `--workers`
  real `celery worker` processes through Redis when REDIS_URL is set (else in-process, one worker), first
  with no results stored, then with nothing changed; the workers' peak memory; and the extrapolation to
  500,000 students for W workers.
Usage: REDIS_URL=redis://127.0.0.1:6379/7 python bench/bench_gradebook_recompute.py [--students 2000]
       [--schools 6] [--workers 2]
"""

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

from _setup import ROOT, engine, scratch_database


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_school(parent, number: int, students: int, year: str) -> tuple:
    """A THCS school with classes of 45 (grades 6–9) and every column of every subject filled."""
    import random

    from accounts.models import User
    from gradebook.models import Mark, SubjectRule
    from units.models import Unit
    from units.services import unit_create

    rng = random.Random(number)
    school = unit_create(
        actor=None,
        parent=parent,
        code=f"BGB{number}",
        name=f"THCS Bench {number}",
        kind=Unit.Kind.SCHOOL,
        school_level="thcs",
    )
    rules: dict[int, list] = {}
    for rule in SubjectRule.objects.filter(school_year=year, regulation="tt22_2021", grade__in=[6, 7, 8, 9]):
        rules.setdefault(rule.grade, []).append(rule)
    classes = []
    for index in range((students + 44) // 45):
        grade = 6 + index % 4
        classes.append(
            unit_create(
                actor=None,
                parent=school,
                code=f"BGB{number}C{index}",
                name=f"{grade}A{index}",
                kind=Unit.Kind.CLASS,
                grade=grade,
            )
        )
    users = [
        User(
            username=f"bgb{number}s{n}",
            full_name=f"Học sinh {n}",
            name_folded=f"hoc sinh {n}",
            name_sort=f"hoc sinh {n}",
            unit=school,
            account_type="student",
            password="!",
        )
        for n in range(students)
    ]
    User.objects.bulk_create(users, batch_size=5000)
    ids = list(User.objects.filter(username__startswith=f"bgb{number}s").values_list("pk", flat=True))
    marks, count = [], 0
    for n, student_id in enumerate(ids):
        school_class = classes[n // 45]
        for rule in rules[school_class.grade]:
            for semester in (1, 2):
                columns = [("tx", i) for i in range(1, rule.regular_count + 1)] + [("gk", 1), ("ck", 1)]
                for kind, index in columns:
                    if rule.by_comment:
                        value, level = None, "D" if rng.random() < 0.95 else "CD"
                    else:
                        value, level = Decimal(rng.randint(30, 100)) / 10, ""
                    marks.append(
                        Mark(
                            student_id=student_id,
                            school=school,
                            school_class=school_class,
                            school_year=year,
                            semester=semester,
                            subject=rule.subject,
                            kind=kind,
                            index=index,
                            value=value,
                            level=level,
                        )
                    )
        if len(marks) >= 20000:
            Mark.objects.bulk_create(marks, batch_size=5000)
            count += len(marks)
            marks = []
    Mark.objects.bulk_create(marks, batch_size=5000)
    return school, count + len(marks)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes of this machine."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def database_pids(*, own: bool) -> list[int]:
    """The PostgreSQL server processes of this database: this connection's own, or every other one (the
    workers'). Read from /proc when the server runs on this machine (as here), else no figure."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        if own:
            cursor.execute("SELECT pg_backend_pid()")
        else:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        return [pid for (pid,) in cursor.fetchall()]


def one_school(school, year: str) -> None:
    """The first recompute of one school (nothing stored yet), then a second with nothing changed.

    The machine is shared, so besides the wall time this prints the CPU seconds of this process and of its
    PostgreSQL server process: their sum is about what the recompute takes on an idle machine."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gradebook import services
    from gradebook.models import StudentResult, SubjectResult

    SubjectResult.objects.all().delete()
    StudentResult.objects.all().delete()
    server = database_pids(own=True)
    for label in ("first recompute (nothing stored)", "again, nothing changed", "again, nothing changed"):
        rss_before = peak_mb()
        with CaptureQueriesContext(connection) as queries:
            start, cpu, server_cpu = time.perf_counter(), time.process_time(), cpu_seconds(server)
            counts = services.results_recompute_counts(school=school, school_year=year)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            server_cpu = cpu_seconds(server) - server_cpu
        print(
            f"  {label}: {seconds:.2f} s wall; CPU {cpu:.2f} s here + {server_cpu:.2f} s in PostgreSQL = "
            f"{cpu + server_cpu:.2f} s; {counts.students:,} students, {counts.computed:,} rows computed, "
            f"{counts.written:,} written, {counts.deleted} deleted, {len(queries)} queries; "
            f"peak RSS {peak_mb():.0f} MB (before {rss_before:.0f} MB)"
        )
    if os.environ.get("BENCH_PROFILE"):  # where the time goes, for tuning
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(services.results_recompute_counts, school=school, school_year=year)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


def vm_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def start_workers(redis_url: str, count: int, queue: str) -> list:
    """`count` real Celery worker processes (solo pool: one task at a time each) on the scratch database."""
    from django.db import connection

    settings = connection.settings_dict
    database = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    if connection.vendor != "postgresql":
        database = f"sqlite:///{settings['NAME']}"
    env = dict(os.environ, DATABASE_URL=database, REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="truonghoc.settings.test")
    env["PYTHONWARNINGS"] = "ignore::UserWarning"  # celery's warning about running as root, in a scratch run
    celery = str(Path(sys.executable).with_name("celery"))
    workers = []
    for n in range(count):
        command = [celery, "-A", "truonghoc", "worker", "--pool", "solo", "-Q", queue, "-n", f"bench{n}-{queue}@%h"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
        workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))  # noqa: S603
    from truonghoc.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1) or []
        if sum(1 for reply in replies for name in reply if queue in name) >= count:
            return workers
    raise SystemExit("the Celery workers did not start")


def province(dept, year: str, schools: int, students: int, total_marks: int, workers: int) -> None:
    from gradebook.models import StudentResult, SubjectResult
    from gradebook.tasks import recompute_results, recompute_results_job
    from truonghoc.celery import app

    redis_url = os.environ.get("REDIS_URL", "")
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    processes = []
    if redis_url:
        app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url)
        processes = start_workers(redis_url, workers, queue)
        idle_kb = [vm_kb(p.pid, "VmRSS") for p in processes]
    else:
        workers = 1
        print("  (REDIS_URL not set: the tasks run in this process, one worker)")
    try:
        rates = []
        for label in ("first (nothing stored)", "again, nothing changed", "again, nothing changed"):
            if label.startswith("first"):
                SubjectResult.objects.all().delete()
                StudentResult.objects.all().delete()
            # CPU of the workers and of their database processes (those opened during the run count whole)
            before = {pid: cpu_seconds([pid]) for pid in [p.pid for p in processes] + database_pids(own=False)}
            start = time.perf_counter()
            if redis_url:
                done = sum(recompute_results_job(dept.pk, year).apply_async(queue=queue).get(timeout=3600))
            else:
                done = recompute_results(dept.pk, year)
            seconds = time.perf_counter() - start
            per_school = seconds * min(workers, schools) / schools
            after = {pid: cpu_seconds([pid]) for pid in [p.pid for p in processes] + database_pids(own=False)}
            cpu = sum(after.values()) - sum(before.get(pid, 0) for pid in after)
            rates.append((label, per_school, cpu / schools if processes else per_school))
            cpu_text = f"; CPU of the workers and their PostgreSQL processes {cpu / schools:.2f} s per school"
            print(
                f"  {label}: {done:,} students, {total_marks:,} marks in {seconds:.2f} s on {workers} worker(s) "
                f"({total_marks / seconds:,.0f} marks/s; {per_school:.2f} s per school per worker"
                + (cpu_text if processes else "")
                + ")"
            )
        if processes:
            peaks = [vm_kb(p.pid, "VmHWM") / 1024 for p in processes]
            print(
                f"  workers' peak RSS: {', '.join(f'{mb:.0f} MB' for mb in peaks)} "
                f"(idle after start: {', '.join(f'{kb / 1024:.0f} MB' for kb in idle_kb)})"
            )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    target_schools = 500_000 / students
    for label, per_school, cpu_per_school in (rates[0], rates[-1]):
        bases = [("as measured", per_school)] + ([("idle machine, from CPU", cpu_per_school)] if processes else [])
        for basis, seconds in bases:
            minutes = {w: target_schools * seconds / w / 60 for w in (workers, 4, 8, 16)}
            print(
                f"  500,000 students ({target_schools:.0f} schools of {students:,}), {label}, {basis}: "
                + ", ".join(f"{m:.1f} min with W={w}" for w, m in minutes.items())
            )
    print(f"  (measured with W={workers}; more workers scale linearly while PostgreSQL has cores to spare)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000, help="students per school")
    parser.add_argument("--schools", type=int, default=6, help="schools in the province path")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (with REDIS_URL)")
    args = parser.parse_args()

    from gradebook import services
    from units.models import Unit
    from units.services import unit_create

    with scratch_database():
        print(f"database: {engine()}; load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        year = "2026-2027"
        services.subject_rules_ensure(school_year=year)
        ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ", kind=Unit.Kind.MINISTRY)
        dept = unit_create(actor=None, parent=ministry, code="SBENCH", name="Sở Bench", kind=Unit.Kind.DEPARTMENT)
        office = unit_create(actor=None, parent=dept, code="PBENCH", name="Phòng Bench", kind=Unit.Kind.OFFICE)
        total_marks, schools = 0, []
        start = time.perf_counter()
        for number in range(args.schools):
            school, marks = build_school(office, number, args.students, year)
            schools.append(school)
            total_marks += marks
        after_bulk_load()
        print(
            f"built {args.schools} schools × {args.students:,} students, {total_marks:,} marks "
            f"in {time.perf_counter() - start:.0f} s"
        )
        print(f"one school ({total_marks // args.schools:,} marks):")
        one_school(schools[0], year)
        print("province path (one task per school):")
        province(dept, year, args.schools, args.students, total_marks, args.workers)
        print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def after_bulk_load() -> None:
    from _setup import after_bulk_load as analyze

    from gradebook.models import Mark

    analyze(Mark)


if __name__ == "__main__":
    main()
