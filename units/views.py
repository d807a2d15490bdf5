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
from truonghoc.forms import add_service_errors, form_saved, service_outcome
from truonghoc.imports.engine import Confirm, Inline, Outcome
from truonghoc.params import parse_id
from truonghoc.text import fold, search_text
from truonghoc.xlsx import xlsx_response

from . import selectors
from .forms import DeclareNumbersForm, RoleGrantForm, SchoolYearForm, UnitImportForm
from .importing import (
    COLUMNS,
    IMPORTER,
    unit_import_confirm,
    unit_import_start,
    unit_import_template_xlsx,
)
from .models import Role, RoleAssignment, SchoolYear, Unit, UnitImport, UnitImportRow
from .permissions import (
    NAMED_FROM_ABOVE_ROLES,
    Action,
    can,
    can_adjust_school_year,
    can_grant_role,
    can_import_units,
    can_manage_roles,
    can_manage_structure,
    can_run_rollover,
    can_see_usernames,
    can_set_homerooms,
    can_set_school_years,
    can_view_rollovers,
    grantable_roles,
    unit_for_user_or_404,
)
from .services import homerooms_set, role_grant, role_remove, school_year_adjust, school_year_set, unit_declare_numbers

PAGE_SIZE = 50


@login_required
def unit_space(request, pk: int):
    """A unit's space: where it sits, its sub-units with their people counts, and what the visitor may do."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    User = get_user_model()
    # Closed and merged units leave the active list; their managers find them on the structure page.
    children = selectors.unit_children(unit=unit).filter(is_active=True)
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
        "can_manage_structure": can_manage_structure(user, unit),
        "can_view_reports": can(user, Action.VIEW_REPORTS, unit),
        "can_manage_roles": unit.is_active and can_manage_roles(user, unit),
        "can_set_homerooms": can_set_homerooms(user, unit),
        "can_set_school_years": unit.kind == Unit.Kind.MINISTRY and can_set_school_years(user),
        "can_adjust_school_year": can_adjust_school_year(user, unit),
        "school_year": selectors.school_year_today(unit),
        "can_run_rollover": can_run_rollover(user, unit),
        "can_view_rollovers": can_view_rollovers(user, unit),
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


# --- People and roles, homeroom teachers (issue #15) ------------------------------------------------
def _unit_for_roles_or_404(user, pk: int) -> Unit:
    """A unit where the user may give some role; anything else looks missing."""
    unit = get_object_or_404(Unit, pk=pk)
    if not unit.is_active or not can_manage_roles(user, unit):
        raise Http404
    return unit


# --- units from a spreadsheet (units.importing) -------------------------------------------------------
def _import_unit_or_404(user, pk: int) -> Unit:
    """The unit loaded into: out of sight it is missing (404); in sight but not the user's to load, 403."""
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    if not can_import_units(user, unit):
        raise PermissionDenied
    return unit


@login_required
def unit_roles(request, pk: int):
    """A unit's "People and roles": who holds which role, with a form to name one of the unit's own
    people to a role below the user's own, and a button to take a role back."""
    user = request.user
    unit = _unit_for_roles_or_404(user, pk)
    roles = grantable_roles(user, unit)
    query = search_text(request.GET.get("q"))
    everyone = selectors.role_candidates(unit=unit)
    found = selectors.role_candidates(unit=unit, query=query) if query else everyone
    form = RoleGrantForm(request.POST or None, roles=roles, people=everyone if request.method == "POST" else found)
    if request.method == "POST" and form.is_valid():
        person, role = form.cleaned_data["person"], form.cleaned_data["role"]
        try:
            role_grant(actor=user, user=person, unit=unit, role=role)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s at %(unit)s; they have been notified.")
                % {"name": person.full_name, "role": Role(role).label, "unit": unit.name},
            )
            return redirect("units:roles", pk=unit.pk)
    holders = Paginator(selectors.role_holders(unit=unit), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "form": form,
        "query": query,
        "found_count": found.count() if query else None,
        "page": holders,
        "rows": [(row, can_grant_role(user, row.unit, row.role)) for row in holders],
        "show_usernames": can_see_usernames(user, unit),
        "can_set_homerooms": can_set_homerooms(user, unit),
        "can_issue_accounts": any(role in NAMED_FROM_ABOVE_ROLES for role in roles),
    }
    return render(request, "units/unit_roles.html", context)


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
def unit_role_remove(request, pk: int):
    """Take a role back (the page asks for confirmation first)."""
    user = request.user
    unit = _unit_for_roles_or_404(user, pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "unit"), pk=parse_id(request.POST.get("assignment")) or 0
    )
    if assignment.unit_id != unit.pk and not (
        unit.is_school and assignment.unit.kind == Unit.Kind.GROUP and assignment.unit.path.startswith(unit.path)
    ):
        raise Http404
    if not can_grant_role(user, assignment.unit, assignment.role):
        raise PermissionDenied
    words = {"name": assignment.user.full_name, "role": assignment.get_role_display(), "unit": assignment.unit.name}
    with service_outcome(request, _("%(name)s is no longer %(role)s at %(unit)s; they have been notified.") % words):
        role_remove(actor=user, user=assignment.user, unit=assignment.unit, role=assignment.role)
    return redirect("units:roles", pk=unit.pk)


@login_required
def school_homerooms(request, pk: int):
    """One form for every class of the school: its homeroom teacher, chosen from the school's teachers."""
    user = request.user
    school = get_object_or_404(Unit, pk=pk)
    if not can_set_homerooms(user, school):
        raise Http404
    classes = list(selectors.school_classes_with_homerooms(school=school))
    teachers = list(selectors.role_candidates(unit=school))
    by_pk = {t.pk: t for t in teachers}
    if request.method == "POST":
        choices, bad = {}, []
        for school_class in classes:
            raw = request.POST.get(f"class_{school_class.pk}")
            if raw is None:
                continue
            teacher_pk = parse_id(raw) if raw.strip() else None
            if raw.strip() and teacher_pk not in by_pk:
                bad.append(school_class.name)
                continue
            choices[school_class.pk] = by_pk.get(teacher_pk) if teacher_pk else None
        if bad:
            messages.error(
                request,
                _("Choose a teacher of the school from the list for: %(classes)s. Nothing was changed.")
                % {"classes": ", ".join(bad)},
            )
        else:
            with service_outcome(request) as outcome:
                changed = homerooms_set(actor=user, school=school, choices=choices)
                outcome.success = _("Homeroom teachers saved: %(count)s class(es) changed.") % {"count": changed}
            if outcome.ok:
                return redirect("units:homerooms", pk=school.pk)
    context = {"unit": school, "classes": classes, "teachers": teachers}
    return render(request, "units/school_homerooms.html", context)


# --- The school year: the Ministry's years, a Department's adjustment ------------------------------------

YEARS_PAGE_SIZE = 20


def _ministry_or_403(user) -> None:
    if not can_set_school_years(user):
        raise PermissionDenied


@login_required
def school_years(request):
    """The Ministry's school years, newest first, and the calendar in force today."""
    _ministry_or_403(request.user)
    page = Paginator(selectors.school_years_national(), YEARS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "units/school_years.html", {"page": page, "today": selectors.school_year_today()})


@login_required
def school_year_create(request):
    _ministry_or_403(request.user)
    following = selectors.school_year_today().year.first_year + 1
    form = SchoolYearForm(request.POST or None, initial={"label": f"{following}-{following + 1}"})
    saved = form_saved(request, form, lambda data: school_year_set(actor=request.user, **data))
    if saved:
        messages.success(request, _("The school year %(label)s has been saved.") % {"label": saved.result.label})
        return redirect("units:school_years")
    return render(request, "units/school_year_form.html", {"form": form, "title": _("New school year")})


@login_required
def school_year_edit(request, pk: int):
    _ministry_or_403(request.user)
    year = get_object_or_404(SchoolYear, pk=pk, department__isnull=True)
    form = SchoolYearForm(request.POST or None, initial=SchoolYearForm.initial_of(year))
    saved = form_saved(request, form, lambda data: school_year_set(actor=request.user, year=year, **data))
    if saved:
        messages.success(request, _("The school year %(label)s has been saved.") % {"label": saved.result.label})
        return redirect("units:school_years")
    title = _("School year %(label)s") % {"label": year.label.replace("-", "–")}
    return render(request, "units/school_year_form.html", {"form": form, "title": title, "year": year})


def _department_for_adjusting(user, pk) -> Unit:
    """The Department whose calendar the user adjusts: its own staff only; another unit, or a Department
    the user cannot see, looks missing (404), one they see but may not adjust is refused (403)."""
    unit = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.DEPARTMENT)
    if can_adjust_school_year(user, unit):
        return unit
    if can(user, Action.VIEW, unit):
        raise PermissionDenied
    raise Http404


@login_required
def department_school_years(request, pk: int):
    """A Department's page: each of the Ministry's years with the province's own dates, if it adjusted them."""
    department = _department_for_adjusting(request.user, pk)
    page = Paginator(selectors.school_years_of_department(department=department), YEARS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"unit": department, "page": page, "today": selectors.school_year_today(department)}
    return render(request, "units/department_school_years.html", context)


@login_required
def department_school_year_adjust(request, pk: int, year: int):
    department = _department_for_adjusting(request.user, pk)
    national = get_object_or_404(SchoolYear, pk=year, department__isnull=True)
    own = SchoolYear.objects.filter(department=department, label=national.label).first()
    form = SchoolYearForm(request.POST or None, with_label=False, initial=SchoolYearForm.initial_of(own or national))
    saved = form_saved(
        request,
        form,
        lambda data: school_year_adjust(actor=request.user, department=department, label=national.label, **data),
    )
    if saved:
        messages.success(
            request,
            _("The dates of the school year %(label)s have been adjusted for %(unit)s.")
            % {"label": national.label, "unit": department.name},
        )
        return redirect("units:school_years_department", pk=department.pk)
    context = {
        "form": form,
        "unit": department,
        "national": national,
        "own": own,
        "title": _("Adjust the school year %(label)s for the province") % {"label": national.label.replace("-", "–")},
    }
    return render(request, "units/school_year_form.html", context)


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
