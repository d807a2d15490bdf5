"""Who may organise, register for and follow contests.

- A contest is organised (created, edited, its rounds set, announced, its rounds closed) by the staff or
  managers of its organiser unit, at that level itself: a Department's staff run the Department's
  contests, a school's principal or admin the school's. A unit above does not run a unit below's contest.
- Participants register themselves; a school's managers (principal, vice-principal, school admin) register
  their school's people.
- An announced contest is public (anyone, without login, reads its page, rules, timeline, rounds, who went
  on and, once published, the results); a draft is its organisers' only (404 for everyone else).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Role, Unit, is_below
from units.permissions import AUTHORITY_ROLES, SCHOOL_MANAGER_ROLES, holds_role_at, units_where

from .models import Audience, Contest, Level, Registration, RoundEntry

ORGANISER_ROLES = AUTHORITY_ROLES
# The kinds of unit that organise contests, and the level of a round each one is.
UNIT_LEVEL = {
    Unit.Kind.MINISTRY: Level.MINISTRY,
    Unit.Kind.DEPARTMENT: Level.DEPARTMENT,
    Unit.Kind.OFFICE: Level.OFFICE,
    Unit.Kind.SCHOOL: Level.SCHOOL,
    Unit.Kind.UNIVERSITY: Level.SCHOOL,
}
# Who takes part, per audience: students, or those who teach (and the school's managers, who teach too).
STUDENT_ROLES = frozenset({Role.STUDENT})
TEACHER_ROLES = frozenset({Role.TEACHER, Role.GROUP_LEADER, Role.PRINCIPAL, Role.VICE_PRINCIPAL})
AUDIENCE_ROLES = {
    Audience.STUDENTS: STUDENT_ROLES,
    Audience.TEACHERS: TEACHER_ROLES,
    Audience.BOTH: STUDENT_ROLES | TEACHER_ROLES,
}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def organiser_units(user) -> list[Unit]:
    """The units whose contests the user may organise (where they hold a role of authority)."""
    if not _active(user):
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(kind__in=list(UNIT_LEVEL), is_active=True).order_by("path")[:200])
    paths = {held.path for held in units_where(user, ORGANISER_ROLES) if held.kind in UNIT_LEVEL}
    return list(Unit.objects.filter(path__in=paths, is_active=True).order_by("path"))


def can_organise_at(user, unit: Unit) -> bool:
    """May the user create a contest organised by `unit`?"""
    if not _active(user) or unit.kind not in UNIT_LEVEL or not unit.is_active:
        return False
    return user.is_superuser or holds_role_at(user, unit, ORGANISER_ROLES)


def can_manage_contest(user, contest: Contest) -> bool:
    """Edit the contest and its rounds, announce it, close rounds, see every registration."""
    if not _active(user):
        return False
    return user.is_superuser or holds_role_at(user, contest.organiser.path, ORGANISER_ROLES)


def can_view_contest(user, contest: Contest) -> bool:
    return contest.is_public or can_manage_contest(user, contest)


def school_managed(user, school: Unit) -> bool:
    """A manager of `school` (principal, vice-principal, school admin): registers its people."""
    return _active(user) and (user.is_superuser or holds_role_at(user, school, SCHOOL_MANAGER_ROLES))


def schools_registering(user) -> list[str]:
    """Paths of the schools whose people the user registers."""
    if not _active(user):
        return []
    return sorted(held.path for held in units_where(user, SCHOOL_MANAGER_ROLES, kinds=Unit.SCHOOL_KINDS))


def can_register_for(user, *, participant, school: Unit) -> bool:
    """The participant themself, or a manager of their school."""
    if not _active(user):
        return False
    return user.pk == participant.pk or school_managed(user, school)


def takes_part(user, registration: Registration) -> bool:
    """The registered person, or a member of the registered team."""
    if not _active(user):
        return False
    if registration.user_id is not None:
        return registration.user_id == user.pk
    return registration.team.members.filter(user=user).exists()


def can_act_for_entry(user, entry: RoundEntry) -> bool:
    """Hand in a product for an entry: its participant (any member of its team)."""
    return takes_part(user, entry.registration)


def can_download_product(user, entry: RoundEntry) -> bool:
    """A product's files: its participants and the contest's organisers (judges get theirs through the
    judging pages, anonymised)."""
    return takes_part(user, entry.registration) or can_manage_contest(user, entry.round.contest)


def can_see_registration(user, registration: Registration) -> bool:
    return (
        takes_part(user, registration)
        or school_managed(user, registration.school)
        or can_manage_contest(user, registration.contest)
    )


def reaches_school(contest: Contest, school_path: str, *, open_paths: list[str], unit_path: str = "") -> bool:
    """Is a participant in the contest's open set: their school in the organiser's subtree and, when the
    contest names some units, their school or their own class or group (`unit_path`) in one of them."""
    if not is_below(school_path, contest.organiser.path):
        return False
    mine = [school_path, unit_path] if unit_path else [school_path]
    return not open_paths or any(is_below(path, p) for p in open_paths for path in mine)


# --- fetch and check ----------------------------------------------------------------------------


def _contests():
    return Contest.objects.select_related("organiser", "created_by")


def contest_for_manager_or_404(user, pk) -> Contest:
    contest = get_object_or_404(_contests(), pk=pk)
    if not can_manage_contest(user, contest):
        raise Http404
    return contest


def public_contest_or_404(user, slug) -> Contest:
    """An announced contest (anyone), or a draft its organisers preview."""
    contest = get_object_or_404(_contests(), slug=slug)
    if not can_view_contest(user, contest):
        raise Http404
    return contest


def entry_for_participant_or_404(user, pk) -> RoundEntry:
    entry = get_object_or_404(
        RoundEntry.objects.select_related("round__contest__organiser", "registration__team", "registration__user"),
        pk=pk,
    )
    if not can_act_for_entry(user, entry):
        raise Http404
    return entry
