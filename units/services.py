"""Every write to the unit tree, roles and the audit log."""

import datetime
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Max, ProtectedError, Q, Value, When
from django.db.models.functions import Left, Length
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.bulk import bulk_insert, wide_batches
from truonghoc.formatting import date_text
from truonghoc.text import fold, formula_or_bidi_problem, nfc, refuse_formula_or_bidi

from .models import (
    STEPLEN,
    AuditEntry,
    Cluster,
    Role,
    RoleAssignment,
    SchoolYear,
    Target,
    Unit,
    UnitMove,
    common_ancestor_path,
    in_subtree_q,
    path_depth,
)
from .permissions import ROLE_UNIT_KINDS, can_grant_role, can_set_homerooms, forget_roles
from .selectors import school_years_in_force
from .signals import role_changed

K = Unit.Kind
L = Unit.SchoolLevel

# Which kinds of unit may sit under which. THPT schools and continuing-education centres are
# managed by a Department; primary and THCS schools by an Office; multi-level schools by either.
ALLOWED_PARENTS = {
    K.MINISTRY: {None},
    K.DEPARTMENT: {K.MINISTRY},
    K.OFFICE: {K.DEPARTMENT},
    K.UNIVERSITY: {K.MINISTRY, K.DEPARTMENT},
    K.GROUP: {K.SCHOOL, K.UNIVERSITY},
    K.CLASS: {K.SCHOOL},
}
SCHOOL_PARENTS = {
    L.UPPER_SECONDARY: {K.DEPARTMENT},
    L.CONTINUING: {K.DEPARTMENT},
    L.LOWER_SECONDARY: {K.OFFICE},
    L.PRIMARY: {K.OFFICE},
    L.MULTI_LEVEL: {K.DEPARTMENT, K.OFFICE},
}


def audit_log(
    *,
    actor,
    action: str,
    unit: Unit | None = None,
    target=None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Record one change. Call it inside the service's transaction so the entry and the change
    stand or fall together."""
    entry = _audit_entry(actor=actor, action=action, record=AuditRecord(unit, target, before, after))
    entry.save()
    return entry


def audit_export(*, actor, kind: str, unit: Unit | None, target=None, rows: int, filename: str) -> AuditEntry:
    """One download of personal data (lists with IDs, birth dates and phones, grade books, test results,
    statistics): `export.<kind>` at the unit it concerns, with the row count and the file name.

    Views do not call it themselves: they pass it, bound with `functools.partial` to everything but the
    file, as the `audit=` of `truonghoc.xlsx.xlsx_response` / `download_response`, which calls it once
    the file is made. A download is not a change, so it is its own short write."""
    return audit_log(
        actor=actor, action=f"export.{kind}", unit=unit, target=target, after={"rows": rows, "filename": filename}
    )


@dataclass(frozen=True)
class AuditRecord:
    """One entry of `audit_log_many`: what `audit_log` takes besides the actor and the action.
    `target_repr` replaces `str(target)` where the caller names the object otherwise."""

    unit: Unit | None = None
    target: object = None
    before: dict | None = None
    after: dict | None = None
    target_repr: str | None = None


def audit_log_many(*, actor, action: str, records: Iterable[AuditRecord], batch_size: int = 1000) -> int:
    """Record the same change to many objects in a few inserts (issuing a batch of accounts, quotas
    for a whole province), with one time for the whole batch. Every app audits through `audit_log`
    or this: AuditEntry rows are written here only."""
    now = timezone.now()
    entries = [_audit_entry(actor=actor, action=action, record=record, at=now) for record in records]
    bulk_insert(AuditEntry, entries, batch_size=batch_size)
    return len(entries)


def _audit_entry(*, actor, action: str, record: AuditRecord, at=None) -> AuditEntry:
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        unit=record.unit,
        action=action,
        before=record.before,
        after=record.after,
    )
    if at is not None:
        entry.created_at = at
    if record.target is not None:
        # get_for_model is cached per process: a batch costs one lookup at most.
        entry.target_type = ContentType.objects.get_for_model(record.target)
        entry.target_id = str(record.target.pk)
        entry.target_repr = (str(record.target) if record.target_repr is None else record.target_repr)[:255]
    return entry


def allowed_parent_kinds(unit: Unit) -> set[str]:
    """The kinds of unit that may hold `unit` (what _check_placement accepts), for pickers."""
    allowed = SCHOOL_PARENTS.get(unit.school_level, set()) if unit.kind == K.SCHOOL else ALLOWED_PARENTS[unit.kind]
    return {kind for kind in allowed if kind is not None}


def child_kinds_allowed(parent: Unit) -> list[tuple[str, str]]:
    """(kind, school level) pairs that may be created under `parent`, in the tree's order: what the
    structure page offers to add."""
    pairs = [(kind, "") for kind in (K.DEPARTMENT, K.OFFICE, K.UNIVERSITY) if parent.kind in ALLOWED_PARENTS[kind]]
    pairs += [(K.SCHOOL, level) for level in L.values if parent.kind in SCHOOL_PARENTS[level]]
    pairs += [(kind, "") for kind in (K.GROUP, K.CLASS) if parent.kind in ALLOWED_PARENTS[kind]]
    return pairs


def _check_placement(*, kind: str, school_level: str, parent: Unit | None, grade: int | None = None) -> None:
    parent_kind = parent.kind if parent else None
    if kind == K.CLASS and (grade is None or not 1 <= grade <= 12):
        raise ValidationError({"grade": _("A class needs a grade from 1 to 12.")})
    if kind != K.CLASS and grade is not None:
        raise ValidationError({"grade": _("Only classes have a grade.")})
    if kind == K.SCHOOL:
        if not school_level:
            raise ValidationError({"school_level": _("A school needs a level (TH, THCS, THPT, …).")})
        allowed = SCHOOL_PARENTS[school_level]
    else:
        if school_level:
            raise ValidationError({"school_level": _("Only schools have a school level.")})
        allowed = ALLOWED_PARENTS[kind]
    if parent_kind not in allowed:
        raise ValidationError(
            _("A %(kind)s cannot be placed under %(parent)s.")
            % {
                "kind": K(kind).label,
                "parent": K(parent_kind).label if parent_kind else _("the top of the tree"),
            }
        )
    if parent is not None and not parent.is_active:
        raise ValidationError(_("%(parent)s is no longer active.") % {"parent": parent.name})


@dataclass
class UnitSpec:
    """What a new unit is made of (for bulk creation)."""

    code: str
    name: str
    kind: str
    school_level: str = ""
    grade: int | None = None
    # What a spreadsheet may say besides (units.importing): kept empty by the other callers.
    address: str = ""
    declared_teachers: int | None = None
    declared_students: int | None = None
    homeroom_teacher_id: int | None = None


_TREE_FIELDS = ["path", "depth", "numchild", "name_folded", "homeroom_teacher", "merged_into"]


def _validate_unit(unit: Unit) -> None:
    # The tree fields are filled in by treebeard; everything else is checked here.
    unit.full_clean(exclude=_TREE_FIELDS)


def _save_audited(*, actor, unit: Unit, action: str, before: dict) -> Unit:
    """Check and save a unit whose fields named in `before` were just changed, and audit old → new.
    Renaming and promoting a class are the same write; only the fields differ."""
    _validate_unit(unit)
    unit.save(update_fields=[*before, "updated_at"])
    after = {field: getattr(unit, field) for field in before}
    audit_log(actor=actor, action=action, unit=unit, target=unit, before=before, after=after)
    return unit


def _refuse_unsafe_name(name: str, *, field: str = "name") -> None:
    """Unit, class and cluster names go into lists and spreadsheets: one starting like a formula or
    holding bidi controls is refused at entry (truonghoc.text), before any export sees it."""
    try:
        refuse_formula_or_bidi(name)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _refuse_taken_code(code: str, *, exclude_pk: int | None = None) -> None:
    """A unit code names one unit in the whole country: a second use is refused in words that say
    which unit has it (the database's unique index stays the last guard)."""
    holder = Unit.objects.filter(code=code.strip()).exclude(pk=exclude_pk).only("name", "code").first()
    if holder is not None:
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by %(name)s; choose another code.")
                % {"code": holder.code, "name": holder.name}
            }
        )


@transaction.atomic
def unit_create(
    *,
    actor,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    school_level: str = "",
    grade: int | None = None,
) -> Unit:
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)  # as it is now (closed since?)
    _check_placement(kind=kind, school_level=school_level, parent=parent, grade=grade)
    _refuse_unsafe_name(name)
    _refuse_taken_code(code)
    unit = Unit(code=code.strip(), name=nfc(name), kind=kind, school_level=school_level, grade=grade)
    _validate_unit(unit)
    unit = Unit.objects.add_root(instance=unit) if parent is None else Unit.objects.add_child(parent, instance=unit)
    audit_log(actor=actor, action="unit.create", unit=unit, target=unit, after={"code": unit.code, "name": unit.name})
    return unit


@transaction.atomic
def units_bulk_create(*, actor, parent: Unit, specs: Iterable[UnitSpec], batch_size: int = 1000) -> list[Unit]:
    """Create many children of one parent with two writes instead of several per node.

    Paths are computed here the way treebeard would (the next free steps after the last child),
    so the tree stays valid: tests check it with Unit.find_problems().
    """
    parent = Unit.objects.select_for_update().get(pk=parent.pk)
    specs = list(specs)
    last = Unit.objects.get_last_child(parent)
    start = (last._get_lastpos_in_path() + 1) if last else 1
    units = []
    codes = [spec.code.strip() for spec in specs]
    # Codes are checked with one query for the whole batch rather than one per unit.
    taken = set(Unit.objects.filter(code__in=codes).values_list("code", flat=True))
    taken |= {code for code, n in Counter(codes).items() if n > 1}
    if taken:
        message = _("These unit codes are already used: %(codes)s") % {"codes": ", ".join(sorted(taken))}
        raise ValidationError({"code": message})
    for offset, spec in enumerate(specs):
        _check_placement(kind=spec.kind, school_level=spec.school_level, parent=parent, grade=spec.grade)
        _refuse_unsafe_name(spec.name)
        unit = Unit(
            code=spec.code.strip(),
            name=nfc(spec.name),
            name_folded=fold(spec.name),
            kind=spec.kind,
            school_level=spec.school_level,
            grade=spec.grade,
            address=spec.address,
            declared_teachers=spec.declared_teachers,
            declared_students=spec.declared_students,
            homeroom_teacher_id=spec.homeroom_teacher_id,
            depth=parent.depth + 1,
            path=Unit._get_path(parent.path, parent.depth + 1, start + offset),
            numchild=0,
        )
        unit.full_clean(exclude=_TREE_FIELDS, validate_unique=False, validate_constraints=False)
        units.append(unit)
    Unit.objects.bulk_create(units, batch_size=batch_size)
    Unit.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(units))
    audit_log(
        actor=actor,
        action="unit.bulk_create",
        unit=parent,
        target=parent,
        after={"created": len(units), "codes": [u.code for u in units[:50]]},
    )
    return units


def _check_bulk_fields(spec: UnitSpec) -> None:
    """What full_clean would refuse in a spec, without building a model per row to ask it (a country is
    45,000 rows): the required fields, the lengths, the choices and the number ranges."""
    problems = []
    if not spec.code or len(spec.code) > _CODE_MAX:
        problems.append(
            _("The code %(code)s must have 1 to %(max)d characters.") % {"code": spec.code, "max": _CODE_MAX}
        )
    if not spec.name or len(spec.name) > _NAME_MAX or len(spec.address) > _NAME_MAX:
        problems.append(
            _("The name and the address of %(code)s must have at most 255 characters.") % {"code": spec.code}
        )
    if spec.kind not in _KINDS or (spec.school_level and spec.school_level not in _LEVELS):
        problems.append(_("%(code)s: unknown kind of unit.") % {"code": spec.code})
    if any(n is not None and not 0 <= n <= 2_147_483_647 for n in (spec.declared_teachers, spec.declared_students)):
        problems.append(_("%(code)s: declared numbers are whole numbers from 0.") % {"code": spec.code})
    if problems:
        raise ValidationError(problems)


_KINDS, _LEVELS = frozenset(K.values), frozenset(L.values)
_CODE_MAX = Unit._meta.get_field("code").max_length
_NAME_MAX = Unit._meta.get_field("name").max_length


@transaction.atomic
def units_tree_bulk_create(
    *, actor, specs: list[UnitSpec], parents: list, action: str = "unit.bulk_create", note: dict | None = None
) -> list[Unit]:
    """Create a whole forest of new units (a country's Departments, Offices and schools, a province's
    schools with their groups and classes) in a fixed number of queries, whatever its size.

    `parents[i]` is where `specs[i]` goes: an existing Unit, or the index in `specs` of another new unit.
    Paths are built here the way treebeard builds them (fixed-width steps after the parent's last child,
    `numchild` counted), so the tree stays valid (tests: Unit.find_problems()). The existing parents are
    locked and read again; their last children are found with one grouped query; the new units go in
    with bulk inserts, the parents' `numchild` with one update. Every new unit gets its audit entry
    (`action`, with `note` added to its code and name). The caller has checked the codes and the
    placement against the tree inside the same transaction; the unique index on the code stays the
    last guard."""
    if len(specs) != len(parents):
        raise ValueError("one parent per spec")
    existing_ids = sorted({p.pk for p in parents if isinstance(p, Unit)})
    locked: dict[int, Unit] = {}
    for start in range(0, len(existing_ids), _IN_CHUNK):
        chunk = existing_ids[start : start + _IN_CHUNK]
        for unit in (
            Unit.objects.select_for_update()
            .filter(pk__in=chunk)
            .only("id", "path", "depth", "kind", "school_level", "name", "is_active")
        ):
            locked[unit.pk] = unit
    last_pos = _last_child_positions([u.path for u in locked.values()])
    units: list[Unit | None] = [None] * len(specs)
    children: Counter = Counter()
    next_pos: dict[str, int] = {}
    now = timezone.now()

    def build(index: int, trail: tuple = ()) -> Unit:
        if units[index] is not None:
            return units[index]
        where = parents[index]
        if isinstance(where, Unit):
            parent = locked[where.pk]
        else:
            if where in trail or where == index:
                raise ValidationError(_("A unit cannot be placed under itself."))
            parent = build(where, (*trail, index))
        spec = specs[index]
        _check_placement(kind=spec.kind, school_level=spec.school_level, parent=parent, grade=spec.grade)
        _check_bulk_fields(spec)
        pos = next_pos.get(parent.path, last_pos.get(parent.path, 0)) + 1
        next_pos[parent.path] = pos
        if pos >= len(Unit.alphabet) ** Unit.steplen:
            raise ValidationError(
                _("%(name)s cannot hold more units: its list of units below is full.") % {"name": parent.name}
            )
        children[parent.path] += 1
        name = nfc(spec.name)
        units[index] = Unit(
            code=spec.code,
            name=name,
            name_folded=fold(name),
            kind=spec.kind,
            school_level=spec.school_level,
            grade=spec.grade,
            address=spec.address,
            declared_teachers=spec.declared_teachers,
            declared_students=spec.declared_students,
            homeroom_teacher_id=spec.homeroom_teacher_id,
            depth=parent.depth + 1,
            path=Unit._get_path(parent.path, parent.depth + 1, pos),
            numchild=0,
            created_at=now,
        )
        return units[index]

    for index in range(len(specs)):
        unsafe = formula_or_bidi_problem(specs[index].name)
        if unsafe:
            raise ValidationError(unsafe)
        build(index)
    for unit in units:
        unit.numchild = children.get(unit.path, 0)
    with wide_batches():
        bulk_insert(Unit, units, batch_size=_INSERT_BATCH)
        by_increment: dict[int, list[int]] = {}
        for unit in locked.values():
            if children.get(unit.path):
                by_increment.setdefault(children[unit.path], []).append(unit.pk)
        if by_increment:
            Unit.objects.filter(pk__in=[pk for pks in by_increment.values() for pk in pks]).update(
                numchild=F("numchild")
                + Case(
                    *(When(pk__in=pks, then=Value(n)) for n, pks in by_increment.items()), output_field=IntegerField()
                )
            )
        audit_log_many(
            actor=actor,
            action=action,
            records=(
                AuditRecord(
                    unit=u, target=u, target_repr=u.name, after={"code": u.code, "name": u.name, **(note or {})}
                )
                for u in units
            ),
            batch_size=_INSERT_BATCH,
        )
    return units


_IN_CHUNK = 2000  # values per IN (…): well under SQLite's and PostgreSQL's limits
_INSERT_BATCH = 2000


def _last_child_positions(paths: list[str]) -> dict[str, int]:
    """{parent path: the step of its last child} for the given parents, in one grouped query per chunk
    (the last step, not the number of children: a unit moved away leaves a gap that must not be reused)."""
    found: dict[str, int] = {}
    paths = sorted(set(paths))
    for start in range(0, len(paths), _IN_CHUNK):
        chunk = paths[start : start + _IN_CHUNK]
        rows = (
            Unit.objects.filter(in_subtree_q(common_ancestor_path(chunk), "", include_self=False))
            .filter(depth__in={path_depth(p) + 1 for p in chunk})
            .annotate(tree_parent=Left("path", Length("path") - STEPLEN))
            .filter(tree_parent__in=chunk)
            .order_by()
            .values("tree_parent")
            .annotate(last=Max("path"))
            .values_list("tree_parent", "last")
        )
        for parent, last in rows:
            found[parent] = Unit._str2int(last[-STEPLEN:])
    return found


@transaction.atomic
def unit_rename(*, actor, unit: Unit, name: str, code: str | None = None) -> Unit:
    before = {"name": unit.name, "code": unit.code}
    _refuse_unsafe_name(name)
    if code is not None:
        _refuse_taken_code(code, exclude_pk=unit.pk)
    unit.name = nfc(name)
    if code is not None:
        unit.code = code.strip()
    return _save_audited(actor=actor, unit=unit, action="unit.rename", before=before)


@transaction.atomic
def unit_move(*, actor, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit (with everything below it) under another parent: a district changing province,
    a school handed from one Office to another. People, roles and content follow by foreign key."""
    unit = Unit.objects.get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("A unit cannot be moved under itself."))
    if not unit.is_active:
        raise ValidationError(_("%(name)s is no longer active.") % {"name": unit.name})
    _check_placement(kind=unit.kind, school_level=unit.school_level, parent=new_parent)
    old_parent = Unit.objects.get_parent(unit)
    Unit.objects.move(unit, new_parent, pos="last-child")
    unit.refresh_from_db()
    _record_move(unit=unit, old_parent=old_parent, new_parent=new_parent)
    audit_log(
        actor=actor,
        action="unit.move",
        unit=unit,
        target=unit,
        before={"parent": old_parent.code if old_parent else None},
        after={"parent": new_parent.code},
    )
    return unit


def _record_move(*, unit: Unit, old_parent: Unit | None, new_parent: Unit) -> None:
    """Keep the change of parent for the statistics of earlier periods (selectors.parent_path_at)."""
    if old_parent is None:
        return
    new_parent = Unit.objects.only("path").get(pk=new_parent.pk)
    UnitMove.objects.create(
        unit_id=unit.pk,
        old_parent=old_parent,
        new_parent=new_parent,
        old_parent_path=old_parent.path,
        new_parent_path=new_parent.path,
    )


@transaction.atomic
def unit_merge(*, actor, source: Unit, into: Unit) -> Unit:
    """Merge `source` into `into` (two provinces becoming one, two schools joining).

    Children of `source` move under `into`; people and roles held at `source` are re-pointed to
    `into`; `source` stays as an inactive unit that records where it went, so anything that refers
    to it (history, audit entries, old content) still resolves.
    """
    source = Unit.objects.select_for_update().get(pk=source.pk)
    into = Unit.objects.select_for_update().get(pk=into.pk)
    if source.pk == into.pk:
        raise ValidationError(_("A unit cannot be merged into itself."))
    if source.kind != into.kind:
        raise ValidationError(_("Only units of the same kind can be merged."))
    if into.path.startswith(source.path):
        raise ValidationError(_("A unit cannot be merged into one of its own sub-units."))
    if not source.is_active or not into.is_active:
        raise ValidationError(_("Both units must be active to be merged."))

    moved_children = 0
    for child in list(Unit.objects.children(source).order_by("path")):
        Unit.objects.move(child, Unit.objects.get(pk=into.pk), pos="last-child")
        _record_move(unit=child, old_parent=source, new_parent=into)
        moved_children += 1
    # People belong to a unit through accounts' User.unit: accounts moves them (its merge listener).
    people = sum(listener(source=source, into=into) for listener in _merge_listeners)
    # A role held at both units collapses into one.
    for assignment in RoleAssignment.objects.filter(unit=source):
        if RoleAssignment.objects.filter(user_id=assignment.user_id, unit=into, role=assignment.role).exists():
            assignment.delete()
        else:
            assignment.unit = into
            assignment.save(update_fields=["unit"])
    source.refresh_from_db()
    source.is_active = False
    source.merged_into = into
    source.save(update_fields=["is_active", "merged_into", "updated_at"])
    membership_changed(unit_ids=[source.pk, into.pk])
    audit_log(
        actor=actor,
        action="unit.merge",
        unit=into,
        target=source,
        before={"code": source.code, "name": source.name},
        after={"merged_into": into.code, "children_moved": moved_children, "people_moved": people},
    )
    return into


def unit_close_blockers(*, unit: Unit) -> dict[str, int]:
    """What keeps a unit from being closed: its active accounts (people who belong to it or hold a role
    there) and its active child units. Both 0 when it may close. Graduated students (`graduated_at`, the
    year-end rollover) keep read-only accounts but are no longer active members: they block nothing."""
    people = (
        get_user_model()
        .objects.filter(Q(unit=unit) | Q(role_assignments__unit=unit), is_active=True, graduated_at__isnull=True)
        .values("pk")
        .distinct()
        .count()
    )
    children = Unit.objects.children(unit).filter(is_active=True).count()
    return {"accounts": people, "children": children}


@transaction.atomic
def unit_close(*, actor, unit: Unit, on: datetime.date | None = None) -> Unit:
    """Close a unit on `on` (today by default): it stays, inactive, with its history and its figures up
    to that day, hidden from pickers and active lists. Refused while people or units still depend on it:
    their accounts are deactivated or transferred, its units closed or moved first."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    today = timezone.localdate()
    on = on or today
    if not unit.is_active:
        raise ValidationError(_("%(name)s is already closed.") % {"name": unit.name})
    if on > today:
        raise ValidationError({"on": _("The closing date cannot be in the future.")})
    if on < timezone.localdate(unit.created_at):
        raise ValidationError({"on": _("The closing date cannot be before the unit was created.")})
    blockers = unit_close_blockers(unit=unit)
    reasons = []
    if blockers["accounts"]:
        reasons.append(
            _("%(count)d active accounts still belong to it (deactivate or transfer them first)")
            % {"count": blockers["accounts"]}
        )
    if blockers["children"]:
        reasons.append(
            _("%(count)d units below it are still active (close, move or merge them first)")
            % {"count": blockers["children"]}
        )
    if reasons:
        raise ValidationError(
            _("%(name)s cannot be closed: %(reasons)s.") % {"name": unit.name, "reasons": "; ".join(reasons)}
        )
    unit.is_active, unit.closed_on = False, on
    unit.save(update_fields=["is_active", "closed_on", "updated_at"])
    after = {"closed_on": on.isoformat()}
    audit_log(actor=actor, action="unit.close", unit=unit, target=unit, before={"is_active": True}, after=after)
    return unit


@transaction.atomic
def unit_reopen(*, actor, unit: Unit) -> Unit:
    """Open a closed unit again (closed by mistake, or a school reopening). A merged unit stays merged."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_active:
        raise ValidationError(_("%(name)s is not closed.") % {"name": unit.name})
    if unit.merged_into_id:
        raise ValidationError(
            _("%(name)s was merged into %(into)s; a merged unit cannot be reopened.")
            % {"name": unit.name, "into": unit.merged_into.name}
        )
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise ValidationError(_("%(parent)s is closed: reopen it first.") % {"parent": parent.name})
    before = {"closed_on": unit.closed_on.isoformat() if unit.closed_on else None}
    unit.is_active, unit.closed_on = True, None
    unit.save(update_fields=["is_active", "closed_on", "updated_at"])
    audit_log(actor=actor, action="unit.reopen", unit=unit, target=unit, before=before, after={"is_active": True})
    return unit


# --- Who follows a merge -------------------------------------------------------------------------
# Apps above units whose rows belong to a unit move them when it is merged (accounts: the people of
# the unit). units never writes their models; they register a listener in their AppConfig.ready().

_merge_listeners: list[Callable[..., int]] = []


def register_merge_listener(listener: Callable[..., int]) -> None:
    """listener(source=…, into=…) moves what belongs to `source` to `into`, inside unit_merge's
    transaction, and returns how many people it moved (0 for anything else)."""
    if listener not in _merge_listeners:
        _merge_listeners.append(listener)


# --- Who follows membership ----------------------------------------------------------------------
# Apps above units keep things in step with who belongs to a class or group (courses enrol a class's
# new students and end the enrolment of those who leave). They register a listener in their
# AppConfig.ready(); every service here that changes who holds a role somewhere calls
# membership_changed inside its transaction, so the follow-up stands or falls with the change.

_membership_listeners: list[Callable[..., None]] = []


def register_membership_listener(listener: Callable[..., None]) -> None:
    """listener(user_ids=…, unit_ids=…): one of them is a set of ids, the other None."""
    if listener not in _membership_listeners:
        _membership_listeners.append(listener)


def membership_changed(*, user_ids: Iterable[int] | None = None, unit_ids: Iterable[int] | None = None) -> None:
    """These people joined or left units (or their accounts opened or closed), or these units' members
    changed in bulk. Listeners work in bulk: call it once per change, not once per person."""
    users = None if user_ids is None else set(user_ids)
    units = None if unit_ids is None else set(unit_ids)
    if not users and not units:
        return
    for listener in _membership_listeners:
        listener(user_ids=users, unit_ids=units)


def _check_role_placement(role: str, unit: Unit) -> None:
    if unit.kind not in ROLE_UNIT_KINDS[role]:
        raise ValidationError(
            _("The role %(role)s cannot be held at a %(kind)s.")
            % {"role": Role(role).label, "kind": K(unit.kind).label}
        )


@transaction.atomic
def role_assign(*, actor, user, unit: Unit, role: str) -> RoleAssignment:
    _check_role_placement(role, unit)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit_log(actor=actor, action="role.assign", unit=unit, target=user, after={"role": role, "unit": unit.code})
        membership_changed(user_ids=[user.pk])
    user.__dict__.pop("_role_rows_cache", None)
    return assignment


@transaction.atomic
def role_revoke(*, actor, user, unit: Unit, role: str) -> None:
    deleted, _details = RoleAssignment.objects.filter(user=user, unit=unit, role=role).delete()
    if deleted:
        audit_log(actor=actor, action="role.revoke", unit=unit, target=user, before={"role": role, "unit": unit.code})
        membership_changed(user_ids=[user.pk])
    user.__dict__.pop("_role_rows_cache", None)


# --- Naming people to roles from the pages (issue #15) ---------------------------------------------
# role_assign/role_revoke stay the one write (the admin, transfers and the loaders use them); these
# two add the rules a person acting from a page must meet, checked again whoever calls, and tell the
# person (units.signals.role_changed, received by notifications).


def _role_home(unit: Unit) -> Unit:
    """The unit whose people may hold a role at `unit`: the school for a school, group or class, the
    unit itself for a Ministry, Department or Office."""
    return unit.school() or unit


def _role_words(role: str, unit: Unit) -> dict:
    return {"role": Role(role).label, "unit": unit.name}


@transaction.atomic
def role_grant(*, actor, user, unit: Unit, role: str) -> RoleAssignment:
    """Give `user` `role` at `unit`, audited and notified. Refused (PermissionDenied) when the actor may
    not grant that role there (`permissions.can_grant_role`: nobody grants a role at or above their
    own); refused (ValidationError, nothing written) for a person of another unit or school, an
    inactive account, a pupil, or a role the person already holds there."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not can_grant_role(actor, unit, role):
        raise PermissionDenied(
            _("You cannot give the role %(role)s at %(unit)s: it is not below your own.") % _role_words(role, unit)
        )
    _check_role_placement(role, unit)
    home = _role_home(unit)
    if not user.is_active:
        raise ValidationError(_("%(name)s's account is deactivated.") % {"name": user.full_name})
    if user.unit_id != home.pk:
        raise ValidationError(
            _("%(name)s does not belong to %(home)s: only its own people can be named there.")
            % {"name": user.full_name, "home": home.name}
        )
    if getattr(user, "account_type", "") == "student":
        raise ValidationError(_("%(name)s is a student and cannot be given a staff role.") % {"name": user.full_name})
    if RoleAssignment.objects.filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(
            _("%(name)s is already %(role)s at %(unit)s.") % {"name": user.full_name, **_role_words(role, unit)}
        )
    assignment = role_assign(actor=actor, user=user, unit=unit, role=role)
    role_changed.send(sender=RoleAssignment, actor=actor, person=user, unit=unit, role=role, granted=True)
    forget_roles(user)
    return assignment


@transaction.atomic
def role_remove(*, actor, user, unit: Unit, role: str) -> None:
    """Take `role` at `unit` back from `user`, audited and notified, under the same rule as granting it.
    A school is never left without a school admin (name the next one first)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not can_grant_role(actor, unit, role):
        raise PermissionDenied(
            _("You cannot take back the role %(role)s at %(unit)s: it is not below your own.") % _role_words(role, unit)
        )
    held = RoleAssignment.objects.filter(user=user, unit=unit, role=role)
    if not held.exists():
        raise ValidationError(
            _("%(name)s is not %(role)s at %(unit)s.") % {"name": user.full_name, **_role_words(role, unit)}
        )
    if role == Role.SCHOOL_ADMIN:
        others = RoleAssignment.objects.filter(unit=unit, role=role, user__is_active=True).exclude(user=user).exists()
        if not others:
            raise ValidationError(
                _("%(name)s is the last school admin of %(unit)s: name another school admin first.")
                % {"name": user.full_name, "unit": unit.name}
            )
    role_revoke(actor=actor, user=user, unit=unit, role=role)
    role_changed.send(sender=RoleAssignment, actor=actor, person=user, unit=unit, role=role, granted=False)
    forget_roles(user)


def role_assignments_bulk_create(*, rows: Iterable[tuple[int, Unit, str]], batch_size: int = 2000) -> int:
    """(user id, unit, role) rows for freshly created accounts; the caller audits the batch."""
    objs = []
    for user_id, unit, role in rows:
        _check_role_placement(role, unit)
        objs.append(RoleAssignment(user_id=user_id, unit=unit, role=role))
    RoleAssignment.objects.bulk_create(objs, batch_size=batch_size, ignore_conflicts=True)
    membership_changed(unit_ids={obj.unit_id for obj in objs})
    return len(objs)


def homerooms_bulk_set(*, homerooms: dict[int, int], batch_size: int = 2000) -> int:
    """Class id → homeroom teacher id, for freshly loaded classes (the demo province); like the other
    bulk loaders it checks nothing and the caller audits, if anything."""
    classes = [Unit(pk=pk, homeroom_teacher_id=teacher) for pk, teacher in homerooms.items()]
    Unit.objects.bulk_update(classes, ["homeroom_teacher"], batch_size=batch_size)
    return len(classes)


@transaction.atomic
def class_set_homeroom_teacher(*, actor, school_class: Unit, teacher) -> Unit:
    if school_class.kind != K.CLASS:
        raise ValidationError(_("Only a class has a homeroom teacher."))
    if teacher is not None and teacher.unit_id != Unit.objects.get_parent(school_class).pk:
        raise ValidationError(_("The homeroom teacher must work at the class's school."))
    before = {"homeroom_teacher": school_class.homeroom_teacher_id}
    school_class.homeroom_teacher = teacher
    school_class.save(update_fields=["homeroom_teacher", "updated_at"])
    audit_log(
        actor=actor,
        action="class.homeroom",
        unit=school_class,
        target=school_class,
        before=before,
        after={"homeroom_teacher": teacher.pk if teacher else None},
    )
    return school_class


@transaction.atomic
def homerooms_set(*, actor, school: Unit, choices: dict[int, object]) -> int:
    """The school's homeroom page: class id → teacher (or None), all or none. Only classes whose
    teacher changes are written (each audited by `class_set_homeroom_teacher`); returns how many."""
    if not can_set_homerooms(actor, school):
        raise PermissionDenied(_("You cannot choose the homeroom teachers of %(school)s.") % {"school": school.name})
    classes = {
        c.pk: c for c in Unit.objects.children(school, kinds=[K.CLASS]).filter(pk__in=list(choices), is_active=True)
    }
    unknown = [pk for pk in choices if pk not in classes]
    if unknown:
        raise ValidationError(
            _("Some of these classes are not active classes of %(school)s.") % {"school": school.name}
        )
    problems = []
    for pk, teacher in choices.items():
        if teacher is not None and (
            teacher.unit_id != school.pk or not teacher.is_active or getattr(teacher, "account_type", "") == "student"
        ):
            problems.append(
                _("%(name)s cannot be the homeroom teacher of %(class)s: not a teacher of %(school)s.")
                % {"name": teacher.full_name, "class": classes[pk].name, "school": school.name}
            )
    if problems:
        raise ValidationError(problems)
    changed = 0
    for pk, teacher in choices.items():
        school_class = classes[pk]
        if school_class.homeroom_teacher_id != (teacher.pk if teacher else None):
            class_set_homeroom_teacher(actor=actor, school_class=school_class, teacher=teacher)
            changed += 1
    return changed


def _check_cluster(*, owner: Unit, schools: list[Unit]) -> None:
    # Also asked by the admin's form, so that a refusal shows on the form instead of failing the save.
    if owner.kind not in (K.OFFICE, K.DEPARTMENT):
        raise ValidationError(_("A school cluster is set up by an Office or a Department."))
    outside = [s.name for s in schools if not s.path.startswith(owner.path) or s.kind != K.SCHOOL]
    if outside:
        raise ValidationError(
            _("These are not schools under %(owner)s: %(names)s") % {"owner": owner.name, "names": ", ".join(outside)}
        )
    closed = [s.name for s in schools if not s.is_active]
    if closed:
        raise ValidationError(_("These schools are closed: %(names)s") % {"names": ", ".join(closed)})


@transaction.atomic
def cluster_create(*, actor, owner: Unit, code: str, name: str, schools: Iterable[Unit]) -> Cluster:
    schools = list(schools)
    _check_cluster(owner=owner, schools=schools)
    _refuse_unsafe_name(name)
    cluster = Cluster(owner=owner, code=code.strip(), name=nfc(name))
    cluster.full_clean()
    cluster.save()
    cluster.schools.set(schools)
    audit_log(
        actor=actor, action="cluster.create", unit=owner, target=cluster, after={"schools": [s.code for s in schools]}
    )
    return cluster


@transaction.atomic
def cluster_update(
    *, actor, cluster: Cluster, name: str | None = None, code: str | None = None, schools: Iterable[Unit] | None = None
) -> Cluster:
    """Rename a cluster, change its code, or set its schools (added and removed ones are audited)."""
    cluster = Cluster.objects.select_for_update().select_related("owner").get(pk=cluster.pk)
    before_schools = set(cluster.schools.values_list("code", flat=True))
    before = {"name": cluster.name, "code": cluster.code}
    if name is not None:
        _refuse_unsafe_name(name)
        cluster.name = nfc(name)
    if code is not None:
        cluster.code = code.strip()
    if schools is not None:
        schools = list(schools)
        _check_cluster(owner=cluster.owner, schools=schools)
    cluster.full_clean()
    cluster.save()
    after = {"name": cluster.name, "code": cluster.code}
    if schools is not None:
        cluster.schools.set(schools)
        now_codes = {s.code for s in schools}
        after["added"] = sorted(now_codes - before_schools)
        after["removed"] = sorted(before_schools - now_codes)
    audit_log(actor=actor, action="cluster.update", unit=cluster.owner, target=cluster, before=before, after=after)
    return cluster


@transaction.atomic
def cluster_remove(*, actor, cluster: Cluster) -> None:
    """Remove a cluster (its schools stay as they are). Refused while courses or learning groups are
    open to it: they would lose their audience."""
    cluster = Cluster.objects.select_for_update().select_related("owner").get(pk=cluster.pk)
    schools = sorted(cluster.schools.values_list("code", flat=True))
    before = {"code": cluster.code, "name": cluster.name, "schools": schools}
    owner, repr_ = cluster.owner, str(cluster)
    try:
        with transaction.atomic():
            cluster.schools.clear()
            Cluster.objects.filter(pk=cluster.pk).delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(name)s is still used by %(count)d courses or learning groups; it cannot be removed.")
            % {"name": cluster.name, "count": len(exc.protected_objects)}
        ) from exc
    audit_log(actor=actor, action="cluster.remove", unit=owner, before=before, after={"removed": repr_})


# The last grade of each school level: a class there finishes school instead of moving up.
# Multi-level schools and continuing-education centres may run up to grade 12.
FINAL_GRADE = {L.PRIMARY: 5, L.LOWER_SECONDARY: 9, L.UPPER_SECONDARY: 12}
_LEADING_NUMBER = re.compile(r"^\d+")


def class_final_grade(*, school: Unit) -> int:
    return FINAL_GRADE.get(school.school_level, 12)


def class_next_name(*, name: str, grade: int) -> str | None:
    """'6A1' (grade 6) -> '7A1'; 'Lớp 6A1' -> 'Lớp 7A1'; None when the name shows no grade number."""
    if _LEADING_NUMBER.match(name):
        return _LEADING_NUMBER.sub(str(grade + 1), name, count=1)
    pattern = re.compile(rf"(?<!\d){grade}(?!\d)")
    if pattern.search(name):
        return pattern.sub(str(grade + 1), name, count=1)
    return None


@transaction.atomic
def class_promote(*, actor, school_class: Unit, new_name: str | None = None) -> Unit:
    """Move a whole class up one grade at the end of the school year ("6A1" becomes "7A1").

    Its students keep their student role at the class, so they move up with it. Classes are promoted
    from the highest grade down, so that "7A1" has become "8A1" before "6A1" takes its name.
    """
    school_class = Unit.objects.select_for_update().get(pk=school_class.pk)
    if school_class.kind != K.CLASS:
        raise ValidationError(_("Only a class can move up to the next grade."))
    if not school_class.is_active:
        raise ValidationError(_("%(name)s is no longer active.") % {"name": school_class.name})
    school = Unit.objects.get_parent(school_class)
    final = class_final_grade(school=school)
    if school_class.grade >= final:
        raise ValidationError(
            _(
                "%(name)s is in grade %(grade)d, the last grade of %(school)s: it cannot move up. "
                "Its students finish school; deactivate their accounts (“left”) or transfer them."
            )
            % {"name": school_class.name, "grade": school_class.grade, "school": school.name}
        )
    if new_name is None or not nfc(new_name):
        new_name = class_next_name(name=school_class.name, grade=school_class.grade)
        if new_name is None:
            raise ValidationError(
                {
                    "new_name": _("The name %(name)s does not show its grade; please give the new name.")
                    % {"name": school_class.name}
                }
            )
    _refuse_unsafe_name(new_name, field="new_name")
    new_name = nfc(new_name)
    clash = (
        Unit.objects.children(school, kinds=[K.CLASS])
        .filter(is_active=True, name_folded=fold(new_name))
        .exclude(pk=school_class.pk)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "new_name": _(
                    "%(school)s already has a class named %(name)s (grade %(grade)d). Move that class up "
                    "first (classes move up from the highest grade down), or choose another name."
                )
                % {"school": school.name, "name": clash.name, "grade": clash.grade}
            }
        )
    before = {"name": school_class.name, "grade": school_class.grade}
    school_class.name = new_name
    school_class.grade += 1
    return _save_audited(actor=actor, unit=school_class, action="class.promote", before=before)


# --- Loading very many rows: a synthetic country (reports.scale), a migration ----------------------
# PostgreSQL's COPY takes rows several times faster than INSERT … VALUES with RETURNING (measured by
# bench/bench_scale.py). These loaders use it there and fall back to bulk_create elsewhere (SQLite).
# bulk_copy_rows is shared with accounts.services.core; it would sit in truonghoc/ with the other
# shared helpers.


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):  # date, datetime (aware: with its offset)
        return value.isoformat()
    raise TypeError(f"bulk_copy_rows cannot write {type(value).__name__} values")


def bulk_copy_rows(*, model, columns: list[str] | tuple[str, ...], rows: Iterable[tuple | list]) -> int:
    """COPY `rows` (tuples in the order of `columns`, which are attnames such as "unit_id") into the
    model's table on PostgreSQL; callers check `connection.vendor` and fall back to bulk_create.

    Every other column gets its field's default, computed once (auto_now fields: now), so a field
    added to the model later with a default needs no change here; an auto primary key not listed is
    left to the database. Runs no save(), no signals and no validation: the loaders that call it
    compute the stored forms themselves."""
    import io

    from django.db import connection

    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    unknown = [c for c in columns if c not in by_attname]
    if unknown:
        raise ValueError(f"{meta.label} has no columns {unknown}")
    listed = set(columns)
    template = model()
    rest = [f for f in meta.concrete_fields if f.attname not in listed and not (f.primary_key and f.db_returning)]
    tail = "".join("\t" + _copy_text(f.get_db_prep_save(f.pre_save(template, add=True), connection)) for f in rest)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in [*(by_attname[c].column for c in columns), *(f.column for f in rest)])
    sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
    count = 0
    lines = []
    for row in rows:
        lines.append("\t".join([_copy_text(v) for v in row]) + tail)
        count += 1
    if not lines:
        return 0
    data = "\n".join(lines) + "\n"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, io.StringIO(data))
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(data)
    return count


def role_assignments_bulk_load(*, rows: Iterable[tuple[int, Unit, str]], batch_size: int = 5000) -> int:
    """role_assignments_bulk_create at COPY speed on PostgreSQL, for accounts created in the same
    transaction (a synthetic country, a migration). Unlike it, a row that exists already is an error
    rather than skipped: COPY cannot skip conflicts. Written `batch_size` rows at a time; the caller
    audits the batch. Returns how many rows were written."""
    from django.db import connection

    use_copy = connection.vendor == "postgresql"
    written = 0
    batch: list = []

    def flush() -> int:
        if use_copy:
            n = bulk_copy_rows(model=RoleAssignment, columns=["user_id", "unit_id", "role"], rows=batch)
        else:
            n = len(RoleAssignment.objects.bulk_create(batch, batch_size=batch_size))
        batch.clear()
        return n

    unit_ids = set()
    for user_id, unit, role in rows:
        _check_role_placement(role, unit)
        unit_ids.add(unit.pk)
        batch.append((user_id, unit.pk, role) if use_copy else RoleAssignment(user_id=user_id, unit=unit, role=role))
        if len(batch) >= batch_size:
            written += flush()
    if batch:
        written += flush()
    membership_changed(unit_ids=unit_ids)
    return written


@transaction.atomic
def unit_declare_numbers(*, actor, unit: Unit, teachers: int, students: int) -> Unit:
    """A school declares how many teachers and students it has (the base of coverage figures)."""
    if not unit.is_school:
        raise ValidationError(_("Only a school declares its numbers of teachers and students."))
    if teachers is None or students is None or teachers < 0 or students < 0:
        raise ValidationError(_("The numbers of teachers and students must be whole numbers, 0 or more."))
    before = {"teachers": unit.declared_teachers, "students": unit.declared_students}
    unit.declared_teachers, unit.declared_students = teachers, students
    unit.save(update_fields=["declared_teachers", "declared_students", "updated_at"])
    audit_log(
        actor=actor,
        action="unit.declare_numbers",
        unit=unit,
        target=unit,
        before=before,
        after={"teachers": teachers, "students": students},
    )
    return unit


# --- Targets ---------------------------------------------------------------------------------------


def target_clean(*, metric: str, value) -> Decimal | None:
    """The number a target field holds, or None for "follow the level above"; refuses nonsense."""
    if metric not in Target.Metric.values:
        raise ValidationError(_("Unknown measure."))
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from exc
    if not number.is_finite():
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    if number < 0:
        raise ValidationError(_("A target cannot be negative."))
    if metric in Target.PERCENT_METRICS and number > 100:
        raise ValidationError(_("A percentage target cannot be above 100%% (%(value)s was given).") % {"value": number})
    if number > 10_000:
        raise ValidationError(_("%(value)s is not a sensible target.") % {"value": number})
    return number


@transaction.atomic
def targets_set(*, actor, unit: Unit, values: dict[str, object]) -> None:
    """Set a unit's targets together: every value is checked first, and if one is wrong none is
    saved (ValidationError with a message per measure). Units below inherit them."""
    cleaned, errors = {}, {}
    for metric in Target.Metric.values:
        try:
            cleaned[metric] = target_clean(metric=metric, value=values.get(metric))
        except ValidationError as exc:
            errors[metric] = exc.messages
    if errors:
        raise ValidationError(errors)
    for metric, number in cleaned.items():
        _target_write(actor=actor, unit=unit, metric=metric, number=number)


def _target_write(*, actor, unit: Unit, metric: str, number: Decimal | None) -> None:
    existing = Target.objects.filter(unit=unit, metric=metric).first()
    before = {"value": str(existing.value)} if existing else None
    if number is None:
        if existing:
            existing.delete()
            audit_log(
                actor=actor, action="target.remove", unit=unit, target=unit, before=before, after={"metric": metric}
            )
        return
    if existing and existing.value == number:
        return
    target = existing or Target(unit=unit, metric=metric)
    target.value, target.set_by = number, actor
    target.full_clean(validate_unique=False)
    target.save()
    after = {"metric": metric, "value": str(number)}
    audit_log(actor=actor, action="target.set", unit=unit, target=unit, before=before, after=after)


# --- The school year (năm học) -------------------------------------------------------------------------

SCHOOL_YEAR_DATES = ("start", "end", "semester1_start", "semester1_end", "semester2_start", "semester2_end")
_SCHOOL_YEAR_LABEL = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
LONGEST_SCHOOL_YEAR_DAYS = 366


def school_year_label_clean(label: str) -> tuple[str, int]:
    """ "2026-2027" (or "2026 – 2027") → ("2026-2027", 2026); two following years, else a ValidationError."""
    match = _SCHOOL_YEAR_LABEL.match((label or "").strip())
    if not match or int(match[2]) != int(match[1]) + 1 or not 2000 <= int(match[1]) <= 2100:
        raise ValidationError({"label": _("Write the school year as two following years, for example 2026-2027.")})
    return f"{match[1]}-{match[2]}", int(match[1])


def _school_year_dates_check(*, first_year: int, dates: dict) -> None:
    """The dates of one year in order: the year inside its two calendar years and at most a year long,
    each semester inside the year, semester 1 before semester 2. Every problem named at its field."""
    missing = {name: _("Enter this date.") for name in SCHOOL_YEAR_DATES if dates.get(name) is None}
    if missing:
        raise ValidationError(missing)
    start, end = dates["start"], dates["end"]
    s1_start, s1_end = dates["semester1_start"], dates["semester1_end"]
    s2_start, s2_end = dates["semester2_start"], dates["semester2_end"]
    errors: dict[str, str] = {}
    if start.year != first_year:
        errors["start"] = _("The school year %(a)d–%(b)d starts in %(a)d.") % {"a": first_year, "b": first_year + 1}
    if end.year != first_year + 1:
        errors["end"] = _("The school year %(a)d–%(b)d ends in %(b)d.") % {"a": first_year, "b": first_year + 1}
    elif end <= start:
        errors["end"] = _("The last day of the school year must come after its first day.")
    elif (end - start).days >= LONGEST_SCHOOL_YEAR_DAYS:
        errors["end"] = _("A school year lasts at most one year.")
    if s1_end < s1_start:
        errors["semester1_end"] = _("Semester 1 must end after it starts.")
    if s2_end < s2_start:
        errors["semester2_end"] = _("Semester 2 must end after it starts.")
    if s1_start < start or s1_start > end:
        errors.setdefault(
            "semester1_start",
            _("Semester 1 must start within the school year (from %(day)s).") % {"day": date_text(start)},
        )
    if s2_end > end or s2_end < start:
        errors.setdefault(
            "semester2_end", _("Semester 2 must end within the school year (by %(day)s).") % {"day": date_text(end)}
        )
    if s2_start <= s1_end:
        errors.setdefault(
            "semester2_start",
            _("Semester 2 must start after semester 1 ends (%(day)s).") % {"day": date_text(s1_end)},
        )
    if errors:
        raise ValidationError(errors)


def _overlap_error(year, department: Unit | None = None) -> ValidationError:
    values = {"label": year.label.replace("-", "–"), "start": date_text(year.start), "end": date_text(year.end)}
    if department is not None:
        values["department"] = department.name
        message = _(
            "These dates overlap the school year %(label)s as %(department)s adjusted it (%(start)s – %(end)s)."
        )
    else:
        message = _("These dates overlap the school year %(label)s (%(start)s – %(end)s).")
    return ValidationError({"start": message % values})


def _national_overlap_check(*, label: str, start, end, exclude_pk: int | None) -> None:
    """No two national years overlap, nor a national year a Department's adjustment of another year
    (where that Department has not adjusted this one: its own dates are what it reads)."""
    clash = (
        SchoolYear.objects.filter(department__isnull=True, start__lte=end, end__gte=start)
        .exclude(pk=exclude_pk)
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise _overlap_error(clash)
    adjusted_this = SchoolYear.objects.filter(department__isnull=False, label=label).values("department_id")
    clash = (
        SchoolYear.objects.filter(department__isnull=False, start__lte=end, end__gte=start)
        .exclude(label=label)
        .exclude(department_id__in=adjusted_this)
        .select_related("department")
        .order_by("start")
        .first()
    )
    if clash is not None:
        raise _overlap_error(clash, clash.department)


def _school_year_write(
    *, actor, row: SchoolYear, label: str, dates: dict, action: str, unit: Unit | None
) -> SchoolYear:
    before = (
        {"label": row.label, **{name: getattr(row, name).isoformat() for name in SCHOOL_YEAR_DATES}} if row.pk else None
    )
    after = {"label": label, **{name: dates[name].isoformat() for name in SCHOOL_YEAR_DATES}}
    if before == after:
        return row
    row.label = label
    for name in SCHOOL_YEAR_DATES:
        setattr(row, name, dates[name])
    row.set_by = actor if getattr(actor, "pk", None) else None
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    if before is not None:
        before = {key: value for key, value in before.items() if after[key] != value}
        after = {"label": label, **{key: after[key] for key in before}}
    audit_log(actor=actor, action=action, unit=unit, target=row, before=before, after=after)
    return row


def _ministry() -> Unit | None:
    return Unit.objects.filter(kind=K.MINISTRY, depth=1).order_by("path").first()


@transaction.atomic
def school_year_set(*, actor, label: str, year: SchoolYear | None = None, **dates) -> SchoolYear:
    """The Ministry creates a school year (`year` None) or changes one of its years: the label
    ("2026-2027") and the six dates (`start`, `end`, `semester1_start`, …). Refused with a message per
    field, nothing changed, when the dates are out of order, a semester lies outside the year, or the
    year overlaps another. Audited (`school_year.create` / `school_year.update`) at the Ministry."""
    label, first_year = school_year_label_clean(label)
    if year is not None:
        year = SchoolYear.objects.select_for_update().get(pk=year.pk, department__isnull=True)
    _school_year_dates_check(first_year=first_year, dates=dates)
    taken = SchoolYear.objects.filter(department__isnull=True, label=label).exclude(pk=getattr(year, "pk", None))
    if taken.exists():
        raise ValidationError(
            {"label": _("The school year %(label)s already exists: change it instead.") % {"label": label}}
        )
    if (
        year is not None
        and year.label != label
        and SchoolYear.objects.filter(label=year.label, department__isnull=False).exists()
    ):
        raise ValidationError(
            {
                "label": _("Departments have adjusted the school year %(label)s: its name can no longer change.")
                % {"label": year.label}
            }
        )
    _national_overlap_check(label=label, start=dates["start"], end=dates["end"], exclude_pk=getattr(year, "pk", None))
    action = "school_year.update" if year is not None else "school_year.create"
    return _school_year_write(
        actor=actor, row=year or SchoolYear(), label=label, dates=dates, action=action, unit=_ministry()
    )


@transaction.atomic
def school_year_adjust(*, actor, department: Unit, label: str, **dates) -> SchoolYear:
    """A Department adjusts the Ministry's school year `label` for its province (its own dates, read by
    every unit below it instead of the national ones). The same checks as `school_year_set`, the overlap
    checked against the other years the province reads. Audited (`school_year.adjust`) at the Department."""
    if department.kind != K.DEPARTMENT:
        raise ValidationError(_("Only a Department of Education adjusts the school year for its province."))
    label, first_year = school_year_label_clean(label)
    if not SchoolYear.objects.filter(department__isnull=True, label=label).exists():
        raise ValidationError(
            {
                "label": _("The Ministry has not set the school year %(label)s yet: there is nothing to adjust.")
                % {"label": label}
            }
        )
    _school_year_dates_check(first_year=first_year, dates=dates)
    for other in school_years_in_force(department):
        if other.label != label and other.start <= dates["end"] and other.end >= dates["start"]:
            raise _overlap_error(other, department if other.source == "department" else None)
    row = SchoolYear.objects.select_for_update().filter(department=department, label=label).first()
    return _school_year_write(
        actor=actor,
        row=row or SchoolYear(department=department),
        label=label,
        dates=dates,
        action="school_year.adjust",
        unit=department,
    )


@transaction.atomic
def school_years_seed(*, actor, today) -> list[SchoolYear]:
    """The demo's calendar: the current and the next national school year, if the Ministry has not set
    them (school opens on 5 September, semester 1 ends on 17 January, semester 2 on 25 May, the year on
    31 May, as the Ministry's yearly decisions have it). Idempotent."""
    first = today.year if today.month >= 9 else today.year - 1
    made = []
    for year in (first, first + 1):
        label = f"{year}-{year + 1}"
        if SchoolYear.objects.filter(department__isnull=True, label=label).exists():
            continue
        dates = {
            "start": date(year, 9, 5),
            "end": date(year + 1, 5, 31),
            "semester1_start": date(year, 9, 5),
            "semester1_end": date(year + 1, 1, 17),
            "semester2_start": date(year + 1, 1, 18),
            "semester2_end": date(year + 1, 5, 25),
        }
        made.append(school_year_set(actor=actor, label=label, **dates))
    return made
