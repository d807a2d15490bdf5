"""Asking a school to re-issue credentials (issue #14 "power matches place").

Office, Department and Ministry staff may not hand a school's account over by re-issuing its
credentials; they ask the school (`credential_request_create`), whose admins are notified and answer
(`credential_request_decide`): re-issue through the normal `credentials_reissue`, or decline with a
reason. The requester is told either way; every step is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.formatting import date_text
from truonghoc.text import nfc_text
from units.services import audit_log

from ..models import CredentialRequest, IssueBatch, User
from ..permissions import can_answer_credential_requests, can_request_credentials
from ..selectors import school_admins
from .issuing import credentials_reissue

S = CredentialRequest.Status


@transaction.atomic
def credential_request_create(*, actor, account: User, reason: str) -> CredentialRequest:
    """Ask the account's school to re-issue its credentials. Refused (nothing written) for someone
    who may not ask, without a reason, or while a request about the account is still waiting."""
    # Lock the account's row: two staff asking at once get one request and one clear refusal.
    account = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=account.pk)
    if not can_request_credentials(actor, account):
        raise PermissionDenied(_("You may not ask for this account's credentials to be re-issued."))
    reason = nfc_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Please say why the credentials should be re-issued.")})
    waiting = CredentialRequest.objects.filter(account=account, status=S.PENDING).select_related("requested_by").first()
    if waiting is not None:
        raise ValidationError(
            _(
                "A request to re-issue the credentials of %(name)s is already waiting for the school (sent "
                "%(date)s by %(who)s). Wait for its answer."
            )
            % {"name": account.full_name, "date": date_text(waiting.created_at), "who": waiting.requested_by.full_name},
            code="duplicate",
        )
    school = account.unit
    request = CredentialRequest(account=account, school=school, reason=reason, requested_by=actor)
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        action="credentials.request",
        unit=school,
        target=account,
        after={"request": request.pk, "reason": reason},
    )
    notify(
        recipients=school_admins(school=school),
        title=_("%(who)s asks the school to re-issue the credentials of %(name)s")
        % {"who": _requester_name(actor), "name": account.full_name},
        body=reason,
        url=reverse("accounts:credential_requests", args=[school.pk]),
    )
    return request


def _requester_name(user) -> str:
    unit = getattr(user, "unit", None)
    return f"{user.full_name} ({unit.name})" if unit is not None else user.full_name


@transaction.atomic
def credential_request_decide(
    *, actor, request: CredentialRequest, reissue: bool, note: str = ""
) -> tuple[CredentialRequest, IssueBatch | None]:
    """The school's answer: re-issue (the normal re-issue, which checks the actor again) or decline
    with a reason. Returns the request and the re-issue's batch (None when declined)."""
    request = (
        CredentialRequest.objects.select_for_update(of=("self",))
        .select_related("account__unit", "school", "requested_by")
        .get(pk=request.pk)
    )
    if not can_answer_credential_requests(actor, request.school):
        raise PermissionDenied(_("Only the school's admins answer requests about its accounts."))
    if request.status != S.PENDING:
        raise ValidationError(_("This request has already been answered."))
    note = nfc_text(note)
    batch = None
    if reissue:
        batch = credentials_reissue(actor=actor, accounts=[request.account], school=request.account.unit)
        request.status, request.batch = S.DONE, batch
    else:
        if not note:
            raise ValidationError({"note": _("Please give the reason for declining.")})
        request.status = S.DECLINED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["status", "batch", "decided_by", "decided_at", "decision_note"])
    audit_log(
        actor=actor,
        action="credentials.request_done" if reissue else "credentials.request_declined",
        unit=request.school,
        target=request.account,
        after={"request": request.pk, "note": note, "batch": batch.pk if batch else None},
    )
    name = request.account.full_name
    title = (
        _("%(school)s re-issued the credentials of %(name)s, as you asked")
        if reissue
        else _("%(school)s declined to re-issue the credentials of %(name)s")
    ) % {"school": request.school.name, "name": name}
    notify(
        recipients=[request.requested_by],
        title=title,
        body=note,
        url=reverse("accounts:account_detail", args=[request.account_id]),
    )
    return request, batch
