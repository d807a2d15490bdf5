"""A plan from xlsx through the import engine (teaching.plan_import): upload (into a draft or refused plan,
or for a new plan) → check (a task: in a worker for a big file) → the batch's page (status that polls,
counts, the lines with their problems, confirm, cancel) → apply (a task), all or nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truonghoc.forms import service_outcome
from truonghoc.imports.engine import Confirm, Outcome
from truonghoc.params import parse_int

from .forms import PlanFileForm, PlanImportNewForm
from .models import PlanImport, PlanImportRow
from .permissions import can_edit_plan, manages_school, plan_for_user_or_404
from .plan_import import IMPORTER as PLANS
from .plan_import import plan_import_cancel, plan_import_confirm, plan_import_start, plan_import_summary
from .views import new_plan_setup

PAGE_SIZE = 50


def _recent(**where):
    return PlanImport.objects.filter(**where).select_related("created_by")[:10]


def _started(request, form, **fields):
    from .tasks import plan_import_validate_task

    try:
        batch = plan_import_start(actor=request.user, upload=form.cleaned_data["file"], **fields)
    except ValidationError as error:
        form.add_error("file", error.messages[0])
    except PermissionDenied as error:
        form.add_error(None, str(error))
    else:
        PLANS.dispatch(plan_import_validate_task, batch)
        return redirect("teaching:plan_import", pk=batch.pk)
    return None


@login_required
def plan_import_into(request, pk: int):
    """Replace the lessons of a draft or refused plan with those of a file (checked first, nothing written)."""
    plan = plan_for_user_or_404(request.user, pk)
    if not can_edit_plan(request.user, plan):
        messages.info(request, _("This plan cannot be changed now."))
        return redirect("teaching:plan", pk=plan.pk)
    form = PlanFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _started(request, form, plan=plan)
        if response:
            return response
    context = {"form": form, "plan": plan, "school": plan.school, "batches": _recent(plan=plan)}
    return render(request, "teaching/plan_import_upload.html", context)


@login_required
def plan_import_new(request):
    """A new plan from a file: level, group, subject and grade chosen here, the lessons read from the file."""
    setup = new_plan_setup(request)
    form = PlanImportNewForm(
        request.POST or None, request.FILES or None, levels=setup["levels"], groups=setup["groups"],
        programme=setup["programme"],
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _started(
            request, form, school=setup["school"], level=data["level"], subject=data["subject"],
            grade=data["grade"], group=data["group_unit"], school_year=setup["year"],
        )  # fmt: skip
        if response:
            return response
    context = {
        "form": form, "school": setup["school"], "schools": setup["schools"], "year": setup["year"],
        "batches": _recent(school=setup["school"], plan__isnull=True, created_by=request.user),
    }  # fmt: skip
    return render(request, "teaching/plan_import_upload.html", context)


def _batch_or_404(user, pk: int) -> PlanImport:
    batch = get_object_or_404(PlanImport.objects.select_related("school", "plan", "group", "created_by"), pk=pk)
    if batch.created_by_id != user.pk and not manages_school(user, batch.school):
        raise Http404
    return batch


SHOW = {"problems": PlanImportRow.Action.ERROR, "lessons": PlanImportRow.Action.LESSON}


@login_required
def plan_import(request, pk: int):
    """A plan file: its status (polled while a step runs), counts, then every line with its problems."""
    batch = _batch_or_404(request.user, pk)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show in SHOW:
        rows = rows.filter(action=SHOW[show])
    context = {
        "batch": batch,
        "page": Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1, minimum=1)),
        "show": show,
        "cancel_url": reverse("teaching:plan_import_cancel", args=[batch.pk]),
    }
    return PLANS.render_page(
        request, "teaching/plan_import.html", context, element_id="plan-import-status", outcome=_outcome
    )


def _outcome(batch: PlanImport) -> Outcome:
    text = plan_import_summary(batch)
    if batch.status == PlanImport.Status.DONE and batch.plan_id:
        edit = reverse("teaching:plan_edit", kwargs={"pk": batch.plan_id})
        return Outcome("success", "import-done", lines=[text], links=[(edit, _("Open the plan"))])
    if batch.status == PlanImport.Status.READY:
        confirm = Confirm(reverse("teaching:plan_import_confirm", args=[batch.pk]), _("Write this plan"))
        return Outcome(
            "primary", "import-ready", lines=[text], confirm=confirm, actions="gradebook/_import_cancel.html"
        )
    if batch.plan_id:
        upload = reverse("teaching:plan_import_into", kwargs={"pk": batch.plan_id})
    else:
        upload = reverse("teaching:plan_import_new") + f"?school={batch.school_id}"
    return Outcome("danger", "import-problems", lines=[text], links=[(upload, _("Upload a corrected file"))])


@login_required
@require_POST
def plan_import_confirm_view(request, pk: int):
    """Confirm a checked plan file: the plan is written (in a worker for a big file), all or nothing."""
    from .tasks import plan_import_apply_task

    batch = _batch_or_404(request.user, pk)
    try:
        batch = plan_import_confirm(actor=request.user, batch=batch)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        PLANS.dispatch(plan_import_apply_task, batch, request.user.pk)
    return redirect("teaching:plan_import", pk=batch.pk)


@login_required
@require_POST
def plan_import_cancel_view(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    with service_outcome(request, _("The file was cancelled; nothing was written.")):
        plan_import_cancel(actor=request.user, batch=batch)
    return redirect("teaching:plan_import", pk=batch.pk)
