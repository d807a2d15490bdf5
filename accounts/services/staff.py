"""Staff and school leaders' accounts, issued by the unit above (issue #15).

An Office's or Department's staff, and a school's principal and school admin, are named by the unit
above them (`units.permissions.can_grant_role`: nobody grants a role at or above their own). When the
person has no account yet, this issues one at their unit — the same checks, username scheme, one-time
credential and audit as a single school account (`issuing`) — and names them to the role through
`units.services.role_grant` (audited, notified). The credential sheet is handed out where the account's
credentials belong (`permissions.credentials_home`): the unit above, which is who issued it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import Role, Unit
from units.permissions import NAMED_FROM_ABOVE_ROLES, ROLE_UNIT_KINDS, STAFF_ROLES, can_grant_role
from units.services import role_grant

from ..models import IssueBatch, User
from .issuing import SchoolContext, _active_here, _conflicts_in_database, _create_accounts, check_person
from .quotas import quota_check, quota_lock

T = User.AccountType


def staff_roles_issuable(*, actor, unit: Unit) -> list[str]:
    """The roles `actor` may issue a new account with at `unit` (staff of a staff unit, a school's
    principal or school admin), in the order the page lists them."""
    order = [Role.MINISTRY_STAFF, Role.DEPARTMENT_STAFF, Role.OFFICE_STAFF, Role.PRINCIPAL, Role.SCHOOL_ADMIN]
    return [role for role in order if role in NAMED_FROM_ABOVE_ROLES and can_grant_role(actor, unit, role)]


@transaction.atomic
def staff_account_issue(*, actor, unit: Unit, role: str, values: dict) -> tuple[User, IssueBatch]:
    """Issue one account at `unit` holding `role` (a staff role at a Ministry, Department or Office; a
    principal or school admin at a school). Refuses (PermissionDenied) a role at or above the actor's
    own; refuses with field errors (ValidationError with a dict) and writes nothing when a value is
    wrong, the person already has an account (name them on the unit's "People and roles" page instead)
    or, at a school, no teacher place is left. The one-time credential is on the returned batch's sheet."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if role not in NAMED_FROM_ABOVE_ROLES or unit.kind not in ROLE_UNIT_KINDS.get(role, ()):
        raise ValidationError({"role": _("This role cannot be given at %(unit)s.") % {"unit": unit.name}})
    if not unit.is_active or not can_grant_role(actor, unit, role):
        raise PermissionDenied(
            _("You cannot give the role %(role)s at %(unit)s: it is not below your own.")
            % {"role": Role(role).label, "unit": unit.name}
        )
    account_type = T.STAFF if role in STAFF_ROLES else T.TEACHER
    if unit.is_school:
        quota_lock(school=unit)
    data, problems = check_person(dict(values, unit=""), SchoolContext(school=unit, account_type=account_type))
    # No group or class: a leader's or staff member's place is the unit itself.
    for index in reversed([i for i, field in enumerate(problems.fields) if field == "unit"]):
        del problems[index]
        del problems.fields[index]
    if data["national_id"]:
        conflicts = _conflicts_in_database([data], unit)[0]
        for field, message in zip(conflicts.fields, conflicts, strict=True):
            problems.add(field, message)
        username = _active_here([data["national_id"]], unit).get(data["national_id"])
        if username:
            problems.add(
                "national_id",
                _(
                    "this person already has an account here (%(username)s): name them to the role on the "
                    "“People and roles” page instead"
                )
                % {"username": username},
            )
    if problems:
        raise ValidationError(problems.by_field())
    if unit.is_school:
        quota_check(school=unit, account_type=account_type, adding=1)
    batch = IssueBatch.objects.create(
        school=unit, kind=IssueBatch.Kind.FROM_ABOVE if unit.is_school else IssueBatch.Kind.SINGLE,
        status=IssueBatch.Status.DONE, account_type=account_type, created_by=actor, total_rows=1, new_rows=1,
        finished_at=timezone.now(),
    )  # fmt: skip
    data["unit"] = None
    data["unit_name"] = unit.name
    user = _create_accounts(actor=actor, school=unit, account_type=account_type, rows=[data], batch=batch)[0]
    role_grant(actor=actor, user=user, unit=unit, role=role)
    return user, batch
