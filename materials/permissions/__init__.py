"""Who sees, edits and reviews learning materials. Scope rules come from units.permissions.

- An approved item is seen by everyone whose units lie in the subtree of `shared_with` (its school, or
  the Office/Department/Ministry that vetted it). Its author always sees it; the managers of its school
  see every item of the school; a reviewer sees an item while something waits for them.
- Only the author edits (through versions). The group step is the group leader's (the school's managers
  when the item was made at the school itself); the school step is the principal's or school admin's; a
  proposal to share is decided by the staff of the unit it was sent to.
Out-of-scope items look missing (404).
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, TEACHING_ROLES, holds_role_at, role_ancestor_paths, units_where
from units.selectors import ancestor_paths as unit_ancestor_paths

from ..models import Material, MaterialReview, MaterialVersion, VersionStatus

K = Unit.Kind
# The role that decides proposals at each kind of unit.
STAFF_ROLE_AT = {K.OFFICE: Role.OFFICE_STAFF, K.DEPARTMENT: Role.DEPARTMENT_STAFF, K.MINISTRY: Role.MINISTRY_STAFF}
OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.GROUP_APPROVED)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def school_path(unit: Unit) -> str | None:
    """Path of the school a group/class/school unit belongs to, without a query."""
    return unit.school_path


def ancestor_paths(user) -> set[str]:
    """Paths of every unit at or above the units where the user holds a role. Cached on the user."""
    return role_ancestor_paths(user)


def _holds(user, roles, path: str) -> bool:
    return holds_role_at(user, path, roles)


def maker_unit_paths(user) -> list[str]:
    """Where the user makes library items, questions and tests, without a query: the groups they teach
    in (teacher, group leader) and the schools they teach at or manage."""
    return sorted(
        path
        for role, path, kind in units_where(user)
        if (kind == K.GROUP and role in TEACHING_ROLES)
        or (kind in (K.SCHOOL, K.UNIVERSITY) and role in {Role.TEACHER, *SCHOOL_MANAGER_ROLES})
    )


def may_make_at(user, unit: Unit) -> bool:
    """May add library items, questions and tests in `unit` (see maker_unit_paths)."""
    if not _active(user):
        return False
    return user.is_superuser or unit.path in maker_unit_paths(user)


def maker_units(user) -> list[Unit]:
    """The active units of maker_unit_paths, for the "made in" choice of the forms."""
    return list(Unit.objects.filter(path__in=maker_unit_paths(user), is_active=True).order_by("path"))


def manages_school_of(user, material: Material) -> bool:
    path = school_path(material.unit)
    return bool(path) and (_holds(user, SCHOOL_MANAGER_ROLES, path) or user.is_superuser)


def is_author(user, material: Material) -> bool:
    return _active(user) and material.author_id == user.pk


def can_edit_material(user, material: Material) -> bool:
    return is_author(user, material) and not material.is_deleted


def can_remove_material(user, material: Material) -> bool:
    """Remove or restore an item: its author, or the managers of its school."""
    return _active(user) and (is_author(user, material) or manages_school_of(user, material))


def group_step_by_school(material: Material) -> bool:
    """The school's managers take the group step for an item made at the school itself, and for one its
    group's leader wrote (nobody approves their own item)."""
    return material.unit.kind != K.GROUP or _holds(material.author, {Role.GROUP_LEADER}, material.unit.path)


def can_review_group(user, material: Material) -> bool:
    """The group step: the item's group leader, or the school's managers (see group_step_by_school)."""
    if not _active(user) or material.author_id == user.pk:
        return False
    if material.unit.kind == K.GROUP and (_holds(user, {Role.GROUP_LEADER}, material.unit.path) or user.is_superuser):
        return True
    return group_step_by_school(material) and manages_school_of(user, material)


def can_review_school(user, material: Material) -> bool:
    return _active(user) and material.author_id != user.pk and manages_school_of(user, material)


def can_review_version(user, version: MaterialVersion) -> bool:
    """May decide the step the version waits at now."""
    material = version.material
    if material.is_deleted:
        return False
    if version.status == VersionStatus.SUBMITTED:
        return can_review_group(user, material)
    if version.status == VersionStatus.GROUP_APPROVED:
        return can_review_school(user, material)
    return False


def can_decide_proposal(user, review: MaterialReview) -> bool:
    if not (_active(user) and review.is_open):
        return False
    role = STAFF_ROLE_AT.get(review.unit.kind)
    return user.is_superuser or (role is not None and _holds(user, {role}, review.unit.path))


def can_propose(user, material: Material) -> bool:
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


def proposal_targets(material: Material) -> list[Unit]:
    """The Offices/Departments/Ministry above the unit the item is shared with, nearest first."""
    shared = material.shared_with
    if shared is None:
        return []
    paths = unit_ancestor_paths(shared.path, include_self=False)
    units = Unit.objects.filter(path__in=paths, kind__in=list(STAFF_ROLE_AT), is_active=True)
    return sorted(units, key=lambda u: -len(u.path))


def _waits_for(user, material: Material) -> bool:
    open_version = next((v for v in material.versions.all() if v.status in OPEN_STATUSES), None)
    if open_version is not None and can_review_version(user, open_version):
        return True
    return any(can_decide_proposal(user, r) for r in material.reviews.filter(is_open=True).select_related("unit"))


def is_live_for(user, material: Material) -> bool:
    return (
        material.shared_with_id is not None
        and material.live_version_id is not None
        and not material.is_deleted
        and material.shared_with.path in ancestor_paths(user)
    )


def can_view_material(user, material: Material) -> bool:
    if not _active(user):
        return False
    if user.is_superuser or is_author(user, material) or is_live_for(user, material):
        return True
    if manages_school_of(user, material):
        return True
    return _waits_for(user, material)


def materials_visible_q(user) -> Q:
    """What the library lists for a user: live items shared with a unit at or above theirs, and their own."""
    if not _active(user):
        return Q(pk__in=[])
    live = Q(
        shared_with__isnull=False,
        live_version__isnull=False,
        deleted_at__isnull=True,
    )
    if not user.is_superuser:
        # A subquery, not a join: the library then walks its sort index and checks each row cheaply.
        live &= Q(shared_with__in=Unit.objects.filter(path__in=sorted(ancestor_paths(user))).values("pk"))
    return live | Q(author=user, deleted_at__isnull=True)


def material_for_user_or_404(user, pk) -> Material:
    material = get_object_or_404(
        Material.objects.select_related("unit", "author", "shared_with", "live_version"), pk=pk
    )
    if not can_view_material(user, material):
        raise Http404
    return material


def version_for_user_or_404(user, pk) -> MaterialVersion:
    version = get_object_or_404(
        MaterialVersion.objects.select_related(
            "material__unit", "material__author", "material__shared_with", "material__live_version", "created_by"
        ),
        pk=pk,
    )
    if not can_view_material(user, version.material):
        raise Http404
    return version


def review_for_user_or_404(user, pk) -> MaterialReview:
    review = get_object_or_404(
        MaterialReview.objects.select_related("unit", "material__unit", "material__shared_with", "version"), pk=pk
    )
    if not (can_decide_proposal(user, review) or can_view_material(user, review.material)):
        raise Http404
    return review
