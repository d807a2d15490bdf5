from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from truonghoc.text import fold

from . import selectors
from .models import Role, Unit
from .permissions import Action, can, unit_for_user_or_404

PAGE_SIZE = 50


@login_required
def unit_space(request, pk: int):
    """A unit's space: where it sits, its sub-units with their people counts, and what the visitor may do."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    User = get_user_model()
    children = selectors.unit_children(unit=unit)
    query = request.GET.get("q", "").strip()
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
        "Role": Role,
    }
    template = "units/unit_space.html#children" if request.htmx else "units/unit_space.html"
    return render(request, template, context)


@login_required
def unit_people(request, pk: int):
    """The people of a unit: members of a group or class, or the accounts belonging to a school."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    people = selectors.people_of(unit=unit, user_model=get_user_model())
    query = request.GET.get("q", "").strip()
    if query:
        people = people.filter(name_folded__contains=fold(query))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"unit": unit, "page": page, "query": query}
    template = "units/unit_people.html#people" if request.htmx else "units/unit_people.html"
    return render(request, template, context)
