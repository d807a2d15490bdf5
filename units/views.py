from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from truonghoc.text import fold, search_text

from . import selectors
from .forms import DeclareNumbersForm
from .models import Role, Unit
from .permissions import Action, can, can_run_rollover, can_see_usernames, can_view_rollovers, unit_for_user_or_404
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
        "can_run_rollover": can_run_rollover(user, unit),
        "can_view_rollovers": can_view_rollovers(user, unit),
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
