"""Reads of the unit tree that depend on who is asking."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import STEPLEN, AuditEntry, Role, RoleAssignment, SchoolYear, Target, Unit, UnitMove
from .models import ancestor_path_at as ancestor_path_at
from .models import ancestor_paths as ancestor_paths
from .models import at_or_above_q as at_or_above_q
from .models import children_q as children_q
from .models import common_ancestor_path as common_ancestor_path
from .models import in_subtree_q as in_subtree_q
from .models import in_subtrees as in_subtrees
from .models import is_below as is_below
from .models import parent_path as parent_path
from .models import path_depth as path_depth
from .models import school_path_of as school_path_of
from .permissions import Action, can_list_all_people, scope
from .permissions import units_where as units_where

# The tree API other apps use (README): `Unit.objects.below/children/schools_under`, `in_subtree_q`
# and `children_q` to filter their own rows by a unit FK, the path helpers above for paths read
# from `units_where`, and `people_holding` for "who holds role R at unit U".


def units_visible_to(*, user, action: str = Action.VIEW) -> QuerySet[Unit]:
    """Every unit the user may see (or act on, for another action); one indexed query."""
    return Unit.objects.filter(scope(user, action).q())


# Offices before schools under a Department; groups before classes inside a school.
KIND_ORDER = [
    Unit.Kind.DEPARTMENT,
    Unit.Kind.OFFICE,
    Unit.Kind.UNIVERSITY,
    Unit.Kind.SCHOOL,
    Unit.Kind.GROUP,
    Unit.Kind.CLASS,
]


def unit_children(*, unit: Unit) -> QuerySet[Unit]:
    kind_rank = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(KIND_ORDER)], default=Value(99))
    return Unit.objects.children(unit).select_related("homeroom_teacher").order_by(kind_rank, "grade", "path")


def unit_ancestors(*, unit: Unit) -> list[Unit]:
    return list(Unit.objects.get_ancestors(unit))


def parent_path_at(unit: Unit, day) -> str:
    """The path (today's) of the unit that was `unit`'s parent at the end of `day`: a school moved to
    another Office on a later day is still under its old Office for a period that ended before the move.
    From the `UnitMove` history: the first move after `day` names the parent it had then; with none,
    its parent now. "" for a root."""
    later = (
        UnitMove.objects.filter(unit=unit, at__date__gt=day).select_related("old_parent").order_by("at", "id").first()
    )
    if later is not None:
        return later.old_parent.path
    return parent_path(unit.path)


def parent_paths_at(units, day: date) -> dict[int, str]:
    """`parent_path_at` for many units in one query: {unit id: the path (today's) of the parent it had at
    the end of `day`}. `units`: Unit objects (their paths are read from them)."""
    units = list(units)
    found: dict[int, str] = {}
    later = (
        UnitMove.objects.filter(unit__in=[u.pk for u in units], at__date__gt=day)
        .order_by("at", "id")
        .values_list("unit_id", "old_parent__path")
    )
    for unit_id, old_parent_path in later:
        found.setdefault(unit_id, old_parent_path)  # the first move after the day names the parent it had then
    return {u.pk: found.get(u.pk, parent_path(u.path)) for u in units}


@dataclass(frozen=True)
class TreeHistory:
    """The tree as it was at the end of past days, from the `UnitMove` history after some day (every path
    is today's). With no move after the day, it is today's tree. Built by `tree_history` (one query);
    the statistics' roll-up and the dashboards read the same one, so they agree."""

    # unit path (today) -> [(the day of a move, the path (today) of the parent it left)], oldest first.
    moves: dict[str, list[tuple[date, str]]]

    def parent_path_at(self, path: str, day: date) -> str:
        for moved_on, old_parent in self.moves.get(path, ()):
            if moved_on > day:
                return old_parent
        return parent_path(path)

    def ancestor_paths_at(self, path: str, day: date) -> list[str]:
        """The units above `path` at the end of `day`, nearest first: each level's own parent then, so an
        Office moved to another Department takes its schools' past figures with it only from its move on."""
        if not self.moves:
            return list(reversed(ancestor_paths(path, include_self=False)))
        found: list[str] = []
        current = self.parent_path_at(path, day)
        while current and current not in found:
            found.append(current)
            current = self.parent_path_at(current, day)
        return found

    @property
    def moved_paths(self) -> list[str]:
        """The units that moved (today's paths): what may sit elsewhere in the past."""
        return list(self.moves)


def tree_history(*, after: date) -> TreeHistory:
    """The moves after the day `after` (one query; usually none or a few rows)."""
    moves: dict[str, list[tuple[date, str]]] = {}
    rows = (
        UnitMove.objects.filter(at__date__gt=after)
        .order_by("at", "id")
        .values_list("unit__path", "old_parent__path", "at")
    )
    for path, old_parent_path, at in rows:
        moves.setdefault(path, []).append((timezone.localtime(at).date(), old_parent_path))
    return TreeHistory(moves)


def open_during_q(start, field: str = "") -> Q:
    """Units (through `field`, "" for units themselves) that count in a period starting on `start` (a
    date or an F()): open ones, and those closed (`closed_on`) on or after that day, since a closed unit
    keeps its figures up to its closing date. Merged units (inactive with no closing date: their people and
    content went to the unit they joined) never count."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}is_active": True}) | Q(**{f"{prefix}closed_on__gte": start})


def subtree(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.below(unit)


def people_holding(*, roles, units=None, below=None, active_only: bool = True) -> QuerySet:
    """The people who hold one of `roles` at one of `units` (a Unit, a list or a queryset of units)
    or anywhere in the subtree of `below`, each once; only active accounts unless active_only=False.

    One query when evaluated: the role condition and the unit condition are one subquery on
    RoleAssignment, so both hold for the same assignment and nobody is counted twice."""
    roles = [roles] if isinstance(roles, str) else sorted(roles)  # one role, or any collection of them
    assignments = RoleAssignment.objects.filter(role__in=roles)
    if units is not None:
        assignments = assignments.filter(unit=units) if isinstance(units, Unit) else assignments.filter(unit__in=units)
    if below is not None:
        assignments = assignments.filter(in_subtree_q(below))
    people = get_user_model().objects.filter(pk__in=assignments.values("user_id"))
    return people.filter(is_active=True) if active_only else people


def home_units(*, user) -> list[Unit]:
    """The units where the user holds a role, highest first (one query)."""
    return list(Unit.objects.filter(role_assignments__user=user).distinct().order_by("depth", "path"))


def people_counts_by_child(*, unit: Unit, user_model) -> dict[str, dict[str, int]]:
    """{child path: {account type or role: n}} for every direct child of `unit`, in one grouped query.

    Above a school, people are counted by the unit they belong to (User.unit), so a teacher counts
    once however many groups they sit in. Inside a school, a group's or class's people are those
    holding the teacher or student role there. Graduated students are not counted (as in `people_counts`).
    """
    if unit.is_school:
        rows = (
            RoleAssignment.objects.filter(children_q(unit), user__is_active=True, user__graduated_at__isnull=True)
            .values("unit__path", "role")
            .annotate(n=Count("id"))
        )
        by_child: dict[str, dict[str, int]] = {}
        for row in rows:
            by_child.setdefault(row["unit__path"], {})[row["role"]] = row["n"]
        return by_child
    child_len = len(unit.path) + STEPLEN
    rows = (
        user_model.objects.filter(in_subtree_q(unit, include_self=False), is_active=True, graduated_at__isnull=True)
        .annotate(child_path=Substr("unit__path", 1, child_len))
        .values("child_path", "account_type")
        .annotate(n=Count("id"))
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["child_path"], {})[row["account_type"]] = row["n"]
    return counts


def people_counts(*, unit: Unit, user_model) -> dict[str, int]:
    """{account type: n} of active people in the unit's subtree, in one query. Graduated students
    (`graduated_at`, the year-end rollover) keep their accounts but are not counted.

    A group's or class's people belong to its school (User.unit), so they are counted by the roles they
    hold there, each person once (a group leader is also a teacher), as its people page lists them.
    """
    if unit.kind in (Unit.Kind.GROUP, Unit.Kind.CLASS):
        people = user_model.objects.filter(is_active=True, graduated_at__isnull=True, role_assignments__unit=unit)
        rows = people.values("account_type").annotate(n=Count("id", distinct=True)).order_by()
        return {row["account_type"]: row["n"] for row in rows}
    active = user_model.objects.filter(in_subtree_q(unit), is_active=True, graduated_at__isnull=True)
    rows = active.values("account_type").annotate(n=Count("id"))
    return {row["account_type"]: row["n"] for row in rows}


def unit_members(*, unit: Unit, role: str) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(unit=unit, role=role).select_related("user")


def leaders_by_unit(*, units: list[Unit]) -> dict[int, list]:
    """{group id: [leader users]} for the given groups, in one query."""
    result: dict[int, list] = {}
    if not units:
        return result
    for assignment in RoleAssignment.objects.filter(unit__in=units, role=Role.GROUP_LEADER).select_related("user"):
        result.setdefault(assignment.unit_id, []).append(assignment.user)
    return result


def child_kind_counts(*, unit: Unit) -> dict[str, int]:
    """{kind: n} of the active units anywhere below `unit` (schools, groups, classes…)."""
    rows = (
        Unit.objects.below(unit, include_self=False)
        .filter(is_active=True)
        .order_by()  # treebeard orders by path, which would split the groups
        .values("kind")
        .annotate(n=Count("id"))
    )
    return {row["kind"]: row["n"] for row in rows}


def people_of(*, unit: Unit, user_model) -> QuerySet:
    """Active people of a unit, sorted by given name: role holders of a group or class, or the
    accounts that belong to any other unit."""
    if unit.kind in (Unit.Kind.GROUP, Unit.Kind.CLASS):
        qs = user_model.objects.filter(role_assignments__unit=unit).distinct()
    else:
        qs = user_model.objects.filter(unit=unit)
    return (
        qs.filter(is_active=True)
        .order_by("name_sort")
        .only("id", "username", "full_name", "account_type", "photo_status", "email", "phone")
    )


def people_listable_by(*, user, unit: Unit, user_model) -> QuerySet:
    """The people `user` may list at `unit` (which they may view): everyone of `people_of` for staff and
    teachers; for a student, their own class's people and, on the school's page, the people of
    their classes there and the school's teachers, never the other classes (issue #14)."""
    if can_list_all_people(user, unit) or unit.kind == Unit.Kind.CLASS:
        # A student may view no class but their own (the scope of Action.VIEW), so its list is theirs.
        return people_of(unit=unit, user_model=user_model)
    class_paths = [
        held.path
        for held in units_where(user, {Role.STUDENT}, kinds={Unit.Kind.CLASS})
        if is_below(held.path, unit.path)
    ]
    own = Q(role_assignments__unit__path__in=class_paths) if class_paths else Q(pk__in=[])
    teachers = Q(unit=unit, account_type=user_model.AccountType.TEACHER) if unit.is_school else Q(pk__in=[])
    return (
        user_model.objects.filter(own | teachers, is_active=True)
        .distinct()
        .order_by("name_sort")
        .only("id", "username", "full_name", "account_type", "photo_status", "email", "phone")
    )


# --- Audit log ---------------------------------------------------------------------------------


def audit_entries_for(*, unit: Unit, action: str | None = None) -> QuerySet[AuditEntry]:
    """Audit entries of the unit's whole subtree, newest first, optionally of one action."""
    entries = AuditEntry.objects.filter(in_subtree_q(unit))
    if action:
        entries = entries.filter(action=action)
    return entries.select_related("actor", "unit").order_by("-created_at", "-id")


def audit_actions_for(*, unit: Unit) -> list[tuple[str, str]]:
    """(action, label) of the actions recorded in the unit's subtree, for the filter."""
    actions = (
        AuditEntry.objects.filter(in_subtree_q(unit)).order_by("action").values_list("action", flat=True).distinct()
    )
    return [(action, audit_action_label(action)) for action in actions]


# How entries read on the audit pages. Apps that record other actions may add theirs here;
# an unknown action or field shows its code.
AUDIT_ACTION_LABELS = {
    "unit.create": gettext_lazy("Unit created"),
    "unit.bulk_create": gettext_lazy("Units created in bulk"),
    "unit.rename": gettext_lazy("Unit renamed"),
    "unit.move": gettext_lazy("Unit moved"),
    "unit.merge": gettext_lazy("Units merged"),
    "unit.close": gettext_lazy("Unit closed"),
    "unit.reopen": gettext_lazy("Unit reopened"),
    "unit.import_upload": gettext_lazy("Spreadsheet of units uploaded"),
    "unit.import": gettext_lazy("Units loaded from a spreadsheet"),
    "unit.import_create": gettext_lazy("Unit created from a spreadsheet"),
    "unit.import_update": gettext_lazy("Unit updated from a spreadsheet"),
    "cluster.create": gettext_lazy("School cluster created"),
    "cluster.update": gettext_lazy("School cluster changed"),
    "cluster.remove": gettext_lazy("School cluster removed"),
    "role.assign": gettext_lazy("Role given"),
    "role.revoke": gettext_lazy("Role removed"),
    "class.homeroom": gettext_lazy("Homeroom teacher set"),
    "class.promote": gettext_lazy("Class moved up a grade"),
    "school_year.create": gettext_lazy("School year entered"),
    "school_year.update": gettext_lazy("School year changed"),
    "school_year.adjust": gettext_lazy("School year adjusted for the province"),
    "class.close": gettext_lazy("Class closed (its students graduated)"),
    "class.rollover_undo": gettext_lazy("Class put back (year-end rollover undone)"),
    "rollover.apply": gettext_lazy("Year-end rollover run"),
    "rollover.undo": gettext_lazy("Year-end rollover undone"),
    "account.graduate": gettext_lazy("Student graduated"),
    "account.create": gettext_lazy("Account issued"),
    "account.password_set": gettext_lazy("Password set"),
    "account.password_changed": gettext_lazy("Password changed by its owner"),
    "account.deactivate": gettext_lazy("Account deactivated"),
    "account.reactivate": gettext_lazy("Account reactivated"),
    "quota.set": gettext_lazy("Quota set"),
    "quota.request": gettext_lazy("More accounts requested"),
    "quota.approve": gettext_lazy("Quota request approved"),
    "quota.refuse": gettext_lazy("Quota request refused"),
    "transfer.request": gettext_lazy("Transfer requested"),
    "transfer.accept": gettext_lazy("Transfer accepted"),
    "transfer.leave": gettext_lazy("Left for another school"),
    "course.departure": gettext_lazy("Left the school's courses"),
    "forum_moderator_departure": gettext_lazy("Stopped moderating the school's forums"),
    "transfer.refuse": gettext_lazy("Transfer refused"),
    "transfer.cancel": gettext_lazy("Transfer cancelled"),
    "student.move_class": gettext_lazy("Student moved to another class"),
    "credentials.reissue": gettext_lazy("Credentials re-issued"),
    "credentials.request": gettext_lazy("School asked to re-issue credentials"),
    "credentials.request_done": gettext_lazy("Credential request answered: re-issued"),
    "credentials.request_declined": gettext_lazy("Credential request declined"),
    # Downloads of personal data (services.audit_export).
    "export.accounts": gettext_lazy("Account list downloaded"),
    "export.course_progress": gettext_lazy("Course progress downloaded"),
    "export.course_grades": gettext_lazy("Course grade book downloaded"),
    "export.assignment_grades": gettext_lazy("Assignment grade book downloaded"),
    "export.quiz_results": gettext_lazy("Test results downloaded"),
    "export.statistics": gettext_lazy("Statistics downloaded"),
    # The admin's remove and restore (units.admin_trash).
    "admin.soft_remove": gettext_lazy("Removed in the admin"),
    "admin.soft_restore": gettext_lazy("Restored in the admin"),
}
AUDIT_FIELD_LABELS = {
    "is_active": gettext_lazy("Active"),
    "reason": gettext_lazy("Reason"),
    "note": gettext_lazy("Note"),
    "status": gettext_lazy("Status"),
    "school": gettext_lazy("School"),
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "roles": gettext_lazy("Roles"),
    "role": gettext_lazy("Role"),
    "unit": gettext_lazy("Unit"),
    "class": gettext_lazy("Class"),
    "name": gettext_lazy("Name"),
    "code": gettext_lazy("Code"),
    "grade": gettext_lazy("Grade"),
    "parent": gettext_lazy("Parent unit"),
    "transfer": gettext_lazy("Transfer no."),
    "teachers": gettext_lazy("Teacher accounts"),
    "students": gettext_lazy("Student accounts"),
    "amount": gettext_lazy("How many"),
    "account_type": gettext_lazy("Account type"),
    "username": gettext_lazy("Username"),
    "homeroom_teacher": gettext_lazy("Homeroom teacher"),
    "rows": gettext_lazy("Rows"),
    "filename": gettext_lazy("File"),
    "enrolments": gettext_lazy("Enrolments ended"),
    "co_instructor": gettext_lazy("Co-instructor of"),
    "moderator_of": gettext_lazy("Moderator of"),
    "closed_on": gettext_lazy("Closed on"),
    "added": gettext_lazy("Added"),
    "removed": gettext_lazy("Removed"),
}


def audit_action_label(action: str) -> str:
    label = AUDIT_ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def _audit_value(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_audit_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_audit_value(v)}" for k, v in value.items())
    if isinstance(value, str) and value in Role.values:
        return str(Role(value).label)
    return str(value)


def audit_changes(entry: AuditEntry) -> list[tuple[str, str | None, str | None]]:
    """(field label, before, after) for each field an entry mentions; None where a side is absent."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        label = AUDIT_FIELD_LABELS.get(key)
        rows.append(
            (
                str(label) if label is not None else key,
                _audit_value(before[key]) if key in before else None,
                _audit_value(after[key]) if key in after else None,
            )
        )
    return rows


# --- Targets: set at a unit, inherited by the units below it -----------------------------------------
# The defaults come from the Departments' letters: every teacher and student with an account, every
# teacher with a proper photo, at least 2 topics per group per semester, 1 product per teacher per semester.
DEFAULT_TARGETS = {
    Target.Metric.TEACHER_COVERAGE: Decimal(100),
    Target.Metric.STUDENT_COVERAGE: Decimal(100),
    Target.Metric.PHOTO_OK: Decimal(100),
    Target.Metric.TOPICS_PER_GROUP: Decimal(2),
    Target.Metric.PRODUCTS_PER_TEACHER: Decimal(1),
    # Issue #16: a school that has entered less than this share of its expected marks is behind.
    Target.Metric.GRADE_ENTRY: Decimal(80),
    # Issue #17: on average at least 10% of the programme taught online at secondary level (the 2024–25
    # rules; the school's own share page (teaching.selectors.online_share) reads this target too).
    Target.Metric.ONLINE_SHARE: Decimal(10),
}


@dataclass
class EffectiveTarget:
    value: Decimal
    set_at: str  # the unit that set it, or "" for the default


def effective_targets(*, unit: Unit) -> dict[str, EffectiveTarget]:
    """The targets in force for `unit`: its own, else the nearest set above it, else the defaults."""
    prefixes = ancestor_paths(unit.path)
    result = {metric: EffectiveTarget(value, "") for metric, value in DEFAULT_TARGETS.items()}
    for target in Target.objects.filter(unit__path__in=prefixes).select_related("unit").order_by("unit__depth"):
        result[target.metric] = EffectiveTarget(target.value, target.unit.name)
    return result


def targets_resolver(*, unit: Unit):
    """A function giving the targets in force at any unit of `unit`'s subtree, from one query."""
    prefixes = ancestor_paths(unit.path)
    targets = list(
        Target.objects.filter(Q(unit__path__in=prefixes) | in_subtree_q(unit))
        .select_related("unit")
        .order_by("unit__depth")
    )

    def resolve(path: str) -> dict[str, EffectiveTarget]:
        result = {metric: EffectiveTarget(value, "") for metric, value in DEFAULT_TARGETS.items()}
        for target in targets:
            if is_below(path, target.unit.path):
                result[target.metric] = EffectiveTarget(target.value, target.unit.name)
        return result

    # The targets read, as a short key: a page cached with their flags is stale once one is set or removed.
    resolve.version = hashlib.blake2b(
        repr([(t.pk, t.unit_id, t.metric, str(t.value), t.unit.name) for t in targets]).encode(), digest_size=8
    ).hexdigest()
    return resolve


# --- People and roles (issue #15) -------------------------------------------------------------------
# Teachers are listed by their group memberships, not on the roles page (it would list the whole
# school); a group's own page lists its leader and its teachers.
def role_holders(*, unit: Unit) -> QuerySet[RoleAssignment]:
    """Who holds which role at `unit` (for a school, also its groups' leaders), sorted by role then name."""
    from .permissions import GRANTABLE_ROLES

    role_rank = Case(*[When(role=role, then=Value(i)) for i, role in enumerate(GRANTABLE_ROLES)], default=Value(99))
    if unit.kind == Unit.Kind.GROUP:
        rows = RoleAssignment.objects.filter(unit=unit)
    else:
        rows = RoleAssignment.objects.filter(unit=unit).exclude(role__in=[Role.TEACHER, Role.STUDENT])
        if unit.is_school:
            rows = rows | RoleAssignment.objects.filter(
                role=Role.GROUP_LEADER, unit__in=Unit.objects.children(unit, kinds=[Unit.Kind.GROUP])
            )
    return rows.select_related("user", "unit").order_by(role_rank, "unit__path", "user__name_sort", "pk")


def role_candidates(*, unit: Unit, query: str = "") -> QuerySet:
    """The people who may be named to a role at `unit`: the active, non-student accounts of its school
    (for a school, group or class) or of the unit itself (a Ministry, Department or Office), by name."""
    home = unit.school() or unit
    people = (
        get_user_model()
        .objects.filter(unit=home, is_active=True)
        .exclude(account_type="student")
        .order_by("name_sort", "pk")
    )
    if query:
        from truonghoc.text import fold

        people = people.filter(name_folded__contains=fold(query))
    return people


def school_classes_with_homerooms(*, school: Unit) -> QuerySet[Unit]:
    """A school's active classes by grade and name, with their homeroom teachers."""
    return (
        Unit.objects.children(school, kinds=[Unit.Kind.CLASS])
        .filter(is_active=True)
        .select_related("homeroom_teacher")
        .order_by("grade", "name_folded", "pk")
    )


# --- The school year (năm học) -------------------------------------------------------------------------
# The Ministry sets each year's dates (national rows), a Department may adjust them for its province
# (an override row with the same label); without a row the old fixed calendar holds (1 September – 31
# August, semester 1 up to 15 January), so an empty database behaves as before. `units.periods` reads
# these, and through it the statistics, a group's semester and the promotions.

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SchoolYearDates:
    """The dates of one school year as one unit reads them. `source`: "department" (its Department's
    adjustment), "national" (the Ministry's row) or "default" (no row: the fixed calendar)."""

    label: str  # "2026-2027"
    start: date
    end: date
    semesters: tuple[tuple[date, date], tuple[date, date]]
    source: str = "default"
    department_id: int | None = None
    row_id: int | None = field(default=None, compare=False)  # the SchoolYear row (None: the fixed calendar)

    @property
    def first_year(self) -> int:
        return int(self.label[:4])

    @property
    def label_text(self) -> str:
        """ "2026–2027", as the pages write it."""
        return self.label.replace("-", "–")

    def semester_number(self, day: date) -> int:
        """1 or 2: the semester `day` counts in (a day between two semesters counts in the one before)."""
        return 1 if day < self.semesters[1][0] else 2


def default_school_year(first_year: int, *, end: date | None = None) -> SchoolYearDates:
    """The fixed calendar used where no row says otherwise (`end` shortens or lengthens the year up to
    the day before a year that has a row)."""
    start = date(first_year, 9, 1)
    end = end or date(first_year + 1, 8, 31)
    middle = min(date(first_year + 1, 1, 15), end - ONE_DAY)
    return SchoolYearDates(f"{first_year}-{first_year + 1}", start, end, ((start, middle), (middle + ONE_DAY, end)))


def _dates_of(row: SchoolYear) -> SchoolYearDates:
    return SchoolYearDates(
        label=row.label,
        start=row.start,
        end=row.end,
        semesters=((row.semester1_start, row.semester1_end), (row.semester2_start, row.semester2_end)),
        source="national" if row.department_id is None else "department",
        department_id=row.department_id,
        row_id=row.pk,
    )


def _school_year_rows_q(unit: Unit | None) -> Q:
    """The national rows and those of the unit's Department (the unit itself when it is one)."""
    query = Q(department__isnull=True)
    if unit is None:
        return query
    if unit.kind == Unit.Kind.DEPARTMENT:
        return query | Q(department_id=unit.pk)
    above = ancestor_paths(unit.path, include_self=False)
    return query | Q(department__kind=Unit.Kind.DEPARTMENT, department__path__in=above)


def school_years_in_force(unit: Unit | None = None) -> list[SchoolYearDates]:
    """Every school year `unit` reads (the national calendar for None), oldest first: its Department's
    adjustments, and the Ministry's years its Department did not adjust. One query."""
    by_label: dict[str, SchoolYear] = {}
    for row in SchoolYear.objects.filter(_school_year_rows_q(unit)).order_by("department_id"):
        if row.department_id is None:
            by_label.setdefault(row.label, row)
        else:
            by_label[row.label] = row
    return sorted((_dates_of(row) for row in by_label.values()), key=lambda year: year.start)


def school_year_among(years: list[SchoolYearDates], day: date) -> SchoolYearDates:
    """The year (of `years`, oldest first) `day` belongs to. A day between two years (the summer)
    belongs to the year before it; where no row covers it, the fixed calendar, shortened so that it
    never overlaps a year that has a row."""
    previous = following = None
    for year in years:
        if year.start <= day <= year.end:
            return year
        if year.end < day:
            previous = year
        elif following is None:
            following = year
    fallback = default_school_year(day.year if day.month >= 9 else day.year - 1)
    if following is not None and following.start <= fallback.end:
        if previous is not None:
            return previous
        return default_school_year(following.start.year - 1, end=following.start - ONE_DAY)
    if previous is not None and previous.end >= fallback.start:
        return previous
    return fallback


def school_year_for(unit: Unit | None = None, day: date | None = None) -> SchoolYearDates:
    """The school year (with its semesters) that applies to `unit` on `day` (today by default): its
    Department's adjustment, else the Ministry's year, else the fixed calendar. One query."""
    return school_year_among(school_years_in_force(unit), day or timezone.localdate())


def school_year_labelled(first_year: int, unit: Unit | None = None) -> SchoolYearDates:
    """The school year `first_year`–`first_year + 1` as `unit` reads it (the fixed calendar without a row)."""
    label = f"{first_year}-{first_year + 1}"
    years = school_years_in_force(unit)
    found = next((year for year in years if year.label == label), None)
    return found or school_year_among(years, date(first_year, 10, 1))


def school_years_national() -> QuerySet[SchoolYear]:
    """The Ministry's school years, newest first (its "School years" page)."""
    return SchoolYear.objects.filter(department__isnull=True).select_related("set_by").order_by("-start")


def school_years_of_department(*, department: Unit) -> list[tuple[SchoolYear, SchoolYear | None]]:
    """The Ministry's years, newest first, each with the Department's adjustment (None when it has none).
    Two queries."""
    own = {row.label: row for row in SchoolYear.objects.filter(department=department)}
    return [(row, own.get(row.label)) for row in school_years_national()]


@dataclass(frozen=True)
class SchoolYearToday:
    """What a unit's space says of the calendar: the year, the semester running and the day it ends."""

    year: SchoolYearDates
    semester: int
    semester_end: date
    ended: bool  # the summer after the year's last day

    @property
    def semester_roman(self) -> str:
        return "I" if self.semester == 1 else "II"


def school_year_today(unit: Unit | None = None, day: date | None = None) -> SchoolYearToday:
    day = day or timezone.localdate()
    year = school_year_for(unit, day)
    number = year.semester_number(day)
    return SchoolYearToday(year, number, year.semesters[number - 1][1], day > year.end)


def promotion_school_year(unit: Unit, day: date | None = None) -> SchoolYearDates:
    """The school year a class moves up into when promoted on `day`: the next one from the start of
    semester 2 on (the end of the year and the summer), the running one during semester 1 (a late
    promotion, after the year has begun)."""
    day = day or timezone.localdate()
    year = school_year_for(unit, day)
    if day <= year.end and year.semester_number(day) == 1:
        return year
    return school_year_labelled(year.first_year + 1, unit)
