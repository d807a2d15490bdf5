from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    """A training course, a lesson for students, or a professional group's topic (chuyên đề).

    Minimal for now: enough for the participation figures (topics posted per school). The courses
    issue extends it with sections, enrolment, submissions and grading.
    """

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training course")
        LESSON = "lesson", _("Lesson")
        TOPIC = "topic", _("Professional topic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    title = models.CharField(_("title"), max_length=255)
    purpose = models.TextField(_("purpose and requirements"), blank=True)
    body = models.TextField(_("content"), blank=True)
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="courses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_courses",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "kind", "status"], name="course_unit_kind_idx")]

    def __str__(self):
        return self.title
