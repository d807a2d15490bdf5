"""Reads of the unit tree that depend on who is asking."""

from django.db.models import Case, Count, QuerySet, Value, When
from django.db.models.functions import Substr

from .models import Role, RoleAssignment, Unit
from .permissions import Action, scope


def units_visible_to(*, user, action: str = Action.VIEW) -> QuerySet[Unit]:
    """Every unit the user may see (or act on, for another action); one indexed query."""
    return Unit.objects.filter(scope(user, action).q())


# Offices before schools under a Department; groups before classes inside a school.
KIND_ORDER = [
    Unit.Kind.DEPARTMENT,
    Unit.Kind.OFFICE,
    Unit.Kind.UNIVERSITY,
    Unit.Kind.SCHOOL,
    Unit.Kind.GROUP,
    Unit.Kind.CLASS,
]


def unit_children(*, unit: Unit) -> QuerySet[Unit]:
    kind_rank = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(KIND_ORDER)], default=Value(99))
    return (
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .select_related("homeroom_teacher")
        .order_by(kind_rank, "grade", "path")
    )


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    return list(Unit.objects.get_ancestors(unit))


def subtree(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)


def home_units(*, user) -> list[Unit]:
    """The units where the user holds a role, highest first (one query)."""
    return list(Unit.objects.filter(role_assignments__user=user).distinct().order_by("depth", "path"))


def people_counts_by_child(*, unit: Unit, user_model) -> dict[str, dict[str, int]]:
    """{child path: {account type or role: n}} for every direct child of `unit`, in one grouped query.

    Above a school, people are counted by the unit they belong to (User.unit), so a teacher counts
    once however many groups they sit in. Inside a school, a group's or class's people are those
    holding the teacher or student role there.
    """
    if unit.is_school:
        rows = (
            RoleAssignment.objects.filter(
                unit__path__startswith=unit.path, unit__depth=unit.depth + 1, user__is_active=True
            )
            .values("unit__path", "role")
            .annotate(n=Count("id"))
        )
        by_child: dict[str, dict[str, int]] = {}
        for row in rows:
            by_child.setdefault(row["unit__path"], {})[row["role"]] = row["n"]
        return by_child
    child_len = len(unit.path) + Unit.steplen
    rows = (
        user_model.objects.filter(is_active=True, unit__path__startswith=unit.path, unit__depth__gt=unit.depth)
        .annotate(child_path=Substr("unit__path", 1, child_len))
        .values("child_path", "account_type")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["child_path"], {})[row["account_type"]] = row["n"]
    return counts


def people_counts(*, unit: Unit, user_model) -> dict[str, int]:
    """{account type: n} of active people in the unit's subtree."""
    rows = (
        user_model.objects.filter(is_active=True, unit__path__startswith=unit.path)
        .values("account_type")
        .annotate(n=Count("id"))
    )
    return {row["account_type"]: row["n"] for row in rows}


def unit_members(*, unit: Unit, role: str) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(unit=unit, role=role).select_related("user")


def group_leaders(*, unit: Unit) -> QuerySet[RoleAssignment]:
    return unit_members(unit=unit, role=Role.GROUP_LEADER)


def leaders_by_unit(*, units: list[Unit]) -> dict[int, list]:
    """{group id: [leader users]} for the given groups, in one query."""
    result: dict[int, list] = {}
    if not units:
        return result
    for assignment in RoleAssignment.objects.filter(unit__in=units, role=Role.GROUP_LEADER).select_related("user"):
        result.setdefault(assignment.unit_id, []).append(assignment.user)
    return result


def child_kind_counts(*, unit: Unit) -> dict[str, int]:
    """{kind: n} of the active units anywhere below `unit` (schools, groups, classes…)."""
    rows = (
        Unit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth, is_active=True)
        .order_by()  # treebeard orders by path, which would split the groups
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def people_of(*, unit: Unit, user_model) -> QuerySet:
    """Active people of a unit, sorted by given name: role holders of a group or class, or the
    accounts that belong to any other unit."""
    if unit.kind in (Unit.Kind.GROUP, Unit.Kind.CLASS):
        qs = user_model.objects.filter(role_assignments__unit=unit).distinct()
    else:
        qs = user_model.objects.filter(unit=unit)
    return (
        qs.filter(is_active=True)
        .order_by("name_sort")
        .only("id", "username", "full_name", "account_type", "photo_status", "email", "phone")
    )
