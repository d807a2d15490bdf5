"""The question bank's pages: the bank (search, filters, scope, pages, query counts), writing and changing
questions through the form, approval and sharing pages, removal, the private image, and who may open what."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from materials.models import Attempt, AttemptAnswer, Question, VersionStatus
from materials.selectors import questions as selectors
from materials.services import questions as services

from .factories import make_question, make_quiz

S = VersionStatus


def login(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("hinh.png", buffer.getvalue(), content_type="image/png")


def form_data(**changes) -> dict:
    data = {
        "type": "single",
        "stem": r"Kết quả của \(\frac{1}{2} + \frac{1}{2}\) là",
        "option_text_0": "1",
        "option_correct_0": "on",
        "option_text_1": "2",
        "option_text_2": r"\(\frac{1}{4}\)",
        "option_text_3": "0",
        "subject": "Toán",
        "grade": "6",
        "topic": "Phân số",
        "level": "2",
        "explanation": "Hai nửa là một.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def page_text(response) -> str:
    return response.content.decode()


def bank_ids(response) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="bank-link">#(\d+)<', page_text(response))]


# --- the bank ------------------------------------------------------------------------------------


def test_the_bank_lists_usable_questions_and_own_drafts_never_other_schools(client, tree, people):
    shared = make_question(author=people.teacher, unit=tree.g1, stem="Phân số tối giản")
    draft = make_question(author=people.teacher2, unit=tree.g1, approved=False)
    elsewhere = make_question(author=people.other_school, unit=tree.g3)
    login(client, people.teacher2)
    response = client.get(reverse("materials:question_list"))
    assert response.status_code == 200
    assert set(bank_ids(response)) == {shared.pk, draft.pk}
    assert 'class="math-text' in page_text(response) and "katex.min.js" in page_text(response)
    login(client, people.other_school)
    assert bank_ids(client.get(reverse("materials:question_list"))) == [elsewhere.pk]


def test_students_and_visitors_never_open_the_bank(client, tree, people):
    make_question(author=people.teacher, unit=tree.g1)
    response = client.get(reverse("materials:question_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    login(client, people.student)
    assert client.get(reverse("materials:question_list")).status_code == 403
    assert client.get(reverse("materials:question_new")).status_code == 403


def test_search_ignores_accents_and_word_order_and_filters_combine(client, tree, people):
    a = make_question(author=people.teacher, unit=tree.g1, stem="Rút gọn phân số 6/8", topic="Phân số", level=1)
    b = make_question(
        author=people.teacher, unit=tree.g1, stem="Giải phương trình bậc nhất", topic="Phương trình", grade=8
    )
    c = make_question(author=people.teacher, unit=tree.g1, type="numeric", stem="Tính 7/2", level=3)
    login(client, people.teacher2)
    url = reverse("materials:question_list")
    assert bank_ids(client.get(url, {"q": "PHAN SO rut gon"})) == [a.pk]
    assert bank_ids(client.get(url, {"q": "trinh phuong"})) == [b.pk]
    assert bank_ids(client.get(url, {"grade": "8"})) == [b.pk]
    assert bank_ids(client.get(url, {"type": "numeric"})) == [c.pk]
    assert bank_ids(client.get(url, {"level": "3"})) == [c.pk]
    assert set(bank_ids(client.get(url, {"topic": "phân số"}))) == {a.pk, c.pk}
    response = client.get(url, {"q": "không có đâu"})
    assert bank_ids(response) == [] and 'data-testid="bank-empty"' in page_text(response)
    response = client.get(url, {"grade": "99"})
    assert 'data-testid="bank-invalid"' in page_text(response)


def test_my_questions_by_status_and_removed(client, tree, people):
    mine_draft = make_question(author=people.teacher, unit=tree.g1, approved=False)
    mine_approved = make_question(author=people.teacher, unit=tree.g1)
    removed = make_question(author=people.teacher, unit=tree.g1, deleted_at=timezone.now())
    make_question(author=people.teacher2, unit=tree.g1)
    login(client, people.teacher)
    url = reverse("materials:question_list")
    assert set(bank_ids(client.get(url, {"scope": "mine"}))) == {mine_draft.pk, mine_approved.pk}
    assert bank_ids(client.get(url, {"scope": "mine", "status": "draft"})) == [mine_draft.pk]
    assert bank_ids(client.get(url, {"scope": "mine", "status": "removed"})) == [removed.pk]


def test_the_bank_pages_by_25_newest_first(client, tree, people):
    questions = [make_question(author=people.teacher, unit=tree.g1) for _ in range(27)]
    login(client, people.teacher2)
    url = reverse("materials:question_list")
    first = client.get(url)
    assert bank_ids(first) == [q.pk for q in reversed(questions)][:25]
    assert 'data-testid="bank-next"' in page_text(first)
    second = client.get(url, {"page": "2"})
    assert bank_ids(second) == [questions[1].pk, questions[0].pk]
    assert 'data-testid="bank-next"' not in page_text(second)


def test_the_bank_costs_the_same_queries_for_3_or_30_questions(client, tree, people, django_assert_max_num_queries):
    login(client, people.teacher2)
    url = reverse("materials:question_list")
    for _ in range(3):
        make_question(author=people.teacher, unit=tree.g1)
    with django_assert_max_num_queries(9) as few:
        client.get(url, {"q": "cau hoi"})
    for i in range(27):
        make_question(author=people.teacher3 if i % 2 else people.teacher, unit=tree.g2 if i % 2 else tree.g1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"q": "cau hoi"})
    assert len(bank_ids(response)) == selectors.PAGE_SIZE


def test_htmx_gets_only_the_results(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    login(client, people.teacher)
    response = client.get(reverse("materials:question_list"), {"q": "cau"}, headers={"HX-Request": "true"})
    text = page_text(response)
    assert "<html" not in text and 'id="bank-results"' in text and bank_ids(response) == [question.pk]


def test_long_stems_are_cut_outside_formulas():
    stem = "x" * 290 + r" \(\frac{1}{2}\) và tiếp"
    preview = selectors._preview(stem)
    assert preview.endswith(" …") and "\\(" not in preview
    assert selectors._preview("ngắn $x$") == "ngắn $x$"


# --- writing through the form ------------------------------------------------------------------------


def test_a_teacher_writes_a_question_through_the_form(client, tree, people):
    login(client, people.teacher)
    response = client.get(reverse("materials:question_new"))
    assert response.status_code == 200 and 'data-testid="stem-preview"' in page_text(response)
    response = client.post(reverse("materials:question_new"), form_data(image=png()))
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("materials:question_detail", args=[question.pk])
    assert question.unit == tree.g1 and question.status == S.DRAFT and question.image
    assert question.options[0] == {"text": "1", "correct": True} and len(question.options) == 4
    detail = client.get(response["Location"])
    text = page_text(detail)
    assert 'data-testid="correct-option"' in text and r"\frac{1}{2}" in text
    assert 'data-testid="submit"' in text and 'data-testid="question-image"' in text


def test_typing_a_question_the_bank_has_offers_a_second_copy(client, tree, people):
    login(client, people.teacher)
    client.post(reverse("materials:question_new"), form_data())
    first = Question.objects.get()
    again = client.post(reverse("materials:question_new"), form_data())
    text = page_text(again)
    assert again.status_code == 200 and f"#{first.pk}" in text and 'data-testid="allow-duplicate"' in text
    assert Question.objects.count() == 1
    saved = client.post(reverse("materials:question_new"), form_data(allow_duplicate="1"))
    assert saved.status_code == 302 and Question.objects.count() == 2


def test_each_type_through_the_form(client, tree, people):
    login(client, people.teacher)
    url = reverse("materials:question_new")
    tf = {f"statement_text_{i}": f"Mệnh đề {i}" for i in range(4)}
    tf.update({f"statement_value_{i}": "true" if i % 2 == 0 else "false" for i in range(4)})
    client.post(url, form_data(type="true_false", **tf))
    client.post(url, form_data(type="numeric", stem="Tính 7:2", numeric_answer="3,5", tolerance="0,01"))
    client.post(url, form_data(type="essay", stem="Trình bày cách quy đồng", answer_guide="Ba bước."))
    tf_q, numeric, essay = Question.objects.order_by("pk")
    assert [o["correct"] for o in tf_q.options] == [True, False, True, False]
    assert str(numeric.numeric_answer.normalize()) == "3.5" and numeric.options == []
    assert essay.answer_guide == "Ba bước." and essay.options == []


def test_bad_input_comes_back_with_clear_messages_and_nothing_is_saved(client, tree, people, settings):
    login(client, people.teacher)
    url = reverse("materials:question_new")
    response = client.post(url, form_data(stem=r"Tính \(\frac{1}{\)", image=png()))
    text = page_text(response)
    assert response.status_code == 200 and "KaTeX parse error" in text and "\\frac{1}{" in text
    assert r"Tính \(\frac{1}{\)" in text  # what was typed is kept
    response = client.post(url, form_data(option_correct_0=None))
    assert 'data-testid="options-error"' in page_text(response) and "exactly one correct" in page_text(response)
    tf = {f"statement_text_{i}": f"Mệnh đề {i}" for i in range(4)}
    response = client.post(url, form_data(type="true_false", **tf))
    assert "Say whether statement a is true or false." in page_text(response)
    response = client.post(url, form_data(type="numeric", numeric_answer="ba"))
    assert "is a number" in page_text(response)
    assert not Question.objects.exists()
    private = settings.PRIVATE_ROOT
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]


def test_writing_in_a_unit_that_is_not_yours_is_refused(client, tree, people):
    login(client, people.teacher)
    assert client.post(reverse("materials:question_new"), form_data(unit=tree.g2.pk)).status_code == 404
    assert not Question.objects.exists()


def test_the_author_edits_a_draft_others_cannot(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1, approved=False)
    url = reverse("materials:question_edit", args=[question.pk])
    login(client, people.teacher2)
    assert client.get(url).status_code == 404  # a colleague's draft is not theirs to see
    login(client, people.principal)
    assert client.get(url).status_code == 404  # a draft stays with its author (issue #14)
    login(client, people.teacher)
    response = client.get(url)
    assert response.status_code == 200 and question.stem in page_text(response)
    response = client.post(url, form_data(stem="Đề đã sửa"))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.stem == "Đề đã sửa"


def test_editing_an_approved_question_makes_a_revision(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    login(client, people.teacher)
    response = client.get(reverse("materials:question_edit", args=[question.pk]))
    assert response["Location"] == reverse("materials:question_revise", args=[question.pk])
    response = client.post(reverse("materials:question_revise", args=[question.pk]), form_data(stem="Bản mới"))
    revision = Question.objects.get(replaces=question)
    assert response["Location"] == reverse("materials:question_detail", args=[revision.pk])
    question.refresh_from_db()
    assert question.status == S.APPROVED and revision.status == S.DRAFT
    # A second revision is not started: the open one is where the author goes.
    response = client.get(reverse("materials:question_revise", args=[question.pk]))
    assert response["Location"] == reverse("materials:question_edit", args=[revision.pk])
    login(client, people.teacher2)
    assert client.get(reverse("materials:question_revise", args=[question.pk])).status_code == 403


def test_an_answered_draft_cannot_be_edited(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1, approved=False)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    attempt = Attempt.objects.create(quiz=quiz, student=people.student, number=1)
    AttemptAnswer.objects.create(attempt=attempt, question=question, position=1)
    login(client, people.teacher)
    response = client.post(reverse("materials:question_edit", args=[question.pk]), form_data(stem="Đổi"), follow=True)
    assert "already answered" in page_text(response)
    question.refresh_from_db()
    assert question.stem != "Đổi"


# --- one question ----------------------------------------------------------------------------------


def test_who_sees_a_question(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1, explanation="Vì hai nửa là một.")
    url = reverse("materials:question_detail", args=[question.pk])
    for person in (people.teacher2, people.teacher3, people.principal):
        login(client, person)
        response = client.get(url)
        assert response.status_code == 200
        assert "Vì hai nửa là một." in page_text(response) and 'data-testid="correct-option"' in page_text(response)
        assert 'data-testid="edit"' not in page_text(response)
    for person in (people.student, people.other_school, people.far_teacher, people.office):
        login(client, person)
        assert client.get(url).status_code == 404


def test_the_author_sees_the_buttons_for_what_they_may_do(client, tree, people):
    draft = make_question(author=people.teacher, unit=tree.g1, approved=False)
    login(client, people.teacher)
    text = page_text(client.get(reverse("materials:question_detail", args=[draft.pk])))
    for testid in ("edit", "submit", "delete", "history"):
        assert f'data-testid="{testid}"' in text
    assert 'data-testid="revise"' not in text and 'data-testid="propose"' not in text
    approved = make_question(author=people.teacher, unit=tree.g1)
    text = page_text(client.get(reverse("materials:question_detail", args=[approved.pk])))
    assert 'data-testid="revise"' in text and 'data-testid="edit"' not in text


def test_submit_review_and_approve_through_the_pages(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1, approved=False)
    login(client, people.teacher)
    client.post(reverse("materials:question_submit", args=[question.pk]))
    question.refresh_from_db()
    assert question.status == S.SUBMITTED

    review_url = reverse("materials:question_review", args=[question.pk])
    login(client, people.teacher3)
    assert client.get(review_url).status_code == 404  # another group's submitted question
    login(client, people.teacher)
    response = client.get(review_url)
    assert 'data-testid="no-decision"' in page_text(response)
    assert client.post(review_url, {"decision": "approve"}).status_code == 403

    login(client, people.leader)
    queue = page_text(client.get(reverse("materials:review_queue")))
    assert 'data-testid="queue-questions"' in queue and review_url in queue
    response = client.post(review_url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 200 and "Say why" in page_text(response)
    question.refresh_from_db()
    assert question.status == S.SUBMITTED
    assert client.post(review_url, {"decision": "approve"})["Location"] == reverse("materials:review_queue")
    login(client, people.principal)
    client.post(review_url, {"decision": "approve"})
    question.refresh_from_db()
    assert question.status == S.APPROVED and question.shared_with == tree.s1
    history = page_text(client.get(reverse("materials:question_history", args=[question.pk])))
    trail = history.split('data-testid="trail"')[1]
    assert trail.count("<li") == 3 and "Submitted" in trail and trail.count("Approved") == 2


def test_the_review_queue_is_empty_for_a_teacher(client, tree, people):
    login(client, people.teacher)
    text = page_text(client.get(reverse("materials:review_queue")))
    assert 'data-testid="queue-questions-empty"' in text and 'data-testid="queue-question-proposals-empty"' in text


def test_propose_and_vet_through_the_pages(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    propose_url = reverse("materials:question_propose", args=[question.pk])
    login(client, people.teacher)
    assert client.get(propose_url).status_code == 403
    login(client, people.principal)
    assert 'data-testid="propose-form"' in page_text(client.get(propose_url))
    assert client.post(propose_url, {"target": tree.office_b1.pk}).status_code == 200  # not above: form error
    assert client.post(propose_url, {"target": tree.office_a1.pk}).status_code == 302
    review = question.reviews.get(is_open=True)
    vet_url = reverse("materials:question_proposal", args=[review.pk])
    login(client, people.other_office)
    assert client.get(vet_url).status_code == 404
    login(client, people.office)
    assert vet_url in page_text(client.get(reverse("materials:review_queue")))
    assert 'data-testid="review-form"' in page_text(client.get(vet_url))
    assert client.post(vet_url, {"decision": "approve"}).status_code == 302
    question.refresh_from_db()
    assert question.shared_with == tree.office_a1
    login(client, people.other_school)  # a school under that Office now sees it
    assert client.get(reverse("materials:question_detail", args=[question.pk])).status_code == 200


def test_removal_asks_first_and_can_be_undone(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    url = reverse("materials:question_delete", args=[question.pk])
    login(client, people.teacher2)
    assert client.post(url).status_code == 403
    login(client, people.teacher)
    response = client.get(url)
    assert 'data-testid="confirm-delete"' in page_text(response)
    question.refresh_from_db()
    assert not question.is_deleted
    client.post(url)
    question.refresh_from_db()
    assert question.is_deleted
    text = page_text(client.get(reverse("materials:question_detail", args=[question.pk])))
    assert 'data-testid="removed-note"' in text and 'data-testid="restore"' in text
    login(client, people.teacher2)
    assert client.get(reverse("materials:question_detail", args=[question.pk])).status_code == 404
    login(client, people.teacher)
    client.post(reverse("materials:question_restore", args=[question.pk]))
    question.refresh_from_db()
    assert not question.is_deleted


def test_the_image_is_served_privately_to_those_who_see_the_question(client, tree, people):
    login(client, people.teacher)
    client.post(reverse("materials:question_new"), form_data(image=png()))
    question = Question.objects.get()
    url = reverse("materials:question_image", args=[question.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    for person in (people.teacher2, people.student, people.other_school):
        login(client, person)
        assert client.get(url).status_code == 404
    # A student answering it in a test sees the picture (the test pages show it from here).
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    attempt = Attempt.objects.create(quiz=quiz, student=people.student, number=1)
    AttemptAnswer.objects.create(attempt=attempt, question=question, position=1)
    login(client, people.student)
    assert client.get(url).status_code == 200
    no_image = make_question(author=people.teacher, unit=tree.g1)
    login(client, people.teacher)
    assert client.get(reverse("materials:question_image", args=[no_image.pk])).status_code == 404


def test_the_library_links_to_the_bank_for_writers_only(client, tree, people):
    login(client, people.teacher)
    assert 'data-testid="question-bank-link"' in page_text(client.get(reverse("materials:library")))
    login(client, people.student)
    assert 'data-testid="question-bank-link"' not in page_text(client.get(reverse("materials:library")))


def test_a_revision_approved_through_the_service_shows_on_both_pages(client, tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    revision = services.question_revise(actor=people.teacher, question=question)
    login(client, people.teacher)
    text = page_text(client.get(reverse("materials:question_detail", args=[question.pk])))
    assert 'data-testid="revision-note"' in text
    history = page_text(client.get(reverse("materials:question_history", args=[revision.pk])))
    assert f"#{question.pk}" in history and f"#{revision.pk}" in history
