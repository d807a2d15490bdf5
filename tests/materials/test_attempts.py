"""Taking a test, the services: starting (eligibility, times, attempts, two clicks at once), the draw
from a blueprint, shuffled options, saving answers (shapes, refusals, the deadline), handing in (once,
even twice at once), closing overdue attempts, and grading on the 10-point scale."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from materials.models import Attempt, AttemptAnswer, Quiz
from materials.selectors import attempts as selectors
from materials.services import attempts as services
from materials.tasks.attempts import attempts_close_overdue_task
from tests.accounts.factories import make_person
from tests.materials.factories import make_blueprint_quiz, make_question, make_quiz
from units.models import Role

pytestmark = pytest.mark.usefixtures("in_english")


def four_questions(people, tree):
    """Single, multiple, true/false and numeric, in that order."""
    return [
        make_question(author=people.teacher, unit=tree.g1, type=kind)
        for kind in ("single", "multiple", "true_false", "numeric")
    ]


@pytest.fixture
def quiz(tree, people):
    return make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=four_questions(people, tree),
        classes=[tree.c1],
        shuffle_questions=False,
        shuffle_options=False,
        time_limit=15,
    )


def answers_of(attempt):
    return {a.position: a for a in AttemptAnswer.objects.filter(attempt=attempt).select_related("question")}


# --- starting ----------------------------------------------------------------------------------


def test_start_draws_every_question_and_sets_the_deadline(quiz, people):
    now = timezone.now()
    attempt = services.attempt_start(student=people.student, quiz=quiz, now=now)
    assert attempt.number == 1
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert attempt.deadline == now + timedelta(minutes=15)
    answers = answers_of(attempt)
    assert [answers[p].question.type for p in (1, 2, 3, 4)] == ["single", "multiple", "true_false", "numeric"]
    assert answers[1].option_order == [0, 1, 2, 3]
    assert answers[4].option_order == []
    assert all(a.response is None and a.credit is None for a in answers.values())


def test_the_deadline_is_cut_at_the_close_and_is_null_without_limit_or_close(tree, people, quiz):
    now = timezone.now()
    quiz.closes_at = now + timedelta(minutes=5)
    quiz.save()
    assert services.attempt_start(student=people.student, quiz=quiz, now=now).deadline == quiz.closes_at
    practice = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
        mode=Quiz.Mode.PRACTICE,
        closes_at=None,
    )
    assert services.attempt_start(student=people.student, quiz=practice, now=now).deadline is None


def test_start_is_refused_with_a_clear_reason_and_creates_nothing(tree, people, quiz):
    outsider = make_person(unit=tree.c2, role=Role.STUDENT)
    with pytest.raises(ValidationError, match="not open to you"):
        services.attempt_start(student=outsider, quiz=quiz)
    with pytest.raises(ValidationError, match="not open to you"):
        services.attempt_start(student=people.teacher, quiz=quiz)
    with pytest.raises(ValidationError, match="opens at"):
        services.attempt_start(student=people.student, quiz=quiz, now=quiz.opens_at - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed at"):
        services.attempt_start(student=people.student, quiz=quiz, now=quiz.closes_at)
    assert not Attempt.objects.exists()


def test_attempts_are_numbered_until_they_are_used_up(people, quiz):
    quiz.max_attempts = 2
    quiz.save()
    first = services.attempt_start(student=people.student, quiz=quiz)
    services.attempt_submit(student=people.student, attempt=first)
    second = services.attempt_start(student=people.student, quiz=quiz)
    assert second.number == 2
    services.attempt_submit(student=people.student, attempt=second)
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        services.attempt_start(student=people.student, quiz=quiz)
    assert Attempt.objects.count() == 2


def test_a_second_start_returns_the_attempt_in_progress(people, quiz):
    first = services.attempt_start(student=people.student, quiz=quiz)
    again = services.attempt_start(student=people.student, quiz=quiz)
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1
    assert AttemptAnswer.objects.count() == 4


def test_starting_again_after_the_deadline_closes_the_old_attempt_first(people, quiz):
    start = timezone.now() - timedelta(minutes=30)
    quiz.max_attempts = 2
    quiz.opens_at = start - timedelta(minutes=1)
    quiz.save()
    old = services.attempt_start(student=people.student, quiz=quiz, now=start)
    services.answer_save(student=people.student, attempt=old, position=1, response=0, now=start)
    new = services.attempt_start(student=people.student, quiz=quiz)
    old.refresh_from_db()
    assert new.pk != old.pk and new.number == 2
    assert old.status == Attempt.Status.GRADED and old.auto_submitted
    assert old.score == Decimal("2.50")


def _in_threads(*targets):
    """Runs each target in its own thread with its own database connection; returns their results or
    raises the first error."""
    results, errors = [None] * len(targets), []

    def run(i, target):
        try:
            results[i] = target()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return results


@pytest.mark.django_db(transaction=True)
def test_two_starts_at_once_make_one_attempt(tree, people):
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, questions=four_questions(people, tree), classes=[tree.c1], time_limit=10
    )
    barrier = threading.Barrier(2)

    def start():
        barrier.wait()
        return services.attempt_start(student=people.student, quiz=quiz).pk

    assert len(set(_in_threads(start, start))) == 1
    assert Attempt.objects.count() == 1
    assert AttemptAnswer.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_start_that_loses_the_race_on_the_constraint_returns_the_winner(tree, people, monkeypatch):
    """The first start holds its new attempt uncommitted while the second inserts: the second waits on
    the unique index, fails, and returns the first's attempt."""
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=four_questions(people, tree),
        classes=[tree.c1],
        shuffle_questions=False,
    )
    inserted = threading.Event()
    looked_up = []
    original = services._in_progress

    def counting(**kwargs):
        looked_up.append(1)
        return original(**kwargs)

    monkeypatch.setattr(services, "_in_progress", counting)

    def first():
        with transaction.atomic():
            attempt = services.attempt_start(student=people.student, quiz=quiz)
            inserted.set()
            time.sleep(0.5)
        return attempt.pk

    def second():
        inserted.wait(5)
        return services.attempt_start(student=people.student, quiz=quiz).pk

    a, b = _in_threads(first, second)
    assert a == b
    assert Attempt.objects.count() == 1
    if connection.vendor == "sqlite":
        # SQLite's writers queue at BEGIN IMMEDIATE: the second starts after the first committed, so it
        # finds the first's attempt at its first look and never inserts.
        assert len(looked_up) == 2
    else:
        # The first looked once; the second once before inserting and once after losing on the constraint.
        assert len(looked_up) == 3


# --- the draw ----------------------------------------------------------------------------------


def test_a_blueprint_draws_each_rows_count_from_its_pool_per_student(tree, people):
    pool = [make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1) for _ in range(5)]
    pool += [make_question(author=people.teacher, unit=tree.g1, topic="Số nguyên", level=2) for _ in range(3)]
    quiz = make_blueprint_quiz(
        author=people.teacher,
        unit=tree.g1,
        rows=[("Phân số", 1, 2), ("Số nguyên", 2, 1)],
        pool=pool,
        classes=[tree.c1],
    )
    draws = set()
    students = [people.student] + [make_person(unit=tree.c1, role=Role.STUDENT) for _ in range(9)]
    for student in students:
        attempt = services.attempt_start(student=student, quiz=quiz)
        questions = [a.question for a in attempt.answers.select_related("question")]
        assert len(questions) == 3
        assert sum(q.topic == "Phân số" for q in questions) == 2
        assert sum(q.topic == "Số nguyên" for q in questions) == 1
        assert {q.pk for q in questions} <= {q.pk for q in pool}
        draws.add(frozenset(q.pk for q in questions))
    # 30 possible draws: ten students all drawing the same one has a chance of 1 in 30^9.
    assert len(draws) > 1


def test_shuffled_options_are_a_permutation_and_grade_by_the_questions_own_indexes(tree, people):
    single = make_question(author=people.teacher, unit=tree.g1, type="single")
    true_false = make_question(author=people.teacher, unit=tree.g1, type="true_false")
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[single, true_false],
        classes=[tree.c1],
        shuffle_options=True,
        max_attempts=20,
    )
    orders = set()
    for _ in range(12):
        attempt = services.attempt_start(student=people.student, quiz=quiz)
        answers = {a.question_id: a for a in attempt.answers.all()}
        order = answers[single.pk].option_order
        assert sorted(order) == [0, 1, 2, 3]
        assert answers[true_false.pk].option_order == [0, 1, 2, 3]  # a–d keep their order
        orders.add(tuple(order))
        page = {a.question_id: a for a in selectors.attempt_page(attempt=attempt)}
        shown = page[single.pk].choices
        assert [c.index for c in shown] == order
        assert [c.letter for c in shown] == ["A", "B", "C", "D"]
        # The student picks the option shown as correct, wherever it was displayed.
        correct = next(c for c in shown if c.correct)
        services.answer_save(
            student=people.student, attempt=attempt, position=answers[single.pk].position, response=correct.index
        )
        services.attempt_submit(student=people.student, attempt=attempt)
        assert AttemptAnswer.objects.get(pk=answers[single.pk].pk).credit == Decimal(1)
    assert len(orders) > 1


# --- saving answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "sent", "stored"),
    [
        (1, "2", 2),
        (1, 3, 3),
        (2, ["1", "0", "1"], [0, 1]),
        (2, "2", [2]),
        (3, ["1", "0", "", "true"], [True, False, None, True]),
        (4, " 3,5 ", "3,5"),
        (4, "1 000", "1 000"),
    ],
)
def test_answers_are_stored_in_the_shape_of_their_type(people, quiz, position, sent, stored):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    saved = services.answer_save(student=people.student, attempt=attempt, position=position, response=sent)
    assert saved.response == stored
    answer = AttemptAnswer.objects.get(attempt=attempt, position=position)
    assert answer.response == stored and answer.saved_at is not None and answer.credit is None


@pytest.mark.parametrize(
    ("position", "sent", "message"),
    [
        (1, "7", "could not be read"),
        (1, True, "could not be read"),
        (1, "abc", "could not be read"),
        (2, ["0", "9"], "could not be read"),
        (3, ["1", "0", "1"], "could not be read"),
        (3, ["1", "0", "1", "maybe"], "could not be read"),
        (4, "1" * 41, "at most 40 characters"),
        (4, ["1"], "could not be read"),
    ],
)
def test_a_malformed_answer_is_refused_and_changes_nothing(people, quiz, position, sent, message):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    good = {1: 0, 2: [0, 1], 3: [True, False, True, False], 4: "3,5"}[position]
    services.answer_save(student=people.student, attempt=attempt, position=position, response=good)
    with pytest.raises(ValidationError, match=message):
        services.answer_save(student=people.student, attempt=attempt, position=position, response=sent)
    assert AttemptAnswer.objects.get(attempt=attempt, position=position).response == good


def test_essays_are_normalised_and_bounded(tree, people):
    essay = make_question(author=people.teacher, unit=tree.g1, type="essay", answer_guide="Nêu đủ hai ý.")
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[essay], classes=[tree.c1])
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    decomposed = "Tie\u0302\u0301ng Vie\u0323\u0302t\r\n\r\n\r\n\r\nhết\x00"
    saved = services.answer_save(student=people.student, attempt=attempt, position=1, response=decomposed)
    assert saved.response == "Tiếng Việt\n\nhết"
    with pytest.raises(ValidationError, match="too long"):
        services.answer_save(student=people.student, attempt=attempt, position=1, response="x" * 20_001)
    assert AttemptAnswer.objects.get(attempt=attempt).response == "Tiếng Việt\n\nhết"


def test_a_blank_answer_clears_it(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    services.answer_save(student=people.student, attempt=attempt, position=2, response=["0"])
    for blank in (None, "", []):
        services.answer_save(student=people.student, attempt=attempt, position=2, response=["0"])
        services.answer_save(student=people.student, attempt=attempt, position=2, response=blank)
        assert AttemptAnswer.objects.get(attempt=attempt, position=2).response is None
    services.answer_save(student=people.student, attempt=attempt, position=3, response=["", "", "", ""])
    assert AttemptAnswer.objects.get(attempt=attempt, position=3).response is None


def test_someone_elses_attempt_or_a_missing_position_is_not_found(tree, people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    other = make_person(unit=tree.c1, role=Role.STUDENT)
    with pytest.raises(AttemptAnswer.DoesNotExist):
        services.answer_save(student=other, attempt=attempt, position=1, response=0)
    with pytest.raises(AttemptAnswer.DoesNotExist):
        services.answer_save(student=people.student, attempt=attempt.pk, position=9, response=0)


def test_an_answer_within_the_grace_is_kept_and_one_after_it_is_refused_and_closes_the_attempt(people, quiz):
    start = timezone.now()
    attempt = services.attempt_start(student=people.student, quiz=quiz, now=start)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=0, now=start)
    in_grace = attempt.deadline + services.ANSWER_GRACE - timedelta(seconds=1)
    services.answer_save(student=people.student, attempt=attempt, position=4, response="3,5", now=in_grace)
    late = attempt.deadline + services.ANSWER_GRACE + timedelta(seconds=1)
    with pytest.raises(ValidationError, match="answers saved before the deadline are kept") as refused:
        services.answer_save(student=people.student, attempt=attempt, position=2, response=[0, 1], now=late)
    assert refused.value.code == "closed"
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline
    answers = answers_of(attempt)
    assert answers[1].response == 0 and answers[4].response == "3,5" and answers[2].response is None
    assert attempt.score == Decimal("5.00")


def test_a_hand_in_at_the_time_limit_is_marked_so(people, quiz):
    """The page's countdown hands in at zero; the request lands just after the deadline, within the grace."""
    start = timezone.now()
    attempt = services.attempt_start(student=people.student, quiz=quiz, now=start)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=0, now=start)
    done = services.attempt_submit(student=people.student, attempt=attempt, now=attempt.deadline + timedelta(seconds=2))
    assert done.auto_submitted and done.submitted_at == attempt.deadline
    Quiz.objects.filter(pk=quiz.pk).update(max_attempts=2)
    quiz.refresh_from_db()
    second = services.attempt_start(student=people.student, quiz=quiz, now=start)
    done = services.attempt_submit(student=people.student, attempt=second, now=start + timedelta(minutes=1))
    assert not done.auto_submitted and done.submitted_at == start + timedelta(minutes=1)


def test_nothing_is_saved_after_hand_in(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=0)
    services.attempt_submit(student=people.student, attempt=attempt)
    with pytest.raises(ValidationError) as refused:
        services.answer_save(student=people.student, attempt=attempt, position=1, response=1)
    assert refused.value.code == "closed"
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == 0


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_a_hand_in_is_refused_not_lost_after_grading(tree, people):
    """A save that arrives while the attempt is being handed in waits for the hand-in, then is refused:
    never reported saved after grading without counting."""
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=four_questions(people, tree),
        classes=[tree.c1],
        shuffle_questions=False,
    )
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    locked = threading.Event()

    def hand_in():
        with transaction.atomic():
            Attempt.objects.select_for_update().get(pk=attempt.pk)
            locked.set()
            time.sleep(0.6)
            services.attempt_submit(student=people.student, attempt=attempt)
        return "handed in"

    def save():
        locked.wait(5)
        try:
            services.answer_save(student=people.student, attempt=attempt.pk, position=1, response=0)
        except ValidationError as error:
            return error.code
        return "saved"

    assert _in_threads(hand_in, save) == ["handed in", "closed"]
    answer = AttemptAnswer.objects.get(attempt=attempt, position=1)
    assert answer.response is None and answer.credit == 0


# --- practice ----------------------------------------------------------------------------------


def test_practice_check_grades_at_once_and_locks_the_answer(tree, people):
    questions = four_questions(people, tree)
    practice = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=questions,
        classes=[tree.c1],
        mode=Quiz.Mode.PRACTICE,
        shuffle_questions=False,
    )
    attempt = services.attempt_start(student=people.student, quiz=practice)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=2)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=1)  # may change freely
    checked = services.answer_save(student=people.student, attempt=attempt, position=1, response=0, check=True)
    assert checked.checked and checked.credit == Decimal(1)
    assert checked.question.options[0]["correct"]
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.answer_save(student=people.student, attempt=attempt, position=1, response=2)
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).response == 0


def test_check_does_nothing_more_than_save_in_an_exam(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    saved = services.answer_save(student=people.student, attempt=attempt, position=1, response=0, check=True)
    assert not saved.checked and saved.credit is None
    services.answer_save(student=people.student, attempt=attempt, position=1, response=1)
    assert AttemptAnswer.objects.get(attempt=attempt, position=1).credit is None


# --- handing in and grading --------------------------------------------------------------------


def test_grading_each_type_on_the_ten_point_scale(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    for position, response in ((1, 0), (2, [0]), (3, ["1", "0", "1", "1"]), (4, "3,5")):
        services.answer_save(student=people.student, attempt=attempt, position=position, response=response)
    handed = services.attempt_submit(student=people.student, attempt=attempt)
    assert handed.just_submitted and not handed.auto_submitted
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.submitted_at is not None
    # (1 + 0 + 0.5 + 1) / 4 × 10
    assert attempt.score == Decimal("6.25")
    assert [answers_of(attempt)[p].credit for p in (1, 2, 3, 4)] == [1, 0, Decimal("0.5"), 1]


def test_an_essay_waits_for_the_teacher(tree, people):
    essay = make_question(author=people.teacher, unit=tree.g1, type="essay")
    single = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[single, essay], classes=[tree.c1])
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    position = attempt.answers.get(question=single).position
    services.answer_save(student=people.student, attempt=attempt, position=position, response=0)
    services.attempt_submit(student=people.student, attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.score == Decimal("5.00")
    assert attempt.answers.get(question=essay).credit is None


def test_handing_in_twice_grades_once(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=0)
    first = services.attempt_submit(student=people.student, attempt=attempt)
    submitted_at = first.submitted_at
    second = services.attempt_submit(student=people.student, attempt=attempt, now=timezone.now() + timedelta(hours=1))
    assert first.just_submitted and not second.just_submitted
    assert second.submitted_at == submitted_at and second.score == Decimal("2.50")


def test_only_the_student_hands_in_their_attempt(people, quiz):
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    with pytest.raises(ValidationError, match="not yours"):
        services.attempt_submit(student=people.teacher, attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


@pytest.mark.django_db(transaction=True)
def test_two_hand_ins_at_once_grade_once(tree, people):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=four_questions(people, tree),
        classes=[tree.c1],
        shuffle_questions=False,
    )
    attempt = services.attempt_start(student=people.student, quiz=quiz)
    services.answer_save(student=people.student, attempt=attempt, position=1, response=0)
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        return services.attempt_submit(student=people.student, attempt=attempt).just_submitted

    assert sorted(_in_threads(submit, submit)) == [False, True]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED


def test_overdue_attempts_are_closed_with_what_was_saved(tree, people, quiz):
    start = timezone.now() - timedelta(minutes=20)
    quiz.opens_at = start - timedelta(minutes=1)
    quiz.save()
    late = services.attempt_start(student=people.student, quiz=quiz, now=start)
    services.answer_save(student=people.student, attempt=late, position=1, response=0, now=start)
    other = make_person(unit=tree.c1, role=Role.STUDENT)
    fresh = services.attempt_start(student=other, quiz=quiz)
    assert services.attempts_close_overdue() == 1
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == Attempt.Status.GRADED and late.auto_submitted and late.score == Decimal("2.50")
    assert late.submitted_at == late.deadline
    assert fresh.status == Attempt.Status.IN_PROGRESS
    assert services.attempts_close_overdue() == 0
    assert attempts_close_overdue_task.delay().get() == 0


def test_the_task_closes_in_batches(tree, people, quiz):
    start = timezone.now() - timedelta(hours=1)
    quiz.opens_at = start - timedelta(minutes=1)
    quiz.save()
    students = [people.student] + [make_person(unit=tree.c1, role=Role.STUDENT) for _ in range(4)]
    for student in students:
        services.attempt_start(student=student, quiz=quiz, now=start)
    assert services.attempts_close_overdue(batch=2) == 2
    assert attempts_close_overdue_task() == 3
    assert not Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS).exists()


def test_a_hand_in_costs_the_same_few_queries_for_forty_questions(tree, people, django_assert_max_num_queries):
    """500 students hand in within a minute: grading must not cost a query per answer."""
    questions = [
        make_question(author=people.teacher, unit=tree.g1, type=kind)
        for kind in ("single", "multiple", "true_false", "numeric", "essay") * 8
    ]
    forty = make_quiz(author=people.teacher, unit=tree.g1, questions=questions, classes=[tree.c1])
    attempt = services.attempt_start(student=people.student, quiz=forty)
    with django_assert_max_num_queries(12):  # was 51: a query per answer before
        done = services.attempt_submit(student=people.student, attempt=attempt)
    assert done.answers.filter(credit__isnull=False).count() == 32  # every objective answer graded
