"""Parent accounts on request (issue #17): the parent's form (open without an account; from a parent
account, to follow another child of the same school) and the school's list where its admin or principal
approves or declines. Rules: services/parent_requests.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.forms import add_service_errors
from truonghoc.http import client_ip
from truonghoc.paging import page_number
from units.models import Unit
from units.permissions import holds_role_at

from ..forms.parents import DeclineForm, ParentRequestForm
from ..models import ParentRequest, User
from ..services.parent_requests import (
    DECIDER_ROLES,
    parent_request_approve,
    parent_request_create,
    parent_request_decline,
)

# Guessing a child's code and date of birth from the open form: a few tries an hour from one address.
TRIES_PER_HOUR = 10


def _too_many(request) -> bool:
    key = f"parent-request:{client_ip(request)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) > TRIES_PER_HOUR
    except ValueError:
        return False


def parent_request_new(request):
    user = request.user
    parent = user if user.is_authenticated and user.account_type == User.AccountType.PARENT else None
    if user.is_authenticated and parent is None:
        raise Http404  # staff and students issue or have their own accounts
    form = ParentRequestForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        if _too_many(request):
            form.add_error(None, _("Too many requests from here in the last hour. Try again later, or ask the school."))
        else:
            data = form.cleaned_data
            try:
                parent_request_create(
                    school_code=data.get("school_code", ""),
                    student_code=data["student_code"],
                    date_of_birth=data["date_of_birth"],
                    values={
                        k: data.get(k, "") for k in ("parent_name", "parent_phone", "parent_email", "parent_relation")
                    },
                    requester=parent,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "accounts/parent_request_sent.html", {"parent": parent})
    return render(request, "accounts/parent_request_new.html", {"form": form, "parent": parent})


def _school_or_404(user, school_pk) -> Unit:
    school = get_object_or_404(Unit, pk=school_pk, kind=Unit.Kind.SCHOOL)
    if not (user.is_superuser or holds_role_at(user, school, DECIDER_ROLES)):
        raise Http404
    return school


@login_required
def parent_requests(request, school_pk: int):
    school = _school_or_404(request.user, school_pk)
    status = request.GET.get("status") if request.GET.get("status") in ParentRequest.Status.values else "waiting"
    rows = (
        ParentRequest.objects.filter(school=school, status=status)
        .select_related("child", "requester", "decided_by", "batch")
        .order_by("created_at" if status == "waiting" else "-decided_at", "id")
    )
    page = Paginator(rows, 30).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "accounts/parent_requests.html",
        {"school": school, "page": page, "status": status, "statuses": ParentRequest.Status.choices,
         "decline_form": DeclineForm()},
    )  # fmt: skip


@login_required
@require_POST
def parent_request_decide(request, pk: int):
    parent_request = get_object_or_404(ParentRequest.objects.select_related("school", "child"), pk=pk)
    school = _school_or_404(request.user, parent_request.school_id)
    back = redirect("accounts:parent_requests", school.pk)
    try:
        if request.POST.get("decision") == "approve":
            decided = parent_request_approve(actor=request.user, request=parent_request)
            if decided.created:
                messages.success(
                    request,
                    _("Parent account %(username)s issued for %(child)s: hand the parent the slip below.")
                    % {"username": decided.request.parent.username, "child": parent_request.child.full_name},
                )
                return redirect("accounts:batch", decided.batch.pk)
            messages.success(
                request,
                _("%(parent)s's account now follows %(child)s.")
                % {"parent": decided.request.parent.full_name, "child": parent_request.child.full_name},
            )
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why the request is declined: the parent is told."))
            parent_request_decline(actor=request.user, request=parent_request, reason=form.cleaned_data["reason"])
            messages.success(request, _("The request was declined."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return back
