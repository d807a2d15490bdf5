"""Teaching assignments from a spreadsheet (xlsx or csv): Lớp, Môn, Giáo viên (mã định danh or username),
Học kì (1, 2 or "cả năm" for both), optional GVCN (the class's homeroom teacher, applied through units'
`homerooms_set`).

Through the import engine (truonghoc.imports, `AssignmentImporter`): the check reads every line, refuses
what cannot be set (with its line) and records what confirming does, writing nothing; confirming writes
every line through `services.assignment_set` and the homerooms through `homerooms_set`, all or nothing (a
line refused now, e.g. a teacher who left the school since the check, refuses the whole file)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.formatting import number
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, refused_summary
from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.text import fold
from units.models import Unit
from units.permissions import can_set_homerooms
from units.services import audit_log, homerooms_set

from . import services
from .models import AssignmentImport, AssignmentImportRow, TeachingAssignment
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
A = AssignmentImportRow.Action


def _semesters(text: str) -> tuple[int, ...] | None:
    folded = fold(text).replace(" ", "")
    return {"1": (1,), "2": (2,), "canam": (1, 2), "hk1": (1,), "hk2": (2,)}.get(folded)


def _message(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def _read_lines(content: bytes) -> list[tuple[int, dict]]:
    """The file's non-empty lines as {column: text}; SpreadsheetError says why it cannot be read."""
    header, rows = read_table(content, is_header=lambda h: "lop" in [fold(c) for c in h], max_lines=MAX_LINES)
    columns = {HEADERS[fold(name)]: n for n, name in enumerate(header) if fold(name) in HEADERS}
    if any(name not in columns for name in REQUIRED):
        raise SpreadsheetError(_("The file needs the columns Lớp, Môn, Giáo viên and Học kì (optional: GVCN)."))
    lines = []
    for line, cells in rows:
        cells = [("" if c is None else str(c).strip()) for c in cells] + [""] * len(header)
        values = {name: cells[n] for name, n in columns.items()}
        if any(values.values()):
            lines.append((line, values))
    if not lines:
        raise SpreadsheetError(_("The file has a header but no line of assignments."))
    return lines


def _check_line(line: int, values: dict, ctx: dict) -> tuple[dict, list[str]]:
    """One line's plan {class, subject, semesters, teacher, homeroom} and its refusal (one at most)."""
    data = {
        "class": values["class"], "subject": values["subject"], "semester": values["semester"],
        "teacher": values["teacher"], "homeroom": values.get("homeroom", ""),
    }  # fmt: skip
    school_class = ctx["classes"].get(fold(values["class"]))
    if school_class is None:
        return data, [_("%(name)s is not an open class of this school.") % {"name": values["class"] or "?"}]
    data.update({"class_id": school_class.pk, "class": school_class.name})
    found = ctx["person"](values["teacher"])
    if found is None:
        return data, [_("No teacher has the code or username %(key)s.") % {"key": values["teacher"] or "?"}]
    if found.pk not in ctx["teachers"]:
        return data, [_("%(name)s is not a teacher of this school.") % {"name": found.full_name}]
    data.update(teacher_id=found.pk, teacher_name=found.full_name)
    semesters = _semesters(values["semester"])
    if semesters is None:
        return data, [_("Học kì must be 1, 2 or “cả năm”.")]
    data["semesters"] = list(semesters)
    try:
        services.subject_rule(school_year=ctx["year"], school_class=school_class, subject=values["subject"])
    except ValidationError as error:
        return data, [_message(error)]
    errors = []
    for semester in semesters:
        key = (school_class.pk, values["subject"], semester)
        if key in ctx["seen"]:
            errors.append(
                _("%(name)s, %(subject)s, semester %(semester)s is already on line %(other)s.")
                % {
                    "name": school_class.name,
                    "subject": values["subject"],
                    "semester": semester,
                    "other": ctx["seen"][key],
                }
            )
        ctx["seen"][key] = line
    if errors:
        return data, errors[:1]
    if data["homeroom"]:
        homeroom = ctx["person"](data["homeroom"])
        if homeroom is None or homeroom.pk not in ctx["teachers"] or homeroom.unit_id != ctx["school"].pk:
            return data, [_("GVCN %(key)s is not a teacher of this school.") % {"key": data["homeroom"]}]
        if not ctx["may_set_homerooms"]:
            return data, [_("You cannot choose the homeroom teachers of %(school)s.") % {"school": ctx["school"].name}]
        previous = ctx["homerooms"].get(school_class.pk)
        if previous is not None and previous[0] != homeroom.pk:
            return data, [
                _("%(name)s has another homeroom teacher on line %(other)s.")
                % {"name": school_class.name, "other": previous[1]}
            ]
        ctx["homerooms"][school_class.pk] = (homeroom.pk, line)
        data.update(homeroom_id=homeroom.pk, homeroom_name=homeroom.full_name)
        data["homeroom_changes"] = school_class.homeroom_teacher_id != homeroom.pk
    return data, []


def _check_assignments(batch: AssignmentImport, content: bytes) -> AssignmentImport:
    """Check every line (writes nothing but the batch's rows) and count what confirming does."""
    school, actor = batch.school, batch.created_by
    if actor is None or not can_run_gradebook(actor, school):
        message = _("Only the principal, a vice-principal or the school admin sets teaching assignments.")
        return batch_finish(batch, status=AssignmentImport.Status.INVALID, message=message)
    try:
        lines = _read_lines(content)
    except SpreadsheetError as error:
        return batch_finish(batch, status=AssignmentImport.Status.INVALID, message=str(error))
    users = get_user_model().objects
    ctx = {
        "school": school,
        "year": batch.school_year,
        "classes": {fold(c.name): c for c in open_classes(school=school)},
        "teachers": {t.pk for t in school_teachers(school=school)},
        "person": lambda key: users.filter(Q(national_id=key) | Q(username=key)).first() if key else None,
        "may_set_homerooms": can_set_homerooms(actor, school),
        "seen": {},
        "homerooms": {},
    }
    current = {
        (a.school_class_id, a.subject, a.semester): a.teacher_id
        for a in TeachingAssignment.objects.filter(school=school, school_year=batch.school_year)
    }
    rows = []
    batch.new_rows = batch.unchanged_rows = batch.homeroom_rows = 0
    for line, values in lines:
        data, errors = _check_line(line, values, ctx)
        action = A.ERROR
        if not errors:
            same = [
                current.get((data["class_id"], data["subject"], s)) == data["teacher_id"] for s in data["semesters"]
            ]
            batch.unchanged_rows += sum(same)
            batch.new_rows += len(same) - sum(same)
            batch.homeroom_rows += bool(data.get("homeroom_changes"))
            action = A.UNCHANGED if all(same) and not data.get("homeroom_changes") else A.SET
        rows.append(AssignmentImportRow(batch=batch, line=line, data=data, errors=errors, action=action))
    AssignmentImportRow.objects.bulk_create(rows)
    batch.total_rows = len(rows)
    batch.error_rows = sum(r.action == A.ERROR for r in rows)
    message = ""
    if not batch.error_rows and not batch.new_rows and not batch.homeroom_rows:
        message = _("Every assignment in this file is already set as it says: there is nothing to change.")
    ready = not batch.error_rows and (batch.new_rows or batch.homeroom_rows)
    status = AssignmentImport.Status.READY if ready else AssignmentImport.Status.INVALID
    return batch_finish(batch, status=status, message=message)


def _apply_assignments(batch: AssignmentImport, actor) -> AssignmentImport:
    """Set every checked line with assignment_set and the homerooms with homerooms_set; a refusal now
    refuses the whole file (ImportRefused: nothing is written)."""
    school, year = batch.school, batch.school_year
    rows = list(batch.rows.filter(action=A.SET))
    classes = {c.pk: c for c in Unit.objects.filter(pk__in={r.data["class_id"] for r in rows})}
    people = {r.data[k] for r in rows for k in ("teacher_id", "homeroom_id") if r.data.get(k)}
    users = get_user_model().objects.in_bulk(people)
    current = {
        (a.school_class_id, a.subject, a.semester): a.teacher_id
        for a in TeachingAssignment.objects.filter(school=school, school_year=year)
    }
    written, homerooms = 0, {}
    for row in rows:
        data = row.data
        school_class, teacher = classes.get(data["class_id"]), users.get(data["teacher_id"])
        try:
            if school_class is None or teacher is None:
                raise ValidationError(_("This class or teacher no longer exists."))
            for semester in data["semesters"]:
                if current.get((school_class.pk, data["subject"], semester)) == teacher.pk:
                    continue
                services.assignment_set(
                    actor=actor, school_class=school_class, subject=data["subject"], semester=semester,
                    teacher=teacher, school_year=year,
                )  # fmt: skip
                written += 1
        except (ValidationError, PermissionDenied) as error:
            raise ImportRefused(
                _("Nothing was written: line %(line)d: %(problem)s") % {"line": row.line, "problem": _message(error)}
            ) from error
        if data.get("homeroom_id"):
            homerooms[school_class.pk] = users.get(data["homeroom_id"])
    changed = 0
    if homerooms:
        try:
            if None in homerooms.values():
                raise ValidationError(_("This class or teacher no longer exists."))
            changed = homerooms_set(actor=actor, school=school, choices=homerooms)
        except (ValidationError, PermissionDenied) as error:
            raise ImportRefused(_("Nothing was written: %(problem)s") % {"problem": _message(error)}) from error
    batch.new_rows, batch.homeroom_rows = written, changed
    audit_log(
        actor=actor, action="gradebook.assignments_import", unit=school, target=batch,
        after={"file": batch.original_name, "set": written, "homerooms": changed},
    )  # fmt: skip
    return batch_finish(batch, status=AssignmentImport.Status.DONE)


class AssignmentImporter(Importer):
    """Teaching assignments as a user of the import engine."""

    model = AssignmentImport
    crash_message = gettext_lazy("Something went wrong on our side; nothing was written. Please try again or tell us.")
    apply_related = ("school",)

    def check(self, batch: AssignmentImport, content: bytes) -> AssignmentImport:
        return _check_assignments(batch, content)

    def apply(self, batch: AssignmentImport, actor) -> AssignmentImport:
        return _apply_assignments(batch, actor)


IMPORTER = AssignmentImporter()


def _may_run(actor, school: Unit) -> None:
    if not can_run_gradebook(actor, school):
        raise PermissionDenied(_("Only the principal, a vice-principal or the school admin sets teaching assignments."))


@transaction.atomic
def assignment_import_start(*, actor, school: Unit, upload) -> AssignmentImport:
    """Register an assignment file of `school` for this school year (the check runs next); audited."""
    _may_run(actor, school)
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{school.code}-phan-cong-{timezone.now():%Y%m%d-%H%M%S}.bin", school=school,
        school_year=services.current_school_year(school), created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="gradebook.assignments_import_upload", unit=school, target=batch,
        after={"file": batch.original_name},
    )  # fmt: skip
    return batch


def assignment_import_validate(*, batch: AssignmentImport, content: bytes | None = None) -> AssignmentImport:
    return IMPORTER.validate(batch, content)


def assignment_import_confirm(*, actor, batch: AssignmentImport) -> AssignmentImport:
    _may_run(actor, batch.school)
    return IMPORTER.confirm(batch)


def assignment_import_apply(*, actor, batch: AssignmentImport) -> AssignmentImport:
    return IMPORTER.run_apply(batch, actor)


def assignment_import_cancel(*, actor, batch: AssignmentImport) -> AssignmentImport:
    _may_run(actor, batch.school)
    return IMPORTER.cancel(batch, message=_("Cancelled: nothing was written."))


def assignment_import_summary(batch: AssignmentImport) -> str:
    """What a finished check or import says (page and command line alike)."""
    counts = {
        "new": number(batch.new_rows),
        "unchanged": number(batch.unchanged_rows),
        "homerooms": number(batch.homeroom_rows),
        "errors": number(batch.error_rows),
    }
    if batch.status == AssignmentImport.Status.DONE:
        return _("Done: %(new)s assignments set; %(homerooms)s homeroom teachers changed.") % counts
    if batch.status == AssignmentImport.Status.READY:
        return (
            _(
                "Every line is correct: %(new)s assignments will be set, %(unchanged)s stay the same; "
                "%(homerooms)s homeroom teachers will change."
            )
            % counts
        )
    if batch.error_rows:
        return refused_summary(batch, errors=counts["errors"])
    return batch.message
