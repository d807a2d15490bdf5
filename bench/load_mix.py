"""What the load bench's simulated people request (issue #19, point 8): every page of bench/locustfile.py as a
path template, named by the URL name it must resolve to. The locustfile builds its URLs only from PAGES, and
tests/ops/test_load_mix.py resolves each of them, so a renamed or moved page breaks that test rather than
the bench. Plain Python: neither Django nor locust is imported here."""

import random
import re

# page label (as the bench reports it): (URL name it resolves to, path template, method)
PAGES = {
    # Students (≈60 %): the test's start page, start, the attempt page, the htmx autosave, hand in.
    "student: test start page": ("materials:take_start", "/hoc-lieu/bai-kiem-tra/{quiz}/", "GET"),
    "student: start the test": ("materials:take_start", "/hoc-lieu/bai-kiem-tra/{quiz}/", "POST"),
    "student: attempt page": ("materials:attempt_take", "/hoc-lieu/bai-lam/{attempt}/", "GET"),
    "student: answer save": ("materials:attempt_save", "/hoc-lieu/bai-lam/{attempt}/luu/{position}/", "POST"),
    "student: hand in": ("materials:attempt_submit", "/hoc-lieu/bai-lam/{attempt}/nop/", "POST"),
    "student: handed-in page": ("materials:attempt_done", "/hoc-lieu/bai-lam/{attempt}/da-nop/", "GET"),
    # Teachers (≈25 %): home, a course, an assignment's submissions to grade, the grade book grid.
    "teacher: home": ("home", "/", "GET"),
    "teacher: course page": ("courses:course", "/khoa-hoc/{course}/", "GET"),
    "teacher: grading page": ("courses:grading", "/khoa-hoc/bai-tap/{assignment}/cham-bai/", "GET"),
    "teacher: grade book grid": ("gradebook:grid", "/so-diem/lop/{class_id}/hk{semester}/{subject}/", "GET"),
    # Staff (≈15 %): the Department's dashboard, the letters archive searched.
    "staff: Department dashboard": ("reports:dashboard", "/so-lieu/don-vi/{unit}/", "GET"),
    "staff: letters archive search": ("letters:archive", "/cong-van/tra-cuu/", "GET"),
    # Django's own 404 page: the floor the pages are compared with (issue #19, point 9).
    "404 page": ("", "/khong-co-trang-nay/", "GET"),
}

# Share of the simulated people (locust weights).
WEIGHTS = {"student": 60, "teacher": 25, "staff": 15}

# What Department staff type into the archive's search box (accent-free, as people type).
SEARCHES = ["ke hoach nam hoc", "tuyen sinh lop 10", "chuyen doi so", "hoc sinh gioi", "an toan giao thong", ""]


def path(page: str, **values) -> str:
    """The path of `page` with its placeholders filled in."""
    return PAGES[page][1].format(**values)


# What a browser reads off a page: the CSRF token htmx sends (base.html's hx-headers), the answer inputs.
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
ANSWER_INPUT = re.compile(r'<(input|textarea)\b[^>]*?name="q(\d+)(?:_(\d))?"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    return found.group(1) if found else ""


def questions_of(html: str) -> dict[int, tuple[str, list[str]]]:
    """position → (kind, the values its inputs offer) as the attempt page shows them; kind is single,
    multiple, true_false (values: the statements' indexes), numeric or essay."""
    questions: dict[int, tuple[str, list[str]]] = {}
    for match in ANSWER_INPUT.finditer(html):
        tag, position, part = match.group(1), int(match.group(2)), match.group(3)
        value = VALUE.search(match.group(0))
        if part is not None:
            kind, offered = "true_false", part
        elif tag == "textarea":
            kind, offered = "essay", None
        elif 'type="text"' in match.group(0):
            kind, offered = "numeric", None
        else:
            kind = "multiple" if 'type="checkbox"' in match.group(0) else "single"
            offered = value.group(1) if value else None
        values = questions.setdefault(position, (kind, []))[1]
        if offered is not None and offered not in values:
            values.append(offered)
    return questions


def answer(position: int, kind: str, values: list[str]) -> dict:
    """What a student's browser posts when answering the question at `position`."""
    name = f"q{position}"
    if kind == "single":
        return {name: random.choice(values)}
    if kind == "multiple":
        return {name: sorted(random.sample(values, random.randint(1, len(values))))}
    if kind == "true_false":
        return {f"{name}_{i}": random.choice("10") for i in values}
    if kind == "numeric":
        return {name: random.choice(["0,83", "24", "375", "-2", "3.5"])}
    return {name: "Ngày 3 đọc 2/5 cuốn sách, tức 72 trang; cuốn sách có " + random.choice(["180", "150"]) + " trang."}
