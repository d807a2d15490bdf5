from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, Subquery
from django.db.models.functions import Left, Length, Substr
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from truonghoc.formatting import datetime_text
from truonghoc.imports.models import BatchRow, ImportBatch, status_choices, status_field
from truonghoc.text import fold, nfc

# --- How the tree is stored ---------------------------------------------------------------------
# A unit's path is its parent's path plus one fixed-width step (treebeard's materialised path), so
# "everything under U" is one indexed `path LIKE 'U.path%'`. Only `units` spells that out: other apps
# filter with `Unit.objects.below(…)`, `in_subtree_q(…)` and the path helpers below.

STEPLEN = MP_Node.steplen


def in_subtree_q(unit_or_path, field: str = "unit", *, include_self: bool = True) -> Q:
    """Rows whose unit (reached through `field`, "" for units themselves) is `unit_or_path` or below it.

    `include_self=False` keeps only the units strictly below (the path alone does not say it, so
    the depth does)."""
    path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
    prefix = f"{field}__" if field else ""
    query = Q(**{f"{prefix}path__startswith": path})
    if not include_self:
        query &= Q(**{f"{prefix}depth__gt": path_depth(path)})
    return query


def in_subtrees(queryset, paths, field: str = "unit"):
    """`queryset` narrowed to the rows whose unit (through `field`) is in the subtree of any of `paths`,
    for many paths at once: one index range (their deepest common ancestor), then each row's path prefix
    of each length compared with IN, instead of one LIKE per path."""
    paths = set(paths)
    if not paths:
        return queryset.none()
    by_length: dict[int, list[str]] = {}
    for path in sorted(paths):
        by_length.setdefault(len(path), []).append(path)
    annotations, where = {}, Q(pk__in=[])
    for length, same_length in by_length.items():
        annotations[f"subtree_{length}"] = Substr(f"{field}__path", 1, length)
        where |= Q(**{f"subtree_{length}__in": same_length})
    return queryset.filter(in_subtree_q(common_ancestor_path(paths), field)).annotate(**annotations).filter(where)


def children_q(unit_or_path, field: str = "unit") -> Q:
    """Rows whose unit (through `field`, "" for units themselves) is a direct child of `unit_or_path`."""
    path = unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__startswith": path, f"{prefix}depth": path_depth(path) + 1})


def at_or_above_q(unit_id, field: str = "unit") -> Q:
    """Rows whose unit (through `field`) is the unit `unit_id` or one of its ancestors, in the same
    query (the unit's path is read by a subquery, so the caller need not load the unit first)."""
    target = Subquery(Unit.objects.filter(pk=unit_id).values("path")[:1])
    return Q(StartsWith(target, F(f"{field}__path")))


def path_depth(path: str) -> int:
    """Depth of the unit at `path` (1 for a root)."""
    return len(path) // STEPLEN


def parent_path(path: str) -> str:
    """Path of the parent of the unit at `path` ("" for a root)."""
    return path[:-STEPLEN]


def school_path_of(path: str, kind: str) -> str:
    """Path of the school a unit belongs to: its parent for a group or class, else the unit itself."""
    return parent_path(path) if kind in (Unit.Kind.GROUP, Unit.Kind.CLASS) else path


def common_ancestor_path(paths) -> str:
    """Path of the deepest unit at or above every one of `paths` ("" when they share no root)."""
    paths = list(paths)
    common = min(paths, default="")
    for path in paths:
        while not path.startswith(common):
            common = parent_path(common)
    return common


def ancestor_paths(path: str, *, include_self: bool = True) -> list[str]:
    """Paths of the root, …, the parent (and the unit itself, unless include_self=False), top first."""
    end = len(path) + 1 if include_self else len(path)
    return [path[:n] for n in range(STEPLEN, end, STEPLEN)]


def ancestor_path_at(path: str, depth: int) -> str:
    """Path of the ancestor at `depth` of the unit at `path` (the unit itself when it is that deep)."""
    return path[: depth * STEPLEN]


def is_below(path: str, above: str, *, include_self: bool = True) -> bool:
    """True when the unit at `path` is in the subtree of the unit at `above`."""
    return path.startswith(above) and (include_self or len(path) > len(above))


class UnitQuerySet(MP_NodeQuerySet):
    """Unit filters by place in the tree; `Unit.objects` is still treebeard's manager (add_root…)."""

    def below(self, unit, *, include_self: bool = True) -> "UnitQuerySet":
        """The unit's subtree (without the unit itself when include_self=False)."""
        return self.filter(in_subtree_q(unit, "", include_self=include_self))

    def children(self, unit, *, kinds=None) -> "UnitQuerySet":
        """Direct children of `unit`, optionally of the given kinds."""
        qs = self.filter(children_q(unit, ""))
        return qs.filter(kind__in=list(kinds)) if kinds is not None else qs

    def children_of(self, units) -> "UnitQuerySet":
        """Direct children of any of `units` (a queryset or list of units or ids), in one subquery."""
        parents = Unit.objects.filter(pk__in=units).values("path")
        return self.annotate(tree_parent_path=Left("path", Length("path") - STEPLEN)).filter(
            tree_parent_path__in=parents
        )

    def schools_under(self, unit, *, include_self: bool = True) -> "UnitQuerySet":
        """Schools and teacher-training universities in the unit's subtree."""
        return self.below(unit, include_self=include_self).filter(kind__in=Unit.SCHOOL_KINDS)


class UnitManager(MP_NodeManager.from_queryset(UnitQuerySet)):
    def get_queryset(self):
        # MP_NodeManager hard-codes its own queryset class; keep its ordering, use ours.
        return UnitQuerySet(self.model, using=self._db).order_by("path")


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

    # The kinds that are schools (a teacher-training university runs like one).
    SCHOOL_KINDS = (Kind.SCHOOL, Kind.UNIVERSITY)

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
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The day a unit was closed (unit_close): it stays, inactive, with its history and figures up to then.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
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

    objects = UnitManager()

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
        return self.kind in self.SCHOOL_KINDS

    @property
    def school_path(self) -> str | None:
        """Path of the school a group, class or school belongs to, without a query (None above schools)."""
        if self.is_school:
            return self.path
        if self.kind in (self.Kind.GROUP, self.Kind.CLASS):
            return school_path_of(self.path, self.kind)
        return None

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


class UnitMove(models.Model):
    """One change of a unit's parent (unit_move, and the children unit_merge moves), kept so that
    statistics of a period that ended before the move can still count the unit under its old parent
    (`selectors.parent_path_at`). The parents are kept as rows (their paths change when the tree above
    them moves) and as the paths they had at the time."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="moves")
    old_parent = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    new_parent = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    old_parent_path = models.CharField(max_length=255)
    new_parent_path = models.CharField(max_length=255)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("unit move")
        verbose_name_plural = _("unit moves")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "at"], name="unit_move_unit_at_idx")]

    def __str__(self):
        return f"{self.unit_id}: {self.old_parent_path} → {self.new_parent_path}"


class Role(models.TextChoices):
    MINISTRY_STAFF = "ministry_staff", _("Ministry staff")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    OFFICE_STAFF = "office_staff", _("Office staff")
    SCHOOL_ADMIN = "school_admin", _("School admin")
    PRINCIPAL = "principal", _("Principal")
    VICE_PRINCIPAL = "vice_principal", _("Vice-principal")
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
        GRADE_ENTRY = "grade_entry", _("Grade entry, in percent of the expected marks")
        # Issue #17: online periods planned ÷ the programme's periods, secondary schools only.
        ONLINE_SHARE = "online_share", _("Online teaching planned at secondary level, in percent of the periods")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=24, choices=Metric.choices)
    value = models.DecimalField(max_digits=6, decimal_places=1)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    PERCENT_METRICS = ("teacher_coverage", "student_coverage", "photo_ok", "grade_entry", "online_share")

    class Meta:
        # The table keeps the name it had when Target lived in reports (moved by units 0004 / reports 0004).
        db_table = "reports_target"
        constraints = [
            models.UniqueConstraint(fields=["unit", "metric"], name="one_target_per_unit_metric"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
            models.CheckConstraint(
                condition=~Q(
                    metric__in=["teacher_coverage", "student_coverage", "photo_ok", "grade_entry", "online_share"]
                )
                | Q(value__lte=100),
                name="percent_target_at_most_100",
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.metric}={self.value}"


class SchoolYear(models.Model):
    """A school year (năm học) and its two semesters' dates, as the Ministry sets them (a national row,
    `department` empty) or as a Department adjusts them for its province (an override row with the same
    label). A unit reads its Department's override, else the national row, else the old fixed calendar
    (`units.selectors.school_year_for`). Written only by `services.school_year_set` / `school_year_adjust`."""

    label = models.CharField(_("school year"), max_length=9)  # "2026-2027"
    department = models.ForeignKey(
        Unit,
        verbose_name=_("adjusted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="school_years",
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    semester1_start = models.DateField(_("semester 1 starts"))
    semester1_end = models.DateField(_("semester 1 ends"))
    semester2_start = models.DateField(_("semester 2 starts"))
    semester2_end = models.DateField(_("semester 2 ends"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["label"], condition=Q(department__isnull=True), name="one_national_school_year_per_label"
            ),
            models.UniqueConstraint(fields=["label", "department"], name="one_school_year_per_label_department"),
            models.CheckConstraint(
                condition=(
                    Q(semester1_start__gte=F("start"))
                    & Q(semester1_end__gte=F("semester1_start"))
                    & Q(semester2_start__gt=F("semester1_end"))
                    & Q(semester2_end__gte=F("semester2_start"))
                    & Q(end__gte=F("semester2_end"))
                ),
                name="school_year_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.label


class UnitImport(ImportBatch):
    """A list of units loaded from a spreadsheet (a province's Offices and schools, a school's groups and
    classes) into the subtree of `under`, through the import engine (truonghoc.imports)."""

    Status = status_choices(invalid=_("The file has problems"), importing=_("Creating the units"))

    UPLOAD_TO = "imports/units/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "updated_rows", "unchanged_rows")

    under = models.ForeignKey(Unit, verbose_name=_("loaded into"), on_delete=models.PROTECT, related_name="+")
    status = status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # created_at, finished_at, upload, original_name, message, total_rows, error_rows, new_rows: ImportBatch
    updated_rows = models.PositiveIntegerField(default=0)
    unchanged_rows = models.PositiveIntegerField(default=0)

    class Meta(ImportBatch.Meta):
        verbose_name = _("unit import")
        verbose_name_plural = _("unit imports")

    def __str__(self):
        return f"{self.under} · {datetime_text(self.created_at)}"


class UnitImportRow(BatchRow):
    """One checked row of a unit import (data, errors: BatchRow) and what confirming it does."""

    class Action(models.TextChoices):
        CREATE = "create", _("New unit")
        UPDATE = "update", _("Updated")
        UNCHANGED = "unchanged", _("Unchanged")
        ERROR = "error", _("Refused")

    batch = models.ForeignKey(UnitImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="unitimportrow_batch_action_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"
