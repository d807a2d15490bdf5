"""Account quotas: each school may hold so many active teacher and student accounts, set by the unit
above it; schools ask for more, and the unit above approves or refuses with a reason."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from truonghoc.formatting import number
from units.models import Unit
from units.permissions import STAFF_ROLES
from units.selectors import people_holding
from units.services import AuditRecord, audit_log, audit_log_many

from ..models import AccountQuota, IssueBatch, QuotaRequest, User
from ..selectors import school_admins

T = User.AccountType


def quota_usage(*, school: Unit) -> dict[str, dict[str, int]]:
    """{account type: {"limit", "used", "remaining"}} for teachers and students, in two queries."""
    return quota_usage_of(schools=[school])[school.pk]


def quota_usage_of(*, schools) -> dict[int, dict[str, dict[str, int]]]:
    """quota_usage for many schools at once, by school id, still in two queries (the approvers' list)."""
    ids = {getattr(school, "pk", school) for school in schools}
    quotas = {quota.school_id: quota for quota in AccountQuota.objects.filter(school__in=ids)}
    used: dict[tuple[int, str], int] = {
        (unit_id, account_type): n
        for unit_id, account_type, n in User.objects.filter(
            unit__in=ids, is_active=True, graduated_at__isnull=True, account_type__in=[T.TEACHER, T.STUDENT]
        )
        .values_list("unit_id", "account_type")
        .annotate(n=Count("id"))
        .values_list("unit_id", "account_type", "n")
    }
    result = {}
    for school_id in ids:
        quota = quotas.get(school_id)
        result[school_id] = {}
        for account_type in (T.TEACHER, T.STUDENT):
            limit = quota.limit_for(account_type) if quota else 0
            in_use = used.get((school_id, account_type), 0)
            result[school_id][account_type] = {"limit": limit, "used": in_use, "remaining": max(0, limit - in_use)}
    return result


def quota_check(*, school: Unit, account_type: str, adding: int) -> None:
    """Refuse, with how many places remain, when `adding` more active accounts would pass the quota.

    Callers hold a lock on the school's quota row (quota_lock) so two admins issuing at once cannot
    both take the last place.
    """
    if account_type not in (T.TEACHER, T.STUDENT) or adding <= 0:
        return
    usage = quota_usage(school=school)[account_type]
    if adding > usage["remaining"]:
        kind = _("teacher") if account_type == T.TEACHER else _("student")
        raise ValidationError(
            _(
                "Over quota: %(school)s may hold %(limit)s %(kind)s accounts, %(used)s are in use, so "
                "%(remaining)s remain, but %(adding)s are asked for. Ask %(parent)s for more places "
                "(“Request more accounts”)."
            )
            % {
                "school": school.name,
                "limit": number(usage["limit"]),
                "kind": kind,
                "used": number(usage["used"]),
                "remaining": number(usage["remaining"]),
                "adding": number(adding),
                "parent": _parent_name(school),
            },
            code="over_quota",
        )


def quota_lock(*, school: Unit) -> AccountQuota:
    """Lock (creating if needed) the school's quota row until the end of the transaction."""
    AccountQuota.objects.get_or_create(school=school)
    return AccountQuota.objects.select_for_update().get(school=school)


def _parent_name(school: Unit) -> str:
    parent = Unit.objects.get_parent(school)
    return parent.name if parent else _("the unit above")


@transaction.atomic
def quota_set(*, actor, school: Unit, teachers: int, students: int, note: str = "") -> AccountQuota:
    if teachers < 0 or students < 0:
        raise ValidationError(_("A quota cannot be negative."))
    quota = quota_lock(school=school)
    before = {"teachers": quota.teachers, "students": quota.students}
    quota.teachers, quota.students, quota.updated_by = teachers, students, actor
    quota.save(update_fields=["teachers", "students", "updated_by", "updated_at"])
    audit_log(
        actor=actor,
        action="quota.set",
        unit=school,
        target=quota,
        before=before,
        after={"teachers": teachers, "students": students, "note": note},
    )
    return quota


def _deciders(school: Unit):
    """The staff of the unit directly above the school, who decide its requests."""
    parent = Unit.objects.get_parent(school)
    return people_holding(roles=STAFF_ROLES, units=parent)


@transaction.atomic
def quota_request_create(
    *, actor, school: Unit, account_type: str, amount: int, reason: str, batch=None
) -> QuotaRequest:
    """`batch`: the import refused for want of places that this request is for, if any."""
    if batch is not None and (batch.school_id != school.pk or batch.kind != IssueBatch.Kind.IMPORT):
        raise ValidationError(_("This import is not one of this school's imports."))
    request = QuotaRequest(
        school=school, account_type=account_type, amount=amount, reason=reason.strip(), requested_by=actor, batch=batch
    )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("Ask for at least one account.")})
    if not request.reason:
        raise ValidationError({"reason": _("Please say why the school needs more accounts.")})
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        action="quota.request",
        unit=school,
        target=request,
        after={"account_type": account_type, "amount": amount, "reason": request.reason, "batch": request.batch_id},
    )
    notify(
        recipients=_deciders(school),
        title=_("%(school)s asks for %(amount)s more %(kind)s accounts")
        % {"school": school.name, "amount": number(amount), "kind": request.get_account_type_display().lower()},
        body=request.reason,
        url=reverse("accounts:quota_requests"),
    )
    return request


@transaction.atomic
def quota_request_decide(*, actor, request: QuotaRequest, approve: bool, note: str = "") -> QuotaRequest:
    request = QuotaRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != QuotaRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Please give the reason for refusing.")})
    request.status = QuotaRequest.Status.APPROVED if approve else QuotaRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        quota = quota_lock(school=request.school)
        field = "teachers" if request.account_type == T.TEACHER else "students"
        quota_set(
            actor=actor,
            school=request.school,
            teachers=quota.teachers + (request.amount if field == "teachers" else 0),
            students=quota.students + (request.amount if field == "students" else 0),
            note=_("Request #%(id)d approved") % {"id": request.pk},
        )
    audit_log(
        actor=actor,
        action="quota.approve" if approve else "quota.refuse",
        unit=request.school,
        target=request,
        after={"amount": request.amount, "note": request.decision_note},
    )
    title = (
        _("Your request for %(amount)s more accounts was approved")
        if approve
        else _("Your request for %(amount)s more accounts was refused")
    ) % {"amount": number(request.amount)}
    url = reverse("accounts:quota", args=[request.school_id])
    batch = request.batch
    if approve and batch is not None and batch.status != IssueBatch.Status.DONE and not batch.error_rows:
        # Back to the import that waited for these places: it is checked again there and confirmed
        # without uploading the file again.
        title = _(
            "Your request for %(amount)s more accounts was approved: open the import “%(file)s” to confirm it"
        ) % {"amount": number(request.amount), "file": batch.original_name or batch.pk}
        url = reverse("accounts:batch", args=[batch.pk])
    notify(
        recipients=[request.requested_by, *school_admins(school=request.school)],
        title=title,
        body=request.decision_note,
        url=url,
    )
    return request


def quotas_initialise(*, actor, limits: dict[Unit, tuple[int, int]]) -> int:
    """Give schools that have no quota yet one (teachers, students); schools with a quota keep it.
    Used when a province is loaded; one audit entry per new quota."""
    have = set(AccountQuota.objects.filter(school__in=list(limits)).values_list("school_id", flat=True))
    new = [
        AccountQuota(school=school, teachers=teachers, students=students, updated_by=actor)
        for school, (teachers, students) in limits.items()
        if school.pk not in have
    ]
    AccountQuota.objects.bulk_create(new, batch_size=1000)
    audit_log_many(
        actor=actor,
        action="quota.set",
        records=(
            AuditRecord(
                unit=quota.school,
                target=quota,
                target_repr=str(quota.school),
                after={"teachers": quota.teachers, "students": quota.students},
            )
            for quota in new
        ),
    )
    return len(new)
