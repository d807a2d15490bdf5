"""Parents on a student's page (issue #17): issue a parent account or link the school's existing one,
end a link. The parent's own pages are the portal's (portal/views.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms.parents import ParentForm
from ..models import Guardianship
from ..permissions import account_for_user_or_404, can_issue_parent, can_manage_parent_links
from ..services.parents import parent_issue, parent_unlink


@login_required
def parent_new(request, pk: int):
    """ "Cấp tài khoản phụ huynh" for one student: by the school admin or principal of the student's school."""
    child = account_for_user_or_404(request.user, pk, check=can_issue_parent)
    form = ParentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = parent_issue(actor=request.user, child=child, values=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if issued.created:
                messages.success(
                    request,
                    _("Parent account %(username)s created for %(name)s and linked to %(child)s.")
                    % {"username": issued.parent.username, "name": issued.parent.full_name, "child": child.full_name},
                )
                return redirect("accounts:batch", issued.batch.pk)
            messages.success(
                request,
                _("%(name)s already has a parent account (%(username)s): it is now linked to %(child)s too.")
                % {"username": issued.parent.username, "name": issued.parent.full_name, "child": child.full_name},
            )
            return redirect("accounts:account_detail", child.pk)
    return render(request, "accounts/parent_new.html", {"child": child, "form": form})


@login_required
@require_POST
def parent_unlink_view(request, pk: int):
    link = get_object_or_404(Guardianship.objects.select_related("child__unit", "parent"), pk=pk)
    if not can_manage_parent_links(request.user, link.child):
        raise Http404
    try:
        parent_unlink(actor=request.user, link=link)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("%(parent)s no longer follows %(child)s.")
            % {"parent": link.parent.full_name, "child": link.child.full_name},
        )
    return redirect("accounts:account_detail", link.child_id)
