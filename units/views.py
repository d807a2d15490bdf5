from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from truonghoc.formatting import number
from truonghoc.imports.engine import Confirm, Inline, Outcome
from truonghoc.text import fold, search_text
from truonghoc.xlsx import xlsx_response

from . import selectors
from .forms import DeclareNumbersForm, UnitImportForm
from .importing import (
    COLUMNS,
    IMPORTER,
    unit_import_confirm,
    unit_import_start,
    unit_import_template_xlsx,
)
from .models import Role, Unit, UnitImport, UnitImportRow
from .permissions import Action, can, can_import_units, can_see_usernames, unit_for_user_or_404
from .services import unit_declare_numbers

PAGE_SIZE = 50


@login_required
def unit_space(request, pk: int):
    """A unit's space: where it sits, its sub-units with their people counts, and what the visitor may do."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    User = get_user_model()
    children = selectors.unit_children(unit=unit)
    query = search_text(request.GET.get("q"))
    if query:
        children = children.filter(name_folded__contains=fold(query))
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.people_counts_by_child(unit=unit, user_model=User)
    rows = [(child, counts.get(child.path, {})) for child in page]
    leaders = selectors.leaders_by_unit(units=[child for child, _c in rows if child.kind == Unit.Kind.GROUP])
    ancestors = [a for a in selectors.unit_ancestors(unit=unit) if can(user, Action.VIEW, a)]
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "page": page,
        "rows": [(child, child_counts, leaders.get(child.pk, [])) for child, child_counts in rows],
        "query": query,
        "totals": selectors.people_counts(unit=unit, user_model=User),
        "child_kinds": selectors.child_kind_counts(unit=unit),
        "can_manage": can(user, Action.MANAGE, unit),
        "can_manage_accounts": can(user, Action.MANAGE_ACCOUNTS, unit),
        "can_view_reports": can(user, Action.VIEW_REPORTS, unit),
        "can_import_units": can_import_units(user, unit),
        "Role": Role,
    }
    template = "units/unit_space.html#children" if request.htmx else "units/unit_space.html"
    return render(request, template, context)


@login_required
def unit_people(request, pk: int):
    """The people of a unit: members of a group or class, or the accounts belonging to a school."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    # Who is listed and whether usernames show are rules of permissions/selectors, not of the template.
    people = selectors.people_listable_by(user=user, unit=unit, user_model=get_user_model())
    query = search_text(request.GET.get("q"))
    if query:
        people = people.filter(name_folded__contains=fold(query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    # Everyone listed belongs to this unit's school (or is staff of this unit), so one check decides
    # whether names link to the account pages (accounts.permissions.can_view_account says the same).
    link_accounts = can(user, Action.MANAGE_ACCOUNTS, unit) or can(user, Action.VIEW_REPORTS, unit)
    context = {
        "unit": unit,
        "page": page,
        "query": query,
        "link_accounts": link_accounts,
        "show_usernames": can_see_usernames(user, unit),
    }
    template = "units/unit_people.html#people" if request.htmx else "units/unit_people.html"
    return render(request, template, context)


AUDIT_PAGE_SIZE = 50


@login_required
def unit_audit(request, pk: int):
    """The audit log of a unit's whole subtree, for the unit's managers and the units above it."""
    user = request.user
    unit = get_object_or_404(Unit, pk=pk)
    if not (can(user, Action.VIEW_REPORTS, unit) or can(user, Action.MANAGE_ACCOUNTS, unit)):
        raise Http404
    action = search_text(request.GET.get("action"))
    page = Paginator(selectors.audit_entries_for(unit=unit, action=action or None), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "unit": unit,
        "page": page,
        "rows": [(entry, selectors.audit_action_label(entry.action), selectors.audit_changes(entry)) for entry in page],
        "action": action,
        "actions": selectors.audit_actions_for(unit=unit),
    }
    return render(request, "units/unit_audit.html", context)


@login_required
def unit_declare(request, pk: int):
    """The school says how many teachers and students it has; coverage is measured against it."""
    unit = unit_for_user_or_404(request.user, pk, Action.MANAGE)
    if not unit.is_school:
        raise Http404
    form = DeclareNumbersForm(
        request.POST or None, initial={"teachers": unit.declared_teachers, "students": unit.declared_students}
    )
    if request.method == "POST" and form.is_valid():
        unit_declare_numbers(actor=request.user, unit=unit, **form.cleaned_data)
        messages.success(request, _("The declared numbers have been saved; the figures use them from the next update."))
        return redirect("units:space", pk=unit.pk)
    return render(request, "units/unit_declare.html", {"unit": unit, "form": form})


# --- units from a spreadsheet (units.importing) -------------------------------------------------------
def _import_unit_or_404(user, pk: int) -> Unit:
    """The unit loaded into: out of sight it is missing (404); in sight but not the user's to load, 403."""
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    if not can_import_units(user, unit):
        raise PermissionDenied
    return unit


@login_required
def unit_import_template(request, pk: int):
    unit = _import_unit_or_404(request.user, pk)
    return xlsx_response(unit_import_template_xlsx(under=unit), f"mau-nhap-don-vi-{unit.code}.xlsx", audit=None)


@login_required
def unit_import_upload(request, pk: int):
    from .tasks import unit_import_validate_task

    unit = _import_unit_or_404(request.user, pk)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = unit_import_start(actor=request.user, under=unit, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            IMPORTER.dispatch(unit_import_validate_task, batch)
            return redirect("units:import_batch", batch.pk)
    context = {
        "unit": unit,
        "form": form,
        "columns": COLUMNS,
        "batches": UnitImport.objects.filter(under=unit).select_related("created_by")[:10],
    }
    return render(request, "units/unit_import.html", context)


def _import_batch_or_404(user, pk: int) -> UnitImport:
    batch = get_object_or_404(UnitImport.objects.select_related("under", "created_by"), pk=pk)
    if not can_import_units(user, batch.under):
        raise Http404
    return batch


SHOW = {
    "problems": UnitImportRow.Action.ERROR,
    "new": UnitImportRow.Action.CREATE,
    "updated": UnitImportRow.Action.UPDATE,
}


@login_required
def unit_import_batch(request, pk: int):
    """A loaded file: its status, then every row with what confirming does (or why it is refused)."""
    batch = _import_batch_or_404(request.user, pk)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show in SHOW:
        rows = rows.filter(action=SHOW[show])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"batch": batch, "unit": batch.under, "page": page, "show": show}
    return IMPORTER.render_page(
        request, "units/unit_import_batch.html", context, element_id="unit-import-status", outcome=_import_outcome
    )


def _import_outcome(batch: UnitImport) -> Outcome | None:
    counts = {
        "total": number(batch.total_rows),
        "new": number(batch.new_rows),
        "updated": number(batch.updated_rows),
        "unchanged": number(batch.unchanged_rows),
    }
    if batch.status == UnitImport.Status.DONE:
        text = _("Done: %(new)s units created, %(updated)s updated, %(unchanged)s unchanged.") % counts
        return Outcome("success", "unit-import-done", lines=[Inline(text)])
    if batch.status == UnitImport.Status.READY:
        text = _(
            "All %(total)s rows are correct: %(new)s units will be created, %(updated)s updated, %(unchanged)s "
            "are unchanged."
        )
        confirm = Confirm(reverse("units:import_confirm", args=[batch.pk]), _("Apply the whole file"))
        return Outcome("primary", lines=[Inline(text % counts)], confirm=confirm)
    lines = [batch.message] if batch.message else []
    if batch.status == UnitImport.Status.INVALID and batch.total_rows and not batch.error_rows:
        return Outcome("info", "unit-import-nothing", lines=lines)
    if batch.error_rows:
        lines.append(
            ngettext(
                "%(n)s row is refused; nothing was changed. Correct the file and upload it again.",
                "%(n)s rows are refused; nothing was changed. Correct the file and upload it again.",
                batch.error_rows,
            )
            % {"n": number(batch.error_rows)}
        )
    links = [(reverse("units:import", args=[batch.under_id]), _("Upload a corrected file"))]
    return Outcome("danger", "unit-import-problems", lines=lines, links=links)


@login_required
@require_POST
def unit_import_confirm_view(request, pk: int):
    from .tasks import unit_import_apply_task

    batch = _import_batch_or_404(request.user, pk)
    try:
        batch = unit_import_confirm(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("units:import_batch", batch.pk)
    IMPORTER.dispatch(unit_import_apply_task, batch, request.user.pk)
    return redirect("units:import_batch", batch.pk)
