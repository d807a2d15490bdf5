"""A national online round (issue #18): 100,000 students take a 40-question exam in a 45-minute window;
every answer saved, p95 of an answer save under 100 ms, results for all in under 2 minutes.

Set-up (timed, not the measured figure): a Ministry → Departments → Offices → schools tree (200 students a
school, one grade-9 class each), the Ministry's contest with an online round at the Department level (the
best 10 of each Department go on) on a 40-question exam-mode test of the test engine (questions and options
shuffled, the mix of bench_quiz.py), N student accounts, their registrations and round entries. The units,
the test, the contest and its rounds go through the services; the 100,000-row tables are written in bulk
(COPY on PostgreSQL through units.services.bulk_copy_rows, bulk_insert on SQLite), because the per-person
services (registration checks the quota, the grade and the deadline one person at a time) would take hours.
All students but a sample have already handed in: their graded attempts and 40 answers each are written the
same way, so that the answer table (4 million rows at full scale) and its indexes are those of the round.

Answer save, through the whole Django stack: a pool of threads, each with its own database connection,
plays the sample's students with a test Client logged in as each (the attempt page itself is not rendered:
bench_quiz.py times it): start the attempt, save the 40 answers one by one on the htmx autosave URL the
attempt page uses, hand in. Prints p50/p95/p99 of a save, saves per second of this one process, and what the
45-minute window needs (N × 40 / 2,700 s) against it, i.e. how many such web processes. Then one student's
saves alone (no crowd: the cost of a save without threads queueing for the GIL) and its queries.
The clients run in the server's Python process (one GIL, on a machine whose other CPU runs the database),
so the per-process rate is a floor: a real web process does not also play the clients.

Results: `contests.services.round_close` for all N entries (scores read from the attempts, ranking per
Department, the best 10 of each to the next round), timed, with its queries. Target: under 2 minutes.

Defaults: PostgreSQL 100,000 students, a sample of 500 (20,000 saves; `make bench` runs every script, and on
the shared 2-CPU machine a sample of 2,000 alone takes over half an hour), 8 threads; SQLite (one writer at a
time; a file test database) 5,000 students, a sample of 100, 4 threads, and the output says so.
Usage: python bench/bench_contest_national.py [--students N] [--sample N] [--workers N]
"""

import argparse
import io
import json
import math
import os
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from itertools import permutations

from _setup import after_bulk_load, engine, scratch_database
from bench_quiz import MIX, QUESTIONS, answer_data, percentile

DEPARTMENTS = 5
OFFICES_PER_DEPARTMENT = 4
STUDENTS_PER_SCHOOL = 200
TOP_N = 10
WINDOW_SECONDS = 45 * 60
CHUNK = 2000  # attempts (80,000 answers) per bulk write
DEFAULTS = {"postgresql": (100_000, 500, 8), "sqlite": (5_000, 100, 4)}


def load(model, columns: list[str], rows: list[tuple], *, with_ids: bool = False) -> list[int] | None:
    """New rows of `model` (values in the order of `columns`, attnames; JSON columns as JSON text, decimals
    as text); their ids when asked. PostgreSQL: COPY, the ids drawn from the table's sequence first (as
    accounts.services.users_bulk_load does); elsewhere: bulk_insert of instances."""
    from django.db import connection

    from truonghoc.bulk import bulk_insert
    from units.services import bulk_copy_rows

    if connection.vendor == "postgresql":
        ids = None
        if with_ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, model._meta.pk.column, len(rows)],
                )
                ids = [row[0] for row in cursor.fetchall()]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
            columns = [model._meta.pk.attname, *columns]
        bulk_copy_rows(model=model, columns=columns, rows=rows)
        return ids
    from django.db.models import JSONField

    fields = [model._meta.get_field(c) for c in columns]
    decode = [isinstance(f, JSONField) for f in fields]
    objs = [
        model(
            **{c: (json.loads(v) if d and v is not None else v) for c, v, d in zip(columns, row, decode, strict=True)}
        )
        for row in rows
    ]
    bulk_insert(model, objs)
    return [o.pk for o in objs]


@contextmanager
def bulk_load_session(*models):
    """PostgreSQL: while the bulk rows go in, the tables of `models` without their unique and foreign-key
    constraints and secondary indexes, built again afterwards (one sort per index and one join per foreign
    key instead of seven index insertions and two look-ups per row: 4 million answers go in several times
    faster), and commits that do not wait for the disk. Nothing changes on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    dropped = []
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        for model in models:
            table = quote(model._meta.db_table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [model._meta.db_table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p')",
                [model._meta.db_table, model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            dropped.append((table, constraints, indexes))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for table, constraints, indexes in dropped:
                for _name, definition in indexes:
                    cursor.execute(definition)
                for name, definition in constraints:
                    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("RESET synchronous_commit")


def build_tree(schools: int):
    """The Ministry, its Departments and Offices, `schools` THCS schools with one grade-9 class each: the
    units' bulk service (a fixed number of queries; unit_create would take a minute for 1,000 units)."""
    from units.models import Unit
    from units.services import UnitSpec, unit_create, units_tree_bulk_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    specs, parents, offices = [], [], []
    for d in range(DEPARTMENTS):
        specs.append(UnitSpec(code=f"SGD{d}", name=f"Sở GDĐT {d}", kind=kind.DEPARTMENT))
        parents.append(ministry)
        dept = len(specs) - 1
        for o in range(OFFICES_PER_DEPARTMENT):
            specs.append(UnitSpec(code=f"PGD{d}-{o}", name=f"Phòng GDĐT {d}-{o}", kind=kind.OFFICE))
            parents.append(dept)
            offices.append(len(specs) - 1)
    for n in range(schools):
        specs.append(UnitSpec(code=f"TH{n}", name=f"Trường THCS {n}", kind=kind.SCHOOL, school_level="thcs"))
        parents.append(offices[n % len(offices)])
        specs.append(UnitSpec(code=f"L{n}", name="9A", kind=kind.CLASS, grade=9))
        parents.append(len(specs) - 2)
    units = units_tree_bulk_create(actor=None, specs=specs, parents=parents)
    made = units[len(offices) + DEPARTMENTS :]
    return ministry, made[0::2], made[1::2]


def build(students: int, sample: int):
    """Everything but the sample's attempts; prints each step's seconds. Returns (organiser, round, test,
    questions by id, the sample's users)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.services.core import AccountSpec, users_bulk_load
    from contests import services
    from contests.models import Registration, Round, RoundEntry
    from materials.models import Attempt, AttemptAnswer, Quiz
    from materials.scoring import question_credit, score_on_ten
    from tests.materials.factories import make_question, make_quiz
    from truonghoc.bulk import copy_text
    from units.models import Role, RoleAssignment, Unit
    from units.services import role_assign, role_assignments_bulk_load, unit_create

    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        print(f"  {what}: {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()

    schools = max(1, math.ceil(students / STUDENTS_PER_SCHOOL))
    ministry, school_units, classes = build_tree(schools)
    staff = User.objects.create(username="bo-staff", full_name="Cán bộ Bộ", account_type="staff", unit=ministry)
    role_assign(actor=None, user=staff, unit=ministry, role=Role.MINISTRY_STAFF)
    group = unit_create(actor=None, parent=school_units[0], code="TO", name="Tổ Toán", kind=Unit.Kind.GROUP)
    teacher = User.objects.create(username="gv", full_name="Giáo viên", account_type="teacher", unit=school_units[0])
    role_assign(actor=None, user=teacher, unit=group, role=Role.TEACHER)
    done(f"units: {DEPARTMENTS} Departments, {DEPARTMENTS * OFFICES_PER_DEPARTMENT} Offices, {schools} schools")

    with transaction.atomic():
        ids = users_bulk_load(
            specs=(
                AccountSpec(username=f"ts{n:06d}", full_name=f"Học Sinh {n}", account_type="student",
                            unit=school_units[n % schools])
                for n in range(students)
            )
        )  # fmt: skip
        role_assignments_bulk_load(rows=((pk, classes[n % schools], Role.STUDENT) for n, pk in enumerate(ids)))
    done(f"{students:,} student accounts and their roles")

    now = timezone.now()
    questions = [
        make_question(author=teacher, unit=group, type=kind_, grade=9, topic=f"Chủ đề {n % 5}", level=n % 4 + 1)
        for n, kind_ in enumerate(MIX)
    ]
    quiz = make_quiz(
        author=teacher, unit=group, questions=questions, title="Olympic Toán 9 – vòng trực tuyến", grade=9,
        mode=Quiz.Mode.EXAM, time_limit=45, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=3),
        shuffle_questions=True, shuffle_options=True,
    )  # fmt: skip
    contest = services.contest_create(
        actor=staff, organiser=ministry, title="Olympic Toán học sinh THCS toàn quốc", audience="students",
        participation="individual", rules="Thể lệ", registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(minutes=1),
    )  # fmt: skip
    first = services.round_create(
        actor=staff, contest=contest, title="Vòng trực tuyến", level="department", kind="test", quiz=quiz,
        opens_at=now + timedelta(minutes=2), closes_at=now + timedelta(hours=3), qualify_rule="top_n",
        qualify_top_n=TOP_N,
    )  # fmt: skip
    services.round_create(
        actor=staff, contest=contest, title="Vòng toàn quốc", level="ministry", kind="product",
        opens_at=now + timedelta(hours=4), closes_at=now + timedelta(days=3), allowed_types=["pdf"],
    )  # fmt: skip
    services.contest_announce(actor=staff, contest=contest)
    # The round has been open for 50 minutes: most students have handed in already.
    opened = now - timedelta(minutes=50)
    Round.objects.filter(pk=first.pk).update(opens_at=opened)
    done("test (40 questions), contest and rounds through the services")

    registrations = load(
        Registration,
        ["contest_id", "user_id", "school_id", "unit_id", "grade", "registered_by_id", "created_at"],
        [
            (contest.pk, pk, school_units[n % schools].pk, classes[n % schools].pk, 9, pk, now - timedelta(days=1))
            for n, pk in enumerate(ids)
        ],
        with_ids=True,
    )
    load(RoundEntry, ["round_id", "registration_id", "created_at"], [(first.pk, r, now) for r in registrations])
    done(f"{students:,} registrations and round entries")

    # The others' handed-in attempts: 40 answers each in a shuffled order, options shuffled, graded. Each
    # question has a few stored answers (with their credit) to draw from; an answer row is put together
    # from pieces made once, because 4 million rows built value by value take minutes of Python.
    rng = random.Random(18)
    variants = {}  # question id → [(option order, response, credit): JSON texts and the credit]
    for question in questions:
        count = len(question.options or [])
        if question.type in ("single", "multiple"):
            orders = [json.dumps(list(p)) for p in permutations(range(count))]
        else:
            orders = [json.dumps(list(range(count)))]
        pieces = []
        for _ in range(8):
            if question.type == "single":
                response = rng.randrange(count)
            elif question.type == "multiple":
                response = sorted(rng.sample(range(count), rng.randint(1, count)))
            elif question.type == "true_false":
                response = [rng.choice([True, False]) for _ in range(4)]
            elif question.type == "numeric":
                response = rng.choice(["3,5", "3.5", "4", "-2"])
            else:
                response = "Ta có \\(a^2 + b^2 = c^2\\) nên tam giác vuông. " * rng.randint(1, 20)
            credit = question_credit(question, response)
            if credit is None:  # an essay, graded by the teacher
                credit = Decimal(rng.randint(0, 4)) / 4
            pieces += [(order, json.dumps(response), credit) for order in rng.sample(orders, min(6, len(orders)))]
        variants[question.pk] = [(piece, copy_text([piece]).rstrip("\n")) for piece in pieces]
    question_ids = [q.pk for q in questions]
    starts = [opened + timedelta(seconds=10 * n) for n in range(30)]
    saved_at = [[start + timedelta(seconds=60 * p) for p in range(1, QUESTIONS + 1)] for start in starts]
    saved_text = [[copy_text([(moment,)]).rstrip("\n") for moment in moments] for moments in saved_at]
    copy_sql = (
        f"COPY {AttemptAnswer._meta.db_table} (attempt_id, question_id, position, saved_at, option_order, response, "
        "credit, feedback) FROM STDIN"
    )

    def load_attempts(others: list[int]) -> int:
        answers = 0
        for start in range(0, len(others), CHUNK):
            chunk = others[start : start + CHUNK]
            attempt_rows, drawn = [], []
            for user_id in chunk:
                began = rng.randrange(len(starts))
                picks = [
                    (question_id, rng.choice(variants[question_id]))
                    for question_id in rng.sample(question_ids, QUESTIONS)
                ]
                drawn.append((began, picks))
                moment = starts[began]
                attempt_rows.append(
                    (quiz.pk, user_id, 1, Attempt.Status.GRADED, moment, moment + timedelta(minutes=45),
                     moment + timedelta(minutes=42), False, str(score_on_ten(piece[2] for _q, (piece, _t) in picks)))
                )  # fmt: skip
            attempt_ids = load(
                Attempt,
                ["quiz_id", "student_id", "number", "status", "started_at", "deadline", "submitted_at",
                 "auto_submitted", "score"],
                attempt_rows,
                with_ids=True,
            )  # fmt: skip
            if connection.vendor == "postgresql":
                text = "".join(
                    f"{attempt_id}\t{question_id}\t{position}\t{saved_text[began][position - 1]}\t{piece_text}\t\n"
                    for attempt_id, (began, picks) in zip(attempt_ids, drawn, strict=True)
                    for position, (question_id, (_piece, piece_text)) in enumerate(picks, 1)
                )
                with connection.cursor() as cursor:
                    cursor.cursor.copy_expert(copy_sql, io.StringIO(text))
            else:
                load(
                    AttemptAnswer,
                    ["attempt_id", "question_id", "position", "saved_at", "option_order", "response", "credit"],
                    [
                        (attempt_id, question_id, position, saved_at[began][position - 1], order, response, str(credit))
                        for attempt_id, (began, picks) in zip(attempt_ids, drawn, strict=True)
                        for position, (question_id, ((order, response, credit), _text)) in enumerate(picks, 1)
                    ],
                )
            answers += len(chunk) * QUESTIONS
        return answers

    others = ids[: students - sample]
    with bulk_load_session(AttemptAnswer):
        answers = load_attempts(others)
    rebuilt = " (indexes and constraints built again)" if connection.vendor == "postgresql" else ""
    done(f"{len(others):,} handed-in attempts with {answers:,} answers{rebuilt}")
    after_bulk_load(User, RoleAssignment, Registration, RoundEntry, Attempt, AttemptAnswer)
    done("statistics (VACUUM ANALYZE)")
    first.refresh_from_db()
    sample_users = list(User.objects.filter(pk__in=ids[students - sample :]).order_by("pk"))
    return staff, first, quiz, {q.pk: q for q in questions}, sample_users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=None, help="100,000 on PostgreSQL, 5,000 on SQLite")
    parser.add_argument("--sample", type=int, default=None, help="students played live: 500 (PostgreSQL), 100")
    parser.add_argument("--workers", type=int, default=None, help="client threads: 8 (PostgreSQL), 4 (SQLite)")
    args = parser.parse_args()
    vendor = engine()
    students, sample, workers = DEFAULTS.get(vendor, DEFAULTS["sqlite"])
    smaller = vendor != "postgresql" and args.students is None
    students = args.students or students
    sample = min(args.sample or sample, students)
    workers = args.workers or workers
    if sample < 2:
        raise SystemExit("--sample must be at least 2 (one student is timed alone)")

    with scratch_database():
        from django.db import connection
        from django.template import Template
        from django.test import Client, utils
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse
        from django.utils import timezone

        from contests import services
        from contests.models import Round, RoundEntry
        from materials.models import Attempt, AttemptAnswer

        # The test environment wraps template rendering to record contexts; production does not.
        Template._render = utils._TestState.saved_data.template_render
        print(
            f"database: {vendor}; {students:,} students, {sample:,} of them played live by {workers} threads, "
            f"{QUESTIONS} questions"
        )
        print(f"load average of the machine (1, 5, 15 min): {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
        if smaller:
            print("  (SQLite: a smaller default than PostgreSQL's 100,000; one writer at a time)")
        began = time.perf_counter()
        staff, first, quiz, questions, sample_users = build(students, sample)
        print(f"set-up: {time.perf_counter() - began:.0f} s (not the measured figure)")

        start_url = reverse("materials:take_start", args=[quiz.pk])
        errors: list[str] = []
        lock = threading.Lock()

        def fail(message: str) -> None:
            with lock:
                errors.append(message)

        def start(user) -> tuple[Client, int]:
            client = Client()
            client.force_login(user)
            response = client.post(start_url)
            if response.status_code != 302:
                fail(f"start {user.username}: {response.status_code}")
                return client, 0
            return client, int(response.url.rstrip("/").split("/")[-1])

        def save(client, attempt_id: int, answer, rng) -> tuple[float, float]:
            """(ms, CPU ms of this thread: the client's and the server's Python, not the database's)"""
            data = answer_data(answer.position, questions[answer.question_id], rng)
            url = reverse("materials:attempt_save", args=[attempt_id, answer.position])
            cpu, began = time.thread_time(), time.perf_counter()
            saved = client.post(url, data, HTTP_HX_REQUEST="true")
            elapsed, cpu = (time.perf_counter() - began) * 1000, (time.thread_time() - cpu) * 1000
            if saved.status_code != 200 or saved.get("X-Answer-Status") != "saved":
                fail(f"save {attempt_id} #{answer.position}: {saved.status_code} {saved.content[:200]!r}")
            return elapsed, cpu

        def hand_in(client, attempt_id: int) -> float:
            began = time.perf_counter()
            response = client.post(reverse("materials:attempt_submit", args=[attempt_id]))
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 302 or "da-nop" not in response.url:
                fail(f"hand in {attempt_id}: {response.status_code}")
            return elapsed

        def take(user) -> tuple[list[tuple[float, float]], float]:
            """One student of the crowd: start, 40 saves, hand in. (save times, hand-in time)"""
            try:
                rng = random.Random(user.pk)
                client, attempt_id = start(user)
                if not attempt_id:
                    return [], 0.0
                answers = list(AttemptAnswer.objects.filter(attempt_id=attempt_id).only("position", "question_id"))
                times = [save(client, attempt_id, answer, rng) for answer in answers]
                return times, hand_in(client, attempt_id)
            finally:
                connection.close()

        probe, crowd = sample_users[0], sample_users[1:]
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            taken = list(pool.map(take, crowd))
        crowd_seconds = time.perf_counter() - began
        save_times = [t for times, _h in taken for t, _cpu in times]
        save_cpu = [cpu for times, _h in taken for _t, cpu in times]
        hand_ins = [h for _t, h in taken if h]

        # One student alone: the cost of a save without a crowd, and its queries.
        client, attempt_id = start(probe)
        answers = list(AttemptAnswer.objects.filter(attempt_id=attempt_id).only("position", "question_id"))
        rng = random.Random(probe.pk)
        alone = [save(client, attempt_id, answer, rng)[0] for _ in range(5) for answer in answers]
        with CaptureQueriesContext(connection) as queries:
            save(client, attempt_id, answers[0], rng)
        queries_per_save = len(queries)
        hand_ins.append(hand_in(client, attempt_id))

        needed = students * QUESTIONS / WINDOW_SECONDS
        rate = len(save_times) / crowd_seconds
        p95 = percentile(save_times, 0.95)
        print(
            f"answer save amid {workers} threads: {len(save_times):,} saves by {len(crowd):,} students in "
            f"{crowd_seconds:.1f} s = {rate:,.0f} saves/s in this process (starts and hand-ins served too); "
            f"p50 {statistics.median(save_times):.1f} ms, p95 {p95:.1f} ms, p99 {percentile(save_times, 0.99):.1f} ms "
            f"(target p95 < 100 ms: {'OK' if p95 < 100 else 'SLOW'})"
        )
        cpu = statistics.mean(save_cpu)
        print(
            f"  CPU of this process per save (client and server, measured per thread): mean {cpu:.1f} ms, so one "
            f"process is CPU-bound at {1000 / cpu:,.0f} saves/s whatever else the machine runs"
        )
        print(
            f"answer save alone (one client, {len(alone)} saves): p50 {statistics.median(alone):.1f} ms, "
            f"p95 {percentile(alone, 0.95):.1f} ms, p99 {percentile(alone, 0.99):.1f} ms, "
            f"{queries_per_save} queries per save (session and user included)"
        )
        print(
            f"hand-in: p50 {statistics.median(hand_ins):.1f} ms, p95 {percentile(hand_ins, 0.95):.1f} ms "
            f"({len(hand_ins):,})"
        )
        print(
            f"the window: {students:,} × {QUESTIONS} saves in {WINDOW_SECONDS:,} s = {needed:,.0f} saves/s on average; "
            f"at {rate:,.0f}/s per process that is {math.ceil(needed / rate)} web processes "
            f"(alone: {1000 / statistics.median(alone):,.0f}/s per single-threaded process, "
            f"{math.ceil(needed * statistics.median(alone) / 1000)} processes; "
            f"by CPU: {math.ceil(needed * cpu / 1000)} busy CPUs)"
        )
        print(f"load average of the machine (1, 5, 15 min): {', '.join(f'{v:.1f}' for v in os.getloadavg())}")

        stored = AttemptAnswer.objects.filter(attempt__quiz=quiz, response__isnull=False).count()
        attempts = Attempt.objects.filter(quiz=quiz).count()
        open_left = Attempt.objects.filter(quiz=quiz, status=Attempt.Status.IN_PROGRESS).count()
        print(
            f"checks: {attempts:,} attempts, {stored:,}/{students * QUESTIONS:,} answers stored, {open_left} still "
            f"open, {len(errors)} errors"
        )
        for message in errors[:10]:
            print("  error:", message)

        # The window is over: close the round, score and rank everyone.
        closes = timezone.now()
        Round.objects.filter(pk=first.pk).update(closes_at=closes)
        first.refresh_from_db()
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            services.round_close(actor=staff, rnd=first, now=closes + timedelta(seconds=1))
        elapsed = time.perf_counter() - began
        scored = RoundEntry.objects.filter(round=first, score__isnull=False).count()
        qualified = RoundEntry.objects.filter(round=first, status=RoundEntry.Status.QUALIFIED).count()
        following = RoundEntry.objects.filter(round__contest=first.contest, round__order=2).count()
        print(
            f"round_close: {elapsed:.1f} s for {students:,} entries ({students / elapsed:,.0f} entries/s), "
            f"{len(queries)} queries; {scored:,} scored, {qualified} go on to the national round "
            f"(target < 120 s: {'OK' if elapsed < 120 else 'SLOW'})"
        )
        ok = (
            not errors
            and stored == students * QUESTIONS
            and attempts == students
            and open_left == 0
            and scored == students
            and qualified == following >= TOP_N
        )
        print("OK" if ok else "FAILED")
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
