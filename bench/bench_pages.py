"""Cheaper pages (issue #19, point 9): each page's throughput under gunicorn against Django's own 404.

The demo province is seeded in a scratch PostgreSQL database (141 schools, ≈48,000 accounts, the demo
logins, the dashboards' snapshots), then what the pages show: bench_courses' course (30 sections, 2,000
learners), its 200-post thread and the learner's 20 courses; bench_letters' letters and bench_materials'
library items (20,000 each by default); a 20-question test the demo student has started. gunicorn then
serves that database with the project's gunicorn.conf.py (4 sync workers, the production settings, Redis as
the cache) on a free port, and Debian's `wrk` (installed by `make bench`) drives each page alone with 10
connections for N seconds, logged in with a session cookie of the page's persona. Printed per page: req/s,
p50/p95, the ratio to the 404's req/s in the same run, PASS/FAIL against 1/8. The 404 is measured first
and last; the ratio uses their mean, and both are printed with the load average: the machine is shared,
so the spread between them is the run's noise.

--profile first renders each page through the test Client under cProfile (one process, no gunicorn) and
prints where the time goes: SQL, ORM query building, template rendering, URL reversals (cumulative share,
calls per request) and the functions with the most own time. Those figures are far less noisy than req/s.
Usage: python bench/bench_pages.py [--seconds 10] [--connections 10] [--profile] [--only dashboard,thread] [--keep]
  (DATABASE_URL must be PostgreSQL; REDIS_URL or --redis-url for the server's cache, default DB 15)
"""

import argparse
import cProfile
import json
import os
import pstats
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from _setup import ROOT, after_bulk_load, engine, scratch_database, seed_demo_province

FLOOR_SHARE = 1 / 8  # every page at least 1/8 of the 404's throughput (issue #19, point 9)
QUESTIONS = 20
TAKERS = 10  # one attempt per connection: the saves of one student never wait on another's row lock
WRK_SCRIPT = """
-- Set by bench_pages.py through the environment: the method, the cookie, and for a POST the bodies.
local method = os.getenv("WRK_METHOD") or "GET"
local cookie = os.getenv("WRK_COOKIE") or ""
local csrf = os.getenv("WRK_CSRF") or ""
local targets = {}
for path, cookie_of, body in string.gmatch(os.getenv("WRK_TARGETS") or "", "([^|]*)|([^|]*)|([^\\n]*)\\n") do
  table.insert(targets, {path, cookie_of, body})
end
local n = 0
request = function()
  if #targets == 0 then
    return wrk.format(method, nil, {Cookie = cookie})
  end
  n = n % #targets + 1
  local t = targets[n]
  return wrk.format(method, t[1], {
    Cookie = t[2] .. "; csrftoken=" .. csrf, ["X-CSRFToken"] = csrf, ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded", Referer = wrk.scheme .. "://" .. wrk.host,
  }, t[3])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass
class Page:
    key: str
    label: str
    url: str
    username: str = ""  # anonymous when empty
    method: str = "GET"
    status: int = 200
    targets: list[tuple[str, str]] = field(default_factory=list)  # POST: (path, body) per request, in turn


def build_quiz():
    """A 20-question test for the demo student's class, started by the student and nine classmates."""
    from django.utils import timezone

    from accounts.models import User
    from materials.models import Quiz
    from materials.services.attempts import attempt_start
    from tests.materials.factories import make_question, make_quiz
    from units.models import Role, RoleAssignment

    teacher = User.objects.get(username="giaovien")
    student = User.objects.get(username="hocsinh")
    school_class = RoleAssignment.objects.get(user=student, role=Role.STUDENT).unit
    questions = [make_question(author=teacher, unit=teacher.unit, grade=school_class.grade) for _ in range(QUESTIONS)]
    quiz = make_quiz(
        author=teacher, unit=teacher.unit, questions=questions, classes=[school_class], grade=school_class.grade,
        mode=Quiz.Mode.EXAM, time_limit=600, closes_at=timezone.now() + timezone.timedelta(days=1),
    )  # fmt: skip
    classmates = User.objects.filter(
        role_assignments__unit=school_class, role_assignments__role=Role.STUDENT, is_active=True
    ).exclude(pk=student.pk)[: TAKERS - 1]
    return [attempt_start(student=taker, quiz=quiz) for taker in [student, *classmates]]


def build():
    """The data set every page reads; returns the pages to measure."""
    from bench_courses import build as build_course
    from bench_letters import build_letters
    from bench_materials import build_items
    from django.urls import reverse
    from django.utils import timezone

    from materials.models import Material, MaterialVersion
    from publications.models import Letter, LetterRecipient
    from reports.services import stats_recompute
    from units.models import Unit
    from units.services import school_years_seed

    print(f"demo province seeded in {seed_demo_province():.0f} s")
    school_years_seed(actor=None, today=timezone.localdate())
    started = time.perf_counter()
    stats_recompute()
    print(f"dashboards' snapshots computed in {time.perf_counter() - started:.0f} s")
    course, thread, _assignment, _submissions = build_course()
    letters, _rows = build_letters(count=ARGS.letters)
    items = build_items(count=ARGS.items)
    after_bulk_load(Letter, LetterRecipient, Material, MaterialVersion)
    attempts = build_quiz()
    print(f"course, 200-post thread, {letters:,} letters, {items:,} library items, {len(attempts)} attempts")
    dept = Unit.objects.get(code="SGD-HANAM")
    save_targets = [
        (reverse("materials:attempt_save", args=[a.pk, position]), f"q{position}={(a.pk + position) % 4}", a.student_id)
        for position in range(1, QUESTIONS + 1)
        for a in attempts
    ]
    return [
        Page("404", "Django's 404 (anonymous)", "/khong-co-trang-nay/", status=404),
        Page("save", "answer save (htmx POST, 10 students)", "", "hocsinh", "POST", targets=save_targets),
        Page("course", "course page, learner (30 sections)", reverse("courses:course", args=[course.pk]), "hocsinh"),
        Page("course_t", "course page, instructor", reverse("courses:course", args=[course.pk]), "giaovien"),
        Page("teacher", "teacher's home", reverse("home"), "giaovien"),
        Page("letters", "letters search", reverse("letters:archive") + "?q=ke+hoach+nam+hoc", "giaovien"),
        Page("library", "library search", reverse("materials:library") + "?q=toan+lop+6+phan+so", "giaovien"),
        Page("student", "student's home (20 courses)", reverse("home"), "hocsinh"),
        Page("thread", "forum thread (200 posts), page 1", reverse("forums:thread", args=[thread.pk]), "hocsinh"),
        Page("dashboard", "Department dashboard (141 schools)", reverse("reports:dashboard", args=[dept.pk]), "so"),
    ]


def profile(pages: list[Page], requests: int) -> None:
    """Each page through the test Client under cProfile: where a request's time goes."""
    from django.conf import settings
    from django.core.cache import cache
    from django.template import Template
    from django.test import Client, utils

    from accounts.models import User

    Template._render = utils._TestState.saved_data.template_render  # as page_timings: production renders plainly
    # As in production (the test settings turn the personal cache off); --cold empties the cache before each
    # request, to see what a page costs the first time.
    settings.PERSONAL_CACHE_SECONDS = 60
    buckets = {
        "SQL (cursor execute)": ("django/db/backends/utils.py", "_execute"),
        "ORM query building (as_sql)": ("django/db/models/sql/compiler.py", "as_sql"),
        "templates (Template.render)": ("django/template/base.py", "render"),
        "URL reversals (reverse)": ("django/urls/base.py", "reverse"),
        "variables resolved": ("django/template/base.py", "_resolve_lookup"),
    }
    for page in pages:
        if page.method != "GET":
            continue
        client = Client()
        if page.username:
            client.force_login(User.objects.get(username=page.username))
        client.get(page.url)  # warm: caches, compiled templates
        # The process's CPU time, not the wall clock: the figures hold on a busy machine (the database's
        # own CPU, in its server process, is left out).
        profiler = cProfile.Profile(time.process_time)
        started, cpu_started = time.perf_counter(), time.process_time()
        profiler.enable()
        for _ in range(requests):
            if ARGS.cold:
                cache.clear()
            response = client.get(page.url)
        profiler.disable()
        per_request = (time.perf_counter() - started) * 1000 / requests
        cpu_per_request = (time.process_time() - cpu_started) * 1000 / requests
        assert response.status_code == page.status, (page.url, response.status_code)
        stats = pstats.Stats(profiler).stats
        total = sum(tt for _cc, _nc, tt, _ct, _callers in stats.values())
        print(
            f"\n{page.label}: {cpu_per_request:.1f} ms CPU ({per_request:.1f} ms wall) a request under the profiler, "
            f"{len(response.content) // 1024} KB"
        )
        for name, (suffix, function) in buckets.items():
            calls = cumulative = 0.0
            for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in stats.items():
                if func == function and filename.endswith(suffix):
                    calls += nc
                    cumulative = max(cumulative, ct)  # the outermost call's cumulative time (recursion)
            print(f"  {name:<30} {cumulative / total:6.1%}  {calls / requests:8.0f} calls a request")
        print("  most own time:")
        top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:6]
        for (filename, line, func), (_cc, nc, tt, _ct, _callers) in top:
            where = "/".join(Path(filename).parts[-2:])
            print(f"    {tt / total:6.1%}  {nc / requests:7.0f}×  {func} ({where}:{line})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(port: int, secret_key: str, static_root: str) -> dict:
    """The production settings on this machine (as scripts/serve.sh), on the scratch database."""
    from django.db import connection

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    # Each process keeps its own metrics (no PROMETHEUS_MULTIPROC_DIR: its files would land in the checkout).
    inherited = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "truonghoc.settings.production",
        "DATABASE_URL": f"{database_url}/{db['NAME']}",
        "REDIS_URL": ARGS.redis_url,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
        "WEB_CONCURRENCY": str(ARGS.workers),
        "GUNICORN_THREADS": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_LOG_LEVEL": "warning",
        "GUNICORN_MAX_REQUESTS": "0",  # no worker restarts in the middle of a measure
        "LOG_FORMAT": "text",
    }


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=10)  # noqa: S310 - our own local server
            return
        except OSError:  # refused, reset or timed out while the workers start (a busy machine is slow)
            time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within {seconds:.0f} s")


def fetch_status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def run_wrk(base: str, page: Page, cookies: dict[str, str], seconds: int, script: str) -> tuple[float, int, int, int]:
    """(req/s, p50 ms, p95 ms, bad responses) of `page` alone, `ARGS.connections` connections."""
    env = {**os.environ, "WRK_METHOD": page.method, "WRK_COOKIE": cookies.get(page.username, "")}
    if page.targets:
        env["WRK_TARGETS"] = "".join(f"{path}|{cookie}|{body}\n" for path, body, cookie in page.targets)
        env["WRK_CSRF"] = CSRF
    command = ["wrk", f"-t{min(2, ARGS.connections)}", f"-c{ARGS.connections}", f"-d{seconds}s", "--timeout", "30s"]
    out = subprocess.run(  # noqa: S603 - our own arguments
        [*command, "-s", script, base + (page.url or "/")], env=env, capture_output=True, text=True
    )
    line = next((row for row in out.stdout.splitlines() if row.startswith("RESULT")), None)
    if line is None:
        sys.exit(f"wrk failed on {page.label}: {out.stdout}{out.stderr}")
    count, micros, p50, p95, status_errors, socket_errors = map(int, line.split()[1:])
    bad = socket_errors + (0 if page.status == 404 else status_errors)
    return count / (micros / 1e6), p50 // 1000, p95 // 1000, bad


CSRF = secrets.token_hex(16)  # a 32-character secret: the cookie and the header of the answer saves


def measure(pages: list[Page]) -> None:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    secret_key = secrets.token_urlsafe(50)
    # Sessions made here must verify in gunicorn: sign them with the server's key.
    settings.SECRET_KEY = secret_key

    def session_cookie(user) -> str:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}"

    cookies = {name: session_cookie(User.objects.get(username=name)) for name in {p.username for p in pages} - {""}}
    for page in pages:
        if page.targets:  # each attempt posted with its own student's session
            students = {pk: session_cookie(User.objects.get(pk=pk)) for pk in {pk for _p, _b, pk in page.targets}}
            page.targets = [(path, body, students[pk]) for path, body, pk in page.targets]
            page.url = page.targets[0][0]

    import redis

    redis.Redis.from_url(ARGS.redis_url).flushdb()  # the scratch database's ids start again: no stale fragments
    static_root = tempfile.mkdtemp(prefix="bench-pages-static-")
    script = Path(static_root) / "pages.lua"
    script.write_text(WRK_SCRIPT)
    port = free_port()
    env = server_env(port, secret_key, static_root)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )  # fmt: skip
    server = subprocess.Popen(  # noqa: S603 - our own arguments
        [str(ROOT / ".venv/bin/gunicorn"), "truonghoc.wsgi:application", "--config", "truonghoc/gunicorn.conf.py"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        for page in pages:
            if page.method == "GET":
                status = fetch_status(base + page.url, cookies.get(page.username, ""))
                assert status == page.status, (page.label, status)
        print(f"\ngunicorn {ARGS.workers} workers :{port}; wrk {ARGS.connections} connections, {ARGS.seconds} s a page")
        print(f"load average at start: {os.getloadavg()[0]:.1f} (CPUs: {os.cpu_count()})")
        results = {}
        floor_runs = []
        for page in [*pages, pages[0]]:  # the 404 first and last: its spread is the run's noise
            run_wrk(base, page, cookies, 2, str(script))  # warm every worker
            rate, p50, p95, bad = run_wrk(base, page, cookies, ARGS.seconds, str(script))
            if page.key == "404":
                floor_runs.append(rate)
            results[page.key] = (rate, p50, p95, bad)
            print(f"  measured {page.label}: {rate:.0f} req/s", flush=True)
        floor = sum(floor_runs) / len(floor_runs)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
        print(f"404 floor: {floor_runs[0]:.0f} req/s first, {floor_runs[-1]:.0f} last, mean {floor:.0f}")
        print(f"\n{'page':<40} {'req/s':>7} {'p50':>6} {'p95':>6} {'ratio':>8}  1/8")
        for page in pages[1:]:
            rate, p50, p95, bad = results[page.key]
            ratio = rate / floor
            verdict = "PASS" if ratio >= FLOOR_SHARE and not bad else "FAIL"
            errors = f"  {bad} bad responses" if bad else ""
            print(f"{page.label:<40} {rate:7.0f} {p50:4d}ms {p95:4d}ms   1/{1 / ratio:4.1f}  {verdict}{errors}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(static_root, ignore_errors=True)


KEPT = ROOT / "test-output" / "bench_pages_kept.json"


def kept_pages() -> list[Page] | None:
    """The pages of a database seeded by an earlier --keep run, when it is still there."""
    from accounts.models import User

    if not KEPT.exists() or not User.objects.filter(username="giaovien").exists():
        return None
    pages = [Page(**row) for row in json.loads(KEPT.read_text())]
    for page in pages:
        page.targets = [tuple(target) for target in page.targets]
    print("the database seeded by an earlier --keep run")
    return pages


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--letters", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--profile", action="store_true", help="cProfile each page through the test Client first")
    parser.add_argument("--profile-requests", type=int, default=20)
    parser.add_argument("--cold", action="store_true", help="profile with the cache emptied before each request")
    parser.add_argument("--only", default="", help="comma-separated page keys (the 404 is always measured)")
    parser.add_argument("--no-load", action="store_true", help="profile only, no gunicorn")
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database for the next --keep run (to profile again)"
    )  # fmt: skip
    ARGS = parser.parse_args()
    if engine() != "postgresql":
        print("bench_pages needs PostgreSQL (set DATABASE_URL): several gunicorn workers share the database.")
        return
    if not shutil.which("wrk") and not ARGS.no_load:
        sys.exit("wrk is missing: `make bench` installs it (Debian's package).")
    with scratch_database(keep=ARGS.keep):
        print(f"database: {engine()}")
        pages = kept_pages() if ARGS.keep else None
        if pages is None:
            pages = build()
            if ARGS.keep:
                KEPT.write_text(json.dumps([asdict(page) for page in pages]))
        if ARGS.only:
            keys = {"404", *ARGS.only.split(",")}
            pages = [page for page in pages if page.key in keys]
        if ARGS.profile:
            profile(pages, ARGS.profile_requests)
        if not ARGS.no_load:
            measure(pages)


ARGS = argparse.Namespace()

if __name__ == "__main__":
    main()
