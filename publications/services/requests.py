"""Every write of the report requests: creating one (recipients resolved into rows, their staff
notified), submitting a version, reminding the units that have not submitted.

Files are checked by content before anything is written; if a later step fails, the file just
saved is removed again, so a refusal leaves neither rows nor files behind.
"""

import os
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.services import notify
from truonghoc.formatting import datetime_text
from truonghoc.storage import private_storage
from truonghoc.text import nfc
from truonghoc.uploads import (
    UploadWords,
    check_upload,
    clean_name,
    content_type_for,
    files_removed_on_failure,
    type_labels,
)
from units.models import RoleAssignment, Unit
from units.permissions import UNIT_MANAGER_ROLES
from units.services import audit_log

from ..models import REPORT_FILE_MAX_BYTES, ReportRecipient, ReportReminder, ReportRequest, ReportSubmission
from ..permissions import (
    ISSUER_KINDS,
    RECIPIENT_KINDS,
    can_follow_report_request,
    can_issue_report_request,
    can_submit_report,
)
from .recipients import RecipientWords, recipients_resolve

Audience = ReportRequest.Audience
Status = ReportRecipient.Status
K = Unit.Kind

REMINDER_INTERVAL = timedelta(minutes=10)
RECIPIENT_BATCH_SIZE = 1000

REPORT_FILE_TYPES = ("pdf", "docx", "xlsx")


class ReportFileWords(UploadWords):
    """Report requests take three types and say so by name; the checks are truonghoc.uploads'."""

    def too_big(self, *, name, size, max_bytes):
        return _("The file %(name)s is %(size).1f MB; a file can be at most %(max)d MB.") % {
            "name": name,
            "size": size / 1_048_576,
            "max": max_bytes // 1_048_576,
        }

    def not_allowed(self, *, name, allowed):
        return _("%(name)s is not a PDF, Word (.docx) or Excel (.xlsx) file. Save it in one of these formats.") % {
            "name": name
        }

    def not_what_named(self, *, name, extension, actual, allowed):
        if actual not in allowed:  # anything else, real (.pptx, a picture) or not, is "not one of ours"
            return _(
                "%(name)s is named %(extension)s but its content is not a PDF, Word or Excel document: it is "
                "damaged, or another kind of file renamed. Save it again as PDF, .docx or .xlsx."
            ) % {"name": name, "extension": f".{extension}"}
        return _(
            "%(name)s is named %(extension)s but it is really a %(actual)s file. Rename it and upload it again."
        ) % {"name": name, "extension": f".{extension}", "actual": type_labels([actual])}


class AlreadyDone(ValidationError):
    """The same form was sent twice (a double click): `obj` is what the first one made."""

    def __init__(self, message: str, *, obj):
        super().__init__(message, code="duplicate")
        self.obj = obj


def _duplicate_submission(submission: ReportSubmission) -> str:
    return _(
        "This file was already received as version %(version)d (the button was pressed twice); it was kept once."
    ) % {"version": submission.version}


def _clean_or_refuse(obj, *, file_field: str, errors: dict) -> None:
    """Model checks on top of the errors already found (the file is checked apart, before it is saved):
    all of them are refused together."""
    try:
        obj.full_clean(exclude=[file_field, *errors])
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _save_once(obj, *, first, message) -> None:
    """Save a row that carries the form's one-time token. When two clicks race past the early check,
    the unique token refuses the second; the first one's row stands and is answered as AlreadyDone."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        earlier = first()
        if earlier is None:
            raise
        raise AlreadyDone(message(earlier), obj=earlier) from exc


def _duplicate_request() -> str:
    return _("This request had already been sent (the button was pressed twice); it was sent once.")


def _text(value: str | None) -> str:
    """NFC, keeping line breaks (nfc() collapses them, which suits names, not instructions)."""
    return unicodedata.normalize("NFC", value or "").strip()


def report_file_check(upload) -> str:
    """Refuse, with a message for the person uploading, anything but a real PDF, .docx or .xlsx file of
    at most 20 MB whose name matches its content (truonghoc.uploads.check_upload); return the extension."""
    checked = check_upload(upload, allowed=REPORT_FILE_TYPES, max_bytes=REPORT_FILE_MAX_BYTES, words=ReportFileWords())
    return f".{checked.extension}"


def report_file_content_type(name: str) -> str:
    return content_type_for(name)


def _staff_of_recipients(*, request: ReportRequest, status: str | None = None) -> QuerySet:
    """The active people who manage a recipient unit of `request` (optionally only those with `status`),
    held at the unit itself: one joined query, however many units were asked."""
    filters = {
        "role_assignments__role__in": sorted(UNIT_MANAGER_ROLES),
        "role_assignments__unit__report_recipients__request": request,
    }
    if status is not None:
        filters["role_assignments__unit__report_recipients__status"] = status
    return get_user_model().objects.filter(is_active=True, **filters).distinct().order_by("pk")


REQUEST_RECIPIENT_WORDS = RecipientWords(
    bad_kinds=gettext_lazy("Unknown kind of unit: %(kinds)s."),
    outside=gettext_lazy("These units are not under %(issuer)s, so it cannot ask them for a report: %(names)s."),
    wrong_kind=gettext_lazy(
        "Only Departments, Offices, schools and universities can be asked for a report, not: %(names)s."
    ),
    inactive=gettext_lazy("These units are no longer active: %(names)s."),
    empty=gettext_lazy("Choose who must report: kinds of unit, single units, or both."),
    nobody=gettext_lazy("No unit below %(issuer)s matches the recipients you chose; nobody would receive the request."),
)


def _resolve_recipients(*, issuer: Unit, kinds: list[str], units: list[Unit]) -> list[Unit]:
    """The units below `issuer` that must report: the recipients picker's rules (services.recipients)."""
    return recipients_resolve(
        issuer=issuer,
        kinds=kinds,
        units=units,
        allowed_kinds=Audience.values,
        unit_kinds=RECIPIENT_KINDS,
        words=REQUEST_RECIPIENT_WORDS,
    )


@transaction.atomic
def report_request_create(
    *,
    actor,
    issuer: Unit,
    title: str,
    instructions: str,
    deadline: datetime,
    kinds: Iterable[str] = (),
    units: Iterable[Unit] = (),
    template_file=None,
    token: uuid.UUID | None = None,
) -> ReportRequest:
    """Ask the units below `issuer` for a report: one recipient row per unit, their staff notified."""
    if issuer.kind not in ISSUER_KINDS or not can_issue_report_request(actor, issuer):
        raise ValidationError(
            _("You cannot ask for reports on behalf of %(unit)s.") % {"unit": issuer.name}, code="forbidden"
        )
    template_file = template_file or None
    token = token or uuid.uuid4()
    existing = ReportRequest.objects.filter(created_by=actor, token=token).first()
    if existing is not None:
        raise AlreadyDone(_duplicate_request(), obj=existing)
    kinds = list(dict.fromkeys(kinds))
    units = list({u.pk: u for u in units}.values())
    errors: dict = {}
    if deadline is None:
        errors["deadline"] = [_("Give the deadline (dd/mm/yyyy hh:mm).")]
    else:
        if timezone.is_naive(deadline):
            deadline = timezone.make_aware(deadline)
        if deadline <= timezone.now():
            errors["deadline"] = [
                _("The deadline %(deadline)s has already passed; choose a later date and time.")
                % {"deadline": datetime_text(deadline)}
            ]
    if template_file is not None:
        try:
            report_file_check(template_file)
        except ValidationError as exc:
            errors["template_file"] = exc.messages
    recipients: list[Unit] = []
    try:
        recipients = _resolve_recipients(issuer=issuer, kinds=kinds, units=units)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    request = ReportRequest(
        issuer=issuer,
        title=nfc(title),
        instructions=_text(instructions),
        deadline=deadline,
        template_name=clean_name(template_file.name) if template_file is not None else "",
        audience={"kinds": kinds, "units": [u.code for u in units]},
        created_by=actor,
        token=token,
    )
    _clean_or_refuse(request, file_field="template_file", errors=errors)

    # A refusal or failure after the file is saved removes it again.
    with files_removed_on_failure(private_storage()) as saved:
        if template_file is not None:
            request.template_file.save(
                "template" + os.path.splitext(request.template_name)[1], template_file, save=False
            )
            saved.append(request.template_file.name)
        _save_once(
            request,
            first=lambda: ReportRequest.objects.filter(created_by=actor, token=token).first(),
            message=lambda first: _duplicate_request(),
        )
        ReportRecipient.objects.bulk_create(
            [ReportRecipient(request=request, unit=unit) for unit in recipients], batch_size=RECIPIENT_BATCH_SIZE
        )
        audit_log(
            actor=actor,
            action="report_request.create",
            unit=issuer,
            target=request,
            after={
                "title": request.title,
                "deadline": datetime_text(request.deadline),
                "recipients": len(recipients),
                "kinds": kinds,
                "units": [u.code for u in units][:50],
                "template": request.template_name,
            },
        )
        notify(
            recipients=_staff_of_recipients(request=request).iterator(chunk_size=2000),
            title=_("%(issuer)s asks for a report by %(deadline)s: %(title)s")
            % {"issuer": issuer.name, "deadline": datetime_text(request.deadline), "title": request.title},
            body=request.instructions[:1000],
            url=reverse("publications:inbox"),
        )
    return request


@transaction.atomic
def report_submission_create(
    *, actor, recipient: ReportRecipient, upload, note: str = "", token: uuid.UUID | None = None
) -> ReportSubmission:
    """A new version of a unit's report. After the deadline it is accepted and marked late, unless the
    unit already submitted on time: that version stands."""
    recipient = (
        ReportRecipient.objects.select_for_update(of=("self",))
        .select_related("request__issuer", "unit")
        .get(pk=recipient.pk)
    )
    request = recipient.request
    if not recipient.unit.is_active:
        raise ValidationError(
            _("%(unit)s is no longer active; it cannot submit reports.") % {"unit": recipient.unit.name},
            code="inactive",
        )
    if not can_submit_report(actor, recipient):
        raise ValidationError(
            _("You do not manage %(unit)s, so you cannot submit its report.") % {"unit": recipient.unit.name},
            code="forbidden",
        )
    token = token or uuid.uuid4()
    existing = recipient.submissions.filter(token=token).first()
    if existing is not None:
        raise AlreadyDone(_duplicate_submission(existing), obj=existing)
    now = timezone.now()
    is_late = now > request.deadline
    if is_late and recipient.status == Status.ON_TIME:
        raise ValidationError(
            _(
                "The deadline passed on %(deadline)s. The version %(unit)s submitted on time (version "
                "%(version)d) is the one that counts and can no longer be replaced; contact %(issuer)s if it "
                "must change."
            )
            % {
                "deadline": datetime_text(request.deadline),
                "unit": recipient.unit.name,
                "version": recipient.version_count,
                "issuer": request.issuer.name,
            },
            code="closed",
        )
    errors: dict = {}
    extension = ""
    if not upload:
        raise ValidationError({"file": [_("Choose the file to submit.")]}, code="required")
    try:
        extension = report_file_check(upload)
    except ValidationError as exc:
        errors["file"] = exc.messages
    submission = ReportSubmission(
        recipient=recipient,
        version=recipient.version_count + 1,
        original_name=clean_name(getattr(upload, "name", "")),
        size=upload.size or 0,
        note=_text(note),
        submitted_by=actor,
        is_late=is_late,
        token=token,
        created_at=now,
    )
    _clean_or_refuse(submission, file_field="file", errors=errors)

    # A refusal or failure after the file is saved removes it again.
    with files_removed_on_failure(private_storage()) as saved:
        submission.file.save(f"{recipient.unit.code}-v{submission.version}{extension}", upload, save=False)
        saved.append(submission.file.name)
        _save_once(
            submission, first=lambda: recipient.submissions.filter(token=token).first(), message=_duplicate_submission
        )
        before = {"status": recipient.status, "versions": recipient.version_count}
        recipient.status = Status.LATE if is_late else Status.ON_TIME
        recipient.version_count = submission.version
        recipient.latest_submission = submission
        recipient.last_submitted_at = now
        recipient.full_clean(validate_unique=False)
        recipient.save(update_fields=["status", "version_count", "latest_submission", "last_submitted_at"])
        audit_log(
            actor=actor,
            action="report.submit",
            unit=recipient.unit,
            target=submission,
            before=before,
            after={
                "request": request.pk,
                "status": recipient.status,
                "version": submission.version,
                "file": submission.original_name,
                "late": is_late,
            },
        )
    return submission


@transaction.atomic
def report_request_remind(*, actor, request: ReportRequest) -> ReportReminder:
    """Notify the staff of every unit that has not submitted; at most once every 10 minutes."""
    request = ReportRequest.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=request.pk)
    if not can_follow_report_request(actor, request):
        raise ValidationError(
            _("You cannot send reminders for %(unit)s.") % {"unit": request.issuer.name}, code="forbidden"
        )
    now = timezone.now()
    last = request.reminders.order_by("-created_at", "-id").first()
    if last is not None and now - last.created_at < REMINDER_INTERVAL:
        raise ValidationError(
            _(
                "A reminder was already sent at %(time)s. Reminders go out at most once every %(minutes)d "
                "minutes; the next one can be sent after %(next)s."
            )
            % {
                "time": datetime_text(last.created_at),
                "minutes": REMINDER_INTERVAL.seconds // 60,
                "next": datetime_text(last.created_at + REMINDER_INTERVAL),
            },
            code="throttled",
        )
    missing = request.recipients.filter(status=Status.MISSING)
    unit_count = missing.count()
    if unit_count == 0:
        raise ValidationError(_("Every unit has submitted its report; there is nobody to remind."), code="nobody")
    unreached = missing.exclude(
        Exists(
            RoleAssignment.objects.filter(
                unit=OuterRef("unit"), role__in=sorted(UNIT_MANAGER_ROLES), user__is_active=True
            )
        )
    ).count()
    if request.is_past_deadline:
        title = _("Reminder: the report “%(title)s” asked by %(issuer)s was due on %(deadline)s")
    else:
        title = _("Reminder: %(issuer)s is waiting for the report “%(title)s” by %(deadline)s")
    notes = notify(
        recipients=_staff_of_recipients(request=request, status=Status.MISSING).iterator(chunk_size=2000),
        title=title
        % {"issuer": request.issuer.name, "title": request.title, "deadline": datetime_text(request.deadline)},
        body=request.instructions[:1000],
        url=reverse("publications:inbox"),
    )
    reminder = ReportReminder(
        request=request,
        sent_by=actor,
        unit_count=unit_count,
        people_count=len(notes),
        unreached_count=unreached,
        created_at=now,
    )
    reminder.full_clean()
    reminder.save()
    audit_log(
        actor=actor,
        action="report_request.remind",
        unit=request.issuer,
        target=request,
        after={"units": unit_count, "people": len(notes), "units_with_nobody": unreached},
    )
    return reminder
