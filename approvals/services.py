"""The approval engine: submit → decide at each step → widen sharing up the hierarchy.

An item (a library item, a question; next the grade book's mark changes, teaching plans, contests) goes
draft → submitted → approved by its group → approved by its school, and is then shared with the school.
The school may propose it to its Office or Department, which vets it for its subtree, and on to the
Ministry. Every step leaves a row in the kind's trail table (a subclass of `approvals.models.ReviewStep`),
an audit entry, and notifications to the author and to whoever the item now waits for.

A kind of item plugs in with an `ApprovalKind`: its trail model, how to lock it, its words, its pages,
and what "going live" writes. The engine never imports the apps that use it.

Two objects per kind: the *item* holds `unit`, `author`, `shared_with` and `is_deleted` (what the rules
of approvals.permissions read); the *subject* holds the `status` that moves through the steps. They are
one row for a question; for a library item the subject is one of its versions.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.text import nfc
from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES
from units.selectors import people_holding
from units.services import audit_log

from .models import Decision, Level, ReviewStep, Status
from .permissions import (
    STAFF_ROLE_AT,
    _active,
    can_decide_proposal,
    can_propose,
    can_review_group,
    can_review_school,
    group_step_by_school,
    proposal_targets,
    school_path,
)

LEVEL_OF_KIND = {
    Unit.Kind.OFFICE: Level.OFFICE,
    Unit.Kind.DEPARTMENT: Level.DEPARTMENT,
    Unit.Kind.MINISTRY: Level.MINISTRY,
}


# The keys of ApprovalKind.words.
WORDS = (
    "submit_forbidden",  # only the author sends it for approval
    "waits_for_you",  # notification to the reviewers of the next step
    "stale_step",  # not waiting for this decision any more
    "stale",  # not waiting for any decision any more
    "own",  # nobody decides on their own item
    "forbidden_step",  # the actor does not decide this step
    "group_approved",  # to the author: approved by the group, waits for the principal
    "approved",  # to the author: live for the school
    "refuse_reason",  # a refusal needs a reason (the author's)
    "refused",  # to the author
    "propose_forbidden",
    "not_above",  # the target is not above where it is shared
    "already_open",  # a proposal already waits
    "proposed_to",  # to the author
    "proposed_for_you",  # to the staff of the target unit
    "share_reason",  # a refusal to share needs a reason (the school's)
    "shared",
    "share_refused",
)


@dataclass(frozen=True)
class ApprovalKind:
    """What the engine needs to know about one kind of item (see approvals/README.md).

    `words` holds the kind's own messages (lazily translated, with the placeholders `names` gives, plus
    `unit` where a unit is named), under the keys listed in WORDS."""

    name: str  # audit actions are "<name>.submit", "<name>.approve", …
    review_model: type[ReviewStep]
    words: Mapping[str, Any]
    lock: Callable[[Any], Any]  # subject → the same row, locked, with its item's unit/author/shared_with
    lock_item: Callable[[Any], Any]  # item → the same row, locked
    item_of: Callable[[Any], Any]  # subject → its item
    live_subject: Callable[[Any, Any], Any]  # (item, proposal or None) → the subject a proposal is about
    step_fields: Callable[[Any, Any], dict]  # (item, subject) → the trail row's foreign keys
    names: Callable[[Any], dict]  # subject or item → the placeholders of its words
    review_url: Callable[[Any], str]  # subject → where a reviewer decides it
    item_url: Callable[[Any], str]  # item → where its author follows it
    proposal_url: Callable[[Any], str]  # open proposal → where the unit it was sent to vets it
    queue_url: Callable[[], str]  # where reviewers find what waits for them
    # (actor, item, subject, school, now) → audit (before, after): every write that puts the subject live
    # for the school, its status set to APPROVED included (one UPDATE per row, not one per field).
    go_live: Callable[..., tuple[dict, dict]]
    audit_after: Callable[[Any], dict | None] = lambda subject: None  # what submit/group steps audit
    share_refusal: Callable[[Any], str | None] = lambda item: None  # why an item may not be shared now
    may_propose: Callable[[Any, Any], bool] = can_propose  # (user, item)
    # The first step a submitted item waits at: GROUP (then the school), or SCHOOL for a kind the school
    # alone decides (a grade-book mark change): submit then records the step at the school and the item
    # waits for the principal at once (status GROUP_APPROVED, "Waiting for the principal").
    first_level: str = Level.GROUP
    # (user, item) → may decide the school step; a kind may narrow it (the principal alone, say).
    may_decide_school: Callable[[Any, Any], bool] = can_review_school

    def __post_init__(self):
        # A missing word would only show when that step is first taken: say so when the kind is declared.
        missing = set(WORDS) - set(self.words)
        if missing:
            raise ValueError(f"approval kind {self.name!r} lacks the words {sorted(missing)}")


# --- who the item waits for ------------------------------------------------------------------------


def people_with(roles: Iterable[str], unit_path: str):
    return people_holding(roles=roles, units=Unit.objects.filter(path=unit_path)).order_by("pk")


def group_reviewers(item):
    if not group_step_by_school(item):
        return people_with([Role.GROUP_LEADER], item.unit.path)
    return people_with(SCHOOL_MANAGER_ROLES, school_path(item.unit) or "")


def school_reviewers(item):
    return people_with(SCHOOL_MANAGER_ROLES, school_path(item.unit) or "")


def school_unit(item) -> Unit:
    return Unit.objects.get(path=school_path(item.unit))


# --- helpers -----------------------------------------------------------------------------------------


def _say(kind: ApprovalKind, key: str, obj, **extra) -> str:
    return str(kind.words[key]) % {**kind.names(obj), **extra}


def _forbidden(message) -> ValidationError:
    return ValidationError(str(message), code="forbidden")


def record_step(kind: ApprovalKind, *, item, subject, level, unit, decision, by, reason="", is_open=False):
    """One row of the kind's trail."""
    review = kind.review_model(
        **kind.step_fields(item, subject),
        level=level,
        unit=unit,
        decision=decision,
        reason=reason,
        is_open=is_open,
        by=by,
        at=timezone.now(),
    )
    review.full_clean()
    review.save()
    return review


def _set_status(subject, status: str) -> None:
    subject.status = status
    subject.save(update_fields=["status", "updated_at"])


def _audit(kind: ApprovalKind, verb: str, **fields) -> None:
    audit_log(action=f"{kind.name}.{verb}", **fields)


# --- approval at the school -------------------------------------------------------------------------


@transaction.atomic
def submit(kind: ApprovalKind, *, actor, subject):
    """The author sends a draft to the group step."""
    subject = kind.lock(subject)
    item = kind.item_of(subject)
    if not (_active(actor) and item.author_id == actor.pk and not item.is_deleted):
        raise _forbidden(kind.words["submit_forbidden"])
    if subject.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for approval."), code="not_draft")
    at_school = kind.first_level == Level.SCHOOL
    _set_status(subject, Status.GROUP_APPROVED if at_school else Status.SUBMITTED)
    record_step(
        kind,
        item=item,
        subject=subject,
        level=Level.SCHOOL if at_school else Level.GROUP,
        unit=school_unit(item) if at_school else item.unit,
        decision=Decision.SUBMITTED,
        by=actor,
    )
    _audit(kind, "submit", actor=actor, unit=item.unit, target=item, after=kind.audit_after(subject))
    notify(
        recipients=school_reviewers(item) if at_school else group_reviewers(item),
        title=_say(kind, "waits_for_you", subject),
        url=kind.review_url(subject),
    )
    return subject


def _decided(kind: ApprovalKind, actor, subject, *, allowed, status_needed):
    subject = kind.lock(subject)
    item = kind.item_of(subject)
    if subject.status != status_needed or item.is_deleted:
        raise ValidationError(str(kind.words["stale_step"]), code="stale")
    if item.author_id == actor.pk:
        raise ValidationError(str(kind.words["own"]), code="own")
    if not allowed(actor, item):
        raise _forbidden(kind.words["forbidden_step"])
    return subject, item


@transaction.atomic
def approve_group(kind: ApprovalKind, *, actor, subject):
    """The group step approves: the item goes on to the school's managers."""
    subject, item = _decided(kind, actor, subject, allowed=can_review_group, status_needed=Status.SUBMITTED)
    _set_status(subject, Status.GROUP_APPROVED)
    record_step(
        kind, item=item, subject=subject, level=Level.GROUP, unit=item.unit, decision=Decision.APPROVED, by=actor
    )
    _audit(kind, "approve_group", actor=actor, unit=item.unit, target=item, after=kind.audit_after(subject))
    notify(recipients=[item.author], title=_say(kind, "group_approved", subject), url=kind.item_url(item))
    notify(
        recipients=school_reviewers(item),
        title=_say(kind, "waits_for_you", subject),
        url=kind.review_url(subject),
    )
    return subject


@transaction.atomic
def approve_school(kind: ApprovalKind, *, actor, subject):
    """The school step approves: the kind's `go_live` puts it live for the school."""
    subject, item = _decided(kind, actor, subject, allowed=kind.may_decide_school, status_needed=Status.GROUP_APPROVED)
    school = school_unit(item)
    before, after = kind.go_live(actor=actor, item=item, subject=subject, school=school, now=timezone.now())
    record_step(kind, item=item, subject=subject, level=Level.SCHOOL, unit=school, decision=Decision.APPROVED, by=actor)
    _audit(kind, "approve", actor=actor, unit=school, target=item, before=before, after=after)
    notify(recipients=[item.author], title=_say(kind, "approved", subject), url=kind.item_url(item))
    return subject


@transaction.atomic
def refuse(kind: ApprovalKind, *, actor, subject, reason: str):
    """Refused at the step it waits at, with a reason the author reads; what is live (if anything) stays."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": [str(kind.words["refuse_reason"])]})
    subject = kind.lock(subject)
    item = kind.item_of(subject)
    if subject.status == Status.SUBMITTED:
        allowed, level, unit = can_review_group, Level.GROUP, item.unit
    elif subject.status == Status.GROUP_APPROVED:
        allowed, level, unit = kind.may_decide_school, Level.SCHOOL, school_unit(item)
    else:
        raise ValidationError(str(kind.words["stale"]), code="stale")
    if item.is_deleted:
        raise ValidationError(str(kind.words["stale"]), code="stale")
    if item.author_id == actor.pk:
        raise ValidationError(str(kind.words["own"]), code="own")
    if not allowed(actor, item):
        raise _forbidden(kind.words["forbidden_step"])
    _set_status(subject, Status.REFUSED)
    record_step(
        kind, item=item, subject=subject, level=level, unit=unit, decision=Decision.REFUSED, reason=reason, by=actor
    )
    after = {**(kind.audit_after(subject) or {}), "reason": reason}
    _audit(kind, "refuse", actor=actor, unit=unit, target=item, after=after)
    notify(recipients=[item.author], title=_say(kind, "refused", subject), body=reason, url=kind.item_url(item))
    return subject


# --- sharing up the tree -----------------------------------------------------------------------------


@transaction.atomic
def propose(kind: ApprovalKind, *, actor, item, target: Unit):
    """Propose an approved item to an Office, Department or the Ministry above the unit it is shared with."""
    item = kind.lock_item(item)
    if not kind.may_propose(actor, item):
        raise _forbidden(kind.words["propose_forbidden"])
    if target.pk not in {u.pk for u in proposal_targets(item)}:
        raise ValidationError({"target": [str(kind.words["not_above"]) % {"unit": target.name}]})
    if item.reviews.filter(is_open=True).exists():
        raise ValidationError({"target": [str(kind.words["already_open"])]}, code="already_open")
    review = record_step(
        kind,
        item=item,
        subject=kind.live_subject(item, None),
        level=LEVEL_OF_KIND[target.kind],
        unit=target,
        decision=Decision.PROPOSED,
        by=actor,
        is_open=True,
    )
    _audit(kind, "propose", actor=actor, unit=target, target=item, after={"to": target.pk})
    notify(recipients=[item.author], title=_say(kind, "proposed_to", item, unit=target.name), url=kind.item_url(item))
    notify(
        recipients=people_with([STAFF_ROLE_AT[target.kind]], target.path),
        title=_say(kind, "proposed_for_you", item),
        url=kind.proposal_url(review),
    )
    return review


@transaction.atomic
def decide_proposal(kind: ApprovalKind, *, actor, review, approve: bool, reason: str = ""):
    """Vetting (thẩm định) by the unit the item was proposed to: approved, it is shared with that unit's
    whole subtree; refused, it stays where it was, with the reason."""
    field = review.item_field
    review = (
        kind.review_model.objects.select_for_update(of=("self",))
        .select_related("unit", "by", f"{field}__unit", f"{field}__author", f"{field}__shared_with")
        .get(pk=review.pk)
    )
    reason = nfc(reason)
    if not review.is_open:
        raise ValidationError(_("This proposal has already been decided."), code="stale")
    if not can_decide_proposal(actor, review):
        raise _forbidden(_("You cannot decide on this proposal."))
    if not approve and not reason:
        raise ValidationError({"reason": [str(kind.words["share_reason"])]})
    item = kind.lock_item(review.item)
    refusal = kind.share_refusal(item) if approve else None
    if refusal:
        raise ValidationError(str(refusal), code="stale")
    review.is_open = False
    review.save(update_fields=["is_open"])
    decision = record_step(
        kind,
        item=item,
        subject=kind.live_subject(item, review),
        level=review.level,
        unit=review.unit,
        decision=Decision.APPROVED if approve else Decision.REFUSED,
        reason=reason,
        by=actor,
    )
    before = {"shared_with": item.shared_with_id}
    if approve:
        item.shared_with = review.unit
        item.save(update_fields=["shared_with", "updated_at"])
    _audit(
        kind,
        "share" if approve else "share_refuse",
        actor=actor,
        unit=review.unit,
        target=item,
        before=before,
        after={"shared_with": item.shared_with_id, "reason": reason},
    )
    notify(
        recipients=[item.author, review.by],
        title=_say(kind, "shared" if approve else "share_refused", item, unit=review.unit.name),
        body=reason,
        url=kind.item_url(item),
    )
    return decision
