"""Results pages: who sees them, the scores list (search, filter, pages, export), the essay marking
pages, cancelling a question and the review of an attempt before and after results are released."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from materials.models import Attempt, Quiz
from tests.accounts.factories import make_person
from tests.materials.factories import make_question, make_quiz
from tests.materials.test_results import ESSAY, hand_in, student_in
from truonghoc.formatting import datetime_text
from units.models import AuditEntry, Role

pytestmark = pytest.mark.usefixtures("english_pages")


@pytest.fixture
def exam(tree, people):
    """An exam of the teacher (group G1) for class C1, open now: a single choice and an essay; the
    student handed in, the essay waits."""
    single = make_question(author=people.teacher, unit=tree.g1, explanation="Giải thích \\(x^2\\)")
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[single, essay], classes=[tree.c1])
    attempt = hand_in(quiz, people.student, [(single, 0), (essay, "<script>alert(1)</script>\nDòng hai")])
    return quiz, attempt, single, essay


def _get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


# --- the results page ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "principal", "admin", "leader"])
def test_those_who_follow_the_test_see_its_results(client, people, exam, who):
    quiz, *_ = exam
    for tab in ("scores", "summary", "items"):
        response = _get(client, getattr(people, who), reverse("materials:results", args=[quiz.pk]) + f"?tab={tab}")
        assert response.status_code == 200
    export = client.get(reverse("materials:results_export", args=[quiz.pk]))
    assert export.status_code == 200


@pytest.mark.parametrize("who", ["teacher2", "teacher3", "leader2", "student", "other_principal", "office", "bo"])
def test_others_do_not_see_the_results(client, people, exam, who):
    quiz, attempt, _single, essay = exam
    user = getattr(people, who)
    client.force_login(user)
    urls = [
        reverse("materials:results", args=[quiz.pk]),
        reverse("materials:results_export", args=[quiz.pk]),
        reverse("materials:essay_queue", args=[quiz.pk]),
        reverse("materials:essay_grade", args=[attempt.answers.get(question=essay).pk]),
        reverse("materials:results_cancel_question", args=[quiz.pk, essay.pk]),
    ]
    if user != people.student:
        urls.append(reverse("materials:attempt_review", args=[attempt.pk]))
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_group_leader_sees_but_does_not_grade(client, people, exam):
    quiz, attempt, _single, essay = exam
    client.force_login(people.leader)
    assert client.get(reverse("materials:essay_queue", args=[quiz.pk])).status_code == 404
    answer = attempt.answers.get(question=essay)
    assert client.post(reverse("materials:essay_grade", args=[answer.pk]), {"score": "9"}).status_code == 404
    review = client.get(reverse("materials:attempt_review", args=[attempt.pk]))
    assert review.status_code == 200 and reverse("materials:essay_grade", args=[answer.pk]) not in review.text
    answer.refresh_from_db()
    assert answer.credit is None


def test_anonymous_visitors_are_sent_to_log_in(client, exam):
    quiz, *_ = exam
    response = client.get(reverse("materials:results", args=[quiz.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_scores_search_filter_and_empty_state(client, tree, people, exam):
    quiz, *_ = exam
    quiz.classes.add(tree.c2)
    student_in(tree.c2, "Phùng Thị Thảo")
    url = reverse("materials:results", args=[quiz.pk])
    response = _get(client, people.teacher, url)
    assert "Hoàng Minh Em" in response.text and "Phùng Thị Thảo" in response.text
    assert "Waiting for essay grading" in response.text and "1 essay to grade" in response.text
    response = client.get(url, {"q": "thao"})  # no accents
    assert "Phùng Thị Thảo" in response.text and "Hoàng Minh Em" not in response.text
    response = client.get(url, {"class": tree.c1.pk})
    assert "Hoàng Minh Em" in response.text and "Phùng Thị Thảo" not in response.text
    response = client.get(url, {"q": "khong co ai"}, headers={"HX-Request": "true"})
    assert 'data-testid="scores-empty"' in response.text and "<html" not in response.text


def test_scores_are_paged_by_fifty_and_cost_a_fixed_number_of_queries(
    client, tree, people, django_assert_max_num_queries
):
    questions = [make_question(author=people.teacher, unit=tree.g1) for _ in range(3)]
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=questions, classes=[tree.c1, tree.c2])
    for k in range(60):
        student = student_in(tree.c1 if k % 2 else tree.c2, f"Học Trò Số{k:02d}")
        if k % 3:
            hand_in(quiz, student, [(q, (k + i) % 2) for i, q in enumerate(questions)])
    client.force_login(people.teacher)
    url = reverse("materials:results", args=[quiz.pk])
    client.get(url)  # warm the session and the content-type cache
    for tab in ("scores", "summary", "items"):
        with django_assert_max_num_queries(12):
            response = client.get(url, {"tab": tab})
        assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(url, {"page": 2})
    assert response.text.count("data-student=") == 11 and "Page 2 of 2" in response.text
    with django_assert_max_num_queries(12):
        assert client.get(reverse("materials:results_export", args=[quiz.pk]), {"questions": "1"}).status_code == 200


def test_item_statistics_page_links_to_cancelling(client, people, exam):
    quiz, _attempt, single, _essay = exam
    response = _get(client, people.teacher, reverse("materials:results", args=[quiz.pk]) + "?tab=items")
    assert "Not enough answers" in response.text
    assert reverse("materials:results_cancel_question", args=[quiz.pk, single.pk]) in response.text
    assert "katex" in response.text  # the formulas are rendered


# --- export ----------------------------------------------------------------------------------------


def test_export_holds_every_student_with_formulas_neutralised(client, tree, people, exam):
    quiz, _attempt, single, essay = exam
    sneaky = student_in(tree.c1, "=HYPERLINK(1)")
    hand_in(quiz, sneaky, [(single, 1), (essay, "")])
    student_in(tree.c1, "Trần Văn Vắng")
    response = _get(client, people.teacher, reverse("materials:results_export", args=[quiz.pk]), data={"questions": 1})
    assert response["Content-Disposition"] == f'attachment; filename="ket-qua-de-{quiz.pk}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == quiz.title
    assert rows[1][:7] == ["Student", "Username", "Class", "Attempts", "Best score", "Status", "Last handed in"]
    assert rows[1][7:] == [f"Q1 (#{single.pk})", f"Q2 (#{essay.pk})"]
    by_name = {row[0]: row for row in rows[2:]}
    assert set(by_name) == {"'=HYPERLINK(1)", "Hoàng Minh Em", "Trần Văn Vắng"}
    em = by_name["Hoàng Minh Em"]
    assert em[1:6] == [people.student.username, "6A1", 1, 5, "Waiting for essay grading"] and em[7:] == [1, None]
    assert by_name["'=HYPERLINK(1)"][4] == 0 and by_name["Trần Văn Vắng"][3:6] == [0, None, "Not started"]


# --- essays ----------------------------------------------------------------------------------------


def test_the_essay_page_shows_the_text_escaped_and_saves_a_mark(client, tree, people, exam):
    quiz, attempt, single, essay = exam
    other = hand_in(quiz, student_in(tree.c1, "Phan Văn Sau"), [(single, 0), (essay, "bài hai")])
    answer = attempt.answers.get(question=essay)
    client.force_login(people.teacher)
    queue = client.get(reverse("materials:essay_queue", args=[quiz.pk]))
    assert queue.text.count(reverse("materials:essay_grade", args=[answer.pk])) == 2
    page = client.get(reverse("materials:essay_grade", args=[answer.pk]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nDòng hai" in page.text and "<script>alert(1)" not in page.text
    assert "Nêu đủ hai ý" in page.text
    response = client.post(reverse("materials:essay_grade", args=[answer.pk]), {"score": "8,5", "next": "1"})
    following = other.answers.get(question=essay)
    assert response.status_code == 302 and response.url == reverse("materials:essay_grade", args=[following.pk])
    attempt.refresh_from_db()
    assert attempt.score == Decimal("9.25") and attempt.status == Attempt.Status.GRADED
    response = client.post(reverse("materials:essay_grade", args=[following.pk]), {"score": "6", "next": "1"})
    assert response.url == reverse("materials:essay_queue", args=[quiz.pk])
    assert 'data-testid="essays-empty"' in client.get(response.url).text
    # Grading again shows the mark given, with a comma.
    assert 'value="8,5"' in client.get(reverse("materials:essay_grade", args=[answer.pk])).text


def test_a_bad_mark_comes_back_with_a_message(client, people, exam):
    _quiz, attempt, _single, essay = exam
    answer = attempt.answers.get(question=essay)
    client.force_login(people.teacher)
    response = client.post(reverse("materials:essay_grade", args=[answer.pk]), {"score": "12", "feedback": "Tốt"})
    assert response.status_code == 200 and "between 0 and 10" in response.text
    assert "Tốt" in response.text  # what was typed is kept
    answer.refresh_from_db()
    assert answer.credit is None


def test_an_attempt_in_progress_cannot_be_graded_or_reviewed(client, tree, people):
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[essay], classes=[tree.c1])
    attempt = hand_in(quiz, people.student, [(essay, "đang viết")], status="in_progress")
    client.force_login(people.teacher)
    response = client.get(reverse("materials:essay_grade", args=[attempt.answers.get().pk]), follow=True)
    assert "still in progress" in response.text
    response = client.get(reverse("materials:attempt_review", args=[attempt.pk]))
    assert response.status_code == 302 and response.url == reverse("materials:results", args=[quiz.pk])
    client.force_login(people.student)
    response = client.get(reverse("materials:attempt_review", args=[attempt.pk]))
    assert response.status_code in (302, 404)
    assert "Your answer" not in response.content.decode()


# --- cancelling a question -------------------------------------------------------------------------


def test_cancel_a_question_after_confirming(client, tree, people, exam):
    quiz, _attempt, single, essay = exam
    wrong = hand_in(quiz, student_in(tree.c1, "Lê Thị Sai"), [(single, 1), (essay, "x")])
    url = reverse("materials:results_cancel_question", args=[quiz.pk, single.pk])
    client.force_login(people.teacher)
    page = client.get(url)
    assert page.status_code == 200 and "Yes, give everyone full credit" in page.text
    assert 'data-testid="still-open"' in page.text
    wrong.refresh_from_db()
    assert wrong.score == Decimal("0.00")  # nothing happens on GET
    response = client.post(url, {"action": "cancel"}, follow=True)
    assert "2 attempts were given full credit" in response.text
    wrong.refresh_from_db()
    assert wrong.score == Decimal("5.00")
    assert "Undo the cancellation" in client.get(url).text
    client.post(url, {"action": "restore"})
    wrong.refresh_from_db()
    assert wrong.score == Decimal("0.00")
    assert AuditEntry.objects.filter(action__startswith="quiz.question_").count() == 2


def test_cancelling_a_question_of_another_test_is_not_found(client, tree, people, exam):
    quiz, *_ = exam
    stranger = make_question(author=people.teacher, unit=tree.g1)
    client.force_login(people.teacher)
    url = reverse("materials:results_cancel_question", args=[quiz.pk, stranger.pk])
    assert client.get(url).status_code == 404 and client.post(url, {"action": "cancel"}).status_code == 404


# --- the review of an attempt ----------------------------------------------------------------------


def test_an_exam_review_waits_for_the_close(client, people, exam):
    quiz, attempt, single, _essay = exam
    url = reverse("materials:attempt_review", args=[attempt.pk])
    response = _get(client, people.student, url)
    close = datetime_text(quiz.closes_at)  # one way to write a moment: dd/mm/yyyy HH:MM
    assert 'data-testid="not-released"' in response.text and close in response.text
    assert single.stem not in response.text and "Giải thích" not in response.text
    Quiz.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(url)
    assert 'data-testid="not-released"' not in response.text
    assert single.stem in response.text and "Giải thích" in response.text and 'data-testid="score"' in response.text
    assert "&lt;script&gt;" in response.text and "<script>alert" not in response.text


def test_a_practice_review_is_shown_at_once(client, tree, people):
    single = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[single], classes=[tree.c1], mode=Quiz.Mode.PRACTICE
    )
    attempt = hand_in(quiz, people.student, [(single, 1)], option_orders={1: [3, 2, 1, 0]})
    response = _get(client, people.student, reverse("materials:attempt_review", args=[attempt.pk]))
    assert response.status_code == 200 and "your choice" in response.text
    # Shown in the order seen: D sai, C sai, B sai (chosen), A đúng.
    text = response.text
    assert text.index("D sai") < text.index("C sai") < text.index("B sai") < text.index("A đúng")
    assert "0.00 / 10.00" in text or "0,00 / 10,00" in text


def test_the_teacher_sees_an_exam_review_before_the_close(client, people, exam):
    _quiz, attempt, _single, essay = exam
    response = _get(client, people.teacher, reverse("materials:attempt_review", args=[attempt.pk]))
    assert 'data-testid="teacher-early"' in response.text and 'data-testid="score"' in response.text
    assert reverse("materials:essay_grade", args=[attempt.answers.get(question=essay).pk]) in response.text


def test_a_student_never_sees_someone_elses_attempt(client, tree, people, exam):
    quiz, attempt, *_ = exam
    classmate = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Bạn Cùng Lớp")
    Quiz.objects.filter(pk=quiz.pk).update(mode=Quiz.Mode.PRACTICE)
    response = _get(client, classmate, reverse("materials:attempt_review", args=[attempt.pk]))
    assert response.status_code == 404
