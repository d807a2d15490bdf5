"""Quotas: the school sees its places and asks for more; the unit above sets and decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.params import parse_id

from ..forms.issuing import QuotaDecisionForm, QuotaRequestForm, QuotaSetForm
from ..models import AccountQuota, IssueBatch, QuotaRequest, User
from ..permissions import can_issue_accounts, can_set_quota, can_view_accounts, school_for_user_or_404
from ..selectors import quota_requests_for_decider, quota_requests_of
from ..services.issuing import import_quota_gap
from ..services.quotas import quota_request_create, quota_request_decide, quota_set, quota_usage, quota_usage_of


@login_required
def quota(request, school_pk: int):
    school = school_for_user_or_404(request.user, school_pk, check=can_view_accounts)
    may_request = can_issue_accounts(request.user, school)
    may_set = can_set_quota(request.user, school)
    usage = quota_usage(school=school)
    request_form = QuotaRequestForm(
        request.POST if "request" in request.POST else None,
        school=school,
        initial=_prefill_from_import(request, school, usage) if may_request else None,
    )
    current = AccountQuota.objects.filter(school=school).first()
    set_form = QuotaSetForm(
        request.POST if "set" in request.POST else None,
        initial={"teachers": current.teachers if current else 0, "students": current.students if current else 0},
    )
    if request.method == "POST":
        try:
            if "request" in request.POST and may_request and request_form.is_valid():
                sent = quota_request_create(actor=request.user, school=school, **request_form.cleaned_data)
                messages.success(request, _("Your request has been sent to %(parent)s.") % {"parent": _parent(school)})
                if sent.batch:
                    return redirect("accounts:batch", sent.batch_id)  # the import waits there for the answer
                return redirect("accounts:quota", school.pk)
            if "set" in request.POST and may_set and set_form.is_valid():
                quota_set(actor=request.user, school=school, **set_form.cleaned_data)
                messages.success(request, _("The quota of %(school)s has been updated.") % {"school": school.name})
                return redirect("accounts:quota", school.pk)
            if not (may_request or may_set):
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    context = {
        "school": school,
        "usage": usage,
        "requests": quota_requests_of(school=school)[:50],
        "request_form": request_form,
        "set_form": set_form,
        "may_request": may_request,
        "may_set": may_set,
    }
    return render(request, "accounts/quota.html", context)


def _prefill_from_import(request, school, usage) -> dict | None:
    """The request asked from a refused import's page (?lo=<batch>): its account type, the places
    missing and a reason that names the file."""
    pk = parse_id(request.GET.get("lo"))
    if pk is None:
        return None
    batch = IssueBatch.objects.filter(pk=pk, school=school, kind=IssueBatch.Kind.IMPORT).first()
    gap = import_quota_gap(batch=batch, usage=usage) if batch else 0
    if not gap:
        return None
    kind = _("teacher") if batch.account_type == User.AccountType.TEACHER else _("student")
    reason = _("For the import “%(file)s”: %(new)d new %(kind)s accounts, %(remaining)d places left.") % {
        "file": batch.original_name,
        "new": batch.new_rows,
        "kind": kind,
        "remaining": usage[batch.account_type]["remaining"],
    }
    return {"account_type": batch.account_type, "amount": gap, "reason": reason, "batch": batch.pk}


def _parent(school) -> str:
    from units.models import Unit

    parent = Unit.objects.get_parent(school)
    return parent.name if parent else ""


@login_required
def quota_requests(request):
    """Requests from the schools whose quota this person sets, pending first."""
    status = request.GET.get("status", QuotaRequest.Status.PENDING)
    if status not in QuotaRequest.Status.values:
        status = ""
    qs = quota_requests_for_decider(user=request.user, status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    # What each school holds now (quota, used, free, per account type), for all the page in two queries.
    usages = quota_usage_of(schools={r.school_id for r in page})
    for quota_request in page:
        usage = usages[quota_request.school_id]
        quota_request.usage_rows = [
            (User.AccountType.TEACHER, _("Teacher"), usage[User.AccountType.TEACHER]),
            (User.AccountType.STUDENT, _("Student"), usage[User.AccountType.STUDENT]),
        ]
    return render(
        request,
        "accounts/quota_requests.html",
        {"page": page, "status": status, "Status": QuotaRequest.Status, "form": QuotaDecisionForm()},
    )


@login_required
@require_POST
def quota_request_decision(request, pk: int):
    quota_request = get_object_or_404(QuotaRequest.objects.select_related("school"), pk=pk)
    if not can_set_quota(request.user, quota_request.school):
        raise Http404
    form = QuotaDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("accounts:quota_requests")
    try:
        quota_request_decide(
            actor=request.user,
            request=quota_request,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The decision has been recorded and the school notified."))
    return redirect("accounts:quota_requests")
