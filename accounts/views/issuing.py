"""Issuing accounts: one at a time, from a spreadsheet, and the credential sheet."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from truonghoc.formatting import number
from truonghoc.imports.engine import Confirm, Inline, Outcome
from truonghoc.xlsx import xlsx_response
from units.models import Unit

from ..forms.issuing import AccountForm, ImportForm
from ..models import ImportRow, IssueBatch, User
from ..permissions import (
    account_for_user_or_404,
    can_download_sheet,
    can_hand_out_credentials_at,
    can_issue_accounts,
    can_reissue_credentials,
    school_for_user_or_404,
)
from ..selectors import batches_of, class_students, quota_request_waiting_for
from ..services.credentials import sheet_discard, sheet_downloaded, sheet_load, sheet_xlsx
from ..services.issuing import (
    COLUMNS,
    IMPORTER,
    account_issue,
    credentials_reissue,
    import_confirm,
    import_quota_gap,
    import_quota_recheck,
    import_recheck,
    import_start,
    import_template_xlsx,
)
from ..services.quotas import quota_usage
from ..tasks import import_apply_task, import_validate_task


@login_required
def account_new(request, school_pk: int):
    school = school_for_user_or_404(request.user, school_pk, check=can_issue_accounts)
    form = AccountForm(request.POST or None, school=school, initial={"account_type": User.AccountType.STUDENT})
    if request.method == "POST" and form.is_valid():
        try:
            user, batch = account_issue(
                actor=request.user, school=school, account_type=form.cleaned_data["account_type"], values=form.values()
            )
        except ValidationError as exc:
            # The service's checks (a taken ID, a bad phone, the quota): each shown next to its field
            # where the form has one, above the form otherwise; what was typed stays.
            unit_field = "school_class" if form.cleaned_data["account_type"] == User.AccountType.STUDENT else "group"
            for field, messages_ in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                target = unit_field if field == "unit" else field
                form.add_error(target if target in form.fields else None, messages_)
        else:
            messages.success(
                request,
                _("Account %(username)s created for %(name)s.") % {"username": user.username, "name": user.full_name},
            )
            return redirect("accounts:batch", batch.pk)
    context = {"school": school, "form": form, "usage": quota_usage(school=school)}
    return render(request, "accounts/account_new.html", context)


@login_required
def import_template(request, school_pk: int):
    school = school_for_user_or_404(request.user, school_pk, check=can_issue_accounts)
    return _download(import_template_xlsx(school=school), f"mau-cap-tai-khoan-{school.code}.xlsx")


@login_required
def import_upload(request, school_pk: int):
    school = school_for_user_or_404(request.user, school_pk, check=can_issue_accounts)
    form = ImportForm(request.POST or None, request.FILES or None, initial={"account_type": User.AccountType.STUDENT})
    if request.method == "POST" and form.is_valid():
        try:
            batch = import_start(
                actor=request.user,
                school=school,
                account_type=form.cleaned_data["account_type"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            IMPORTER.dispatch(import_validate_task, batch)
            return redirect("accounts:batch", batch.pk)
    context = {
        "school": school,
        "form": form,
        "usage": quota_usage(school=school),
        "columns": COLUMNS,
        "batches": batches_of(school=school).filter(kind=IssueBatch.Kind.IMPORT)[:10],
    }
    return render(request, "accounts/import_upload.html", context)


def _batch_for_user_or_404(user, pk: int) -> IssueBatch:
    batch = get_object_or_404(IssueBatch.objects.select_related("school", "created_by"), pk=pk)
    if not (can_issue_accounts(user, batch.school) or can_download_sheet(user, batch)):
        raise Http404
    return batch


def _sheet_batch_or_403(user, pk: int) -> IssueBatch:
    """A batch whose credential sheet the user may read; staff above the school see the batch, not
    its codes (403); anyone else finds nothing (404)."""
    batch = _batch_for_user_or_404(user, pk)
    if not can_download_sheet(user, batch):
        raise PermissionDenied
    return batch


@login_required
@never_cache  # shows one-time credentials: no copy may stay in a shared school computer's cache
def batch_detail(request, pk: int):
    batch = _batch_for_user_or_404(request.user, pk)
    if not request.htmx:
        # A file that waited for places is confirmed once they are granted, without a new upload.
        batch = import_quota_recheck(actor=request.user, batch=batch)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show == "problems":
        rows = rows.filter(action=ImportRow.Action.ERROR)
    elif show == "new":
        rows = rows.filter(action=ImportRow.Action.CREATE)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    # The codes are shown only to those who hand them out (the school's own admins).
    may_hand_out = can_download_sheet(request.user, batch)
    sheet = sheet_load(batch=batch) if may_hand_out else None
    context = {
        "batch": batch,
        "page": page,
        "show": show,
        "may_hand_out": may_hand_out,
        "sheet": sheet[:200] if sheet else None,
        "sheet_count": len(sheet) if sheet else 0,
        "usage": quota_usage(school=batch.school),
    }
    # The places missing: the quota request the page links to asks for exactly these.
    context["quota_gap"] = import_quota_gap(batch=batch, usage=context["usage"])
    context["over_quota"] = batch.status == IssueBatch.Status.INVALID and context["quota_gap"] > 0
    # Asked already: say so rather than invite a second request.
    context["waiting_request"] = quota_request_waiting_for(batch=batch) if context["over_quota"] else None
    context["may_recheck"] = (
        batch.kind == IssueBatch.Kind.IMPORT
        and bool(batch.upload)
        and batch.status in (IssueBatch.Status.INVALID, IssueBatch.Status.FAILED)
    )
    # Once the work finishes, the page reloads so the rows and the credential list appear.
    return IMPORTER.render_page(
        request, "accounts/batch_detail.html", context, element_id="batch-status", outcome=_outcome
    )


def _outcome(batch: IssueBatch) -> Outcome | None:
    """The finished batch's alert on its page (components/import_status.html), in issuing's words."""
    if batch.status == IssueBatch.Status.DONE:
        if batch.kind != IssueBatch.Kind.IMPORT:
            return Outcome("success", "batch-done", lines=[Inline(_("Done."))])
        done = _("Done: %(new)s accounts created, %(unchanged)s people already had one.") % {
            "new": number(batch.new_rows),
            "unchanged": number(batch.unchanged_rows),
        }
        return Outcome("success", "batch-done", lines=[Inline(done)])
    if batch.status == IssueBatch.Status.READY:
        counts = {
            "total": number(batch.total_rows),
            "new": number(batch.new_rows),
            "unchanged": number(batch.unchanged_rows),
        }
        text = _(
            "All %(total)s rows are correct: %(new)s new accounts will be created, %(unchanged)s people already "
            "have one."
        )
        label = _("Create the %(new)s accounts") % {"new": counts["new"]}
        confirm = Confirm(reverse("accounts:batch_confirm", args=[batch.pk]), label)
        return Outcome("primary", lines=[Inline(text % counts)], confirm=confirm)
    if batch.outcome == "nothing_new":
        text = ngettext(
            "The %(n)s person in this file already has an account at this school: nothing was created and nothing "
            "needs to be.",
            "All %(n)s people in this file already have an account at this school: nothing was created and nothing "
            "needs to be.",
            batch.unchanged_rows,
        ) % {"n": number(batch.unchanged_rows)}
        return Outcome("info", "batch-nothing-new", title=batch.status_label, lines=[text])
    actions = "accounts/components/batch_quota_actions.html"
    lines = [batch.message] if batch.message else []
    if batch.outcome == "over_quota":
        return Outcome("warning", "batch-over-quota", title=batch.status_label, lines=lines, actions=actions)
    if batch.status in (IssueBatch.Status.INVALID, IssueBatch.Status.FAILED):
        if batch.error_rows:
            lines.append(
                ngettext(
                    "%(n)s row has problems; nothing was created. Correct the file and upload it again.",
                    "%(n)s rows have problems; nothing was created. Correct the file and upload it again.",
                    batch.error_rows,
                )
                % {"n": number(batch.error_rows)}
            )
        return Outcome("danger", "batch-problems", lines=lines, actions=actions)
    return None


@login_required
@require_POST
def batch_confirm(request, pk: int):
    return _batch_step(request, pk, import_confirm, import_apply_task, request.user.pk)


def _batch_step(request, pk: int, step, task, *task_args):
    """Confirm and “check again” move a batch one step on, then hand the work to the import engine's
    dispatcher (inline or Celery); a refused step says why on the batch's page."""
    batch = _batch_for_user_or_404(request.user, pk)
    try:
        batch = step(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts:batch", batch.pk)
    IMPORTER.dispatch(task, batch, *task_args)
    return redirect("accounts:batch", batch.pk)


@login_required
@require_POST
def batch_recheck(request, pk: int):
    """“Check again”: the kept file is checked from the start, without uploading it again."""
    return _batch_step(request, pk, import_recheck, import_validate_task)


def _sheet(request, pk: int, form: str):
    """(batch, rows) of a credential list being handed out, the download audited; rows is None (with a
    message) once the list has expired or been erased. Only `can_download_sheet` (the school's own
    admins) may hand its credentials out; staff above the school are refused (issue #14)."""
    batch = _sheet_batch_or_403(request.user, pk)
    rows = sheet_load(batch=batch)
    if rows is None:
        messages.warning(
            request, _("The credential sheet is no longer available. Re-issue credentials to hand them out again.")
        )
    else:
        sheet_downloaded(actor=request.user, batch=batch, form=form)
    return batch, rows


@login_required
def batch_sheet_xlsx(request, pk: int):
    batch, rows = _sheet(request, pk, "xlsx")
    if rows is None:
        return redirect("accounts:batch", batch.pk)
    return _download(sheet_xlsx(batch=batch, rows=rows), f"tai-khoan-{batch.school.code}-{batch.pk}.xlsx")


@login_required
@never_cache
def batch_sheet_print(request, pk: int):
    batch, rows = _sheet(request, pk, "print")
    if rows is None:
        return redirect("accounts:batch", batch.pk)
    by_unit: dict[str, list[dict]] = {}
    for row in rows:
        by_unit.setdefault(row["unit"] or _("No class"), []).append(row)
    context = {"batch": batch, "groups": sorted(by_unit.items()), "login_url": request.build_absolute_uri("/")}
    return render(request, "accounts/batch_sheet_print.html", context)


@login_required
@require_POST
def batch_sheet_discard(request, pk: int):
    batch = _sheet_batch_or_403(request.user, pk)
    sheet_discard(actor=request.user, batch=batch)
    messages.success(request, _("The credential sheet has been erased."))
    return redirect("accounts:batch", batch.pk)


@login_required
@require_POST
def account_reissue(request, pk: int):
    account = account_for_user_or_404(request.user, pk, check=can_reissue_credentials)
    try:
        batch = credentials_reissue(actor=request.user, accounts=[account], school=account.unit)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts:account_detail", account.pk)
    messages.success(
        request,
        _("A new one-time credential was issued for %(name)s; the old password no longer works.")
        % {"name": account.full_name},
    )
    return redirect("accounts:batch", batch.pk)


# Credentials and the template to fill in: the one xlsx download. Not audited here: the template holds
# no one, and every hand-out of a credential sheet (xlsx or print) is audited by `_sheet` (sheet_downloaded).
_download = partial(xlsx_response, audit=None)


@login_required
@require_POST
def class_reissue(request, pk: int):
    """New one-time credentials for every active student of a class (a lost list of slips)."""
    school_class = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.CLASS)
    school = Unit.objects.get_parent(school_class)
    if not can_hand_out_credentials_at(request.user, school):
        raise Http404
    students = [s for s in class_students(school_class=school_class) if can_reissue_credentials(request.user, s)]
    try:
        batch = credentials_reissue(actor=request.user, accounts=students, school=school)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(f"{reverse('accounts:school_accounts', args=[school.pk])}?unit={school_class.pk}")
    messages.success(
        request,
        _("New one-time credentials for the %(n)d students of %(class)s; their old passwords no longer work.")
        % {"n": len(students), "class": school_class.name},
    )
    return redirect("accounts:batch", batch.pk)
