"""The learning-material library (học liệu): items, their versions, and the approval trail.

An item's content lives in versions. Editing an approved item makes a new draft version that goes
through approval again while the approved one stays live; `Material.live_version` is what learners see.
Catalogue fields (title, kind, subject, grade, topic, search text) are copied from the live version onto
the item so the library lists and searches one table.

Approval (the Quyết Tiến plan, 2024): draft → submitted → approved by the professional group's leader →
approved by the principal → visible to the school. A school may then propose the item to its Office or
Department, which vets it (thẩm định) to share it across its subtree; the Ministry likewise for the nation.
`Material.shared_with` is the highest unit whose subtree sees the item. Every step is a `MaterialReview`,
a trail row of the approval engine (`approvals`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import ReviewStep, Status, review_step_rules
from truonghoc.softdelete import SoftDeleted, soft_delete_constraint
from truonghoc.storage import private_storage


class Kind(models.TextChoices):
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    SIMULATION = "simulation", _("Simulation")
    ILLUSTRATIVE_LESSON = "illustrative", _("Illustrative lesson")
    INTERACTIVE_LESSON = "interactive", _("Interactive lesson")


class Licence(models.TextChoices):
    CC_BY = "cc-by", "CC BY 4.0"
    CC_BY_SA = "cc-by-sa", "CC BY-SA 4.0"
    CC_BY_NC = "cc-by-nc", "CC BY-NC 4.0"
    CC_BY_NC_SA = "cc-by-nc-sa", "CC BY-NC-SA 4.0"
    SCHOOL_ONLY = "school", _("For use within the education sector only")
    ALL_RIGHTS = "all-rights", _("All rights reserved (used with permission)")


# The approval engine's statuses (approvals.models.Status): one flow, one vocabulary for every kind.
VersionStatus = Status


class Material(SoftDeleted):
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    licence = models.CharField(_("licence"), max_length=15, choices=Licence.choices, default=Licence.CC_BY)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="materials"
    )
    # The professional group (or school) the item was made in; its leader and principal approve it.
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="materials")
    live_version = models.ForeignKey(
        "MaterialVersion",
        verbose_name=_("live version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The highest unit whose whole subtree sees the item: its school once approved, an Office/Department
    # after vetting, the Ministry for the nation. Null until first approved.
    shared_with = models.ForeignKey(
        "units.Unit",
        verbose_name=_("shared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials_shared_here",
    )
    # Folded (accent-free, lower-case) title, subject, topic, grade and description of the live version.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("learning material")
        verbose_name_plural = _("learning materials")
        ordering = ["-approved_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="material_has_title"),
            soft_delete_constraint("material"),
            models.CheckConstraint(
                condition=Q(shared_with__isnull=True) | Q(live_version__isnull=False), name="material_shared_is_live"
            ),
        ]
        indexes = [
            models.Index(fields=["shared_with", "-approved_at"], name="material_shared_idx"),
            models.Index(fields=["kind", "subject", "grade"], name="material_filter_idx"),
            models.Index(fields=["-download_count", "-view_count"], name="material_popular_idx"),
        ]

    def __str__(self):
        return self.title


def material_file_path(instance, filename: str) -> str:
    import os
    import uuid

    extension = os.path.splitext(filename)[1].lower()
    return f"materials/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class MaterialVersion(models.Model):
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)  # sanitised HTML
    usage_guide = models.TextField(_("usage guide"), blank=True)  # sanitised HTML
    # Illustrative / interactive lessons: the lesson plan or content (sanitised HTML), which may list
    # other items of the library it uses.
    body = models.TextField(_("content"), blank=True)
    uses = models.ManyToManyField(Material, verbose_name=_("uses these items"), blank=True, related_name="used_in")
    file = models.FileField(
        _("file"), upload_to=material_file_path, storage=private_storage, blank=True, max_length=255
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    link_url = models.URLField(_("link"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("material version")
        verbose_name_plural = _("material versions")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="material_version_number"),
            # One version at a time is on its way through approval.
            models.UniqueConstraint(
                fields=["material"],
                condition=Q(status__in=["draft", "submitted", "group_approved"]),
                name="material_one_open_version",
            ),
        ]

    def __str__(self):
        return f"{self.material} · v{self.number}"


def review_meta(item_field: str, verbose_name, verbose_name_plural) -> type:
    """The Meta of a trail table here (MaterialReview, QuestionReview): its names, its order (by item, then
    in time), and the engine's constraints and index named after the item as the tables always had them."""
    rules = review_step_rules(item_field, item_field)
    return type(
        "Meta",
        (),
        {
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name_plural,
            "ordering": [item_field, "at", "id"],
            "constraints": rules["constraints"],
            "indexes": rules["indexes"],
        },
    )


class MaterialReview(ReviewStep):
    """One step of an item's approval trail (approvals.models.ReviewStep), with the version it was about."""

    item_field = "material"

    material = models.ForeignKey(Material, verbose_name=_("material"), on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(
        MaterialVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="reviews"
    )

    Meta = review_meta("material", _("material review"), _("material reviews"))
