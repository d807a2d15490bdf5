"""Issue #14 point 5, the pages left: usernames (login names) are shown only to those who look after the
accounts (`units.permissions.can_see_usernames`) — on the forum moderators page, the course
co-instructors page, a test's results and attempt review, and a person's record. Others see names and
the person's unit; pickers still find people by username."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from courses.services.authoring import co_instructor_add
from forums.services import forum_for_unit, moderator_grant
from tests.accounts.factories import complete_profile, make_person
from tests.courses.factories import make_course
from tests.materials.factories import make_question, make_quiz
from tests.materials.test_results import hand_in
from units.models import Role


@pytest.fixture
def people(tree):
    def person(unit, role, name, username):
        return complete_profile(make_person(unit=getattr(tree, unit), role=role, full_name=name, username=username))

    return SimpleNamespace(
        teacher=person("g1", Role.TEACHER, "Nguyễn Văn An", "gv.an.login"),
        colleague=person("g1", Role.TEACHER, "Trần Thị Bình", "gv.binh.login"),
        leader=person("g1", Role.GROUP_LEADER, "Vũ Thị Giang", "tt.giang.login"),
        student=person("c1", Role.STUDENT, "Hoàng Minh Em", "hs.em.login"),
        admin=person("s1", Role.SCHOOL_ADMIN, "Mai Văn Kiên", "qt.kien.login"),
        principal=person("s1", Role.PRINCIPAL, "Đỗ Văn Hải", "ht.hai.login"),
    )


def _page(client, user, url, data=None):
    client.force_login(user)
    response = client.get(url, data or {})
    assert response.status_code == 200
    return response.content.decode()


def test_the_forum_moderators_page(client, tree, people):
    forum = forum_for_unit(unit=tree.g1)
    moderator_grant(actor=people.leader, forum=forum, user=people.colleague)
    url = reverse("forums:moderators", args=[forum.pk])
    html = _page(client, people.leader, url)
    assert "Trần Thị Bình" in html and tree.s1.name in html and "gv.binh.login" not in html
    assert "gv.binh.login" in _page(client, people.admin, url)


def test_the_course_co_instructors_page_and_its_picker(client, tree, people):
    course = make_course(unit=tree.g1, author=people.teacher)
    co_instructor_add(actor=people.teacher, course=course, user=people.leader)
    url = reverse("courses:co_instructors", args=[course.pk])
    html = _page(client, people.teacher, url)
    assert "Vũ Thị Giang" in html and "tt.giang.login" not in html
    # The picker still finds a colleague by their username, and shows their name and unit instead.
    html = _page(client, people.teacher, url, {"q": "gv.binh.login"})
    candidates = html[html.index('data-testid="candidates"') :]
    assert "Trần Thị Bình" in candidates and f"({tree.s1.name})" in candidates and "gv.binh.login" not in candidates


@pytest.fixture
def attempt(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    return hand_in(quiz, people.student, [(question, 0)])


def test_a_tests_results_and_attempt_review(client, people, attempt):
    results = reverse("materials:results", args=[attempt.quiz.pk])
    review = reverse("materials:attempt_review", args=[attempt.pk])
    for url in (results, review):
        html = _page(client, people.teacher, url)
        assert "Hoàng Minh Em" in html and "hs.em.login" not in html
        assert "hs.em.login" in _page(client, people.admin, url)
    # Searching the scores by username still works for the teacher.
    html = _page(client, people.teacher, results, {"q": "hs.em.login"})
    assert "Hoàng Minh Em" in html


def test_a_persons_record(client, people):
    url = reverse("courses:record", args=[people.teacher.pk])
    assert "gv.an.login" not in _page(client, people.principal, url)
    assert "gv.an.login" in _page(client, people.admin, url)
    assert "gv.an.login" in _page(client, people.teacher, url)  # their own
