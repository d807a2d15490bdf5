"""Every write of the question bank: writing and changing questions, their approval at the group and
the school, revisions of approved questions, proposals to share up the tree, removing and restoring.

The approval steps are the approval engine's (`approvals.services`), as for library items: `BANK` tells
it that a question is both the item (its `unit`, `author` and `shared_with` decide who reviews it) and
what moves through the steps. Each step leaves a `QuestionReview` (the trail the author reads) and an
audit entry, and notifies the author and whoever it now waits for.

An approved question never changes in place, because graded answers must keep their meaning: a change
is a revision (a new row, `replaces` set) that goes through approval while the approved one stays in
use; approving the revision supersedes the old row. A draft that students already answered cannot be
changed either.

Fields are validated by `question_rules.clean_question` (the same rules as the importers), formulas
with KaTeX; an image is checked by content and re-encoded before anything is stored, and a refusal
leaves neither rows nor files behind.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import services as approval
from notifications.services import notify
from truonghoc.richtext import excerpt
from truonghoc.storage import private_storage
from truonghoc.uploads import check_upload, files_removed_on_failure, image_reencode
from units.models import Unit
from units.services import audit_log
from units.trash import soft_remove, soft_restore

from ..models import AttemptAnswer, Question, QuestionReview, QuestionSource, VersionStatus
from ..permissions import (
    may_make_at,
)
from ..permissions.questions import can_delete_question, can_propose_question, can_restore_question, questions_usable_q
from .question_rules import IMAGE_MAX_BYTES, clean_question, fingerprint, search_text

IMAGE_TYPES = ("jpg", "png")
# The fields clean_question takes; a service call passes exactly these (the catalogue and the content).
FIELDS = (
    "type",
    "stem",
    "options",
    "numeric_answer",
    "tolerance",
    "answer_guide",
    "explanation",
    "subject",
    "grade",
    "topic",
    "level",
)
S = VersionStatus
OPEN = (S.DRAFT, S.SUBMITTED, S.GROUP_APPROVED)


# --- helpers -----------------------------------------------------------------------------------


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def _label(question: Question) -> str:
    """How a notification names a question: its number and the start of its text."""
    return f"#{question.pk} {excerpt(question.stem, 60)}"


def _cleaned(fields: dict) -> dict:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown question fields: {', '.join(sorted(unknown))}")
    return clean_question(**fields)


def _fill(question: Question, data: dict) -> None:
    for name, value in data.items():
        setattr(question, name, value)
    question.fingerprint = fingerprint(type=data["type"], stem=data["stem"], options=data["options"])
    question.search_text = search_text(data)


def _store_image(question: Question, upload, saved: list) -> None:
    """Checked by content (JPEG or PNG, at most 5 MB) and re-encoded, so only pixels are stored."""
    try:
        check_upload(upload, allowed=IMAGE_TYPES, max_bytes=IMAGE_MAX_BYTES)
        content = image_reencode(upload, max_bytes=IMAGE_MAX_BYTES)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error
    question.image.save("question.jpg", content, save=False)
    saved.append(question.image.name)


def _drop_file_later(name: str) -> None:
    """Removes an image nobody uses any more, once the change is committed: a revision shares its
    question's file until it gets its own, so a file still named by a row stays."""
    if not name:
        return

    def drop():
        if not Question.objects.filter(image=name).exists():
            private_storage().delete(name)

    transaction.on_commit(drop)


def _lock(question: Question) -> Question:
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("unit", "author", "shared_with", "replaces")
        .get(pk=question.pk)
    )


def was_answered(question: Question) -> bool:
    """Students answered it in a test: its content is then fixed."""
    return AttemptAnswer.objects.filter(question=question).exists()


def open_revision(question: Question) -> Question | None:
    """The revision of an approved question on its way through approval, if any."""
    return question.revisions.alive().filter(status__in=OPEN).first()


def _retire_removed_revisions(question: Question) -> None:
    """A removed revision that was still open is replaced by the one being started: it becomes superseded,
    so the one-open-revision rule counts only revisions someone can still act on (and restoring it later
    brings it back as history, not as a second open revision)."""
    Question.objects.removed().filter(replaces=question, status__in=OPEN).update(
        status=S.SUPERSEDED, updated_at=timezone.now()
    )


def _forbidden(message: str) -> ValidationError:
    return ValidationError(message, code="forbidden")


# --- writing and changing ------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *,
    actor,
    unit: Unit,
    image=None,
    source: str = QuestionSource.TYPED,
    allow_duplicate: bool = False,
    **fields,
) -> Question:
    """A new draft question in `unit` (the author's group or school). `fields` are clean_question's.
    The same question already in the bank (same fingerprint, usable by the author or theirs) is refused
    with its number, unless `allow_duplicate` (the author chose to keep a second copy)."""
    if not may_make_at(actor, unit):
        raise _forbidden(_("You cannot write questions in %(unit)s.") % {"unit": unit.name})
    if source not in QuestionSource.values:
        raise ValueError(f"unknown source {source!r}")
    data = _cleaned(fields)
    question = Question(author=actor, unit=unit, status=S.DRAFT, source=source)
    _fill(question, data)
    if not allow_duplicate:
        twin = (
            Question.objects.alive()
            .filter(questions_usable_q(actor) | Q(author=actor))
            .filter(fingerprint=question.fingerprint)
            .exclude(status=S.SUPERSEDED)
            .order_by("pk")
            .first()
        )
        if twin is not None:
            raise ValidationError(
                {
                    "stem": ValidationError(
                        _(
                            "The bank already has this question: #%(number)d. Open it to use it, or tick "
                            "“Save a second copy anyway”."
                        )
                        % {"number": twin.pk},
                        code="duplicate",
                    )
                }
            )
    with files_removed_on_failure(private_storage()) as saved:
        if image is not None:
            _store_image(question, image, saved)
        question.full_clean()
        question.save()
    audit_log(
        actor=actor,
        action="question.create",
        unit=unit,
        target=question,
        after={"type": question.type, "subject": question.subject, "grade": question.grade, "topic": question.topic},
    )
    return question


@transaction.atomic
def question_update(*, actor, question: Question, image=None, remove_image: bool = False, **fields) -> Question:
    """Change a draft or refused question in place; a refused one goes back to draft. Only its author, and
    never once students answered it."""
    question = _lock(question)
    if question.author_id != actor.pk or question.is_deleted:
        raise _forbidden(_("Only the author can change this question."))
    if question.status not in (S.DRAFT, S.REFUSED):
        if question.status == S.APPROVED:
            message = _("This question is approved: make a revision instead, which is approved again.")
        else:
            message = _("This question is waiting for review and cannot be changed now.")
        raise ValidationError(message, code="not_draft")
    if was_answered(question):
        raise ValidationError(
            _(
                "Students have already answered this question in a test, so it cannot be changed: their answers "
                "must keep their meaning. Write a new question instead."
            ),
            code="answered",
        )
    if question.status == S.REFUSED and question.replaces_id:
        # A refused revision comes back to life only while its question is still the approved one and
        # no other revision of it is open.
        replaced = question.replaces
        if replaced.status != S.APPROVED or replaced.is_deleted:
            raise ValidationError(
                _("The question this revision was for has changed since; revise the current approved question."),
                code="stale",
            )
        _retire_removed_revisions(replaced)
        if replaced.revisions.filter(status__in=OPEN).exclude(pk=question.pk).exists():
            raise ValidationError(
                _("Another revision of this question is already on its way through approval; change that one."),
                code="open",
            )
    data = _cleaned(fields)
    before = {"status": question.status, "fingerprint": question.fingerprint}
    old_image = question.image.name if question.image else ""
    _fill(question, data)
    question.status = S.DRAFT
    with files_removed_on_failure(private_storage()) as saved:
        if image is not None:
            _store_image(question, image, saved)
        elif remove_image:
            question.image = ""
        question.full_clean()
        question.save()
    if old_image and old_image != (question.image.name if question.image else ""):
        _drop_file_later(old_image)
    audit_log(
        actor=actor,
        action="question.update",
        unit=question.unit,
        target=question,
        before=before,
        after={"status": question.status, "fingerprint": question.fingerprint},
    )
    return question


@transaction.atomic
def question_revise(*, actor, question: Question, image=None, remove_image: bool = False, **fields) -> Question:
    """A revision of an approved question: a new draft that replaces it once approved; the approved one stays
    in use meanwhile. One revision at a time. Without `fields`, the revision starts as a copy."""
    question = _lock(question)
    if question.author_id != actor.pk or question.is_deleted:
        raise _forbidden(_("Only the author can revise this question."))
    if question.status != S.APPROVED:
        raise ValidationError(
            _("Only an approved question is revised; change a draft or a refused question directly."),
            code="not_approved",
        )
    _retire_removed_revisions(question)
    pending = open_revision(question)
    if pending is not None:
        raise ValidationError(
            _("Revision #%(number)d of this question is already on its way through approval; change that one.")
            % {"number": pending.pk},
            code="open",
        )
    data = _cleaned(fields or {name: getattr(question, name) for name in FIELDS})
    revision = Question(author=actor, unit=question.unit, status=S.DRAFT, source=question.source, replaces=question)
    _fill(revision, data)
    with files_removed_on_failure(private_storage()) as saved:
        if image is not None:
            _store_image(revision, image, saved)
        elif question.image and not remove_image:
            revision.image = question.image.name
        revision.full_clean()
        revision.save()
    audit_log(
        actor=actor,
        action="question.revise",
        unit=question.unit,
        target=revision,
        after={"replaces": question.pk},
    )
    return revision


# --- approval (the engine's steps, in the bank's words) ------------------------------------------


def _go_live(*, actor, item: Question, subject: Question, school: Unit, now) -> tuple[dict, dict]:
    """Approved for the school. A revision takes the place of the question it replaces: that one is
    superseded (answers already given keep pointing at it) and the revision keeps its sharing, and any
    proposal to share still waiting follows the revision, which is what would now be shared."""
    question = item
    shared_with = school
    replaced = None
    if question.replaces_id:
        replaced = _lock(question.replaces)
        if replaced.status == S.APPROVED:
            shared_with = replaced.shared_with or school
            replaced.status = S.SUPERSEDED
            replaced.save(update_fields=["status", "updated_at"])
            QuestionReview.objects.filter(question=replaced, is_open=True).update(question=question)
    question.status = S.APPROVED
    question.shared_with = shared_with
    question.approved_at = now
    question.save(update_fields=["status", "shared_with", "approved_at", "updated_at"])
    return {"replaces": replaced.pk if replaced else None}, {"shared_with": shared_with.pk}


def _share_refusal(question: Question) -> str | None:
    if question.is_deleted or question.status != S.APPROVED:
        return _("This question was removed or replaced since it was proposed; it cannot be shared.")
    return None


BANK = approval.ApprovalKind(
    name="question",
    review_model=QuestionReview,
    words={
        "submit_forbidden": gettext_lazy("Only the author can send this question for approval."),
        "waits_for_you": gettext_lazy("A question waits for your approval: %(question)s"),
        "stale_step": gettext_lazy("This question is not waiting for this decision any more."),
        "stale": gettext_lazy("This question is not waiting for a decision any more."),
        "own": gettext_lazy("Nobody approves or refuses their own question: another reviewer decides."),
        "forbidden_step": gettext_lazy("You cannot decide on this question at this step."),
        "group_approved": gettext_lazy("Question %(question)s was approved by the group and waits for the principal."),
        "approved": gettext_lazy("Question %(question)s was approved and is now in the bank."),
        "refuse_reason": gettext_lazy("Say why the question is refused, so the author can fix it."),
        "refused": gettext_lazy("Question %(question)s was refused."),
        "propose_forbidden": gettext_lazy("You cannot propose this question for wider sharing."),
        "not_above": gettext_lazy("%(unit)s is not above the unit this question is shared with."),
        "already_open": gettext_lazy("This question is already waiting for a decision on sharing."),
        "proposed_to": gettext_lazy("Question %(question)s was proposed to %(unit)s for sharing."),
        "proposed_for_you": gettext_lazy("A question is proposed for sharing: %(question)s"),
        "share_reason": gettext_lazy("Say why the question is refused, so the school can fix it."),
        "shared": gettext_lazy("Question %(question)s is now shared by %(unit)s."),
        "share_refused": gettext_lazy("%(unit)s refused to share question %(question)s."),
    },
    lock=_lock,
    lock_item=_lock,
    item_of=lambda question: question,
    live_subject=lambda question, review: question,
    step_fields=lambda question, _same: {"question": question},
    names=lambda question: {"question": _label(question)},
    review_url=lambda question: _url("materials:question_review", question.pk),
    item_url=lambda question: _url("materials:question_detail", question.pk),
    proposal_url=lambda review: _url("materials:question_proposal", review.pk),
    queue_url=lambda: reverse("materials:review_queue"),
    go_live=_go_live,
    share_refusal=_share_refusal,
    may_propose=can_propose_question,
)


def question_submit(*, actor, question: Question) -> Question:
    return approval.submit(BANK, actor=actor, subject=question)


def question_approve_group(*, actor, question: Question) -> Question:
    return approval.approve_group(BANK, actor=actor, subject=question)


def question_approve_school(*, actor, question: Question) -> Question:
    """Approved for the school; a revision replaces the question it revises (see _go_live)."""
    return approval.approve_school(BANK, actor=actor, subject=question)


def question_refuse(*, actor, question: Question, reason: str) -> Question:
    """Refused at the step it waits at, with a reason the author reads; the author may change it and send it
    again. For a revision, the approved question stays in use."""
    return approval.refuse(BANK, actor=actor, subject=question, reason=reason)


def question_propose(*, actor, question: Question, target: Unit) -> QuestionReview:
    """Propose an approved question to an Office, Department or the Ministry above the unit it is shared with."""
    return approval.propose(BANK, actor=actor, item=question, target=target)


def question_proposal_decide(*, actor, review: QuestionReview, approve: bool, reason: str = "") -> QuestionReview:
    """Vetting by the unit the question was proposed to: approved, it is shared with that unit's whole
    subtree; refused, it stays where it was, with the reason."""
    return approval.decide_proposal(BANK, actor=actor, review=review, approve=approve, reason=reason)


# --- removing and restoring ----------------------------------------------------------------------


@transaction.atomic
def question_delete(*, actor, question: Question) -> Question:
    """Removed, not erased: no new test can use it, but attempts and tests that hold it keep it, and its
    author or the school's managers can restore it."""
    question = _lock(question)
    if question.is_deleted:
        raise ValidationError(_("This question has already been removed."), code="stale")
    if not can_delete_question(actor, question):
        raise _forbidden(_("Only the author or the school's managers can remove this question."))
    soft_remove(question, by=actor, action="question.delete", unit=question.unit, also=["updated_at"])
    if question.author_id != actor.pk:
        notify(
            recipients=[question.author],
            title=_("Question %(question)s was removed by %(name)s.")
            % {"question": _label(question), "name": actor.full_name or actor.username},
            url=_url("materials:question_detail", question.pk),
        )
    return question


@transaction.atomic
def question_restore(*, actor, question: Question) -> Question:
    question = _lock(question)
    if not question.is_deleted:
        raise ValidationError(_("This question is not removed."), code="stale")
    if not can_restore_question(actor, question):
        raise _forbidden(_("Only the author or the school's managers can restore this question."))
    before = {"deleted_by": question.deleted_by_id}
    soft_restore(question, by=actor, action="question.restore", unit=question.unit, before=before, also=["updated_at"])
    return question
