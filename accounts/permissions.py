"""Who may look after which accounts. Scope rules come from units.permissions; this module only
says which action each account operation needs."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.permissions import AUTHORITY_ROLES, STAFF_ROLES, Action, can, role_reaches, scope, units_where

from .models import ProfileRule, User


def can_issue_accounts(user, school: Unit) -> bool:
    """School admins (and the staff above them) issue and look after the school's accounts."""
    return school.is_school and school.is_active and can(user, Action.MANAGE_ACCOUNTS, school)


def can_view_accounts(user, school: Unit) -> bool:
    """Principals and the units above see a school's accounts; they change nothing."""
    return school.is_school and (can(user, Action.MANAGE_ACCOUNTS, school) or can(user, Action.VIEW_REPORTS, school))


def can_set_quota(user, school: Unit) -> bool:
    """Quotas are set by the unit above the school (its Office or Department), not by the school."""
    if not school.is_school:
        return False
    parent = Unit.objects.get_parent(school)
    return parent is not None and can(user, Action.MANAGE_ACCOUNTS, parent)


def can_set_profile_rule(user, unit: Unit) -> bool:
    """Which details teachers and students must fill in is decided by Ministry, Department or Office staff
    for a unit of that level in their reach — never by a school for itself."""
    if unit.kind not in ProfileRule.UNIT_KINDS or not unit.is_active:
        return False
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return role_reaches(user, unit, STAFF_ROLES)


def can_manage_account(user, account: User) -> bool:
    """May `user` deactivate, re-issue credentials for, or judge the photo of `account`?

    Only when the account belongs to a school in the user's scope, every role it holds sits inside
    that scope, and each role that carries authority (school admin, principal, staff) is held below
    the user's own level: a school admin cannot take over the principal's or a co-admin's account,
    nor that of a teacher who is also staff of the Office.
    """
    if account.pk == getattr(user, "pk", None) or account.unit is None or not account.unit.is_school:
        return False
    reach = scope(user, Action.MANAGE_ACCOUNTS)
    if not reach.contains(account.unit):
        return False
    for role, path, _kind in units_where(account):
        if not reach.contains_path(path):
            return False
        if role in AUTHORITY_ROLES and not reach.contains_strictly_above(path):
            return False
    return True


def can_view_account(user, account: User) -> bool:
    if account.pk == getattr(user, "pk", None):
        return True
    return account.unit is not None and (
        can(user, Action.MANAGE_ACCOUNTS, account.unit) or can(user, Action.VIEW_REPORTS, account.unit)
    )


def school_for_user_or_404(user, pk, check=can_view_accounts) -> Unit:
    """A school the user may act on with `check`; anything else looks missing."""
    school = get_object_or_404(Unit, pk=pk)
    if not check(user, school):
        raise Http404
    return school


def account_for_user_or_404(user, pk, check=can_view_account) -> User:
    account = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    if not check(user, account):
        raise Http404
    return account


def unit_for_profile_rules_or_404(user, pk) -> Unit:
    """A unit whose profile rules the user may set; anything else looks missing."""
    unit = get_object_or_404(Unit, pk=pk)
    if not can_set_profile_rule(user, unit):
        raise Http404
    return unit
