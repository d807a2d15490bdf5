from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from truonghoc.formatting import datetime_text
from truonghoc.text import fold, nfc


class Unit(MP_Node):
    """One node of the Bộ → Sở → Phòng → Trường → Tổ/Lớp tree.

    The tree is a materialised path (treebeard): "everything under this unit" is one indexed
    `path LIKE 'prefix%'` query. Units are never deleted: a merged unit stays, inactive, with
    `merged_into` pointing at its successor, so history attributed to it keeps its meaning.
    """

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry of Education")
        DEPARTMENT = "department", _("Department of Education")
        OFFICE = "office", _("Office of Education")
        SCHOOL = "school", _("School")
        UNIVERSITY = "university", _("Teacher-training university")
        GROUP = "group", _("Professional group")
        CLASS = "class", _("Class")

    class SchoolLevel(models.TextChoices):
        PRIMARY = "th", _("Primary school (TH)")
        LOWER_SECONDARY = "thcs", _("Lower-secondary school (THCS)")
        UPPER_SECONDARY = "thpt", _("Upper-secondary school (THPT)")
        MULTI_LEVEL = "lien_cap", _("Multi-level school (liên cấp)")
        CONTINUING = "gdtx", _("Continuing-education centre (TT GDTX)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    school_level = models.CharField(_("school level"), max_length=10, choices=SchoolLevel.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    homeroom_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("homeroom teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
    )
    # What a school declares it has, for coverage (accounts ÷ declared people); empty until declared.
    declared_teachers = models.PositiveIntegerField(_("declared number of teachers"), null=True, blank=True)
    declared_students = models.PositiveIntegerField(_("declared number of students"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="class", grade__isnull=False, grade__gte=1, grade__lte=12)
                    | (~Q(kind="class") & Q(grade__isnull=True))
                ),
                name="unit_grade_only_for_classes",
            ),
            models.CheckConstraint(
                condition=Q(kind="school") | Q(school_level=""),
                name="unit_school_level_only_for_schools",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="unit_kind_path_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.name_folded = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded"}
        super().save(*args, **kwargs)

    @property
    def is_school(self) -> bool:
        return self.kind in (self.Kind.SCHOOL, self.Kind.UNIVERSITY)

    def school(self) -> "Unit | None":
        """The school a group or class belongs to (itself for a school)."""
        if self.is_school:
            return self
        if self.kind in (self.Kind.GROUP, self.Kind.CLASS):
            return Unit.objects.get_parent(self)
        return None


class Cluster(models.Model):
    """A cụm trường: neighbouring schools, possibly under different Offices, that work together."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    owner = models.ForeignKey(
        Unit, verbose_name=_("managed by"), on_delete=models.PROTECT, related_name="owned_clusters"
    )
    schools = models.ManyToManyField(Unit, verbose_name=_("schools"), related_name="clusters", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("school cluster")
        verbose_name_plural = _("school clusters")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    MINISTRY_STAFF = "ministry_staff", _("Ministry staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    OFFICE_STAFF = "office_staff", _("Office staff")
    SCHOOL_ADMIN = "school_admin", _("School admin")
    PRINCIPAL = "principal", _("Principal")
    GROUP_LEADER = "group_leader", _("Group leader")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")


class RoleAssignment(models.Model):
    """A role a person holds at a unit; it reaches the unit's whole subtree (units/permissions.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_role_per_unit")]
        indexes = [models.Index(fields=["unit", "role"], name="role_unit_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class AuditEntry(models.Model):
    """Who changed what, when, with the state before and after.

    Kept here, in the lowest app, because every app writes entries and each entry is read by the
    unit it concerns and the units above it.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["unit", "created_at"], name="audit_unit_created_idx"),
        ]

    def __str__(self):
        return f"{datetime_text(self.created_at)} {self.action} {self.target_repr}"


class Target(models.Model):
    """A unit's target for one measure; units below inherit the nearest one set above them.

    Kept with the tree (it is inherited down it) so that every app may read the targets in force:
    reports flags the units that miss them, courses shows a group its products target."""

    class Metric(models.TextChoices):
        TEACHER_COVERAGE = "teacher_coverage", _("Teachers with an account, in percent of the declared number")
        STUDENT_COVERAGE = "student_coverage", _("Students with an account, in percent of the declared number")
        PHOTO_OK = "photo_ok", _("Teachers with a proper photo, in percent")
        TOPICS_PER_GROUP = "topics_per_group", _("Topics per professional group per semester")
        PRODUCTS_PER_TEACHER = "products_per_teacher", _("Products per teacher per semester")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    PERCENT_METRICS = ("teacher_coverage", "student_coverage", "photo_ok")

    class Meta:
        # The table keeps the name it had when Target lived in reports (moved by units 0004 / reports 0004).
        db_table = "reports_target"
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric"], name="one_target_per_unit_metric"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
            models.CheckConstraint(
                condition=~Q(metric__in=["teacher_coverage", "student_coverage", "photo_ok"]) | Q(value__lte=100),
                name="percent_target_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.metric}={self.value}"
