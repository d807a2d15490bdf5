"""Teaching assignments from a spreadsheet (xlsx or csv): Lớp, Môn, Giáo viên (mã định danh or username),
Học kì (1, 2 or "cả năm" for both), optional GVCN (the class's homeroom teacher, applied through units'
`homerooms_set`). Checked first, with line numbers; applied all or nothing through `assignment_set`."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.text import fold
from units.models import Unit
from units.services import homerooms_set

from . import services
from .models import TeachingAssignment
from .permissions import can_run_gradebook
from .selectors import open_classes, school_teachers

HEADERS = {
    "lop": "class",
    "mon": "subject",
    "giao vien": "teacher",
    "hoc ki": "semester",
    "hoc ky": "semester",
    "gvcn": "homeroom",
}
REQUIRED = ("class", "subject", "teacher", "semester")
MAX_LINES = 5000


@dataclass
class AssignmentImport:
    set: int = 0
    unchanged: int = 0
    homerooms: int = 0
    refusals: list[tuple[int, str]] = field(default_factory=list)
    lines: list[tuple[int, str, str, str, str]] = field(default_factory=list)  # line, class, subject, semester, teacher

    @property
    def ok(self) -> bool:
        return not self.refusals


class _Refused(Exception):
    pass


def _semesters(text: str) -> tuple[int, ...] | None:
    folded = fold(text).replace(" ", "")
    return {"1": (1,), "2": (2,), "canam": (1, 2), "hk1": (1,), "hk2": (2,)}.get(folded)


def _message(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def assignments_import(*, actor, school: Unit, content: bytes, dry_run: bool = False) -> AssignmentImport:
    result = AssignmentImport()
    if not can_run_gradebook(actor, school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets teaching assignments."))
    try:
        header, rows = read_table(content, is_header=lambda h: "lop" in [fold(c) for c in h], max_lines=MAX_LINES)
    except SpreadsheetError as error:
        result.refusals.append((0, str(error)))
        return result
    columns = {HEADERS[fold(name)]: n for n, name in enumerate(header) if fold(name) in HEADERS}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        result.refusals.append((0, _("The file needs the columns Lớp, Môn, Giáo viên and Học kì (optional: GVCN).")))
        return result
    year = services.current_school_year(school)
    classes = {fold(c.name): c for c in open_classes(school=school)}
    teachers = {t.pk: t for t in school_teachers(school=school)}
    users = get_user_model().objects
    seen: dict[tuple, int] = {}
    planned = []
    homerooms: dict[int, object] = {}

    def person(key: str):
        return users.filter(Q(national_id=key) | Q(username=key)).first() if key else None

    for line, cells in rows:
        cells = [("" if c is None else str(c).strip()) for c in cells] + [""] * len(header)
        values = {name: cells[n] for name, n in columns.items()}
        if not any(values.values()):
            continue
        school_class = classes.get(fold(values["class"]))
        if school_class is None:
            result.refusals.append(
                (line, _("%(name)s is not an open class of this school.") % {"name": values["class"] or "?"})
            )
            continue
        found = person(values["teacher"])
        if found is None:
            result.refusals.append(
                (line, _("No teacher has the code or username %(key)s.") % {"key": values["teacher"] or "?"})
            )
            continue
        if found.pk not in teachers:
            result.refusals.append((line, _("%(name)s is not a teacher of this school.") % {"name": found.full_name}))
            continue
        semesters = _semesters(values["semester"])
        if semesters is None:
            result.refusals.append((line, _("Học kì must be 1, 2 or “cả năm”.")))
            continue
        try:
            services.subject_rule(school_year=year, school_class=school_class, subject=values["subject"])
        except ValidationError as error:
            result.refusals.append((line, _message(error)))
            continue
        duplicate = False
        for semester in semesters:
            key = (school_class.pk, values["subject"], semester)
            if key in seen:
                result.refusals.append(
                    (
                        line,
                        _("%(name)s, %(subject)s, semester %(semester)s is already on line %(other)s.")
                        % {
                            "name": school_class.name,
                            "subject": values["subject"],
                            "semester": semester,
                            "other": seen[key],
                        },
                    )
                )
                duplicate = True
            seen[key] = line
        if duplicate:
            continue
        if values.get("homeroom"):
            homeroom = person(values["homeroom"])
            if homeroom is None or homeroom.pk not in teachers:
                result.refusals.append(
                    (line, _("GVCN %(key)s is not a teacher of this school.") % {"key": values["homeroom"]})
                )
                continue
            homerooms[school_class.pk] = homeroom
        for semester in semesters:
            planned.append((line, school_class, values["subject"], semester, found))
            result.lines.append((line, school_class.name, values["subject"], str(semester), found.full_name))
    if result.refusals:
        return result
    current = {
        (a.school_class_id, a.subject, a.semester): a.teacher_id
        for a in TeachingAssignment.objects.filter(school=school, school_year=year)
    }
    try:
        with transaction.atomic():
            for line, school_class, subject, semester, teacher in planned:
                if current.get((school_class.pk, subject, semester)) == teacher.pk:
                    result.unchanged += 1
                    continue
                try:
                    services.assignment_set(
                        actor=actor,
                        school_class=school_class,
                        subject=subject,
                        semester=semester,
                        teacher=teacher,
                        school_year=year,
                    )
                except ValidationError as error:
                    result.refusals.append((line, _message(error)))
                    continue
                result.set += 1
            if homerooms and not result.refusals:
                try:
                    result.homerooms = homerooms_set(actor=actor, school=school, choices=homerooms)
                except (ValidationError, PermissionDenied) as error:
                    result.refusals.append((0, _message(error)))
            if result.refusals or dry_run:
                raise _Refused
    except _Refused:
        pass
    return result
