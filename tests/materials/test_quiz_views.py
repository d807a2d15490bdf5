"""The test builder's pages: who reaches them (author, school managers; not students, office staff or
teachers elsewhere), the list and the picker at a fixed number of queries, htmx add/remove/move, the
blueprint grid with its availability and per-cell errors, the publish confirmation, removal with
confirmation, restore, duplicate and the preview."""

import datetime
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from materials.models import BlueprintRow, Quiz
from materials.services.quizzes import quiz_create
from tests.materials.factories import make_blueprint_quiz, make_question, make_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def _draft(people, tree, **fields):
    now = timezone.now()
    data = {
        "title": "Kiểm tra 15 phút",
        "subject": "Toán",
        "grade": 6,
        "mode": Quiz.Mode.EXAM,
        "selection": Quiz.Selection.MANUAL,
        "opens_at": now,
        "closes_at": now + timedelta(days=1),
        "classes": [tree.c1],
    }
    data.update(fields)
    return quiz_create(actor=people.teacher, unit=tree.g1, **data)


def _url(name, quiz):
    return reverse(f"materials:{name}", args=[quiz.pk])


# --- who may come in -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "office", "other_school", "teacher2", "other_principal"])
@pytest.mark.parametrize(
    "name", ["quiz_detail", "quiz_edit", "quiz_questions", "quiz_publish", "quiz_delete", "quiz_preview"]
)
def test_outsiders_get_404(client, people, tree, who, name):
    quiz = _draft(people, tree)
    client.force_login(getattr(people, who))
    assert client.get(_url(name, quiz)).status_code == 404


@pytest.mark.parametrize("name", ["quiz_unpublish", "quiz_duplicate", "quiz_restore"])
def test_outsiders_cannot_post(client, people, tree, name):
    quiz = _draft(people, tree)
    client.force_login(people.other_school)
    assert client.post(_url(name, quiz)).status_code == 404


def test_author_and_principal_see_the_test(client, people, tree):
    quiz = _draft(people, tree)
    for who in (people.teacher, people.principal):
        client.force_login(who)
        response = client.get(_url("quiz_detail", quiz))
        assert response.status_code == 200
        assert quiz.title in response.content.decode()


@pytest.mark.parametrize("who", ["student", "office", "bo"])
def test_new_test_refused_to_those_who_do_not_teach(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("materials:quiz_new")).status_code == 403


def test_teacher_makes_a_test(client, people, tree):
    client.force_login(people.teacher)
    page = client.get(reverse("materials:quiz_new"))
    assert page.status_code == 200 and 'type="datetime-local"' in page.content.decode()
    assert "6A1" in page.content.decode() and "7A1" in page.content.decode()
    response = client.post(
        reverse("materials:quiz_new"),
        {
            "unit": tree.g1.pk,
            "title": "Kiểm tra chương 1",
            "subject": "Toán",
            "grade": 6,
            "mode": "exam",
            "selection": "manual",
            "opens_at": "2030-01-10T07:30",
            "closes_at": "2030-01-10T08:15",
            "time_limit": 45,
            "max_attempts": 1,
            "shuffle_questions": "on",
            "classes": [tree.c1.pk],
        },
    )
    quiz = Quiz.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("quiz_questions", quiz)
    # Typed in Vietnam time (UTC+7).
    assert timezone.localtime(quiz.opens_at).strftime("%d/%m/%Y %H:%M") == "10/01/2030 07:30"
    assert quiz.opens_at.astimezone(datetime.UTC).hour == 0
    assert not quiz.shuffle_options and quiz.shuffle_questions


def test_new_test_with_bad_input_keeps_what_was_typed(client, people, tree):
    client.force_login(people.teacher)
    response = client.post(
        reverse("materials:quiz_new"),
        {
            "unit": tree.g1.pk,
            "title": "Giữ lại tiêu đề này",
            "subject": "Toán",
            "grade": 6,
            "mode": "exam",
            "selection": "manual",
            "opens_at": "2030-01-10T09:00",
            "closes_at": "2030-01-10T08:00",
            "max_attempts": 1,
            "classes": [tree.g3.pk],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giữ lại tiêu đề này" in body
    assert not Quiz.objects.exists()


# --- the list ------------------------------------------------------------------------------------


def test_quiz_list_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    client.force_login(people.principal)
    for i in range(3):
        make_quiz(author=people.teacher, unit=tree.g1, classes=[tree.c1], title=f"Đề {i}")
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("materials:quiz_list")).status_code == 200
    for i in range(12):
        make_quiz(author=people.teacher2, unit=tree.g1, classes=[tree.c1, tree.c2], title=f"Đề thêm {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("materials:quiz_list"))
    assert response.content.decode().count('data-testid="status"') == 15


def test_quiz_list_search_htmx_and_empty(client, people, tree):
    _draft(people, tree, title="Kiểm tra Hình học")
    client.force_login(people.teacher)
    response = client.get(reverse("materials:quiz_list"), {"q": "hinh hoc"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Kiểm tra Hình học" in body and "<html" not in body
    empty = client.get(reverse("materials:quiz_list"), {"q": "khong co"}).content.decode()
    assert 'data-testid="quizzes-empty"' in empty


def test_student_sees_an_empty_list_without_a_new_button(client, people, tree):
    _draft(people, tree)
    client.force_login(people.student)
    body = client.get(reverse("materials:quiz_list")).content.decode()
    assert 'data-testid="quizzes-empty"' in body and 'data-testid="new"' not in body


# --- questions and the picker --------------------------------------------------------------------


def test_picker_queries_do_not_grow(client, people, tree, django_assert_max_num_queries):
    quiz = _draft(people, tree)
    client.force_login(people.teacher)
    for _ in range(3):
        make_question(author=people.teacher, unit=tree.g1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(_url("quiz_questions", quiz)).status_code == 200
    for _ in range(20):
        make_question(author=people.teacher2, unit=tree.g1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url("quiz_questions", quiz))
    assert response.content.decode().count('data-testid="add"') == 20  # a page


def test_htmx_add_move_remove(client, people, tree):
    quiz = _draft(people, tree)
    q1 = make_question(author=people.teacher, unit=tree.g1, stem="Câu một \\(x+1\\)")
    q2 = make_question(author=people.teacher, unit=tree.g1, stem="Câu hai")
    client.force_login(people.teacher)
    hx = {"HX-Request": "true"}
    for q in (q1, q2):
        response = client.post(_url("quiz_questions", quiz), {"action": "add", "question": q.pk}, headers=hx)
        assert response.status_code == 200 and 'id="builder"' in response.content.decode()
    assert "math-text" in response.content.decode() and "Câu một \\(x+1\\)" in response.content.decode()
    client.post(_url("quiz_questions", quiz), {"action": "up", "question": q2.pk}, headers=hx)
    assert [i.question_id for i in quiz.items.order_by("position")] == [q2.pk, q1.pk]
    response = client.post(_url("quiz_questions", quiz), {"action": "add", "question": q1.pk}, headers=hx)
    assert "already in this test" in response.content.decode()
    client.post(_url("quiz_questions", quiz), {"action": "remove", "question": q2.pk}, headers=hx)
    assert [i.question_id for i in quiz.items.all()] == [q1.pk]


def test_add_without_javascript_redirects_with_a_message(client, people, tree):
    quiz = _draft(people, tree)
    q = make_question(author=people.other_school, unit=tree.g3)  # not usable by the teacher
    client.force_login(people.teacher)
    response = client.post(_url("quiz_questions", quiz), {"action": "add", "question": q.pk}, follow=True)
    assert "cannot be used" in response.content.decode()
    assert not quiz.items.exists()


def test_principal_of_another_school_cannot_add(client, people, tree):
    quiz = _draft(people, tree)
    q = make_question(author=people.teacher, unit=tree.g1)
    client.force_login(people.other_principal)
    assert client.post(_url("quiz_questions", quiz), {"action": "add", "question": q.pk}).status_code == 404
    assert not quiz.items.exists()


# --- blueprint -----------------------------------------------------------------------------------


def test_blueprint_grid_shows_availability_and_saves(client, people, tree):
    for _ in range(2):
        make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1)
    make_question(author=people.teacher, unit=tree.g1, topic="Số nguyên", level=3)
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    client.force_login(people.teacher)
    body = client.get(_url("quiz_blueprint", quiz)).content.decode()
    assert "Phân số" in body and "Số nguyên" in body and "/ 2" in body
    topics = {"t_0": "Phân số", "t_1": "Số nguyên"}
    response = client.post(_url("quiz_blueprint", quiz), {**topics, "n_0_1": "2", "n_1_3": "3"})
    assert response.status_code == 302
    assert sorted(quiz.blueprint_rows.values_list("topic", "level", "count")) == [
        ("Phân số", 1, 2),
        ("Số nguyên", 3, 3),
    ]
    # Saved although the bank is short: the cell says so, publishing refuses.
    body = client.get(_url("quiz_blueprint", quiz)).content.decode()
    assert 'data-testid="short"' in body and "The bank has only 1." in body


def test_blueprint_bad_cell_shows_its_error_and_saves_nothing(client, people, tree):
    make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1)
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    client.force_login(people.teacher)
    response = client.post(_url("quiz_blueprint", quiz), {"t_0": "Phân số", "n_0_1": "-1", "n_0_2": "abc"})
    body = response.content.decode()
    assert response.status_code == 200 and "0 or more." in body and "A whole number." in body
    assert not BlueprintRow.objects.exists()


# --- publishing, removing, restoring, duplicating, previewing -----------------------------------


def test_publish_page_lists_problems_then_publishes(client, people, tree):
    quiz = _draft(people, tree, classes=[], closes_at=None, opens_at=None)
    client.force_login(people.teacher)
    body = client.get(_url("quiz_publish", quiz)).content.decode()
    assert 'data-testid="problems"' in body and "Add at least one question." in body
    assert "An exam needs a closing time" in body
    response = client.post(_url("quiz_publish", quiz))
    assert response.status_code == 200 and "Add at least one question." in response.content.decode()
    ok = _draft(people, tree)
    make_question(author=people.teacher, unit=tree.g1)
    client.post(
        _url("quiz_questions", ok), {"action": "add", "question": make_question(author=people.teacher, unit=tree.g1).pk}
    )
    body = client.get(_url("quiz_publish", ok)).content.decode()
    assert 'data-testid="summary"' in body and "6A1" in body and "1 student" in body
    assert client.post(_url("quiz_publish", ok)).status_code == 302
    ok.refresh_from_db()
    assert ok.status == Quiz.Status.PUBLISHED


def test_delete_confirm_restore_and_duplicate(client, people, tree):
    quiz = _draft(people, tree)
    client.force_login(people.teacher)
    page = client.get(_url("quiz_delete", quiz))
    assert page.status_code == 200 and 'data-testid="confirm"' in page.content.decode()
    quiz.refresh_from_db()
    assert not quiz.is_deleted
    assert client.post(_url("quiz_delete", quiz)).status_code == 302
    quiz.refresh_from_db()
    assert quiz.is_deleted
    assert client.get(_url("quiz_detail", quiz)).status_code == 404
    removed = client.get(reverse("materials:quiz_list"), {"show": "removed"}).content.decode()
    assert quiz.title in removed and 'data-testid="restore"' in removed
    assert client.post(_url("quiz_restore", quiz)).status_code == 302
    quiz.refresh_from_db()
    assert not quiz.is_deleted
    response = client.post(_url("quiz_duplicate", quiz))
    copy = Quiz.objects.exclude(pk=quiz.pk).get()
    assert response["Location"] == _url("quiz_edit", copy)


def test_unpublish_refused_after_attempts_with_a_message(client, people, tree):
    from materials.models import Attempt

    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[make_question(author=people.teacher, unit=tree.g1)]
    )
    Attempt.objects.create(quiz=quiz, student=people.student, number=1)
    client.force_login(people.teacher)
    response = client.post(_url("quiz_unpublish", quiz), follow=True)
    assert "stays published" in response.content.decode()
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.PUBLISHED


def test_edit_published_keeps_questions_settings(client, people, tree):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
        time_limit=30,
    )
    client.force_login(people.teacher)
    local = timezone.localtime(quiz.closes_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _url("quiz_edit", quiz),
        {
            "title": "Tên mới",
            "opens_at": timezone.localtime(quiz.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": local,
            "max_attempts": 2,
            "classes": [tree.c1.pk, tree.c2.pk],
            "time_limit": 90,  # disabled on a published test: ignored
            "mode": "practice",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz.refresh_from_db()
    assert quiz.title == "Tên mới" and quiz.max_attempts == 2 and quiz.time_limit == 30 and quiz.mode == "exam"
    assert set(quiz.classes.all()) == {tree.c1, tree.c2}


def test_preview_renders_questions_as_a_student_sees_them(client, people, tree):
    q = make_question(author=people.teacher, unit=tree.g1, stem="Tính \\(\\frac{1}{2} + \\frac{1}{3}\\) <b>đậm</b>")
    tf = make_question(author=people.teacher, unit=tree.g1, type="true_false")
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[q, tf], classes=[tree.c1])
    client.force_login(people.teacher)
    body = client.get(_url("quiz_preview", quiz)).content.decode()
    assert "math-text" in body and "\\(\\frac{1}{2} + \\frac{1}{3}\\)" in body
    assert "&lt;b&gt;đậm&lt;/b&gt;" in body  # plain text, escaped
    assert "A đúng" in body and "a)" in body
    assert "one example draw" not in body
    blueprint = make_blueprint_quiz(author=people.teacher, unit=tree.g1, rows=[("Phân số", 1, 1)], pool=[q])
    assert "one example draw" in client.get(_url("quiz_preview", blueprint)).content.decode()
    from materials.models import Attempt

    assert not Attempt.objects.exists()


def test_detail_of_a_published_blueprint_with_attempts(client, people, tree):
    from materials.models import Attempt

    pool = [make_question(author=people.teacher, unit=tree.g1) for _ in range(3)]
    quiz = make_blueprint_quiz(
        author=people.teacher, unit=tree.g1, rows=[("Phân số", 1, 2)], pool=pool, classes=[tree.c1]
    )
    Attempt.objects.create(quiz=quiz, student=people.student, number=1)
    client.force_login(people.teacher)
    body = client.get(_url("quiz_detail", quiz)).content.decode()
    assert 'data-testid="rows"' in body and 'data-testid="attempts"' in body
    assert 'data-testid="unpublish"' not in body and 'data-testid="publish"' not in body
    try:
        results = reverse("materials:results", args=[quiz.pk])
    except NoReverseMatch:
        results = None
    assert (results in body) if results else 'data-testid="results"' not in body
