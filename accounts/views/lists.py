"""The school's account list: by role, class, group and status; searchable; exportable."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.formatting import date_text, datetime_text
from truonghoc.params import parse_id
from truonghoc.text import search_text
from truonghoc.xlsx import xlsx_bytes, xlsx_response
from units.services import audit_export

from ..models import CredentialRequest, User
from ..permissions import (
    can_answer_credential_requests,
    can_hand_out_credentials_at,
    can_issue_accounts,
    can_view_accounts,
    school_for_user_or_404,
)
from ..selectors import credential_requests_of, school_account_counts, school_accounts, school_units
from ..services.quotas import quota_usage

PAGE_SIZE = 50


def _filters(request) -> dict:
    unit = request.GET.get("unit", "")
    status = request.GET.get("status", "active")
    return {
        "account_type": request.GET.get("type", "") if request.GET.get("type") in User.AccountType.values else "",
        "unit_id": parse_id(unit),
        "status": status if status in ("active", "inactive", "all") else "active",
        "photo_status": request.GET.get("photo", "") if request.GET.get("photo") in User.PhotoStatus.values else "",
        "query": search_text(request.GET.get("q")),
    }


@login_required
def school_account_list(request, school_pk: int):
    school = school_for_user_or_404(request.user, school_pk, check=can_view_accounts)
    filters = _filters(request)
    accounts = school_accounts(school=school, **filters)
    if request.GET.get("export") == "xlsx":
        return _export(request.user, school, accounts)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    units = list(school_units(school=school))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "school": school,
        "page": page,
        "filters": filters,
        "query": filters["query"],
        "querystring": params.urlencode(),
        "counts": school_account_counts(school=school),
        "usage": quota_usage(school=school),
        "units": units,
        "selected_class": next((u for u in units if u.pk == filters["unit_id"] and u.kind == "class"), None),
        "can_issue": can_issue_accounts(request.user, school),
        # Credentials are handed out by the school's own admins only (issue #14).
        "can_hand_out": can_hand_out_credentials_at(request.user, school),
        "can_answer_requests": can_answer_credential_requests(request.user, school),
        "AccountType": User.AccountType,
        "PhotoStatus": User.PhotoStatus,
    }
    if context["can_answer_requests"]:
        waiting = credential_requests_of(school=school, status=CredentialRequest.Status.PENDING)
        context["credential_requests_waiting"] = waiting.count()
    template = "accounts/school_account_list.html#accounts" if request.htmx else "accounts/school_account_list.html"
    return render(request, template, context)


def _export(actor, school, accounts) -> HttpResponse:
    def rows():
        for n, user in enumerate(accounts, start=1):
            unit = ", ".join(m.unit.name for m in user.memberships)
            yield [
                n, user.full_name, user.username, user.get_account_type_display(), unit,
                date_text(user.date_of_birth), user.national_id or "",
                user.email, user.phone, user.get_photo_status_display(),
                _("Active") if user.is_active else _("Deactivated"),
            ]  # fmt: skip

    content = xlsx_bytes(
        title=_("Accounts of %(school)s — exported %(date)s")
        % {"school": school.name, "date": datetime_text(timezone.now())},
        header=[_("No."), _("Full name"), _("Username"), _("Account type"), _("Class / group"), _("Date of birth"),
                _("Personal ID"), _("Email"), _("Phone"), _("Photo"), _("Status")],
        rows=rows(),
        sheet_name="Tai khoan",
    )  # fmt: skip
    audit = partial(audit_export, actor=actor, kind="accounts", unit=school)
    return xlsx_response(content, f"tai-khoan-{school.code}.xlsx", audit=audit)
