"""Reads of the tasks given to professional groups: a school's tasks with their state, filtered, and
the progress per group (one grouped query); a group's tasks; the open tasks a person leads or was put
on, for their home page. The state (waiting / in progress / done / late) is computed in the query, so
lists filter and count on it."""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from units.models import Role, Unit, in_subtree_q
from units.permissions import units_where

from ..models import GroupTask, GroupTaskAssignee

STATES = (GroupTask.Status.WAITING, GroupTask.Status.IN_PROGRESS, GroupTask.LATE, GroupTask.Status.DONE)
HOME_LIMIT = 8


def state_annotation(now=None) -> Case:
    """done, else late when the deadline has passed, else the stored waiting / in progress."""
    now = now or timezone.now()
    return Case(
        When(status=GroupTask.Status.DONE, then=Value(GroupTask.Status.DONE)),
        When(deadline__lt=now, then=Value(GroupTask.LATE)),
        When(status=GroupTask.Status.IN_PROGRESS, then=Value(GroupTask.Status.IN_PROGRESS)),
        default=Value(GroupTask.Status.WAITING),
        output_field=CharField(),
    )


def _listed(queryset: QuerySet) -> QuerySet:
    assignees = GroupTaskAssignee.objects.select_related("user").order_by("user__full_name", "user_id")
    return (
        queryset.annotate(current_state=state_annotation())
        .select_related("group", "created_by", "done_by")
        .prefetch_related(Prefetch("assignments", queryset=assignees))
    )


def school_groups(*, school: Unit) -> QuerySet[Unit]:
    """The school's active professional groups, for the filter and the form."""
    return Unit.objects.children(school).filter(kind=Unit.Kind.GROUP, is_active=True).order_by("name", "path")


def school_tasks(*, school: Unit, state: str = "", group_id: int | None = None, kind: str = "") -> QuerySet:
    """The school's tasks not removed, open ones first by deadline, done ones after (latest done first)."""
    tasks = GroupTask.objects.alive().filter(in_subtree_q(school, "group"), group__kind=Unit.Kind.GROUP)
    if group_id:
        tasks = tasks.filter(group_id=group_id)
    if kind:
        tasks = tasks.filter(kind=kind)
    tasks = _listed(tasks)
    if state:
        tasks = tasks.filter(current_state=state)
    done_last = Case(When(status=GroupTask.Status.DONE, then=Value(1)), default=Value(0))
    return tasks.order_by(done_last, "deadline", "id")


@dataclass
class GroupProgress:
    group: Unit
    counts: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getattr__(self, name):  # template access: progress.late, progress.done…
        if name in STATES:
            return self.counts.get(name, 0)
        raise AttributeError(name)


def school_progress(*, school: Unit) -> list[GroupProgress]:
    """Each active group of the school with how many of its tasks wait, are in progress, late or done:
    one query for the groups, one grouped query for the counts."""
    groups = list(school_groups(school=school))
    rows = (
        GroupTask.objects.alive()
        .filter(group__in=groups)
        .annotate(current_state=state_annotation())
        .values("group_id", "current_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_group = {g.pk: GroupProgress(group=g) for g in groups}
    for row in rows:
        by_group[row["group_id"]].counts[row["current_state"]] = row["n"]
    return list(by_group.values())


def group_tasks(*, group: Unit, state: str = "") -> QuerySet:
    tasks = _listed(GroupTask.objects.alive().filter(group=group))
    if state:
        tasks = tasks.filter(current_state=state)
    done_last = Case(When(status=GroupTask.Status.DONE, then=Value(1)), default=Value(0))
    return tasks.order_by(done_last, "deadline", "id")


def my_group_tasks(*, user, state: str = "") -> QuerySet:
    """The tasks the user was put on, and those of the groups they lead, not removed."""
    led = [held.path for held in units_where(user, {Role.GROUP_LEADER}, kinds={Unit.Kind.GROUP})]
    where = Q(assignments__user=user)
    if led:
        where |= Q(group__path__in=led)
    tasks = _listed(GroupTask.objects.alive().filter(where, group__is_active=True).distinct())
    if state:
        tasks = tasks.filter(current_state=state)
    done_last = Case(When(status=GroupTask.Status.DONE, then=Value(1)), default=Value(0))
    return tasks.order_by(done_last, "deadline", "id")


def home_group_tasks(*, user, limit: int = HOME_LIMIT) -> list[GroupTask]:
    """The open tasks for the home page (led or assigned), the nearest deadline first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(my_group_tasks(user=user).exclude(status=GroupTask.Status.DONE)[:limit])
