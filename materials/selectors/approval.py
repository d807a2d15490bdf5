"""Reads for authors and reviewers: what waits for me, my items, an item's trail (the queues and the
trail are the approval engine's, approvals.selectors)."""

from django.db.models import Prefetch, QuerySet

from approvals import selectors as approval

from ..models import Material, MaterialReview, MaterialVersion, VersionStatus
from ..permissions import OPEN_STATUSES, sees_drafts_of


def waiting_versions(*, user) -> QuerySet:
    """Versions waiting at a step this user decides: the group leader's, or the school managers'."""
    versions = MaterialVersion.objects.select_related("material__unit", "material__author", "created_by")
    return approval.waiting_at_steps(versions, user=user, item="material__")


def waiting_proposals(*, user) -> QuerySet:
    """Proposals to share sent to a unit where the user is staff."""
    return approval.waiting_proposals(MaterialReview, user=user)


def my_materials(*, user, removed: bool = False) -> QuerySet:
    open_versions = MaterialVersion.objects.filter(status__in=(*OPEN_STATUSES, VersionStatus.REFUSED)).order_by(
        "-number"
    )
    return (
        (Material.objects.removed() if removed else Material.objects.alive())
        .filter(author=user)
        .select_related("unit", "shared_with", "live_version")
        .prefetch_related(Prefetch("versions", queryset=open_versions, to_attr="pending_versions"))
        .order_by("-updated_at", "-pk")
    )


def material_trail(*, material: Material, user) -> list[MaterialReview]:
    """The item's trail as the user may see it: all of it for those who see its drafts, else only the
    steps about its live version."""
    steps = approval.trail(MaterialReview, items=[material], related=("version",))
    if sees_drafts_of(user, material):
        return steps
    return [step for step in steps if step.version_id == material.live_version_id]


def material_versions(*, material: Material, user) -> list[MaterialVersion]:
    """The item's versions, newest first, as the user may see them: only the live one unless they see
    its drafts."""
    versions = material.versions.select_related("created_by").order_by("-number")
    if not sees_drafts_of(user, material):
        versions = versions.filter(pk=material.live_version_id)
    return list(versions)
