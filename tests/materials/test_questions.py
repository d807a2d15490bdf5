"""The question bank's services: writing questions, the approval flow, revisions of approved questions,
sharing up the tree, removing and restoring, and bad input (types and options, LaTeX, images)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from materials.models import Attempt, AttemptAnswer, Question, QuestionReview, QuestionSource, VersionStatus
from materials.permissions.questions import (
    can_edit_question,
    can_view_question,
    is_usable_by,
    may_use_bank,
    questions_usable_q,
)
from materials.selectors import questions as selectors
from materials.services import questions as services
from materials.services.question_rules import fingerprint
from notifications.models import Notification
from tests.accounts.factories import complete_profile, make_person
from units.models import AuditEntry, Role

from .factories import make_question, make_quiz

S = VersionStatus


pytestmark = pytest.mark.usefixtures("in_english")


def fields(**changes) -> dict:
    values = {
        "type": "single",
        "stem": r"Phân số nào bằng \(\frac{1}{2}\)?",
        "options": [
            {"text": r"\(\frac{2}{4}\)", "correct": True},
            {"text": r"\(\frac{1}{3}\)"},
            {"text": r"\(\frac{2}{3}\)"},
            {"text": r"\(\frac{3}{4}\)"},
        ],
        "explanation": r"Nhân cả tử và mẫu với 2: \(\frac{1 \cdot 2}{2 \cdot 2}\).",
        "subject": "Toán",
        "grade": 6,
        "topic": "Phân số",
        "level": 1,
    }
    values.update(changes)
    return values


def write(people, tree, *, actor=None, unit=None, **changes) -> Question:
    return services.question_create(actor=actor or people.teacher, unit=unit or tree.g1, **fields(**changes))


def approved(people, tree, **changes) -> Question:
    question = write(people, tree, **changes)
    services.question_submit(actor=people.teacher, question=question)
    services.question_approve_group(actor=people.leader, question=question)
    services.question_approve_school(actor=people.principal, question=question)
    question.refresh_from_db()
    return question


def png(name="hinh.png", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def stored_files(settings) -> list[str]:
    root = settings.PRIVATE_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def answered_by_a_student(people, tree, question):
    quiz = make_quiz(author=people.teacher, unit=tree.g1, questions=[question], classes=[tree.c1])
    attempt = Attempt.objects.create(
        quiz=quiz, student=people.student, number=1, status=Attempt.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return AttemptAnswer.objects.create(attempt=attempt, question=question, position=1, response=0)


def messages_of(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


# --- writing -----------------------------------------------------------------------------------


def test_a_question_is_written_as_a_draft_with_its_fingerprint_and_search_text(tree, people):
    question = write(people, tree)
    assert question.status == S.DRAFT and question.shared_with is None and question.source == QuestionSource.TYPED
    assert question.author == people.teacher and question.unit == tree.g1
    assert question.fingerprint == fingerprint(type="single", stem=question.stem, options=question.options)
    for word in ("phan so", "toan", "lop 6", "frac"):
        assert word in question.search_text
    assert AuditEntry.objects.filter(action="question.create", target_id=str(question.pk)).exists()
    # Usable by its author in their own tests at once; nobody else sees a draft.
    assert is_usable_by(people.teacher, question) and not is_usable_by(people.teacher2, question)
    assert not can_view_question(people.teacher2, question) and not can_view_question(people.leader, question)
    # Not the school's managers either, until it is approved or waits for them (issue #14).
    assert not can_view_question(people.principal, question)


def test_who_writes_where(tree, people):
    for actor, unit in ((people.teacher, tree.g2), (people.student, tree.c1), (people.other_school, tree.g1)):
        with pytest.raises(ValidationError) as error:
            write(people, tree, actor=actor, unit=unit)
        assert "cannot write questions" in messages_of(error)
    assert write(people, tree, actor=people.principal, unit=tree.s1).unit == tree.s1
    assert Question.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"options": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]}, "options", "exactly one"),
        ({"options": [{"text": "A", "correct": True}]}, "options", "at least two"),
        ({"options": [{"text": "Một", "correct": True}, {"text": "mot"}]}, "options", "same text"),
        ({"type": "multiple", "options": [{"text": "A"}, {"text": "B"}]}, "options", "at least one option"),
        ({"type": "true_false", "options": [{"text": "a", "correct": True}, {"text": "b"}]}, "options", "four"),
        ({"type": "numeric", "options": [], "numeric_answer": None}, "numeric_answer", "is a number"),
        ({"type": "numeric", "options": [], "numeric_answer": "ba phẩy năm"}, "numeric_answer", "is a number"),
        ({"type": "numeric", "options": [], "numeric_answer": "3,5", "tolerance": "-1"}, "tolerance", "zero or more"),
        ({"type": "riddle"}, "type", "type of question"),
        ({"stem": "   "}, "stem", "Write the question"),
        ({"level": 7}, "level", "cognitive level"),
        ({"grade": 13}, "grade", "1 to 12"),
        ({"topic": ""}, "topic", "topic"),
    ],
)
def test_wrong_type_and_option_combinations_are_refused(tree, people, changes, field, message):
    with pytest.raises(ValidationError) as error:
        write(people, tree, **changes)
    assert field in error.value.message_dict
    assert message in " ".join(error.value.message_dict[field])
    assert not Question.objects.exists()


def test_each_type_is_stored_in_its_shape(tree, people):
    tf = write(
        people,
        tree,
        type="true_false",
        options=[{"text": "a", "correct": True}, {"text": "b"}, {"text": "c", "correct": True}, {"text": "d"}],
    )
    assert [o["correct"] for o in tf.options] == [True, False, True, False]
    numeric = write(people, tree, type="numeric", options=[{"text": "ignored"}], numeric_answer="3,5", tolerance="0,1")
    numeric.refresh_from_db()
    assert numeric.options == [] and numeric.numeric_answer == Decimal("3.5") and numeric.tolerance == Decimal("0.1")
    essay = write(people, tree, type="essay", options=[], answer_guide="Nêu đủ ba ý: 1 điểm mỗi ý.")
    assert essay.options == [] and essay.answer_guide.startswith("Nêu đủ")


def test_bad_latex_is_refused_naming_the_formula_and_nothing_is_saved(tree, people, settings):
    with pytest.raises(ValidationError) as error:
        write(people, tree, stem=r"Tính \(\frac{1}{\) nhé", image=png())
    stem_errors = " ".join(error.value.message_dict["stem"])
    assert "\\frac{1}{" in stem_errors and "KaTeX parse error" in stem_errors
    with pytest.raises(ValidationError) as error:
        write(people, tree, explanation=r"Vì $\sqrtt{2}$", options=[*fields()["options"][:3], {"text": r"\(x^{\)"}])
    assert "\\sqrtt" in " ".join(error.value.message_dict["explanation"])
    assert "options" in error.value.message_dict
    assert not Question.objects.exists() and stored_files(settings) == []


def test_image_is_checked_by_content_and_reencoded(tree, people, settings):
    question = write(people, tree, image=png())
    question.image.open("rb")
    assert question.image.read(3) == b"\xff\xd8\xff"  # stored as a fresh JPEG
    question.image.close()
    assert question.image.name.endswith(".jpg")
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png")
    with pytest.raises(ValidationError) as error:
        write(people, tree, image=fake, stem="Câu khác")
    assert "image" in error.value.message_dict and "virus.png" in " ".join(error.value.message_dict["image"])
    big = SimpleUploadedFile("to.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as error:
        write(people, tree, image=big, stem="Câu nữa")
    assert "at most" in " ".join(error.value.message_dict["image"])
    assert Question.objects.count() == 1 and len(stored_files(settings)) == 1


# --- the approval flow ---------------------------------------------------------------------------


def test_the_full_flow_puts_a_question_in_the_school_bank(tree, people):
    question = write(people, tree)
    question = services.question_submit(actor=people.teacher, question=question)
    assert Notification.objects.filter(recipient=people.leader, title__contains="waits for your approval").exists()
    assert can_view_question(people.leader, question)  # it waits for the leader
    assert list(selectors.waiting_questions(user=people.leader)) == [question]

    services.question_approve_group(actor=people.leader, question=question)
    question.refresh_from_db()
    assert question.status == S.GROUP_APPROVED
    assert list(selectors.waiting_questions(user=people.leader)) == []
    assert list(selectors.waiting_questions(user=people.principal)) == [question]
    assert Notification.objects.filter(recipient=people.principal, title__contains="waits for your approval").exists()
    assert Notification.objects.filter(recipient=people.teacher, title__contains="waits for the principal").exists()

    services.question_approve_school(actor=people.admin, question=question)
    question.refresh_from_db()
    assert question.status == S.APPROVED and question.shared_with == tree.s1 and question.approved_at
    trail = list(question.reviews.values_list("level", "decision"))
    assert trail == [("group", "submitted"), ("group", "approved"), ("school", "approved")]
    actions = set(AuditEntry.objects.filter(target_id=str(question.pk)).values_list("action", flat=True))
    assert {"question.create", "question.submit", "question.approve_group", "question.approve"} <= actions
    assert Notification.objects.filter(recipient=people.teacher, title__contains="now in the bank").exists()
    for person in (people.teacher2, people.teacher3, people.leader2, people.principal):
        assert is_usable_by(person, question) and can_view_question(person, question)
    for person in (people.other_school, people.far_teacher):
        assert not is_usable_by(person, question) and not can_view_question(person, question)
    # The bank shows answers: a student of the school never opens it.
    assert not may_use_bank(people.student) and not can_view_question(people.student, question)


def test_a_question_written_at_the_school_is_approved_by_its_managers(tree, people):
    school_teacher = complete_profile(make_person(unit=tree.s1, role=Role.TEACHER))
    question = write(people, tree, actor=school_teacher, unit=tree.s1)
    services.question_submit(actor=school_teacher, question=question)
    assert list(selectors.waiting_questions(user=people.leader)) == []
    with pytest.raises(ValidationError):
        services.question_approve_group(actor=people.leader, question=question)
    services.question_approve_group(actor=people.admin, question=question)
    services.question_approve_school(actor=people.principal, question=question)
    question.refresh_from_db()
    assert question.shared_with == tree.s1


def test_the_group_leaders_own_question_takes_the_group_step_at_the_school(tree, people):
    question = write(people, tree, actor=people.leader)
    services.question_submit(actor=people.leader, question=question)
    assert list(selectors.waiting_questions(user=people.leader)) == []
    assert list(selectors.waiting_questions(user=people.principal)) == [question]
    with pytest.raises(ValidationError) as error:
        services.question_approve_group(actor=people.leader, question=question)
    assert "their own question" in messages_of(error)
    services.question_approve_group(actor=people.principal, question=question)
    with pytest.raises(ValidationError) as error:
        services.question_approve_school(actor=people.leader, question=question)
    services.question_approve_school(actor=people.admin, question=question)
    question.refresh_from_db()
    assert question.status == S.APPROVED


def test_nobody_approves_their_own_question(tree, people):
    question = write(people, tree, actor=people.principal, unit=tree.s1)
    services.question_submit(actor=people.principal, question=question)
    assert question not in selectors.waiting_questions(user=people.principal)
    with pytest.raises(ValidationError) as error:
        services.question_approve_group(actor=people.principal, question=question)
    assert "own question" in messages_of(error)
    services.question_approve_group(actor=people.admin, question=question)
    with pytest.raises(ValidationError) as error:
        services.question_refuse(actor=people.principal, question=question, reason="Tự từ chối")
    assert "own question" in messages_of(error)
    services.question_approve_school(actor=people.admin, question=question)


def test_wrong_reviewers_are_refused_and_nothing_changes(tree, people):
    question = write(people, tree)
    services.question_submit(actor=people.teacher, question=question)
    for actor in (people.leader2, people.teacher2, people.other_principal, people.office):
        with pytest.raises(ValidationError) as error:
            services.question_approve_group(actor=actor, question=question)
        assert error.value.code == "forbidden"
    with pytest.raises(ValidationError) as error:
        services.question_approve_school(actor=people.principal, question=question)  # not at this step yet
    assert error.value.code == "stale"
    question.refresh_from_db()
    assert question.status == S.SUBMITTED and question.reviews.count() == 1


def test_refusal_needs_a_reason_and_the_author_fixes_and_resends(tree, people):
    question = write(people, tree)
    services.question_submit(actor=people.teacher, question=question)
    with pytest.raises(ValidationError) as error:
        services.question_refuse(actor=people.leader, question=question, reason="   ")
    assert "Say why" in messages_of(error)
    services.question_refuse(actor=people.leader, question=question, reason="Đáp án B cũng đúng.")
    question.refresh_from_db()
    assert question.status == S.REFUSED
    assert question.reviews.last().reason == "Đáp án B cũng đúng."
    assert Notification.objects.filter(recipient=people.teacher, body="Đáp án B cũng đúng.").exists()
    assert can_edit_question(people.teacher, question)
    question = services.question_update(actor=people.teacher, question=question, **fields(stem="Câu đã sửa"))
    assert question.status == S.DRAFT and question.stem == "Câu đã sửa"
    services.question_submit(actor=people.teacher, question=question)
    services.question_approve_group(actor=people.leader, question=question)
    services.question_refuse(actor=people.principal, question=question, reason="Chưa rõ.")
    assert question.reviews.filter(decision="refused", level="school").exists()


def test_only_the_author_changes_a_draft_and_only_while_it_is_a_draft(tree, people):
    question = write(people, tree)
    with pytest.raises(ValidationError) as error:
        services.question_update(actor=people.teacher2, question=question, **fields(stem="Của tôi"))
    assert "Only the author" in messages_of(error)
    services.question_submit(actor=people.teacher, question=question)
    with pytest.raises(ValidationError) as error:
        services.question_update(actor=people.teacher, question=question, **fields(stem="Sửa khi chờ"))
    assert "waiting for review" in messages_of(error)
    with pytest.raises(ValidationError):
        services.question_submit(actor=people.teacher, question=question)  # already sent
    question.refresh_from_db()
    assert question.stem.startswith("Phân số nào")


def test_an_update_with_bad_input_changes_nothing(tree, people):
    question = write(people, tree)
    with pytest.raises(ValidationError):
        services.question_update(actor=people.teacher, question=question, **fields(stem=r"$\frac{$"))
    question.refresh_from_db()
    assert question.stem.startswith("Phân số nào")


def test_a_draft_students_answered_cannot_change(tree, people):
    question = write(people, tree)
    answered_by_a_student(people, tree, question)
    with pytest.raises(ValidationError) as error:
        services.question_update(actor=people.teacher, question=question, **fields(stem="Đổi đề"))
    assert error.value.code == "answered" and "already answered" in messages_of(error)


# --- revisions -----------------------------------------------------------------------------------


def test_an_approved_question_is_revised_and_stays_usable_until_the_revision_is_approved(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    Question.objects.filter(pk=question.pk).update(shared_with=tree.dept_a)
    question.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.question_update(actor=people.teacher, question=question, **fields())
    assert "make a revision" in messages_of(error)

    revision = services.question_revise(actor=people.teacher, question=question, **fields(stem="Bản sửa đổi"))
    assert revision.status == S.DRAFT and revision.replaces == question and revision.pk != question.pk
    question.refresh_from_db()
    assert question.status == S.APPROVED and is_usable_by(people.other_school, question)
    assert not is_usable_by(people.other_school, revision)

    with pytest.raises(ValidationError) as error:
        services.question_revise(actor=people.teacher, question=question, **fields(stem="Bản thứ hai"))
    assert error.value.code == "open" and f"#{revision.pk}" in messages_of(error)

    services.question_submit(actor=people.teacher, question=revision)
    services.question_approve_group(actor=people.leader, question=revision)
    assert is_usable_by(people.other_school, question)  # still, while the principal decides
    services.question_approve_school(actor=people.principal, question=revision)
    question.refresh_from_db()
    revision.refresh_from_db()
    assert question.status == S.SUPERSEDED and revision.status == S.APPROVED
    assert revision.shared_with == tree.dept_a  # the revision keeps the sharing the question had earned
    assert not is_usable_by(people.other_school, question) and is_usable_by(people.other_school, revision)
    assert selectors.lineage(question) == [question, revision] == selectors.lineage(revision)


def test_a_refused_revision_leaves_the_approved_question_in_use(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    revision = services.question_revise(actor=people.teacher, question=question)  # a copy to start from
    assert revision.stem == question.stem and revision.fingerprint == question.fingerprint
    services.question_submit(actor=people.teacher, question=revision)
    services.question_refuse(actor=people.leader, question=revision, reason="Không cần sửa.")
    question.refresh_from_db()
    assert question.status == S.APPROVED and is_usable_by(people.teacher2, question)
    # The author may change the refused revision and send it again, or start another one.
    revision = services.question_update(actor=people.teacher, question=revision, **fields(stem="Sửa lại"))
    assert revision.status == S.DRAFT


def test_who_may_revise(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    with pytest.raises(ValidationError) as error:
        services.question_revise(actor=people.teacher2, question=question)
    assert "Only the author" in messages_of(error)
    draft = write(people, tree)
    with pytest.raises(ValidationError) as error:
        services.question_revise(actor=people.teacher, question=draft)
    assert error.value.code == "not_approved"
    assert not Question.objects.filter(replaces__isnull=False).exists()


def test_a_removed_open_revision_does_not_block_the_next_one(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    first = services.question_revise(actor=people.teacher, question=question, **fields(stem="Lần một"))
    services.question_delete(actor=people.teacher, question=first)
    second = services.question_revise(actor=people.teacher, question=question, **fields(stem="Lần hai"))
    first.refresh_from_db()
    assert first.status == S.SUPERSEDED and second.status == S.DRAFT
    services.question_restore(actor=people.teacher, question=first)
    first.refresh_from_db()
    assert not first.is_deleted and first.status == S.SUPERSEDED


def test_a_revision_shares_the_image_until_it_gets_its_own(tree, people, settings):
    question = write(people, tree, image=png())
    services.question_submit(actor=people.teacher, question=question)
    services.question_approve_group(actor=people.leader, question=question)
    services.question_approve_school(actor=people.principal, question=question)
    revision = services.question_revise(actor=people.teacher, question=question)
    assert revision.image.name == question.image.name
    with_own = services.question_update(actor=people.teacher, question=revision, image=png("moi.png"), **fields())
    assert with_own.image.name != question.image.name
    assert len(stored_files(settings)) == 2  # the approved question's image is still there


# --- sharing up the tree ---------------------------------------------------------------------------


def test_proposals_share_a_question_with_an_office_then_a_department(tree, people):
    question = approved(people, tree)
    with pytest.raises(ValidationError):
        services.question_propose(actor=people.teacher, question=question, target=tree.office_a1)
    with pytest.raises(ValidationError) as error:
        services.question_propose(actor=people.principal, question=question, target=tree.office_b1)
    assert "not above" in messages_of(error)
    review = services.question_propose(actor=people.principal, question=question, target=tree.office_a1)
    assert review.is_open and review.level == QuestionReview.Level.OFFICE
    assert Notification.objects.filter(recipient=people.office, title__contains="proposed for sharing").exists()
    assert list(selectors.waiting_question_proposals(user=people.office)) == [review]
    assert list(selectors.waiting_question_proposals(user=people.other_office)) == []
    with pytest.raises(ValidationError) as error:
        services.question_propose(actor=people.principal, question=question, target=tree.dept_a)
    assert "already waiting" in messages_of(error)

    with pytest.raises(ValidationError):
        services.question_proposal_decide(actor=people.other_office, review=review, approve=True)
    with pytest.raises(ValidationError) as error:
        services.question_proposal_decide(actor=people.office, review=review, approve=False, reason="")
    assert "Say why" in messages_of(error)
    services.question_proposal_decide(actor=people.office, review=review, approve=True)
    question.refresh_from_db()
    assert question.shared_with == tree.office_a1
    assert is_usable_by(people.other_school, question) and not is_usable_by(people.far_teacher, question)
    with pytest.raises(ValidationError) as error:
        services.question_proposal_decide(actor=people.office, review=review, approve=True)
    assert "already been decided" in messages_of(error)

    review = services.question_propose(actor=people.office, question=question, target=tree.dept_a)
    services.question_proposal_decide(actor=people.dept, review=review, approve=False, reason="Trùng nội dung.")
    question.refresh_from_db()
    assert question.shared_with == tree.office_a1
    assert Notification.objects.filter(recipient=people.teacher, body="Trùng nội dung.").exists()
    assert AuditEntry.objects.filter(action="question.share_refuse", target_id=str(question.pk)).exists()


def test_a_waiting_proposal_follows_the_approved_revision(tree, people):
    question = approved(people, tree)
    review = services.question_propose(actor=people.principal, question=question, target=tree.office_a1)
    revision = services.question_revise(actor=people.teacher, question=question, **fields(stem="Bản mới"))
    services.question_submit(actor=people.teacher, question=revision)
    services.question_approve_group(actor=people.leader, question=revision)
    services.question_approve_school(actor=people.principal, question=revision)
    review.refresh_from_db()
    assert review.question == revision and review.is_open
    services.question_proposal_decide(actor=people.office, review=review, approve=True)
    revision.refresh_from_db()
    assert revision.shared_with == tree.office_a1


# --- removing and restoring --------------------------------------------------------------------------


def test_a_removed_question_is_not_usable_but_answers_keep_it(tree, people):
    question = make_question(author=people.teacher, unit=tree.g1)
    answer = answered_by_a_student(people, tree, question)
    with pytest.raises(ValidationError) as error:
        services.question_delete(actor=people.teacher2, question=question)
    assert error.value.code == "forbidden"
    services.question_delete(actor=people.principal, question=question)
    question.refresh_from_db()
    assert question.is_deleted and question.deleted_by == people.principal
    assert Notification.objects.filter(recipient=people.teacher, title__contains="removed").exists()
    for person in (people.teacher, people.teacher2):
        assert not Question.objects.filter(questions_usable_q(person), pk=question.pk).exists()
    assert not can_view_question(people.teacher2, question)
    assert can_view_question(people.teacher, question) and can_view_question(people.admin, question)
    answer.refresh_from_db()
    assert answer.question_id == question.pk
    with pytest.raises(ValidationError):
        services.question_delete(actor=people.teacher, question=question)

    with pytest.raises(ValidationError):
        services.question_restore(actor=people.teacher2, question=question)
    services.question_restore(actor=people.teacher, question=question)
    question.refresh_from_db()
    assert not question.is_deleted and is_usable_by(people.teacher2, question)
    actions = list(AuditEntry.objects.filter(target_id=str(question.pk)).values_list("action", flat=True))
    assert "question.delete" in actions and "question.restore" in actions


def test_a_removed_question_waits_for_nobody(tree, people):
    question = write(people, tree)
    services.question_submit(actor=people.teacher, question=question)
    services.question_delete(actor=people.teacher, question=question)
    assert list(selectors.waiting_questions(user=people.leader)) == []
    with pytest.raises(ValidationError) as error:
        services.question_approve_group(actor=people.leader, question=question)
    assert error.value.code == "stale"


def test_labels_copied_from_a_paper_are_taken_off_options_but_nothing_else():
    from materials.services.question_rules import clean_question

    cleaned = clean_question(
        type="single",
        stem="Chọn đáp án đúng.",
        options=[
            {"text": "A. 18"},
            {"text": "B) 24", "correct": True},
            {"text": "D. lạc chỗ"},  # not its own letter: kept as typed
            {"text": "d: 27"},
        ],
        subject="Toán",
        grade=6,
        topic="Phân số",
        level=1,
        check_math=False,
    )
    assert [o["text"] for o in cleaned["options"]] == ["18", "24", "D. lạc chỗ", "27"]


def test_the_same_question_typed_again_is_refused_unless_a_second_copy_is_wanted(tree, people):
    from materials.services.questions import question_create

    fields = {
        "type": "single",
        "stem": "Phân số nào bằng \\(\\frac{1}{2}\\)?",
        "options": [{"text": "2/4", "correct": True}, {"text": "2/3"}],
        "subject": "Toán",
        "grade": 6,
        "topic": "Phân số",
        "level": 1,
    }
    first = question_create(actor=people.teacher, unit=tree.g1, **fields)
    again = {**fields, "stem": "phan so nao bang \\(\\frac{1}{2}\\) ?", "options": list(reversed(fields["options"]))}
    with pytest.raises(ValidationError) as refused:
        question_create(actor=people.teacher, unit=tree.g1, **again)
    assert f"#{first.pk}" in refused.value.message_dict["stem"][0]
    assert Question.objects.count() == 1
    # Another school's teacher cannot use the first one (a draft of S1): no refusal for them.
    question_create(actor=people.other_school, unit=tree.g3, **again)
    second = question_create(actor=people.teacher, unit=tree.g1, allow_duplicate=True, **again)
    assert second.fingerprint == first.fingerprint and Question.objects.count() == 3
