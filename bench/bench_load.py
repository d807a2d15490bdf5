"""Load, measured (issue #19, point 8): the site as deployed, on this machine, under a realistic mix of people.

The set-up, every part its own process, all private to this run and stopped at the end (also on Ctrl-C or an
error):
- PostgreSQL: a primary (initdb, port 5491) and a `pg_basebackup -R` streaming standby (port 5492), made by
  bench/bench_replica.py's functions;
- Redis on its own port (--redis-port, 6391);
- the data: the demo province (`manage.py seed_demo`) on the primary, an exam-mode test open to ≈300 students
  of the demo school's classes (materials' services), the demo teacher's course with its worksheets, and
  letters in the archive (bench_letters.build_letters); session cookies made directly for each person
  (the login door is rate-limited), written to a JSON file the locustfile reads;
- two gunicorn instances (the Procfile's `web` line, truonghoc/gunicorn.conf.py, 2 workers each) on two
  ports with the production settings (DEBUG off), DATABASE_URL on the primary and DATABASE_REPLICA_URL on the
  standby; the two Celery workers of the Procfile (interactive, bulk);
- haproxy (Debian's) in front, round-robin, terminating TLS with a throw-away self-signed certificate as a
  real load balancer would (the production settings send secure cookies only and redirect plain HTTP).
The load generator is locust from its own virtualenv (.venv-load, bench/requirements-load.txt), so it never
touches the project's dependencies; its people are in bench/locustfile.py, their pages in bench/load_mix.py.

Runs, each printed as a table:
(a) 200 concurrent people with think time for --minutes (3): req/s, p50/p95/p99 per page, errors
    (goal: 0 errors, p95 < 300 ms for pages, < 100 ms for an answer save);
(b) the saturation point: no think time, users doubled until p95 > 1 s or errors; req/s there;
(c) throughput from one web process to four: a single gunicorn with 1, 2, 3, 4 workers, no think time,
    behind the same haproxy;
(d) each page alone against Django's 404 page (issue #19, point 9): gunicorn with 4 workers, 10 users,
    no think time; the page's req/s as a share of the 404's.
The load generator shares the machine's CPUs with the site: figures are those of one noisy machine. The load
average is printed at the start and the end.

Usage: python bench/bench_load.py [--minutes 3] [--quick] [--users 200]
Needs root or the postgres user (the private clusters), Debian's postgresql, redis-server and haproxy (installed
with apt-get when missing, as `make chromium` does for chromium).
"""

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import bench_replica  # noqa: E402  (the private primary and standby)

PYTHON = ROOT / ".venv" / "bin" / "python"
LOAD_VENV = ROOT / ".venv-load"
LOCUST = LOAD_VENV / "bin" / "locust"
BALANCER_PORT, WEB_PORTS = 8190, (8191, 8192)
DB = bench_replica.DB
PAGE_GOAL_MS, SAVE_GOAL_MS, SATURATED_MS = 300, 100, 1000
# Point 9's ratio: the pages compared with the 404 floor, and the share of it each must reach.
RATIO_PAGES = [
    "student: attempt page",
    "teacher: home",
    "teacher: course page",
    "teacher: grading page",
    "teacher: grade book grid",
    "staff: Department dashboard",
    "staff: letters archive search",
]


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)"


# --- tools --------------------------------------------------------------------------------------------------


def ensure_tools() -> None:
    """locust in its own virtualenv, haproxy from Debian: installed once, when missing."""
    if not LOCUST.exists():
        print("creating .venv-load (locust, bench/requirements-load.txt)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(LOAD_VENV / "bin" / "pip"), "install", "-q", "-r", str(BENCH / "requirements-load.txt")], check=True
        )
        (LOAD_VENV / ".installed").touch()  # what `make bench-load` checks
    if not shutil.which("haproxy"):
        print("installing haproxy (Debian)…", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "haproxy"],  # noqa: S607
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    for program in ("redis-server", "openssl"):
        if not shutil.which(program):
            sys.exit(f"{program} not found: install Debian's {program.split('-')[0]}")


def procfile(name: str) -> list[str]:
    """The Procfile's command for `name`, its ${VAR:-default} filled from the environment: the processes run
    here as `make serve` runs them."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith(f"{name}:"))
    command = line.split(":", 1)[1].strip()
    command = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: os.environ.get(m.group(1)) or m.group(2), command)
    return [str(ROOT / part) if part.startswith(".venv/") else part for part in command.split()]


class Processes:
    """Processes started by this run, each in its own process group, stopped (TERM, then KILL) at the end."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.running)):
            self.stop(name)


def wait_for(url: str, seconds: float = 60, what: str = "") -> None:
    import ssl

    context = ssl._create_unverified_context()  # noqa: S323 — our own throw-away certificate
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{what or url} did not answer within {seconds:.0f} s (logs in the run's folder)")
        time.sleep(0.5)


# --- the set-up ---------------------------------------------------------------------------------------------


def site_env(work: Path, redis_port: int) -> dict:
    """The production settings as `make serve` gives them, on the private database pair and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="truonghoc.settings.production",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{bench_replica.PRIMARY_PORT}/{DB}",
        DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{bench_replica.REPLICA_PORT}/{DB}",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        TRUSTED_PROXY_COUNT="1",
        MEDIA_ROOT=str(work / "media"),
        PRIVATE_ROOT=str(work / "private"),
        # Kept between runs (var/ is not committed): collectstatic then only checks what changed.
        STATIC_ROOT=str(ROOT / "var" / "bench-load-static"),
        PROMETHEUS_MULTIPROC_DIR=str(work / "metrics"),
        GUNICORN_LOG_LEVEL="warning",
        LOG_FORMAT="json",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def build_data(work: Path, env: dict, args) -> Path:
    """Migrate, seed, build the test, the letters and the sessions; the personas' JSON file."""
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    print(f"  migrated and static files collected in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    seed = ["seed_demo", "--province", "Hà Nam"]
    if args.quick:  # three schools instead of the province's 141: a smoke run
        table = work / "table.tsv"
        table.write_text(bench_replica.TABLE, encoding="utf-8")
        seed += ["--table", str(table)]
    manage(env, *seed)
    print(f"  demo province seeded on the primary in {time.perf_counter() - started:.0f} s", flush=True)
    personas = work / "personas.json"
    subprocess.run(  # noqa: S603 — this very script, inside Django
        [str(PYTHON), __file__, "--inner-data", str(personas), "--students", str(args.students),
         "--letters", str(args.letters)],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return personas


def inner_data(out: Path, students: int, letters: int) -> None:
    """Inside Django, on the primary: the exam for ≈`students` pupils of the demo school, letters, sessions."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from datetime import timedelta

    from _setup import after_bulk_load
    from bench_letters import build_letters
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from courses.demo import LESSON_TITLE, WORKSHEET_1
    from courses.models import Assignment, Course
    from gradebook.models import TeachingAssignment
    from materials.demo import GRADE, SUBJECT
    from materials.models import Question, Quiz
    from materials.services import quizzes
    from publications.models import Letter, LetterRecipient
    from units.models import Role, RoleAssignment, Unit

    started = time.perf_counter()
    teacher = User.objects.get(username="giaovien")
    staff = User.objects.get(username="so")
    school = teacher.unit
    group = (
        RoleAssignment.objects.filter(user=teacher, role=Role.TEACHER)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
        .unit
    )
    # The demo school's classes, in order, until ≈`students` pupils can take the test.
    classes, pupils = [], []
    for school_class in Unit.objects.below(school).filter(kind=Unit.Kind.CLASS, is_active=True).order_by("path"):
        members = list(
            User.objects.filter(
                role_assignments__unit=school_class, role_assignments__role=Role.STUDENT, is_active=True
            ).distinct()
        )
        if members:
            classes.append(school_class)
            pupils += members
        if len(pupils) >= students:
            break
    quiz = quizzes.quiz_create(
        actor=teacher,
        unit=group,
        title="Kiểm tra giữa kì – bài thi tải",
        subject=SUBJECT,
        grade=GRADE,
        mode=Quiz.Mode.EXAM,
        selection=Quiz.Selection.MANUAL,
        time_limit=120,
        closes_at=timezone.now() + timedelta(days=1),
        # With no think time a student hands in within seconds and starts again.
        max_attempts=100,
        classes=classes,
    )
    for question in Question.objects.filter(author=teacher).order_by("pk"):
        # A demo question not approved (a school with no reviewer) stays out of the test.
        with suppress(ValidationError):
            quizzes.quiz_question_add(actor=teacher, quiz=quiz, question=question)
    if not quiz.items.exists():
        sys.exit("the demo teacher has no approved question: the test cannot be built")
    quizzes.quiz_publish(actor=teacher, quiz=quiz)
    quiz.refresh_from_db()
    made_letters, recipients = build_letters(count=letters)
    after_bulk_load(Letter, LetterRecipient)

    course = Course.objects.get(title=LESSON_TITLE, author=teacher)
    assignment = Assignment.objects.get(course=course, title=WORKSHEET_1)
    book = TeachingAssignment.objects.filter(teacher=teacher).order_by("pk").first()

    def session(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    personas = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "students": [session(pupil) for pupil in pupils],
        "teachers": [session(teacher) for _ in range(10)],
        "staff": [session(staff) for _ in range(10)],
        "ids": {
            "quiz": quiz.pk,
            "course": course.pk,
            "assignment": assignment.pk,
            "class_id": book.school_class_id,
            "semester": book.semester,
            "subject": book.subject,
            "unit": staff.unit_id,
        },
    }
    # The attempt page alone (the ratio run) needs an attempt: the first pupil's, started now.
    from materials.services.attempts import attempt_start

    personas["ids"]["attempt"] = attempt_start(student=pupils[0], quiz=quiz).pk
    personas["attempt_owner"] = personas["students"][:1]
    personas["students"] = personas["students"][1:]
    out.write_text(json.dumps(personas), encoding="utf-8")
    print(
        f"  test of {quiz.items.count()} questions open to {len(pupils)} students in {len(classes)} classes, "
        f"{made_letters:,} letters ({recipients:,} recipient rows), "
        f"{len(pupils) + 20} sessions, in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


# --- the site -----------------------------------------------------------------------------------------------


def start_web(procs: Processes, env: dict, name: str, port: int, workers: int) -> None:
    web_env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    procs.start(name, procfile("web"), web_env)
    wait_for(f"http://127.0.0.1:{port}/healthz", what=f"gunicorn {name}")


def start_balancer(procs: Processes, work: Path, ports) -> None:
    """haproxy, round-robin over `ports`, TLS with the run's certificate; restarted with a new list."""
    procs.stop("haproxy")
    servers = "\n".join(f"    server web{n} 127.0.0.1:{port} check" for n, port in enumerate(ports, 1))
    config = work / "haproxy.cfg"
    config.write_text(
        f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    # The health check goes through the same queue as the pages: on a saturated machine a slow answer is not
    # a dead server (with the defaults haproxy marked both down and answered 503 during run (a)).
    timeout check 30s
    default-server inter 5s fall 10 rise 1
    option forwardfor
frontend site
    bind 127.0.0.1:{BALANCER_PORT} ssl crt {work / "site.pem"}
    http-request set-header X-Forwarded-Proto https
    default_backend web
backend web
    balance roundrobin
    option httpchk GET /healthz
{servers}
""",
        encoding="utf-8",
    )
    procs.start("haproxy", ["haproxy", "-db", "-f", str(config)], dict(os.environ))
    wait_for(f"https://127.0.0.1:{BALANCER_PORT}/healthz", what="haproxy")


def make_certificate(work: Path) -> None:
    key, cert = work / "site.key", work / "site.crt"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),  # noqa: S607
         "-days", "2", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    (work / "site.pem").write_bytes(cert.read_bytes() + key.read_bytes())


# --- locust and its figures ---------------------------------------------------------------------------------


def locust(work: Path, personas: Path, label: str, users: int, seconds: int, think: bool, only: str = "") -> dict:
    """One headless locust run; its per-page figures, read from locust's CSV."""
    prefix = work / "locust" / re.sub(r"\W+", "-", label)
    prefix.parent.mkdir(exist_ok=True)
    spawn = max(1.0, users / 20) if think else users  # with think time, people arrive over ≈20 s
    env = {**os.environ, "LOAD_PERSONAS": str(personas), "LOAD_THINK": "1" if think else "0", "LOAD_ONLY": only}
    command = [
        str(LOCUST), "-f", str(BENCH / "locustfile.py"), "--headless", "--host", f"https://127.0.0.1:{BALANCER_PORT}",
        "-u", str(users), "-r", str(spawn), "-t", f"{seconds}s", "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "2", "--loglevel", "ERROR", "--exit-code-on-error", "0",
    ]  # fmt: skip
    if think:
        command.append("--reset-stats")  # the figures of the full crowd, not of its arrival
    with open(work / "locust.log", "ab") as log:
        subprocess.run(command, env=env, cwd=BENCH, check=True, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    rows = {}
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    failures = []
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as found:
        failures = [f"{r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(found)]
    return {"pages": rows, "failures": failures}


def warm_up(work: Path, personas: Path, args) -> None:
    """A freshly started gunicorn's workers import and connect on their first requests: a short run of the
    whole mix, not reported, so the measured run starts warm."""
    locust(work, personas, "warm-up", 8, args.warm_seconds, think=False)


def print_failures(result: dict, limit: int = 5) -> None:
    for failure in result["failures"][:limit]:
        print(f"    error: {failure}")


def print_table(title: str, result: dict, goals: bool = False) -> None:
    print(f"\n{title}")
    print(f"  {'page':<34} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}  goal")
    for name, row in sorted(result["pages"].items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        goal = ""
        if goals and name != "Aggregated":
            limit = SAVE_GOAL_MS if name == "student: answer save" else PAGE_GOAL_MS
            goal = f"p95 < {limit}: {'met' if row['p95'] < limit else 'MISSED'}"
        label = "all pages" if name == "Aggregated" else name
        print(
            f"  {label:<34} {row['requests']:>8} {row['rps']:>7.1f} {row['p50']:>7.0f} {row['p95']:>7.0f} "
            f"{row['p99']:>7.0f} {row['errors']:>6}  {goal}"
        )
    for failure in result["failures"][:8]:
        print(f"  error: {failure}")


def total(result: dict) -> dict:
    return result["pages"].get("Aggregated", {"requests": 0, "errors": 0, "rps": 0.0, "p50": 0, "p95": 0, "p99": 0})


# --- the runs -----------------------------------------------------------------------------------------------


def run_crowd(work, personas, args) -> None:
    seconds = int(args.minutes * 60)
    result = locust(work, personas, "a-crowd", args.users, seconds + 20, think=True)
    print_table(
        f"(a) {args.users} concurrent people with think time (3–8 s between clicks, an answer saved every "
        f"10–30 s), {args.minutes:g} min after they all arrived; two gunicorn × 2 workers behind haproxy",
        result,
        goals=True,
    )
    every = total(result)
    print(f"  → {every['rps']:.1f} req/s, {every['errors']} errors of {every['requests']} requests (goal: 0)")


def run_saturation(work, personas, args) -> None:
    print("\n(b) saturation, no think time: users doubled until p95 > 1 s or errors")
    print(f"  {'users':>5} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    best = None
    for users in args.saturation_users:
        result = locust(work, personas, f"b-{users}", users, args.step_seconds, think=False)
        every = total(result)
        print(
            f"  {users:>5} {every['requests']:>8} {every['rps']:>7.1f} {every['p50']:>7.0f} {every['p95']:>7.0f} "
            f"{every['p99']:>7.0f} {every['errors']:>6}",
            flush=True,
        )
        if every["p95"] > SATURATED_MS or every["errors"]:
            for failure in result["failures"][:5]:
                print(f"  error: {failure}")
            print(
                f"  → saturated at {users} users: {every['rps']:.1f} req/s (p95 {every['p95']:.0f} ms, "
                f"{every['errors']} errors); the last step under the limit: "
                + (f"{best[0]} users, {best[1]:.1f} req/s" if best else "none")
            )
            return
        best = (users, every["rps"])
    print(f"  → not saturated at {best[0]} users: {best[1]:.1f} req/s (p95 stayed ≤ 1 s, no errors)")


def run_scaling(work, personas, procs, env, args) -> None:
    print(
        f"\n(c) one gunicorn with 1 to 4 worker processes behind the same haproxy, no think time, "
        f"{args.scaling_users} users, {args.step_seconds} s each"
    )
    for name in ("web1", "web2"):
        procs.stop(name)
    print(f"  {'workers':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'vs 1':>6}")
    first = None
    for workers in (1, 2, 3, 4):
        start_web(procs, env, "web-scaling", WEB_PORTS[0], workers)
        start_balancer(procs, work, [WEB_PORTS[0]])
        warm_up(work, personas, args)
        result = locust(work, personas, f"c-{workers}", args.scaling_users, args.step_seconds, think=False)
        every = total(result)
        first = first or every["rps"] or 1.0
        print(
            f"  {workers:>7} {every['requests']:>8} {every['rps']:>7.1f} {every['p50']:>7.0f} {every['p95']:>7.0f} "
            f"{every['errors']:>6} {every['rps'] / first:>5.2f}×",
            flush=True,
        )
        print_failures(result)
        procs.stop("web-scaling")


def run_ratio(work, personas, procs, env, args) -> None:
    """Issue #19, point 9: each page alone at 10 users against Django's 404 page, same server, same run."""
    print(
        f"\n(d) each page alone against Django's 404 page: one gunicorn with 4 workers, {args.ratio_users} users, "
        f"no think time, {args.ratio_seconds} s each (goal, point 9: every page ≥ 1/8 of the 404's req/s)"
    )
    start_web(procs, env, "web-ratio", WEB_PORTS[0], 4)
    start_balancer(procs, work, [WEB_PORTS[0]])
    warm_up(work, personas, args)
    result = locust(work, personas, "d-404", args.ratio_users, args.ratio_seconds, think=False, only="404 page")
    floor = total(result)
    print(f"  {'page':<34} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'of 404':>8}")
    print(f"  {'404 page':<34} {floor['rps']:>7.1f} {floor['p50']:>7.0f} {floor['p95']:>7.0f} {floor['errors']:>6}")
    print_failures(result)
    for page in RATIO_PAGES:
        result = locust(work, personas, f"d-{page}", args.ratio_users, args.ratio_seconds, think=False, only=page)
        every = total(result)
        share = floor["rps"] / every["rps"] if every["rps"] else float("inf")
        verdict = "met" if share <= 8 else "MISSED"
        print(
            f"  {page:<34} {every['rps']:>7.1f} {every['p50']:>7.0f} {every['p95']:>7.0f} {every['errors']:>6} "
            f"{'1/' + format(share, '.1f'):>8} {verdict}",
            flush=True,
        )
        print_failures(result)
    procs.stop("web-ratio")


# --- main ---------------------------------------------------------------------------------------------------


def outer(args) -> int:
    ensure_tools()
    print(f"load average at the start: {loadavg()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix="th-load-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres", "postgres")
    (work / "logs").mkdir()
    procs = Processes(work / "logs")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, work, ignore_errors=True)
        cleanup.callback(bench_replica._stop_pair, work)
        cleanup.callback(procs.stop_all)
        started = time.perf_counter()
        bench_replica._start_pair(work)
        procs.start(
            "redis",
            ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(work)],
            dict(os.environ),
        )  # fmt: skip
        print(
            f"primary :{bench_replica.PRIMARY_PORT}, streaming standby :{bench_replica.REPLICA_PORT} and Redis "
            f":{args.redis_port} up in {time.perf_counter() - started:.0f} s; the run's files in {work}",
            flush=True,
        )
        env = site_env(work, args.redis_port)
        personas = build_data(work, env, args)
        make_certificate(work)
        procs.start("worker_interactive", procfile("worker_interactive"), env)
        procs.start("worker_bulk", procfile("worker_bulk"), env)
        for name, port in zip(("web1", "web2"), WEB_PORTS, strict=True):
            start_web(procs, env, name, port, 2)
        start_balancer(procs, work, WEB_PORTS)
        print(
            f"site: haproxy https://127.0.0.1:{BALANCER_PORT} → gunicorn :{WEB_PORTS[0]} and :{WEB_PORTS[1]} "
            "(2 workers each, truonghoc.settings.production, DEBUG off), Celery interactive and bulk workers",
            flush=True,
        )
        run_crowd(work, personas, args)
        run_saturation(work, personas, args)
        run_scaling(work, personas, procs, env, args)
        if not args.no_ratio:
            run_ratio(work, personas, procs, env, args)
        print(f"\nload average at the end: {loadavg()}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=3, help="length of run (a) once everyone has arrived")
    parser.add_argument("--users", type=int, default=200, help="concurrent people in run (a)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 schools, short runs, fewer people")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--no-ratio", action="store_true", help="skip run (d), the pages against the 404 page")
    parser.add_argument("--inner-data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner_data:
        inner_data(args.inner_data, args.students, args.letters)
        return 0
    args.saturation_users = [4, 8, 16, 32, 64, 128]
    args.step_seconds, args.scaling_users = 30, 16
    args.ratio_users, args.ratio_seconds, args.warm_seconds = 10, 20, 10
    if args.quick:
        args.minutes, args.users, args.letters = min(args.minutes, 0.5), min(args.users, 20), 1_000
        args.saturation_users, args.step_seconds, args.scaling_users, args.ratio_seconds = [4, 8], 10, 8, 5
        args.warm_seconds = 5
    try:
        return outer(args)
    except KeyboardInterrupt:
        print("interrupted: every process and the temporary clusters were stopped")
        return 130


if __name__ == "__main__":
    sys.exit(main())
