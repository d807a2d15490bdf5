"""500 students take the same 40-question test (issue #6): every answer saved, every attempt handed in.

A school with 500 students in 12 classes and an exam of 40 questions (single and multiple choice,
true/false, numeric, essay; questions and options shuffled). A pool of threads, each with its own
database connection and a Django test Client logged in as its student, plays the students through the
whole Django stack: start the attempt, open the attempt page, save 40 answers one by one (the htmx
autosave), then every student hands in, all 500 hand-ins squeezed into as short a time as the
machine allows (the target: within one minute). Then it checks that nothing failed, that all
500 × 40 answers are stored and that every attempt was graded, and prints p50/p95 of an answer save
and of a hand-in, throughput, and the queries one save costs.

The clients run in the same Python process as the server code (one GIL), so the timings include the
clients' own work: a real server with several worker processes does better.
Usage: python bench/bench_quiz.py [--students 500] [--workers 24]
"""

import argparse
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from _setup import engine, scratch_database

QUESTIONS = 40
CLASSES = 12
# 40 questions: what a 45-minute test of the 2018 curriculum looks like, with a few essays.
MIX = ["single"] * 14 + ["multiple"] * 8 + ["true_false"] * 8 + ["numeric"] * 6 + ["essay"] * 4


def build(students: int):
    from django.utils import timezone

    from accounts.models import User
    from materials.models import Quiz
    from tests.materials.factories import make_question, make_quiz
    from units.models import Role, Unit
    from units.services import role_assign, role_assignments_bulk_create, unit_create

    kind = Unit.Kind
    ministry = unit_create(actor=None, parent=None, code="BGDDT", name="Bộ Giáo dục và Đào tạo", kind=kind.MINISTRY)
    dept = unit_create(actor=None, parent=ministry, code="SGD-HN", name="Sở GDĐT Hà Nam", kind=kind.DEPARTMENT)
    office = unit_create(actor=None, parent=dept, code="PGD-PL", name="Phòng GDĐT Phủ Lý", kind=kind.OFFICE)
    school = unit_create(
        actor=None, parent=office, code="THCS-TP", name="Trường THCS Trần Phú", kind=kind.SCHOOL, school_level="thcs"
    )
    group = unit_create(actor=None, parent=school, code="TO-KHTN", name="Tổ Khoa học tự nhiên", kind=kind.GROUP)
    classes = [
        unit_create(actor=None, parent=school, code=f"9A{n}", name=f"9A{n}", kind=kind.CLASS, grade=9)
        for n in range(1, CLASSES + 1)
    ]
    teacher = User.objects.create(
        username="bench-teacher", full_name="Nguyễn Văn An", account_type="teacher", unit=school
    )
    role_assign(actor=None, user=teacher, unit=group, role=Role.TEACHER)
    learners = [
        User.objects.create(username=f"hs{n:04d}", full_name=f"Học Sinh {n}", account_type="student", unit=school)
        for n in range(students)
    ]
    role_assignments_bulk_create(rows=[(u.pk, classes[n % CLASSES], Role.STUDENT) for n, u in enumerate(learners)])
    questions = [
        make_question(
            author=teacher,
            unit=group,
            type=kind_,
            grade=9,
            topic=f"Chủ đề {n % 5}",
            level=n % 4 + 1,
            explanation="Áp dụng công thức \\(a^2 + b^2 = c^2\\).",
        )
        for n, kind_ in enumerate(MIX)
    ]
    now = timezone.now()
    quiz = make_quiz(
        author=teacher,
        unit=group,
        questions=questions,
        classes=classes,
        title="Kiểm tra giữa kì I – Toán 9",
        grade=9,
        mode=Quiz.Mode.EXAM,
        time_limit=45,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=2),
        shuffle_questions=True,
        shuffle_options=True,
    )
    return quiz, learners


def answer_data(position: int, question, rng: random.Random) -> dict:
    """What the attempt page would post for a student's answer to `question`."""
    name = f"q{position}"
    count = len(question.options)
    if question.type == "single":
        return {name: str(rng.randrange(count))}
    if question.type == "multiple":
        return {name: [str(i) for i in sorted(rng.sample(range(count), rng.randint(1, count)))]}
    if question.type == "true_false":
        return {f"{name}_{i}": rng.choice("10") for i in range(4)}
    if question.type == "numeric":
        return {name: rng.choice(["3,5", "3.5", "4", "-2"])}
    return {name: "Ta có \\(a^2 + b^2 = c^2\\) nên tam giác vuông. " * rng.randint(1, 20)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * share) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--workers", type=int, default=24)
    args = parser.parse_args()

    if engine() != "postgresql":
        # Two dozen connections writing at once: SQLite's single writer is not what this measures.
        print("bench_quiz needs PostgreSQL (set DATABASE_URL); skipped.")
        return
    with scratch_database():
        from django.db import connection
        from django.template import Template
        from django.test import Client, utils
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        from materials.models import Attempt, AttemptAnswer

        # The test environment wraps template rendering to record contexts; production does not.
        Template._render = utils._TestState.saved_data.template_render
        print(f"database: {engine()}; {args.students} students, {QUESTIONS} questions, {args.workers} threads")
        quiz, learners = build(args.students)
        start_url = reverse("materials:take_start", args=[quiz.pk])
        errors: list[str] = []
        lock = threading.Lock()

        def fail(message: str) -> None:
            with lock:
                errors.append(message)

        def client_for(user) -> Client:
            # One logged-in client per student, kept for the hand-in.
            client = Client()
            client.force_login(user)
            return client

        def take(user) -> tuple[Client, int, list[float], float]:
            """Start, open the page, save every answer: (client, attempt id, save times, page time)."""
            rng = random.Random(user.pk)
            client = client_for(user)
            response = client.post(start_url)
            if response.status_code != 302:
                fail(f"start {user.username}: {response.status_code}")
                return client, 0, [], 0.0
            attempt_id = int(response.url.rstrip("/").split("/")[-1])
            began = time.perf_counter()
            page = client.get(response.url)
            page_time = (time.perf_counter() - began) * 1000
            if page.status_code != 200:
                fail(f"page {user.username}: {page.status_code}")
            answers = AttemptAnswer.objects.filter(attempt_id=attempt_id).select_related("question")
            times = []
            for answer in answers:
                data = answer_data(answer.position, answer.question, rng)
                url = reverse("materials:attempt_save", args=[attempt_id, answer.position])
                began = time.perf_counter()
                saved = client.post(url, data, HTTP_HX_REQUEST="true")
                times.append((time.perf_counter() - began) * 1000)
                if saved.status_code != 200 or saved.get("X-Answer-Status") != "saved":
                    fail(f"save {user.username} #{answer.position}: {saved.status_code} {saved.content[:200]!r}")
            connection.close()
            return client, attempt_id, times, page_time

        def hand_in(item) -> float:
            client, attempt_id = item
            began = time.perf_counter()
            response = client.post(reverse("materials:attempt_submit", args=[attempt_id]))
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 302 or "da-nop" not in response.url:
                fail(f"hand in {attempt_id}: {response.status_code}")
            connection.close()
            return elapsed

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            taken = list(pool.map(take, learners))
        answering = time.perf_counter() - began
        save_times = [t for _c, _a, times, _p in taken for t in times]
        page_times = [p for _c, _a, _t, p in taken]

        # One save, counted: what the hot path costs the database.
        probe_client, probe_attempt = taken[0][0], taken[0][1]
        probe_question = AttemptAnswer.objects.get(attempt_id=probe_attempt, position=1).question
        with CaptureQueriesContext(connection) as queries:
            probe_client.post(
                reverse("materials:attempt_save", args=[probe_attempt, 1]),
                answer_data(1, probe_question, random.Random()),
                HTTP_HX_REQUEST="true",
            )
        queries_per_save = len(queries)

        # The attempt page alone (40 answered questions), without the crowd.
        take_url = reverse("materials:attempt_take", args=[probe_attempt])
        quiet_times = []
        for _ in range(30):
            started = time.perf_counter()
            probe_client.get(take_url)
            quiet_times.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            submit_times = list(pool.map(hand_in, [(c, a) for c, a, _t, _p in taken if a]))
        handing_in = time.perf_counter() - began
        connection.close()

        stored = AttemptAnswer.objects.filter(attempt__quiz=quiz, response__isnull=False).count()
        expected = args.students * QUESTIONS
        open_left = Attempt.objects.filter(quiz=quiz, status=Attempt.Status.IN_PROGRESS).count()
        unscored = Attempt.objects.filter(quiz=quiz, score__isnull=True).count()
        objective = AttemptAnswer.objects.filter(attempt__quiz=quiz).exclude(question__type="essay")
        ungraded = objective.filter(credit__isnull=True).count()
        attempts = Attempt.objects.filter(quiz=quiz).count()

        print(
            f"attempt page (40 questions): alone p50 {statistics.median(quiet_times):.1f} ms, "
            f"p95 {percentile(quiet_times, 0.95):.1f} ms; amid the crowd p50 {statistics.median(page_times):.1f} ms, "
            f"p95 {percentile(page_times, 0.95):.1f} ms"
        )
        print(
            f"answer save: {len(save_times)} saves in {answering:.1f} s ({len(save_times) / answering:.0f}/s), "
            f"p50 {statistics.median(save_times):.1f} ms, p95 {percentile(save_times, 0.95):.1f} ms, "
            f"{queries_per_save} queries per save (session and user included)"
        )
        print(
            f"hand-in: {len(submit_times)} in {handing_in:.1f} s ({len(submit_times) / handing_in:.0f}/s), "
            f"p50 {statistics.median(submit_times):.1f} ms, p95 {percentile(submit_times, 0.95):.1f} ms"
        )
        print(
            f"checks: {attempts} attempts, {stored}/{expected} answers stored, {open_left} still open, "
            f"{unscored} without a score, {ungraded} objective answers without a credit, {len(errors)} errors"
        )
        for message in errors[:10]:
            print("  error:", message)
        ok = (
            not errors
            and stored == expected
            and attempts == args.students
            and open_left == 0
            and unscored == 0
            and ungraded == 0
            and handing_in <= 60
        )
        print("OK" if ok else "FAILED")
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
