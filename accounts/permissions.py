"""Who may look after which accounts. Scope rules come from units.permissions; this module only
says which action each account operation needs."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.permissions import Action, can

from .models import User


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


def can_manage_account(user, account: User) -> bool:
    return account.unit is not None and account.unit.is_school and can(user, Action.MANAGE_ACCOUNTS, account.unit)


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
