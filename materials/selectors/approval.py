"""Reads for authors and reviewers: what waits for me, my items, an item's trail."""

from django.db.models import Prefetch, Q, QuerySet

from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, units_where
from units.selectors import in_subtree_q

from ..models import Material, MaterialReview, MaterialVersion, VersionStatus
from ..permissions import OPEN_STATUSES, STAFF_ROLE_AT

K = Unit.Kind


def _nothing() -> Q:
    return Q(pk__in=[])


def waiting_versions(*, user) -> QuerySet:
    """Versions waiting at a step this user decides: the group leader's, or the school managers'."""
    qs = MaterialVersion.objects.filter(material__deleted_at__isnull=True).select_related(
        "material__unit", "material__author", "created_by"
    )
    if user.is_superuser:
        return qs.filter(status__in=[VersionStatus.SUBMITTED, VersionStatus.GROUP_APPROVED]).order_by("updated_at")
    query = _nothing()
    for role, path, kind in units_where(user):
        if role == Role.GROUP_LEADER and kind == K.GROUP:
            query |= Q(status=VersionStatus.SUBMITTED, material__unit__path=path)
        elif role in SCHOOL_MANAGER_ROLES and kind in (K.SCHOOL, K.UNIVERSITY):
            # Items made at the school itself have no group step: its managers take it.
            query |= Q(status=VersionStatus.SUBMITTED, material__unit__path=path)
            query |= Q(in_subtree_q(path, "material__unit"), status=VersionStatus.GROUP_APPROVED)
    return qs.filter(query).order_by("updated_at", "pk")


def waiting_proposals(*, user) -> QuerySet:
    """Proposals to share sent to a unit where the user is staff."""
    qs = MaterialReview.objects.filter(is_open=True, material__deleted_at__isnull=True).select_related(
        "material__unit", "material__author", "unit", "by"
    )
    if user.is_superuser:
        return qs.order_by("at", "pk")
    query = _nothing()
    for role, path, kind in units_where(user):
        if STAFF_ROLE_AT.get(kind) == role:
            query |= Q(unit__path=path)
    return qs.filter(query).order_by("at", "pk")


def my_materials(*, user, removed: bool = False) -> QuerySet:
    open_versions = MaterialVersion.objects.filter(status__in=(*OPEN_STATUSES, VersionStatus.REFUSED)).order_by(
        "-number"
    )
    return (
        Material.objects.filter(author=user, deleted_at__isnull=not removed)
        .select_related("unit", "shared_with", "live_version")
        .prefetch_related(Prefetch("versions", queryset=open_versions, to_attr="pending_versions"))
        .order_by("-updated_at", "-pk")
    )


def material_trail(*, material: Material) -> list[MaterialReview]:
    return list(material.reviews.select_related("by", "unit", "version").order_by("at", "pk"))


def material_versions(*, material: Material) -> list[MaterialVersion]:
    return list(material.versions.select_related("created_by").order_by("-number"))
