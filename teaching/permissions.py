"""Who may see, write and decide teaching plans, and see the online share.

- A teacher writes their own plan; a group leader the group's plan; the principal, a vice-principal or
  the school admin the school's plan. Only the author sends a plan for approval (the engine's rule).
- The group step is the group leader's, the school step the principal's or the school admin's
  (`approvals.permissions`). Nobody decides their own plan.
- Inside the school: the author, the group's leader and the school's managers see a plan at any status;
  the school's other teachers see approved plans. Other schools see nothing.
- Live lessons' attendance: see the section at the end.
- The online share of a school: its managers, group leaders and teachers; of a unit above a school, those
  who see its reports (units.permissions.can_view_reports).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Guardianship, User
from accounts.permissions import is_parent_of
from approvals.models import Status
from approvals.permissions import can_decide_step
from courses.models import LiveSession
from courses.permissions import can_edit_course, can_view_course, is_instructor
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


# --- live lessons: attendance (issue #17, point 4) ---------------------------------------------------------
# The course's instructors take and correct it; the managers of the school the course lives in read it; a
# student reads their own (`can_view_student_attendance`), a parent their child's, read only. Anyone else who
# sees the course is refused (403); who does not see it finds nothing (404).


def can_take_attendance(user, session) -> bool:
    return _active(user) and not session.is_deleted and can_edit_course(user, session.course)


def can_view_attendance(user, session) -> bool:
    if not _active(user):
        return False
    if can_take_attendance(user, session) or is_instructor(user, session.course):
        return True
    school_path = session.course.unit.school_path
    return bool(school_path) and manages_school(user, school_path)


def attendance_session_or_404(user, pk) -> LiveSession:
    """The session whose attendance sheet `user` may read (404 out of sight, 403 for a member who may not)."""
    session = get_object_or_404(LiveSession.objects.select_related("course__unit", "course__author"), pk=pk)
    if can_view_attendance(user, session):
        return session
    if can_view_course(user, session.course):
        raise PermissionDenied
    raise Http404


def can_view_student_attendance(user, student) -> bool:
    """A student's own attendance: the student, and their parents (a current link)."""
    return _active(user) and (user.pk == student.pk or is_parent_of(user, student))


# --- the records (hồ sơ dạy học trực tuyến, issue #17 point 5) ---------------------------------------


def _teaches_or_taught_at(teacher, school: Unit) -> bool:
    """A teacher of the school now, or the author of one of its plans (someone who has moved on keeps
    their record at the school they taught in)."""
    return holds_role_within(teacher, school, TEACHING_ROLES | SCHOOL_MANAGER_ROLES) or (
        TeachingPlan.objects.filter(school=school, author=teacher).exists()
    )


def can_view_record(user, *, school: Unit, group: Unit | None = None, teacher=None) -> bool:
    """The school's record: its managers (principal, vice-principal, school admin). A group's: its leader
    and the school's managers. A teacher's: the teacher, the leaders of the school's groups they teach in,
    and the school's managers. Anyone else, another school's people included, nothing. Whoever sees a
    record may export it as an archive and download that archive."""
    if not _active(user) or not school.is_school:
        return False
    if teacher is not None and not _teaches_or_taught_at(teacher, school):
        return False  # no record of a stranger to the school (their name would leak)
    if manages_school(user, school):
        return True
    if teacher is not None:
        if teacher.pk == user.pk:
            return works_at_school(user, school)
        return any(
            leads_group(user, group_unit)
            for group_unit in Unit.objects.filter(path__in=groups_of(teacher, school), kind=K.GROUP)
        )
    if group is not None:
        return group.school_path == school.path and leads_group(user, group)
    return False


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
