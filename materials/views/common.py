"""The steps the library's pages (manage.py) and the question bank's (questions.py) share: both make an
item in one of the user's units, save a form with an upload through a service, send an item for
approval, and remove or restore it. Written once here so that the two stay alike."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from truonghoc.forms import service_outcome

from ..permissions import maker_units


def maker_unit(request):
    """The unit a new item is made in (`?unit=`, else the first) and the units the user may choose from."""
    units = maker_units(request.user)
    if not units:
        raise PermissionDenied
    unit_pk = request.POST.get("unit") or request.GET.get("unit")
    unit = units[0]
    if unit_pk:
        unit = next((u for u in units if str(u.pk) == str(unit_pk)), None)
        if unit is None:
            raise Http404
    return unit, units


def act_and_return(request, action, *, success: str, back: str):
    """Runs a service that may refuse (a POST button: send for approval, remove, restore), says how it went, and
    goes back to the item's page."""
    with service_outcome(request, success):
        action()
    return redirect(back)


@dataclass(frozen=True)
class ItemPages:
    """How a kind of item (a library item, a question) is found for a user and where its page is: what the
    shared views below need to know of it."""

    fetch: Callable  # fetch(user, pk): the item the user may see, else 404
    page: str  # the URL name of the item's page, taking its pk

    def url(self, item) -> str:
        return reverse(self.page, args=[item.pk])


def restore_view(pages: ItemPages, *, may_restore, restore, success):
    """The POST button that brings a removed item back: `may_restore(user, item)` checks, `restore(actor,
    item)` is the service, `success(item)` the message; then back to the item's page."""

    @login_required
    @require_POST
    def view(request, pk: int):
        item = pages.fetch(request.user, pk)
        if not may_restore(request.user, item):
            raise PermissionDenied
        return act_and_return(request, lambda: restore(request.user, item), success=success(item), back=pages.url(item))

    return view
