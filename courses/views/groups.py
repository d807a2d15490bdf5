"""A professional group's space (tổ/nhóm chuyên môn): members and leader, each teacher's topics and
products this semester, the group's topics and products, everything posted month by month, and handing
in a product (a file or a link) with its permission-checked download."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truonghoc.forms import cleaned_values, form_saved, service_outcome
from truonghoc.storage import file_response
from units.models import Target, Unit
from units.periods import semester_of
from units.permissions import Action, can, unit_for_user_or_404
from units.selectors import effective_targets

from ..forms.groups import ProductForm
from ..models import Course, Product
from ..permissions import (
    can_assign_group_tasks,
    can_create_course,
    can_follow_group_tasks,
    can_restore_content,
    product_review_problem,
)
from ..selectors import group_tasks as task_selectors
from ..selectors import groups as selectors
from ..services.topics import is_group_member, product_create, product_review

PAGE_SIZE = 20
LATEST = 5


def _group_or_404(user, pk) -> Unit:
    group = unit_for_user_or_404(user, pk, Action.VIEW)
    if group.kind != Unit.Kind.GROUP:
        raise Http404
    return group


def _product_target(group: Unit):
    return effective_targets(unit=group)[Target.Metric.PRODUCTS_PER_TEACHER].value


@login_required
def group_space(request, pk: int):
    user = request.user
    group = _group_or_404(user, pk)
    semester = semester_of(timezone.localdate(), group)  # the school year as the group's province reads it
    target = _product_target(group)
    members = selectors.group_semester(group=group, period=semester, product_target=target)
    context = {
        "group": group,
        "school": group.school(),
        "semester": semester,
        "target": target,
        "members": members,
        "leaders": [m.user for m in members if m.is_leader],
        "without_product": sum(1 for m in members if m.needs_product),
        "topics": list(selectors.group_topics(group=group, user=user)[:LATEST]),
        "products": list(selectors.group_products(group=group)[:LATEST]),
        "flagged": selectors.flagged_topic_count(group=group),
        "is_member": is_group_member(user, group),
        "can_manage": can(user, Action.MANAGE, group),
        "can_create_topic": can_create_course(user, group, Course.Kind.TOPIC),
    }
    # The school's tasks for the group, open ones (nearest deadline first): its members and the principal.
    if context["is_member"] or can_follow_group_tasks(user, group.school_path):
        tasks = task_selectors.group_tasks(group=group).exclude(status="done")
        context.update(open_tasks=list(tasks[:LATEST]), sees_tasks=True)
        context["can_give_task"] = can_assign_group_tasks(user, group.school_path)
    return render(request, "courses/group_space.html", context)


@login_required
def group_topics(request, pk: int):
    group = _group_or_404(request.user, pk)
    page = Paginator(selectors.group_topics(group=group, user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"group": group, "page": page, "can_create_topic": can_create_course(request.user, group, "topic")}
    return render(request, "courses/group_topics.html", context)


@login_required
def group_products(request, pk: int):
    group = _group_or_404(request.user, pk)
    page = Paginator(selectors.group_products(group=group), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"group": group, "page": page, "is_member": is_group_member(request.user, group)}
    return render(request, "courses/product_list.html", context)


def _month_param(value: str | None) -> date:
    """ "2025-03" → 1 March 2025; anything else → this month."""
    today = timezone.localdate().replace(day=1)
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        chosen = date(year, month, 1)
    except (TypeError, ValueError):
        return today
    return chosen if date(2000, 1, 1) <= chosen <= today else today


@login_required
def group_by_month(request, pk: int):
    """Everything the group's teachers posted, month → teacher → dated items, twelve months a page."""
    group = _group_or_404(request.user, pk)
    last = _month_param(request.GET.get("den"))
    months = selectors.group_by_month(group=group, last_month=last)
    this_month = timezone.localdate().replace(day=1)
    newer = selectors.month_start(last, -selectors.MONTHS_PER_PAGE)
    context = {
        "group": group,
        "months": months,
        "older": selectors.month_start(last, selectors.MONTHS_PER_PAGE).strftime("%Y-%m"),
        "newer": (newer if newer <= this_month else this_month).strftime("%Y-%m") if last < this_month else "",
    }
    return render(request, "courses/group_by_month.html", context)


# What the product form gives its service besides the file (the form calls it "file", the service "upload").
PRODUCT_FIELDS = ("title", "description", "link_url", "topic")


@login_required
@require_http_methods(["GET", "POST"])
def product_create_view(request, pk: int):
    user = request.user
    group = _group_or_404(user, pk)
    if not is_group_member(user, group):
        raise Http404
    form = ProductForm(request.POST or None, request.FILES or None, topics=selectors.product_topic_choices(group=group))
    saved = form_saved(
        request,
        form,
        lambda data: product_create(
            actor=user, group=group, upload=data["file"], **cleaned_values(form, PRODUCT_FIELDS)
        ),
        upload_field="file",
    )
    if saved:
        messages.success(request, _("Your product has been handed in to %(group)s.") % {"group": group.name})
        return redirect("courses:product", saved.result.pk)
    return render(request, "courses/product_create.html", {"group": group, "form": form})


def _product_or_404(user, pk) -> Product:
    product = get_object_or_404(
        Product.objects.select_related("unit", "author", "topic", "deleted_by", "reviewed_by"), pk=pk
    )
    if not can(user, Action.VIEW, product.unit):
        raise Http404
    if product.is_deleted and not can_restore_content(user, product):
        raise Http404
    return product


def _may_review(user, product: Product) -> bool:
    return not product_review_problem(user, product)


@login_required
def product_detail(request, pk: int):
    product = _product_or_404(request.user, pk)
    context = {"product": product, "group": product.unit, "may_review": _may_review(request.user, product)}
    return render(request, "courses/product_detail.html", context)


@login_required
@require_http_methods(["POST"])
def product_review_view(request, pk: int):
    product = _product_or_404(request.user, pk)
    with service_outcome(request, _("Marked as reviewed; %(name)s has been told.") % {"name": product.author}):
        product_review(actor=request.user, product=product)
    return redirect("courses:product", product.pk)


@login_required
def product_download(request, pk: int):
    product = _product_or_404(request.user, pk)
    if not product.file:
        raise Http404
    return file_response(product.file, name=product.file_name)


urlpatterns = [
    path("to-chuyen-mon/<id:pk>/", group_space, name="group_space"),
    path("to-chuyen-mon/<id:pk>/chuyen-de/", group_topics, name="group_topics"),
    path("to-chuyen-mon/<id:pk>/san-pham/", group_products, name="group_products"),
    path("to-chuyen-mon/<id:pk>/theo-thang/", group_by_month, name="group_by_month"),
    path("to-chuyen-mon/<id:pk>/nop-san-pham/", product_create_view, name="product_create"),
    path("san-pham/<id:pk>/", product_detail, name="product"),
    path("san-pham/<id:pk>/tai-ve/", product_download, name="product_download"),
    path("san-pham/<id:pk>/da-xem-xet/", product_review_view, name="product_review"),
]
