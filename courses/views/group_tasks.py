"""Tasks given to professional groups: the school's list with the progress per group (the principal,
and those who see the school's reports), giving a task, a group's tasks, the tasks someone leads or was
put on, and a task's page where the leader assigns members and marks it done and the principal reopens
or removes it. Permission questions are `courses.permissions`; the writes are `services/group_tasks.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from truonghoc.forms import form_saved, service_outcome
from truonghoc.params import parse_id
from units.models import Unit
from units.permissions import TEACHING_ROLES, Action, unit_for_user_or_404
from units.selectors import people_holding

from ..forms.group_tasks import GroupTaskAssignForm, GroupTaskDoneForm, GroupTaskForm, GroupTaskReopenForm
from ..models import GroupTask
from ..permissions import (
    can_assign_group_tasks,
    can_follow_group_tasks,
    group_task_for_user_or_404,
    group_task_lead_problem,
    group_task_manage_problem,
    is_task_group_member,
)
from ..selectors import group_tasks as selectors
from ..services.group_tasks import (
    group_task_assign,
    group_task_complete,
    group_task_create,
    group_task_delete,
    group_task_reopen,
)

PAGE_SIZE = 20


def _states() -> list[tuple[str, str]]:
    return [
        (GroupTask.Status.WAITING, str(GroupTask.Status.WAITING.label)),
        (GroupTask.Status.IN_PROGRESS, str(GroupTask.Status.IN_PROGRESS.label)),
        (GroupTask.LATE, pgettext("group task", "Late")),
        (GroupTask.Status.DONE, str(GroupTask.Status.DONE.label)),
    ]


def _state_param(request) -> str:
    value = request.GET.get("trang-thai", "")
    return value if value in dict(_states()) else ""


def _school_or_404(user, pk, *, assign: bool = False) -> Unit:
    school = unit_for_user_or_404(user, pk, Action.VIEW)
    if not school.is_school:
        raise Http404
    allowed = can_assign_group_tasks if assign else can_follow_group_tasks
    if not allowed(user, school):
        raise Http404
    return school


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def school_tasks(request, pk: int):
    """The principal's view: progress per group, then every task with filters (state, group, kind)."""
    user = request.user
    school = _school_or_404(user, pk)
    groups = list(selectors.school_groups(school=school))
    group_id = parse_id(request.GET.get("to"))
    if group_id not in {g.pk for g in groups}:
        group_id = None
    kind = request.GET.get("loai", "")
    if kind not in GroupTask.Kind.values:
        kind = ""
    state = _state_param(request)
    tasks = selectors.school_tasks(school=school, state=state, group_id=group_id, kind=kind)
    context = {
        "school": school,
        "progress": selectors.school_progress(school=school),
        "page": _page(request, tasks),
        "groups": groups,
        "states": _states(),
        "kinds": GroupTask.Kind.choices,
        "chosen": {"state": state, "group": group_id, "kind": kind},
        "filtered": bool(state or group_id or kind),
        "can_assign": can_assign_group_tasks(user, school),
    }
    return render(request, "courses/tasks/school_tasks.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request, pk: int):
    user = request.user
    school = _school_or_404(user, pk, assign=True)
    groups = selectors.school_groups(school=school)
    initial = {"group": parse_id(request.GET.get("to"))}
    form = GroupTaskForm(request.POST or None, groups=groups, initial=initial)
    saved = form_saved(
        request,
        form,
        lambda data: group_task_create(
            actor=user,
            group=data["group"],
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            deadline=data["deadline"],
        ),
    )
    if saved:
        task = saved.result
        messages.success(
            request, _("The task has been given to %(group)s; its leader has been told.") % {"group": task.group.name}
        )
        return redirect("courses:group_task", task.pk)
    context = {"school": school, "form": form, "has_groups": groups.exists()}
    return render(request, "courses/tasks/task_form.html", context)


@login_required
def group_task_list(request, pk: int):
    """A group's tasks, for its members (the leader assigns from here) and the school's principal."""
    user = request.user
    group = unit_for_user_or_404(user, pk, Action.VIEW)
    if group.kind != Unit.Kind.GROUP:
        raise Http404
    school_path = group.school_path
    if not (is_task_group_member(user, group) or can_follow_group_tasks(user, school_path)):
        raise Http404
    state = _state_param(request)
    context = {
        "group": group,
        "page": _page(request, selectors.group_tasks(group=group, state=state)),
        "states": _states(),
        "chosen": {"state": state},
        "filtered": bool(state),
        "can_assign": can_assign_group_tasks(user, school_path),
        "school_pk": group.school().pk if can_follow_group_tasks(user, school_path) else None,
    }
    return render(request, "courses/tasks/group_tasks.html", context)


@login_required
def my_tasks(request):
    """The tasks of the groups the person leads and those they were put on."""
    state = _state_param(request)
    context = {
        "page": _page(request, selectors.my_group_tasks(user=request.user, state=state)),
        "states": _states(),
        "chosen": {"state": state},
        "filtered": bool(state),
    }
    return render(request, "courses/tasks/my_tasks.html", context)


def _members(task: GroupTask):
    return people_holding(roles=TEACHING_ROLES, units=[task.group_id]).order_by("full_name", "pk")


@login_required
def task_detail(request, pk: int):
    user = request.user
    task = group_task_for_user_or_404(user, pk)
    may_lead = not group_task_lead_problem(user, task)
    may_manage = not group_task_manage_problem(user, task)
    assigned = [a.user for a in task.assignments.select_related("user").order_by("user__full_name")]
    context = {
        "task": task,
        "group": task.group,
        "assigned": assigned,
        "may_lead": may_lead,
        "may_manage": may_manage,
        "assign_form": GroupTaskAssignForm(members=_members(task), initial={"members": assigned}) if may_lead else None,
        "done_form": GroupTaskDoneForm() if may_lead else None,
        "reopen_form": GroupTaskReopenForm() if may_manage and task.is_done else None,
    }
    return render(request, "courses/tasks/task_detail.html", context)


def _render_detail_with(request, task, **forms):
    """The task's page again with a refused form and its messages next to the fields."""
    user = request.user
    assigned = [a.user for a in task.assignments.select_related("user").order_by("user__full_name")]
    context = {
        "task": task,
        "group": task.group,
        "assigned": assigned,
        "may_lead": not group_task_lead_problem(user, task),
        "may_manage": not group_task_manage_problem(user, task),
        "assign_form": None,
        "done_form": None,
        "reopen_form": None,
        **forms,
    }
    return render(request, "courses/tasks/task_detail.html", context, status=400)


def _refuse_if(request, problem: str, task: GroupTask):
    if problem:
        messages.error(request, problem)
        return redirect("courses:group_task", task.pk)
    return None


@login_required
@require_POST
def task_assign(request, pk: int):
    user = request.user
    task = group_task_for_user_or_404(user, pk)
    if refused := _refuse_if(request, group_task_lead_problem(user, task), task):
        return refused
    form = GroupTaskAssignForm(request.POST, members=_members(task))
    saved = form_saved(request, form, lambda data: group_task_assign(actor=user, task=task, members=data["members"]))
    if not saved:
        return _render_detail_with(request, task, assign_form=form, done_form=GroupTaskDoneForm())
    messages.success(request, _("The members on this task have been saved; the newly assigned have been told."))
    return redirect("courses:group_task", task.pk)


@login_required
@require_POST
def task_done(request, pk: int):
    user = request.user
    task = group_task_for_user_or_404(user, pk)
    if refused := _refuse_if(request, group_task_lead_problem(user, task), task):
        return refused
    form = GroupTaskDoneForm(request.POST)
    saved = form_saved(
        request,
        form,
        lambda data: group_task_complete(actor=user, task=task, link=data["link"], note=data["note"]),
    )
    if not saved:
        assign_form = GroupTaskAssignForm(members=_members(task), initial={"members": list(task.assignees.all())})
        return _render_detail_with(request, task, assign_form=assign_form, done_form=form)
    messages.success(request, _("The task is marked done; the principal has been told."))
    return redirect("courses:group_task", task.pk)


@login_required
@require_POST
def task_reopen(request, pk: int):
    user = request.user
    task = group_task_for_user_or_404(user, pk)
    if refused := _refuse_if(request, group_task_manage_problem(user, task), task):
        return refused
    form = GroupTaskReopenForm(request.POST)
    saved = form_saved(request, form, lambda data: group_task_reopen(actor=user, task=task, deadline=data["deadline"]))
    if not saved:
        return _render_detail_with(request, task, reopen_form=form)
    messages.success(request, _("The task has been reopened; the group has been told."))
    return redirect("courses:group_task", task.pk)


@login_required
@require_POST
def task_remove(request, pk: int):
    user = request.user
    task = group_task_for_user_or_404(user, pk)
    with service_outcome(request, _("The task has been removed; the group has been told.")) as outcome:
        group_task_delete(actor=user, task=task)
    if not outcome.ok:
        return redirect("courses:group_task", task.pk)
    return redirect("courses:school_group_tasks", task.group.school().pk)


urlpatterns = [
    path("truong/<id:pk>/nhiem-vu-to/", school_tasks, name="school_group_tasks"),
    path("truong/<id:pk>/nhiem-vu-to/giao/", task_create, name="group_task_create"),
    path("to-chuyen-mon/<id:pk>/nhiem-vu/", group_task_list, name="group_tasks"),
    path("nhiem-vu-to/cua-toi/", my_tasks, name="my_group_tasks"),
    path("nhiem-vu-to/<id:pk>/", task_detail, name="group_task"),
    path("nhiem-vu-to/<id:pk>/phan-cong/", task_assign, name="group_task_assign"),
    path("nhiem-vu-to/<id:pk>/hoan-thanh/", task_done, name="group_task_done"),
    path("nhiem-vu-to/<id:pk>/mo-lai/", task_reopen, name="group_task_reopen"),
    path("nhiem-vu-to/<id:pk>/xoa/", task_remove, name="group_task_remove"),
]
