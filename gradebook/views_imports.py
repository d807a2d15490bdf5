"""The grade book's two spreadsheet imports on the import engine (truonghoc.imports): a class's grid
(`grid_xlsx.MarkImporter`) and a school's teaching assignments (`assign_import.AssignmentImporter`).
Upload → check (a task: in a worker for a big file) → the batch's page (status that polls, counts, the
rows with their problems, confirm, cancel) → apply (a task), all or nothing."""

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

from .assign_import import IMPORTER as ASSIGNMENTS
from .assign_import import (
    assignment_import_cancel,
    assignment_import_confirm,
    assignment_import_start,
    assignment_import_summary,
)
from .forms_imports import ImportFileForm
from .grid_xlsx import IMPORTER as MARKS
from .grid_xlsx import mark_import_cancel, mark_import_confirm, mark_import_start, mark_import_summary
from .models import AssignmentImport, AssignmentImportRow, MarkImport, MarkImportRow
from .permissions import can_enter_marks, can_run_gradebook
from .views_assign import PAGE_SIZE, _assignments_url, _grid_target, _school_or_404


# --- the grid's xlsx and the assignments' spreadsheet back in, through the import engine ----------------
def _recent(model, **where):
    return model.objects.filter(**where).select_related("created_by")[:10]


@login_required
def grid_upload(request, class_id: int, semester: int, subject: str):
    """Upload a grid workbook: it is kept and checked (nothing written), then its page shows the rows."""
    from .tasks import mark_import_validate_task

    school_class, year = _grid_target(request, class_id, semester, subject, write=True)
    context = {"school_class": school_class, "semester": semester, "subject": subject, "school_year": year}
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = mark_import_start(
                actor=request.user, school_class=school_class, subject=subject, semester=semester,
                upload=form.cleaned_data["file"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("file", error.messages[0])
        except PermissionDenied as error:
            raise Http404 from error
        else:
            MARKS.dispatch(mark_import_validate_task, batch)
            return redirect("gradebook:mark_import", pk=batch.pk)
    context |= {
        "form": form,
        "batches": _recent(MarkImport, school_class=school_class, subject=subject, semester=semester, school_year=year),
    }
    return render(request, "gradebook/grid_upload.html", context)


def _mark_import_or_404(user, pk: int) -> MarkImport:
    batch = get_object_or_404(MarkImport.objects.select_related("school_class", "created_by"), pk=pk)
    allowed = can_enter_marks(
        user, school_class=batch.school_class, subject=batch.subject, school_year=batch.school_year,
        semester=batch.semester,
    )  # fmt: skip
    if not allowed and batch.created_by_id != user.pk:
        raise Http404
    return batch


MARK_SHOW = {"problems": MarkImportRow.Action.ERROR, "changes": MarkImportRow.Action.WRITE}


@login_required
def mark_import(request, pk: int):
    """A grid file: its status (polled while a step runs), counts, then each student's line with the
    marks it changes or its problems."""
    batch = _mark_import_or_404(request.user, pk)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show in MARK_SHOW:
        rows = rows.filter(action=MARK_SHOW[show])
    context = {
        "batch": batch,
        "school_class": batch.school_class,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "show": show,
        "cancel_url": reverse("gradebook:mark_import_cancel", args=[batch.pk]),
    }
    return MARKS.render_page(
        request, "gradebook/mark_import.html", context, element_id="mark-import-status", outcome=_mark_outcome
    )


def _mark_outcome(batch: MarkImport) -> Outcome:
    text = mark_import_summary(batch)
    if batch.status == MarkImport.Status.DONE:
        grid = reverse(
            "gradebook:grid",
            kwargs={"class_id": batch.school_class_id, "semester": batch.semester, "subject": batch.subject},
        )
        return Outcome("success", "import-done", lines=[text], links=[(grid, _("Open the grid"))])
    if batch.status == MarkImport.Status.READY:
        confirm = Confirm(reverse("gradebook:grid_upload_confirm", args=[batch.pk]), _("Write these marks"))
        return Outcome(
            "primary", "import-ready", lines=[text], confirm=confirm, actions="gradebook/_import_cancel.html"
        )
    upload = reverse(
        "gradebook:grid_upload",
        kwargs={"class_id": batch.school_class_id, "semester": batch.semester, "subject": batch.subject},
    )
    tone = (
        "info" if batch.status == MarkImport.Status.INVALID and not batch.error_rows and batch.total_rows else "danger"
    )
    return Outcome(tone, "import-problems", lines=[text], links=[(upload, _("Upload a corrected file"))])


@login_required
@require_POST
def grid_upload_confirm(request, pk: int):
    """Confirm a checked grid file: its marks are written (in a worker for a big file), all or nothing."""
    from .tasks import mark_import_apply_task

    batch = _mark_import_or_404(request.user, pk)
    try:
        batch = mark_import_confirm(actor=request.user, batch=batch)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        MARKS.dispatch(mark_import_apply_task, batch, request.user.pk)
    return redirect("gradebook:mark_import", pk=batch.pk)


@login_required
@require_POST
def mark_import_cancel_view(request, pk: int):
    batch = _mark_import_or_404(request.user, pk)
    with service_outcome(request, _("The file was cancelled; nothing was written.")):
        try:
            mark_import_cancel(actor=request.user, batch=batch)
        except PermissionDenied as error:
            raise Http404 from error
    return redirect("gradebook:mark_import", pk=batch.pk)


@login_required
def assignments_import(request, school_id: int):
    """Assignments from xlsx/csv: the file is kept and checked (nothing written), then its page shows the
    lines; confirming writes them all or nothing."""
    from .tasks import assignment_import_validate_task

    school = _school_or_404(request.user, school_id)
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = assignment_import_start(actor=request.user, school=school, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.messages[0])
        else:
            ASSIGNMENTS.dispatch(assignment_import_validate_task, batch)
            return redirect("gradebook:assignment_import", pk=batch.pk)
    context = {"unit": school, "form": form, "batches": _recent(AssignmentImport, school=school)}
    return render(request, "gradebook/assignments_import.html", context)


def _assignment_import_or_404(user, pk: int) -> AssignmentImport:
    batch = get_object_or_404(AssignmentImport.objects.select_related("school", "created_by"), pk=pk)
    if not can_run_gradebook(user, batch.school):
        raise Http404
    return batch


ASSIGNMENT_SHOW = {"problems": AssignmentImportRow.Action.ERROR, "changes": AssignmentImportRow.Action.SET}


@login_required
def assignment_import(request, pk: int):
    """An assignment file: its status, counts, then every line with what confirming does or its problem."""
    batch = _assignment_import_or_404(request.user, pk)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show in ASSIGNMENT_SHOW:
        rows = rows.filter(action=ASSIGNMENT_SHOW[show])
    context = {
        "batch": batch,
        "unit": batch.school,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "show": show,
        "cancel_url": reverse("gradebook:assignment_import_cancel", args=[batch.pk]),
    }
    return ASSIGNMENTS.render_page(
        request,
        "gradebook/assignment_import.html",
        context,
        element_id="assignment-import-status",
        outcome=_assignment_outcome,
    )


def _assignment_outcome(batch: AssignmentImport) -> Outcome:
    text = assignment_import_summary(batch)
    if batch.status == AssignmentImport.Status.DONE:
        return Outcome(
            "success", "import-done", lines=[text], links=[(_assignments_url(batch.school), _("Teaching assignments"))]
        )
    if batch.status == AssignmentImport.Status.READY:
        confirm = Confirm(reverse("gradebook:assignment_import_confirm", args=[batch.pk]), _("Set these assignments"))
        return Outcome(
            "primary", "import-ready", lines=[text], confirm=confirm, actions="gradebook/_import_cancel.html"
        )
    upload = reverse("gradebook:assignments_import", kwargs={"school_id": batch.school_id})
    tone = (
        "info"
        if batch.status == AssignmentImport.Status.INVALID and not batch.error_rows and batch.total_rows
        else "danger"
    )
    return Outcome(tone, "import-problems", lines=[text], links=[(upload, _("Upload a corrected file"))])


@login_required
@require_POST
def assignment_import_confirm_view(request, pk: int):
    from .tasks import assignment_import_apply_task

    batch = _assignment_import_or_404(request.user, pk)
    try:
        batch = assignment_import_confirm(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        ASSIGNMENTS.dispatch(assignment_import_apply_task, batch, request.user.pk)
    return redirect("gradebook:assignment_import", pk=batch.pk)


@login_required
@require_POST
def assignment_import_cancel_view(request, pk: int):
    batch = _assignment_import_or_404(request.user, pk)
    with service_outcome(request, _("The file was cancelled; nothing was written.")):
        assignment_import_cancel(actor=request.user, batch=batch)
    return redirect("gradebook:assignment_import", pk=batch.pk)
