import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.storage import private_storage
from units.models import Unit

# Report templates and submitted reports: PDF, Word or Excel files up to this size.
REPORT_FILE_MAX_BYTES = 20 * 1024 * 1024
DEADLINE_SOON = timedelta(days=3)


def report_file_path(instance, filename: str) -> str:
    """A random name in a dated folder; the name the person gave the file is kept in a column, so
    nothing they typed reaches the file system."""
    extension = os.path.splitext(filename)[1].lower()
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class ReportRequest(models.Model):
    """An upper unit (Ministry, Department, Office) asks the units below it for a report by a deadline.

    The recipients chosen (kinds of unit and single units) are resolved once, at creation, into one
    ReportRecipient row per unit; `audience` keeps what was chosen, for the record.
    """

    class Audience(models.TextChoices):
        DEPARTMENTS = "department", _("All Departments")
        OFFICES = "office", _("All Offices")
        THPT = "thpt", _("All THPT schools")
        THCS = "thcs", _("All THCS schools")
        PRIMARY = "th", _("All primary schools")
        MULTI_LEVEL = "lien_cap", _("All multi-level schools")
        CONTINUING = "gdtx", _("All continuing-education centres")
        UNIVERSITIES = "university", _("All teacher-training universities")

    issuer = models.ForeignKey(
        Unit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="report_requests_issued"
    )
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"))
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    template_file = models.FileField(
        _("template file"), upload_to=report_file_path, storage=private_storage, blank=True, max_length=255
    )
    template_name = models.CharField(_("template file name"), max_length=255, blank=True)
    audience = models.JSONField(_("recipients chosen"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The form's one-time token: a second click on "Send" finds the request the first one made.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "token"], name="report_request_unique_token"),
            models.CheckConstraint(condition=~Q(title=""), name="report_request_has_title"),
            models.CheckConstraint(
                condition=Q(template_file="", template_name="") | (~Q(template_file="") & ~Q(template_name="")),
                name="report_request_template_named",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "created_at"], name="report_request_issuer_idx")]

    def __str__(self):
        return self.title

    @property
    def is_past_deadline(self) -> bool:
        return timezone.now() > self.deadline

    @property
    def deadline_state(self) -> str:
        """ "past", "soon" (within DEADLINE_SOON) or "open": how pages colour the countdown."""
        left = self.deadline - timezone.now()
        if left <= timedelta(0):
            return "past"
        return "soon" if left <= DEADLINE_SOON else "open"


class ReportRecipient(models.Model):
    """One unit asked for one report, with the state of its submissions kept up to date by the
    submission service, so the issuer's table is one query however many units were asked."""

    class Status(models.TextChoices):
        MISSING = "missing", _("Not submitted")
        ON_TIME = "on_time", _("Submitted")
        LATE = "late", _("Submitted late")

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report request"), on_delete=models.CASCADE, related_name="recipients"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_recipients")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.MISSING)
    version_count = models.PositiveIntegerField(_("versions"), default=0)
    latest_submission = models.ForeignKey(
        "ReportSubmission",
        verbose_name=_("latest version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        constraints = [
            models.UniqueConstraint(fields=["request", "unit"], name="report_recipient_once_per_unit"),
            models.CheckConstraint(
                condition=(
                    Q(status="missing", version_count=0, last_submitted_at__isnull=True)
                    | (~Q(status="missing") & Q(version_count__gte=1, last_submitted_at__isnull=False))
                ),
                name="report_recipient_status_matches_versions",
            ),
        ]
        indexes = [
            models.Index(fields=["request", "status"], name="report_recipient_status_idx"),
            models.Index(fields=["unit", "status"], name="report_recipient_unit_idx"),
        ]

    def __str__(self):
        return f"{self.request} · {self.unit}"


class ReportSubmission(models.Model):
    """One version of a unit's report. Every version is kept; the newest is the one that counts."""

    recipient = models.ForeignKey(
        ReportRecipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="submissions"
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=report_file_path, storage=private_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_late = models.BooleanField(_("late"), default=False)
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "version"], name="report_submission_unique_version"),
            models.UniqueConstraint(fields=["recipient", "token"], name="report_submission_unique_token"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_submission_version_positive"),
            models.CheckConstraint(condition=~Q(file=""), name="report_submission_has_file"),
        ]

    def __str__(self):
        return f"{self.recipient} · v{self.version}"


class ReportReminder(models.Model):
    """One click on "Remind": who sent it, when, and how many units and people it reached."""

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report request"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit_count = models.PositiveIntegerField(_("units reminded"))
    people_count = models.PositiveIntegerField(_("people notified"))
    # Units that had not submitted but have nobody on the system who manages them.
    unreached_count = models.PositiveIntegerField(_("units with nobody to notify"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["request", "created_at"], name="report_reminder_request_idx")]

    def __str__(self):
        return f"{self.request} · {self.created_at:%d/%m/%Y %H:%M}"
