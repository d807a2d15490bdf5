"""Who sees which statistics: the unit's own staff and everyone above it (units.permissions'
VIEW_REPORTS); nobody sees outside their subtree."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.permissions import Action, can


def can_view_stats(user, unit: Unit) -> bool:
    return unit.kind != Unit.Kind.GROUP and unit.kind != Unit.Kind.CLASS and can(user, Action.VIEW_REPORTS, unit)


def can_recompute_stats(user, unit: Unit) -> bool:
    return can_view_stats(user, unit)


def can_set_targets(user, unit: Unit) -> bool:
    """A level sets its own targets (the units below inherit them): its staff, not its schools."""
    return unit.kind in (Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE) and can(user, Action.MANAGE, unit)


def stats_unit_for_user_or_404(user, pk) -> Unit:
    unit = get_object_or_404(Unit, pk=pk)
    if not can_view_stats(user, unit):
        raise Http404
    return unit
