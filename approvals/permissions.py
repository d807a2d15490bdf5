"""Who decides each step of an approval. Every rule reads only the item's `unit`, `author` and
`shared_with` (and the reviewer's roles), so any kind of item with those three fields uses them.

- The group step is the group leader's; the school's managers take it for an item made at the school
  itself, and for one the group's leader wrote (nobody approves their own item).
- The school step is the principal's or the school admin's.
- A proposal to share is decided by the staff of the Office, Department or Ministry it was sent to;
  those who manage the unit an item is shared with now propose it one level up.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, holds_role_at
from units.selectors import ancestor_paths

from .models import Status

K = Unit.Kind
# The role that decides proposals at each kind of unit.
STAFF_ROLE_AT = {K.OFFICE: Role.OFFICE_STAFF, K.DEPARTMENT: Role.DEPARTMENT_STAFF, K.MINISTRY: Role.MINISTRY_STAFF}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def school_path(unit: Unit) -> str | None:
    """Path of the school a group/class/school unit belongs to, without a query."""
    return unit.school_path


def _holds(user, roles, path: str) -> bool:
    return holds_role_at(user, path, roles)


def manages_school_of(user, material) -> bool:
    path = school_path(material.unit)
    return bool(path) and (_holds(user, SCHOOL_MANAGER_ROLES, path) or user.is_superuser)


def group_step_by_school(material) -> bool:
    """The school's managers take the group step for an item made at the school itself, and for one its
    group's leader wrote (nobody approves their own item)."""
    return material.unit.kind != K.GROUP or _holds(material.author, {Role.GROUP_LEADER}, material.unit.path)


def can_review_group(user, material) -> bool:
    """The group step: the item's group leader, or the school's managers (see group_step_by_school)."""
    if not _active(user) or material.author_id == user.pk:
        return False
    if material.unit.kind == K.GROUP and (_holds(user, {Role.GROUP_LEADER}, material.unit.path) or user.is_superuser):
        return True
    return group_step_by_school(material) and manages_school_of(user, material)


def can_review_school(user, material) -> bool:
    return _active(user) and material.author_id != user.pk and manages_school_of(user, material)


def can_decide_step(user, item, status: str) -> bool:
    """May decide the step an item (or its version) in `status` waits at now (not a proposal to share)."""
    if item.is_deleted:
        return False
    if status == Status.SUBMITTED:
        return can_review_group(user, item)
    if status == Status.GROUP_APPROVED:
        return can_review_school(user, item)
    return False


def can_decide_proposal(user, review) -> bool:
    if not (_active(user) and review.is_open):
        return False
    role = STAFF_ROLE_AT.get(review.unit.kind)
    return user.is_superuser or (role is not None and _holds(user, {role}, review.unit.path))


def decides_a_proposal_of(user, item) -> bool:
    """A proposal to share the item waits for this user (a reviewer sees the item meanwhile)."""
    return any(can_decide_proposal(user, r) for r in item.reviews.filter(is_open=True).select_related("unit"))


def step_for_user_or_404(review_model, user, pk, *, may_view, related=()):
    """A step of a trail (a proposal to share, above all) that the user may decide on, or whose item they
    see (`may_view(user, item)`); anything else looks missing."""
    item = review_model.item_field
    review = get_object_or_404(
        review_model.objects.select_related(
            "unit", "by", f"{item}__unit", f"{item}__author", f"{item}__shared_with", *related
        ),
        pk=pk,
    )
    if not (can_decide_proposal(user, review) or may_view(user, review.item)):
        raise Http404
    return review


def can_propose(user, material) -> bool:
    """Those who manage the unit the item is shared with now propose it one level up."""
    if not _active(user) or material.is_deleted or material.shared_with_id is None:
        return False
    shared = material.shared_with
    if user.is_superuser:
        return True
    if shared.kind in (K.SCHOOL, K.UNIVERSITY):
        return _holds(user, SCHOOL_MANAGER_ROLES, shared.path)
    role = STAFF_ROLE_AT.get(shared.kind)
    return role is not None and role != Role.MINISTRY_STAFF and _holds(user, {role}, shared.path)


def proposal_targets(material) -> list[Unit]:
    """The Offices/Departments/Ministry above the unit the item is shared with, nearest first."""
    shared = material.shared_with
    if shared is None:
        return []
    paths = ancestor_paths(shared.path, include_self=False)
    units = Unit.objects.filter(path__in=paths, kind__in=list(STAFF_ROLE_AT), is_active=True)
    return sorted(units, key=lambda u: -len(u.path))
