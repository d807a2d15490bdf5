"""An account's life after it is issued: deactivated (retired, left) and reactivated, transferred to
another school, moved to another class.

Nothing is deleted: a deactivated account keeps its roles (so reactivating restores them) and a
transferred person keeps their history, posts and records, which stay attributed to them; only
their unit and their roles change. Every change leaves an audit entry whose target is the person,
so the account page can show its whole history.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.text import nfc
from units.models import Role, RoleAssignment, Unit
from units.permissions import forget_roles
from units.selectors import in_subtree_q, parent_path
from units.services import audit_log, class_set_homeroom_teacher, membership_changed, role_assign, role_revoke

from ..models import TransferRequest, User
from ..selectors import school_admins
from ..signals import person_left_school
from .core import user_copy_fields
from .quotas import quota_check, quota_lock

T = User.AccountType
K = Unit.Kind

REASON_MAX_LENGTH = User._meta.get_field("deactivated_reason").max_length


def _lock(account: User) -> User:
    """The account's current row, locked until the end of the transaction."""
    return User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)


def _transfers_url(school: Unit) -> str:
    return reverse("accounts:transfers", args=[school.pk])


def _is_child_of(unit: Unit, school: Unit) -> bool:
    return parent_path(unit.path) == school.path


# --- Deactivate and reactivate -------------------------------------------------------------------


@transaction.atomic
def account_deactivate(*, actor, account: User, reason: str) -> User:
    """Close an account (the person retired or left). Its place in the quota is freed at once; its
    roles, history and content stay, so reactivating brings everything back."""
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Please say why the account is deactivated.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Please keep the reason under %(n)d characters.") % {"n": REASON_MAX_LENGTH}}
        )
    if actor is not None and actor.pk == account.pk:
        raise ValidationError(_("You cannot deactivate your own account; ask your school admin."))
    current = _lock(account)
    if not current.is_active:
        raise ValidationError(_("The account of %(name)s is already deactivated.") % {"name": current.full_name})
    pending = TransferRequest.objects.filter(user=current, status=TransferRequest.Status.PENDING).first()
    if pending is not None:
        raise ValidationError(
            _("%(name)s has a transfer to %(school)s waiting for an answer; cancel it first.")
            % {"name": current.full_name, "school": pending.to_school.name}
        )
    return _set_active(actor=actor, current=current, account=account, active=False, reason=reason)


def _set_active(*, actor, current: User, account: User, active: bool, reason: str = "") -> User:
    """Close (with a reason) or reopen the locked row `current`: saved, audited, and the caller's copy
    `account` updated. A closed account leaves the courses its class or group was given (its work is
    kept); a reopened one comes back to them."""
    if active:
        action, before, after = "account.reactivate", {"is_active": False, "reason": current.deactivated_reason}, {}
    else:
        action, before, after = "account.deactivate", {"is_active": True}, {"reason": reason}
    after = {"is_active": active, **after}
    current.is_active = active
    current.deactivated_reason = "" if active else reason
    current.save(update_fields=["is_active", "deactivated_reason", "updated_at"])
    audit_log(actor=actor, action=action, unit=current.unit, target=current, before=before, after=after)
    membership_changed(user_ids=[current.pk])
    user_copy_fields(source=current, target=account, fields=["is_active", "deactivated_reason"])
    return current


@transaction.atomic
def account_reactivate(*, actor, account: User) -> User:
    """Open a deactivated account again, if its school still has a place for it."""
    fresh = User.objects.select_related("unit").get(pk=account.pk)
    school = fresh.unit
    counted = school is not None and school.is_school and fresh.account_type in (T.TEACHER, T.STUDENT)
    if counted:
        quota_lock(school=school)  # locked before the account, as every service here does
    current = _lock(account)
    if current.is_active:
        raise ValidationError(_("The account of %(name)s is already active.") % {"name": current.full_name})
    if counted:
        quota_check(school=school, account_type=current.account_type, adding=1)
    return _set_active(actor=actor, current=current, account=account, active=True)


# --- Transfers -----------------------------------------------------------------------------------


def unit_people_move(*, source: Unit, into: Unit) -> int:
    """The people of a merged unit now belong to the unit it merged into. Called by units.unit_merge
    (a merge listener), inside its transaction; the merge's audit entry counts them."""
    return User.objects.filter(unit=source).update(unit=into)


def _placement_kind(account_type: str) -> str:
    return K.GROUP if account_type == T.TEACHER else K.CLASS


@transaction.atomic
def transfer_request(*, actor, account: User, to_school: Unit, note: str = "") -> TransferRequest:
    """The sending school asks another school to take a teacher or student; its admins are told."""
    current = _lock(account)
    from_school = current.unit
    if current.account_type not in (T.TEACHER, T.STUDENT):
        raise ValidationError(_("Only teacher and student accounts move between schools."))
    if not current.is_active:
        raise ValidationError(
            _("The account of %(name)s is deactivated; reactivate it before a transfer.") % {"name": current.full_name}
        )
    if from_school is None or not from_school.is_school:
        raise ValidationError(_("%(name)s does not belong to a school.") % {"name": current.full_name})
    if not to_school.is_school:
        raise ValidationError(
            {"to_school": _("%(unit)s is not a school; choose the receiving school.") % {"unit": to_school.name}}
        )
    if current.account_type == T.STUDENT and to_school.kind != K.SCHOOL:
        raise ValidationError({"to_school": _("Students can only move to a school.")})
    if not to_school.is_active:
        raise ValidationError({"to_school": _("%(unit)s is no longer active.") % {"unit": to_school.name}})
    if to_school.pk == from_school.pk:
        raise ValidationError(
            {
                "to_school": _("%(name)s already belongs to %(school)s.")
                % {"name": current.full_name, "school": to_school.name}
            }
        )
    already = _("%(name)s already has a transfer waiting for an answer; cancel it before asking another school.") % {
        "name": current.full_name
    }
    if TransferRequest.objects.filter(user=current, status=TransferRequest.Status.PENDING).exists():
        raise ValidationError(already)
    transfer = TransferRequest(
        user=current, from_school=from_school, to_school=to_school, note=nfc(note), requested_by=actor
    )
    try:
        # Two admins sending at the same moment: the database keeps one pending transfer per person.
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        if TransferRequest.objects.filter(user=current, status=TransferRequest.Status.PENDING).exists():
            raise ValidationError(already) from None
        raise
    audit_log(
        actor=actor,
        action="transfer.request",
        unit=from_school,
        target=current,
        after={"transfer": transfer.pk, "from": from_school.name, "to": to_school.name, "note": transfer.note},
    )
    notify(
        recipients=school_admins(school=to_school),
        title=_("%(school)s asks you to take %(name)s") % {"school": from_school.name, "name": current.full_name},
        body=transfer.note,
        url=_transfers_url(to_school),
    )
    return transfer


def _lock_pending(transfer: TransferRequest) -> TransferRequest:
    locked = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("user", "from_school", "to_school", "requested_by")
        .get(pk=transfer.pk)
    )
    if locked.status != TransferRequest.Status.PENDING:
        raise ValidationError(
            _("This transfer is no longer waiting for an answer (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decide(transfer: TransferRequest, *, actor, status: str, note: str = "") -> None:
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_note = note
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def transfer_accept(*, actor, transfer: TransferRequest, unit: Unit) -> TransferRequest:
    """The receiving school takes the person into one of its groups (teacher) or classes (student).

    Within the receiving school's quota. The person's roles at the old school end; their account,
    history and content are untouched and stay theirs.
    """
    to_school = TransferRequest.objects.select_related("to_school").get(pk=transfer.pk).to_school
    quota_lock(school=to_school)
    transfer = _lock_pending(transfer)
    person = _lock(transfer.user)
    from_school = transfer.from_school
    kind = _placement_kind(person.account_type)
    if unit.kind != kind or not _is_child_of(unit, to_school):
        message = (
            _("Choose a professional group of %(school)s.") if kind == K.GROUP else _("Choose a class of %(school)s.")
        ) % {"school": to_school.name}
        raise ValidationError({"unit": message})
    if not unit.is_active:
        raise ValidationError({"unit": _("%(unit)s is no longer active.") % {"unit": unit.name}})
    if not person.is_active:
        raise ValidationError(_("The account of %(name)s is deactivated.") % {"name": person.full_name})
    if person.unit_id != from_school.pk:
        raise ValidationError(
            _("%(name)s no longer belongs to %(school)s; this transfer cannot be accepted.")
            % {"name": person.full_name, "school": from_school.name}
        )
    quota_check(school=to_school, account_type=person.account_type, adding=1)

    old_roles = list(RoleAssignment.objects.filter(in_subtree_q(from_school), user=person).select_related("unit"))
    for assignment in old_roles:
        role_revoke(actor=actor, user=person, unit=assignment.unit, role=assignment.role)
    for school_class in Unit.objects.below(from_school).filter(homeroom_teacher=person):
        class_set_homeroom_teacher(actor=actor, school_class=school_class, teacher=None)
    person.unit = to_school
    person.save(update_fields=["unit", "updated_at"])
    role = Role.TEACHER if person.account_type == T.TEACHER else Role.STUDENT
    role_assign(actor=actor, user=person, unit=unit, role=role)
    forget_roles(person)
    _decide(transfer, actor=actor, status=TransferRequest.Status.ACCEPTED)
    # The apps above end what the person held at the old school (co-teaching, moderating, enrolments),
    # each with its own audit entry; in this transaction, so a refusal there undoes the transfer.
    person_left_school.send(sender=User, actor=actor, person=person, from_school=from_school, to_school=to_school)

    roles_before = [f"{Role(a.role).label} · {a.unit.name}" for a in old_roles]
    audit_log(
        actor=actor,
        action="transfer.accept",
        unit=to_school,
        target=person,
        before={"school": from_school.name, "roles": roles_before},
        after={"school": to_school.name, "roles": [f"{Role(role).label} · {unit.name}"], "transfer": transfer.pk},
    )
    audit_log(
        actor=actor,
        action="transfer.leave",
        unit=from_school,
        target=person,
        before={"school": from_school.name},
        after={"school": to_school.name, "transfer": transfer.pk},
    )
    notify(
        recipients=[transfer.requested_by, *school_admins(school=from_school)],
        title=_("%(school)s accepted %(name)s") % {"school": to_school.name, "name": person.full_name},
        url=reverse("accounts:account_detail", args=[person.pk]),
    )
    notify(
        recipients=[person],
        title=_("You now belong to %(school)s (%(unit)s)") % {"school": to_school.name, "unit": unit.name},
        url=reverse("units:space", args=[unit.pk]),
    )
    transfer.user = person
    return transfer


@transaction.atomic
def transfer_refuse(*, actor, transfer: TransferRequest, reason: str) -> TransferRequest:
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for refusing.")})
    transfer = _lock_pending(transfer)
    _decide(transfer, actor=actor, status=TransferRequest.Status.REFUSED, note=reason)
    audit_log(
        actor=actor,
        action="transfer.refuse",
        unit=transfer.to_school,
        target=transfer.user,
        before={"status": TransferRequest.Status.PENDING.value},
        after={"status": transfer.status, "to": transfer.to_school.name, "reason": reason},
    )
    notify(
        recipients=[transfer.requested_by, *school_admins(school=transfer.from_school)],
        title=_("%(school)s refused to take %(name)s")
        % {"school": transfer.to_school.name, "name": transfer.user.full_name},
        body=reason,
        url=reverse("accounts:account_detail", args=[transfer.user_id]),
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, actor, transfer: TransferRequest) -> TransferRequest:
    """The sending school withdraws its request while it still waits for an answer."""
    transfer = _lock_pending(transfer)
    _decide(transfer, actor=actor, status=TransferRequest.Status.CANCELLED)
    audit_log(
        actor=actor,
        action="transfer.cancel",
        unit=transfer.from_school,
        target=transfer.user,
        before={"status": TransferRequest.Status.PENDING.value, "to": transfer.to_school.name},
        after={"status": transfer.status},
    )
    notify(
        recipients=school_admins(school=transfer.to_school),
        title=_("%(school)s withdrew the transfer of %(name)s")
        % {"school": transfer.from_school.name, "name": transfer.user.full_name},
        url=_transfers_url(transfer.to_school),
    )
    return transfer


# --- Classes -------------------------------------------------------------------------------------


@transaction.atomic
def student_move_class(*, actor, student: User, to_class: Unit) -> User:
    """Move a student to another class of the same school; their record follows them."""
    current = _lock(student)
    school = current.unit
    if current.account_type != T.STUDENT:
        raise ValidationError(
            _("%(name)s is not a student; only students are moved between classes.") % {"name": current.full_name}
        )
    if not current.is_active:
        raise ValidationError(_("The account of %(name)s is deactivated.") % {"name": current.full_name})
    if school is None or to_class.kind != K.CLASS or not _is_child_of(to_class, school):
        raise ValidationError(
            {"to_class": _("Choose a class of %(school)s.") % {"school": school.name if school else "—"}}
        )
    if not to_class.is_active:
        raise ValidationError({"to_class": _("%(unit)s is no longer active.") % {"unit": to_class.name}})
    current_classes = list(
        RoleAssignment.objects.filter(
            in_subtree_q(school), user=current, role=Role.STUDENT, unit__kind=K.CLASS
        ).select_related("unit")
    )
    if [a.unit_id for a in current_classes] == [to_class.pk]:
        raise ValidationError(
            {"to_class": _("%(name)s is already in %(unit)s.") % {"name": current.full_name, "unit": to_class.name}}
        )
    for assignment in current_classes:
        if assignment.unit_id != to_class.pk:
            role_revoke(actor=actor, user=current, unit=assignment.unit, role=Role.STUDENT)
    role_assign(actor=actor, user=current, unit=to_class, role=Role.STUDENT)
    audit_log(
        actor=actor,
        action="student.move_class",
        unit=school,
        target=current,
        before={"class": ", ".join(a.unit.name for a in current_classes) or None},
        after={"class": to_class.name},
    )
    forget_roles(student)
    return current
