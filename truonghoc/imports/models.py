"""The abstract batch and row every spreadsheet import stores (see truonghoc/imports/__init__.py)."""

import datetime
import posixpath

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.storage import private_storage


class ImportStatus:
    """The steps of every import; the engine compares with these constants. A concrete batch names them
    with `status_choices` (its own words where they differ) and declares `status = status_field(Status)`."""

    VALIDATING = "validating"
    INVALID = "invalid"
    READY = "ready"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"
    WORKING = (VALIDATING, IMPORTING)
    FINISHED = (DONE, FAILED, INVALID)


def status_choices(*, invalid, importing) -> type[models.TextChoices]:
    """The TextChoices of a batch's status: the same words for every import but two, "Nothing can be
    imported" / "The file has problems" and "Creating the questions" / "Creating the accounts"."""
    return models.TextChoices(
        "Status",
        [
            ("VALIDATING", (ImportStatus.VALIDATING, _("Checking the file"))),
            ("INVALID", (ImportStatus.INVALID, invalid)),
            ("READY", (ImportStatus.READY, _("Checked: waiting for confirmation"))),
            ("IMPORTING", (ImportStatus.IMPORTING, importing)),
            ("DONE", (ImportStatus.DONE, _("Done"))),
            ("FAILED", (ImportStatus.FAILED, _("Failed"))),
        ],
    )


def status_field(choices: type[models.TextChoices]) -> models.CharField:
    """The batch's status with the domain's words for each step."""
    return models.CharField(_("status"), max_length=12, choices=choices.choices, default=ImportStatus.VALIDATING)


def upload_path(instance: "ImportBatch", filename: str) -> str:
    # What a `upload_to="imports/%Y/%m/"` string does, with the folder chosen by the concrete model.
    return posixpath.join(datetime.datetime.now().strftime(instance.UPLOAD_TO), filename)


class ImportBatch(models.Model):
    """One uploaded file going through upload → check → preview → confirm → apply.

    Concrete batches add who imports where (`created_by`, the school or unit), their own counters, and
    list in `COUNT_FIELDS` the counters a finished step saves."""

    UPLOAD_TO = "imports/%Y/%m/"
    COUNT_FIELDS: tuple[str, ...] = ("total_rows", "error_rows", "new_rows")

    status = models.CharField(_("status"), max_length=12, default=ImportStatus.VALIDATING)  # see status_field
    upload = models.FileField(_("file"), upload_to=upload_path, storage=private_storage, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    message = models.TextField(_("message"), blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    new_rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def working(self) -> bool:
        """A step runs (in the request or a worker): the page polls."""
        return self.status in ImportStatus.WORKING

    @property
    def file_size(self) -> int:
        """The kept file's size in bytes (0 without one), what the Celery dispatch rule reads."""
        if not self.upload:
            return 0
        try:
            return self.upload.size
        except OSError:
            return 0

    def content(self) -> bytes:
        with self.upload.open("rb") as handle:
            return handle.read()


class BatchRow(models.Model):
    """One checked row (or entry) of a file, kept so the preview lists every row with its problems.
    Concrete rows add the FK to their batch, where the row is in the file and their `action`."""

    data = models.JSONField(_("values"), default=dict, blank=True)
    errors = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        abstract = True
