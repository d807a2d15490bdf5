"""Who may see, write and decide teaching plans, and see the online share.

- A teacher writes their own plan; a group leader the group's plan; the principal, a vice-principal or
  the school admin the school's plan. Only the author sends a plan for approval (the engine's rule).
- The group step is the group leader's, the school step the principal's or the school admin's
  (`approvals.permissions`). Nobody decides their own plan.
- Inside the school: the author, the group's leader and the school's managers see a plan at any status;
  the school's other teachers see approved plans. Other schools see nothing.
- The online share of a school: its managers, group leaders and teachers; of a unit above a school, those
  who see its reports (units.permissions.can_view_reports).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Guardianship, User
from approvals.models import Status
from approvals.permissions import can_decide_step
from units.models import Role, Unit
from units.permissions import (
    SCHOOL_MANAGER_ROLES,
    TEACHING_ROLES,
    can_view_reports,
    holds_role_at,
    holds_role_within,
    units_where,
)

from .models import PlanLevel, TeachingPlan

K = Unit.Kind


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def manages_school(user, school: Unit) -> bool:
    return _active(user) and (user.is_superuser or holds_role_at(user, school, SCHOOL_MANAGER_ROLES))


def leads_group(user, group: Unit) -> bool:
    return _active(user) and group.kind == K.GROUP and holds_role_at(user, group, {Role.GROUP_LEADER})


def works_at_school(user, school: Unit) -> bool:
    """Holds a teaching or managing role at the school or one of its groups (not a student's)."""
    return _active(user) and (
        user.is_superuser or holds_role_within(user, school, TEACHING_ROLES | SCHOOL_MANAGER_ROLES)
    )


def groups_of(user, school: Unit) -> list[str]:
    """Paths of the school's groups where the user teaches or leads."""
    return [
        held.path
        for held in units_where(user, TEACHING_ROLES, kinds=[K.GROUP])
        if held.path.startswith(school.path) and held.path != school.path
    ]


def can_create_plan(user, *, school: Unit, level: str, group: Unit | None) -> bool:
    if not _active(user) or not school.is_school:
        return False
    if level == PlanLevel.SCHOOL:
        return manages_school(user, school)
    if group is None or group.kind != K.GROUP or group.school_path != school.path:
        return False
    if level == PlanLevel.GROUP:
        return leads_group(user, group) or user.is_superuser
    if level == PlanLevel.TEACHER:
        return holds_role_at(user, group, TEACHING_ROLES)
    return False


def may_write(user, plan: TeachingPlan) -> bool:
    """Whose plan it is to write, whatever its status."""
    if not _active(user) or plan.is_deleted:
        return False
    if plan.author_id == user.pk:
        return True
    if plan.level == PlanLevel.GROUP:
        return leads_group(user, plan.unit)
    if plan.level == PlanLevel.SCHOOL:
        return manages_school(user, plan.school)
    return False


def can_edit_plan(user, plan: TeachingPlan) -> bool:
    """Writes its lessons now: a draft (or a refused plan, which goes back to draft) of one's own level."""
    return plan.is_editable and may_write(user, plan)


def can_submit_plan(user, plan: TeachingPlan) -> bool:
    return plan.is_editable and _active(user) and plan.author_id == user.pk


def can_decide_plan(user, plan: TeachingPlan) -> bool:
    return _active(user) and can_decide_step(user, plan, plan.status)


def can_view_plan(user, plan: TeachingPlan) -> bool:
    if not _active(user) or plan.is_deleted:
        return False
    if user.is_superuser or plan.author_id == user.pk or manages_school(user, plan.school):
        return True
    if plan.unit.kind == K.GROUP and leads_group(user, plan.unit):
        return True
    if can_decide_plan(user, plan):
        return True
    return plan.status == Status.APPROVED and works_at_school(user, plan.school)


def plan_for_user_or_404(user, pk) -> TeachingPlan:
    """The plan, if the user may see it; anything else (another school's, a removed one) looks missing."""
    plan = get_object_or_404(TeachingPlan.objects.alive().select_related("school", "unit", "author", "source"), pk=pk)
    if not can_view_plan(user, plan):
        raise Http404
    return plan


def can_view_share(user, unit: Unit) -> bool:
    if not _active(user):
        return False
    if unit.is_school and works_at_school(user, unit):
        return True
    return can_view_reports(user, unit)


# --- the timetable (issue #17, point 3) ----------------------------------------------------------------
# Written by the school's managers (school admin, principal, vice-principal); read by the school's staff,
# the class's students and the parents of a child in the class. Other schools see nothing.


def can_edit_timetable(user, school: Unit) -> bool:
    return bool(school.is_school and manages_school(user, school))


def can_view_class_timetable(user, school_class: Unit) -> bool:
    if not _active(user) or school_class.kind != K.CLASS:
        return False
    if user.is_superuser or works_at_school(user, school_class.school_path):
        return True
    if holds_role_at(user, school_class, {Role.STUDENT}):
        return True
    return _parent_in_class(user, school_class)


def _parent_in_class(user, school_class: Unit) -> bool:
    """A parent account currently linked to an active child who is a student of the class (one query)."""
    if getattr(user, "account_type", "") != User.AccountType.PARENT:
        return False
    return Guardianship.objects.filter(
        parent_id=user.pk,
        ended_at__isnull=True,
        child__is_active=True,
        child__role_assignments__unit=school_class,
        child__role_assignments__role=Role.STUDENT,
    ).exists()


def class_for_timetable_or_404(user, pk, *, write: bool = False) -> Unit:
    """The class, if the user may see (or, with `write`, edit) its timetable; anything else looks missing."""
    school_class = get_object_or_404(Unit.objects.filter(kind=K.CLASS), pk=pk)
    allowed = (
        can_edit_timetable(user, Unit.objects.get(path=school_class.school_path))
        if write
        else can_view_class_timetable(user, school_class)
    )
    if not allowed:
        raise Http404
    return school_class


def school_for_timetable_or_404(user, pk) -> Unit:
    school = get_object_or_404(Unit.objects.filter(kind__in=Unit.SCHOOL_KINDS), pk=pk)
    if not can_edit_timetable(user, school):
        raise Http404
    return school
