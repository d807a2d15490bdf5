"""Parent accounts on request (issue #17): a parent asks the school, the school's admin or principal
decides. The child is named by the student's code (mã định danh, or the username the school gave) and
date of birth; when they do not match an active student of the school the request is refused with one
message whatever the reason (no such code, another date, a child of another school), so the form tells
nobody whether a child exists. Approval goes through `parent_issue` (a new account with its one-time
credential on a sheet, or the school's parent account with the same phone linked again) or, for a parent
who asked from their account, `parent_link`; each step audited, the school's admins told of a new request.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.text import nfc
from units.models import Role, Unit
from units.selectors import people_holding
from units.services import audit_log

from ..models import Guardianship, IssueBatch, ParentRequest, User
from ..permissions import can_issue_parent
from .parents import check_parent, parent_issue, parent_link

S = ParentRequest.Status
DECIDER_ROLES = (Role.SCHOOL_ADMIN, Role.PRINCIPAL)


def _no_match() -> ValidationError:
    return ValidationError(
        _(
            "No student of this school has this code and this date of birth. Check both on the child's school "
            "papers (the code is the mã định danh or the username the school gave), or ask the school. Nothing "
            "was sent."
        ),
        code="no_match",
    )


def _child_of(*, school: Unit, code: str, born: date) -> User:
    code = nfc(code).strip()
    if not code or born is None:
        raise _no_match()
    child = (
        User.objects.filter(
            Q(national_id=code) | Q(username__iexact=code),
            account_type=User.AccountType.STUDENT,
            unit=school,
            is_active=True,
            graduated_at__isnull=True,
        )
        .select_related("unit")
        .first()
    )
    # The same refusal for a missing child, a wrong date and a child of another school.
    if child is None or child.date_of_birth != born:
        raise _no_match()
    return child


def school_for_request(code: str) -> Unit | None:
    """The active school with this code (codes are printed on the school's papers)."""
    code = nfc(code).strip().upper()
    if not code:
        return None
    return Unit.objects.filter(code__iexact=code, is_active=True).filter(kind=Unit.Kind.SCHOOL).first()


@transaction.atomic
def parent_request_create(
    *, school_code: str, student_code: str, date_of_birth: date, values: dict, requester: User | None = None
) -> ParentRequest:
    """Record a parent's request, after checking the child (see the module's docstring); refused, it
    writes nothing. A parent account asks at the school that issued it: a child of another school is
    refused with the same words as a wrong code."""
    if requester is not None:
        if requester.account_type != User.AccountType.PARENT or requester.unit is None:
            raise ValidationError(_("Only a parent account asks to follow a child."))
        school = requester.unit
        values = {
            **values,
            "parent_name": requester.full_name,
            "parent_phone": requester.phone or values.get("parent_phone"),
        }
    else:
        school = school_for_request(school_code)
        if school is None:
            raise ValidationError({"school_code": _("No school has the code “%(code)s”.") % {"code": school_code}})
    data, problems = check_parent(values, required=True)
    if problems:
        raise ValidationError(problems.by_field())
    if not data["name"]:
        raise ValidationError({"parent_name": _("Give your full name.")})
    if not data["phone"]:
        raise ValidationError({"parent_phone": _("Give your phone number: the school calls you back on it.")})
    child = _child_of(school=school, code=student_code, born=date_of_birth)
    if (
        requester is not None
        and Guardianship.objects.filter(parent=requester, child=child, ended_at__isnull=True).exists()
    ):
        raise ValidationError(_("Your account already follows this child."))
    if ParentRequest.objects.filter(child=child, phone=data["phone"], status=S.WAITING).exists():
        raise ValidationError(
            _("A request for this child with this phone number is already waiting for the school. Nothing was sent.")
        )
    request = ParentRequest(
        school=school, child=child, requester=requester, parent_name=data["name"], phone=data["phone"],
        email=data["email"], relation=data["relation"],
    )  # fmt: skip
    request.full_clean()
    request.save()
    audit_log(
        actor=requester, action="parent_request.create", unit=school, target=child,
        after={"request": request.pk, "parent_name": request.parent_name, "phone": request.phone},
    )  # fmt: skip
    notify(
        recipients=people_holding(roles=DECIDER_ROLES, units=school),
        title=_("A parent asks for an account: %(name)s, for %(child)s")
        % {"name": request.parent_name, "child": child.full_name},
        url=reverse("accounts:parent_requests", args=[school.pk]),
    )
    return request


def _waiting(request: ParentRequest, actor) -> ParentRequest:
    locked = (
        ParentRequest.objects.select_for_update(of=("self",))
        .select_related("child__unit", "requester")
        .get(pk=request.pk)
    )
    if not can_issue_parent(actor, locked.child):
        raise PermissionDenied(_("Only the school admin or the principal of the child's school decides."))
    if locked.status != S.WAITING:
        raise ValidationError(_("This request has already been decided."))
    return locked


@dataclass
class RequestDecided:
    request: ParentRequest
    batch: IssueBatch | None  # the credential sheet when a new account was issued
    created: bool


@transaction.atomic
def parent_request_approve(*, actor, request: ParentRequest) -> RequestDecided:
    """Issue (or link) the parent account asked for; refused (nothing written) when the parent's details
    now clash (an email used by another account…) or the actor may not."""
    request = _waiting(request, actor)
    if request.requester is not None:
        link = parent_link(actor=actor, parent=request.requester, child=request.child, relation=request.relation)
        parent, batch, created = link.parent, None, False
    else:
        issued = parent_issue(
            actor=actor,
            child=request.child,
            values={
                "parent_name": request.parent_name, "parent_phone": request.phone,
                "parent_email": request.email, "parent_relation": request.relation,
            },
        )  # fmt: skip
        parent, batch, created = issued.parent, issued.batch, issued.created
    request.status, request.decided_by, request.decided_at = S.APPROVED, actor, timezone.now()
    request.parent, request.batch = parent, batch
    request.save(update_fields=["status", "decided_by", "decided_at", "parent", "batch"])
    audit_log(
        actor=actor, action="parent_request.approve", unit=request.school, target=request.child,
        after={"request": request.pk, "parent": parent.username, "new_account": created},
    )  # fmt: skip
    if request.requester is not None:
        notify(
            recipients=[request.requester],
            title=_("The school linked your account to %(child)s") % {"child": request.child.full_name},
            url=reverse("home") + f"?hs={request.child_id}",
        )
    return RequestDecided(request=request, batch=batch, created=created)


@transaction.atomic
def parent_request_decline(*, actor, request: ParentRequest, reason: str) -> ParentRequest:
    reason = nfc(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is declined: the parent is told.")})
    request = _waiting(request, actor)
    request.status, request.decided_by, request.decided_at = S.DECLINED, actor, timezone.now()
    request.decline_reason = reason[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    audit_log(
        actor=actor, action="parent_request.decline", unit=request.school, target=request.child,
        after={"request": request.pk, "reason": request.decline_reason},
    )  # fmt: skip
    if request.requester is not None:
        notify(
            recipients=[request.requester],
            title=_("The school declined your request for %(child)s: %(reason)s")
            % {"child": request.child.full_name, "reason": request.decline_reason},
        )
    return request
