"""Reads of report requests. Those that depend on who is asking take `user`; every list is a fixed
number of queries whatever its length (status figures are kept on the recipient rows)."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from truonghoc.text import fold
from units.models import Unit
from units.permissions import UNIT_MANAGER_ROLES, Action, scope, units_where

from ..models import ReportRecipient, ReportReminder, ReportRequest, ReportSubmission
from ..permissions import ISSUER_KINDS, RECIPIENT_KINDS
from .recipients import recipient_unit_choices_below

Status = ReportRecipient.Status


def issuing_units(*, user) -> list[Unit]:
    """The Ministry, Departments and Offices where the user holds a managing role, highest first.

    A site administrator holds no role: they issue on behalf of the tree's root units.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    paths = {held.path for held in units_where(user, UNIT_MANAGER_ROLES, kinds=ISSUER_KINDS)}
    units = Unit.objects.filter(is_active=True, kind__in=ISSUER_KINDS)
    if paths:
        units = units.filter(path__in=paths)
    elif user.is_superuser:
        units = units.filter(depth=1)
    else:
        return []
    return list(units.order_by("depth", "path"))


def recipient_unit_choices(*, issuers: list[Unit]) -> list[Unit]:
    """Units that may be chosen one by one: everything that can report below the issuers, in tree order."""
    return recipient_unit_choices_below(issuers=issuers, kinds_for=lambda _issuer: RECIPIENT_KINDS)


def _with_counts(requests: QuerySet) -> QuerySet:
    return requests.annotate(
        total_count=Count("recipients"),
        on_time_count=Count("recipients", filter=Q(recipients__status=Status.ON_TIME)),
        late_count=Count("recipients", filter=Q(recipients__status=Status.LATE)),
        missing_count=Count("recipients", filter=Q(recipients__status=Status.MISSING)),
    )


def report_requests_sent(*, user, query: str = "") -> QuerySet[ReportRequest]:
    """Requests issued by the units the user manages (their own and those below), newest first."""
    reach = scope(user, Action.MANAGE)
    requests = ReportRequest.objects.filter(reach.q("issuer__"), issuer__kind__in=ISSUER_KINDS)
    if query:
        requests = requests.filter(title__icontains=query.strip())
    return _with_counts(requests.select_related("issuer", "created_by")).order_by("-created_at", "-id")


def report_inbox(*, user, show: str = "todo") -> QuerySet[ReportRecipient]:
    """ "Báo cáo cần nộp": the requests addressed to the units where the user holds a managing role.

    Units above (a Department over its schools) follow those through the request's status page, so
    their list is not flooded with every school's requests. `show="todo"` keeps what still needs
    doing: not submitted yet, or the deadline not passed (a newer version may still come).
    """
    paths = [held.path for held in units_where(user, UNIT_MANAGER_ROLES)]
    recipients = ReportRecipient.objects.filter(unit__path__in=paths, unit__is_active=True).select_related(
        "request__issuer", "unit", "latest_submission__submitted_by"
    )
    if show == "todo":
        recipients = recipients.filter(Q(status=Status.MISSING) | Q(request__deadline__gte=timezone.now()))
        return recipients.order_by("request__deadline", "unit__path", "pk")
    return recipients.order_by("-request__deadline", "unit__path", "pk")


def report_status_counts(*, request: ReportRequest) -> dict[str, int]:
    """{"total", "on_time", "late", "missing"} for one request, in one query."""
    counts = _with_counts(ReportRequest.objects.filter(pk=request.pk)).values(
        "total_count", "on_time_count", "late_count", "missing_count"
    )[0]
    return {key.removesuffix("_count"): value for key, value in counts.items()}


STATUS_FILTERS = {
    "on_time": Q(status=Status.ON_TIME),
    "late": Q(status=Status.LATE),
    "missing": Q(status=Status.MISSING),
}


def report_status_rows(*, request: ReportRequest, status: str = "", query: str = "") -> QuerySet[ReportRecipient]:
    """The issuer's table: one row per unit asked, with its newest version, in tree order."""
    rows = ReportRecipient.objects.filter(request=request).select_related("unit", "latest_submission__submitted_by")
    if status in STATUS_FILTERS:
        rows = rows.filter(STATUS_FILTERS[status])
    if query:
        folded = fold(query)
        rows = rows.filter(Q(unit__name_folded__contains=folded) | Q(unit__code__iexact=query.strip()))
    return rows.order_by("unit__path", "pk")


def report_submissions_of(*, recipient: ReportRecipient) -> QuerySet[ReportSubmission]:
    return recipient.submissions.select_related("submitted_by").order_by("-version")


def report_last_reminder(*, request: ReportRequest) -> ReportReminder | None:
    return request.reminders.select_related("sent_by").order_by("-created_at", "-id").first()
