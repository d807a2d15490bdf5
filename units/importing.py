"""Units from a spreadsheet (issue #15): a province's Offices and schools, a school's groups and classes.

The import engine's steps (truonghoc.imports, `UnitImporter`): the upload is kept, every row is checked and
shown with what confirming it does (created / updated / unchanged / refused, with its line), and confirming
applies the whole file or nothing. Rows are matched on the unit code, so loading the same file again
updates names, addresses and declared numbers and never creates a unit twice.

Two column sets are read: the template's (code, name, level, parent code, address, declared numbers of
teachers and students, grade, homeroom teacher) and the national education database's school export
(mã trường, tên trường, cấp học, loại hình, mã phòng/sở), with or without accents, in any letter case.

Refused rows: a code used twice in the file, a unit placed under the wrong kind of parent
(`services._check_placement`: THPT under an Office …), an unknown parent code, a parent (or a unit) outside
the subtree of the unit loaded into, a name that starts like a formula or holds bidi controls. A file with
one refused row cannot be confirmed. New units are written by `services.units_tree_bulk_create` (the whole
forest at once, in bulk inserts), changed ones by one bulk update; both audited with `audit_log_many`.
Applying costs the same number of queries for 20 rows or 2,000 (tests/units/test_unit_import.py).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from truonghoc.bulk import bulk_insert, bulk_update_rows, wide_batches
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, progress_set
from truonghoc.spreadsheets import HEADER_SEARCH_ROWS, SpreadsheetError, read_table
from truonghoc.text import fold, formula_or_bidi_problem, nfc
from truonghoc.xlsx import workbook_bytes

from .models import Unit, UnitImport, UnitImportRow, is_below, parent_path
from .permissions import can_import_units
from .services import AuditRecord, UnitSpec, _check_placement, audit_log, audit_log_many, units_tree_bulk_create

K = Unit.Kind
L = Unit.SchoolLevel
A = UnitImportRow.Action
BATCH = 2000
CHUNK = 2000  # values per IN (…): well under SQLite's and PostgreSQL's limits

# (key, the template's header, other headers understood — folded by header_key, in order of preference)
COLUMNS = [
    ("code", "Mã đơn vị", ("ma don vi", "ma truong", "ma", "code", "ma dv", "ma so truong", "unit code")),
    ("name", "Tên đơn vị", ("ten don vi", "ten truong", "ten", "name", "ten dv", "unit name")),
    ("level", "Cấp học / loại đơn vị", ("cap hoc loai don vi", "cap hoc", "loai don vi", "cap", "loai", "level",
                                        "kind")),
    ("ownership", "Loại hình", ("loai hinh", "loai hinh truong", "ownership")),
    ("parent", "Mã đơn vị cấp trên", ("ma don vi cap tren", "ma phong so", "ma phong", "ma so", "ma phong gd",
                                      "ma phong gddt", "ma so gddt", "ma cap tren", "ma don vi quan ly", "parent",
                                      "parent code")),
    ("address", "Địa chỉ", ("dia chi", "address")),
    ("teachers", "Số giáo viên", ("so giao vien", "so gv", "giao vien", "teachers")),
    ("students", "Số học sinh", ("so hoc sinh", "so hs", "hoc sinh", "students")),
    ("grade", "Khối", ("khoi", "khoi lop", "grade")),
    ("homeroom", "Giáo viên chủ nhiệm", ("giao vien chu nhiem", "gvcn", "homeroom teacher", "homeroom")),
]  # fmt: skip
IGNORED_COLUMNS = ("stt", "tt", "so tt", "so thu tu", "no")

# What the "cấp học" / kind cell may say (folded), and the unit kind and school level it means.
LEVELS = {
    **dict.fromkeys(("bo", "bo gddt", "bo giao duc va dao tao", "ministry"), (K.MINISTRY, "")),
    **dict.fromkeys(("so", "so gddt", "so giao duc", "so giao duc va dao tao", "department"), (K.DEPARTMENT, "")),
    **dict.fromkeys(("phong", "phong gddt", "phong giao duc", "phong giao duc va dao tao", "office"), (K.OFFICE, "")),
    **dict.fromkeys(("tieu hoc", "th", "truong tieu hoc", "primary"), (K.SCHOOL, L.PRIMARY)),
    **dict.fromkeys(("thcs", "trung hoc co so", "truong thcs", "lower secondary"), (K.SCHOOL, L.LOWER_SECONDARY)),
    **dict.fromkeys(("thpt", "trung hoc pho thong", "truong thpt", "upper secondary"), (K.SCHOOL, L.UPPER_SECONDARY)),
    **dict.fromkeys(
        ("lien cap", "th thcs", "thcs thpt", "th thcs thpt", "pho thong nhieu cap hoc", "truong lien cap",
         "pho thong co nhieu cap hoc", "truong pho thong co nhieu cap hoc", "multi level"),
        (K.SCHOOL, L.MULTI_LEVEL),
    ),
    **dict.fromkeys(
        ("gdtx", "tt gdtx", "trung tam gdtx", "giao duc thuong xuyen", "trung tam giao duc thuong xuyen",
         "gdnn gdtx", "tt gdnn gdtx", "trung tam gdnn gdtx", "continuing education"),
        (K.SCHOOL, L.CONTINUING),
    ),
    **dict.fromkeys(("dai hoc su pham", "truong dai hoc su pham", "university"), (K.UNIVERSITY, "")),
    **dict.fromkeys(("to", "to chuyen mon", "to bo mon", "nhom chuyen mon", "group"), (K.GROUP, "")),
    **dict.fromkeys(("lop", "lop hoc", "class"), (K.CLASS, "")),
}  # fmt: skip
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
LEADING_NUMBER = re.compile(r"^(?:lop\s*)?(\d{1,2})")
MAX_DECLARED = 100_000


@lru_cache(maxsize=4096)  # a level column says the same few words on every row of a country
def header_key(text) -> str:
    """A header cell as it is matched: accents and case folded, notes in brackets and punctuation dropped."""
    folded = re.sub(r"\(.*?\)", " ", fold(str(text or "")))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


_ALIASES = {key: tuple(header_key(a) for a in aliases) for key, _label, aliases in COLUMNS}
_KNOWN = {alias for aliases in _ALIASES.values() for alias in aliases}


def _looks_like_header(cells: list[str]) -> bool:
    keys = {header_key(c) for c in cells if c}
    return bool(keys & set(_ALIASES["code"])) and bool(keys & set(_ALIASES["name"]))


def _header_map(header: list[str]) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    positions: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for alias in aliases:
            index = next((i for i, k in enumerate(keys) if k == alias and i not in positions.values()), None)
            if index is not None:
                positions[key] = index
                break
    return positions


def _level_label(kind: str, level: str) -> str:
    return _level_label_in(kind, level, get_language())


@lru_cache(maxsize=256)
def _level_label_in(kind: str, level: str, language: str | None) -> str:
    return str(L(level).label) if level else str(K(kind).label)


# --- the template ----------------------------------------------------------------------------------
def unit_import_template_xlsx(*, under: Unit) -> bytes:
    """The file to fill in: the header on the first sheet, a guide and an example on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Don vi"
    sheet.append([label for _key, label, _aliases in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter in "ABCDEFGHIJ":
        sheet.column_dimensions[letter].width = 20
        for row in range(2, 1002):  # codes keep their leading zeros
            if letter in "AE":
                sheet[f"{letter}{row}"].number_format = "@"
    guide = book.create_sheet("Huong dan")
    school_level = under.is_school
    lines = [
        [_("How to fill in this file — %(unit)s") % {"unit": under.name}],
        [_("One unit per row on the first sheet, from row 2; keep the header row as it is.")],
        [_("Required: code and name. Level: Phòng, Tiểu học, THCS, THPT, Liên cấp, GDTX, Tổ or Lớp.")],
        [_("Parent code: the Office or school the unit belongs to; empty means %(unit)s.") % {"unit": under.name}],
        [_("Units are recognised by their code: loading the file again updates names and numbers, never duplicates.")],
        [
            _(
                "The national education database's school export (mã trường, tên trường, cấp học, mã phòng/sở) "
                "is read too."
            )
        ],
        [],
        [_("Example (not imported):")],
        [label for _key, label, _aliases in COLUMNS],
    ]
    if school_level:
        lines += [
            [f"{under.code}-TOAN", "Tổ Toán – Tin", "Tổ", "", under.code, "", "", "", "", ""],
            [f"{under.code}-6A1", "6A1", "Lớp", "", under.code, "", "", "", "6", "gv.an"],
        ]
    else:
        lines += [
            ["PGD01", "Phòng GDĐT Phủ Lý", "Phòng", "", under.code, "", "", "", "", ""],
            ["35001", "Trường THCS Trần Phú", "THCS", "Công lập", "PGD01", "Phủ Lý, Hà Nam", "45", "820", "", ""],
        ]
    for line in lines:
        guide.append(line)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 30
    return workbook_bytes(book)


# --- checking ---------------------------------------------------------------------------------------
@dataclass
class Planned:
    """One row of the file, cleaned, with what confirming it would do."""

    line: int
    data: dict
    errors: list[str] = field(default_factory=list)
    unit: Unit | None = None  # the unit with this code, when it exists
    parent_unit: Unit | None = None  # an existing parent
    parent_row: "Planned | None" = None  # a parent created by the same file
    changes: dict = field(default_factory=dict)  # field -> (before, after), for an existing unit
    action: str = ""


# Translated when a message needs them, not once per row of a country.
TEACHERS, STUDENTS = gettext_lazy("the number of teachers"), gettext_lazy("the number of students")


def _number(value, label, errors: list[str]) -> int | None:
    text = re.sub(r"[\s.,]", "", str(value or ""))
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_DECLARED:
        errors.append(
            _("%(column)s “%(value)s” is not a whole number from 0 to 100,000") % {"column": label, "value": value}
        )
        return None
    return int(text)


def _clean(line: int, values: dict, under_code: str) -> Planned:
    errors: list[str] = []
    code = nfc(str(values.get("code") or "")).replace(" ", "")
    name = nfc(str(values.get("name") or ""))
    parent = nfc(str(values.get("parent") or "")).replace(" ", "")
    address = nfc(str(values.get("address") or ""))[:255]
    homeroom = nfc(str(values.get("homeroom") or ""))
    level_text = nfc(str(values.get("level") or ""))
    grade_text = nfc(str(values.get("grade") or ""))
    kind, level = LEVELS.get(header_key(level_text), ("", ""))
    grade = None
    if grade_text:
        if grade_text.isdigit() and 1 <= int(grade_text) <= 12:
            grade = int(grade_text)
        else:
            errors.append(_("the grade “%(value)s” is not a number from 1 to 12") % {"value": grade_text})
    if not level_text and grade_text:
        kind = K.CLASS  # a grade says it is a class
    if kind == K.CLASS and grade is None and not grade_text:
        match = LEADING_NUMBER.match(fold(name))
        grade = int(match.group(1)) if match and 1 <= int(match.group(1)) <= 12 else None
    if not level_text and not grade_text:
        errors.append(_("the level (cấp học) is missing"))
    elif not kind:
        errors.append(
            _("the level “%(value)s” is not one we know (Phòng, Tiểu học, THCS, THPT, Liên cấp, GDTX, Tổ, Lớp)")
            % {"value": level_text}
        )
    elif kind == K.CLASS and grade is None and not grade_text:
        errors.append(_("the class %(name)s needs a grade (Khối) from 1 to 12") % {"name": name})
    if kind != K.CLASS and grade is not None:
        errors.append(_("only a class has a grade"))
        grade = None
    if not code and kind in (K.GROUP, K.CLASS) and name:
        # A school's groups and classes seldom have codes: the school's code and the name make one.
        code = f"{parent or under_code}-{re.sub(r'[^0-9a-z]+', '', fold(name))}"[:40].upper()
    if not code:
        errors.append(_("the code is missing"))
    elif not CODE.match(code):
        errors.append(
            _("the code “%(value)s” should be up to 40 letters, digits, “.”, “-” or “_”") % {"value": code[:60]}
        )
    unsafe = formula_or_bidi_problem(name) or formula_or_bidi_problem(address)
    if unsafe:
        errors.append(unsafe)
    elif not name:
        errors.append(_("the name is missing"))
    elif len(name) > 255:
        errors.append(_("the name is longer than 255 characters"))
    teachers = _number(values.get("teachers"), TEACHERS, errors)
    students = _number(values.get("students"), STUDENTS, errors)
    if (teachers is not None or students is not None) and kind and kind not in Unit.SCHOOL_KINDS:
        errors.append(_("only a school declares its numbers of teachers and students"))
    if homeroom and kind and kind != K.CLASS:
        errors.append(_("only a class has a homeroom teacher"))
    data = {
        "code": code, "name": name, "kind": kind, "level": level, "grade": grade, "parent": parent,
        "address": address, "teachers": teachers, "students": students, "homeroom": homeroom,
        "ownership": nfc(str(values.get("ownership") or ""))[:60],
        "level_label": _level_label(kind, level) if kind else level_text,
    }  # fmt: skip
    return Planned(line=line, data=data, errors=errors)


def _units_by_code(codes) -> dict[str, Unit]:
    codes = sorted(set(codes))
    found: dict[str, Unit] = {}
    fields = ("id", "code", "name", "kind", "school_level", "path", "depth", "is_active", "address",
              "declared_teachers", "declared_students", "homeroom_teacher_id", "grade")  # fmt: skip
    for start in range(0, len(codes), CHUNK):
        for unit in Unit.objects.filter(code__in=codes[start : start + CHUNK]).only(*fields).order_by():
            found[unit.code] = unit
    return found


def _teachers_by_key(keys) -> dict[str, dict]:
    """{username or personal ID: {pk, path of their unit, active}} of the homeroom teachers named."""
    keys = sorted(set(keys))
    found: dict[str, dict] = {}
    User = get_user_model()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for row in User.objects.filter(Q(username__in=chunk) | Q(national_id__in=chunk)).values(
            "pk", "username", "national_id", "is_active", "unit__path", "full_name"
        ):
            found.setdefault(row["national_id"] or "", row)
            found[row["username"]] = row  # a username wins over somebody's personal ID
    found.pop("", None)
    return found


def plan_rows(*, under: Unit, rows, batch: UnitImport | None = None, total: int = 0) -> list[Planned]:
    """Check every row of a file against the tree as it is now; writes nothing."""
    planned = []
    for n, (line, values) in enumerate(rows, start=1):
        planned.append(_clean(line, values, under.code))
        if batch is not None and n % 1000 == 0:
            progress_set(batch, n, total, "check")
    return plan_cleaned(under=under, planned=planned)


# What the tree said at the check, recomputed when the plan is made again at the apply step.
_RESOLVED_KEYS = ("unit", "changes", "homeroom_id", "homeroom_name")


def plan_checked(*, under: Unit, batch: UnitImport) -> list[Planned]:
    """The plan of a checked batch made again from its kept rows (their cleaned values) against the tree
    as it is now: what the apply step relies on, without reading the file a second time."""
    planned = []
    rows = batch.rows.order_by("line").values_list("line", "data", "errors")
    for line, data, errors in rows.iterator(chunk_size=BATCH):
        data = {k: v for k, v in data.items() if k not in _RESOLVED_KEYS}
        planned.append(Planned(line=line, data=data, errors=list(errors)))
    return plan_cleaned(under=under, planned=planned)


def plan_cleaned(*, under: Unit, planned: list[Planned]) -> list[Planned]:
    """The checks that read the tree (and the file as a whole) on rows already cleaned one by one."""
    first_line: dict[str, Planned] = {}
    for row in planned:
        code = row.data["code"]
        if code and code in first_line:
            row.errors.append(
                _("the code %(code)s is also on line %(line)d") % {"code": code, "line": first_line[code].line}
            )
        elif code:
            first_line[code] = row
    existing = _units_by_code(
        [r.data["code"] for r in planned if r.data["code"]] + [r.data["parent"] for r in planned if r.data["parent"]]
    )
    teachers = _teachers_by_key(r.data["homeroom"] for r in planned if r.data["homeroom"])
    for row in planned:
        _resolve(row, under=under, in_file=first_line, existing=existing, teachers=teachers)
    # A row whose parent (in the same file) is refused cannot be created either: down every level.
    changed = True
    while changed:
        changed = False
        for row in planned:
            if row.parent_row is not None and row.parent_row.errors and not row.errors:
                row.errors.append(
                    _("its parent %(code)s (line %(line)d) is refused")
                    % {"code": row.parent_row.data["code"], "line": row.parent_row.line}
                )
                changed = True
    for row in planned:
        if row.errors:
            row.action = A.ERROR
        elif row.unit is None:
            row.action = A.CREATE
        else:
            row.action = A.UPDATE if row.changes else A.UNCHANGED
    return planned


def _resolve(row: Planned, *, under: Unit, in_file: dict, existing: dict, teachers: dict) -> None:
    """Where the row goes, what exists already, and the placement rule."""
    data = row.data
    if not data["kind"] or not data["code"]:
        return
    unit = existing.get(data["code"])
    if unit is not None:
        if unit.pk == under.pk:
            row.errors.append(_("%(code)s is the unit you are loading into itself") % {"code": unit.code})
            return
        if not is_below(unit.path, under.path, include_self=False):
            row.errors.append(
                _("the code %(code)s is already used by %(name)s, outside %(under)s")
                % {"code": unit.code, "name": unit.name, "under": under.name}
            )
            return
        if not unit.is_active:
            row.errors.append(_("%(name)s (%(code)s) is no longer active") % {"name": unit.name, "code": unit.code})
            return
        if (unit.kind, unit.school_level) != (data["kind"], data["level"]):
            row.errors.append(
                _("%(code)s is a %(is)s, not a %(says)s: change its kind on the structure page")
                % {"code": unit.code, "is": _level_label(unit.kind, unit.school_level), "says": data["level_label"]}
            )
            return
        row.unit = unit
    # The parent: another row of the file, a unit of the importer's subtree, or the unit loaded into.
    code = data["parent"]
    if not code:
        if unit is None:
            row.parent_unit = under
    elif code == data["code"]:
        row.errors.append(_("a unit cannot be its own parent"))
        return
    elif code in existing:  # a parent that exists already, even when the file lists it too
        parent = existing[code]
        if not is_below(parent.path, under.path):
            row.errors.append(
                _("the parent %(code)s (%(name)s) is outside %(under)s")
                % {"code": code, "name": parent.name, "under": under.name}
            )
            return
        row.parent_unit = parent
    elif code in in_file and in_file[code] is not row:
        row.parent_row = in_file[code]
    else:
        row.errors.append(_("there is no unit with the parent code %(code)s") % {"code": code})
        return
    if unit is not None:
        if row.parent_row is not None or (
            row.parent_unit is not None and parent_path(unit.path) != row.parent_unit.path
        ):
            row.errors.append(
                _("%(name)s (%(code)s) is under another unit: move it on the structure page, not by a file")
                % {"name": unit.name, "code": unit.code}
            )
            return
    else:
        if row.parent_unit is not None:
            parent = row.parent_unit
        else:
            parent_data = row.parent_row.data
            # What the placement rule reads of a parent made by the same file (not a model per row).
            parent = SimpleNamespace(
                kind=parent_data["kind"] or K.SCHOOL,
                school_level=parent_data["level"],
                name=parent_data["name"],
                is_active=True,
            )
        try:
            _check_placement(kind=data["kind"], school_level=data["level"], parent=parent, grade=data["grade"])
        except ValidationError as exc:
            row.errors += exc.messages
            return
    _resolve_homeroom(row, teachers)
    if unit is not None:
        _changes(row)


def _school_path(row: Planned) -> str | None:
    if row.unit is not None:
        return parent_path(row.unit.path)
    return row.parent_unit.path if row.parent_unit is not None else None


def _resolve_homeroom(row: Planned, teachers: dict) -> None:
    key = row.data["homeroom"]
    row.data["homeroom_id"] = None
    if not key:
        return
    teacher = teachers.get(key)
    school = _school_path(row)
    if teacher is None or not teacher["is_active"] or school is None or teacher["unit__path"] != school:
        row.errors.append(_("the homeroom teacher %(who)s is not an active account of this school") % {"who": key})
        return
    row.data["homeroom_id"] = teacher["pk"]
    row.data["homeroom_name"] = teacher["full_name"]


def _changes(row: Planned) -> None:
    unit, data = row.unit, row.data
    wanted = {"name": data["name"]}
    if data["address"]:
        wanted["address"] = data["address"]
    if data["teachers"] is not None:
        wanted["declared_teachers"] = data["teachers"]
    if data["students"] is not None:
        wanted["declared_students"] = data["students"]
    if data["homeroom_id"]:
        wanted["homeroom_teacher_id"] = data["homeroom_id"]
    row.changes = {f: (getattr(unit, f), v) for f, v in wanted.items() if getattr(unit, f) != v}
    data["unit"] = unit.pk
    data["changes"] = sorted(row.changes)


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """The file's rows as {column key: cell} (SpreadsheetError with the reason when it cannot be read)."""
    header, rows = read_table(
        content, is_header=_looks_like_header, max_lines=settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + 1000
    )
    positions = _header_map(header)
    raw = []
    for line, cells in rows:
        raw.append((line, {key: (cells[i] if i < len(cells) else "") for key, i in positions.items()}))
        if len(raw) > settings.IMPORT_MAX_ROWS:
            raise SpreadsheetError(
                _("The file has more than %(max)d rows. Split it into several files and import them one by one.")
                % {"max": settings.IMPORT_MAX_ROWS}
            )
    if not raw:
        raise SpreadsheetError(_("The file has a header but no rows of units."))
    return raw


def _no_header_message() -> str:
    return _(
        "None of the first rows names the columns. The list needs at least a code and a name column "
        "(“Mã đơn vị” / “Mã trường” and “Tên đơn vị” / “Tên trường”). Download the template."
    )


def _check_file(batch: UnitImport, content: bytes) -> UnitImport:
    try:
        raw = read_rows(content)
    except SpreadsheetError as exc:
        message = str(exc)
        if message == _("The file has no header row naming its columns."):
            message = _no_header_message()
        return batch_finish(batch, status=UnitImport.Status.INVALID, message=message)
    planned = plan_rows(under=batch.under, rows=raw, batch=batch, total=len(raw))
    with wide_batches():
        bulk_insert(
            UnitImportRow,
            [UnitImportRow(batch=batch, line=r.line, data=r.data, errors=r.errors, action=r.action) for r in planned],
            batch_size=BATCH,
        )
    counts = Counter(r.action for r in planned)
    batch.total_rows = len(planned)
    batch.error_rows = counts[A.ERROR]
    batch.new_rows = counts[A.CREATE]
    batch.updated_rows = counts[A.UPDATE]
    batch.unchanged_rows = counts[A.UNCHANGED]
    message = ""
    if not batch.error_rows and not batch.new_rows and not batch.updated_rows:
        message = _("Every unit in this file is already there as it says: there is nothing to change.")
    ok = not batch.error_rows and (batch.new_rows or batch.updated_rows)
    return batch_finish(batch, status=UnitImport.Status.READY if ok else UnitImport.Status.INVALID, message=message)


# --- applying -----------------------------------------------------------------------------------------
def apply_plan(*, actor, under: Unit, planned: list[Planned], batch: UnitImport | None = None) -> dict:
    """Write a checked plan without a refused row: all the new units with one units_tree_bulk_create
    (paths built in bulk, a fixed number of queries for 20 units or 45,000), the changed ones with one
    bulk update. Audited (an entry per unit, and one for the file). Returns the counts."""
    if any(r.errors for r in planned):
        raise ValueError("a plan with refused rows is never applied")
    now = timezone.now()
    pending = [r for r in planned if r.action == A.CREATE]
    index = {id(r): i for i, r in enumerate(pending)}
    specs, parents = [], []
    for r in pending:
        specs.append(
            UnitSpec(
                code=r.data["code"], name=r.data["name"], kind=r.data["kind"], school_level=r.data["level"],
                grade=r.data["grade"], address=r.data["address"], declared_teachers=r.data["teachers"],
                declared_students=r.data["students"], homeroom_teacher_id=r.data.get("homeroom_id"),
            )
        )  # fmt: skip
        if r.parent_row is None:
            parents.append(r.parent_unit)
        elif id(r.parent_row) in index:
            parents.append(index[id(r.parent_row)])
        else:  # cannot happen after plan_rows (a parent row is created or refused): never guess
            raise ImportRefused(_("Nothing was imported: some parents could not be placed."))
    created = units_tree_bulk_create(
        actor=actor, specs=specs, parents=parents, action="unit.import_create",
        note={"batch": batch.pk if batch else None},
    ) if specs else []  # fmt: skip
    if batch is not None:
        progress_set(batch, len(created), len(pending), "create")
    changed = [r for r in planned if r.action == A.UPDATE]
    fields = sorted({f for r in changed for f in r.changes})
    if changed:
        units = []
        for row in changed:
            for name, (_before, after) in row.changes.items():
                setattr(row.unit, name, after)
            row.unit.name_folded = fold(row.unit.name)
            row.unit.updated_at = now
            units.append(row.unit)
        update = [*fields, "updated_at"] + (["name_folded"] if "name" in fields else [])
        bulk_update_rows(Unit, units, update)
    audit_log_many(
        actor=actor,
        action="unit.import_update",
        records=(
            AuditRecord(
                unit=r.unit, target=r.unit,
                before={f: b for f, (b, _a) in r.changes.items()}, after={f: a for f, (_b, a) in r.changes.items()},
            )
            for r in changed
        ),
    )  # fmt: skip
    counts = {
        "created": len(created),
        "updated": len(changed),
        "unchanged": sum(r.action == A.UNCHANGED for r in planned),
    }
    audit_log(
        actor=actor, action="unit.import", unit=under, target=batch or under,
        after={**counts, "file": batch.original_name if batch else ""},
    )  # fmt: skip
    return counts


def _apply(batch: UnitImport, actor) -> UnitImport:
    """The checked rows are checked again against the tree inside the transaction (another import, a unit
    moved or renamed since the preview): a row refused now refuses the whole file, and nothing is written."""
    Unit.objects.select_for_update().filter(pk=batch.under_id).get()
    planned = plan_checked(under=batch.under, batch=batch)
    refused = [r for r in planned if r.errors]
    if refused:
        text = "; ".join(
            _("line %(line)d: %(problem)s") % {"line": r.line, "problem": r.errors[0]} for r in refused[:20]
        )
        raise ImportRefused(
            _("Nothing was imported: the situation changed since the check. %(problems)s") % {"problems": text}
        )
    with wide_batches():
        counts = apply_plan(actor=actor, under=batch.under, planned=planned, batch=batch)
    batch.new_rows, batch.updated_rows, batch.unchanged_rows = counts["created"], counts["updated"], counts["unchanged"]
    return batch_finish(batch, status=UnitImport.Status.DONE)


class UnitImporter(Importer):
    """Units as a user of the import engine: reading and checking units, and writing them."""

    model = UnitImport
    crash_message = gettext_lazy("Something went wrong on our side; nothing was changed. Please try again or tell us.")
    apply_related = ("under",)

    def check(self, batch: UnitImport, content: bytes) -> UnitImport:
        return _check_file(batch, content)

    def apply(self, batch: UnitImport, actor) -> UnitImport:
        return _apply(batch, actor)


IMPORTER = UnitImporter()


@transaction.atomic
def unit_import_start(*, actor, under: Unit, upload) -> UnitImport:
    """Register an uploaded file (the caller then runs or enqueues the check). `actor=None` is the
    command line, which answers for itself."""
    if actor is not None and not can_import_units(actor, under):
        raise PermissionDenied
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{under.code}-{timezone.now():%Y%m%d-%H%M%S}.bin", under=under, created_by=actor
    )
    audit_log(actor=actor, action="unit.import_upload", unit=under, target=batch, after={"file": batch.original_name})
    return batch


def unit_import_validate(*, batch: UnitImport, content: bytes | None = None) -> UnitImport:
    return IMPORTER.validate(batch, content)


def unit_import_confirm(*, actor, batch: UnitImport) -> UnitImport:
    if actor is not None and not can_import_units(actor, batch.under):
        raise PermissionDenied
    return IMPORTER.confirm(batch)


def unit_import_apply(*, actor, batch: UnitImport) -> UnitImport:
    """Write the whole checked file, or nothing (the engine's apply step)."""
    return IMPORTER.run_apply(batch, actor)
