"""Who may do what with experiential activities (hoạt động trải nghiệm sáng tạo, issue #18 point 5).

- A teacher sets an activity for a class they teach this school year (a teaching assignment of the grade
  book) or whose homeroom teacher they are, while they still teach at its school. Only that teacher, the
  activity's owner, changes it: stages, teams, comments, entering a product into a contest.
- The school's principal and vice-principals read every activity of the school (read-only).
- The students taking part (the whole class, or those chosen) see the activity once it is open: its
  stages, their own team's products, comment and the ratings they received (aggregated, anonymous); they
  hand in their team's products and assess themselves and their teammates. Never another team's work.
- A parent reads their child's activity and their team's comment.
- Anyone else (another teacher, another school, staff above): the activity does not exist (404).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Guardianship, User
from gradebook.permissions import is_homeroom_teacher, teaches_class
from units.models import Role, Unit
from units.permissions import SCHOOL_MANAGER_ROLES, TEACHING_ROLES, holds_role_at, holds_role_within
from units.selectors import school_year_for

from .models import Activity, ActivityStudent, ActivityTeam, ActivityTeamMember

OVERSEER_ROLES = frozenset({Role.PRINCIPAL, Role.VICE_PRINCIPAL})


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def teaches_at(user, school_path: str) -> bool:
    """Holds a teaching role (or a school manager's, who teach too) at the school or one of its units."""
    return _active(user) and holds_role_within(user, school_path, TEACHING_ROLES | SCHOOL_MANAGER_ROLES)


def can_set_activity_for(user, school_class: Unit) -> bool:
    """May `user` set an activity for `school_class`: its homeroom teacher, or a teacher of the class this
    school year, who still teaches at its school."""
    if school_class.kind != Unit.Kind.CLASS or not school_class.is_active:
        return False
    if not teaches_at(user, school_class.school_path):
        return False
    if is_homeroom_teacher(user, school_class):
        return True
    return bool(teaches_class(user, school_class=school_class, school_year=school_year_for(school_class).label))


def can_manage_activity(user, activity: Activity) -> bool:
    """Change the activity, its stages and teams, comment, enter a product into a contest: its owner, while
    they still teach at the school."""
    return _active(user) and activity.owner_id == user.pk and teaches_at(user, activity.school.path)


def oversees_activity(user, activity: Activity) -> bool:
    """The school's principal or a vice-principal: reads the activity, changes nothing."""
    return _active(user) and holds_role_at(user, activity.school.path, OVERSEER_ROLES)


def can_view_as_teacher(user, activity: Activity) -> bool:
    return can_manage_activity(user, activity) or oversees_activity(user, activity)


def takes_part_in(user, activity: Activity) -> bool:
    """A student of the activity's class taking part in it (all the class, or one of those chosen)."""
    if not _active(user) or not holds_role_at(user, activity.school_class.path, {Role.STUDENT}):
        return False
    return activity.whole_class or ActivityStudent.objects.filter(activity=activity, student=user).exists()


def can_view_as_student(user, activity: Activity) -> bool:
    return activity.status != Activity.Status.DRAFT and takes_part_in(user, activity)


def _is_parent(user) -> bool:
    return _active(user) and getattr(user, "account_type", "") == User.AccountType.PARENT


def parent_child_in(user, activity: Activity, *, child_id: int | None = None):
    """The parent's child (a current link; that child when `child_id` is given) taking part in the open or
    closed activity, else None."""
    if not _active(user) or activity.status == Activity.Status.DRAFT:
        return None
    links = Guardianship.objects.filter(
        parent_id=user.pk,
        ended_at__isnull=True,
        child__is_active=True,
        child__role_assignments__unit=activity.school_class,
        child__role_assignments__role=Role.STUDENT,
    ).select_related("child")
    if child_id is not None:
        links = links.filter(child_id=child_id)
    if not activity.whole_class:
        links = links.filter(child_id__in=ActivityStudent.objects.filter(activity=activity).values("student_id"))
    link = links.order_by("child__name_sort").first()
    return link.child if link is not None else None


def team_member(user, activity: Activity) -> ActivityTeamMember | None:
    """The student's place in a team of the activity (None: in no team yet)."""
    if not _active(user):
        return None
    return ActivityTeamMember.objects.filter(activity=activity, student=user).select_related("team").first()


def can_download_stage_file(user, version) -> bool:
    """A stage product's file: its team's members, the activity's owner and overseers, a member's parent."""
    team = version.product.team
    activity = team.activity
    if can_view_as_teacher(user, activity):
        return True
    member_ids = set(team.members.values_list("student_id", flat=True))
    if _active(user) and user.pk in member_ids and can_view_as_student(user, activity):
        return True
    if not _is_parent(user):
        return False
    # A parent of any member (a parent of two pupils of the class may have them in two teams).
    return any(parent_child_in(user, activity, child_id=pk) is not None for pk in member_ids)


def can_enter_for_team(user, team: ActivityTeam, member_ids) -> bool:
    """The contests' registration and product services take the activity's owner for a team of its students
    entered into a contest (contests.activities.activity_enter_contest): exactly that team's members."""
    if not can_manage_activity(user, team.activity):
        return False
    return set(member_ids) == set(team.members.values_list("student_id", flat=True))


# --- fetch and check ----------------------------------------------------------------------------


def _activities():
    return Activity.objects.select_related("school", "school_class", "owner")


def activity_for_teacher_or_404(user, pk, *, write: bool = False) -> Activity:
    activity = get_object_or_404(_activities(), pk=pk)
    allowed = can_manage_activity(user, activity) if write else can_view_as_teacher(user, activity)
    if not allowed:
        raise Http404
    return activity


def activity_for_student_or_404(user, pk) -> Activity:
    activity = get_object_or_404(_activities(), pk=pk)
    if not can_view_as_student(user, activity):
        raise Http404
    return activity


def team_for_teacher_or_404(user, pk, *, write: bool = False) -> ActivityTeam:
    team = get_object_or_404(ActivityTeam.objects.select_related("activity__school", "activity__school_class",
                                                                 "activity__owner"), pk=pk)  # fmt: skip
    allowed = can_manage_activity(user, team.activity) if write else can_view_as_teacher(user, team.activity)
    if not allowed:
        raise Http404
    return team
