"""The load bench's people (issue #19, point 8), run by bench/bench_load.py with locust from its own
virtualenv (.venv-load). Every URL comes from bench/load_mix.py (PAGES), whose paths a unit test resolves.

Environment: LOAD_PERSONAS, the JSON file bench_load.py wrote (session cookies made directly, ids of the
test, course, grid and dashboard); LOAD_THINK=0 for no think time (the saturation and scaling runs);
LOAD_ONLY=<page label> to request one page alone (the page-against-404 ratio).

With think time, people pause 3–8 s between clicks and a student saves an answer every 10–30 s."""

import itertools
import json
import os
import random
import re
import secrets
import sys
from pathlib import Path

import gevent
import urllib3
from locust import HttpUser, between, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_mix import PAGES, SEARCHES, WEIGHTS, answer, csrf_token, path, questions_of

urllib3.disable_warnings()  # the local haproxy's self-signed certificate

PERSONAS = json.loads(Path(os.environ["LOAD_PERSONAS"]).read_text()) if os.environ.get("LOAD_PERSONAS") else {}
THINK = os.environ.get("LOAD_THINK", "1") != "0"
ONLY = os.environ.get("LOAD_ONLY", "")
WAIT = between(3, 8) if THINK else constant(0)
_students = itertools.count()


def pause(low: float, high: float) -> None:
    if THINK:
        gevent.sleep(random.uniform(low, high))


class Person(HttpUser):
    abstract = True
    wait_time = WAIT
    role = ""

    def on_start(self):
        self.client.verify = False
        self.client.cookies.set(PERSONAS["cookie_name"], self.session_cookie())
        # A browser that has been on the site holds a CSRF cookie. Set ours as the session's is: in run (a)
        # one start in ten was refused with "CSRF cookie not set" when the client had to keep the site's
        # Secure cookie itself (the token sent is still the one each page carries, masked from this secret).
        self.csrf = secrets.token_hex(16)
        self.client.cookies.set(PERSONAS.get("csrf_cookie_name", "csrftoken"), self.csrf)

    def session_cookie(self) -> str:
        return random.choice(PERSONAS[self.role])

    def get(self, page: str, **values):
        with self.client.get(path(page, **values), name=page, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    def post(self, page: str, data: dict, referer: str, headers=None, **values):
        # Over HTTPS Django's CSRF check wants the token and a same-origin Referer, as a browser sends them.
        headers = {"X-CSRFToken": self.csrf, "Referer": self.host + referer, **(headers or {})}
        return self.client.post(
            path(page, **values), data=data, headers=headers, name=page, catch_response=True, allow_redirects=False
        )

    def remember_csrf(self, response) -> None:
        self.csrf = csrf_token(response.text or "") or self.csrf


class Student(Person):
    abstract = bool(ONLY)
    weight = WEIGHTS["student"]
    role = "students"

    def session_cookie(self) -> str:
        # Each simulated student is a different pupil (two people on one attempt would refuse each other).
        pool = PERSONAS["students"]
        return pool[next(_students) % len(pool)]

    @task
    def take_the_test(self):
        quiz = PERSONAS["ids"]["quiz"]
        start_page = path("student: test start page", quiz=quiz)
        page = self.get("student: test start page", quiz=quiz)
        self.remember_csrf(page)
        pause(3, 8)
        with self.post("student: start the test", {}, start_page, quiz=quiz) as started:
            location = started.headers.get("Location", "")
            found = re.search(r"/bai-lam/(\d+)/", location)
            if started.status_code == 302 and location.rstrip("/").endswith(f"/{quiz}"):
                # Sent back to the test's page: this student has no attempt left (the exam allows one, and
                # without think time the same people come round again). The site's right answer, not an error.
                started.success()
                return
            if started.status_code != 302 or not found:
                started.failure(f"{started.status_code} {location}")
                return
        attempt = int(found.group(1))
        attempt_page = path("student: attempt page", attempt=attempt)
        page = self.get("student: attempt page", attempt=attempt)
        self.remember_csrf(page)
        questions = questions_of(page.text or "")
        if not questions:
            return
        positions = random.sample(sorted(questions), min(len(questions), random.randint(4, 8)))
        for position in positions:
            pause(10, 30)
            with self.post(
                "student: answer save",
                answer(position, *questions[position]),
                attempt_page,
                headers={"HX-Request": "true"},
                attempt=attempt,
                position=position,
            ) as saved:
                if saved.status_code != 200 or saved.headers.get("X-Answer-Status") != "saved":
                    saved.failure(f"{saved.status_code} {saved.headers.get('X-Answer-Status')}")
        pause(3, 8)
        with self.post("student: hand in", {}, attempt_page, attempt=attempt) as handed:
            if handed.status_code != 302 or "/da-nop/" not in handed.headers.get("Location", ""):
                handed.failure(f"{handed.status_code} {handed.headers.get('Location', '')}")
                return
        self.get("student: handed-in page", attempt=attempt)


class Teacher(Person):
    abstract = bool(ONLY)
    weight = WEIGHTS["teacher"]
    role = "teachers"

    @task
    def rounds(self):
        ids = PERSONAS["ids"]
        for page in random.sample(
            ["teacher: home", "teacher: course page", "teacher: grading page", "teacher: grade book grid"], 2
        ):
            self.get(page, **ids)
            pause(3, 8)


class Staff(Person):
    abstract = bool(ONLY)
    weight = WEIGHTS["staff"]
    role = "staff"

    @task
    def rounds(self):
        if random.random() < 0.5:
            self.get("staff: Department dashboard", **PERSONAS["ids"])
        else:
            with self.client.get(
                path("staff: letters archive search"),
                params={"q": random.choice(SEARCHES)},
                name="staff: letters archive search",
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")


class Alone(Person):
    """LOAD_ONLY: one page, again and again, as the persona who may see it (the page-against-404 ratio)."""

    abstract = not ONLY
    # A student's page is the one attempt made for this run, seen by its owner.
    role = {"student": "attempt_owner", "teacher": "teachers"}.get(ONLY.split(":")[0], "staff")

    @task
    def again(self):
        expected = 404 if ONLY == "404 page" else 200
        with self.client.get(
            path(ONLY, **PERSONAS["ids"]), name=ONLY, catch_response=True, allow_redirects=False
        ) as response:
            # locust counts any 4xx as a failure unless told: the 404 floor's 404 is its success.
            if response.status_code == expected:
                response.success()
            else:
                response.failure(f"{response.status_code}")


assert set(PAGES) >= {"student: answer save", "teacher: home", "staff: Department dashboard"}
