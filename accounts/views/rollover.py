"""The year-end rollover wizard of a school: preview and options on one page, then one all-or-nothing
step (accounts.services.rollover); afterwards the same page shows what was done and, until the school's
first new activity, offers to undo it."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from units.models import Unit
from units.permissions import can_run_rollover, can_view_unit

from ..forms.rollover import RolloverForm
from ..models import Rollover
from ..services.rollover import (
    leaver_candidates,
    rollover_apply,
    rollover_new_activity,
    rollover_preview,
    rollover_undo,
)


def _school_for_rollover_or_404(user, pk: int) -> Unit:
    """Only the school's own managers run its rollover: others who see the school are refused (403),
    the rest find nothing (404)."""
    school = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.SCHOOL)
    if can_run_rollover(user, school):
        return school
    if can_view_unit(user, school):
        raise PermissionDenied
    raise Http404


def _show_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def rollover_wizard(request, school_pk: int):
    school = _school_for_rollover_or_404(request.user, school_pk)
    plan = rollover_preview(school=school)
    context = {"school": school, "plan": plan}
    if plan.done is not None:
        context["activity"] = rollover_new_activity(plan.done)
        return render(request, "accounts/rollover.html", context)
    candidates = list(leaver_candidates(school=school))
    form = RolloverForm(request.POST or None, plan=plan, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        plan.rename(form.new_names())
        plan.intake = form.cleaned_data["intake"]
        plan.leaver_ids = form.cleaned_data["leavers"]
        try:
            rollover = rollover_apply(actor=request.user, school=school, plan=plan)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(school)s has rolled over to the school year %(year)s.")
                % {"school": school.name, "year": rollover.to_year},
            )
            return redirect("accounts:rollover", school.pk)
    chosen = {str(value) for value in (form["leavers"].value() or [])}
    context["form"] = form
    context["leaver_groups"] = [
        (class_name, [dict(row, checked=str(row["pk"]) in chosen) for row in rows])
        for class_name, rows in groupby(candidates, key=lambda row: row["role_assignments__unit__name"])
    ]
    return render(request, "accounts/rollover.html", context)


@login_required
@require_POST
def rollover_undo_view(request, pk: int):
    rollover = get_object_or_404(Rollover.objects.select_related("school"), pk=pk)
    _school_for_rollover_or_404(request.user, rollover.school_id)
    try:
        rollover_undo(actor=request.user, rollover=rollover)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The rollover was undone: the school is as it was before."))
    return redirect("accounts:rollover", rollover.school_id)
