"""Tasks a school gives its professional groups (letter 1754: "Phân công nhiệm vụ cụ thể cho các
tổ/nhóm chuyên môn"): the principal gives a group a topic to prepare, a product to hand in or a report
with a deadline; the group's leader puts members on it and marks it done with a link to the result (a
topic, a product or another page of this portal) and a note; the principal reopens or removes it.

Each step is checked by `courses.permissions` (the views ask the same questions), refused with a clear
message and nothing changed, audited (`group_task.*`) and told to the people concerned.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.request import validate_host
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.text import formula_or_bidi_problem, nfc, nfc_text
from units.models import Role, Unit
from units.selectors import people_holding
from units.services import audit_log
from units.trash import soft_remove

from ..models import Course, GroupTask, GroupTaskAssignee, Product
from ..permissions import (
    can_assign_group_tasks,
    group_task_lead_problem,
    group_task_manage_problem,
    is_task_group_member,
)

NOTE_MAX_CHARS = 4000
DATE_FORMAT = "%d/%m/%Y %H:%M"


def _not_this_site() -> ValidationError:
    return ValidationError(
        {"link": [_("The link must be a page of this portal (a topic, a product…), not another site.")]}
    )


def _named(task: GroupTask) -> dict:
    return {"title": task.title, "group": task.group.name}


def _audit(actor, action: str, task: GroupTask, **entry) -> None:
    audit_log(actor=actor, action=action, unit=task.group, target=task, **entry)


def _url(task: GroupTask) -> str:
    return reverse("courses:group_task", args=[task.pk])


def _leaders(group: Unit) -> list:
    return list(people_holding(roles=[Role.GROUP_LEADER], units=[group.pk]))


def _assignees(task: GroupTask) -> list:
    return list(task.assignees.filter(is_active=True))


def _lock(task: GroupTask) -> GroupTask:
    """The row again, locked, so two clicks cannot both act on it."""
    return (
        GroupTask.objects.select_for_update(of=("self",))
        .select_related("group", "created_by", "done_by", "result_course", "result_product")
        .get(pk=task.pk)
    )


def _future_deadline(deadline) -> None:
    if deadline is None:
        raise ValidationError({"deadline": [_("Give the deadline: a date and time.")]})
    if deadline <= timezone.now():
        raise ValidationError({"deadline": [_("The deadline must be in the future.")]})


def _snapshot(task: GroupTask) -> dict:
    return {
        "status": task.status,
        "deadline": task.deadline.isoformat() if task.deadline else None,
        "assignees": sorted(task.assignments.values_list("user_id", flat=True)) if task.pk else [],
    }


@transaction.atomic
def group_task_create(*, actor, group: Unit, kind: str, title: str, deadline, description: str = "") -> GroupTask:
    """The principal gives one of the school's active professional groups a task; its leaders are told."""
    if group.kind != Unit.Kind.GROUP or not group.is_active:
        raise ValidationError({"group": [_("Tasks are given to an active professional group of the school.")]})
    if not can_assign_group_tasks(actor, group.school_path):
        raise ValidationError(
            {"group": [_("You can only give tasks to the professional groups of a school you are principal of.")]}
        )
    errors: dict[str, list[str]] = {}
    title = nfc(title).strip()
    if problem := formula_or_bidi_problem(title):
        errors["title"] = [problem]
    try:
        _future_deadline(deadline)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    task = GroupTask(
        group=group,
        kind=kind,
        title=title[:255],
        description=nfc_text(description),
        deadline=deadline,
        created_by=actor,
    )
    try:
        task.full_clean(exclude=list(errors))
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    task.save()
    audit_log(
        actor=actor,
        action="group_task.create",
        unit=group,
        target=task,
        after={"kind": task.kind, "deadline": task.deadline.isoformat(), "status": task.status},
    )
    notify(
        recipients=_leaders(group),
        title=_("New task for %(group)s: “%(title)s”") % {"group": group.name, "title": task.title},
        body=_("Given by %(name)s; due %(when)s. Assign members to it from the task's page.")
        % {"name": actor, "when": timezone.localtime(task.deadline).strftime(DATE_FORMAT)},
        url=_url(task),
    )
    return task


@transaction.atomic
def group_task_assign(*, actor, task: GroupTask, members) -> GroupTask:
    """The group's leader sets who works on the task (members of the group only): the newly assigned are
    told; with someone on it the task is in progress, with nobody it waits."""
    task = _lock(task)
    if problem := group_task_lead_problem(actor, task):
        raise ValidationError(problem, code="refused")
    members = list({m.pk: m for m in members}.values())
    strangers = [m for m in members if not (m.is_active and is_task_group_member(m, task.group))]
    if strangers:
        raise ValidationError(
            {
                "members": [
                    _("%(names)s is not a member of %(group)s.")
                    % {"names": ", ".join(str(m) for m in strangers), "group": task.group.name}
                ]
            }
        )
    before = _snapshot(task)
    current = set(before["assignees"])
    wanted = {m.pk for m in members}
    task.assignments.filter(user_id__in=current - wanted).delete()
    added = [m for m in members if m.pk not in current]
    GroupTaskAssignee.objects.bulk_create(GroupTaskAssignee(task=task, user=m, assigned_by=actor) for m in added)
    task.status = GroupTask.Status.IN_PROGRESS if wanted else GroupTask.Status.WAITING
    task.save(update_fields=["status", "updated_at"])
    _audit(actor, "group_task.assign", task, before=before, after=_snapshot(task))
    notify(
        recipients=(m for m in added if m.pk != actor.pk),
        title=_("You have been assigned the task “%(title)s” of %(group)s") % _named(task),
        body=_("Due %(when)s.") % {"when": timezone.localtime(task.deadline).strftime(DATE_FORMAT)},
        url=_url(task),
    )
    return task


def result_link_clean(*, link: str, group: Unit) -> tuple[str, Course | None, Product | None]:
    """The link a task's result is given by: a page of this portal (a path, or an address on one of its
    own hosts), stored as its path. A topic's or product's page must be one of the group's school (topic)
    or of the group (product), not removed; it is returned as well so the result can be named."""
    link = (link or "").strip()
    if not link:
        raise ValidationError({"link": [_("Give the link to the topic, product or page that shows the result.")]})
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith("//"):
        host = (parts.hostname or "").lower()
        allowed = [h for h in settings.ALLOWED_HOSTS if h != "*"]
        if parts.scheme not in ("http", "https") or not host or not validate_host(host, allowed):
            raise _not_this_site()
    path = parts.path or ""
    if not path.startswith("/") or path.startswith("//"):
        raise _not_this_site()
    try:
        match = resolve(path)
    except Resolver404:
        no_page = _("This portal has no such page; copy the link from the address bar.")
        raise ValidationError({"link": [no_page]}) from None
    course = product = None
    if match.view_name == "courses:course":
        course = Course.objects.alive().filter(pk=match.kwargs.get("pk")).select_related("unit").first()
        if course is None or course.unit.school_path != group.school_path:
            raise ValidationError({"link": [_("Link to a topic or course of this school that has not been removed.")]})
    elif match.view_name in ("courses:product", "courses:product_download"):
        product = Product.objects.alive().filter(pk=match.kwargs.get("pk")).first()
        if product is None or product.unit_id != group.pk:
            raise ValidationError({"link": [_("Link to a product handed in to this group that has not been removed.")]})
    stored = path + (f"?{parts.query}" if parts.query else "")
    return stored[:1000], course, product


@transaction.atomic
def group_task_complete(*, actor, task: GroupTask, link: str, note: str = "") -> GroupTask:
    """The group's leader marks the task done with the link to its result and a note; the principal who
    gave it and the members on it are told. Done after the deadline is still done (and shows when)."""
    task = _lock(task)
    if problem := group_task_lead_problem(actor, task):
        raise ValidationError(problem, code="refused")
    path, course, product = result_link_clean(link=link, group=task.group)
    note = nfc_text(note)
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError({"note": [_("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX_CHARS}]})
    before = _snapshot(task)
    task.status, task.done_at, task.done_by = GroupTask.Status.DONE, timezone.now(), actor
    task.result_url, task.result_course, task.result_product, task.done_note = path, course, product, note
    task.save(
        update_fields=[
            "status", "done_at", "done_by", "result_url", "result_course", "result_product", "done_note", "updated_at",
        ]
    )  # fmt: skip
    audit_log(
        actor=actor,
        action="group_task.done",
        unit=task.group,
        target=task,
        before=before,
        after={"status": task.status, "link": path, "late": task.done_at > task.deadline},
    )
    notify(
        recipients=(u for u in [task.created_by, *_assignees(task)] if u.pk != actor.pk),
        title=_("%(group)s has done the task “%(title)s”") % {"group": task.group.name, "title": task.title},
        body=note,
        url=_url(task),
    )
    return task


@transaction.atomic
def group_task_reopen(*, actor, task: GroupTask, deadline=None) -> GroupTask:
    """The principal sends a done task back to the group, optionally with a new deadline (in the
    future); the leaders and the members on it are told."""
    task = _lock(task)
    if problem := group_task_manage_problem(actor, task):
        raise ValidationError(problem, code="refused")
    if not task.is_done:
        raise ValidationError(_("This task is not done; there is nothing to reopen."), code="not_done")
    if deadline is not None:
        _future_deadline(deadline)
    before = _snapshot(task)
    task.status = GroupTask.Status.IN_PROGRESS if before["assignees"] else GroupTask.Status.WAITING
    task.done_at = task.done_by = None
    if deadline is not None:
        task.deadline = deadline
    task.save(update_fields=["status", "done_at", "done_by", "deadline", "updated_at"])
    _audit(actor, "group_task.reopen", task, before=before, after=_snapshot(task))
    notify(
        recipients=(u for u in [*_leaders(task.group), *_assignees(task)] if u.pk != actor.pk),
        title=_("The task “%(title)s” of %(group)s has been reopened") % _named(task),
        body=_("Due %(when)s.") % {"when": timezone.localtime(task.deadline).strftime(DATE_FORMAT)},
        url=_url(task),
    )
    return task


@transaction.atomic
def group_task_delete(*, actor, task: GroupTask) -> GroupTask:
    """The principal removes a task (soft: kept with who and when, audited); the leaders and the members
    on it are told."""
    task = _lock(task)
    if problem := group_task_manage_problem(actor, task):
        raise ValidationError(problem, code="refused")
    soft_remove(task, by=actor, action="group_task.delete", unit=task.group, before=_snapshot(task))
    notify(
        recipients=(u for u in [*_leaders(task.group), *_assignees(task)] if u.pk != actor.pk),
        title=_("The task “%(title)s” of %(group)s has been withdrawn") % _named(task),
        url=reverse("courses:group_tasks", args=[task.group_id]),
    )
    return task
