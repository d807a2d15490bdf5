"""Pages of teaching plans and the online share. Thin: each checks permission (teaching.permissions), calls
a selector or a service, and renders; the lessons table answers htmx with its partial."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.views import decision_page
from courses.models import LiveSession, Section
from gradebook.services import current_school_year
from truonghoc.forms import add_service_errors
from truonghoc.params import parse_id, parse_int
from truonghoc.replica import reads_from_replica
from truonghoc.softdelete import alive_q
from truonghoc.xlsx import xlsx_response
from units.models import Role, Unit, in_subtree_q
from units.permissions import SCHOOL_MANAGER_ROLES, TEACHING_ROLES, units_where

from . import exports, selectors, services
from .forms import LessonForm, PlanCreateForm, PlanFilterForm
from .models import PlanLesson, PlanLevel
from .permissions import (
    can_create_plan,
    can_decide_plan,
    can_edit_plan,
    can_submit_plan,
    can_view_record,
    can_view_share,
    groups_of,
    leads_group,
    manages_school,
    plan_for_user_or_404,
)

PAGE_SIZE = 25


def _my_schools(user) -> list[Unit]:
    """Schools where the user teaches, leads a group or manages."""
    paths = set()
    for held in units_where(user, TEACHING_ROLES | SCHOOL_MANAGER_ROLES):
        if held.kind in Unit.SCHOOL_KINDS:
            paths.add(held.path)
        elif held.kind == Unit.Kind.GROUP:
            paths.add(held.school_path)
    return list(Unit.objects.filter(path__in=paths, is_active=True).order_by("name"))


def _my_records(user, schools: list[Unit]) -> list[tuple[str, str]]:
    links = []
    led = [held.path for held in units_where(user, {Role.GROUP_LEADER}, kinds=[Unit.Kind.GROUP])]
    for school in schools:
        if can_view_record(user, school=school):
            links.append((school.name, reverse("teaching:school_record", kwargs={"school_id": school.pk})))
        else:
            kwargs = {"school_id": school.pk, "user_id": user.pk}
            links.append((user.full_name, reverse("teaching:teacher_record", kwargs=kwargs)))
    for group in Unit.objects.filter(path__in=led, is_active=True).order_by("name"):
        links.append((group.name, reverse("teaching:group_record", kwargs={"group_id": group.pk})))
    return links


@login_required
def plan_list(request):
    subjects = selectors.plan_subjects(user=request.user)
    form = PlanFilterForm(request.GET or None, subjects=subjects)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.plan_list(
        user=request.user,
        q=filters.get("q") or "",
        subject=filters.get("subject") or "",
        grade=filters.get("grade"),
        status=filters.get("status") or "",
        scope=filters.get("scope") or "",
    )
    page = Paginator(rows, PAGE_SIZE).get_page(parse_int(request.GET.get("page"), default=1, minimum=1))
    schools = _my_schools(request.user)
    return render(
        request,
        "teaching/plan_list.html",
        # Links to the records (hồ sơ) the user may open: their school's, the groups they lead, their own.
        {
            "form": form,
            "page": page,
            "filtered": bool(filters and any(filters.values())),
            "waiting": list(selectors.plans_waiting_for(user=request.user)[:50]),
            "schools": schools,
            "may_create": bool(schools),
            "records": _my_records(request.user, schools),
        },
    )


def new_plan_setup(request) -> dict:
    """What a new plan's form offers this person: their school (?school=), the year, the groups, the levels
    they may write at, the programme of the grades the school teaches, the plans to draft from."""
    schools = _my_schools(request.user)
    if not schools:
        raise PermissionDenied
    school = schools[0]
    if request.GET.get("school"):
        school = next((s for s in schools if str(s.pk) == request.GET["school"]), None)
        if school is None:
            raise Http404
    year = current_school_year(school)
    groups = list(Unit.objects.filter(path__in=groups_of(request.user, school), kind=Unit.Kind.GROUP).order_by("name"))
    levels = [PlanLevel.TEACHER] if groups else []
    if any(leads_group(request.user, g) for g in groups):
        levels.insert(0, PlanLevel.GROUP)
    if manages_school(request.user, school):
        levels.insert(0, PlanLevel.SCHOOL)
        if not groups:
            groups = list(Unit.objects.children(school, kinds=[Unit.Kind.GROUP]).filter(is_active=True))
    if not levels:
        raise PermissionDenied
    grades = selectors.grades_taught(school)
    programme = {key: periods for key, periods in services.programme_of_year(year).items() if key[0] in grades}
    sources = list(
        selectors.plans_visible_to(user=request.user).filter(
            school=school, school_year=year, level__in=[PlanLevel.SCHOOL, PlanLevel.GROUP]
        )
    )
    return {
        "schools": schools, "school": school, "year": year, "groups": groups, "levels": levels,
        "programme": programme, "sources": sources,
    }  # fmt: skip


@login_required
def plan_new(request):
    setup = new_plan_setup(request)
    schools, school, year, sources = setup["schools"], setup["school"], setup["year"], setup["sources"]
    levels, groups, programme = setup["levels"], setup["groups"], setup["programme"]
    form = PlanCreateForm(request.POST or None, levels=levels, groups=groups, programme=programme, sources=sources)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = next((p for p in sources if p.pk == data.get("source")), None)
        if data.get("source") and source is None:
            form.add_error("source", _("Choose a plan you can see."))
        elif not can_create_plan(request.user, school=school, level=data["level"], group=data["group_unit"]):
            form.add_error("level", _("You cannot write a plan at this level for this group."))
        else:
            try:
                plan = services.plan_create(
                    actor=request.user,
                    school=school,
                    level=data["level"],
                    subject=data["subject"],
                    grade=data["grade"],
                    group=data["group_unit"],
                    school_year=year,
                    source=source,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Plan created: edit its lessons, then send it for approval."))
                return redirect("teaching:plan_edit", pk=plan.pk)
    return render(request, "teaching/plan_new.html", {"form": form, "school": school, "schools": schools, "year": year})


def _plan_context(request, plan, **extra) -> dict:
    totals = services.plan_totals(plan)
    return {
        "plan": plan,
        "lessons": selectors.plan_lessons(plan=plan),
        "totals": totals,
        "problem": services.periods_problem(plan, totals),
        "online_percent": selectors.share_percent(totals["online"], totals["programme"] or 0),
        "trail": selectors.plan_trail(plan=plan),
        "may_edit": can_edit_plan(request.user, plan),
        "may_submit": can_submit_plan(request.user, plan),
        "may_decide": can_decide_plan(request.user, plan),
        **extra,
    }


@login_required
def plan_detail(request, pk):
    plan = plan_for_user_or_404(request.user, pk)
    return render(request, "teaching/plan_detail.html", _plan_context(request, plan))


def _link_choices(plan):
    in_school = in_subtree_q(plan.school, "course__unit")
    sessions = (
        LiveSession.objects.alive()
        .filter(alive_q("course__"), in_school)
        .select_related("course")
        .order_by("-starts_at")[:200]
    )
    sections = (
        Section.objects.alive()
        .filter(alive_q("course__"), Q(course__grade=plan.grade) | Q(course__grade__isnull=True), in_school)
        .select_related("course")
        .order_by("course__title", "position")[:300]
    )
    return list(sessions), list(sections)


def _edit_context(request, plan, *, errors=None):
    sessions, sections = _link_choices(plan)
    return _plan_context(
        request, plan, sessions=sessions, sections=sections, modes=PlanLesson._meta.get_field("mode").choices,
        row_errors=errors or {},
    )  # fmt: skip


def _edit_response(request, plan, *, errors=None):
    plan.refresh_from_db()
    template = "teaching/plan_edit.html#lessons-table" if request.htmx else "teaching/plan_edit.html"
    if not request.htmx and not errors:
        return redirect("teaching:plan_edit", pk=plan.pk)
    return render(request, template, _edit_context(request, plan, errors=errors))


@login_required
def plan_edit(request, pk):
    plan = plan_for_user_or_404(request.user, pk)
    if not can_edit_plan(request.user, plan):
        messages.info(request, _("This plan cannot be changed now."))
        return redirect("teaching:plan", pk=plan.pk)
    return render(request, "teaching/plan_edit.html", _edit_context(request, plan))


def _lesson_or_404(request, pk) -> PlanLesson:
    lesson = get_object_or_404(PlanLesson.objects.select_related("plan"), pk=pk)
    plan = plan_for_user_or_404(request.user, lesson.plan_id)
    if not can_edit_plan(request.user, plan):
        raise PermissionDenied
    lesson.plan = plan
    return lesson


@login_required
@require_POST
def lesson_save(request, pk):
    lesson = _lesson_or_404(request, pk)
    sessions, sections = _link_choices(lesson.plan)
    form = LessonForm(request.POST, sessions=sessions, sections=sections)
    errors = {}
    if form.is_valid():
        try:
            data = form.cleaned_data
            services.lesson_update(
                actor=request.user,
                lesson=lesson,
                title=data["title"],
                periods=data["periods"],
                week=data["week"],
                mode=data["mode"],
                live_session_id=data["live_session"],
                section_id=data["section"],
            )
        except ValidationError as exc:
            errors[lesson.pk] = exc.messages
    else:
        errors[lesson.pk] = [e for field_errors in form.errors.values() for e in field_errors]
    return _edit_response(request, lesson.plan, errors=errors)


@login_required
@require_POST
def lesson_add(request, pk):
    plan = plan_for_user_or_404(request.user, pk)
    after = None
    after_id = parse_id(request.POST.get("after"))
    if after_id:
        after = get_object_or_404(PlanLesson, pk=after_id, plan=plan)
    try:
        services.lesson_add(actor=request.user, plan=plan, after=after)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _edit_response(request, plan)


@login_required
@require_POST
def lesson_remove(request, pk):
    lesson = _lesson_or_404(request, pk)
    services.lesson_remove(actor=request.user, lesson=lesson)
    return _edit_response(request, lesson.plan)


@login_required
@require_POST
def lesson_move(request, pk, offset):
    lesson = _lesson_or_404(request, pk)
    services.lesson_move(actor=request.user, lesson=lesson, offset=offset)
    return _edit_response(request, lesson.plan)


@login_required
@require_POST
def plan_submit(request, pk):
    plan = plan_for_user_or_404(request.user, pk)
    if not can_submit_plan(request.user, plan):
        raise PermissionDenied
    try:
        services.plan_submit(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("teaching:plan_edit", pk=plan.pk)
    messages.success(request, _("The plan has been sent for approval."))
    return redirect("teaching:plan", pk=plan.pk)


@login_required
def plan_decide(request, pk):
    plan = plan_for_user_or_404(request.user, pk)
    context = _plan_context(request, plan)
    context.update(
        {
            "item_title": str(plan),
            "content_template": "teaching/_plan_content.html",
            "status_of": plan,
            "history_url": reverse("teaching:plan", kwargs={"pk": plan.pk}),
            "note": _("Approved by the principal, the plan counts in the school's online share."),
        }
    )
    return decision_page(request, services.PLANS, subject=plan, context=context)


@login_required
def plan_export(request, pk):
    """The plan as an xlsx sheet. No personal data (the lessons and the unit's name): not audited."""
    plan = plan_for_user_or_404(request.user, pk)
    return xlsx_response(exports.plan_xlsx(plan), exports.plan_filename(plan), audit=None)


@login_required
@reads_from_replica
def share_page(request, unit_id):
    unit = get_object_or_404(Unit, pk=unit_id)
    if not can_view_share(request.user, unit):
        raise Http404
    default = current_school_year(unit)
    first = parse_int(request.GET.get("year"), default=int(default[:4]), minimum=2000, maximum=2100)
    year = f"{first}-{first + 1}"
    share = selectors.online_share(unit=unit, school_year=year)
    return render(
        request,
        "teaching/share.html",
        {
            "share": share,
            "year": year,
            "target": selectors.share_target(unit=unit),
            "previous": first - 1,
            "next": first + 1,
        },
    )
