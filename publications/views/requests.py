"""Report requests: the recipients' list ("Báo cáo cần nộp") and submission page, the issuer's list,
form, status table and reminders, and the two file downloads (both permission-checked)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truonghoc.forms import add_service_errors
from truonghoc.storage import file_response
from truonghoc.text import search_text
from units.permissions import Action, scope

from .. import selectors
from ..forms import ReportRequestForm, ReportSubmissionForm
from ..models import ReportRecipient
from ..permissions import (
    can_follow_report_request,
    can_submit_report,
    report_recipient_for_user_or_404,
    report_request_for_user_or_404,
    report_submission_for_user_or_404,
)
from ..services import (
    REMINDER_INTERVAL,
    AlreadyDone,
    report_file_content_type,
    report_request_create,
    report_request_remind,
    report_submission_create,
)

PAGE_SIZE = 30
STATUS_PAGE_SIZE = 50
VERSIONS_PAGE_SIZE = 20


def _private_file(field, filename: str):
    return file_response(field, name=filename, content_type=report_file_content_type(filename))


@login_required
def inbox(request):
    """ "Báo cáo cần nộp": what the units this person manages have been asked for."""
    show = "all" if request.GET.get("show") == "all" else "todo"
    page = Paginator(selectors.report_inbox(user=request.user, show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "now": timezone.now(),
        "may_issue": bool(selectors.issuing_units(user=request.user)),
    }
    return render(request, "publications/report_request_inbox.html", context)


@login_required
def sent(request):
    """The requests issued by the units this person manages, with how many have answered."""
    issuers = selectors.issuing_units(user=request.user)
    if not issuers:
        raise PermissionDenied
    query = search_text(request.GET.get("q"))
    page = Paginator(selectors.report_requests_sent(user=request.user, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query, "now": timezone.now()}
    return render(request, "publications/report_request_sent.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request):
    user = request.user
    issuers = selectors.issuing_units(user=user)
    if not issuers:
        raise PermissionDenied
    form = ReportRequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        issuers=issuers,
        unit_choices=selectors.recipient_unit_choices(issuers=issuers),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = report_request_create(
                actor=user,
                issuer=data["issuer"],
                title=data["title"],
                instructions=data["instructions"],
                deadline=data["deadline"],
                kinds=data["kinds"],
                units=form.recipient_units(),
                template_file=data["template_file"],
                token=data["token"],
            )
        except AlreadyDone as exc:
            messages.info(request, exc.messages[0])
            return redirect("publications:status", exc.obj.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            count = report.recipients.count()
            messages.success(
                request,
                _("The request has been sent to %(count)d units; the people who manage them have been notified.")
                % {"count": count},
            )
            return redirect("publications:status", report.pk)
    return render(request, "publications/report_request_new.html", {"form": form, "had_file": bool(request.FILES)})


@login_required
def request_status(request, pk: int):
    """The issuer's table: per unit asked, submitted (when, by whom, versions), late, or not yet."""
    user = request.user
    report = report_request_for_user_or_404(user, pk)
    if not can_follow_report_request(user, report):
        # Someone on the recipient side: their own page for this request.
        own = ReportRecipient.objects.filter(scope(user, Action.MANAGE).q("unit__"), request=report).first()
        if own is None:
            raise Http404
        return redirect("publications:recipient", own.pk)
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    query = search_text(request.GET.get("q"))
    rows = selectors.report_status_rows(request=report, status=status, query=query)
    page = Paginator(rows, STATUS_PAGE_SIZE).get_page(request.GET.get("page"))
    last_reminder = selectors.report_last_reminder(request=report)
    now = timezone.now()
    context = {
        "report": report,
        "page": page,
        "status": status,
        "query": query,
        "counts": selectors.report_status_counts(request=report),
        "last_reminder": last_reminder,
        "next_reminder_at": last_reminder.created_at + REMINDER_INTERVAL if last_reminder else None,
        "now": now,
        "past_deadline": now > report.deadline,
    }
    template = "publications/report_request_status.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def request_remind(request, pk: int):
    """Confirm, then remind every unit that has not submitted (at most once every 10 minutes)."""
    user = request.user
    report = report_request_for_user_or_404(user, pk)
    if not can_follow_report_request(user, report):
        raise Http404
    if request.method == "POST":
        try:
            reminder = report_request_remind(actor=user, request=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Reminder sent to %(units)d units that have not submitted (%(people)d people notified).")
                % {"units": reminder.unit_count, "people": reminder.people_count},
            )
            if reminder.unreached_count:
                messages.warning(
                    request,
                    _("%(count)d of these units have nobody on the system who manages them; contact them directly.")
                    % {"count": reminder.unreached_count},
                )
        return redirect("publications:status", report.pk)
    last_reminder = selectors.report_last_reminder(request=report)
    now = timezone.now()
    next_at = last_reminder.created_at + REMINDER_INTERVAL if last_reminder else None
    context = {
        "report": report,
        "counts": selectors.report_status_counts(request=report),
        "missing": list(selectors.report_status_rows(request=report, status="missing")[:20]),
        "last_reminder": last_reminder,
        "next_reminder_at": next_at,
        "throttled": next_at is not None and now < next_at,
        "interval_minutes": REMINDER_INTERVAL.seconds // 60,
    }
    return render(request, "publications/report_request_remind.html", context)


@login_required
def template_download(request, pk: int):
    report = report_request_for_user_or_404(request.user, pk)
    if not report.template_file:
        raise Http404
    return _private_file(report.template_file, report.template_name)


@login_required
@require_http_methods(["GET", "POST"])
def recipient_detail(request, pk: int):
    """One unit's page for one request: the instructions, the template, its versions, and the form."""
    user = request.user
    recipient = report_recipient_for_user_or_404(user, pk)
    report = recipient.request
    may_submit = can_submit_report(user, recipient)
    if request.method == "POST":
        if not may_submit:
            raise PermissionDenied
        form = ReportSubmissionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submission = report_submission_create(
                    actor=user, recipient=recipient, upload=data["file"], note=data["note"], token=data["token"]
                )
            except AlreadyDone as exc:
                messages.info(request, exc.messages[0])
                return redirect("publications:recipient", recipient.pk)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if submission.is_late:
                    messages.warning(
                        request,
                        _(
                            "Version %(version)d of the report of %(unit)s has been received after the deadline: "
                            "it is marked late."
                        )
                        % {"version": submission.version, "unit": recipient.unit.name},
                    )
                else:
                    messages.success(
                        request,
                        _("Version %(version)d of the report of %(unit)s has been received.")
                        % {"version": submission.version, "unit": recipient.unit.name},
                    )
                return redirect("publications:recipient", recipient.pk)
    else:
        form = ReportSubmissionForm()
    now = timezone.now()
    past_deadline = now > report.deadline
    versions = Paginator(selectors.report_submissions_of(recipient=recipient), VERSIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "recipient": recipient,
        "report": report,
        "form": form,
        "may_submit": may_submit,
        # After the deadline a unit that submitted on time keeps that version; others may still submit, late.
        "closed": past_deadline and recipient.status == ReportRecipient.Status.ON_TIME,
        "past_deadline": past_deadline,
        "is_issuer_side": can_follow_report_request(user, report),
        "versions": versions,
        "now": now,
    }
    return render(request, "publications/report_recipient_detail.html", context)


@login_required
def submission_download(request, pk: int):
    submission = report_submission_for_user_or_404(request.user, pk)
    return _private_file(submission.file, submission.original_name)
