"""Issue #14, point 6: no input gives a 500.

Walks every URL pattern of the resolver (namespaces included) as anonymous, as a student and as staff (the
school admin), with hostile values in each path argument (string converters too) and in the query
parameters the views read, plus one POST with hostile values in the id-looking fields, and asserts that
nothing answers 500. Hostile: digits `str.isdigit()` accepts and `int()` refuses ("²") or reads silently
("١٢"), ids past the database's BIGINT, NUL bytes (PostgreSQL refuses them in a string literal), huge strings.

The world is the demo province of a small table (`manage.py seed_demo`: units, the demo logins, courses,
worksheets, questions and tests, news) plus an attempt in progress and a forum thread, so that
"a real id" reaches the page behind the door. Run it on SQLite and on PostgreSQL: NUL only fails there.
`pytest tests/test_no_500.py -s` prints the counts.

The walk is cut into SHARDS by pattern (every SHARDS-th route, each shard in its own copy of the world), so
that `pytest -n` spreads it over the machine's processes: walked whole it is the one test that outlasts the
rest of the suite.
"""

import inspect
import logging
import re
import sys
import time
import traceback
from io import StringIO
from urllib.parse import quote, unquote, urlencode

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from accounts.models import User
from courses.models import Assignment, Course, LearningGroup, LiveSession, Product, Section, Submission
from forums.models import Forum, Post, Thread
from forums.services import post_reply, unit_thread_create
from materials.models import AttemptAnswer, Material, MaterialVersion, Question, Quiz
from materials.services.attempts import attempt_start
from publications.models import Article, Letter, ReportRequest
from units.models import Unit

pytestmark = pytest.mark.django_db

TABLE = (
    "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\ttopics_posted\n"
    "THPT\t1\tA Phủ Lý\t6\t20\t4\t1\n"
    "THCS Phủ Lý\t1\tTrần Phú\t8\t30\t8\t2\n"
)

NUL = "\x00"
# Path values, already as they appear in a URL ("%00" is a NUL once decoded).
HOSTILE_PATH = [quote("²"), quote("١٢"), "1" * 30, "0", "-1", "%00", "abc"]
HOSTILE_QUERY = ["²", NUL, "x" * 5000, "-5", "1e9", "١", "9" * 30]
# The GET keys the views read (grep request.GET and the filter forms); each is sent only to the views whose
# module names it, so the walk stays short.
QUERY_KEYS = (
    "page", "p", "qp", "qpage", "q", "unit", "school", "kind", "status", "sort", "dir", "year", "quote", "show",
    "tab", "class", "after", "questions", "subject", "grade", "topic", "level", "type", "sharing", "issuer",
    "date_from", "date_to", "removed", "action", "den", "month", "format", "period", "lo", "photo", "export",
    "next", "teacher", "semester", "behind",
)  # fmt: skip
# POSTed with hostile values: the id-looking fields and the attempt page's answers.
POST_KEYS = (
    "id", "unit", "user", "question", "quote", "leader", "target", "node", "school", "class", "position",
    "group", "units", "recipients", "questions", "quiz", "q", "check", "then", "after", "count", "year",
    "q1", "q2", "q3", "q1_0", "q1_1", "q1_2", "q1_3", "score", "mark", "direction", "action", "kind",
    "members", "classes", "course", "school_class", "to_class", "to_school", "quoted", "remove_attachments",
    "addressed_to", "teachers", "students", "grade", "time_limit", "max_attempts", "number", "issuer",
    "n_0_1", "n_0_2",
)  # fmt: skip

SHARDS = 4
ADMIN = "quan-tri/"
# The admin site answers anyone who is not its staff with the login page before it reads an argument, and
# the walk's users are not its staff: two values are enough there.
ADMIN_PATH = ["1" * 30, "%00"]
# Patterns not walked, and why.
SKIPPED = {
    "tai-khoan/logout/": "logs the walking client out; the rest of the walk would be anonymous",
    "media/<path:path>": "development-only file serving",
    "quan-tri/logout/": "logs the walking client out",
}


def _patterns(resolver=None, prefix=""):
    """(route text, pattern) of every view, includes and namespaces flattened."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


ROUTE_ARG = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_ARG = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _args(route: str) -> list[tuple[str, str]]:
    """(text before the argument, argument name) for each argument of the route, route or regex syntax."""
    found = []
    for regex in (ROUTE_ARG, REGEX_ARG):
        found += [(route[: m.start()], m.group("name")) for m in regex.finditer(route)]
    return found


def _url(route: str, values: dict[str, str]) -> str:
    """The route with each argument replaced by its value (regex routes lose ^ and $)."""

    def value(match):
        return values[match.group("name")]

    text = REGEX_ARG.sub(value, ROUTE_ARG.sub(value, route))
    return "/" + text.replace("^", "").replace("$", "")


def _resolves(url: str) -> bool:
    try:
        resolve(unquote(url.split("?")[0]))
    except Resolver404:
        return False
    return True


def _first(model, **filters):
    pk = model._base_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return str(pk) if pk is not None else "1"


def _real_ids(world) -> list[tuple[str, str]]:
    """(end of the route before the argument, a real id): the longest match wins, else "1"."""
    return [
        ("tai-khoan/", str(world.student.pk)),
        ("ho-so/anh/", str(world.student.pk)),
        ("quy-dinh-ho-so/", str(world.school.pk)),
        ("truong/", str(world.school.pk)),
        ("lop/", str(world.klass.pk)),
        ("don-vi/", str(world.school.pk)),
        ("ghi-danh/", str(world.klass.pk)),
        ("to-chuyen-mon/", str(world.group.pk)),
        ("thung-rac/", str(world.school.pk)),
        ("bao-cao/", _first(ReportRequest)),
        ("cong-van/", _first(Letter)),
        ("tin-tuc/", _first(Article, unit=world.school)),
        ("dien-dan/", _first(Forum, threads__isnull=False)),
        ("chu-de/", _first(Thread)),
        ("dien-dan/bai/", _first(Post)),
        ("khoa-hoc/", _first(Course, author=world.teacher)),
        ("khoa-hoc/phan/", _first(Section)),
        ("nhom-hoc-tap/", _first(LearningGroup)),
        ("khoa-hoc/bai-tap/", _first(Assignment)),
        ("bai-nop/", _first(Submission)),
        ("khoa-hoc/truc-tuyen/", _first(LiveSession)),
        ("san-pham/", _first(Product)),
        ("hoc-lieu/", _first(Material)),
        ("phien-ban/", _first(MaterialVersion)),
        ("cau-hoi/", _first(Question)),
        ("cau/", _first(Question)),
        ("de-kiem-tra/", _first(Quiz)),
        ("bai-kiem-tra/", _first(Quiz)),
        ("bai-lam/", str(world.attempt.pk)),
        ("tra-loi/", _first(AttemptAnswer)),
        ("luu/", "1"),
        ("/anh/", "1"),
        ("xoa/", "course"),
        ("khoi-phuc/", "course"),
    ]


def _real(before: str, real_ids) -> str:
    matches = [(len(end), pk) for end, pk in real_ids if before.endswith(end)]
    return max(matches)[1] if matches else "1"


def _module_reads(pattern) -> str:
    """The source of the view's module, to send a query key only to views that read it."""
    callback = getattr(pattern.callback, "view_class", pattern.callback)
    module = sys.modules.get(getattr(callback, "__module__", ""), None)
    try:
        return inspect.getsource(module) if module else ""
    except (OSError, TypeError):
        return ""


def _cause(response) -> tuple[str, str]:
    """Where a 500 came from: the last frame in the project's code, and the exception."""
    if not response.exc_info:
        return ("?", f"status {response.status_code}")
    kind, error, trace = response.exc_info
    frames = [f for f in traceback.extract_tb(trace) if ".venv" not in f.filename and "site-packages" not in f.filename]
    where = f"{frames[-1].filename.split('/input/')[-1]}:{frames[-1].lineno}" if frames else "django"
    return (where, f"{kind.__name__}: {str(error)[:80]}")


@pytest.fixture
def world(tmp_path):
    table = tmp_path / "table.tsv"
    table.write_text(TABLE, encoding="utf-8")
    call_command("seed_demo", "--table", str(table), "--province", "Hà Nam", stdout=StringIO())
    people = {u.username: u for u in User.objects.filter(username__in=["quantri", "hocsinh", "giaovien"])}
    student, teacher, staff = people["hocsinh"], people["giaovien"], people["quantri"]
    quiz = Quiz.objects.filter(mode=Quiz.Mode.PRACTICE).order_by("pk").first()
    attempt = attempt_start(student=student, quiz=quiz)
    thread = unit_thread_create(actor=teacher, unit=teacher.unit, title="Hỏi về phân số", body="<p>Xin chào</p>")
    post_reply(actor=teacher, thread=thread, body="<p>Trả lời</p>")
    school = staff.unit
    group = Unit.objects.filter(kind=Unit.Kind.GROUP, path__startswith=school.path).order_by("pk").first()

    class World:
        pass

    w = World()
    w.student, w.teacher, w.staff, w.school, w.klass, w.group, w.attempt = (
        student,
        teacher,
        staff,
        school,
        student.unit,
        group,
        attempt,
    )
    return w


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_request_answers_500(world, capsys, shard):
    real_ids = _real_ids(world)
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in (("student", world.student), ("staff", world.staff)):
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    failures: set[tuple[str, str, str, int]] = set()
    causes: dict[tuple[str, str], int] = {}
    requests = walked = 0
    skipped = []
    posts = []

    def request(who, method, url, data=None):
        """One request in its own savepoint: a database error in one must not poison the next."""
        nonlocal requests
        requests += 1
        with transaction.atomic():
            client = clients[who]
            response = client.post(url, data) if method == "POST" else client.get(url)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.add((method, url[:160].replace(NUL, "\\x00"), who, response.status_code))
            cause = _cause(response)
            causes[cause] = causes.get(cause, 0) + 1
        return response.status_code

    started = time.perf_counter()
    logging.disable(logging.CRITICAL)  # thousands of "Not Found" warnings cost time and say nothing here
    for number, (route, pattern) in enumerate(_patterns()):
        if number % SHARDS != shard:
            continue
        if route in SKIPPED:
            skipped.append(route)
            continue
        walked += 1
        args = _args(route)
        real = {name: _real(before, real_ids) for before, name in args}
        real_url = _url(route, real)
        values = ADMIN_PATH if route.startswith(ADMIN) else HOSTILE_PATH
        hostile = [_url(route, {**real, name: value}) for _before, name in args for value in values]
        # A value the patterns refuse never reaches a view: the resolver's 404 is the same for everyone.
        refused = {url for url in hostile if not _resolves(url)}
        source = _module_reads(pattern)
        keys = [key for key in QUERY_KEYS if f'"{key}"' in source]
        # The walk's users are not staff of the admin site: its pages answer them all with the same redirect.
        users = ["anonymous"] if route.startswith(ADMIN) else list(clients)
        for index, who in enumerate(users):
            for url in hostile:
                if url not in refused or who == "anonymous":
                    request(who, "GET", url)
            if request(who, "GET", real_url) != 200 or not keys:
                continue
            # The page opens: every key it reads at once with each hostile value, then each key alone.
            for value in HOSTILE_QUERY:
                request(who, "GET", real_url + "?" + urlencode(dict.fromkeys(keys, value)))
            for position, key in enumerate(keys):
                value = HOSTILE_QUERY[(position + index) % len(HOSTILE_QUERY)]
                request(who, "GET", real_url + "?" + urlencode({key: value}))
        posts.append(real_url)
    gets = time.perf_counter() - started
    # POSTs change things (a real id is real): after every GET, the student's first.
    for who in ("student", "staff"):
        for real_url in posts:
            if real_url.startswith("/" + ADMIN):
                continue
            for value in ("²", "9" * 30, NUL):
                request(who, "POST", real_url, dict.fromkeys(POST_KEYS, value))
    logging.disable(logging.NOTSET)
    with capsys.disabled():
        print(
            f"\nno-500 walk, shard {shard + 1}/{SHARDS}: {walked} patterns walked "
            f"({len(skipped)} skipped: {', '.join(skipped)}), "
            f"{requests} requests ({time.perf_counter() - started:.0f} s, GETs {gets:.0f} s), "
            f"{len(failures)} answered 500"
        )
        for failure in sorted(failures):
            print("  500:", *failure)
        for (where, error), count in sorted(causes.items()):
            print(f"  cause: {where}: {error} ({count} requests)")
    assert not failures, sorted(failures)
