"""Reads of the approval engine: what waits for a reviewer, and an item's trail.

Each takes the kind's querysets or trail model, so one definition serves every kind of item; the rules
are those of approvals.permissions, written as queries so a queue is one query per page.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from truonghoc.softdelete import alive_q
from units.models import Role, RoleAssignment, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, units_where
from units.selectors import in_subtree_q

from .models import Status
from .permissions import STAFF_ROLE_AT

K = Unit.Kind


def _nothing() -> Q:
    return Q(pk__in=[])


def _written_by_group_leader(item: str) -> Exists:
    """The author leads the group the item was made in: then the school takes the group step
    (permissions.group_step_by_school)."""
    return Exists(
        RoleAssignment.objects.filter(
            user=OuterRef(f"{item}author"), role=Role.GROUP_LEADER, unit=OuterRef(f"{item}unit"), unit__is_active=True
        )
    )


def waiting_at_steps(subjects: QuerySet, *, user, item: str = "") -> QuerySet:
    """The subjects (rows with the `status` that moves) waiting at a step this user decides, never their
    own, oldest first. `item` is the path from a subject to its item ("material__" for a version, "" when
    the subject is the item)."""
    subjects = subjects.filter(alive_q(item)).exclude(**{f"{item}author": user})
    if user.is_superuser:
        return subjects.filter(status__in=[Status.SUBMITTED, Status.GROUP_APPROVED]).order_by("updated_at", "pk")
    unit = f"{item}unit__"
    query = _nothing()
    for role, path, kind in units_where(user):
        if role == Role.GROUP_LEADER and kind == K.GROUP:
            query |= Q(status=Status.SUBMITTED, **{f"{unit}path": path}) & ~Q(_written_by_group_leader(item))
        elif role in SCHOOL_MANAGER_ROLES and kind in (K.SCHOOL, K.UNIVERSITY):
            # Items made at the school itself have no group step: its managers take it, and the group step of
            # an item a group's leader wrote.
            query |= Q(status=Status.SUBMITTED, **{f"{unit}path": path})
            query |= Q(in_subtree_q(path, f"{item}unit"), status=Status.SUBMITTED, **{f"{unit}kind": K.GROUP}) & Q(
                _written_by_group_leader(item)
            )
            query |= Q(in_subtree_q(path, f"{item}unit"), status=Status.GROUP_APPROVED)
    return subjects.filter(query).order_by("updated_at", "pk")


def waiting_proposals(review_model, *, user) -> QuerySet:
    """Proposals to share, of one kind, sent to a unit where the user is staff, oldest first."""
    item = review_model.item_field
    qs = review_model.objects.filter(alive_q(f"{item}__"), is_open=True).select_related(
        f"{item}__unit", f"{item}__author", "unit", "by"
    )
    if user.is_superuser:
        return qs.order_by("at", "pk")
    query = _nothing()
    for role, path, kind in units_where(user):
        if STAFF_ROLE_AT.get(kind) == role:
            query |= Q(unit__path=path)
    return qs.filter(query).order_by("at", "pk")


def trail(review_model, *, items, related=()) -> list:
    """Every step of these items' approval, in time order, with who decided and where (and `related`)."""
    item = review_model.item_field
    return list(
        review_model.objects.filter(**{f"{item}__in": [i.pk for i in items]})
        .select_related("by", "unit", *related)
        .order_by("at", "pk")
    )
