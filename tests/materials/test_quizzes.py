"""The test builder's services and selectors: making and changing tests, hand-picked questions, blueprints,
publishing (every problem at once, the pool snapshot, the students told), taking back, removing,
restoring and duplicating, and what stays fixed once students have started."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Course
from materials.models import Attempt, BlueprintRow, Quiz, QuizItem, VersionStatus
from materials.selectors.quizzes import (
    blueprint_availability,
    my_quizzes,
    picker_questions,
    preview_questions,
    quiz_question_count,
)
from materials.services.quizzes import (
    blueprint_set,
    quiz_create,
    quiz_delete,
    quiz_duplicate,
    quiz_publish,
    quiz_question_add,
    quiz_question_remove,
    quiz_questions_reorder,
    quiz_restore,
    quiz_unpublish,
    quiz_update,
)
from notifications.models import Notification
from tests.courses.factories import enrol, make_course
from tests.materials.factories import make_blueprint_quiz, make_question, make_quiz
from units.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _settings(**overrides):
    now = timezone.now()
    data = {
        "title": "Kiểm tra giữa kì",
        "subject": "Toán",
        "grade": 6,
        "mode": Quiz.Mode.EXAM,
        "selection": Quiz.Selection.MANUAL,
        "opens_at": now,
        "closes_at": now + timedelta(days=2),
        "time_limit": 45,
    }
    data.update(overrides)
    return data


def _draft(people, tree, **overrides):
    overrides.setdefault("classes", [tree.c1])
    return quiz_create(actor=people.teacher, unit=tree.g1, **_settings(**overrides))


def _attempt(quiz, student, number=1, status=Attempt.Status.SUBMITTED):
    now = timezone.now()
    return Attempt.objects.create(
        quiz=quiz,
        student=student,
        number=number,
        status=status,
        submitted_at=None if status == Attempt.Status.IN_PROGRESS else now,
    )


def _messages(exc_info) -> str:
    return " | ".join(exc_info.value.messages)


# --- creating ------------------------------------------------------------------------------------


def test_teacher_creates_a_draft_with_classes_and_audit(people, tree):
    quiz = _draft(people, tree, instructions="Làm <strong>cẩn thận</strong><script>x()</script>")
    assert quiz.status == Quiz.Status.DRAFT
    assert quiz.author == people.teacher and quiz.unit == tree.g1
    assert list(quiz.classes.all()) == [tree.c1]
    assert "<script>" not in quiz.instructions and "<strong>cẩn thận</strong>" in quiz.instructions
    assert AuditEntry.objects.filter(action="quiz.create", target_id=str(quiz.pk)).exists()


@pytest.mark.parametrize("who", ["student", "office", "other_school", "teacher3"])
def test_create_refused_outside_ones_group_or_school(people, tree, who):
    with pytest.raises(ValidationError, match="cannot make tests"):
        quiz_create(actor=getattr(people, who), unit=tree.g1, **_settings())
    assert not Quiz.objects.exists()


def test_create_refuses_classes_of_another_school_and_non_classes(people, tree):
    other_class = tree.g3  # a group of school S2, not a class
    with pytest.raises(ValidationError) as exc:
        _draft(people, tree, classes=[tree.c1, other_class])
    assert "Tổ Ngoại ngữ" in _messages(exc) and "is not one" in _messages(exc)
    assert not Quiz.objects.exists()


def test_create_refuses_a_course_the_author_does_not_teach(people, tree):
    course = make_course(unit=tree.g1, author=people.teacher2)
    with pytest.raises(ValidationError, match="course you teach"):
        _draft(people, tree, course=course)
    own = make_course(unit=tree.g1, author=people.teacher, title="Toán 6 trực tuyến")
    assert _draft(people, tree, course=own).course == own


def test_create_checks_times_and_numbers(people, tree):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        _draft(people, tree, title="  ", opens_at=now, closes_at=now - timedelta(hours=1), time_limit=0, grade=13)
    errors = exc.value.message_dict
    assert set(errors) >= {"title", "closes_at", "time_limit", "grade"}
    assert not Quiz.objects.exists()


# --- changing ------------------------------------------------------------------------------------


def test_draft_changes_everything(people, tree):
    quiz = _draft(people, tree)
    quiz_update(actor=people.teacher, quiz=quiz, mode=Quiz.Mode.PRACTICE, time_limit=None, classes=[tree.c2])
    quiz.refresh_from_db()
    assert quiz.mode == Quiz.Mode.PRACTICE and quiz.time_limit is None
    assert list(quiz.classes.all()) == [tree.c2]


def test_draft_cannot_switch_selection_with_questions_chosen(people, tree):
    quiz = _draft(people, tree)
    quiz_question_add(actor=people.teacher, quiz=quiz, question=make_question(author=people.teacher, unit=tree.g1))
    with pytest.raises(ValidationError, match="remove them before"):
        quiz_update(actor=people.teacher, quiz=quiz, selection=Quiz.Selection.BLUEPRINT)
    quiz.refresh_from_db()
    assert quiz.selection == Quiz.Selection.MANUAL


def test_wrong_person_cannot_change_a_test(people, tree):
    quiz = _draft(people, tree)
    for who in (people.teacher2, people.other_principal, people.student):
        with pytest.raises(ValidationError, match="cannot change this test"):
            quiz_update(actor=who, quiz=quiz, title="Đổi tên")
    # The school's principal manages every test of the school.
    quiz_update(actor=people.principal, quiz=quiz, title="Đổi tên")
    quiz.refresh_from_db()
    assert quiz.title == "Đổi tên"


def test_published_test_changes_only_what_is_safe(people, tree):
    q1 = make_question(author=people.teacher, unit=tree.g1)
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[q1], classes=[tree.c1], time_limit=30)
    with pytest.raises(ValidationError, match="take it back to draft"):
        quiz_update(actor=people.teacher, quiz=quiz, mode=Quiz.Mode.PRACTICE)
    later = timezone.now() + timedelta(days=3)
    quiz_update(actor=people.teacher, quiz=quiz, title="Tên mới", closes_at=later, classes=[tree.c1, tree.c2])
    quiz.refresh_from_db()
    assert quiz.title == "Tên mới" and quiz.closes_at == later
    assert set(quiz.classes.all()) == {tree.c1, tree.c2}
    with pytest.raises(ValidationError, match="not removed"):
        quiz_update(actor=people.teacher, quiz=quiz, classes=[tree.c2])


def test_an_exam_whose_results_are_out_cannot_be_opened_again(people, tree):
    """Students have read the key: a later close or more attempts would hand it to the next attempt."""
    from materials.services.attempts import attempt_start

    q1 = make_question(author=people.teacher, unit=tree.g1)
    now = timezone.now()
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[q1],
        classes=[tree.c1],
        mode=Quiz.Mode.EXAM,
        max_attempts=2,
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(minutes=20),
    )
    attempt_start(student=people.student, quiz=quiz)
    Quiz.objects.filter(pk=quiz.pk).update(closes_at=now - timedelta(minutes=1))
    quiz.refresh_from_db()
    assert quiz.results_released_at(now)
    for change in ({"closes_at": now + timedelta(hours=1)}, {"max_attempts": 3}):
        with pytest.raises(ValidationError, match="results are out"):
            quiz_update(actor=people.teacher, quiz=quiz, **change)
    quiz.refresh_from_db()
    assert quiz.closes_at < now and quiz.max_attempts == 2
    quiz_update(actor=people.teacher, quiz=quiz, title="Kiểm tra giữa kì (đã chấm)")  # the title may change


def test_closing_earlier_cuts_the_attempts_under_way(people, tree):
    from materials.services.attempts import attempt_start

    q1 = make_question(author=people.teacher, unit=tree.g1)
    now = timezone.now()
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[q1],
        classes=[tree.c1],
        mode=Quiz.Mode.EXAM,
        time_limit=90,
        closes_at=now + timedelta(hours=3),
    )
    attempt = attempt_start(student=people.student, quiz=quiz)
    assert attempt.deadline > now + timedelta(minutes=89)
    sooner = (now + timedelta(minutes=10)).replace(second=0, microsecond=0) + timedelta(minutes=1)
    quiz_update(actor=people.teacher, quiz=quiz, closes_at=sooner)
    attempt.refresh_from_db()
    assert attempt.deadline == sooner


def test_exam_results_wait_for_the_answers_in_flight(people, tree):
    closes = timezone.now()
    quiz = make_quiz(
        author=people.teacher, unit=tree.g1, mode=Quiz.Mode.EXAM, opens_at=closes - timedelta(hours=1), closes_at=closes
    )
    assert not quiz.results_released_at(closes + timedelta(seconds=10))
    assert quiz.results_released_at(closes + timedelta(seconds=31))


def test_edits_refused_once_students_have_started(people, tree):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
        time_limit=30,
        max_attempts=3,
    )
    _attempt(quiz, people.student, number=1)
    _attempt(quiz, people.student, number=2)
    with pytest.raises(ValidationError) as exc:
        quiz_update(actor=people.teacher, quiz=quiz, time_limit=60, mode=Quiz.Mode.PRACTICE)
    assert "once students have started" in _messages(exc)
    with pytest.raises(ValidationError, match="cannot close in the past"):
        quiz_update(actor=people.teacher, quiz=quiz, closes_at=timezone.now() - timedelta(minutes=2))
    with pytest.raises(ValidationError, match="opening time cannot change"):
        quiz_update(actor=people.teacher, quiz=quiz, opens_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="already made 2 attempts"):
        quiz_update(actor=people.teacher, quiz=quiz, max_attempts=1)
    quiz.refresh_from_db()
    assert quiz.time_limit == 30 and quiz.mode == Quiz.Mode.EXAM and quiz.max_attempts == 3
    quiz_update(actor=people.teacher, quiz=quiz, max_attempts=5, title="Thêm lượt")
    quiz.refresh_from_db()
    assert quiz.max_attempts == 5


# --- hand-picked questions -----------------------------------------------------------------------


def test_add_remove_reorder(people, tree):
    quiz = _draft(people, tree)
    q1, q2, q3 = (make_question(author=people.teacher, unit=tree.g1) for _ in range(3))
    for q in (q1, q2, q3):
        quiz_question_add(actor=people.teacher, quiz=quiz, question=q)
    with pytest.raises(ValidationError, match="already in this test"):
        quiz_question_add(actor=people.teacher, quiz=quiz, question=q2)
    quiz_questions_reorder(actor=people.teacher, quiz=quiz, order=[q3.pk, q1.pk, q2.pk])
    assert [i.question_id for i in quiz.items.order_by("position")] == [q3.pk, q1.pk, q2.pk]
    with pytest.raises(ValidationError, match="changed meanwhile"):
        quiz_questions_reorder(actor=people.teacher, quiz=quiz, order=[q3.pk, q1.pk])
    quiz_question_remove(actor=people.teacher, quiz=quiz, question=q1)
    assert [i.question_id for i in quiz.items.order_by("position")] == [q3.pk, q2.pk]
    assert quiz_question_count(quiz) == 2


def test_only_usable_questions_are_added(people, tree):
    quiz = _draft(people, tree)
    other_draft = make_question(author=people.teacher2, unit=tree.g1, approved=False)
    other_school = make_question(author=people.other_school, unit=tree.g3)
    removed = make_question(author=people.teacher, unit=tree.g1)
    removed.deleted_at = timezone.now()
    removed.deleted_by = people.teacher
    removed.save()
    for question in (other_draft, other_school, removed):
        with pytest.raises(ValidationError, match="cannot be used"):
            quiz_question_add(actor=people.teacher, quiz=quiz, question=question)
    own_draft = make_question(author=people.teacher, unit=tree.g1, approved=False)
    colleague = make_question(author=people.teacher2, unit=tree.g1)
    quiz_question_add(actor=people.teacher, quiz=quiz, question=own_draft)
    quiz_question_add(actor=people.teacher, quiz=quiz, question=colleague)
    assert quiz.items.count() == 2


def test_questions_fixed_on_published_and_blueprint_tests(people, tree):
    q = make_question(author=people.teacher, unit=tree.g1)
    published = make_quiz(author=people.teacher, unit=tree.g1, questions=[q], classes=[tree.c1])
    with pytest.raises(ValidationError, match="published"):
        quiz_question_add(
            actor=people.teacher, quiz=published, question=make_question(author=people.teacher, unit=tree.g1)
        )
    blueprint = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    with pytest.raises(ValidationError, match="blueprint"):
        quiz_question_add(actor=people.teacher, quiz=blueprint, question=q)


# --- blueprint -----------------------------------------------------------------------------------


def test_blueprint_set_and_availability(people, tree, django_assert_num_queries):
    for _ in range(3):
        make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1)
    make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=3)
    make_question(author=people.teacher, unit=tree.g1, topic="Số nguyên", level=2, approved=False)
    make_question(author=people.teacher2, unit=tree.g1, topic="Số nguyên", level=2, approved=False)  # not usable
    make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1, grade=7)  # other grade
    make_question(author=people.other_school, unit=tree.g3, topic="Phân số", level=1)  # other school
    people.teacher.refresh_from_db()
    with django_assert_num_queries(2):  # the user's roles (cached after), then one GROUP BY
        available = blueprint_availability(user=people.teacher, subject="Toán", grade=6)
    assert available == {("Phân số", 1): 3, ("Phân số", 3): 1, ("Số nguyên", 2): 1}
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    blueprint_set(actor=people.teacher, quiz=quiz, rows=[("Phân số", 1, 2), ("Phân số", 3, 0), ("Số nguyên", 2, 1)])
    assert sorted(quiz.blueprint_rows.values_list("topic", "level", "count")) == [
        ("Phân số", 1, 2),
        ("Số nguyên", 2, 1),
    ]
    assert quiz_question_count(quiz) == 3
    with pytest.raises(ValidationError, match="appears twice"):
        blueprint_set(actor=people.teacher, quiz=quiz, rows=[("Phân số", 1, 2), ("Phân số", 1, 1)])
    assert quiz.blueprint_rows.count() == 2


def test_blueprint_refused_on_manual_tests_and_for_others(people, tree):
    manual = _draft(people, tree)
    with pytest.raises(ValidationError, match="chosen by hand"):
        blueprint_set(actor=people.teacher, quiz=manual, rows=[("Phân số", 1, 1)])
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    with pytest.raises(ValidationError, match="cannot change"):
        blueprint_set(actor=people.teacher3, quiz=quiz, rows=[("Phân số", 1, 1)])
    assert not BlueprintRow.objects.exists()


def test_open_revisions_are_not_counted_twice(people, tree):
    original = make_question(author=people.teacher, unit=tree.g1)
    make_question(author=people.teacher, unit=tree.g1, approved=False, replaces=original)
    assert blueprint_availability(user=people.teacher, subject="Toán", grade=6) == {("Phân số", 1): 1}


# --- publishing ----------------------------------------------------------------------------------


def test_publish_manual_notifies_the_class(people, tree):
    quiz = _draft(people, tree)
    quiz_question_add(actor=people.teacher, quiz=quiz, question=make_question(author=people.teacher, unit=tree.g1))
    quiz_publish(actor=people.teacher, quiz=quiz)
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.PUBLISHED and quiz.published_at is not None
    notes = Notification.objects.filter(title__contains=quiz.title)
    assert list(notes.values_list("recipient", flat=True)) == [people.student.pk]
    assert AuditEntry.objects.filter(action="quiz.publish", target_id=str(quiz.pk)).exists()
    with pytest.raises(ValidationError, match="already published"):
        quiz_publish(actor=people.teacher, quiz=quiz)


def test_publish_notifies_course_learners_once(people, tree):
    course = make_course(unit=tree.g1, author=people.teacher, title="Toán 6")
    enrol(course=course, user=people.student)
    quiz = _draft(people, tree, course=course)
    quiz_question_add(actor=people.teacher, quiz=quiz, question=make_question(author=people.teacher, unit=tree.g1))
    quiz_publish(actor=people.teacher, quiz=quiz)
    assert Notification.objects.filter(recipient=people.student).count() == 1


def test_publish_says_everything_wrong_at_once(people, tree):
    quiz = quiz_create(actor=people.teacher, unit=tree.g1, **_settings(opens_at=None, closes_at=None))
    with pytest.raises(ValidationError) as exc:
        quiz_publish(actor=people.teacher, quiz=quiz)
    text = _messages(exc)
    assert "Add at least one question" in text
    assert "An exam needs a closing time" in text
    assert "at least one class or a course" in text
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT
    assert not Notification.objects.exists()


def test_publish_names_questions_no_longer_usable(people, tree):
    quiz = _draft(people, tree)
    ok = make_question(author=people.teacher, unit=tree.g1)
    gone = make_question(author=people.teacher, unit=tree.g1, stem="Câu đã bị thay thế \\(x^2\\)")
    for q in (ok, gone):
        quiz_question_add(actor=people.teacher, quiz=quiz, question=q)
    gone.status = VersionStatus.SUPERSEDED
    gone.save()
    with pytest.raises(ValidationError) as exc:
        quiz_publish(actor=people.teacher, quiz=quiz)
    text = _messages(exc)
    assert f"#{gone.pk}" in text and "replaced by a newer version" in text
    assert f"#{ok.pk}" not in text


def test_publish_past_closing_time_refused(people, tree):
    quiz = _draft(
        people, tree, opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(days=1)
    )
    quiz_question_add(actor=people.teacher, quiz=quiz, question=make_question(author=people.teacher, unit=tree.g1))
    with pytest.raises(ValidationError, match="has passed"):
        quiz_publish(actor=people.teacher, quiz=quiz)


def test_blueprint_shortage_names_topic_level_and_numbers(people, tree):
    for _ in range(3):
        make_question(author=people.teacher, unit=tree.g1, topic="Chủ đề X", level=3)
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    blueprint_set(actor=people.teacher, quiz=quiz, rows=[("Chủ đề X", 3, 5)])
    with pytest.raises(ValidationError) as exc:
        quiz_publish(actor=people.teacher, quiz=quiz)
    assert "Chủ đề X – Application: the test asks for 5 questions, the bank has 3." in exc.value.messages
    assert not QuizItem.objects.filter(quiz=quiz).exists()


def test_publish_blueprint_stores_a_fixed_pool(people, tree):
    fractions = [make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1) for _ in range(4)]
    integers = [make_question(author=people.teacher2, unit=tree.g1, topic="Số nguyên", level=2) for _ in range(2)]
    make_question(author=people.teacher, unit=tree.g1, topic="Hình học", level=1)  # not in the blueprint
    quiz = _draft(people, tree, selection=Quiz.Selection.BLUEPRINT)
    blueprint_set(actor=people.teacher, quiz=quiz, rows=[("Phân số", 1, 2), ("Số nguyên", 2, 2)])
    quiz_publish(actor=people.teacher, quiz=quiz)
    pool = {(i.question_id, i.row.topic) for i in quiz.items.select_related("row")}
    assert pool == {(q.pk, "Phân số") for q in fractions} | {(q.pk, "Số nguyên") for q in integers}
    make_question(author=people.teacher, unit=tree.g1, topic="Phân số", level=1)  # the bank grows later…
    assert quiz.items.count() == 6  # …the pool does not
    assert quiz_question_count(quiz) == 4
    quiz.refresh_from_db()
    drawn, is_draw = preview_questions(user=people.teacher, quiz=quiz)
    assert is_draw and len(drawn) == 4 and {q.pk for q in drawn} <= {q.pk for q in fractions + integers}


def test_unpublish_only_before_anyone_starts(people, tree):
    pool = [make_question(author=people.teacher, unit=tree.g1) for _ in range(2)]
    quiz = make_blueprint_quiz(
        author=people.teacher, unit=tree.g1, rows=[("Phân số", 1, 1)], pool=pool, classes=[tree.c1]
    )
    quiz_unpublish(actor=people.teacher, quiz=quiz)
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.DRAFT and not quiz.items.exists() and quiz.blueprint_rows.count() == 1
    quiz_publish(actor=people.teacher, quiz=quiz)
    _attempt(quiz, people.student)
    with pytest.raises(ValidationError, match="stays published"):
        quiz_unpublish(actor=people.teacher, quiz=quiz)
    quiz.refresh_from_db()
    assert quiz.status == Quiz.Status.PUBLISHED and quiz.items.count() == 2


# --- removing, restoring, duplicating ------------------------------------------------------------


def test_delete_keeps_attempts_and_restore_brings_it_back(people, tree):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
    )
    _attempt(quiz, people.student)
    quiz_delete(actor=people.teacher, quiz=quiz)
    quiz.refresh_from_db()
    assert quiz.is_deleted and quiz.attempts.count() == 1
    with pytest.raises(ValidationError, match="cannot restore"):
        quiz_restore(actor=people.teacher2, quiz=quiz)
    quiz_restore(actor=people.principal, quiz=quiz)
    quiz.refresh_from_db()
    assert not quiz.is_deleted


def test_delete_refused_while_students_are_answering(people, tree):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
    )
    _attempt(quiz, people.student, status=Attempt.Status.IN_PROGRESS)
    with pytest.raises(ValidationError, match="taking this test now"):
        quiz_delete(actor=people.teacher, quiz=quiz)
    quiz.refresh_from_db()
    assert not quiz.is_deleted


def test_duplicate_copies_settings_questions_and_rows(people, tree):
    course = make_course(unit=tree.g1, author=people.teacher, title="Toán 6")
    qs = [make_question(author=people.teacher, unit=tree.g1) for _ in range(3)]
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=qs,
        classes=[tree.c1, tree.c2],
        time_limit=40,
        mode=Quiz.Mode.PRACTICE,
        max_attempts=2,
        shuffle_options=False,
        course=course,
    )
    _attempt(quiz, people.student)
    copy = quiz_duplicate(actor=people.teacher, quiz=quiz)
    assert copy.pk != quiz.pk and copy.status == Quiz.Status.DRAFT and copy.author == people.teacher
    assert (copy.mode, copy.time_limit, copy.max_attempts, copy.shuffle_options) == (Quiz.Mode.PRACTICE, 40, 2, False)
    assert copy.opens_at is None and copy.closes_at is None
    assert [i.question_id for i in copy.items.order_by("position")] == [q.pk for q in qs]
    assert set(copy.classes.all()) == {tree.c1, tree.c2} and copy.course == course
    assert copy.title.startswith("Copy of")
    blueprint = make_blueprint_quiz(author=people.teacher, unit=tree.g1, rows=[("Phân số", 1, 2)], pool=qs)
    copy2 = quiz_duplicate(actor=people.principal, quiz=blueprint)
    assert copy2.unit == tree.s1  # the principal builds at the school, not in the group
    assert list(copy2.blueprint_rows.values_list("topic", "level", "count")) == [("Phân số", 1, 2)]
    assert not copy2.items.exists()  # the pool is made again when the copy is published
    assert copy2.course is None


def test_duplicate_refused_for_outsiders(people, tree):
    quiz = _draft(people, tree)
    with pytest.raises(ValidationError, match="cannot duplicate"):
        quiz_duplicate(actor=people.other_school, quiz=quiz)
    assert Quiz.objects.count() == 1


# --- selectors -----------------------------------------------------------------------------------


def test_my_quizzes_author_and_school_managers(people, tree):
    mine = _draft(people, tree, title="Kiểm tra học kì I")
    other = quiz_create(actor=people.teacher2, unit=tree.g1, **_settings(title="Ôn tập"))
    assert list(my_quizzes(user=people.teacher)) == [mine]
    assert set(my_quizzes(user=people.principal)) == {mine, other}
    assert not my_quizzes(user=people.other_principal).exists()
    assert list(my_quizzes(user=people.principal, q="kiem tra hoc ki")) == [mine]
    assert list(my_quizzes(user=people.principal, q="ON TAP")) == [other]
    quiz_delete(actor=people.teacher, quiz=mine)
    assert list(my_quizzes(user=people.teacher)) == []
    assert list(my_quizzes(user=people.teacher, removed=True)) == [mine]


def test_picker_filters_and_excludes_chosen(people, tree):
    quiz = _draft(people, tree)
    a = make_question(author=people.teacher, unit=tree.g1, stem="Tính diện tích hình chữ nhật", topic="Hình học")
    b = make_question(author=people.teacher, unit=tree.g1, stem="Phân số tối giản", topic="Phân số", level=2)
    c = make_question(author=people.teacher, unit=tree.g1, type="numeric", topic="Phân số")
    make_question(author=people.teacher, unit=tree.g1, grade=7)
    assert set(picker_questions(user=people.teacher, quiz=quiz)) == {a, b, c}
    assert list(picker_questions(user=people.teacher, quiz=quiz, q="dien tich")) == [a]
    assert list(picker_questions(user=people.teacher, quiz=quiz, topic="Phân số", level=2)) == [b]
    assert list(picker_questions(user=people.teacher, quiz=quiz, type="numeric")) == [c]
    quiz_question_add(actor=people.teacher, quiz=quiz, question=a)
    assert a not in picker_questions(user=people.teacher, quiz=quiz)


def test_course_must_stay_removable_only_on_drafts(people, tree):
    course = make_course(unit=tree.g1, author=people.teacher, title="Toán 6")
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        course=course,
    )
    with pytest.raises(ValidationError, match="course of a published test"):
        quiz_update(actor=people.teacher, quiz=quiz, course=None)
    assert Course.objects.get(pk=course.pk) == Quiz.objects.get(pk=quiz.pk).course
