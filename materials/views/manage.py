"""Making and editing learning materials, sending them for approval, the reviewers' queue and
decisions, proposals to share up the tree, the item's trail and the author's own list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from approvals import views as approval_pages
from truonghoc.forms import form_saved

from ..forms import MaterialForm
from ..models import VersionStatus
from ..permissions import (
    can_edit_material,
    can_propose,
    can_remove_material,
    can_review_version,
    maker_units,
    material_for_user_or_404,
    proposal_targets,
    review_for_user_or_404,
    version_for_user_or_404,
)
from ..selectors import approval as selectors
from ..selectors import library as library_selectors
from ..selectors import questions as question_selectors
from ..services import library as services
from .common import ItemPages, act_and_return, maker_unit, restore_view

PAGE_SIZE = 20
ITEM = ItemPages(fetch=material_for_user_or_404, page="materials:history")


@login_required
@require_http_methods(["GET", "POST"])
def material_new(request):
    unit, units = maker_unit(request)
    form = MaterialForm(request.POST or None, request.FILES or None, user=request.user)
    saved = form_saved(
        request,
        form,
        lambda _data: services.material_create(
            actor=request.user, unit=unit, kind=form.cleaned_data["kind"], **form.service_fields()
        ),
        upload_field="file",
    )
    if saved is not None:
        material = saved.result
        messages.success(
            request,
            _("“%(title)s” is saved as a draft. Send it for approval when it is ready.") % {"title": material.title},
        )
        return redirect("materials:history", material.pk)
    context = {"form": form, "unit": unit, "units": units, "material": None}
    return render(request, "materials/material_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def material_edit(request, pk: int):
    """Edits the open draft, or starts a new version of an approved or refused item; the live version
    stays live until the new one is approved."""
    material = material_for_user_or_404(request.user, pk)
    if not can_edit_material(request.user, material):
        raise PermissionDenied
    version = services.open_version(material)
    if version is not None and version.status != VersionStatus.DRAFT:
        messages.info(
            request,
            _("Version %(number)d is waiting for review; it cannot be changed now.") % {"number": version.number},
        )
        return redirect("materials:history", material.pk)
    source = version or material.versions.exclude(status=VersionStatus.SUPERSEDED).order_by("-number").first()
    initial = {
        "title": source.title,
        "description": source.description,
        "usage_guide": source.usage_guide,
        "body": source.body,
        "link_url": source.link_url,
        "uses": ", ".join(str(pk) for pk in source.uses.values_list("pk", flat=True)),
        "subject": material.subject,
        "grade": material.grade,
        "topic": material.topic,
        "licence": material.licence,
    }
    form = MaterialForm(
        request.POST or None, request.FILES or None, user=request.user, material=material, initial=initial
    )

    def save(_data):
        if version is None:
            return services.version_new(actor=request.user, material=material, **form.service_fields())
        return services.version_update(actor=request.user, version=version, **form.service_fields())

    saved = form_saved(request, form, save, upload_field="file")
    if saved is not None:
        messages.success(request, _("Version %(number)d is saved as a draft.") % {"number": saved.result.number})
        return redirect("materials:history", material.pk)
    context = {"form": form, "material": material, "version": version, "source": source, "unit": material.unit}
    return render(request, "materials/material_form.html", context)


@login_required
@require_POST
def material_submit(request, pk: int):
    material = material_for_user_or_404(request.user, pk)
    if not can_edit_material(request.user, material):
        raise PermissionDenied
    version = services.open_version(material)
    if version is None:
        messages.error(request, _("There is no draft to send for approval."))
        return redirect("materials:history", material.pk)
    return act_and_return(
        request,
        lambda: services.version_submit(actor=request.user, version=version),
        success=_("Version %(number)d was sent for approval.") % {"number": version.number},
        back=ITEM.url(material),
    )


@login_required
def review_queue(request):
    versions = Paginator(selectors.waiting_versions(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    proposals = Paginator(selectors.waiting_proposals(user=request.user), PAGE_SIZE).get_page(request.GET.get("p"))
    questions = Paginator(question_selectors.waiting_questions(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("qpage")
    )
    question_proposals = Paginator(
        question_selectors.waiting_question_proposals(user=request.user), PAGE_SIZE
    ).get_page(request.GET.get("qp"))
    context = {
        "versions": versions,
        "proposals": proposals,
        "questions": questions,
        "question_proposals": question_proposals,
    }
    return render(request, "materials/review_queue.html", context)


def _decision_context(material, version, *, title: str) -> dict:
    """What the approval engine's decision page (a version's step, a proposal) needs to show an item."""
    return {
        "material": material,
        "version": version,
        "item_title": title,
        "content_template": "materials/_version_content.html",
    }


@login_required
@require_http_methods(["GET", "POST"])
def version_review(request, pk: int):
    version = version_for_user_or_404(request.user, pk)
    material = version.material
    context = {
        **_decision_context(material, version, title=version.title),
        "uses": library_selectors.used_items(user=request.user, version=version),
        "status_of": version,
        "history_url": ITEM.url(material),
    }
    return approval_pages.decision_page(request, services.LIBRARY, subject=version, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_review(request, pk: int):
    review = review_for_user_or_404(request.user, pk)
    material = review.material
    context = {
        **_decision_context(material, material.live_version or review.version, title=material.title),
        "shared_with": material.shared_with,
        "note": _("Approving shares the item with every school under %(unit)s.") % {"unit": review.unit.name},
    }
    return approval_pages.decision_page(request, services.LIBRARY, review=review, context=context)


@login_required
@require_http_methods(["GET", "POST"])
def material_propose(request, pk: int):
    material = material_for_user_or_404(request.user, pk)
    if not can_propose(request.user, material):
        raise PermissionDenied
    intro = _(
        "The item is shared with %(unit)s. The unit you propose it to vets it; if it approves, every school "
        "under it sees the item."
    )
    context = {
        "material": material,
        "item_title": material.title,
        "back_label": material.title,
        "intro": intro % {"unit": material.shared_with.name},
    }
    return approval_pages.proposal_page(request, services.LIBRARY, item=material, context=context)


@login_required
def material_history(request, pk: int):
    material = material_for_user_or_404(request.user, pk)
    user = request.user
    open_version = services.open_version(material)
    context = {
        "material": material,
        "trail": selectors.material_trail(material=material, user=user),
        "versions": selectors.material_versions(material=material, user=user),
        "open_version": open_version,
        "may_edit": can_edit_material(user, material),
        "may_remove": can_remove_material(user, material),
        "may_propose": can_propose(user, material) and bool(proposal_targets(material)),
        "may_review": open_version is not None and can_review_version(user, open_version),
        "waiting_proposal": material.reviews.filter(is_open=True).select_related("unit").first(),
    }
    return render(request, "materials/history.html", context)


@login_required
def material_mine(request):
    removed = request.GET.get("removed") == "1"
    items = selectors.my_materials(user=request.user, removed=removed)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "materials/mine.html",
        {"page": page, "may_create": bool(maker_units(request.user)), "removed": removed},
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_delete(request, pk: int):
    """Asks first (GET), removes on POST."""
    material = material_for_user_or_404(request.user, pk)
    if not can_remove_material(request.user, material):
        raise PermissionDenied
    if request.method == "POST":
        return act_and_return(
            request,
            lambda: services.material_delete(actor=request.user, material=material),
            success=_("%(title)s was removed. It can be restored from its history page.") % {"title": material.title},
            back=ITEM.url(material),
        )
    return render(request, "materials/material_delete.html", {"material": material})


material_restore = restore_view(
    ITEM,
    may_restore=can_remove_material,
    restore=lambda actor, material: services.material_restore(actor=actor, material=material),
    success=lambda material: _("%(title)s was restored.") % {"title": material.title},
)


urlpatterns = [
    path("moi/", material_new, name="new"),
    path("cua-toi/", material_mine, name="mine"),
    path("cho-duyet/", review_queue, name="review_queue"),
    path("<id:pk>/sua/", material_edit, name="edit"),
    path("<id:pk>/gui-duyet/", material_submit, name="submit"),
    path("<id:pk>/de-xuat/", material_propose, name="propose"),
    path("<id:pk>/lich-su/", material_history, name="history"),
    path("<id:pk>/xoa/", material_delete, name="delete"),
    path("<id:pk>/khoi-phuc/", material_restore, name="restore"),
    path("phien-ban/<id:pk>/duyet/", version_review, name="review"),
    path("de-xuat/<id:pk>/tham-dinh/", proposal_review, name="proposal"),
]
