"""Question imports: an uploaded file (xlsx template, Moodle XML or GIFT), every question it holds with
its problems, and what became of each.

The batch and row are the import engine's (truonghoc.imports), as the accounts import's: upload → check
→ preview listing every question with its problems → confirm → apply → result (a Celery task each for
a large file). A duplicate (the same fingerprint as another
question of the file, or as a question the importer can use or wrote) is never imported; a question
with problems is imported only after the importer chose to skip the problems, and then nothing of it is.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from truonghoc.formatting import datetime_text
from truonghoc.imports.models import BatchRow, ImportBatch, status_choices, status_field
from truonghoc.storage import private_storage

from .questions import CognitiveLevel, QuestionSource, question_image_path


class QuestionImport(ImportBatch):
    class Format(models.TextChoices):
        XLSX = QuestionSource.XLSX.value, _("Spreadsheet (.xlsx template)")
        MOODLE = QuestionSource.MOODLE.value, _("Moodle XML")
        GIFT = QuestionSource.GIFT.value, _("GIFT")

    Status = status_choices(invalid=_("Nothing can be imported"), importing=_("Creating the questions"))

    UPLOAD_TO = "question-imports/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "new_rows", "duplicate_rows", "error_rows", "created_rows")

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    status = status_field(Status)
    # What Moodle XML and GIFT files do not carry, asked on the upload form.
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    level = models.PositiveSmallIntegerField(
        _("cognitive level"), choices=CognitiveLevel.choices, null=True, blank=True
    )
    # upload, original_name, message, created_at, finished_at: ImportBatch; the counters keep their words.
    total_rows = models.PositiveIntegerField(_("questions in the file"), default=0)
    new_rows = models.PositiveIntegerField(_("new questions"), default=0)
    duplicate_rows = models.PositiveIntegerField(_("duplicates"), default=0)
    error_rows = models.PositiveIntegerField(_("questions with problems"), default=0)
    created_rows = models.PositiveIntegerField(_("questions created"), default=0)
    # The importer chose to import the valid questions and skip those with problems.
    skip_problems = models.BooleanField(_("skip the questions with problems"), default=False)

    class Meta(ImportBatch.Meta):
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="question_import_by_idx")]

    def __str__(self):
        return f"{self.get_format_display()} · {self.original_name} · {datetime_text(self.created_at)}"


class QuestionImportRow(BatchRow):
    """One question of the file (or one entry that is not a question: an unknown Moodle type, a
    description), with where it is in the file, its cleaned fields and its problems."""

    class Action(models.TextChoices):
        CREATE = "create", _("New question")
        DUPLICATE = "duplicate", _("Duplicate: not imported")
        ERROR = "error", _("Has problems")
        INFO = "info", _("Not a question: skipped")

    batch = models.ForeignKey(QuestionImport, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField(_("position"))
    label = models.CharField(_("where in the file"), max_length=255)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    duplicate_of = models.ForeignKey(
        "materials.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_label = models.CharField(_("same as"), max_length=255, blank=True)
    # An image embedded in a Moodle question, already re-encoded; the question keeps this file.
    image = models.ImageField(
        _("image"), upload_to=question_image_path, storage=private_storage, blank=True, max_length=255
    )
    question = models.ForeignKey(
        "materials.Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("question import row")
        verbose_name_plural = _("question import rows")
        ordering = ["batch", "position"]
        indexes = [models.Index(fields=["batch", "action", "position"], name="question_import_row_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="duplicate") | Q(duplicate_of__isnull=False) | ~Q(duplicate_label=""),
                name="question_import_duplicate_says_of_what",
            )
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.label}"
