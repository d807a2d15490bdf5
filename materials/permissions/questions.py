"""Who sees and uses questions of the bank.

- An approved question is used by everyone whose units lie in the subtree of `shared_with` (its
  school, or the Office/Department/Ministry that vetted it), as for library items.
- Authors always see and use their own questions that are not refused or replaced: a teacher may test
  their class with a question still on its way through approval.
The approval steps reuse the library's rules (`can_review_group`, `can_review_school`, ...), which only
read `unit`, `author` and `shared_with`.
- The bank itself (answers included) is for those who write, build tests or vet questions, never for
  students (`may_use_bank`). A reviewer sees a question while a step waits for them; the school's
  managers see every approved question of the school, removed ones too, so they can restore them.
- Drafts stay with their authors and reviewers (issue #14): a question that is not approved (draft,
  waiting, refused, replaced) is seen only by its author and the reviewers of the step it waits at
  (`sees_question_drafts`); in a question's history the others see only the approved one.
Out-of-scope questions look missing (404).
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from truonghoc.softdelete import alive_q
from units.models import Unit
from units.permissions import EDUCATOR_ROLES, WRITER_ROLES, has_role

from ..models import AttemptAnswer, Question, QuestionReview, VersionStatus
from . import (
    _active,
    ancestor_paths,
    can_decide_step,
    can_propose,
    decides_a_proposal_of,
    manages_school_of,
    step_for_user_or_404,
)

USABLE_OWN_STATUSES = (
    VersionStatus.DRAFT,
    VersionStatus.SUBMITTED,
    VersionStatus.GROUP_APPROVED,
    VersionStatus.APPROVED,
)


def questions_usable_q(user) -> Q:
    """Questions a test built by this user may contain (filter on Question)."""
    if not _active(user):
        return Q(pk__in=[])
    live = Q(alive_q(), status=VersionStatus.APPROVED, shared_with__isnull=False)
    if not user.is_superuser:
        live &= Q(shared_with__in=Unit.objects.filter(path__in=sorted(ancestor_paths(user))).values("pk"))
    own = Q(alive_q(), author=user, status__in=USABLE_OWN_STATUSES)
    return live | own


def is_usable_by(user, question: Question) -> bool:
    return Question.objects.filter(questions_usable_q(user), pk=question.pk).exists()


# --- seeing, editing and reviewing one question -----------------------------------------------------
#
# The bank shows correct answers, so it is for those who write, build tests or vet: a student's role
# reaches their school's subtree too, but a student must never read the answers of the school's questions.

EDITABLE_STATUSES = (VersionStatus.DRAFT, VersionStatus.REFUSED)


def may_use_bank(user) -> bool:
    """Opens the question bank: teachers, group leaders, school managers and Office/Department/Ministry staff."""
    if not _active(user):
        return False
    return user.is_superuser or has_role(user, *EDUCATOR_ROLES)


def may_write_questions(user) -> bool:
    """Holds a role with which questions are written somewhere (the bank's "New question" button)."""
    if not _active(user):
        return False
    return user.is_superuser or has_role(user, *WRITER_ROLES)


def is_question_author(user, question: Question) -> bool:
    return _active(user) and question.author_id == user.pk


def is_live_question_for(user, question: Question) -> bool:
    """Approved, shared with a unit at or above the user's, not removed: what questions_usable_q says,
    without a query (the page already holds the question and its `shared_with`)."""
    return (
        question.status == VersionStatus.APPROVED
        and question.shared_with_id is not None
        and not question.is_deleted
        and (user.is_superuser or question.shared_with.path in ancestor_paths(user))
    )


def can_review_question(user, question: Question) -> bool:
    """May decide the approval step the question waits at now (not a proposal to share)."""
    return can_decide_step(user, question, question.status)


def open_proposal(question: Question) -> QuestionReview | None:
    return question.reviews.filter(is_open=True).select_related("unit", "by").first()


def sees_question_drafts(user, question: Question) -> bool:
    """May see the question while it is not approved (draft, waiting, refused, replaced): its author and
    the reviewers of the step it waits at (and a superuser)."""
    if not _active(user):
        return False
    return user.is_superuser or is_question_author(user, question) or can_review_question(user, question)


def can_view_question(user, question: Question) -> bool:
    """Its author, a reviewer while it waits for them, and, once approved, the managers of its school, a
    bank user it is shared with and the unit a proposal to share it waits at. A removed question stays
    visible to its author and (when approved) the school's managers, who may restore it."""
    if sees_question_drafts(user, question):
        return True
    if question.status != VersionStatus.APPROVED:
        return False
    if manages_school_of(user, question):
        return True
    if may_use_bank(user) and is_live_question_for(user, question):
        return True
    return not question.is_deleted and decides_a_proposal_of(user, question)


def can_edit_question(user, question: Question) -> bool:
    """Changes in place: the author, while it is a draft or was refused. (Whether students already answered
    it is checked by the service, which reads the attempts.)"""
    return is_question_author(user, question) and not question.is_deleted and question.status in EDITABLE_STATUSES


def can_revise_question(user, question: Question) -> bool:
    """Starts a revision of an approved question: its author."""
    return is_question_author(user, question) and not question.is_deleted and question.status == VersionStatus.APPROVED


def can_submit_question(user, question: Question) -> bool:
    return is_question_author(user, question) and not question.is_deleted and question.status == VersionStatus.DRAFT


def can_delete_question(user, question: Question) -> bool:
    if not _active(user) or question.is_deleted:
        return False
    return is_question_author(user, question) or manages_school_of(user, question)


def can_restore_question(user, question: Question) -> bool:
    if not _active(user) or not question.is_deleted:
        return False
    return is_question_author(user, question) or manages_school_of(user, question)


def can_propose_question(user, question: Question) -> bool:
    """The managers of the unit an approved question is shared with propose it one level up."""
    return question.status == VersionStatus.APPROVED and can_propose(user, question)


def question_for_user_or_404(user, pk) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("unit", "author", "shared_with", "replaces", "deleted_by"), pk=pk
    )
    if not can_view_question(user, question):
        raise Http404
    return question


def question_review_for_user_or_404(user, pk) -> QuestionReview:
    """A proposal to share (or any step of a trail) that the user may decide on or whose question they see."""
    return step_for_user_or_404(QuestionReview, user, pk, may_view=can_view_question, related=("question__replaces",))


def can_see_question_image(user, question: Question) -> bool:
    """Those who see the question, and a student who has it in one of their attempts (the test pages show
    its image from here)."""
    if can_view_question(user, question):
        return True
    return _active(user) and AttemptAnswer.objects.filter(question=question, attempt__student=user).exists()


def question_image_for_user_or_404(user, pk) -> Question:
    question = get_object_or_404(Question.objects.select_related("unit", "author", "shared_with"), pk=pk)
    if not question.image or not can_see_question_image(user, question):
        raise Http404
    return question
