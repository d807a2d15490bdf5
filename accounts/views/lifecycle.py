"""The account page and the lifecycle actions: deactivate, reactivate, move class, transfer to
another school (request, accept, refuse, cancel), and moving a whole class up a grade."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truonghoc.text import search_text
from units.models import Unit
from units.permissions import Action, can, unit_for_user_or_404
from units.selectors import audit_action_label, audit_changes, people_of, promotion_school_year
from units.services import class_final_grade, class_next_name, class_promote

from .. import selectors
from ..forms.issuing import CredentialRequestForm
from ..forms.lifecycle import AcceptForm, DeactivateForm, MoveClassForm, PromoteForm, RefuseForm, TransferForm
from ..models import TransferRequest, User
from ..permissions import (
    account_for_user_or_404,
    can_issue_accounts,
    can_issue_parent,
    can_manage_account,
    can_manage_parent_links,
    can_reissue_credentials,
    can_request_credentials,
    can_view_account,
    school_for_user_or_404,
)
from ..services.lifecycle import (
    account_deactivate,
    account_reactivate,
    student_move_class,
    transfer_accept,
    transfer_cancel,
    transfer_refuse,
    transfer_request,
)
from ..services.quotas import quota_usage

HISTORY_PAGE_SIZE = 20
T = User.AccountType


def _show_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has one, else above it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_refused(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


def _account_page(request, account: User, *, bound: dict | None = None):
    """The account page, with the forms of a failed action kept as they were typed."""
    user = request.user
    bound = bound or {}
    can_manage = can_manage_account(user, account)
    transfers = list(selectors.transfers_of(account=account))
    pending = next((t for t in transfers if t.status == TransferRequest.Status.PENDING), None)
    page = Paginator(selectors.account_history(account=account), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    unit = account.unit
    context = {
        "account": account,
        "can_manage": can_manage,
        "roles": list(selectors.account_roles(account=account)),
        "transfers": transfers,
        "pending_transfer": pending,
        "page": page,
        "history": [(entry, audit_action_label(entry.action), audit_changes(entry)) for entry in page],
        "can_see_unit_audit": unit is not None
        and (can(user, Action.VIEW_REPORTS, unit) or can(user, Action.MANAGE_ACCOUNTS, unit)),
        "can_cancel_transfer": pending is not None and can_issue_accounts(user, pending.from_school),
        "is_student": account.account_type == T.STUDENT,
    }
    # Parents (issue #17): a student's parents, or a parent account's children, for those who look after them.
    if account.account_type in (T.STUDENT, T.PARENT) and unit is not None:
        context["can_manage_parents"] = can_manage_parent_links(user, account)
        context["can_issue_parent"] = can_issue_parent(user, account)
        if account.account_type == T.STUDENT:
            context["guardians"] = list(selectors.guardians_of(child=account))
        else:
            context["parent_children"] = selectors.children_of(parent=account)
    if can_manage and account.is_active:
        context["deactivate_form"] = bound.get("deactivate") or DeactivateForm()
        context["can_transfer"] = account.account_type in (T.TEACHER, T.STUDENT) and pending is None
        if account.account_type == T.STUDENT:
            context["move_form"] = bound.get("move") or MoveClassForm(school=unit)
            context["current_classes"] = selectors.current_classes(student=account)
    context["can_reactivate"] = can_manage and not account.is_active
    # Credentials: the school's own admins re-issue; staff above the school ask it to (issue #14).
    context["can_reissue"] = can_reissue_credentials(user, account)
    if not context["can_reissue"] and can_request_credentials(user, account):
        context["credential_request_waiting"] = selectors.credential_request_waiting(account=account)
        if context["credential_request_waiting"] is None:
            context["credential_request_form"] = bound.get("credential_request") or CredentialRequestForm()
    return render(request, "accounts/account_detail.html", context)


@login_required
@require_GET
def account_detail(request, pk: int):
    """One account: profile, roles, status, transfers, history, and the actions the visitor may take."""
    account = account_for_user_or_404(request.user, pk, check=can_view_account)
    return _account_page(request, account)


@login_required
@require_POST
def account_deactivate_view(request, pk: int):
    account = account_for_user_or_404(request.user, pk, check=can_manage_account)
    form = DeactivateForm(request.POST)
    if form.is_valid():
        try:
            account_deactivate(actor=request.user, account=account, reason=form.reason_text())
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request, _("The account of %(name)s is deactivated; its place is freed.") % {"name": account.full_name}
            )
            return redirect("accounts:account_detail", account.pk)
    return _account_page(request, account, bound={"deactivate": form})


@login_required
@require_POST
def account_reactivate_view(request, pk: int):
    account = account_for_user_or_404(request.user, pk, check=can_manage_account)
    try:
        account_reactivate(actor=request.user, account=account)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The account of %(name)s is active again.") % {"name": account.full_name})
    return redirect("accounts:account_detail", account.pk)


@login_required
@require_POST
def account_move_class_view(request, pk: int):
    account = account_for_user_or_404(request.user, pk, check=can_manage_account)
    form = MoveClassForm(request.POST, school=account.unit)
    if form.is_valid():
        to_class = form.cleaned_data["to_class"]
        try:
            student_move_class(actor=request.user, student=account, to_class=to_class)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s moved to class %(unit)s.") % {"name": account.full_name, "unit": to_class.name}
            )
            return redirect("accounts:account_detail", account.pk)
    return _account_page(request, account, bound={"move": form})


@login_required
def account_transfer_view(request, pk: int):
    """Start a transfer: find the receiving school by code or name, add a note, send."""
    account = account_for_user_or_404(request.user, pk, check=can_manage_account)
    query = search_text(request.POST.get("q") if request.method == "POST" else request.GET.get("q"))
    query = query.strip()
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_request(
                actor=request.user,
                account=account,
                to_school=form.cleaned_data["to_school"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Transfer of %(name)s sent to %(school)s; its admins will answer.")
                % {"name": account.full_name, "school": transfer.to_school.name},
            )
            return redirect("accounts:account_detail", account.pk)
    context = {
        "account": account,
        "form": form,
        "query": query,
        "results": selectors.transfer_destinations(query=query, exclude=account.unit),
        "chosen": str(form["to_school"].value() or ""),
        "pending_transfer": TransferRequest.objects.filter(user=account, status=TransferRequest.Status.PENDING)
        .select_related("to_school")
        .first(),
    }
    template = "accounts/transfer_new.html#results" if request.htmx else "accounts/transfer_new.html"
    return render(request, template, context)


@login_required
@require_GET
def school_transfers(request, school_pk: int):
    """A school's transfers: people other schools ask it to take (accept or refuse), and its own
    requests still waiting (cancel)."""
    school = school_for_user_or_404(request.user, school_pk, check=can_issue_accounts)
    groups = list(selectors.school_groups(school=school))
    classes = list(selectors.school_classes(school=school))
    incoming = [
        (transfer, groups if transfer.user.account_type == T.TEACHER else classes)
        for transfer in selectors.pending_transfers_to(school=school)
    ]
    context = {
        "school": school,
        "incoming": incoming,
        "outgoing": list(selectors.pending_transfers_from(school=school)),
        "decided": selectors.decided_transfers_of_school(school=school),
        "usage": quota_usage(school=school),
    }
    return render(request, "accounts/transfer_list.html", context)


def _transfer_for(request, pk: int, *, receiving: bool) -> TransferRequest:
    """A transfer the visitor may answer (receiving school) or withdraw (sending school); else 404."""
    transfer = get_object_or_404(TransferRequest.objects.select_related("user", "from_school", "to_school"), pk=pk)
    school_id = transfer.to_school_id if receiving else transfer.from_school_id
    school_for_user_or_404(request.user, school_id, check=can_issue_accounts)
    return transfer


@login_required
@require_POST
def transfer_accept_view(request, pk: int):
    transfer = _transfer_for(request, pk, receiving=True)
    form = AcceptForm(request.POST, school=transfer.to_school, account_type=transfer.user.account_type)

    def accept(data) -> str:
        transfer_accept(actor=request.user, transfer=transfer, unit=data["unit"])
        return _("%(name)s now belongs to %(school)s, in %(unit)s.") % {
            "name": transfer.user.full_name,
            "school": transfer.to_school.name,
            "unit": data["unit"].name,
        }

    return _transfer_answer(request, transfer, form, accept)


def _transfer_answer(request, transfer: TransferRequest, form, answer):
    """Accepting or refusing a transfer: the form checked, `answer(cleaned_data)` calls the service and
    says what was done; a refusal (the form's or the service's) becomes error messages. Both go back to
    the receiving school's list."""
    if form.is_valid():
        try:
            done = answer(form.cleaned_data)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, done)
    else:
        _form_refused(request, form)
    return redirect("accounts:transfers", transfer.to_school_id)


@login_required
@require_POST
def transfer_refuse_view(request, pk: int):
    transfer = _transfer_for(request, pk, receiving=True)

    def refuse(data) -> str:
        transfer_refuse(actor=request.user, transfer=transfer, reason=data["reason"])
        return _("Transfer of %(name)s refused; the sending school is told.") % {"name": transfer.user.full_name}

    return _transfer_answer(request, transfer, RefuseForm(request.POST), refuse)


@login_required
@require_POST
def transfer_cancel_view(request, pk: int):
    transfer = _transfer_for(request, pk, receiving=False)
    try:
        transfer_cancel(actor=request.user, transfer=transfer)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Transfer of %(name)s cancelled.") % {"name": transfer.user.full_name})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("accounts:account_detail", transfer.user_id)


@login_required
def class_promote_view(request, pk: int):
    """Move a whole class up to the next grade at the end of the year, after a confirmation step."""
    school_class = unit_for_user_or_404(request.user, pk, Action.MANAGE)
    if school_class.kind != Unit.Kind.CLASS:
        raise Http404
    school = school_class.school()
    final_grade = class_final_grade(school=school)
    proposed = class_next_name(name=school_class.name, grade=school_class.grade) or ""
    form = PromoteForm(request.POST or None, initial={"new_name": proposed})
    if request.method == "POST" and form.is_valid():
        old_name = school_class.name
        try:
            promoted = class_promote(
                actor=request.user, school_class=school_class, new_name=form.cleaned_data["new_name"] or None
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("Class %(old)s is now %(new)s, grade %(grade)d.")
                % {"old": old_name, "new": promoted.name, "grade": promoted.grade},
            )
            return redirect("units:space", promoted.pk)
    context = {
        "unit": school_class,
        "school": school,
        "form": form,
        "proposed": proposed,
        "is_final": school_class.grade >= final_grade,
        "final_grade": final_grade,
        "students": people_of(unit=school_class, user_model=User).count(),
        "into_year": promotion_school_year(school_class),
    }
    return render(request, "accounts/account_class_promote.html", context)
