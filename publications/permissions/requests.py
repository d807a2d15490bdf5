"""Who may issue, follow, answer and download report requests. Scope rules come from
units.permissions: managing a unit (Action.MANAGE) reaches its whole subtree.

- The issuer side: anyone who manages the issuing unit (its staff, and the units above it).
- The recipient side: anyone who manages the recipient unit (a school's admin and principal, an
  Office's staff, … and the units above it).
Everyone else gets a 404, as if the request did not exist.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from units.models import Unit
from units.permissions import UNIT_MANAGER_ROLES, Action, can, holds_role_at, scope

from ..models import ReportRecipient, ReportRequest, ReportSubmission

ISSUER_KINDS = frozenset({Unit.Kind.MINISTRY, Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE})
# Units that can be asked for a report (groups and classes report through their school).
RECIPIENT_KINDS = frozenset({Unit.Kind.DEPARTMENT, Unit.Kind.OFFICE, Unit.Kind.SCHOOL, Unit.Kind.UNIVERSITY})


def can_issue_report_request(user, unit: Unit) -> bool:
    """Ministry, Department and Office staff (and those above them) ask the units below for reports."""
    return unit.kind in ISSUER_KINDS and unit.is_active and can(user, Action.MANAGE, unit)


def can_follow_report_request(user, request: ReportRequest) -> bool:
    """The issuer side sees every recipient's status and files, and sends reminders."""
    return can(user, Action.MANAGE, request.issuer)


def can_submit_report(user, recipient: ReportRecipient) -> bool:
    """The recipient unit's own managers submit its report: a managing role held at that unit itself.
    Staff above it follow the request; they do not answer on the unit's behalf (an issuer could
    otherwise fill in its own request for a school)."""
    if not recipient.unit.is_active or not getattr(user, "is_authenticated", False):
        return False
    return holds_role_at(user, recipient.unit, UNIT_MANAGER_ROLES)


def can_view_recipient(user, recipient: ReportRecipient) -> bool:
    return can(user, Action.MANAGE, recipient.unit) or can_follow_report_request(user, recipient.request)


def can_view_report_request(user, request: ReportRequest) -> bool:
    """The issuer side, or someone who manages at least one of the units asked."""
    if can_follow_report_request(user, request):
        return True
    reach = scope(user, Action.MANAGE)
    return request.recipients.filter(reach.q("unit__")).exists()


def report_request_for_user_or_404(user, pk) -> ReportRequest:
    request = get_object_or_404(ReportRequest.objects.select_related("issuer", "created_by"), pk=pk)
    if not can_view_report_request(user, request):
        raise Http404
    return request


def report_recipient_for_user_or_404(user, pk) -> ReportRecipient:
    recipient = get_object_or_404(
        ReportRecipient.objects.select_related("request__issuer", "request__created_by", "unit"), pk=pk
    )
    if not can_view_recipient(user, recipient):
        raise Http404
    return recipient


def report_submission_for_user_or_404(user, pk) -> ReportSubmission:
    submission = get_object_or_404(
        ReportSubmission.objects.select_related("recipient__unit", "recipient__request__issuer"), pk=pk
    )
    if not can_view_recipient(user, submission.recipient):
        raise Http404
    return submission
