"""Who may look after which accounts. Scope rules come from units.permissions; this module only
says which action each account operation needs."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Role, Unit, is_below
from units.permissions import (
    AUTHORITY_ROLES,
    NAMED_FROM_ABOVE_ROLES,
    STAFF_ROLES,
    Action,
    can,
    holds_role_at,
    role_reaches,
    scope,
    units_where,
)

from .models import Guardianship, ProfileRule, User


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
    """May `user` deactivate, transfer, move or judge the photo of `account`? (Credentials are handed
    over only by `can_reissue_credentials`.)

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


# --- Credentials: who may hand over an account (issue #14 "power matches place") -----------------
# Re-issuing a credential or reading a credential sheet hands an account over to whoever holds the
# slip. That power sits where the account was issued, not with everyone above: a school account's
# credentials belong to the admins OF THAT SCHOOL (staff above it ask them: CredentialRequest); a
# staff account's to the unit that issued it. Staff accounts are created in the admin site or by the
# seeds, which record no issuing unit, so the issuing unit is taken to be the account's unit's parent
# (an Office's staff are looked after by their Department, a Department's by the Ministry, the
# Ministry's by a superuser).
STAFF_UNIT_KINDS = frozenset({Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE})


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def credentials_home(unit: Unit | None) -> tuple[Unit | None, frozenset]:
    """(the unit whose account managers hand out credentials for accounts of `unit`, the roles they
    hold there): a school's admins for a school; the parent unit's staff for a staff unit."""
    if unit is None:
        return None, frozenset()
    if unit.is_school:
        return unit, frozenset({Role.SCHOOL_ADMIN})
    if unit.kind in STAFF_UNIT_KINDS:
        return Unit.objects.get_parent(unit), STAFF_ROLES
    return None, frozenset()


def can_reissue_credentials(user, account: User) -> bool:
    """May `user` give `account` a new one-time credential (and so the account itself)?

    A school account: a school admin of that very school, for an account whose every role sits inside
    the school and carries no authority there (not the principal's, not a co-admin's). A staff account:
    the staff of its issuing unit (see `credentials_home`), for an account whose roles all sit below
    that unit. A school's principal or school admin (`named_from_above`): the staff of the unit above,
    who named them and issued the account (issue #15). A superuser may always. Nobody re-issues their own."""
    if not _active(user) or account.pk == user.pk or account.unit is None:
        return False
    if user.is_superuser:
        return True
    if named_from_above(account):
        # Its every role sits inside its school, and the staff of the unit above hand it out.
        return _issuer_unit_staff(user, account.unit) and all(
            held.is_within(account.unit) for held in units_where(account)
        )
    home, roles = credentials_home(account.unit)
    if home is None or not holds_role_at(user, home, roles):
        return False
    for held in units_where(account):
        if not held.is_within(account.unit if account.unit.is_school else home):
            return False
        if account.unit.is_school and held.role in AUTHORITY_ROLES:
            return False
        if not account.unit.is_school and held.path == home.path:
            return False
    return True


def named_from_above(account: User) -> bool:
    """A school account holding a role the unit above names (its principal, its school admin): its
    credentials are handed out by that unit's staff, who issued it (issue #15), not by the school."""
    return (
        account.unit is not None
        and account.unit.is_school
        and any(held.role in NAMED_FROM_ABOVE_ROLES and held.path == account.unit.path for held in units_where(account))
    )


def _issuer_unit_staff(user, school: Unit) -> bool:
    """`user` is staff of the school's parent unit (the Office or Department that runs it)."""
    parent = Unit.objects.get_parent(school)
    return parent is not None and holds_role_at(user, parent, STAFF_ROLES)


def can_hand_out_credentials_at(user, unit: Unit) -> bool:
    """Does `user` hand out the credentials of `unit`'s accounts: a school admin of that very school,
    the issuing unit's staff for a staff unit, or a superuser? (Each account is checked again by
    `can_reissue_credentials`.)"""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    home, roles = credentials_home(unit)
    return home is not None and holds_role_at(user, home, roles)


def can_download_sheet(user, batch) -> bool:
    """May `user` read a batch's credential sheet (xlsx, print, the codes on its page)? Only who hands
    out credentials at the batch's unit: the school's own admins (the batch's creator too, while they
    still are one), or for a staff batch its issuing unit's staff; a superuser. Staff above a school,
    or its principal, never. A batch of a principal's or school admin's account issued or re-issued by
    the unit above (`IssueBatch.Kind.FROM_ABOVE`, issue #15) is that unit's staff's (and its creator's
    while they are still staff above the school), never the school's."""
    if batch.kind == batch.Kind.FROM_ABOVE:
        if not _active(user):
            return False
        if user.is_superuser or _issuer_unit_staff(user, batch.school):
            return True
    elif can_hand_out_credentials_at(user, batch.school):
        return True
    # Parent accounts issued on a student's page by the principal (issue #17): their creator hands them out
    # while still the school's principal or admin.
    if (
        batch.kind == batch.Kind.PARENT
        and _active(user)
        and batch.created_by_id == user.pk
        and holds_role_at(user, batch.school, PARENT_ISSUER_ROLES)
    ):
        return True
    # Its creator, from above (a Department naming a school's principal under one of its Offices), while
    # still staff above the unit: the sheet reaches whoever issued it.
    return (
        (batch.kind == batch.Kind.FROM_ABOVE or not batch.school.is_school)
        and _active(user)
        and batch.created_by_id == user.pk
        and any(is_below(batch.school.path, held.path, include_self=False) for held in units_where(user, STAFF_ROLES))
    )


def can_request_credentials(user, account: User) -> bool:
    """Office, Department and Ministry staff who see a school's account ask its school to re-issue
    the credentials (`credential_request_create`) instead of doing it themselves."""
    return (
        _active(user)
        and account.pk != user.pk
        and account.is_active
        and account.unit is not None
        and account.unit.is_school
        and role_reaches(user, account.unit, STAFF_ROLES)
    )


def can_answer_credential_requests(user, school: Unit) -> bool:
    """The school's own admins (or a superuser) answer the requests about its accounts."""
    return school.is_school and can_hand_out_credentials_at(user, school)


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


# --- Parents (issue #17) --------------------------------------------------------------------------
# A parent account holds no role: it reaches no unit, no directory, no course and no grade book through
# `units.permissions`. What it sees of a child comes only through a current Guardianship, checked here.
PARENT_ISSUER_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.PRINCIPAL})


def is_parent_of(user, child) -> bool:
    """Is `user` an active parent account currently linked to `child` (a User or an id)? One query."""
    if not _active(user) or getattr(user, "account_type", "") != User.AccountType.PARENT:
        return False
    child_id = getattr(child, "pk", child)
    return Guardianship.objects.filter(parent_id=user.pk, child_id=child_id, ended_at__isnull=True).exists()


def can_manage_parent_links(user, child: User) -> bool:
    """May `user` look after the parents of `child` (see and end their links)? The school admin or the
    principal of the child's own school (not the units above: the school knows the families)."""
    if not _active(user) or child.unit is None or not child.unit.is_school:
        return False
    return user.is_superuser or holds_role_at(user, child.unit, PARENT_ISSUER_ROLES)


def can_issue_parent(user, child: User) -> bool:
    """May `user` issue a parent account for `child` or link one to it? Who looks after its parents
    (`can_manage_parent_links`), for an active, not graduated student of an active school."""
    if child.account_type != User.AccountType.STUDENT or not child.is_active or child.graduated_at is not None:
        return False
    return child.unit is not None and child.unit.is_active and can_manage_parent_links(user, child)


def child_for_parent_or_404(user, pk) -> User:
    """One of the parent's own children (a current link); any other account looks missing."""
    if not _active(user) or getattr(user, "account_type", "") != User.AccountType.PARENT:
        raise Http404
    link = (
        Guardianship.objects.filter(parent_id=user.pk, child_id=pk, ended_at__isnull=True, child__is_active=True)
        .select_related("child__unit")
        .first()
    )
    if link is None:
        raise Http404
    return link.child
