"""A school's timetable from a workbook, in the layout schools already use (one sheet per school):

    Thời khóa biểu – Trường THCS Trần Phú                  (optional title line)
    Thứ | Buổi  | Tiết | 6A1            | 6A2              | 7A1 …
    2   | Sáng  | 1    | Chào cờ        | Chào cờ          | …
        |       | 2    | Toán - Hòa     | Văn - GV0012     | …
    …
    7   | Chiều | 5    |                | Tin - Nguyễn Văn Tin

- Rows are day × session × period: Thứ 2–7 ("2", "Thứ 2", "Thứ Hai", "T2"), Buổi Sáng/Chiều (the column
  may be left out: morning), Tiết 1–6. A blank Thứ or Buổi repeats the one above (merged cells).
- Columns after Tiết are the school's classes, by name. A cell is "Môn - GV" (also "Môn / GV" or on two
  lines): the subject as schools write it ("Toán", "Văn", "KHTN", "Chào cờ") and the teacher by their code
  (mã định danh), username, full name, or given name when only one teacher of the school has it. An empty
  cell is no lesson; a cell without a teacher is allowed ("Chào cờ").
- Only the first sheet is read (the school's).

Through the import engine (truonghoc.imports, `TimetableImporter`): the check reads every line and
refuses, with its line, a class that is not an open class of the school, an unknown subject, a teacher
not of the school, a day × session × period given twice (two lessons in one slot of a class), a teacher
in two classes at the same time (in the file, or in a class the file leaves alone, by its timetable in
force on the date); it writes nothing. Confirming writes, all or nothing, a new timetable of
every class of the file in force from the chosen date (replacing one that started that same day).
"""

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gradebook.selectors import open_classes, school_teachers
from gradebook.services import current_school_year
from truonghoc.formatting import number
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, refused_summary
from truonghoc.spreadsheets import SpreadsheetError, read_table
from truonghoc.text import fold
from truonghoc.xlsx import xlsx_bytes
from units.models import Unit
from units.services import audit_log

from .models import MAX_PERIOD, DaySession, Timetable, TimetableImport, TimetableImportRow, TimetableSlot, Weekday
from .permissions import can_edit_timetable
from .services_timetable import in_force_q_subquery, subject_of_grade

MAX_LINES = 200  # 6 days × 2 sessions × 6 periods, and room for blank lines
A = TimetableImportRow.Action
DAY_WORDS = {"hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7}
SESSION_WORDS = {"sang": DaySession.MORNING, "s": DaySession.MORNING, "chieu": DaySession.AFTERNOON,
                 "c": DaySession.AFTERNOON}  # fmt: skip
CELL_SPLIT = re.compile(r"\s*(?:\n|/|–|—|\s-\s|-(?=\s*\D))\s*")
HEADER_LINE = 0  # the row of problems with the header itself (a class column)


def _day(text: str) -> int | None:
    """Thứ 2..7 ("2", "Thứ 2", "Thứ Hai", "T2") → Weekday 1..6."""
    folded = fold(text).strip().removesuffix(".0")
    for prefix in ("thu", "t"):
        if folded.startswith(prefix):
            folded = folded[len(prefix) :].strip()
            break
    day = DAY_WORDS.get(folded) or (int(folded) if folded.isascii() and folded.isdigit() else None)
    return day - 1 if day and 2 <= day <= 7 else None


def _period(text: str) -> int | None:
    folded = fold(text).replace("tiet", "").strip().removesuffix(".0")
    if folded.isascii() and folded.isdigit() and 1 <= int(folded) <= MAX_PERIOD:
        return int(folded)
    return None


def split_cell(text: str) -> tuple[str, str]:
    """'Toán - Hòa' → ('Toán', 'Hòa'); 'Chào cờ' → ('Chào cờ', '')."""
    parts = [p for p in CELL_SPLIT.split(text.strip(), maxsplit=1) if p]
    if not parts:
        return "", ""
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


class Teachers:
    """The school's teachers found by code, username, full name, or a given name only one of them has."""

    def __init__(self, school: Unit):
        self.people = list(school_teachers(school=school).only("pk", "username", "national_id", "full_name"))
        self.by_key: dict[str, list] = {}
        for person in self.people:
            keys = {fold(person.username), fold(person.national_id or ""), fold(person.full_name)}
            given = fold(person.full_name).split()
            keys.add(given[-1] if given else "")
            for key in keys - {""}:
                self.by_key.setdefault(key, []).append(person)

    def find(self, text: str):
        """(person, problem): the one teacher `text` names, or why not."""
        found = {p.pk: p for p in self.by_key.get(fold(text).strip(), [])}
        if len(found) == 1:
            return next(iter(found.values())), ""
        if found:
            return None, _("%(key)s names several teachers of this school: write the code or the full name.") % {
                "key": text
            }
        return None, _("%(key)s is not a teacher of this school.") % {"key": text}


def _read(content: bytes):
    def is_header(cells):
        folded = [fold(c) for c in cells]
        return "thu" in folded and "tiet" in folded

    header, rows = read_table(content, is_header=is_header, max_lines=MAX_LINES)
    folded = [fold(c) for c in header]
    columns = {"day": folded.index("thu"), "period": folded.index("tiet")}
    if "buoi" in folded:
        columns["session"] = folded.index("buoi")
    first_class = max(columns.values()) + 1
    classes = [(n, header[n].strip()) for n in range(first_class, len(header)) if header[n].strip()]
    if not classes:
        raise SpreadsheetError(_("The file needs a column per class after Thứ, Buổi and Tiết."))
    return columns, classes, rows


def _text(cells, n) -> str:
    if n is None or n >= len(cells) or cells[n] is None:
        return ""
    value = cells[n]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check(batch: TimetableImport, content: bytes) -> TimetableImport:
    school, actor = batch.school, batch.created_by
    if actor is None or not can_edit_timetable(actor, school):
        message = _("Only the school admin, the principal or a vice-principal edits the timetable.")
        return batch_finish(batch, status=TimetableImport.Status.INVALID, message=message)
    try:
        columns, class_columns, lines = _read(content)
    except SpreadsheetError as error:
        return batch_finish(batch, status=TimetableImport.Status.INVALID, message=str(error))
    open_by_name = {fold(c.name): c for c in open_classes(school=school)}
    rows, header_problems, classes, seen_columns = [], [], [], set()
    for n, name in class_columns:
        school_class = open_by_name.get(fold(name))
        if school_class is None:
            header_problems.append(_("%(name)s is not an open class of this school.") % {"name": name})
        elif school_class.pk in seen_columns:
            header_problems.append(_("The class %(name)s has two columns.") % {"name": name})
        else:
            seen_columns.add(school_class.pk)
            classes.append((n, school_class))
    # The header's own row: the classes of the file (confirming sets each one, also a column left empty).
    header_row = {"header": True, "class_ids": [c.pk for _n, c in classes]}
    rows.append(TimetableImportRow(batch=batch, line=HEADER_LINE, data=header_row, errors=header_problems,
                                   action=A.ERROR if header_problems else A.EMPTY))  # fmt: skip
    teachers = Teachers(school)
    elsewhere = _busy_elsewhere(school, batch.valid_from, exclude=[c.pk for _n, c in classes])
    seen: dict[tuple, int] = {}
    day = session = None
    lessons = 0
    for line, cells in lines:
        texts = [_text(cells, n) for n in range(len(cells))]
        if not any(texts):
            continue
        day = _day(texts[columns["day"]]) if texts[columns["day"]] else day
        session_text = _text(cells, columns.get("session"))
        if session_text:
            session = SESSION_WORDS.get(fold(session_text))
        elif session is None or "session" not in columns:
            session = session or DaySession.MORNING
        period = _period(texts[columns["period"]]) if columns["period"] < len(texts) else None
        data = {"day": texts[columns["day"]], "session": session_text, "period": texts[columns["period"]],
                "cells": []}  # fmt: skip
        errors = []
        if day is None:
            errors.append(_("Thứ must be a day from 2 to 7."))
        if session is None:
            errors.append(_("Buổi must be Sáng or Chiều."))
        if period is None:
            errors.append(_("Tiết must be a number from 1 to %(max)s.") % {"max": MAX_PERIOD})
        if not errors:
            data.update(weekday=day, session_code=session, period_number=period,
                        day_label=str(Weekday(day).label), session_label=str(DaySession(session).label))  # fmt: skip
            key = (day, session, period)
            if key in seen:
                errors.append(
                    _("%(day)s, %(session)s, period %(period)s is already on line %(other)s: a class has one "
                      "lesson at a time.")
                    % {"day": Weekday(day).label, "session": DaySession(session).label, "period": period,
                       "other": seen[key]}
                )  # fmt: skip
            seen[key] = line
        busy: dict[int, str] = dict(elsewhere.get((day, session, period), {}))  # teacher → the class they teach
        for n, school_class in classes:
            text = _text(cells, n)
            if not text:
                continue
            subject_text, teacher_text = split_cell(text)
            cell = {"class": school_class.name, "class_id": school_class.pk, "text": text}
            try:
                cell["subject"] = subject_of_grade(
                    subject_text, school_year=batch.school_year, grade=school_class.grade
                )
            except ValidationError as error:
                errors.append(f"{school_class.name}: {' '.join(error.messages)}")
            if teacher_text:
                person, problem = teachers.find(teacher_text)
                if person is None:
                    errors.append(f"{school_class.name}: {problem}")
                elif person.pk in busy:
                    errors.append(
                        _("%(name)s: %(teacher)s already teaches %(other)s at that time.")
                        % {"name": school_class.name, "teacher": person.full_name, "other": busy[person.pk]}
                    )
                else:
                    busy[person.pk] = school_class.name
                    cell.update(teacher_id=person.pk, teacher_name=person.full_name)
            data["cells"].append(cell)
        action = A.ERROR if errors else (A.SET if data["cells"] else A.EMPTY)
        lessons += len(data["cells"]) if not errors else 0
        rows.append(TimetableImportRow(batch=batch, line=line, data=data, errors=errors, action=action))
    TimetableImportRow.objects.bulk_create(rows)
    batch.total_rows = sum(r.line != HEADER_LINE for r in rows)
    batch.error_rows = sum(r.action == A.ERROR for r in rows)
    batch.new_rows = lessons
    batch.class_count = len(classes)
    message = ""
    if not batch.total_rows:
        message = _("The file has a header but no line of the timetable.")
    ready = not batch.error_rows and batch.total_rows
    status = TimetableImport.Status.READY if ready else TimetableImport.Status.INVALID
    return batch_finish(batch, status=status, message=message)


def _busy_elsewhere(school: Unit, day: date, *, exclude: list[int]) -> dict[tuple, dict[int, str]]:
    """{(weekday, session, period): {teacher: class}} of the school's classes the file leaves as they are,
    from their timetables in force on `day` (one query): a teacher of the file must be free then too."""
    rows = (
        TimetableSlot.objects.filter(timetable__school=school, teacher__isnull=False, timetable__valid_from__lte=day)
        .exclude(timetable__school_class_id__in=exclude)
        .annotate(in_force=in_force_q_subquery(day))
        .filter(timetable_id=F("in_force"))
        .values_list("teacher_id", "weekday", "session", "period", "timetable__school_class__name")
    )
    busy: dict[tuple, dict[int, str]] = {}
    for teacher, weekday, session, period, name in rows:
        busy.setdefault((weekday, session, period), {})[teacher] = name
    return busy


def _apply(batch: TimetableImport, actor) -> TimetableImport:
    """A new timetable of each class of the file from `valid_from`, every slot in one go; a class closed
    or a teacher gone since the check refuses the whole file."""
    school = batch.school
    if actor is None or not can_edit_timetable(actor, school):
        raise ImportRefused(_("Only the school admin, the principal or a vice-principal edits the timetable."))
    rows = list(batch.rows.filter(action=A.SET).exclude(line=HEADER_LINE).order_by("line"))
    header = batch.rows.filter(line=HEADER_LINE).first()
    if header is None or header.errors:
        raise ImportRefused(_("The file has problems; nothing was written."))
    class_ids = set(header.data["class_ids"])
    open_now = {c.pk for c in open_classes(school=school)}
    if class_ids - open_now:
        raise ImportRefused(_("Nothing was written: a class of the file is no longer open."))
    teacher_ids = {c["teacher_id"] for r in rows for c in r.data["cells"] if c.get("teacher_id")}
    if teacher_ids - set(school_teachers(school=school).filter(pk__in=teacher_ids).values_list("pk", flat=True)):
        raise ImportRefused(_("Nothing was written: a teacher of the file no longer teaches at this school."))
    existing = {t.school_class_id: t for t in Timetable.objects.filter(school_class_id__in=class_ids,
                                                                      valid_from=batch.valid_from)}  # fmt: skip
    TimetableSlot.objects.filter(timetable__in=list(existing.values())).delete()
    now = timezone.now()
    for class_id in class_ids - set(existing):
        existing[class_id] = Timetable.objects.create(
            school=school, school_class_id=class_id, school_year=batch.school_year, valid_from=batch.valid_from,
            created_by=actor,
        )  # fmt: skip
    Timetable.objects.filter(pk__in=[t.pk for t in existing.values()]).update(updated_at=now)
    slots = [
        TimetableSlot(
            timetable=existing[cell["class_id"]],
            weekday=row.data["weekday"],
            session=row.data["session_code"],
            period=row.data["period_number"],
            subject=cell["subject"],
            teacher_id=cell.get("teacher_id"),
        )
        for row in rows
        for cell in row.data["cells"]
    ]
    TimetableSlot.objects.bulk_create(slots, batch_size=1000)
    batch.new_rows, batch.class_count = len(slots), len(class_ids)
    audit_log(
        actor=actor, action="teaching.timetable_import", unit=school, target=batch,
        after={"file": batch.original_name, "valid_from": batch.valid_from.isoformat(), "classes": len(class_ids),
               "lessons": len(slots)},
    )  # fmt: skip
    return batch_finish(batch, status=TimetableImport.Status.DONE)


class TimetableImporter(Importer):
    """The timetable as a user of the import engine."""

    model = TimetableImport
    crash_message = gettext_lazy("Something went wrong on our side; nothing was written. Please try again or tell us.")
    apply_related = ("school",)

    def check(self, batch: TimetableImport, content: bytes) -> TimetableImport:
        return _check(batch, content)

    def apply(self, batch: TimetableImport, actor) -> TimetableImport:
        return _apply(batch, actor)


IMPORTER = TimetableImporter()


def _may_run(actor, school: Unit) -> None:
    if not can_edit_timetable(actor, school):
        raise PermissionDenied(_("Only the school admin, the principal or a vice-principal edits the timetable."))


@transaction.atomic
def timetable_import_start(*, actor, school: Unit, upload, valid_from: date) -> TimetableImport:
    """Register a timetable workbook of `school`, to be in force from `valid_from` (the check runs next)."""
    _may_run(actor, school)
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{school.code}-tkb-{timezone.now():%Y%m%d-%H%M%S}.bin", school=school,
        school_year=current_school_year(school, valid_from), valid_from=valid_from, created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="teaching.timetable_import_upload", unit=school, target=batch,
        after={"file": batch.original_name, "valid_from": valid_from.isoformat()},
    )  # fmt: skip
    return batch


def timetable_import_validate(*, batch: TimetableImport, content: bytes | None = None) -> TimetableImport:
    return IMPORTER.validate(batch, content)


def timetable_import_confirm(*, actor, batch: TimetableImport) -> TimetableImport:
    _may_run(actor, batch.school)
    return IMPORTER.confirm(batch)


def timetable_import_apply(*, actor, batch: TimetableImport) -> TimetableImport:
    return IMPORTER.run_apply(batch, actor)


def timetable_import_cancel(*, actor, batch: TimetableImport) -> TimetableImport:
    _may_run(actor, batch.school)
    return IMPORTER.cancel(batch, message=_("Cancelled: nothing was written."))


def timetable_import_summary(batch: TimetableImport) -> str:
    counts = {"lessons": number(batch.new_rows), "classes": number(batch.class_count),
              "errors": number(batch.error_rows), "day": f"{batch.valid_from:%d/%m/%Y}"}  # fmt: skip
    if batch.status == TimetableImport.Status.DONE:
        return _("Done: the timetables of %(classes)s classes (%(lessons)s lessons) apply from %(day)s.") % counts
    if batch.status == TimetableImport.Status.READY:
        return (
            _("Every line is correct: %(classes)s classes, %(lessons)s lessons; their new timetables will apply "
              "from %(day)s.") % counts
        )  # fmt: skip
    if batch.error_rows:
        return refused_summary(batch, errors=counts["errors"])
    return batch.message


def template_xlsx(school: Unit) -> bytes:
    """The layout to fill in: the school's open classes as columns, Monday–Saturday × morning and
    afternoon × 5 periods as rows, one example cell."""
    classes = [c.name for c in open_classes(school=school)]
    rows = []
    for weekday in range(2, 8):
        for session in ("Sáng", "Chiều"):
            for period in range(1, 6):
                first = period == 1
                rows.append([weekday if first and session == "Sáng" else "", session if first else "", period,
                             *[""] * len(classes)])  # fmt: skip
    if classes:
        rows[0][3] = "Chào cờ"
        rows[1][3] = "Toán - " + _("teacher's code or name")
    title = _("Timetable of %(school)s") % {"school": school.name}
    return xlsx_bytes(title=title, header=["Thứ", "Buổi", "Tiết", *classes], rows=rows, sheet_name=school.name)
