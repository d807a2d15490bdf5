"""Importing questions into the bank (upload, preview with every problem, confirm, result) and
exporting a selection of it, as the xlsx template, Moodle XML or GIFT."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.formatting import number
from truonghoc.forms import add_service_errors
from truonghoc.imports.engine import Confirm, Inline, Outcome, Strong
from truonghoc.uploads import refused_uploads_error
from truonghoc.xlsx import download_response

from ..forms.question_io import QuestionExportForm, QuestionImportConfirmForm, QuestionImportForm
from ..models import QuestionImport, QuestionImportRow
from ..permissions import maker_units
from ..permissions.questions import may_use_bank
from ..services.question_io import exporting
from ..services.question_io.importing import IMPORTER, question_import_confirm, question_import_start
from ..services.question_io.xlsx import COLUMNS, template_xlsx
from ..tasks.question_io import question_import_apply_task, question_import_validate_task

PAGE_SIZE = 50
Action = QuestionImportRow.Action
SHOW = {
    "problems": [Action.ERROR],
    "new": [Action.CREATE],
    "duplicates": [Action.DUPLICATE],
    "all": None,
}


def _import_for_user_or_404(user, pk: int) -> QuestionImport:
    """Only the importer sees an import: its rows are their unpublished questions."""
    batch = get_object_or_404(QuestionImport.objects.select_related("unit", "created_by"), pk=pk)
    if batch.created_by_id != user.pk and not user.is_superuser:
        raise Http404
    return batch


@login_required
@require_http_methods(["GET", "POST"])
def question_import(request):
    units = maker_units(request.user)
    if not units:
        raise PermissionDenied
    form = QuestionImportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST":
        refused = refused_uploads_error(request)
        if refused is not None:
            form.add_error("file", refused)
        elif form.is_valid():
            try:
                batch = question_import_start(actor=request.user, **form.service_fields())
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    add_service_errors(form, exc)
                else:
                    form.add_error("file", exc)
            else:
                IMPORTER.dispatch(question_import_validate_task, batch)
                return redirect("materials:question_import_detail", batch.pk)
    imports = QuestionImport.objects.filter(created_by=request.user).select_related("unit")
    context = {
        "form": form,
        "columns": COLUMNS,
        "page": Paginator(imports, 10).get_page(request.GET.get("page")),
    }
    return render(request, "materials/question_io/import.html", context)


@login_required
def question_import_template(request):
    if not maker_units(request.user):
        raise PermissionDenied
    return _download(template_xlsx(), "mau-cau-hoi.xlsx", exporting.FORMATS["xlsx"].content_type)


@login_required
def question_import_detail(request, pk: int):
    batch = _import_for_user_or_404(request.user, pk)
    default = "problems" if batch.error_rows else ("new" if batch.status != QuestionImport.Status.DONE else "all")
    show = request.GET.get("show", default)
    if show not in SHOW:
        show = "all"
    rows = batch.rows.all()
    if SHOW[show] is not None:
        rows = rows.filter(action__in=SHOW[show])
    context = {
        "batch": batch,
        "show": show,
        "page": Paginator(rows.order_by("position"), PAGE_SIZE).get_page(request.GET.get("page")),
        "confirm_form": QuestionImportConfirmForm(),
    }
    return IMPORTER.render_page(
        request, "materials/question_io/detail.html", context, element_id="import-status", outcome=_outcome
    )


def _outcome(batch: QuestionImport) -> Outcome:
    """The finished import's alert on its page (components/import_status.html), in the bank's words."""
    again = reverse("materials:question_import")
    if batch.status == QuestionImport.Status.DONE:
        created = ngettext(
            "%(n)s question was added to the bank as your draft.",
            "%(n)s questions were added to the bank as your drafts.",
            batch.created_rows,
        ) % {"n": number(batch.created_rows)}
        lines = [Inline(created)]
        if batch.duplicate_rows:
            n = batch.duplicate_rows
            duplicates = ngettext("%(n)s duplicate was not imported.", "%(n)s duplicates were not imported.", n)
            lines.append(Inline(duplicates % {"n": number(n)}))
        if batch.skip_problems:
            n = batch.error_rows
            skipped = ngettext(
                "%(n)s question with problems was skipped (listed below).",
                "%(n)s questions with problems were skipped (listed below).",
                n,
            )
            lines.append(Strong(skipped % {"n": number(n)}))
        if batch.message:
            lines.append(batch.message)
        note = _("Send them for approval from the bank when they are ready.")
        return Outcome("success", "import-done", lines=lines, note=note)
    if batch.status == QuestionImport.Status.READY:
        counts = {
            "total": number(batch.total_rows),
            "new": number(batch.new_rows),
            "duplicates": number(batch.duplicate_rows),
            "problems": number(batch.error_rows),
        }
        summary = _(
            "%(total)s questions in the file: %(new)s new, %(duplicates)s already in the bank or twice in the file, "
            "%(problems)s with problems."
        )
        confirm = Confirm(
            reverse("materials:question_import_confirm", args=[batch.pk]),
            _("Add the %(new)s questions as my drafts") % counts,
            other_url=again,
            other_label=_("Upload another file"),
        )
        if batch.error_rows:
            confirm.skip_intro = _(
                "Nothing is imported while questions have problems. Correct the file and upload it again, or:"
            )
            skip = _("Import the %(new)s valid questions and skip the %(problems)s with problems")
            confirm.skip_label = skip % counts
        tone = "warning" if batch.error_rows else "primary"
        return Outcome(tone, "import-ready", lines=[summary % counts], confirm=confirm)
    lines = [batch.message] if batch.message else []
    return Outcome("danger", "import-problems", lines=lines, links=[(again, _("Upload a corrected file"))])


@login_required
@require_POST
def question_import_confirm_view(request, pk: int):
    batch = _import_for_user_or_404(request.user, pk)
    form = QuestionImportConfirmForm(request.POST)
    form.is_valid()
    try:
        batch = question_import_confirm(
            actor=request.user, batch=batch, skip_problems=form.cleaned_data.get("skip_problems", False)
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("materials:question_import_detail", batch.pk)
    IMPORTER.dispatch(question_import_apply_task, batch)
    batch.refresh_from_db()
    if batch.status == QuestionImport.Status.DONE and batch.created_rows:
        messages.success(
            request,
            _("%(count)d questions were added to the bank as your drafts.") % {"count": batch.created_rows},
        )
    return redirect("materials:question_import_detail", batch.pk)


@login_required
def question_export(request):
    if not may_use_bank(request.user):
        raise PermissionDenied
    form = QuestionExportForm(request.GET)
    count = None
    if form.is_valid():
        questions = exporting.questions_for_export(user=request.user, **form.selection())
        chosen = form.cleaned_data.get("format")
        if chosen:
            try:
                content = exporting.export_questions(questions=questions, format=chosen)
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                spec = exporting.FORMATS[chosen]
                name = f"cau-hoi-{timezone.localtime():%Y%m%d-%H%M}.{spec.extension}"
                return _download(content, name, spec.content_type)
        count = questions.count()
    return render(request, "materials/question_io/export.html", {"form": form, "count": count})


# Exports of every format (xlsx, Moodle XML, GIFT) leave the same way; questions are no personal data.
_download = partial(download_response, audit=None)


urlpatterns = [
    path("cau-hoi/nhap/", question_import, name="question_import"),
    path("cau-hoi/nhap/mau.xlsx", question_import_template, name="question_import_template"),
    path("cau-hoi/nhap/<id:pk>/", question_import_detail, name="question_import_detail"),
    path("cau-hoi/nhap/<id:pk>/xac-nhan/", question_import_confirm_view, name="question_import_confirm"),
    path("cau-hoi/xuat/", question_export, name="question_export"),
]
