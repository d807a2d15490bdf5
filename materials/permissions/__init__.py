"""Who sees, edits and reviews learning materials. Scope rules come from units.permissions; who decides
each approval step is the approval engine's (approvals.permissions), re-exported here.

- An approved item is seen by everyone whose units lie in the subtree of `shared_with` (its school, or
  the Office/Department/Ministry that vetted it). Its author always sees it; the managers of its school
  see every item of the school that has a live version; a reviewer sees an item while something waits
  for them.
- Drafts stay with their authors and reviewers (issue #14): a version that is not live (draft, waiting,
  refused, replaced) and its trail are seen only by the item's author and the reviewers of the step its
  open version waits at (`sees_drafts_of`). Everyone else sees only the live version, and an item with no
  live version yet looks missing to them.
- Only the author edits (through versions). The group step is the group leader's (the school's managers
  when the item was made at the school itself); the school step is the principal's or school admin's; a
  proposal to share is decided by the staff of the unit it was sent to.
Out-of-scope items look missing (404).
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

# Who decides each approval step is the approval engine's rule; re-exported so `materials.permissions`
# still answers every question about an item.
from approvals.models import OPEN_STATUSES
from approvals.permissions import (  # noqa: F401
    STAFF_ROLE_AT,
    _active,
    _holds,
    can_decide_proposal,
    can_decide_step,
    can_propose,
    can_review_group,
    can_review_school,
    decides_a_proposal_of,
    group_step_by_school,
    manages_school_of,
    proposal_targets,
    school_path,
    step_for_user_or_404,
)
from truonghoc.softdelete import alive_q
from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, TEACHING_ROLES, role_ancestor_paths, units_where

from ..models import Material, MaterialReview, MaterialVersion

K = Unit.Kind


def ancestor_paths(user) -> set[str]:
    """Paths of every unit at or above the units where the user holds a role. Cached on the user."""
    return role_ancestor_paths(user)


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


def is_author(user, material: Material) -> bool:
    return _active(user) and material.author_id == user.pk


def can_edit_material(user, material: Material) -> bool:
    return is_author(user, material) and not material.is_deleted


def can_remove_material(user, material: Material) -> bool:
    """Remove or restore an item: its author, or the managers of its school."""
    return _active(user) and (is_author(user, material) or manages_school_of(user, material))


def can_review_version(user, version: MaterialVersion) -> bool:
    """May decide the step the version waits at now."""
    return can_decide_step(user, version.material, version.status)


def reviews_current_step(user, material: Material) -> bool:
    """Decides the step the item's open version waits at now (the group's or the school's)."""
    open_version = next((v for v in material.versions.all() if v.status in OPEN_STATUSES), None)
    return open_version is not None and can_review_version(user, open_version)


def sees_drafts_of(user, material: Material) -> bool:
    """May see the item's versions that are not live (draft, waiting, refused, replaced) and their trail:
    its author and the reviewers of the step its open version waits at (and a superuser). Nobody else:
    not the students or colleagues who see the live version, nor the reviewer of another step."""
    if not _active(user):
        return False
    return user.is_superuser or is_author(user, material) or reviews_current_step(user, material)


def is_live_for(user, material: Material) -> bool:
    return (
        material.shared_with_id is not None
        and material.live_version_id is not None
        and not material.is_deleted
        and material.shared_with.path in ancestor_paths(user)
    )


def can_view_material(user, material: Material) -> bool:
    """Sees the item's page: what it shows them is `shown_version` (its live version, unless they
    `sees_drafts_of` it). Without a live version only those who see its drafts reach it."""
    if not _active(user):
        return False
    if user.is_superuser or is_author(user, material):
        return True
    if material.live_version_id is None:
        return reviews_current_step(user, material)
    if is_live_for(user, material) or manages_school_of(user, material):
        return True
    return reviews_current_step(user, material) or decides_a_proposal_of(user, material)


def can_view_version(user, version: MaterialVersion) -> bool:
    """The live version for whoever sees the item; any other version only for those who see its drafts."""
    material = version.material
    if version.pk == material.live_version_id:
        return can_view_material(user, material)
    return sees_drafts_of(user, material)


def materials_visible_q(user) -> Q:
    """What the library lists for a user: live items shared with a unit at or above theirs, and their own."""
    if not _active(user):
        return Q(pk__in=[])
    live = Q(alive_q(), shared_with__isnull=False, live_version__isnull=False)
    if not user.is_superuser:
        # A subquery, not a join: the library then walks its sort index and checks each row cheaply.
        live &= Q(shared_with__in=Unit.objects.filter(path__in=sorted(ancestor_paths(user))).values("pk"))
    return live | Q(alive_q(), author=user)


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
    if not can_view_version(user, version):
        raise Http404
    return version


def review_for_user_or_404(user, pk) -> MaterialReview:
    """A step of an item's trail: for the unit a proposal waits at, or for those who see the version the
    step is about (a step of a draft is part of the draft's trail)."""
    review = step_for_user_or_404(MaterialReview, user, pk, may_view=can_view_material, related=("version",))
    review.version.material = review.material
    if not (can_decide_proposal(user, review) or can_view_version(user, review.version)):
        raise Http404
    return review
