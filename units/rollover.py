"""The unit half of a school's year-end rollover (issue #15): the school's classes move up a grade, the
last grade's classes close, the new intake classes are created — and the same undone.

The people half (graduates, leavers, the `Rollover` record, undo until the first new activity) is
`accounts.services.rollover`, which calls these inside its own transaction: units knows the tree and
its names, accounts knows the people. Every step here works on all the school's classes at once (a
fixed number of queries, whatever the number of classes): the names are checked in memory against
the school's classes as they will be after the rollover, then written with one bulk update.

Groups (tổ) are not touched: they carry over as they are. A promoted class keeps its homeroom teacher
and its students' roles (they move up with it), so homeroom assignments carry over too.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from truonghoc.text import fold, nfc

from .models import Unit
from .selectors import SchoolYearDates, default_school_year, school_year_among, school_years_in_force
from .services import (
    AuditRecord,
    UnitSpec,
    _refuse_unsafe_name,
    audit_log_many,
    class_final_grade,
    class_next_name,
    units_bulk_create,
)

K = Unit.Kind
L = Unit.SchoolLevel

# The first grade of each school level: the grade of the new intake classes.
FIRST_GRADE = {L.PRIMARY: 1, L.LOWER_SECONDARY: 6, L.UPPER_SECONDARY: 10, L.MULTI_LEVEL: 1, L.CONTINUING: 10}
NAME_MAX = Unit._meta.get_field("name").max_length
CODE_MAX = Unit._meta.get_field("code").max_length


def class_first_grade(*, school: Unit) -> int:
    return FIRST_GRADE.get(school.school_level, 1)


def year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


@dataclass(frozen=True)
class RolloverYears:
    """The school years a rollover closes and opens, as the school reads them (its Department's
    adjustment, else the Ministry's year). `opening` is None when SchoolYear rows exist but none for the
    year to open: the rollover must wait until the Ministry (or the Department) sets it. With no row at all
    (a fresh database), both come from the fixed calendar, as everywhere else (`school_year_for`)."""

    closing: SchoolYearDates
    opening: SchoolYearDates | None
    to_label: str

    @property
    def from_year(self) -> str:
        return self.closing.label

    @property
    def to_year(self) -> str:
        return self.to_label

    @property
    def not_set(self) -> str:
        """Why the rollover cannot run yet (translated), or ""."""
        if self.opening is not None:
            return ""
        return _(
            "The school year %(year)s has not been set yet: the Ministry (or the Department, for its province) "
            "must enter its dates on the School years page before a school can roll over to it."
        ) % {"year": self.to_label.replace("-", "–")}


def _year_labelled(years: list[SchoolYearDates], first_year: int) -> SchoolYearDates | None:
    label = year_label(first_year)
    return next((year for year in years if year.label == label), None)


def rollover_school_years(school: Unit | None = None, today: date | None = None) -> RolloverYears:
    """The school years a rollover of `school` on `today` closes and opens (one query). The rule is the
    one a single class's promotion follows (`units.selectors.promotion_school_year`): from the start of
    semester 2 on (the end of the year and the summer), the current school year closes and the next one
    opens; during semester 1, a late rollover closes the year before and opens the running one."""
    today = today or timezone.localdate()
    years = school_years_in_force(school)
    current = school_year_among(years, today)
    late = today <= current.end and current.semester_number(today) == 1
    closing_first = current.first_year - 1 if late else current.first_year
    closing = (
        current
        if not late
        else _year_labelled(years, closing_first) or school_year_among(years, date(closing_first, 10, 1))
    )
    opening = _year_labelled(years, closing_first + 1)
    if opening is None and not years:  # no SchoolYear row at all: the fixed calendar, as before
        opening = current if late else default_school_year(closing_first + 1)
    return RolloverYears(closing=closing, opening=opening, to_label=year_label(closing_first + 1))


def rollover_years(today: date | None = None, unit: Unit | None = None) -> tuple[str, str]:
    """(the school year being closed, the one being opened) as labels "2025-2026", for `unit` (the
    national calendar without one): `rollover_school_years`'s labels."""
    years = rollover_school_years(unit, today)
    return years.from_year, years.to_year


@dataclass
class ClassMove:
    """One active class of the school and what the rollover does to it."""

    class_id: int
    name: str
    grade: int
    homeroom: str = ""
    students: int = 0
    new_name: str = ""  # empty for a graduating class, or when the name shows no grade (must be typed)
    graduates: bool = False


@dataclass
class ClassPlan:
    first_grade: int
    final_grade: int
    moves: list[ClassMove] = field(default_factory=list)

    @property
    def promoted(self) -> list[ClassMove]:
        return [m for m in self.moves if not m.graduates]

    @property
    def graduating(self) -> list[ClassMove]:
        return [m for m in self.moves if m.graduates]


def school_classes(school: Unit):
    """The school's active classes, highest grade first (two queries with the homeroom teachers)."""
    return (
        Unit.objects.children(school, kinds=[K.CLASS])
        .filter(is_active=True)
        .select_related("homeroom_teacher")
        .order_by("-grade", "name_folded")
    )


def classes_plan(*, school: Unit, students: dict[int, int] | None = None) -> ClassPlan:
    """What the rollover proposes for the school's classes: each moves up with the name
    `class_next_name` gives, the last grade's classes (and any above it) graduate."""
    final = class_final_grade(school=school)
    plan = ClassPlan(first_grade=class_first_grade(school=school), final_grade=final)
    for unit in school_classes(school):
        graduates = unit.grade >= final
        plan.moves.append(
            ClassMove(
                class_id=unit.pk,
                name=unit.name,
                grade=unit.grade,
                homeroom=unit.homeroom_teacher.full_name if unit.homeroom_teacher else "",
                students=(students or {}).get(unit.pk, 0),
                new_name="" if graduates else (class_next_name(name=unit.name, grade=unit.grade) or ""),
                graduates=graduates,
            )
        )
    return plan


def _checked_name(name: str, key: str, errors: dict) -> str:
    name = nfc(name)
    try:
        _refuse_unsafe_name(name, field=key)
    except ValidationError as exc:
        errors.setdefault(key, []).extend(exc.message_dict[key])
    if len(name) > NAME_MAX:
        errors.setdefault(key, []).append(_("A class name has at most %(n)d characters.") % {"n": NAME_MAX})
    return name


def check_class_names(*, school: Unit, renames: dict[int, str], intake: list[str]) -> dict[str, list[str]]:
    """Errors by field ("class_<id>", "intake"), empty when the names are fine: every promoted class has a
    new name, no two of the school's classes after the rollover share one (compared folded, as
    `class_promote` does), names are safe. Reads nothing: the caller passes every promoted class."""
    errors: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for class_id, name in renames.items():
        key = f"class_{class_id}"
        if not nfc(name):
            errors.setdefault(key, []).append(_("This class has no next grade in its name: please type its new name."))
            continue
        name = _checked_name(name, key, errors)
        if fold(name) in seen:
            errors.setdefault(key, []).append(_("Two classes would be named %(name)s.") % {"name": name})
        seen[fold(name)] = key
    for name in intake:
        name = _checked_name(name, "intake", errors)
        if fold(name) in seen:
            errors.setdefault("intake", []).append(
                _("The new class %(name)s has the name of another class.") % {"name": name}
            )
        seen[fold(name)] = "intake"
    return errors


def _intake_codes(school: Unit, names: list[str], start_year: int) -> list[str]:
    """Unit codes for the new classes: school code, year and a folded name ("THCS01.2026.6A1"), made
    unique against every code with that prefix in one query."""
    prefix = f"{school.code[: CODE_MAX - 22]}.{start_year}."
    used = set(Unit.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    codes = []
    for name in names:
        code = prefix + (re.sub(r"[^0-9a-z]+", "", fold(name))[:12].upper() or "LOP")
        unique, n = code, 1
        while unique in used:
            n += 1
            unique = f"{code}-{n}"
        used.add(unique)
        codes.append(unique)
    return codes


def classes_roll_forward(
    *, actor, school: Unit, renames: dict[int, str], close_ids: list[int], intake: list[str], to_year: str
) -> dict:
    """Promote (`renames`: class id → new name; each goes up one grade), close the graduating classes and
    create the intake classes, audited. The caller has checked the names (`check_class_names`) and
    holds the school's lock. Returns what changed, for `classes_roll_back`."""
    now = timezone.now()
    classes = {u.pk: u for u in Unit.objects.filter(pk__in=[*renames, *close_ids])}
    promoted, records = [], []
    for class_id, name in renames.items():
        unit = classes[class_id]
        before = {"name": unit.name, "grade": unit.grade}
        unit.name, unit.grade, unit.updated_at = nfc(name), unit.grade + 1, now
        unit.name_folded = fold(unit.name)
        promoted.append(unit)
        records.append(AuditRecord(unit, unit, before, {"name": unit.name, "grade": unit.grade}))
    Unit.objects.bulk_update(promoted, ["name", "name_folded", "grade", "updated_at"], batch_size=500)
    audit_log_many(actor=actor, action="class.promote", records=records)
    Unit.objects.filter(pk__in=close_ids).update(is_active=False, updated_at=now)
    audit_log_many(
        actor=actor,
        action="class.close",
        records=[AuditRecord(classes[i], classes[i], {"is_active": True}, {"is_active": False}) for i in close_ids],
    )
    created = []
    if intake:
        grade = class_first_grade(school=school)
        codes = _intake_codes(school, intake, int(to_year[:4]))
        specs = [UnitSpec(code=c, name=n, kind=K.CLASS, grade=grade) for c, n in zip(codes, intake, strict=True)]
        created = [u.pk for u in units_bulk_create(actor=actor, parent=school, specs=specs)]
    return {
        "renamed": [[u.pk, r.before["name"], r.before["grade"]] for u, r in zip(promoted, records, strict=True)],
        "closed": list(close_ids),
        "created": created,
    }


def classes_roll_back(*, actor, school: Unit, undo: dict) -> None:
    """Put the classes back as `classes_roll_forward` found them: old names and grades, the graduating
    classes open again, the intake classes closed (units are never deleted). Audited."""
    now = timezone.now()
    old = {class_id: (name, grade) for class_id, name, grade in undo.get("renamed", [])}
    units = list(Unit.objects.filter(pk__in=[*old, *undo.get("closed", []), *undo.get("created", [])]))
    by_id = {u.pk: u for u in units}
    restored, records = [], []
    for class_id, (name, grade) in old.items():
        unit = by_id[class_id]
        records.append(
            AuditRecord(unit, unit, {"name": unit.name, "grade": unit.grade}, {"name": name, "grade": grade})
        )
        unit.name, unit.name_folded, unit.grade, unit.updated_at = name, fold(name), grade, now
        restored.append(unit)
    Unit.objects.bulk_update(restored, ["name", "name_folded", "grade", "updated_at"], batch_size=500)
    Unit.objects.filter(pk__in=undo.get("closed", [])).update(is_active=True, updated_at=now)
    Unit.objects.filter(pk__in=undo.get("created", [])).update(is_active=False, updated_at=now)
    for class_id in undo.get("closed", []):
        records.append(AuditRecord(by_id[class_id], by_id[class_id], {"is_active": False}, {"is_active": True}))
    for class_id in undo.get("created", []):
        records.append(AuditRecord(by_id[class_id], by_id[class_id], {"is_active": True}, {"is_active": False}))
    audit_log_many(actor=actor, action="class.rollover_undo", records=records)
