"""Who may do what, where. The single source of the scope rules; views call these, templates only
hide buttons.

A role held at a unit reaches that unit's whole subtree. Viewing is a little wider than managing:
teachers see their whole school (its groups and classes), students see their school's space and
their own class.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Role, Unit


class Action:
    VIEW = "view"  # see a unit's space, its sub-units and counts
    MANAGE = "manage"  # rename, add groups and classes, set leaders
    MANAGE_ACCOUNTS = "manage_accounts"  # issue and look after accounts
    VIEW_REPORTS = "view_reports"  # participation statistics and dashboards

    ALL = (VIEW, MANAGE, MANAGE_ACCOUNTS, VIEW_REPORTS)


STAFF_ROLES = frozenset({Role.MINISTRY_STAFF, Role.DEPARTMENT_STAFF, Role.OFFICE_STAFF})
SCHOOL_MANAGER_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.PRINCIPAL})

# Which roles reach the subtree of the unit they are held at, per action.
SUBTREE_ROLES = {
    Action.VIEW: STAFF_ROLES | SCHOOL_MANAGER_ROLES | {Role.GROUP_LEADER, Role.TEACHER, Role.STUDENT},
    Action.MANAGE: STAFF_ROLES | SCHOOL_MANAGER_ROLES | {Role.GROUP_LEADER},
    Action.MANAGE_ACCOUNTS: STAFF_ROLES | {Role.SCHOOL_ADMIN},
    Action.VIEW_REPORTS: STAFF_ROLES | SCHOOL_MANAGER_ROLES,
}

# Where a role is allowed to be held (services refuse anything else).
ROLE_UNIT_KINDS = {
    Role.MINISTRY_STAFF: {Unit.Kind.MINISTRY},
    Role.DEPARTMENT_STAFF: {Unit.Kind.DEPARTMENT},
    Role.OFFICE_STAFF: {Unit.Kind.OFFICE},
    Role.SCHOOL_ADMIN: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY},
    Role.PRINCIPAL: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY},
    Role.GROUP_LEADER: {Unit.Kind.GROUP},
    Role.TEACHER: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY, Unit.Kind.GROUP},
    Role.STUDENT: {Unit.Kind.SCHOOL, Unit.Kind.CLASS},
}


def _school_path(path: str) -> str:
    """Path of the school a group or class path belongs to (its parent)."""
    return path[: -Unit.steplen]


@dataclass(frozen=True)
class Scope:
    """The units an action reaches: whole subtrees below `prefixes`, plus single `exact` units."""

    prefixes: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    everything: bool = False
    roles: frozenset = field(default_factory=frozenset)

    def contains(self, unit: Unit) -> bool:
        return self.contains_path(unit.path)

    def contains_path(self, path: str) -> bool:
        if self.everything:
            return True
        return path in self.exact or any(path.startswith(p) for p in self.prefixes)

    def contains_strictly_above(self, path: str) -> bool:
        """True when a subtree of this scope holds `path` and starts above it (reaches its parent)."""
        return self.everything or any(path.startswith(p) and len(p) < len(path) for p in self.prefixes)

    def q(self, prefix: str = "") -> Q:
        """A filter for a queryset of units (prefix="") or of rows with a unit FK (prefix="unit__")."""
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        for p in self.prefixes:
            query |= Q(**{f"{prefix}path__startswith": p})
        if self.exact:
            query |= Q(**{f"{prefix}path__in": list(self.exact)})
        return query


def role_rows(user) -> list[tuple[str, str, str]]:
    """(role, unit path, unit kind) of every role the user holds at an active unit; cached per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_role_rows_cache", None)
    if cached is None:
        cached = list(
            user.role_assignments.filter(unit__is_active=True).values_list("role", "unit__path", "unit__kind")
        )
        user._role_rows_cache = cached
    return cached


def scope(user, action: str) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    prefixes: set[str] = set()
    exact: set[str] = set()
    roles = set()
    for role, path, kind in role_rows(user):
        roles.add(role)
        if role not in SUBTREE_ROLES[action]:
            continue
        if action == Action.VIEW and role in (Role.TEACHER, Role.GROUP_LEADER) and kind == Unit.Kind.GROUP:
            prefixes.add(_school_path(path))  # teachers see their whole school, not only their group
        elif action == Action.VIEW and role == Role.STUDENT and kind == Unit.Kind.CLASS:
            prefixes.add(path)  # their class…
            exact.add(_school_path(path))  # …and the school's own space, not its other classes
        else:
            prefixes.add(path)
    # Drop prefixes already covered by a shorter one, so queries stay small.
    kept = tuple(sorted(p for p in prefixes if not any(p != o and p.startswith(o) for o in prefixes)))
    exact_kept = tuple(sorted(e for e in exact if not any(e.startswith(o) for o in kept)))
    return Scope(prefixes=kept, exact=exact_kept, roles=frozenset(roles))


def can(user, action: str, unit: Unit) -> bool:
    return scope(user, action).contains(unit)


def can_view_unit(user, unit: Unit) -> bool:
    return can(user, Action.VIEW, unit)


def can_manage_unit(user, unit: Unit) -> bool:
    return can(user, Action.MANAGE, unit)


def can_manage_accounts(user, unit: Unit) -> bool:
    return can(user, Action.MANAGE_ACCOUNTS, unit)


def can_view_reports(user, unit: Unit) -> bool:
    return can(user, Action.VIEW_REPORTS, unit)


def has_role(user, *roles: str) -> bool:
    return any(role in roles for role, _path, _kind in role_rows(user))


def unit_for_user_or_404(user, pk, action: str = Action.VIEW) -> Unit:
    """Fetch a unit and check the user may act on it; out-of-scope units look like missing ones."""
    unit = get_object_or_404(Unit, pk=pk)
    if not can(user, action, unit):
        raise Http404
    return unit
