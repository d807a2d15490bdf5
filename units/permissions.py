"""Who may do what, where. The single source of the scope rules; views call these, templates only
hide buttons.

A role held at a unit reaches that unit's whole subtree. Viewing is a little wider than managing:
teachers see their whole school (its groups and classes), students see their school's space and
their own class.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from truonghoc import sql

from .models import Role, Unit, ancestor_paths, in_subtree_q, is_below, parent_path, school_path_of


class Action:
    VIEW = "view"  # see a unit's space, its sub-units and counts
    MANAGE = "manage"  # rename, add groups and classes, set leaders
    MANAGE_ACCOUNTS = "manage_accounts"  # issue and look after accounts
    VIEW_REPORTS = "view_reports"  # participation statistics and dashboards

    ALL = (VIEW, MANAGE, MANAGE_ACCOUNTS, VIEW_REPORTS)


# --- The role sets, named once: other apps import these instead of listing roles ------------------

# Staff of the Ministry, a Department or an Office of Education.
STAFF_ROLES = frozenset({Role.MINISTRY_STAFF, Role.DEPARTMENT_STAFF, Role.OFFICE_STAFF})
# Those who run a school (vice-principals are named by the school itself: `can_grant_role`).
SCHOOL_MANAGER_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.PRINCIPAL, Role.VICE_PRINCIPAL})
# Those who teach: a professional group's members (its leader teaches too).
TEACHING_ROLES = frozenset({Role.TEACHER, Role.GROUP_LEADER})
# Roles that carry authority over a unit: staff and school managers (news and letters of a unit,
# accounts looked after by the unit above).
AUTHORITY_ROLES = STAFF_ROLES | SCHOOL_MANAGER_ROLES
# Those who manage a unit's subtree (Action.MANAGE): authority plus group leaders.
UNIT_MANAGER_ROLES = AUTHORITY_ROLES | {Role.GROUP_LEADER}
# A school's leaders for its groups: its managers and the group leaders.
SCHOOL_LEADER_ROLES = SCHOOL_MANAGER_ROLES | {Role.GROUP_LEADER}
# The people a class or professional group counts as its own members.
CLASS_AND_GROUP_MEMBER_ROLES = TEACHING_ROLES | {Role.STUDENT}
# Those who write questions and materials in a school: teachers and school managers.
WRITER_ROLES = TEACHING_ROLES | SCHOOL_MANAGER_ROLES
# Everyone who teaches, manages or trains: every role but student's.
EDUCATOR_ROLES = WRITER_ROLES | STAFF_ROLES
# Who may be named a course's co-instructor: those who teach or train (school admins do neither).
INSTRUCTOR_ROLES = TEACHING_ROLES | STAFF_ROLES | {Role.PRINCIPAL, Role.VICE_PRINCIPAL}

# Which roles reach the subtree of the unit they are held at, per action.
SUBTREE_ROLES = {
    Action.VIEW: UNIT_MANAGER_ROLES | {Role.TEACHER, Role.STUDENT},
    Action.MANAGE: UNIT_MANAGER_ROLES,
    Action.MANAGE_ACCOUNTS: STAFF_ROLES | {Role.SCHOOL_ADMIN},
    Action.VIEW_REPORTS: AUTHORITY_ROLES,
}

# Where a role is allowed to be held (services refuse anything else).
ROLE_UNIT_KINDS = {
    Role.MINISTRY_STAFF: {Unit.Kind.MINISTRY},
    Role.DEPARTMENT_STAFF: {Unit.Kind.DEPARTMENT},
    Role.OFFICE_STAFF: {Unit.Kind.OFFICE},
    Role.SCHOOL_ADMIN: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY},
    Role.PRINCIPAL: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY},
    Role.VICE_PRINCIPAL: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY},
    Role.GROUP_LEADER: {Unit.Kind.GROUP},
    Role.TEACHER: {Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY, Unit.Kind.GROUP},
    Role.STUDENT: {Unit.Kind.SCHOOL, Unit.Kind.CLASS},
}


def _school_path(path: str) -> str:
    """Path of the school a group or class path belongs to (its parent)."""
    return parent_path(path)


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
        return path in self.exact or any(is_below(path, p) for p in self.prefixes)

    def contains_strictly_above(self, path: str) -> bool:
        """True when a subtree of this scope holds `path` and starts above it (reaches its parent)."""
        return self.everything or any(is_below(path, p, include_self=False) for p in self.prefixes)

    def q(self, prefix: str = "") -> Q:
        """A filter for a queryset of units (prefix="") or of rows with a unit FK (prefix="unit__")."""
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        for p in self.prefixes:
            query |= in_subtree_q(p, prefix.removesuffix("__"))
        if self.exact:
            query |= Q(**{f"{prefix}path__in": list(self.exact)})
        return query


class HeldRole(NamedTuple):
    """One role a person holds, and where: the unit's path and kind (no query to reach the unit)."""

    role: str
    path: str
    kind: str

    def is_within(self, unit) -> bool:
        """Held at `unit` or somewhere below it."""
        return is_below(self.path, unit.path)

    @property
    def school_path(self) -> str:
        """Path of the school this role belongs to: the unit's parent for a group or class, else the unit."""
        return school_path_of(self.path, self.kind)


# Plain SQL (truonghoc.sql): every page reads it; tests/truonghoc/test_sql_twins.py holds it to the ORM's answer.
_ROLE_ROWS_SQL = """
SELECT ra.role, u.path, u.kind FROM units_roleassignment ra JOIN units_unit u ON u.id = ra.unit_id
 WHERE ra.user_id = %s AND u.is_active
"""


def role_rows(user) -> list[HeldRole]:
    """Every role the user holds at an active unit; cached per user object (one query per request).

    Kept for units' own helpers: other apps ask `units_where`, `holds_role_at`, `role_reaches`,
    `has_role`, `scope` or `can`, which read this cache."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_role_rows_cache", None)
    if cached is None:
        cached = [HeldRole(*found) for found in sql.rows(_ROLE_ROWS_SQL, [user.pk])]
        user._role_rows_cache = cached
    return cached


def forget_roles(user) -> None:
    """Drop the user's cached roles, after a service changed them on another copy of the row."""
    user.__dict__.pop("_role_rows_cache", None)
    user.__dict__.pop("_role_ancestor_paths", None)


def role_ancestor_paths(user) -> set[str]:
    """Paths of every unit where the user holds a role and of every unit above them (their group or
    class, school, Office, Department, the Ministry): what is open to any of them is open to the user.
    No query beyond the cached roles; cached on the user object too."""
    cached = user.__dict__.get("_role_ancestor_paths")
    if cached is None:
        cached = {p for held in role_rows(user) for p in ancestor_paths(held.path)}
        user.__dict__["_role_ancestor_paths"] = cached
    return cached


def units_where(user, roles=None, *, kinds=None) -> list[HeldRole]:
    """The roles the user holds (one of `roles`, at a unit of one of `kinds`, when given), with their
    unit's path and kind; from the per-user cache, so asking again costs no query."""
    return [
        held
        for held in role_rows(user)
        if (roles is None or held.role in roles) and (kinds is None or held.kind in kinds)
    ]


def holds_role_at(user, unit, roles=None) -> bool:
    """The user holds one of `roles` (any role when None) at `unit` itself (a Unit or a path)."""
    path = unit if isinstance(unit, str) else unit.path
    return any(held.path == path for held in units_where(user, roles))


def holds_role_within(user, unit, roles=None) -> bool:
    """The user holds one of `roles` at `unit` or anywhere below it (a Unit or a path)."""
    path = unit if isinstance(unit, str) else unit.path
    return any(is_below(held.path, path) for held in units_where(user, roles))


def role_reaches(user, unit, roles=None) -> bool:
    """The user holds one of `roles` at `unit` or at a unit above it (a Unit or a path)."""
    path = unit if isinstance(unit, str) else unit.path
    return any(is_below(path, held.path) for held in units_where(user, roles))


def home_path(unit) -> str:
    """Where a unit's people and work live: its school for a group or class, else the unit itself (a
    school, or an Office, Department or the Ministry owning a course)."""
    return school_path_of(unit.path, unit.kind)


def belongs_where(user, unit) -> bool:
    """The user holds a current role in the school `unit` belongs to (at it or at one of its groups or
    classes) — for a unit that is no school's, within that unit — or above it. What authorship or an
    object grant (a co-instructor, a forum's moderator, a test's author) over a unit's people and their
    work needs in order to count (issue #14): a person who moved to another school keeps the rows, not
    the power. No query beyond the cached roles; superusers always."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    home = home_path(unit)
    return any(is_below(held.path, home) or is_below(home, held.path) for held in role_rows(user))


def holds_grant(user, perm: str, obj) -> bool:
    """The user holds the object grant `perm` ("app_label.codename", django-guardian's) on `obj`, directly or
    through a group, as `user.has_perm(perm, obj)` answers: always for an active superuser, never for an
    inactive person. Whether the grant still counts where `obj` lives is the caller's rule (belongs_where).

    Every grant the person holds is read once per request, by one query, and kept on the user object as
    their roles are: guardian asks two queries per object and per check, which made a forum thread's
    permission checks (instructor? moderator?) a fifth of its time."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    grants = user.__dict__.get("_object_grants")
    if grants is None:
        grants = user.__dict__["_object_grants"] = _object_grants(user.pk)
    content_type = ContentType.objects.get_for_model(obj)  # from ContentType's own memory after the first
    return (perm, content_type.pk, str(obj.pk)) in grants


def forget_grants(user) -> None:
    """Drop the user's cached object grants, after a service granted or revoked one on this very object."""
    user.__dict__.pop("_object_grants", None)


# Plain SQL (truonghoc.sql): one round trip for the user's and their groups' grants, and no ORM query to build
# on every page that checks one. The tables are guardian's, Django's and accounts.User's groups
# (tests/units/test_grants.py holds this to guardian's own answers).
_OBJECT_GRANTS_SQL = """
SELECT ct.app_label, p.codename, g.content_type_id, g.object_pk
  FROM guardian_userobjectpermission g
  JOIN auth_permission p ON p.id = g.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE g.user_id = %s
UNION ALL
SELECT ct.app_label, p.codename, g.content_type_id, g.object_pk
  FROM guardian_groupobjectpermission g JOIN accounts_user_groups m ON m.group_id = g.group_id
  JOIN auth_permission p ON p.id = g.permission_id JOIN django_content_type ct ON ct.id = p.content_type_id
 WHERE m.user_id = %s
"""


def _object_grants(user_pk: int) -> frozenset[tuple[str, int, str]]:
    found = sql.rows(_OBJECT_GRANTS_SQL, [user_pk, user_pk])
    return frozenset((f"{app}.{codename}", ct_id, object_pk) for app, codename, ct_id, object_pk in found)


def belongs_where_q(user, field: str = "unit") -> Q:
    """The rows whose unit (reached through `field`) is one where `belongs_where(user, unit)` holds: at
    or above a unit where the user holds a role, or inside the school (or unit) of one of them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    prefix = f"{field}__" if field else ""
    query = Q(**{f"{prefix}path__in": sorted(role_ancestor_paths(user))})
    for path in sorted({held.school_path for held in role_rows(user)}):
        query |= in_subtree_q(path, field)
    return query


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


def manages_path(user) -> Callable[[str], bool]:
    """path → may `user` manage the unit at that path (`can_manage_unit`), the scope worked out once: for
    a list of many units (a dashboard's schools still to declare their numbers)."""
    return scope(user, Action.MANAGE).contains_path


def can_manage_accounts(user, unit: Unit) -> bool:
    return can(user, Action.MANAGE_ACCOUNTS, unit)


def can_view_reports(user, unit: Unit) -> bool:
    return can(user, Action.VIEW_REPORTS, unit)


def can_list_all_people(user, unit: Unit) -> bool:
    """May the user list everyone of `unit` (its whole people page)? Anyone who sees the unit through a
    role other than student's: a student sees only their own class and the school's teachers
    (`selectors.people_listable_by`), so a pupil cannot read the school's directory (issue #14)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for held in units_where(user, SUBTREE_ROLES[Action.VIEW] - {Role.STUDENT}):
        # Teachers see their whole school from their group, as in `scope`.
        reach = _school_path(held.path) if held.kind == Unit.Kind.GROUP and held.role in TEACHING_ROLES else held.path
        if is_below(unit.path, reach):
            return True
    return False


def can_see_usernames(user, unit: Unit) -> bool:
    """Usernames are login names: only those who look after the unit's accounts see them listed."""
    return can_manage_accounts(user, unit)


# The units whose subtree may be loaded from a spreadsheet (units.importing), by those who manage them:
# the Ministry anything, a Department its Offices and schools, an Office its schools, a school its
# groups and classes. What may go where is the placement rule of units.services.
IMPORT_INTO_KINDS = (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE, Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY)


def can_import_units(user, unit: Unit) -> bool:
    """May the user load units into `unit`'s subtree from a spreadsheet? Its managers (staff at or
    above it; for a school, its principal and school admin too), while it is active."""
    return unit.is_active and unit.kind in IMPORT_INTO_KINDS and can(user, Action.MANAGE, unit)


def has_role(user, *roles: str) -> bool:
    return any(held.role in roles for held in role_rows(user))


# --- The structure: who creates, renames, moves, merges and closes units, and runs clusters ---------
# Each level manages the levels below it (the Ministry its Departments, a Department its Offices and
# the schools it runs, an Office its schools, a school its groups and classes) with the roles that
# carry authority there. A unit is changed only from above: nobody renames, moves, merges or closes
# their own unit or one above it.

STRUCTURE_ROLES = AUTHORITY_ROLES
CLUSTER_ROLES = STAFF_ROLES
# The kinds of unit that hold other units (a group or class holds none).
CONTAINER_KINDS = frozenset(
    {Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE, Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY}
)


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def can_manage_structure(user, unit: Unit) -> bool:
    """May the user see the structure page of `unit` and create units under it? A role of authority
    held at the unit or above it, for a unit that holds units."""
    if unit.kind not in CONTAINER_KINDS:
        return False
    return _is_superuser(user) or role_reaches(user, unit, STRUCTURE_ROLES)


def can_change_unit(user, unit: Unit) -> bool:
    """May the user rename, move, merge or close `unit` (or reopen it)? Only from strictly above it."""
    if _is_superuser(user):
        return True
    return any(is_below(unit.path, held.path, include_self=False) for held in units_where(user, STRUCTURE_ROLES))


def can_place_under(user, unit: Unit, new_parent: Unit) -> bool:
    """May the user move `unit` under `new_parent`? Both inside the part of the tree the user manages."""
    return can_change_unit(user, unit) and can_manage_structure(user, new_parent)


def can_merge_into(user, unit: Unit, into: Unit) -> bool:
    """May the user merge `unit` into `into`? The user must be able to change both."""
    return can_change_unit(user, unit) and can_change_unit(user, into)


def can_manage_clusters(user, owner: Unit) -> bool:
    """Clusters are made and changed by the Office or Department that owns them (or a level above)."""
    if owner.kind not in (Unit.Kind.OFFICE, Unit.Kind.DEPARTMENT):
        return False
    return _is_superuser(user) or role_reaches(user, owner, CLUSTER_ROLES)


def structure_parents_for(user, unit: Unit):
    """The active units the user may move `unit` under: within their reach, accepting its kind, not
    `unit` itself nor one of its own units, nor its present parent. A queryset (the move page's picker)."""
    from .services import allowed_parent_kinds

    candidates = (
        Unit.objects.filter(is_active=True, kind__in=allowed_parent_kinds(unit))
        .exclude(in_subtree_q(unit, ""))
        .exclude(path=parent_path(unit.path))
    )
    if not _is_superuser(user):
        reach = Q(pk__in=[])
        for held in units_where(user, STRUCTURE_ROLES):
            reach |= in_subtree_q(held.path, "")
        candidates = candidates.filter(reach)
    return candidates.order_by("path")


def structure_merge_targets_for(user, unit: Unit):
    """The active units of the same kind the user may merge `unit` into (not itself, nor one below it)."""
    candidates = Unit.objects.filter(is_active=True, kind=unit.kind).exclude(in_subtree_q(unit, ""))
    if unit.kind == Unit.Kind.SCHOOL:
        candidates = candidates.filter(school_level=unit.school_level)
    if not _is_superuser(user):
        reach = Q(pk__in=[])
        for held in units_where(user, STRUCTURE_ROLES):
            reach |= in_subtree_q(held.path, "", include_self=False)
        candidates = candidates.filter(reach)
    return candidates.order_by("path")


def unit_for_user_or_404(user, pk, action: str = Action.VIEW) -> Unit:
    """Fetch a unit and check the user may act on it; out-of-scope units look like missing ones."""
    unit = get_object_or_404(Unit, pk=pk)
    if not can(user, action, unit):
        raise Http404
    return unit


# --- Naming people to roles (issue #15): nobody grants a role at or above their own ---------------
# A role's "seat" is where it sits in the tree: staff sit at their Ministry, Department or Office; a
# school's roles rank inside the school (principal and school admin first, then vice-principals, then
# group leaders, then teachers and students). Only roles that carry authority grant anything:
#   - staff grant any role strictly below their own unit (a Department names its Offices' staff and
#     the principal and school admin of the schools it runs; an Office those of its schools), never at
#     their own unit: an Office's staff are named by its Department, a Department's by the Ministry,
#     the Ministry's by a superuser — the same units that hand out those accounts' credentials
#     (`accounts.permissions.credentials_home`);
#   - a school's managers grant, inside their own school, only roles ranked strictly below their own: a
#     principal or school admin names vice-principals, group leaders and teachers, a vice-principal
#     group leaders and teachers; never a principal or another school admin (that is the unit above's).
SCHOOL_ROLE_RANK = {
    Role.PRINCIPAL: 0,
    Role.SCHOOL_ADMIN: 0,
    Role.VICE_PRINCIPAL: 1,
    Role.GROUP_LEADER: 2,
    Role.TEACHER: 3,
    Role.STUDENT: 3,
}
# The roles named by the unit above, which also issues their holders' accounts (accounts' staff page).
NAMED_FROM_ABOVE_ROLES = STAFF_ROLES | {Role.PRINCIPAL, Role.SCHOOL_ADMIN}
# What the "People and roles" pages offer (students join classes through their accounts).
GRANTABLE_ROLES = (
    Role.MINISTRY_STAFF,
    Role.DEPARTMENT_STAFF,
    Role.OFFICE_STAFF,
    Role.PRINCIPAL,
    Role.SCHOOL_ADMIN,
    Role.VICE_PRINCIPAL,
    Role.GROUP_LEADER,
    Role.TEACHER,
)


def can_grant_role(user, unit: Unit, role: str) -> bool:
    """May `user` give `role` at `unit` to someone (or take it back)? The role must be one that can be
    held at that kind of unit, and sit strictly below one of the user's own authority roles (see above).
    Superusers always. No query beyond the cached roles."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if role not in ROLE_UNIT_KINDS or unit.kind not in ROLE_UNIT_KINDS[role] or not unit.is_active:
        return False
    if user.is_superuser:
        return True
    for held in units_where(user, AUTHORITY_ROLES):
        if held.role in STAFF_ROLES:
            if is_below(unit.path, held.path, include_self=False):
                return True
        elif (
            is_below(unit.path, held.path)
            and role in SCHOOL_ROLE_RANK
            and SCHOOL_ROLE_RANK[role] > SCHOOL_ROLE_RANK[held.role]
        ):
            return True
    return False


def grantable_roles(user, unit: Unit) -> list[str]:
    """The roles `user` may give at `unit`, in the order the pages list them."""
    return [role for role in GRANTABLE_ROLES if can_grant_role(user, unit, role)]


def can_manage_roles(user, unit: Unit) -> bool:
    """May `user` open the unit's "People and roles" page (and give or take back some role there)?"""
    return bool(grantable_roles(user, unit))


def can_set_homerooms(user, school: Unit) -> bool:
    """The school's managers (and the staff above it) choose its classes' homeroom teachers."""
    return school.is_school and school.is_active and can_grant_role(user, school, Role.TEACHER)


def can_set_school_years(user) -> bool:
    """The Ministry's staff set the national school years (and superusers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(units_where(user, {Role.MINISTRY_STAFF}, kinds={Unit.Kind.MINISTRY}))


def can_adjust_school_year(user, unit: Unit) -> bool:
    """A Department's own staff adjust the school year's dates for their province (and superusers); the
    Ministry sets the national dates and leaves a province's adjustment to it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or unit.kind != Unit.Kind.DEPARTMENT:
        return False
    return user.is_superuser or holds_role_at(user, unit, {Role.DEPARTMENT_STAFF})


def can_run_rollover(user, school: Unit) -> bool:
    """A school's year-end rollover (accounts.services.rollover) is run by the school itself: its school
    admin or principal (or a superuser); the units above see who rolled over, they do not run it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if school.kind != Unit.Kind.SCHOOL or not school.is_active:
        return False
    return user.is_superuser or holds_role_at(user, school, SCHOOL_MANAGER_ROLES)


def can_view_rollovers(user, unit: Unit) -> bool:
    """Which of its schools have rolled over: the Ministry's, a Department's or an Office's staff page."""
    kinds = (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE)
    return unit.kind in kinds and can(user, Action.VIEW_REPORTS, unit)
