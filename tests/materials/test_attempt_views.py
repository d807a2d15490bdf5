"""Taking a test, the pages: the student's list and the home block, the start page, the attempt page
(autosave with htmx, the plain form without JavaScript, practice checks), handing in with its
confirmation, the receipt; who may see what; and what the pages cost in queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from materials.models import Attempt, AttemptAnswer, Quiz
from materials.services import attempts as services
from tests.accounts.factories import complete_profile, make_person
from tests.materials.factories import make_question, make_quiz
from units.models import Role

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quiz(tree, people):
    questions = [
        make_question(author=people.teacher, unit=tree.g1, type=kind, explanation="Vì \\(x = 2\\).")
        for kind in ("single", "multiple", "true_false", "numeric", "essay")
    ]
    return make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=questions,
        classes=[tree.c1],
        title="Kiểm tra chương 1",
        shuffle_questions=False,
        time_limit=20,
    )


@pytest.fixture
def student_client(client, people):
    client.force_login(people.student)
    client.cookies["django_language"] = "en"
    return client


def start(client, quiz) -> Attempt:
    response = client.post(reverse("materials:take_start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz)
    assert response.status_code == 302 and response.url == reverse("materials:attempt_take", args=[attempt.pk])
    return attempt


# --- lists -------------------------------------------------------------------------------------


def test_my_tests_lists_open_upcoming_and_closed_with_scores_once_released(
    tree, people, quiz, student_client, django_assert_max_num_queries
):
    now = timezone.now()
    question = make_question(author=people.teacher, unit=tree.g1)
    upcoming = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[question],
        classes=[tree.c1],
        title="Sắp mở",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    closed = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[question],
        classes=[tree.c1],
        title="Đã đóng",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )
    Attempt.objects.create(
        quiz=closed,
        student=people.student,
        number=1,
        status=Attempt.Status.GRADED,
        submitted_at=now - timedelta(days=1, hours=1),
        score=Decimal("7.50"),
    )
    make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c2], title="Lớp khác")
    make_quiz(
        author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1], title="Nháp", status="draft"
    )
    with django_assert_max_num_queries(8):
        response = student_client.get(reverse("materials:quiz_taking_list"))
    html = response.content.decode()
    assert response.status_code == 200
    titles = [quiz.title, upcoming.title, closed.title]
    assert [html.index(t) for t in titles] == sorted(html.index(t) for t in titles)
    assert "Lớp khác" not in html and "Nháp" not in html
    assert 'data-testid="quiz-score"' in html and "7.50/10" in html.replace(",", ".")
    assert html.count('data-testid="quiz-start"') == 1


def test_the_list_query_count_does_not_grow_with_tests(tree, people, student_client, django_assert_max_num_queries):
    question = make_question(author=people.teacher, unit=tree.g1)
    for n in range(15):
        make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1], title=f"Đề {n}")
    with django_assert_max_num_queries(8):
        response = student_client.get(reverse("materials:quiz_taking_list"))
    assert response.content.decode().count('data-testid="quiz-row"') == 15


def test_my_tests_has_an_empty_state(student_client):
    response = student_client.get(reverse("materials:quiz_taking_list"))
    assert 'data-testid="quiz-list-empty"' in response.content.decode()


def test_the_home_page_shows_learners_their_open_tests(client, people, quiz, django_assert_max_num_queries):
    client.force_login(people.student)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="home-tests"' in html and quiz.title in html
    assert reverse("materials:take_start", args=[quiz.pk]) in html
    assert reverse("materials:quiz_taking_list") in html
    client.force_login(people.teacher)
    assert 'data-testid="home-tests"' not in client.get(reverse("home")).content.decode()


# --- starting ----------------------------------------------------------------------------------


def test_the_start_page_shows_the_rules_and_starts(quiz, student_client):
    url = reverse("materials:take_start", args=[quiz.pk])
    html = student_client.get(url).content.decode()
    assert 'data-testid="start"' in html and "20" in html
    attempt = start(student_client, quiz)
    assert attempt.answers.count() == 5
    # Pressing Start again (another tab) continues the same attempt.
    assert student_client.post(url).url == reverse("materials:attempt_take", args=[attempt.pk])
    assert 'data-testid="continue"' in student_client.get(url).content.decode()
    assert Attempt.objects.count() == 1


def test_a_student_of_another_class_gets_404(client, tree, quiz):
    outsider = complete_profile(make_person(unit=tree.c2, role=Role.STUDENT))
    client.force_login(outsider)
    assert client.get(reverse("materials:take_start", args=[quiz.pk])).status_code == 404
    assert client.post(reverse("materials:take_start", args=[quiz.pk])).status_code == 404
    assert not Attempt.objects.exists()


def test_a_teacher_cannot_take_the_test(client, people, quiz):
    client.force_login(people.teacher)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("materials:take_start", args=[quiz.pk])).content.decode()
    assert 'data-testid="cannot-start"' in html and 'data-testid="start"' not in html
    response = client.post(reverse("materials:take_start", args=[quiz.pk]), follow=True)
    assert "This test is not open to you." in response.content.decode()
    assert not Attempt.objects.exists()


def test_a_test_not_open_yet_says_when_it_opens(people, quiz, student_client):
    Quiz.objects.filter(pk=quiz.pk).update(opens_at=timezone.now() + timedelta(hours=2))
    response = student_client.post(reverse("materials:take_start", args=[quiz.pk]), follow=True)
    assert "This test opens at" in response.content.decode()
    assert not Attempt.objects.exists()


# --- taking ------------------------------------------------------------------------------------


def test_the_attempt_page_shows_every_question_with_math_and_a_server_timer(
    quiz, student_client, django_assert_max_num_queries
):
    attempt = start(student_client, quiz)
    with django_assert_max_num_queries(7):
        response = student_client.get(reverse("materials:attempt_take", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="question"') == 5
    assert "math-text" in html and "katex" in html
    remaining = int(html.split('data-remaining="')[1].split('"')[0])
    assert 20 * 60 - 10 <= remaining <= 20 * 60
    assert reverse("materials:attempt_save", args=[attempt.pk, 1]) in html
    assert reverse("materials:attempt_save_all", args=[attempt.pk]) in html
    # The page's script (offline answers, the countdown) is a static file: the policy runs no inline script.
    assert 'src="/static/js/attempt_take.js"' in html


def test_a_practice_test_without_time_limit_shows_no_countdown_until_its_close_is_near(
    tree, people, student_client, django_assert_max_num_queries
):
    """Issue #12: an untimed practice test open for two months showed “1439:33:40”. The deadline (the
    test's close) still holds and is stated in words; a countdown appears only in its last hour."""
    question = make_question(author=people.teacher, unit=tree.g1)
    now = timezone.now()
    practice = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[question],
        classes=[tree.c1],
        mode=Quiz.Mode.PRACTICE,
        time_limit=None,
        closes_at=now + timedelta(days=60),
    )
    attempt = start(student_client, practice)
    assert attempt.deadline is not None
    with django_assert_max_num_queries(7):
        html = student_client.get(reverse("materials:attempt_take", args=[attempt.pk])).content.decode()
    assert 'data-testid="attempt-timer"' not in html and "data-remaining" not in html
    assert attempt.deadline.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y") in html
    html = student_client.get(reverse("materials:attempt_submit", args=[attempt.pk])).content.decode()
    assert "data-remaining" not in html

    # Its last hour: the countdown is back, to the close.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(minutes=30))
    html = student_client.get(reverse("materials:attempt_take", args=[attempt.pk])).content.decode()
    remaining = int(html.split('data-remaining="')[1].split('"')[0])
    assert 30 * 60 - 10 <= remaining <= 30 * 60


def test_another_students_attempt_and_a_teacher_get_404(client, tree, people, quiz, student_client):
    attempt = start(student_client, quiz)
    other = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT))
    for user in (other, people.teacher):
        client.force_login(user)
        for name in ("attempt_take", "attempt_submit", "attempt_done", "attempt_save_all"):
            method = client.post if name == "attempt_save_all" else client.get
            assert method(reverse(f"materials:{name}", args=[attempt.pk])).status_code == 404, (user, name)
        save = client.post(reverse("materials:attempt_save", args=[attempt.pk, 1]), {"q1": "0"}, **HTMX)
        assert save.status_code == 404
        assert client.post(reverse("materials:attempt_submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not attempt.answers.filter(response__isnull=False).exists()


def test_autosave_stores_the_answer_in_four_queries(quiz, student_client, django_assert_max_num_queries):
    attempt = start(student_client, quiz)
    url = reverse("materials:attempt_save", args=[attempt.pk, 2])
    with django_assert_max_num_queries(4):
        response = student_client.post(url, {"q2": ["0", "1"]}, **HTMX)
    assert response.status_code == 200
    assert response["X-Answer-Status"] == "saved"
    assert "Saved" in response.content.decode()
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response == [0, 1]
    student_client.post(reverse("materials:attempt_save", args=[attempt.pk, 3]), {"q3_0": "1", "q3_2": "0"}, **HTMX)
    assert AttemptAnswer.objects.get(attempt=attempt, position=3).response == [True, None, False, None]
    student_client.post(reverse("materials:attempt_save", args=[attempt.pk, 4]), {"q4": "3,5"}, **HTMX)
    assert AttemptAnswer.objects.get(attempt=attempt, position=4).response == "3,5"


def test_a_malformed_autosave_is_refused_with_a_message(quiz, student_client):
    attempt = start(student_client, quiz)
    url = reverse("materials:attempt_save", args=[attempt.pk, 1])
    student_client.post(url, {"q1": "0"}, **HTMX)
    response = student_client.post(url, {"q1": "99"}, **HTMX)
    assert response["X-Answer-Status"] == "refused"
    assert "could not be read" in response.content.decode()
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == 0


def test_an_autosave_after_the_time_limit_closes_the_attempt_and_sends_to_the_receipt(quiz, student_client):
    attempt = start(student_client, quiz)
    student_client.post(reverse("materials:attempt_save", args=[attempt.pk, 1]), {"q1": "0"}, **HTMX)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = student_client.post(reverse("materials:attempt_save", args=[attempt.pk, 2]), {"q2": "0"}, **HTMX)
    assert response["HX-Redirect"] == reverse("materials:attempt_done", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status != Attempt.Status.IN_PROGRESS and attempt.auto_submitted
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == 0
    assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is None


def test_opening_an_overdue_attempt_hands_it_in(quiz, student_client):
    attempt = start(student_client, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = student_client.get(reverse("materials:attempt_take", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("materials:attempt_done", args=[attempt.pk])
    assert "Time was up" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.auto_submitted


def test_without_javascript_save_all_saves_every_answer(quiz, student_client):
    attempt = start(student_client, quiz)
    data = {"q1": "0", "q2": ["0", "1"], "q3_0": "1", "q3_1": "0", "q3_2": "1", "q3_3": "0", "q4": "3.5", "q5": "Bài"}
    response = student_client.post(reverse("materials:attempt_save_all", args=[attempt.pk]), data)
    assert response.url == reverse("materials:attempt_take", args=[attempt.pk])
    saved = dict(AttemptAnswer.objects.filter(attempt=attempt).values_list("position", "response"))
    assert saved == {1: 0, 2: [0, 1], 3: [True, False, True, False], 4: "3.5", 5: "Bài"}
    html = student_client.get(response.url).content.decode()
    assert html.count(" checked") >= 5 and "Bài</textarea>" in html


def test_save_all_keeps_a_refused_essay_as_typed(quiz, student_client):
    attempt = start(student_client, quiz)
    long_text = "Lời giải rất dài " * 1300
    response = student_client.post(
        reverse("materials:attempt_save_all", args=[attempt.pk]), {"q1": "1", "q5": long_text}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="answer-error"' in html and "too long" in html
    assert long_text.strip() in html
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == 1
    assert AttemptAnswer.objects.get(attempt=attempt, position=5).response is None


def test_handing_in_asks_for_confirmation_listing_unanswered_questions(quiz, student_client):
    attempt = start(student_client, quiz)
    response = student_client.post(
        reverse("materials:attempt_save_all", args=[attempt.pk]), {"q1": "0", "q4": "3,5", "then": "submit"}
    )
    assert response.url == reverse("materials:attempt_submit", args=[attempt.pk])
    html = student_client.get(response.url).content.decode()
    assert 'data-testid="unanswered"' in html
    unanswered = html.split('data-testid="unanswered"')[1].split("</div>")[0]
    assert [f"#q-{n}" in unanswered for n in (1, 2, 3, 4, 5)] == [False, True, True, False, True]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    done = student_client.post(reverse("materials:attempt_submit", args=[attempt.pk]), follow=True)
    assert done.redirect_chain[-1][0] == reverse("materials:attempt_done", args=[attempt.pk])
    html = done.content.decode()
    assert "2 of 5" in html and 'data-testid="score-later"' in html
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == Decimal("4.00")
    again = student_client.post(reverse("materials:attempt_submit", args=[attempt.pk]), follow=True)
    assert "already been handed in" in again.content.decode()


def test_the_timer_at_zero_hands_in_with_every_answer(quiz, student_client):
    attempt = start(student_client, quiz)
    response = student_client.post(
        reverse("materials:attempt_save_all", args=[attempt.pk]), {"q1": "0", "then": "submit_now"}
    )
    assert response.url == reverse("materials:attempt_done", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.answers.get(position=1).credit == 1


def test_practice_check_shows_the_answer_and_explanation_and_locks(tree, people, student_client):
    question = make_question(author=people.teacher, unit=tree.g1, explanation="Vì \\(\\frac{1}{2}\\) nhỏ hơn.")
    practice = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[question],
        classes=[tree.c1],
        mode=Quiz.Mode.PRACTICE,
        shuffle_options=False,
    )
    attempt = start(student_client, practice)
    url = reverse("materials:attempt_save", args=[attempt.pk, 1])
    response = student_client.post(url, {"q1": "1", "check": "1"}, **HTMX)
    html = response.content.decode()
    assert 'data-testid="feedback"' in html and "Not right." in html
    assert "Correct answer: A" in html and "nhỏ hơn" in html
    assert 'id="q-1"' in html and "disabled" in html
    refused = student_client.post(url, {"q1": "0"}, **HTMX)
    assert refused["X-Answer-Status"] == "refused" and "can no longer be changed" in refused.content.decode()
    page = student_client.get(reverse("materials:attempt_take", args=[attempt.pk])).content.decode()
    assert 'data-testid="feedback"' in page
    done = student_client.post(reverse("materials:attempt_submit", args=[attempt.pk]), follow=True)
    assert 'data-testid="score"' in done.content.decode()


def test_practice_check_without_javascript(tree, people, student_client):
    question = make_question(author=people.teacher, unit=tree.g1)
    practice = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1], mode=Quiz.Mode.PRACTICE
    )
    attempt = start(student_client, practice)
    correct = next(i for i, o in enumerate(question.options) if o.get("correct"))
    response = student_client.post(
        reverse("materials:attempt_save_all", args=[attempt.pk]), {"q1": str(correct), "check": "1"}
    )
    assert "Right." in response.content.decode()
    assert AttemptAnswer.objects.get(attempt=attempt).credit == 1


def test_the_receipt_shows_the_score_once_the_exam_has_closed(quiz, people, student_client):
    attempt = start(student_client, quiz)
    student_client.post(reverse("materials:attempt_save", args=[attempt.pk, 1]), {"q1": "0"}, **HTMX)
    services.attempt_submit(student=people.student, attempt=attempt)
    url = reverse("materials:attempt_done", args=[attempt.pk])
    assert 'data-testid="score-later"' in student_client.get(url).content.decode()
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    html = student_client.get(url).content.decode()
    assert 'data-testid="score"' in html and "2.00/10" in html.replace(",", ".")
    assert f'data-forget-attempt="{attempt.pk}"' in html  # site.js drops the answers kept on the device


def test_a_question_without_a_picture_has_none_to_serve(quiz, student_client):
    attempt = start(student_client, quiz)
    assert student_client.get(reverse("materials:attempt_image", args=[attempt.pk, 1])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_students_handing_in_at_the_same_moment_both_get_their_receipt(tree, people, quiz):
    """The embedded SQLite default (`make run`) must not answer 500 ("database is locked") when two
    students hand in at once: the second writer waits for the first. The same runs on PostgreSQL."""
    import threading

    from django.db import connection
    from django.test import Client

    other = complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Lý Thị Hoa"))
    attempts = [services.attempt_start(student=s, quiz=quiz) for s in (people.student, other)]
    for student, attempt in zip((people.student, other), attempts, strict=True):
        services.answer_save(student=student, attempt=attempt, position=1, response=0)
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def hand_in(student, attempt):
        try:
            client = Client()
            client.force_login(student)
            barrier.wait()
            statuses.append(client.post(reverse("materials:attempt_submit", args=[attempt.pk])).status_code)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=hand_in, args=pair) for pair in zip((people.student, other), attempts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert statuses == [302, 302]
    handed_in = Attempt.objects.filter(pk__in=[a.pk for a in attempts])
    # The quiz has an essay: handed in means "submitted" (waiting for the teacher) with the rest scored.
    assert [(a.status, a.submitted_at is not None) for a in handed_in] == [(Attempt.Status.SUBMITTED, True)] * 2
