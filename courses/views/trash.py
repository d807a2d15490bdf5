"""Removing and restoring course content, one pair of pages for every kind (course, section, assignment,
submission, live session, product), and a unit's trash: what was removed in its subtree, when and by
whom, with Restore for those who may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from units.permissions import TEACHING_ROLES, Action, can, has_role, unit_for_user_or_404

from ..permissions import can_delete_content, can_restore_content, can_view_course, course_of
from ..selectors.trash import TRASH_PAGE_SIZE, trash_page_items, trash_rows
from ..services.trash import KINDS, RELATED, content_delete, content_restore, describe


def _object_or_404(user, kind: str, pk: int, *, allowed):
    """The item, if `allowed(user, item)`; anything else — an unknown kind, someone else's item, one out of
    the viewer's scope — looks missing."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model.objects.select_related(*RELATED[kind]), pk=pk)
    if not allowed(user, obj):
        raise Http404
    return obj


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def _reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # pages of other modules that may not be installed
        return ""


def _back_to(user, obj) -> str:
    """Where to go once an item is removed or restored: its course (when the person still sees it), its
    group's space for a product, else the unit's trash."""
    course = course_of(obj)
    if course is None:
        return reverse("courses:group_space", args=[obj.unit_id])
    if can_view_course(user, course):
        url = _reverse("courses:course", course.pk)
        if url:
            return url
    return reverse("courses:trash", args=[course.unit_id])


def _tell(request, change, success: str, obj) -> None:
    """Run a trash service and say how it went: each of its refusals as a message of its own (several
    may apply at once), else `success` naming the object as it reads after the change."""
    try:
        change()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success % {"what": describe(obj)})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, kind: str, pk: int):
    """GET: what will be removed, and a confirmation; POST: remove it (soft: restorable)."""
    user = request.user
    obj = _object_or_404(user, kind, pk, allowed=can_delete_content)
    if request.method == "POST":
        _tell(
            request,
            lambda: content_delete(actor=user, obj=obj),
            _("%(what)s has been removed. It can be restored from the trash."),
            obj,
        )
        return redirect(_safe_next(request) or _back_to(user, obj))
    cancel = _safe_next(request) or request.META.get("HTTP_REFERER", "")
    if cancel and not url_has_allowed_host_and_scheme(cancel, allowed_hosts={request.get_host()}):
        cancel = ""
    context = {"obj": obj, "kind": kind, "what": describe(obj), "cancel": cancel, "next": _safe_next(request)}
    return render(request, "courses/delete_confirm.html", context)


@login_required
@require_POST
def restore(request, kind: str, pk: int):
    user = request.user
    obj = _object_or_404(user, kind, pk, allowed=can_restore_content)
    _tell(request, lambda: content_restore(actor=user, obj=obj), _("%(what)s has been restored."), obj)
    return redirect(_safe_next(request) or _back_to(user, obj))


@login_required
def trash(request, pk: int):
    """The removed items of a unit's subtree that the viewer may restore. Those who manage the unit see
    everything; teachers see what they removed from their own courses and products."""
    user = request.user
    unit = unit_for_user_or_404(user, pk, Action.VIEW)
    manages = can(user, Action.MANAGE, unit)
    if not (manages or has_role(user, *TEACHING_ROLES)):
        raise Http404
    page = Paginator(trash_rows(user=user, unit=unit), TRASH_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"unit": unit, "page": page, "items": trash_page_items(page.object_list)}
    return render(request, "courses/trash_list.html", context)


urlpatterns = [
    path("xoa/<slug:kind>/<id:pk>/", delete, name="delete"),
    path("khoi-phuc/<slug:kind>/<id:pk>/", restore, name="restore"),
    path("thung-rac/<id:pk>/", trash, name="trash"),
]
