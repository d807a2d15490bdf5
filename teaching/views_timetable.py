"""Pages of the timetable (thời khóa biểu): a school's classes with the workbook import (upload → check →
the lines with their problems → confirm, through truonghoc.imports), a class's week and its versions, the
editing grid whose cells open an htmx editor, and a teacher's own week across classes. Thin: permission
(teaching.permissions), then a selector or a service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gradebook.selectors import school_teachers
from truonghoc.forms import service_outcome
from truonghoc.imports.engine import Confirm, Outcome
from truonghoc.params import parse_id
from truonghoc.xlsx import xlsx_response
from units.models import Unit

from . import selectors_timetable as reads
from .forms import SlotForm, TimetableImportForm, TimetableNewForm
from .models import DaySession, Timetable, TimetableImport, TimetableImportRow, Weekday
from .permissions import (
    can_edit_timetable,
    class_for_timetable_or_404,
    school_for_timetable_or_404,
)
from .services_timetable import SlotInput, grade_subjects, slot_clear, slot_set, timetable_create
from .timetable_import import (
    IMPORTER,
    template_xlsx,
    timetable_import_cancel,
    timetable_import_confirm,
    timetable_import_start,
    timetable_import_summary,
)

PAGE_SIZE = 50


@login_required
def timetable_school(request, school_id):
    """A school's classes with their timetable in force, the workbook import and its template."""
    from .tasks import timetable_import_validate_task

    school = school_for_timetable_or_404(request.user, school_id)
    form = TimetableImportForm(
        request.POST or None, request.FILES or None, initial={"valid_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = timetable_import_start(
                actor=request.user, school=school, upload=form.cleaned_data["file"],
                valid_from=form.cleaned_data["valid_from"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("file", error.messages[0])
        else:
            IMPORTER.dispatch(timetable_import_validate_task, batch)
            return redirect("teaching:timetable_import", pk=batch.pk)
    context = {
        "school": school,
        "classes": reads.timetable_classes(school=school),
        "form": form,
        "batches": TimetableImport.objects.filter(school=school).select_related("created_by")[:10],
    }
    return render(request, "teaching/timetable_school.html", context)


@login_required
def timetable_template(request, school_id):
    school = school_for_timetable_or_404(request.user, school_id)
    return xlsx_response(template_xlsx(school), f"tkb-{school.code}.xlsx", audit=None)  # no personal data


def _import_or_404(user, pk) -> TimetableImport:
    batch = get_object_or_404(TimetableImport.objects.select_related("school", "created_by"), pk=pk)
    if not can_edit_timetable(user, batch.school):
        raise Http404
    return batch


SHOW = {"problems": TimetableImportRow.Action.ERROR, "changes": TimetableImportRow.Action.SET}


@login_required
def timetable_import(request, pk):
    """A timetable file: its status (polled while a step runs), counts, then each line with its lessons
    or its problems."""
    batch = _import_or_404(request.user, pk)
    show = request.GET.get("show", "problems" if batch.error_rows else "all")
    rows = batch.rows.all()
    if show in SHOW:
        rows = rows.filter(action=SHOW[show])
    context = {
        "batch": batch,
        "school": batch.school,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "show": show,
        "cancel_url": reverse("teaching:timetable_import_cancel", args=[batch.pk]),
    }
    return IMPORTER.render_page(
        request, "teaching/timetable_import.html", context, element_id="timetable-import-status", outcome=_outcome
    )


def _outcome(batch: TimetableImport) -> Outcome:
    text = timetable_import_summary(batch)
    school_page = reverse("teaching:timetables", args=[batch.school_id])
    if batch.status == TimetableImport.Status.DONE:
        return Outcome("success", "import-done", lines=[text], links=[(school_page, _("Open the timetables"))])
    if batch.status == TimetableImport.Status.READY:
        confirm = Confirm(reverse("teaching:timetable_import_confirm", args=[batch.pk]), _("Write these timetables"))
        return Outcome(
            "primary", "import-ready", lines=[text], confirm=confirm, actions="gradebook/_import_cancel.html"
        )
    return Outcome("danger", "import-problems", lines=[text], links=[(school_page, _("Upload a corrected file"))])


@login_required
@require_POST
def timetable_import_confirm_view(request, pk):
    from .tasks import timetable_import_apply_task

    batch = _import_or_404(request.user, pk)
    try:
        batch = timetable_import_confirm(actor=request.user, batch=batch)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        IMPORTER.dispatch(timetable_import_apply_task, batch, request.user.pk)
    return redirect("teaching:timetable_import", pk=batch.pk)


@login_required
@require_POST
def timetable_import_cancel_view(request, pk):
    batch = _import_or_404(request.user, pk)
    with service_outcome(request, _("The file was cancelled; nothing was written.")):
        timetable_import_cancel(actor=request.user, batch=batch)
    return redirect("teaching:timetable_import", pk=batch.pk)


# --- a class's week ----------------------------------------------------------------------------------


def _school_of(school_class: Unit) -> Unit:
    return Unit.objects.get(path=school_class.school_path)


@login_required
def timetable_class(request, class_id):
    """A class's week (the timetable in force today, or `?v=` an older or newer version) and its versions;
    the school's managers also start a new version from a date."""
    school_class = class_for_timetable_or_404(request.user, class_id)
    school = _school_of(school_class)
    versions = reads.timetable_versions(school_class=school_class)
    asked = parse_id(request.GET.get("v"))
    if asked:
        timetable = next((t for t in versions if t.pk == asked), None)
        if timetable is None:
            raise Http404
    else:
        timetable = reads.timetable_in_force(school_class=school_class)
    may_edit = can_edit_timetable(request.user, school)
    form = TimetableNewForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST":
        if not may_edit:
            raise Http404
        if form.is_valid():
            try:
                created = timetable_create(
                    actor=request.user, school_class=school_class, valid_from=form.cleaned_data["valid_from"]
                )
            except ValidationError as error:
                form.add_error("valid_from", " ".join(error.messages))
            else:
                messages.success(request, _("The new timetable was created; change its slots below."))
                return redirect("teaching:timetable_edit", pk=created.pk)
    context = {
        "school": school,
        "school_class": school_class,
        "timetable": timetable,
        "week": reads.class_week(timetable=timetable),
        "versions": versions,
        "may_edit": may_edit,
        "form": form,
    }
    return render(request, "teaching/timetable_class.html", context)


def _timetable_or_404(user, pk) -> Timetable:
    timetable = get_object_or_404(Timetable.objects.select_related("school", "school_class"), pk=pk)
    if not can_edit_timetable(user, timetable.school):
        raise Http404
    return timetable


@login_required
def timetable_edit(request, pk):
    """The editing grid: every slot of the week (morning and afternoon, six periods); a cell opens its
    editor (htmx) beside the grid."""
    timetable = _timetable_or_404(request.user, pk)
    context = {
        "timetable": timetable,
        "school_class": timetable.school_class,
        "week": reads.class_week(timetable=timetable, full=True),
    }
    return render(request, "teaching/timetable_edit.html", context)


def _slot_form(timetable: Timetable, data=None, initial=None) -> SlotForm:
    return SlotForm(
        data,
        initial=initial,
        subjects=grade_subjects(timetable.school_year, timetable.school_class.grade),
        teachers=school_teachers(school=timetable.school),
        **reads.slot_link_choices(timetable=timetable),
    )


def _initial(slot) -> dict:
    if slot is None:
        return {}
    kind = next(
        (k for k, v in (("plan_lesson", slot.plan_lesson_id), ("live", slot.live_session_id),
                        ("lms", slot.section_id), ("url", slot.link_url)) if v),
        "",
    )  # fmt: skip
    return {
        "subject": slot.subject, "teacher": slot.teacher_id, "link_kind": kind, "plan_lesson": slot.plan_lesson_id,
        "live_session": slot.live_session_id, "section": slot.section_id, "link_url": slot.link_url,
    }  # fmt: skip


@login_required
def timetable_slot(request, pk, weekday, session, period):
    """One cell's editor: GET the form; POST saves (or clears) the slot and answers with the editor
    (a confirmation) and the grid's cell, swapped out of band."""
    timetable = _timetable_or_404(request.user, pk)
    if weekday not in Weekday.values or session not in DaySession.values or not 1 <= period <= 6:
        raise Http404
    slot = timetable.slots.filter(weekday=weekday, session=session, period=period).first()
    place = {"weekday": weekday, "session": session, "period": period}
    context = {
        "timetable": timetable,
        "place": place,
        "place_label": f"{Weekday(weekday).label}, {DaySession(session).label}, " + _("period %(n)s") % {"n": period},
        "slot": slot,
        "saved": False,
    }
    form = _slot_form(timetable, initial=_initial(slot))
    if request.method == "POST":
        if request.POST.get("clear"):
            slot_clear(actor=request.user, timetable=timetable, **place)
            context.update(slot=None, saved=True, saved_text=_("The slot is now empty."))
        else:
            form = _slot_form(timetable, data=request.POST)
            if form.is_valid():
                data = form.cleaned_data
                values = SlotInput(
                    subject=data["subject"], teacher_id=data["teacher"], link_kind=data["link_kind"] or "",
                    plan_lesson_id=data["plan_lesson"], live_session_id=data["live_session"],
                    section_id=data["section"], link_url=data["link_url"],
                )  # fmt: skip
                try:
                    slot = slot_set(actor=request.user, timetable=timetable, values=values, **place)
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    slot = timetable.slots.select_related(
                        "teacher", "plan_lesson", "live_session__course", "section__course"
                    ).get(pk=slot.pk)
                    context.update(slot=slot, saved=True, saved_text=_("The slot was saved."))
    context["form"] = form
    template = "teaching/timetable_edit.html#slot-editor" if request.htmx else "teaching/timetable_slot.html"
    return render(request, template, context)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def my_timetable(request):
    """A teacher's own week: their lessons in every class, from each class's timetable in force today."""
    week = reads.teacher_week(teacher=request.user)
    return render(request, "teaching/timetable_teacher.html", {"week": week})
