"""Writing a course: create and edit it, publish and close it, add, edit and reorder its sections (with
their files), and choose co-instructors. Only instructors reach these pages; others who may see the
course get 403, those who may not see it 404."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.forms import cleaned_values, form_saved, service_outcome
from truonghoc.params import parse_id
from units.models import Unit
from units.permissions import Action, can, can_see_usernames

from ..forms.authoring import CoInstructorSearchForm, CourseForm, SectionForm
from ..models import Course, Section
from ..permissions import can_create_course, editable_course_or_404
from ..services import authoring as services
from ..wording import course_words


def _editable_section(user, pk) -> Section:
    section = get_object_or_404(Section.objects.select_related("course"), pk=pk)
    section.course = editable_course_or_404(user, section.course_id)
    return section


DEFAULT_KIND = {Unit.Kind.GROUP: Course.Kind.TOPIC, Unit.Kind.SCHOOL: Course.Kind.LESSON}


def _refused(request, message: str):
    return render(
        request,
        "refused.html",
        {"message": message, "back_url": reverse("courses:catalogue"), "back_label": _("Back to the courses")},
        status=403,
    )


def _no_purpose_warning(request, course: Course) -> None:
    if not services.has_text(course.purpose):
        messages.warning(request, str(course.words.no_purpose_note))


def _course_data(form) -> dict:
    return cleaned_values(form, services.CourseFields.__annotations__)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    """`?unit=<pk>&kind=<kind>`: the space that offers the "create" button says where and what."""
    user = request.user
    unit_pk = parse_id(request.GET.get("unit"))
    if unit_pk is None:
        raise Http404
    unit = get_object_or_404(Unit, pk=unit_pk, is_active=True)
    if not can(user, Action.VIEW, unit):
        raise Http404
    kinds = [kind for kind in Course.Kind.values if can_create_course(user, unit, kind)]
    if not kinds:
        return _refused(request, _("You cannot create courses, lessons or topics in %(unit)s.") % {"unit": unit.name})
    wanted = request.GET.get("kind") or DEFAULT_KIND.get(unit.kind, Course.Kind.TRAINING)
    if wanted not in Course.Kind.values or wanted not in kinds:
        label = dict(Course.Kind.choices).get(wanted, wanted)
        return _refused(request, _("You cannot create a %(kind)s in %(unit)s.") % {"kind": label, "unit": unit.name})
    choices = services.audience_choices(unit)
    initial = {"kind": wanted, "audience": services.default_audience_key(unit)}
    form = CourseForm(
        request.POST or None, initial=initial, audience_choices=choices, kinds=kinds, words=course_words(wanted)
    )
    saved = form_saved(
        request,
        form,
        lambda data: services.course_create(actor=user, unit=unit, kind=data["kind"], **_course_data(form)),
    )
    if saved:
        messages.success(request, _("The draft is saved. Add its sections, then publish it."))
        _no_purpose_warning(request, saved.result)
        return redirect("courses:course", saved.result.pk)
    context = {"form": form, "unit": unit, "kind_label": dict(Course.Kind.choices)[wanted], "course": None}
    return render(request, "courses/course_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, pk: int):
    course = editable_course_or_404(request.user, pk)
    initial = {
        "title": course.title,
        "subject": course.subject,
        "grade": course.grade,
        "audience": services.audience_key(course),
        "starts_on": course.starts_on,
        "ends_on": course.ends_on,
        "purpose": course.purpose,
        "body": course.body,
    }
    form = CourseForm(
        request.POST or None,
        initial=initial,
        audience_choices=services.audience_choices(course.unit),
        words=course.words,
    )
    if form_saved(
        request, form, lambda data: services.course_update(actor=request.user, course=course, **_course_data(form))
    ):
        messages.success(request, str(course.words.saved))
        if course.status == Course.Status.DRAFT:
            _no_purpose_warning(request, course)
        return redirect("courses:course", course.pk)
    context = {"form": form, "unit": course.unit, "kind_label": course.get_kind_display(), "course": course}
    return render(request, "courses/course_form.html", context)


@login_required
@require_POST
def course_publish(request, pk: int):
    course = editable_course_or_404(request.user, pk)
    reopening = course.status == Course.Status.CLOSED
    with service_outcome(request, str(course.words.reopened if reopening else course.words.published)):
        services.course_publish(actor=request.user, course=course)
    return redirect("courses:course", course.pk)


@login_required
@require_POST
def course_close(request, pk: int):
    course = editable_course_or_404(request.user, pk)
    with service_outcome(request, str(course.words.closed_done)):
        services.course_close(actor=request.user, course=course)
    return redirect("courses:course", course.pk)


# --- sections --------------------------------------------------------------------------------


def _section_page(request, form, course, section=None):
    context = {"form": form, "course": course, "section": section}
    return render(request, "courses/section_form.html", context)


def _section_data(form) -> dict:
    return cleaned_values(form, ("title", "body", "link_url", "link_title"))


@login_required
@require_http_methods(["GET", "POST"])
def section_create(request, pk: int):
    course = editable_course_or_404(request.user, pk)
    form = SectionForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.section_create(
            actor=request.user, course=course, upload=data["upload"], **_section_data(form)
        ),
        upload_field="upload",
    )
    if saved:
        messages.success(request, _("The section is added."))
        return redirect(reverse("courses:course", args=[course.pk]) + f"#section-{saved.result.pk}")
    return _section_page(request, form, course)


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk: int):
    section = _editable_section(request.user, pk)
    if section.is_deleted:
        raise Http404
    initial = {
        "title": section.title,
        "body": section.body,
        "link_url": section.link_url,
        "link_title": section.link_title,
    }
    form = SectionForm(request.POST or None, request.FILES or None, initial=initial, has_file=bool(section.file))
    saved = form_saved(
        request,
        form,
        lambda data: services.section_update(
            actor=request.user,
            section=section,
            upload=data["upload"],
            remove_file=data.get("remove_file", False),
            **_section_data(form),
        ),
        upload_field="upload",
    )
    if saved:
        messages.success(request, _("The section is saved."))
        return redirect(reverse("courses:course", args=[section.course_id]) + f"#section-{section.pk}")
    return _section_page(request, form, section.course, section)


@login_required
@require_POST
def section_move(request, pk: int):
    section = _editable_section(request.user, pk)
    with service_outcome(request):
        services.section_move(actor=request.user, section=section, direction=request.POST.get("direction", ""))
    return redirect(reverse("courses:course", args=[section.course_id]) + f"#section-{section.pk}")


# --- co-instructors --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def co_instructors(request, pk: int):
    course = editable_course_or_404(request.user, pk)
    is_author = course.author_id == request.user.pk
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied
        User = get_user_model()
        person = get_object_or_404(User, pk=parse_id(request.POST.get("user")) or 0)
        with service_outcome(request):
            if request.POST.get("action") == "remove":
                services.co_instructor_remove(actor=request.user, course=course, user=person)
                messages.success(request, str(course.words.co_instructor_removed) % {"name": person.full_name})
            else:
                services.co_instructor_add(actor=request.user, course=course, user=person)
                messages.success(request, str(course.words.co_instructor_added) % {"name": person.full_name})
        return redirect("courses:co_instructors", course.pk)
    search = CoInstructorSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    current = services.co_instructors(course)
    current_ids = {u.pk for u in current}
    candidates = []
    if query and is_author:
        candidates = [u for u in services.co_instructor_candidates(course, query=query) if u.pk not in current_ids]
    context = {
        "course": course,
        "current": current,
        "candidates": candidates,
        "search": search,
        "query": query,
        "is_author": is_author,
        "school": services.base_unit(course.unit),
        "show_usernames": can_see_usernames(request.user, course.unit),
    }
    return render(request, "courses/course_co_instructors.html", context)


urlpatterns = [
    path("tao-moi/", course_create, name="course_create"),
    path("<id:pk>/sua/", course_edit, name="course_edit"),
    path("<id:pk>/xuat-ban/", course_publish, name="course_publish"),
    path("<id:pk>/dong/", course_close, name="course_close"),
    path("<id:pk>/phan/them/", section_create, name="section_create"),
    path("phan/<id:pk>/sua/", section_edit, name="section_edit"),
    path("phan/<id:pk>/di-chuyen/", section_move, name="section_move"),
    path("<id:pk>/giang-vien/", co_instructors, name="co_instructors"),
]
