"""Asking a school to re-issue credentials, and the school's answers (services/credential_requests.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms.issuing import CredentialDecisionForm, CredentialRequestForm
from ..models import CredentialRequest
from ..permissions import (
    account_for_user_or_404,
    can_answer_credential_requests,
    can_issue_accounts,
    can_reissue_credentials,
    can_request_credentials,
    school_for_user_or_404,
)
from ..selectors import credential_requests_of
from ..services.credential_requests import credential_request_create, credential_request_decide
from .lifecycle import _account_page, _show_errors

PAGE_SIZE = 30


@login_required
@require_POST
def credential_request_new(request, pk: int):
    """Staff above a school: “Ask the school to re-issue credentials”, from the account's page."""
    account = account_for_user_or_404(request.user, pk, check=can_request_credentials)
    form = CredentialRequestForm(request.POST)
    if form.is_valid():
        try:
            credential_request_create(actor=request.user, account=account, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request has been sent to the admins of %(school)s.") % {"school": account.unit.name},
            )
            return redirect("accounts:account_detail", account.pk)
    return _account_page(request, account, bound={"credential_request": form})


@login_required
def credential_requests(request, school_pk: int):
    """The school admin's list of requests about the school's accounts: waiting ones first."""
    school = school_for_user_or_404(request.user, school_pk, check=can_answer_credential_requests)
    status = request.GET.get("status", CredentialRequest.Status.PENDING)
    if status not in CredentialRequest.Status.values:
        status = ""
    page = Paginator(credential_requests_of(school=school, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.may_reissue = item.status == CredentialRequest.Status.PENDING and can_reissue_credentials(
            request.user, item.account
        )
    context = {
        "school": school,
        "page": page,
        "status": status,
        "Status": CredentialRequest.Status,
        "form": CredentialDecisionForm(),
        "can_issue": can_issue_accounts(request.user, school),
        "can_answer_requests": True,
    }
    return render(request, "accounts/credential_requests.html", context)


@login_required
@require_POST
def credential_request_decision(request, pk: int):
    item = get_object_or_404(CredentialRequest.objects.select_related("school"), pk=pk)
    if not can_answer_credential_requests(request.user, item.school):
        raise Http404
    back = redirect("accounts:credential_requests", item.school_id)
    form = CredentialDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return back
    try:
        item, batch = credential_request_decide(
            actor=request.user,
            request=item,
            reissue=form.cleaned_data["decision"] == "reissue",
            note=form.cleaned_data.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return back
    if batch is not None:
        messages.success(
            request,
            _("A new one-time credential was issued for %(name)s; the requester has been told.")
            % {"name": item.account.full_name},
        )
        return redirect("accounts:batch", batch.pk)
    messages.success(request, _("The request was declined and the requester told why."))
    return back
