"""The structure pages: each level creates, renames, moves, merges and closes the units below it, and
the Offices and Departments run their school clusters. Rules live in permissions.py and services.py."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.forms import form_saved, service_outcome
from truonghoc.text import fold, search_text

from . import selectors, services
from .forms import ClusterForm, UnitAddForm, UnitCloseForm, UnitMergeForm, UnitMoveForm, UnitRenameForm
from .models import Cluster, Unit
from .permissions import (
    Action,
    can,
    can_change_unit,
    can_manage_clusters,
    can_manage_structure,
    structure_merge_targets_for,
    structure_parents_for,
)

PAGE_SIZE = 50
STATUSES = ("active", "closed", "all")


def _unit_checked(user, pk, check) -> Unit:
    """The unit, when `check(user, unit)` holds; a unit the user cannot even see looks missing (404),
    one they see but may not change this way is forbidden (403)."""
    unit = get_object_or_404(Unit, pk=pk)
    if not check(user, unit):
        if can(user, Action.VIEW, unit):
            raise PermissionDenied
        raise Http404
    return unit


def _breadcrumbs(user, unit: Unit) -> list[Unit]:
    return [a for a in selectors.unit_ancestors(unit=unit) if can(user, Action.VIEW, a)]


def _back_to_parent(unit: Unit):
    parent = Unit.objects.get_parent(unit)
    return redirect("units:structure", pk=parent.pk) if parent else redirect("units:space", pk=unit.pk)


@login_required
def unit_structure(request, pk: int):
    """The units below one unit, active or closed, with their people and sub-unit counts and what the
    manager may do with each."""
    user = request.user
    unit = _unit_checked(user, pk, can_manage_structure)
    status = request.GET.get("status") if request.GET.get("status") in STATUSES else "active"
    children = selectors.unit_children(unit=unit).select_related("merged_into")
    if status != "all":
        children = children.filter(is_active=status == "active")
    query = search_text(request.GET.get("q"))
    if query:
        children = children.filter(Q(name_folded__contains=fold(query)) | Q(code__iexact=query))
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.people_counts_by_child(unit=unit, user_model=get_user_model())
    rows = [(child, counts.get(child.path, {}), can_change_unit(user, child)) for child in page]
    context = {
        "unit": unit,
        "ancestors": _breadcrumbs(user, unit),
        "page": page,
        "rows": rows,
        "query": query,
        "status": status,
        "can_add": unit.is_active and bool(services.child_kinds_allowed(unit)),
        "can_clusters": can_manage_clusters(user, unit),
        "closed_count": Unit.objects.children(unit).filter(is_active=False).count(),
    }
    return render(request, "units/unit_structure.html", context)


def _form_page(request, unit, form, *, title, intro="", submit, confirm="", danger=False, extra=None):
    context = {
        "unit": unit,
        "ancestors": [*_breadcrumbs(request.user, unit), unit],
        "form": form,
        "title": title,
        "intro": intro,
        "submit": submit,
        "confirm": confirm,
        "danger": danger,
        **(extra or {}),
    }
    return render(request, "units/unit_structure_form.html", context)


@login_required
def unit_add(request, pk: int):
    """Create a unit below this one: the kinds offered are the ones this unit may hold."""
    parent = _unit_checked(request.user, pk, can_manage_structure)
    form = UnitAddForm(request.POST or None, parent=parent)
    saved = form_saved(
        request,
        form,
        lambda _data: services.unit_create(actor=request.user, parent=parent, **form.service_values()),
    )
    if saved:
        messages.success(request, _("%(name)s has been created.") % {"name": saved.result.name})
        return redirect("units:structure", pk=parent.pk)
    return _form_page(
        request, parent, form, title=_("Add a unit under %(name)s") % {"name": parent.name}, submit=_("Create")
    )


@login_required
def unit_edit(request, pk: int):
    """Rename a unit or change its code."""
    unit = _unit_checked(request.user, pk, can_change_unit)
    form = UnitRenameForm(request.POST or None, initial={"name": unit.name, "code": unit.code})
    saved = form_saved(request, form, lambda data: services.unit_rename(actor=request.user, unit=unit, **data))
    if saved:
        messages.success(request, _("The unit has been renamed."))
        return _back_to_parent(unit)
    return _form_page(request, unit, form, title=_("Rename %(name)s") % {"name": unit.name}, submit=_("Save"))


@login_required
def unit_move(request, pk: int):
    """Move a unit (and everything below it) under another unit the manager runs."""
    unit = _unit_checked(request.user, pk, can_change_unit)
    parents = structure_parents_for(request.user, unit)
    form = UnitMoveForm(request.POST or None, parents=parents)
    saved = form_saved(
        request, form, lambda data: services.unit_move(actor=request.user, unit=unit, new_parent=data["new_parent"])
    )
    if saved:
        messages.success(request, _("%(name)s has been moved.") % {"name": unit.name})
        return redirect("units:structure", pk=Unit.objects.get_parent(saved.result).pk)
    return _form_page(
        request,
        unit,
        form,
        title=_("Move %(name)s") % {"name": unit.name},
        intro=_("Everything below it, its people and their work move with it. Only units that may hold it are listed."),
        submit=_("Move"),
        confirm=_("Move this unit and everything below it?"),
        extra={"empty_choice": not parents.exists()},
    )


@login_required
def unit_merge(request, pk: int):
    """Merge a unit into another of the same kind; it stays, closed, pointing at its successor."""
    unit = _unit_checked(request.user, pk, can_change_unit)
    targets = structure_merge_targets_for(request.user, unit)
    form = UnitMergeForm(request.POST or None, targets=targets)
    saved = form_saved(
        request, form, lambda data: services.unit_merge(actor=request.user, source=unit, into=data["into"])
    )
    if saved:
        messages.success(
            request, _("%(name)s has been merged into %(into)s.") % {"name": unit.name, "into": saved.result.name}
        )
        return _back_to_parent(saved.result)
    return _form_page(
        request,
        unit,
        form,
        title=_("Merge %(name)s into another unit") % {"name": unit.name},
        intro=_("Its units, people and roles go to the chosen unit. This cannot be undone from this page."),
        submit=_("Merge"),
        confirm=_("Merge this unit? This cannot be undone."),
        danger=True,
        extra={"empty_choice": not targets.exists()},
    )


@login_required
def unit_close(request, pk: int):
    """Close a unit that no longer runs; it keeps its history and figures up to the closing date."""
    unit = _unit_checked(request.user, pk, can_change_unit)
    form = UnitCloseForm(request.POST or None, initial={"on": timezone.localdate()})
    saved = form_saved(request, form, lambda data: services.unit_close(actor=request.user, unit=unit, on=data["on"]))
    if saved:
        messages.success(request, _("%(name)s has been closed.") % {"name": unit.name})
        return _back_to_parent(unit)
    return _form_page(
        request,
        unit,
        form,
        title=_("Close %(name)s") % {"name": unit.name},
        intro=_("A closed unit keeps its history and figures up to its closing date; it can be reopened."),
        submit=_("Close the unit"),
        confirm=_("Close this unit?"),
        danger=True,
        extra={"blockers": services.unit_close_blockers(unit=unit) if unit.is_active else None},
    )


@login_required
@require_POST
def unit_reopen(request, pk: int):
    unit = _unit_checked(request.user, pk, can_change_unit)
    with service_outcome(request, _("%(name)s has been reopened.") % {"name": unit.name}):
        services.unit_reopen(actor=request.user, unit=unit)
    return _back_to_parent(unit)


# --- Clusters ------------------------------------------------------------------------------------


def _cluster_schools(owner: Unit):
    return Unit.objects.schools_under(owner).filter(kind=Unit.Kind.SCHOOL, is_active=True).order_by("name_folded")


@login_required
def cluster_list(request, pk: int):
    """The school clusters an Office or Department runs."""
    owner = _unit_checked(request.user, pk, can_manage_clusters)
    clusters = Cluster.objects.filter(owner=owner).order_by("name").prefetch_related("schools")
    query = search_text(request.GET.get("q"))
    if query:
        clusters = clusters.filter(name__icontains=query)
    page = Paginator(clusters, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"unit": owner, "ancestors": _breadcrumbs(request.user, owner), "page": page, "query": query}
    return render(request, "units/cluster_list.html", context)


@login_required
def cluster_add(request, pk: int):
    owner = _unit_checked(request.user, pk, can_manage_clusters)
    form = ClusterForm(request.POST or None, schools=_cluster_schools(owner))
    saved = form_saved(request, form, lambda data: services.cluster_create(actor=request.user, owner=owner, **data))
    if saved:
        messages.success(request, _("The cluster %(name)s has been created.") % {"name": saved.result.name})
        return redirect("units:clusters", pk=owner.pk)
    return _form_page(request, owner, form, title=_("New school cluster"), submit=_("Create"))


def _cluster_checked(user, pk) -> Cluster:
    cluster = get_object_or_404(Cluster.objects.select_related("owner"), pk=pk)
    _unit_checked(user, cluster.owner_id, can_manage_clusters)
    return cluster


@login_required
def cluster_edit(request, pk: int):
    cluster = _cluster_checked(request.user, pk)
    owner = cluster.owner
    initial = {"code": cluster.code, "name": cluster.name, "schools": list(cluster.schools.all())}
    form = ClusterForm(request.POST or None, initial=initial, schools=_cluster_schools(owner))
    saved = form_saved(request, form, lambda data: services.cluster_update(actor=request.user, cluster=cluster, **data))
    if saved:
        messages.success(request, _("The cluster %(name)s has been saved.") % {"name": saved.result.name})
        return redirect("units:clusters", pk=owner.pk)
    return _form_page(
        request, owner, form, title=_("Change the cluster %(name)s") % {"name": cluster.name}, submit=_("Save")
    )


@login_required
@require_POST
def cluster_remove(request, pk: int):
    cluster = _cluster_checked(request.user, pk)
    with service_outcome(request, _("The cluster %(name)s has been removed.") % {"name": cluster.name}):
        services.cluster_remove(actor=request.user, cluster=cluster)
    return redirect("units:clusters", pk=cluster.owner_id)
