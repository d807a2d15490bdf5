"""The course page's cached parts (issue #19, point 9): the section cards are a shared fragment keyed by
the sections' ids, order and last changes and by whether the viewer edits the course; the purpose and the
introduction are sanitised once per content. What is one person's own (their ticks, the forms' CSRF token)
is filled in per request and never leaks to another viewer."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course, Section
from courses.selectors import catalogue
from courses.services.authoring import course_update, section_move, section_update
from courses.services.enrolment import section_mark_done
from courses.services.trash import content_delete
from courses.views import study
from tests.courses.factories import enrol, make_course, make_section
from truonghoc import fragments

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def course(tree, people):
    course = make_course(unit=tree.s1, author=people.teacher, status=Course.Status.PUBLISHED, title="GDPT 2018")
    for n in range(1, 4):
        make_section(course=course, position=n, title=f"Phần số {n}", body=f"<p>Nội dung {n}</p>")
    return course


@pytest.fixture
def builds(monkeypatch):
    """How many times the section cards were rendered (the fragment's build reads the sections)."""
    calls = []
    original = catalogue.course_sections

    def counted(*, course):
        calls.append(course.pk)
        return original(course=course)

    monkeypatch.setattr(study.selectors, "course_sections", counted)
    return calls


def page(client, course) -> str:
    response = client.get(reverse("courses:course", args=[course.pk]))
    assert response.status_code == 200
    return response.content.decode()


def titles(html: str) -> list[str]:
    return re.findall(r"\d+\. (Phần số \d+|Đổi tên)", html)


def test_the_cards_are_built_once_and_the_second_request_costs_fewer_queries(client, course, people, builds):
    enrol(course=course, user=people.student)
    client.force_login(people.student)
    with CaptureQueriesContext(connection) as first:
        html = page(client, course)
    with CaptureQueriesContext(connection) as second:
        again = page(client, course)
    assert builds == [course.pk]
    reads_bodies = ['"courses_section"."body"' in q["sql"] for q in first.captured_queries]
    assert any(reads_bodies) and len(second) < len(first)
    assert not any('"courses_section"."body"' in q["sql"] for q in second.captured_queries)
    assert titles(html) == titles(again) == ["Phần số 1", "Phần số 2", "Phần số 3"]
    assert again.count('data-testid="section"') == 3 and "Nội dung 2" in again


def test_a_change_to_the_sections_shows_on_the_next_request(client, course, people, builds):
    client.force_login(people.teacher)
    assert titles(page(client, course)) == ["Phần số 1", "Phần số 2", "Phần số 3"]
    first, second, third = Section.objects.filter(course=course).order_by("position")
    section_update(actor=people.teacher, section=first, title="Đổi tên", body="<p>Mới viết</p>")
    html = page(client, course)
    assert titles(html) == ["Đổi tên", "Phần số 2", "Phần số 3"] and "Mới viết" in html
    section_move(actor=people.teacher, section=third, direction="up")
    assert titles(page(client, course)) == ["Đổi tên", "Phần số 3", "Phần số 2"]
    content_delete(actor=people.teacher, obj=second)
    assert titles(page(client, course)) == ["Đổi tên", "Phần số 3"]
    assert len(builds) == 4


def test_the_purpose_is_sanitised_once_per_content_and_an_edit_shows_at_once(client, course, people, monkeypatch):
    cleaned = []
    original = study.clean_html
    monkeypatch.setattr(study, "clean_html", lambda value: cleaned.append(value) or original(value))
    client.force_login(people.teacher)
    page(client, course)
    page(client, course)
    assert len(cleaned) == 2  # the purpose and the introduction, once
    course_update(actor=people.teacher, course=course, title=course.title, purpose="<p>Mục đích mới</p>")
    html = page(client, course)
    assert "Mục đích mới" in html and len(cleaned) == 4


def test_one_learners_ticks_never_show_to_another(client, course, people):
    first = Section.objects.filter(course=course).order_by("position").first()
    enrol(course=course, user=people.student)
    enrol(course=course, user=people.student2)
    section_mark_done(actor=people.student, section=first)
    client.force_login(people.student)
    html = page(client, course)
    assert html.count('data-testid="section-done"') == 1 and html.count('data-testid="mark-done"') == 2
    client.force_login(people.student2)
    html = page(client, course)
    assert 'data-testid="section-done"' not in html and html.count('data-testid="mark-done"') == 3
    assert reverse("courses:section_done", args=[first.pk]) in html


def test_the_editors_tools_and_token_stay_with_the_editor(client, course, people):
    enrol(course=course, user=people.student)
    client.force_login(people.teacher)
    html = page(client, course)
    assert html.count('data-testid="section-tools"') == 3
    assert fragments.CSRF_SLOT not in html
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert tokens and all(len(token) == 64 for token in tokens)
    client.force_login(people.student)
    html = page(client, course)
    assert 'data-testid="section-tools"' not in html and fragments.CSRF_SLOT not in html
    # The editor's cards, built before, take this request's token: a move goes through with CSRF checks on.
    client.force_login(people.teacher)
    html = page(client, course)
    assert fragments.CSRF_SLOT not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    first = Section.objects.filter(course=course).order_by("position").first()
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    response = strict.post(
        reverse("courses:section_move", args=[first.pk]), {"direction": "down", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert titles(page(client, course)) == ["Phần số 2", "Phần số 1", "Phần số 3"]


def test_the_ticks_are_rendered_without_a_partial_per_section_and_match_the_htmx_answer(
    client, course, people, monkeypatch
):
    from template_partials.templatetags import partials

    rendered = []
    original = partials.RenderPartialNode.render
    monkeypatch.setattr(
        partials.RenderPartialNode, "render", lambda self, context: rendered.append(1) or original(self, context)
    )
    first, second, _third = Section.objects.filter(course=course).order_by("position")
    enrol(course=course, user=people.student)
    client.force_login(people.student)
    html = page(client, course)
    assert rendered == []
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert html.count('data-testid="mark-done"') == 3 and len(token) >= 3
    done_url = reverse("courses:section_done", args=[second.pk])
    assert f'<form method="post" action="{done_url}" hx-post="{done_url}" hx-target="#done-{second.pk}"' in html
    assert f'<div id="done-{first.pk}" class="mt-2">' in html
    answer = client.post(reverse("courses:section_done", args=[first.pk]), headers={"HX-Request": "true"})
    assert 'data-testid="section-done"' in answer.content.decode()
    html = page(client, course)
    assert html.count('data-testid="section-done"') == 1 and html.count('data-testid="mark-done"') == 2
    # Each card is closed after its tick: the cards stay siblings.
    assert html.count('data-testid="section"') == 3 and html.count(f'id="done-{first.pk}"') == 1


def test_the_instructors_names_follow_the_grants(client, course, people):
    from courses.services.authoring import co_instructor_add, co_instructor_remove

    client.force_login(people.student)
    enrol(course=course, user=people.student)
    instructors = re.compile(r'data-testid="instructors">([^<]*)<')
    assert instructors.search(page(client, course)).group(1) == "Nguyễn Văn An"
    co_instructor_add(actor=people.teacher, course=course, user=people.teacher2)
    co_instructor_add(actor=people.teacher, course=course, user=people.teacher3)
    assert instructors.search(page(client, course)).group(1) == "Nguyễn Văn An, Trần Thị Bình, Lê Văn Cường"
    co_instructor_remove(actor=people.teacher, course=course, user=people.teacher3)
    assert instructors.search(page(client, course)).group(1) == "Nguyễn Văn An, Trần Thị Bình"


def test_the_forum_links_appear_as_soon_as_the_course_is_published(client, tree, people):
    from courses.services.authoring import course_publish

    draft = make_course(unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT, title="Nháp")
    make_section(course=draft, position=1, title="Phần 1")
    client.force_login(people.teacher)
    assert 'data-testid="discussion-link"' not in page(client, draft)  # no forums yet, and that is kept
    course_publish(actor=people.teacher, course=Course.objects.get(pk=draft.pk))
    html = page(client, draft)
    forums = study.owner_forums(owner=draft)
    assert f'href="{reverse("forums:forum", args=[forums["discussion"].pk])}" data-testid="discussion-link"' in html
    assert f'href="{reverse("forums:forum", args=[forums["questions"].pk])}" data-testid="questions-link"' in html
