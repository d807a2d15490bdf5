"""The load bench's pages (bench/load_mix.py, used by bench/locustfile.py; issue #19, point 8) checked without
running locust: each path resolves to the view it names, the locustfile asks for no page outside that list,
and what its students post is what the real attempt page accepts. A renamed page breaks these tests, not the
bench in the middle of a run."""

import importlib.util
import re
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve, reverse
from django.utils.encoding import iri_to_uri

from materials.models import Attempt, Quiz
from tests.accounts.factories import complete_profile, make_person
from tests.materials.factories import make_question, make_quiz
from units.models import Role

BENCH = Path(__file__).resolve().parents[2] / "bench"
SAMPLE = {
    "quiz": 7,
    "attempt": 8,
    "position": 3,
    "course": 9,
    "assignment": 10,
    "class_id": 11,
    "semester": 2,
    "subject": "Toán",
    "unit": 12,
}


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load_mix = _module("load_mix")


@pytest.mark.parametrize("page", sorted(load_mix.PAGES))
def test_each_page_of_the_mix_resolves_to_the_view_it_names(page):
    url_name, _template, method = load_mix.PAGES[page]
    path = load_mix.path(page, **SAMPLE)
    assert method in {"GET", "POST"}
    if not url_name:  # the 404 floor must stay a 404
        with pytest.raises(Resolver404):
            resolve(path)
        return
    match = resolve(path)  # what Django resolves: the request's path, percent-decoded
    assert match.view_name == url_name
    assert reverse(url_name, kwargs=match.kwargs) == iri_to_uri(path)


def test_the_locustfile_asks_only_for_pages_of_the_mix_and_for_all_of_them():
    source = (BENCH / "locustfile.py").read_text(encoding="utf-8")
    asked = set(re.findall(r'"((?:student|teacher|staff): [^"]+)"', source))
    assert asked <= set(load_mix.PAGES)
    # Every page of the mix but the 404 floor is requested by someone.
    assert asked == set(load_mix.PAGES) - {"404 page"}
    assert set(load_mix.WEIGHTS) == {"student", "teacher", "staff"}
    # The point-9 ratio of bench_load.py compares pages of the mix.
    bench = (BENCH / "bench_load.py").read_text(encoding="utf-8")
    ratio = re.search(r"RATIO_PAGES = \[(.*?)\]", bench, re.S).group(1)
    assert set(re.findall(r'"([^"]+)"', ratio)) <= set(load_mix.PAGES)


def test_what_the_simulated_student_posts_is_saved_by_the_real_attempt_page(tree, client):
    teacher = complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An"))
    student = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em"))
    kinds = ("single", "multiple", "true_false", "numeric", "essay")
    quiz = make_quiz(
        author=teacher,
        unit=tree.g1,
        questions=[make_question(author=teacher, unit=tree.g1, type=kind) for kind in kinds],
        classes=[tree.c1],
        mode=Quiz.Mode.EXAM,
        time_limit=45,
    )
    client.force_login(student)
    started = client.post(load_mix.path("student: start the test", quiz=quiz.pk))
    attempt = Attempt.objects.get(quiz=quiz, student=student)
    assert started.status_code == 302 and started.url == load_mix.path("student: attempt page", attempt=attempt.pk)

    page = client.get(started.url).content.decode()
    assert load_mix.csrf_token(page)
    questions = load_mix.questions_of(page)
    # Shuffled, but every question is found with the kind the page shows it as.
    assert sorted(questions) == [1, 2, 3, 4, 5]
    assert sorted(kind for kind, _values in questions.values()) == sorted(
        ["single", "multiple", "true_false", "numeric", "essay"]
    )
    for position, (kind, values) in questions.items():
        assert values or kind in {"numeric", "essay"}
        saved = client.post(
            load_mix.path("student: answer save", attempt=attempt.pk, position=position),
            load_mix.answer(position, kind, values),
            HTTP_HX_REQUEST="true",
        )
        assert saved.status_code == 200 and saved["X-Answer-Status"] == "saved", (kind, saved.content[:300])
    assert attempt.answers.filter(response__isnull=False).count() == 5

    handed = client.post(load_mix.path("student: hand in", attempt=attempt.pk))
    assert handed.status_code == 302 and handed.url == load_mix.path("student: handed-in page", attempt=attempt.pk)
    attempt.refresh_from_db()
    assert attempt.status != Attempt.Status.IN_PROGRESS
