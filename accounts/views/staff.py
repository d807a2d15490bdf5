"""Issuing a staff member's or a school leader's account, by the unit above (issue #15)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from truonghoc.forms import add_service_errors
from units.models import Role, Unit

from ..forms.issuing import StaffAccountForm
from ..services.staff import staff_account_issue, staff_roles_issuable


@login_required
def staff_account_new(request, unit_pk: int):
    """One new account at a unit with a role the user names from above: an Office's or Department's
    staff, a school's principal or school admin. The next page is the batch with the one-time
    credential, which only the issuing side may read."""
    unit = get_object_or_404(Unit, pk=unit_pk)
    roles = staff_roles_issuable(actor=request.user, unit=unit) if unit.is_active else []
    if not roles:
        raise Http404
    form = StaffAccountForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            user, batch = staff_account_issue(
                actor=request.user, unit=unit, role=form.cleaned_data["role"], values=form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Account %(username)s created for %(name)s, %(role)s at %(unit)s.")
                % {
                    "username": user.username,
                    "name": user.full_name,
                    "role": Role(form.cleaned_data["role"]).label,
                    "unit": unit.name,
                },
            )
            return redirect("accounts:batch", batch.pk)
    return render(request, "accounts/staff_account_new.html", {"unit": unit, "form": form})
