"""Results of tests: essay grading, cancelling a bad question, scores by class, the class summary,
item statistics, the essay queue and the review of an attempt (services and selectors)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from materials.models import Attempt, AttemptAnswer, Quiz
from materials.scoring import question_credit
from materials.selectors import results as selectors
from materials.services.attempts import attempt_submit
from materials.services.grading import attempt_rescore
from materials.services.results import essay_grade, quiz_regrade_question
from notifications.models import Notification
from tests.accounts.factories import make_person
from tests.materials.factories import make_question, make_quiz
from units.models import AuditEntry, Role

ESSAY = {"type": "essay", "answer_guide": "Nêu đủ hai ý: 5 điểm mỗi ý."}


pytestmark = pytest.mark.usefixtures("in_english")


def hand_in(quiz, student, answers, *, number=1, at=None, option_orders=None, status=None) -> Attempt:
    """An attempt handed in with `answers` [(question, response)] in that order, graded as the taking
    code would grade it: objective credits from the key, essays waiting for the teacher."""
    at = at or timezone.now()
    in_progress = status == Attempt.Status.IN_PROGRESS
    attempt = Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        status=Attempt.Status.IN_PROGRESS if in_progress else Attempt.Status.SUBMITTED,
        started_at=at - timedelta(minutes=10),
        submitted_at=None if in_progress else at,
    )
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(
            attempt=attempt,
            question=question,
            position=position,
            response=response,
            option_order=(option_orders or {}).get(position, []),
            saved_at=at,
            credit=None if in_progress else question_credit(question, response),
        )
        for position, (question, response) in enumerate(answers, 1)
    )
    if not in_progress:
        attempt_rescore(attempt=attempt)
    return attempt


def student_in(unit, name: str):
    return make_person(unit=unit, role=Role.STUDENT, full_name=name)


@pytest.fixture
def essay_quiz(tree, people):
    """A practice quiz of the teacher with a single-choice question and an essay, for class C1."""
    single = make_question(author=people.teacher, unit=tree.g1)
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[single, essay], classes=[tree.c1], mode=Quiz.Mode.PRACTICE
    )
    attempt = hand_in(quiz, people.student, [(single, 0), (essay, "Ý một...\nÝ hai...")])
    return quiz, attempt, single, essay


# --- essay grading ---------------------------------------------------------------------------------


def test_essay_mark_with_a_comma_sets_the_credit_and_rescores(essay_quiz, people):
    _quiz, attempt, _single, essay = essay_quiz
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == Decimal("5.00")
    answer = attempt.answers.get(question=essay)
    essay_grade(actor=people.teacher, answer=answer, score="8,5", feedback="Thiếu ví dụ.")
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.credit == Decimal("0.85") and answer.feedback == "Thiếu ví dụ."
    assert answer.graded_by == people.teacher and answer.graded_at is not None
    assert attempt.score == Decimal("9.25") and attempt.status == Attempt.Status.GRADED
    note = Notification.objects.get(recipient=people.student)
    assert "9,25" in note.title and note.url.endswith(f"/bai-lam/{attempt.pk}/xem/")


@pytest.mark.parametrize(
    ("score", "message"),
    [("11", "between 0 and 10"), ("-1", "between 0 and 10"), ("tám", "as a number"), ("8,555", "two decimals")],
)
def test_a_bad_mark_is_refused_and_changes_nothing(essay_quiz, people, score, message):
    _quiz, attempt, _single, essay = essay_quiz
    answer = attempt.answers.get(question=essay)
    with pytest.raises(ValidationError) as caught:
        essay_grade(actor=people.teacher, answer=answer, score=score)
    assert message in " ".join(caught.value.messages)
    answer.refresh_from_db()
    attempt.refresh_from_db()
    assert answer.credit is None and attempt.status == Attempt.Status.SUBMITTED
    assert not AuditEntry.objects.filter(action="attempt.essay_grade").exists()


def test_marks_ten_and_zero_are_the_bounds(essay_quiz, people):
    _quiz, attempt, _single, essay = essay_quiz
    answer = attempt.answers.get(question=essay)
    essay_grade(actor=people.teacher, answer=answer, score="10")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("10.00")
    essay_grade(actor=people.teacher, answer=answer, score="0")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("5.00")


def test_only_those_who_manage_the_test_grade(essay_quiz, people):
    _quiz, attempt, _single, essay = essay_quiz
    answer = attempt.answers.get(question=essay)
    for outsider in (people.teacher2, people.leader, people.student, people.other_principal, people.office):
        with pytest.raises(ValidationError):
            essay_grade(actor=outsider, answer=answer, score="5")
    answer.refresh_from_db()
    assert answer.credit is None
    essay_grade(actor=people.principal, answer=answer, score="5")  # the school's managers may
    answer.refresh_from_db()
    assert answer.credit == Decimal("0.5")


def test_an_attempt_in_progress_is_not_graded(tree, people):
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[essay], classes=[tree.c1])
    attempt = hand_in(quiz, people.student, [(essay, "chưa xong")], status=Attempt.Status.IN_PROGRESS)
    with pytest.raises(ValidationError, match="still in progress"):
        essay_grade(actor=people.teacher, answer=attempt.answers.get(), score="7")
    assert attempt.answers.get().credit is None


def test_only_essays_are_graded_by_hand(essay_quiz, people):
    _quiz, attempt, single, _essay = essay_quiz
    with pytest.raises(ValidationError, match="Only essays"):
        essay_grade(actor=people.teacher, answer=attempt.answers.get(question=single), score="0")
    assert attempt.answers.get(question=single).credit == 1


def test_grading_again_is_audited_with_before_and_after(essay_quiz, people):
    _quiz, attempt, _single, essay = essay_quiz
    answer = attempt.answers.get(question=essay)
    essay_grade(actor=people.teacher, answer=answer, score="5")
    essay_grade(actor=people.principal, answer=answer, score="7,5", feedback="Đã xem lại.")
    entries = list(AuditEntry.objects.filter(action="attempt.essay_grade").order_by("pk"))
    assert len(entries) == 2
    assert entries[0].before["credit"] is None and entries[0].after["credit"] == "0.5000"
    assert entries[1].before == {"credit": "0.5000", "feedback": "", "score": "7.50"}
    assert entries[1].after["credit"] == "0.7500" and entries[1].after["score"] == "8.75"
    assert entries[1].actor == people.principal
    attempt.refresh_from_db()
    assert attempt.score == Decimal("8.75")
    # Told when graded, and again when the mark changed.
    assert Notification.objects.filter(recipient=people.student).count() == 2


def test_an_exam_student_is_not_told_before_the_exam_closes(tree, people):
    essay = make_question(author=people.teacher, unit=tree.g1, **ESSAY)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[essay], classes=[tree.c1], mode=Quiz.Mode.EXAM)
    attempt = hand_in(quiz, people.student, [(essay, "bài làm")])
    essay_grade(actor=people.teacher, answer=attempt.answers.get(), score="6")
    assert not Notification.objects.filter(recipient=people.student).exists()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED


# --- cancelling a bad question ---------------------------------------------------------------------


def test_cancelling_a_question_gives_everyone_full_credit_and_can_be_undone(tree, people):
    good = make_question(author=people.teacher, unit=tree.g1)
    bad = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[good, bad], classes=[tree.c1])
    other = student_in(tree.c1, "Phạm Thị Hoa")
    right = hand_in(quiz, people.student, [(good, 0), (bad, 0)])
    wrong = hand_in(quiz, other, [(good, 0), (bad, 2)])
    in_progress = hand_in(
        quiz, make_person(unit=tree.c1, role=Role.STUDENT), [(good, 0), (bad, 1)], status="in_progress"
    )
    assert wrong.score == Decimal("5.00")

    assert quiz_regrade_question(actor=people.teacher, quiz=quiz, question=bad, give_everyone_credit=True) == 2
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.score == Decimal("10.00") and right.score == Decimal("10.00")
    assert in_progress.answers.get(question=bad).credit is None  # not handed in: untouched
    assert selectors.cancelled_questions(quiz) == {bad.pk}
    # Handed in after the cancellation: the wrong option 1 earns full credit as well.
    late = attempt_submit(student=in_progress.student, attempt=in_progress)
    assert late.answers.get(question=bad).credit == 1 and late.score == Decimal("10.00")
    entry = AuditEntry.objects.get(action="quiz.question_cancel")
    assert entry.before["scores"][str(wrong.pk)] == "5.00" and entry.after["scores"][str(wrong.pk)] == "10.00"

    with pytest.raises(ValidationError, match="already cancelled"):
        quiz_regrade_question(actor=people.teacher, quiz=quiz, question=bad, give_everyone_credit=True)

    quiz_regrade_question(actor=people.teacher, quiz=quiz, question=bad, give_everyone_credit=False)
    wrong.refresh_from_db()
    assert wrong.score == Decimal("5.00")
    assert wrong.answers.get(question=bad).graded_by is None
    assert selectors.cancelled_questions(quiz) == set()
    assert AuditEntry.objects.filter(action="quiz.question_restore").count() == 1


def test_cancelling_is_refused_for_outsiders_and_foreign_questions(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    elsewhere = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    attempt = hand_in(quiz, people.student, [(question, 3)])
    with pytest.raises(ValidationError):
        quiz_regrade_question(actor=people.leader, quiz=quiz, question=question, give_everyone_credit=True)
    with pytest.raises(ValidationError, match="not part of this test"):
        quiz_regrade_question(actor=people.teacher, quiz=quiz, question=elsewhere, give_everyone_credit=True)
    with pytest.raises(ValidationError, match="nothing to undo"):
        quiz_regrade_question(actor=people.teacher, quiz=quiz, question=question, give_everyone_credit=False)
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.00")
    assert not AuditEntry.objects.filter(action__startswith="quiz.question_").exists()


def test_cancelling_an_essay_grades_the_waiting_attempts(essay_quiz, people):
    quiz, attempt, _single, essay = essay_quiz
    quiz_regrade_question(actor=people.teacher, quiz=quiz, question=essay, give_everyone_credit=True)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED and attempt.score == Decimal("10.00")
    assert Notification.objects.filter(recipient=people.student).count() == 1
    with pytest.raises(ValidationError, match="cannot be restored"):
        quiz_regrade_question(actor=people.teacher, quiz=quiz, question=essay, give_everyone_credit=False)


# --- scores and the class summary ------------------------------------------------------------------


@pytest.fixture
def two_classes(tree, people):
    """Two questions (option A is right); C1: best scores 10, 5, 5, 5 (the last after a retake from 0)
    and one who never started; C2: 10 and one in progress."""
    q1 = make_question(author=people.teacher, unit=tree.g1)
    q2 = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[q1, q2], classes=[tree.c1, tree.c2])
    c1 = [people.student] + [student_in(tree.c1, n) for n in ("An Văn Bảo", "Lý Thị Chi", "Đặng Văn Dũng")]
    never = student_in(tree.c1, "Trịnh Văn Giáp")
    c2 = [student_in(tree.c2, "Vương Thị Yến"), student_in(tree.c2, "Kim Văn Ánh")]
    hand_in(quiz, c1[0], [(q1, 0), (q2, 0)])
    hand_in(quiz, c1[1], [(q1, 0), (q2, 1)])
    hand_in(quiz, c1[2], [(q1, 1), (q2, 0)])
    hand_in(quiz, c1[3], [(q1, 1), (q2, 1)])
    hand_in(quiz, c1[3], [(q1, 1), (q2, 0)], number=2)  # a better second attempt counts as the best
    hand_in(quiz, c2[0], [(q1, 0), (q2, 0)])
    hand_in(quiz, c2[1], [(q1, 0), (q2, 0)], status="in_progress")
    return quiz, c1, never, c2


def test_scores_list_every_student_by_class_then_given_name(tree, two_classes, django_assert_max_num_queries):
    quiz, *_ = two_classes
    with django_assert_max_num_queries(6):
        rows = selectors.quiz_scores(quiz=quiz)
    assert [r.class_name for r in rows] == ["6A1"] * 5 + ["7A1"] * 2
    # Vietnamese names sort by the given name: Bảo, Chi, Dũng, Em, Giáp.
    assert [r.full_name for r in rows[:5]] == [
        "An Văn Bảo",
        "Lý Thị Chi",
        "Đặng Văn Dũng",
        "Hoàng Minh Em",
        "Trịnh Văn Giáp",
    ]
    by_name = {r.full_name: r for r in rows}
    assert by_name["Trịnh Văn Giáp"].status == selectors.ScoreStatus.NOT_STARTED
    assert by_name["Trịnh Văn Giáp"].best_score is None and by_name["Trịnh Văn Giáp"].attempts == 0
    dung = by_name["Đặng Văn Dũng"]
    assert dung.attempts == 2 and dung.best_score == Decimal("5.00") and dung.status == selectors.ScoreStatus.GRADED
    assert by_name["Kim Văn Ánh"].status == selectors.ScoreStatus.IN_PROGRESS
    assert by_name["Hoàng Minh Em"].best_score == Decimal("10.00")


def test_a_student_who_left_the_class_keeps_their_result(tree, people, two_classes):
    quiz, c1, _never, _c2 = two_classes
    mover = c1[1]
    mover.role_assignments.all().delete()
    rows = {r.full_name: r for r in selectors.quiz_scores(quiz=quiz)}
    assert rows[mover.full_name].eligible is False and rows[mover.full_name].best_score == Decimal("5.00")
    assert rows[mover.full_name].class_id is None


def test_course_learners_are_listed(tree, people):
    from tests.courses.factories import enrol, make_course

    course = make_course(unit=tree.s1, author=people.teacher)
    learner = make_person(unit=tree.s2, role=Role.STUDENT, full_name="Ngô Văn Khải")
    enrol(course=course, user=learner)
    question = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], course=course)
    rows = selectors.quiz_scores(quiz=quiz)
    assert [(r.full_name, r.class_id, r.eligible) for r in rows] == [("Ngô Văn Khải", None, True)]


def test_class_summary_on_a_known_data_set(two_classes):
    quiz, *_ = two_classes
    classes, overall = selectors.class_summary(quiz=quiz)
    c1, c2 = classes
    assert (c1.class_name, c1.students, c1.handed_in) == ("6A1", 5, 4)
    # Best scores in C1: 10, 5, 5, 5 (Dũng's second attempt beats his first).
    assert c1.average == Decimal("6.25") and c1.median == Decimal("5.00")
    assert (c1.minimum, c1.maximum) == (Decimal("5.00"), Decimal("10.00"))
    assert c1.bands == [0, 3, 0, 1]
    assert (c2.students, c2.handed_in, c2.average, c2.bands) == (2, 1, Decimal("10.00"), [0, 0, 0, 1])
    assert (overall.students, overall.handed_in, overall.average) == (7, 5, Decimal("7.00"))
    assert overall.median == Decimal("5.00") and overall.bands == [0, 3, 0, 2]
    chart = selectors.chart_data(classes)
    assert chart["labels"] == ["6A1", "7A1"] and chart["counts"][1] == [3, 0]


def test_score_bands_edges():
    assert [selectors.band_of(Decimal(s)) for s in ("0", "4.99", "5", "6.49", "6.5", "7.99", "8", "10")] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
    ]


# --- item statistics -------------------------------------------------------------------------------


def test_item_statistics_flag_a_too_easy_and_a_wrongly_keyed_question(tree, people):
    """20 students of rising ability k = 0..19: six anchor questions answered right by the abler
    students, a good question right for k >= 10, an easy one right for all but k = 0, and a question
    whose key is wrong: the abler half picks option B, which the key calls wrong."""
    anchors = [make_question(author=people.teacher, unit=tree.g1, topic="Neo") for _ in range(6)]
    good = make_question(author=people.teacher, unit=tree.g1, topic="Tốt")
    easy = make_question(author=people.teacher, unit=tree.g1, topic="Dễ")
    wrong_key = make_question(author=people.teacher, unit=tree.g1, topic="Sai đáp án")
    numeric = make_question(author=people.teacher, unit=tree.g1, type="numeric", topic="Số")
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=[*anchors, good, easy, wrong_key, numeric], classes=[tree.c1]
    )
    students = [student_in(tree.c1, f"Học Sinh Số{k:02d}") for k in range(20)]
    for k, student in enumerate(students):
        answers = [(q, 0 if k >= 3 * j + 1 else 1) for j, q in enumerate(anchors)]
        answers += [(good, 0 if k >= 10 else 2), (easy, 0 if k else 3), (wrong_key, 1 if k >= 10 else 0)]
        answers += [(numeric, "3,5" if k >= 5 else "35")]
        hand_in(quiz, student, answers)
    # A retake is not counted: each student's first attempt is.
    hand_in(quiz, students[0], [(q, 0) for q in [*anchors, good, easy, wrong_key]] + [(numeric, "3.5")], number=2)

    stats = {s.question.pk: s for s in selectors.item_statistics(quiz=quiz)}
    assert [s.position for s in selectors.item_statistics(quiz=quiz)] == list(range(1, 11))
    s_good, s_easy, s_wrong = stats[good.pk], stats[easy.pk], stats[wrong_key.pk]
    assert s_good.answers == 20 and s_good.difficulty == pytest.approx(0.5)
    assert s_good.discrimination > 0.6 and s_good.flags == []

    assert s_easy.difficulty == pytest.approx(0.95)
    assert selectors.Flag.TOO_EASY in s_easy.flags and selectors.Flag.NEGATIVE not in s_easy.flags

    assert s_wrong.difficulty == pytest.approx(0.5)
    assert s_wrong.discrimination < -0.6 and s_wrong.flags == [selectors.Flag.NEGATIVE]
    assert s_wrong.is_flagged
    option_b = s_wrong.options[1]
    assert (option_b.label, option_b.correct, option_b.share, option_b.upper, option_b.lower) == (
        "B",
        False,
        0.5,
        1.0,
        0.0,
    )
    assert s_wrong.options[0].correct and s_wrong.options[0].upper == 0.0

    assert stats[numeric.pk].common_wrong == [("35", 5)]


def test_item_statistics_need_ten_answers_and_cost_a_fixed_number_of_queries(
    tree, people, django_assert_max_num_queries
):
    questions = [make_question(author=people.teacher, unit=tree.g1) for _ in range(3)]
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=questions, classes=[tree.c1])
    for k in range(4):
        hand_in(quiz, student_in(tree.c1, f"Em Số{k}"), [(q, 0 if k % 2 else 1) for q in questions])
    with django_assert_max_num_queries(5):
        stats = selectors.item_statistics(quiz=quiz)
    assert all(s.flags == [selectors.Flag.FEW] and s.answers == 4 and not s.is_flagged for s in stats)


def test_an_essay_waiting_for_its_mark_is_left_out_of_its_item(essay_quiz, people):
    quiz, _attempt, single, essay = essay_quiz
    stats = {s.question.pk: s for s in selectors.item_statistics(quiz=quiz)}
    assert stats[essay.pk].answers == 0 and stats[essay.pk].difficulty is None
    assert stats[single.pk].answers == 1 and stats[single.pk].difficulty == 1


def test_pearson():
    assert selectors.pearson([0, 1, 0, 1], [1, 3, 1, 3]) == pytest.approx(1)
    assert selectors.pearson([1, 1, 1], [1, 2, 3]) is None


# --- essays queue and review -----------------------------------------------------------------------


def test_essays_to_grade_oldest_first_with_keyset_pages(tree, people):
    essays = [make_question(author=people.teacher, unit=tree.g1, **ESSAY) for _ in range(2)]
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=essays, classes=[tree.c1])
    now = timezone.now()
    late = hand_in(quiz, student_in(tree.c1, "Muộn Văn Một"), [(essays[0], "a"), (essays[1], "b")], at=now)
    early = hand_in(quiz, people.student, [(essays[0], "c"), (essays[1], "")], at=now - timedelta(hours=1))
    hand_in(quiz, student_in(tree.c1, "Đang Làm Bài"), [(essays[0], "x")], status="in_progress")
    waiting = selectors.essays_to_grade(quiz=quiz)
    assert [(a.attempt_id, a.position) for a in waiting] == [(early.pk, 1), (early.pk, 2), (late.pk, 1), (late.pk, 2)]
    assert selectors.essays_waiting_count(quiz=quiz) == 4
    page_two = selectors.essays_to_grade(quiz=quiz, after=waiting[1], limit=1)
    assert [a.pk for a in page_two] == [waiting[2].pk]
    essay_grade(actor=people.teacher, answer=waiting[0], score="5")
    assert selectors.next_essay(quiz=quiz, after=waiting[3]).pk == waiting[1].pk  # wraps round to a skipped one
    assert selectors.essays_waiting_count(quiz=quiz) == 3


def test_attempt_review_shows_options_in_the_order_the_student_saw_them(tree, people):
    single = make_question(author=people.teacher, unit=tree.g1, explanation="Vì \\(x=1\\).")
    tf = make_question(author=people.teacher, unit=tree.g1, type="true_false")
    numeric = make_question(author=people.teacher, unit=tree.g1, type="numeric", tolerance="0,1")
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[single, tf, numeric], classes=[tree.c1])
    attempt = hand_in(
        quiz,
        people.student,
        [(single, 2), (tf, [True, True, None, False]), (numeric, "3,5")],
        option_orders={1: [2, 0, 1, 3]},
    )
    items = selectors.attempt_review(attempt=attempt)
    first, second, third = items
    assert [o.text for o in first.options] == ["C sai", "A đúng", "B sai", "D sai"]
    assert [(o.label, o.chosen, o.correct) for o in first.options[:2]] == [("A", True, False), ("B", False, True)]
    assert first.points == Decimal("0.00") and first.max_points == Decimal("3.33")
    assert [o.chosen for o in second.options] == [True, True, None, False] and second.options[0].label == "a"
    assert second.answer.credit == Decimal("0.25") and second.points == Decimal("0.83")
    assert third.response_text == "3,5" and third.correct_text == "3,5 ± 0,1" and third.points == Decimal("3.33")


def test_export_rows_carry_each_questions_credit(two_classes):
    quiz, *_ = two_classes
    rows = selectors.quiz_scores(quiz=quiz)
    questions = list(quiz.items.order_by("position").values_list("question_id", flat=True))
    lines = list(selectors.export_rows(quiz=quiz, rows=rows, questions=questions))
    assert lines[0][:6] == ["An Văn Bảo", rows[0].username, "6A1", 1, 5.0, "Graded"]
    assert lines[0][7:] == [1.0, 0.0]
    assert lines[4][4:6] == ["", "Not started"] and lines[4][7:] == ["", ""]


def test_students_are_told_once_when_an_exam_has_closed(tree, people):
    from materials.services.results import exam_results_announce

    single = make_question(author=people.teacher, unit=tree.g1)
    now = timezone.now()
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[single],
        classes=[tree.c1],
        mode=Quiz.Mode.EXAM,
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(hours=1),
    )
    hand_in(quiz, people.student, [(single, 0)])
    student_in(tree.c1, "Phạm Thị Hoa")  # never started: nothing to announce to them
    assert exam_results_announce(now=now) == 0  # still open
    assert not Notification.objects.filter(recipient=people.student).exists()

    later = now + timedelta(hours=2)
    assert exam_results_announce(now=later) == 1
    notes = list(Notification.objects.all())
    assert [n.recipient for n in notes] == [people.student]
    assert "results" in notes[0].title and quiz.title in notes[0].title
    assert exam_results_announce(now=later) == 0  # once
    assert Notification.objects.count() == 1
