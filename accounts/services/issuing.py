"""Issuing accounts: one at a time, or many from a spreadsheet, always within the school's quota.

A spreadsheet goes through two steps. `import_validate` reads the file and records every row with its
problems (missing name, bad date, unknown class, duplicate mã định danh in the file or elsewhere,
over quota); nothing is written but the check results. `import_apply` then creates all the new
accounts or none, in one transaction. Rows are matched by mã định danh, so importing the same file
again changes nothing. The steps are the import engine's (truonghoc.imports, `AccountImport`): both
run in a Celery task for large files, reporting progress.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from truonghoc.formatting import date_text, number
from truonghoc.imports.engine import Importer, ImportRefused, batch_finish, progress_set
from truonghoc.spreadsheets import HEADER_SEARCH_ROWS, SpreadsheetError, read_table
from truonghoc.text import fold, formula_or_bidi_problem, nfc
from truonghoc.xlsx import workbook_bytes
from units.models import Role, Unit
from units.services import AuditRecord, audit_log, audit_log_many, role_assignments_bulk_create

from ..models import ImportRow, IssueBatch, User, name_fields
from ..permissions import can_reissue_credentials, named_from_above
from .credentials import credentials_issue, sheet_store, unusable_password
from .quotas import quota_check, quota_lock, quota_usage

T = User.AccountType
BATCH = 2000

# Template columns (Vietnamese, as schools type them) and the other names schools give them, folded
# (header_key) and in order of preference: "Mã định danh" wins over "CCCD" when a sheet has both. The
# personal ID we store is the mã định danh, which for a citizen is the number on the CCCD card.
COLUMNS = [
    (
        "full_name",
        "Họ và tên",
        ("ho va ten", "ho ten", "ho va ten hoc sinh", "ho ten hoc sinh", "ho va ten giao vien", "ho ten giao vien",
         "ho va ten hs", "ho ten hs", "ho va ten gv", "ho ten gv", "ten hoc sinh", "ten giao vien", "ten",
         "full name", "name"),
    ),
    (
        "date_of_birth",
        "Ngày sinh",
        ("ngay sinh", "ngay thang nam sinh", "ngay thang nam sinh dd mm yyyy", "sinh ngay", "date of birth", "dob"),
    ),
    ("gender", "Giới tính", ("gioi tinh", "gioi", "nam nu", "gender")),
    (
        "national_id",
        "Mã định danh",
        ("ma dinh danh", "ma dinh danh ca nhan", "so dinh danh ca nhan", "ma dinh danh hoc sinh", "ma hoc sinh",
         "ma dinh danh giao vien", "cccd", "so cccd", "can cuoc cong dan", "so can cuoc cong dan", "so can cuoc",
         "personal id"),
    ),
    (
        "unit",
        "Lớp / Tổ chuyên môn",
        ("lop to chuyen mon", "lop", "ten lop", "lop hoc", "to", "to chuyen mon", "to bo mon", "lop hoac to",
         "class", "group"),
    ),
    ("email", "Email", ("email", "e mail", "thu dien tu", "dia chi email")),
    ("phone", "Điện thoại", ("dien thoai", "so dien thoai", "sdt", "so dt", "dien thoai lien he", "phone")),
    # Optional, students only (issue #17): the parent issued with the child (services/parents.py).
    ("parent_name", "Họ tên phụ huynh",
     ("ho ten phu huynh", "ho va ten phu huynh", "ten phu huynh", "phu huynh", "ho ten cha me",
      "ho ten cha me hoc sinh", "ho ten cmhs", "parent name", "parent")),
    ("parent_phone", "Điện thoại phụ huynh",
     ("dien thoai phu huynh", "so dien thoai phu huynh", "sdt phu huynh", "sdt ph", "dien thoai cha me",
      "sdt cha me", "dien thoai cmhs", "sdt cmhs", "parent phone")),
    ("parent_email", "Email phụ huynh", ("email phu huynh", "email cha me", "email cmhs", "parent email")),
    ("parent_relation", "Quan hệ", ("quan he", "quan he voi hoc sinh", "moi quan he", "relation")),
]  # fmt: skip
# Columns schools add that mean nothing to an import: the row number.
IGNORED_COLUMNS = ("stt", "tt", "so tt", "so thu tu", "no")
# Exports that split the name ("Họ đệm" | "Tên"): the family and middle names are put back in front.
FAMILY_NAME_ALIASES = ("ho dem", "ho va ten dem", "ho va dem", "ho lot", "ho")
GIVEN_NAME_ALIASES = ("ten", "ten hoc sinh", "ten giao vien")
REQUIRED_COLUMNS = ("full_name", "national_id", "unit")
GENDERS = {"nam": User.Gender.MALE, "male": User.Gender.MALE, "m": User.Gender.MALE,
           "nu": User.Gender.FEMALE, "female": User.Gender.FEMALE, "f": User.Gender.FEMALE,
           "khac": User.Gender.OTHER, "other": User.Gender.OTHER}  # fmt: skip
NATIONAL_ID = re.compile(r"^[0-9A-Za-z]{6,20}$")
PHONE = re.compile(r"^(\+84|0)[0-9]{8,10}$")


def import_template_xlsx(*, school: Unit) -> bytes:
    """The spreadsheet schools fill in: an empty list with the header (personal ID and phone columns
    formatted as text, so Excel keeps their leading zeros) and a second sheet with instructions and an
    example row that is never imported."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sach"
    sheet.append([label for _key, label, _aliases in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 28, "B": 13, "C": 10, "D": 16, "E": 20, "F": 28, "G": 14, "H": 28, "I": 16, "J": 28, "K": 12}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    for letter in ("B", "D", "G", "I"):  # dates typed dd/mm/yyyy, IDs and phones with leading zeros
        for row in range(2, 2002):
            sheet[f"{letter}{row}"].number_format = "@"
    guide = book.create_sheet("Huong dan")
    lines = [
        [_("How to fill in this file — %(school)s") % {"school": school.name}],
        [_("One person per row on the first sheet, from row 2; keep the header row as it is.")],
        [_("Required: full name, personal ID, class (students) or professional group (teachers).")],
        [_("Date of birth: dd/mm/yyyy. Gender: Nam, Nữ or Khác.")],
        [_("Class and group names as the school calls them (6A1, Tổ Toán – Tin).")],
        [_("People are recognised by their personal ID: importing the same file again creates nobody twice.")],
        [
            _(
                "Students only, optional: the parent's name, phone or email and relation (Mẹ, Bố, Người giám hộ). "
                "One parent account is issued per phone or email, linked to each of their children."
            )
        ],
        [],
        [_("Example (not imported):")],
        [label for _key, label, _aliases in COLUMNS],
        ["Nguyễn Văn An", "05/09/2012", "Nam", "0123456789", "6A1", "", "", "Trần Thị Bình", "0912345678", "", "Mẹ"],
    ]
    for line in lines:
        guide.append(line)
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 28
    return workbook_bytes(book)


# --- usernames ----------------------------------------------------------------------------------
def username_prefix(*, school: Unit, account_type: str) -> str:
    # Unit codes are free text; usernames must stay ASCII letters, digits, "." and "-".
    code = re.sub(r"[^a-z0-9.-]+", "-", fold(school.code)).strip("-.") or f"u{school.pk}"
    return f"{code}.{ {T.TEACHER: 'gv', T.STAFF: 'cb', T.PARENT: 'ph'}.get(account_type, 'hs') }"


def usernames_allocate(*, school: Unit, account_type: str, count: int) -> list[str]:
    """Readable, stable usernames: the school's code and a sequence number (hanam-phuly-thcs-001.hs0490).

    Called under the school's quota lock, so two admins of one school never get the same numbers.
    """
    prefix = username_prefix(school=school, account_type=account_type)
    width = 4 if account_type in (T.STUDENT, T.PARENT) else 3
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    highest = 0
    for name in User.objects.filter(username__startswith=prefix).values_list("username", flat=True).iterator():
        match = pattern.match(name)
        if match:
            highest = max(highest, int(match.group(1)))
    return [f"{prefix}{n:0{width}d}" for n in range(highest + 1, highest + count + 1)]


# --- checking one person ----------------------------------------------------------------------
@dataclass
class SchoolContext:
    """What row checks need to know about the school, loaded once per import (not once per row)."""

    school: Unit
    account_type: str
    units_by_name: dict[str, Unit] = field(default_factory=dict)

    @classmethod
    def load(cls, *, school: Unit, account_type: str) -> "SchoolContext":
        kind = Unit.Kind.GROUP if account_type == T.TEACHER else Unit.Kind.CLASS
        units = Unit.objects.children(school, kinds=[kind]).filter(is_active=True)
        by_name = {}
        for unit in units:
            by_name[fold(unit.name)] = unit
            by_name.setdefault(fold(unit.name).replace("to ", "", 1), unit)  # "Toán – Tin" finds "Tổ Toán – Tin"
        return cls(school=school, account_type=account_type, units_by_name=by_name)


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


class Problems(list):
    """The messages about one person, each remembering the field it concerns, so a form can show it
    next to that field while an import lists them all on the row."""

    def __init__(self):
        super().__init__()
        self.fields: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.append(message)
        self.fields.append(field)

    def by_field(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for name, message in zip(self.fields, self, strict=True):
            result.setdefault(name, []).append(message)
        return result


def check_person(values: dict, ctx: SchoolContext) -> tuple[dict, Problems]:
    """Clean one person's values; returns (clean data as JSON-ready strings, problems)."""
    problems = Problems()
    data: dict = {}
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("="):
            problems.add(key, _("%(column)s holds a formula; type the value instead") % {"column": _column_label(key)})
            values[key] = ""
    # "+", "-", "@" in front or bidi controls: the same refusal, in the same words, as the forms give.
    unsafe = "full_name" not in problems.fields and formula_or_bidi_problem(values.get("full_name"))
    if unsafe:
        problems.add("full_name", unsafe)
    name = nfc(values.get("full_name"))
    if unsafe:
        pass
    elif not name:
        problems.add("full_name", _("the full name is missing"))
    elif len(name) > 150 or not any(ch.isalpha() for ch in name):
        problems.add("full_name", _("“%(name)s” is not a person's name") % {"name": name[:40]})
    data["full_name"] = name
    try:
        born = parse_date(values.get("date_of_birth"))
        if born is not None and not (date(1930, 1, 1) <= born <= timezone.localdate()):
            problems.add("date_of_birth", _("the date of birth %(date)s is not plausible") % {"date": date_text(born)})
        data["date_of_birth"] = born.isoformat() if born else ""
    except ValueError:
        problems.add(
            "date_of_birth",
            _("the date of birth “%(value)s” is not a date (write dd/mm/yyyy)")
            % {"value": values.get("date_of_birth")},
        )
        data["date_of_birth"] = ""
    gender_text = fold(values.get("gender"))
    data["gender"] = GENDERS.get(gender_text, "")
    if gender_text and not data["gender"]:
        problems.add("gender", _("the gender “%(value)s” is not Nam, Nữ or Khác") % {"value": values.get("gender")})
    national_id = nfc(values.get("national_id")).replace(" ", "")
    data["national_id"] = national_id
    if not national_id:
        problems.add(
            "national_id", _("the personal ID (mã định danh) is missing; it is how a person is recognised on re-import")
        )
    elif not NATIONAL_ID.match(national_id):
        problems.add(
            "national_id", _("the personal ID “%(value)s” should be 6 to 20 letters or digits") % {"value": national_id}
        )
    unit_name = nfc(values.get("unit"))
    unit = ctx.units_by_name.get(fold(unit_name)) if unit_name else None
    data["unit"] = unit.pk if unit else None
    data["unit_name"] = unit.name if unit else unit_name
    if not unit_name:
        problems.add(
            "unit",
            _("the class is missing") if ctx.account_type == T.STUDENT else _("the professional group is missing"),
        )
    elif unit is None:
        message = (
            _("there is no class “%(name)s” in this school")
            if ctx.account_type == T.STUDENT
            else _("there is no professional group “%(name)s” in this school")
        )
        problems.add("unit", message % {"name": unit_name})
    email = nfc(values.get("email")).lower()
    data["email"] = email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("email", _("the email “%(value)s” is not valid") % {"value": email})
    phone = re.sub(r"[\s.\-()]", "", nfc(values.get("phone")))
    data["phone"] = phone
    if phone and not PHONE.match(phone):
        problems.add("phone", _("the phone number “%(value)s” is not valid") % {"value": values.get("phone")})
    if ctx.account_type == T.STUDENT:
        from .parents import check_parent

        data["parent"], parent_problems = check_parent(values)
        for field, message in zip(parent_problems.fields, parent_problems, strict=True):
            problems.add(field, message)
    return data, problems


def _column_label(key: str) -> str:
    return next((label for k, label, _aliases in COLUMNS if k == key), key)


# --- one account ------------------------------------------------------------------------------
@transaction.atomic
def account_issue(*, actor, school: Unit, account_type: str, values: dict) -> tuple[User, IssueBatch]:
    """Issue one account. Refuses with field errors (ValidationError with a dict) and writes nothing
    when anything is wrong; the one-time credential is on the returned batch's sheet."""
    quota_lock(school=school)
    ctx = SchoolContext.load(school=school, account_type=account_type)
    data, problems = check_person(dict(values), ctx)
    if data["national_id"]:
        conflicts = _conflicts_in_database([data], school)[0]
        for field, message in zip(conflicts.fields, conflicts, strict=True):
            problems.add(field, message)
        username = _active_here([data["national_id"]], school).get(data["national_id"])
        if username:
            problems.add(
                "national_id",
                _("this person already has an account here: %(username)s") % {"username": username},
            )
    if problems:
        raise ValidationError(problems.by_field())
    quota_check(school=school, account_type=account_type, adding=1)
    batch = IssueBatch.objects.create(
        school=school, kind=IssueBatch.Kind.SINGLE, status=IssueBatch.Status.DONE, account_type=account_type,
        created_by=actor, total_rows=1, new_rows=1, finished_at=timezone.now(),
    )  # fmt: skip
    users = _create_accounts(actor=actor, school=school, account_type=account_type, rows=[data], batch=batch)
    return users[0], batch


def _conflicts_in_database(rows: list[dict], school: Unit) -> list[Problems]:
    """Per row: problems with people already in the database — the personal ID taken at another school
    or by a deactivated account here, or already active here (`skip_existing=False` callers treat that
    as a problem), and emails already used (compared without letter case)."""
    ids = [r["national_id"] for r in rows if r.get("national_id")]
    emails = [r["email"].lower() for r in rows if r.get("email")]
    existing = {
        u.national_id: u
        for u in User.objects.filter(national_id__in=ids)
        .select_related("unit")
        .only("national_id", "username", "unit__name", "unit__id", "is_active", "account_type", "full_name")
    }
    taken_emails = {}
    for chunk_start in range(0, len(emails), 5000):
        chunk = emails[chunk_start : chunk_start + 5000]
        taken_emails.update(
            dict(
                User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=chunk)
                .values_list("email_lower", "national_id")
            )
        )
    result = []
    for row in rows:
        problems = Problems()
        person = existing.get(row.get("national_id"))
        if person is not None and (person.unit_id != school.pk):
            problems.add(
                "national_id",
                _("the personal ID %(id)s already has an account at %(school)s: ask for a transfer instead")
                % {"id": row["national_id"], "school": person.unit.name if person.unit else "—"},
            )
        elif person is not None and not person.is_active:
            problems.add(
                "national_id",
                _("%(name)s (ID %(id)s) has a deactivated account here: reactivate it instead")
                % {"name": person.full_name, "id": row["national_id"]},
            )
        taken = row.get("email") and row["email"].lower() in taken_emails
        if taken and taken_emails[row["email"].lower()] != row.get("national_id"):
            problems.add("email", _("the email %(email)s is already used by another account") % {"email": row["email"]})
        result.append(problems)
    return result


def _active_here(ids: list[str], school: Unit) -> dict[str, str]:
    """{personal ID: username} of the given IDs that already have an active account at this school."""
    return dict(
        User.objects.filter(unit=school, is_active=True, national_id__in=[i for i in ids if i]).values_list(
            "national_id", "username"
        )
    )


def _create_accounts(*, actor, school: Unit, account_type: str, rows: list[dict], batch: IssueBatch) -> list[User]:
    """Write the accounts, their roles, credentials, audit entries and the credential sheet."""
    usernames = usernames_allocate(school=school, account_type=account_type, count=len(rows))
    users = []
    for row, username in zip(rows, usernames, strict=True):
        users.append(
            User(
                username=username,
                **name_fields(row["full_name"]),
                account_type=account_type,
                unit=school,
                gender=row.get("gender") or "",
                date_of_birth=date.fromisoformat(row["date_of_birth"]) if row.get("date_of_birth") else None,
                national_id=row.get("national_id") or None,
                email=row.get("email") or "",
                phone=row.get("phone") or "",
                password=unusable_password(),
                must_change_password=True,
            )
        )
    created = []
    for start in range(0, len(users), BATCH):
        created += User.objects.bulk_create(users[start : start + BATCH], batch_size=BATCH)
        progress_set(batch, min(start + BATCH, len(users)), len(users), "create")
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r["unit"] for r in rows if r.get("unit")})}
    role = Role.TEACHER if account_type == T.TEACHER else Role.STUDENT
    role_assignments_bulk_create(
        rows=[(user.pk, units[row["unit"]], role) for user, row in zip(created, rows, strict=True) if row.get("unit")]
    )
    codes = credentials_issue(users=created, batch=batch)
    audit_log_many(
        actor=actor,
        action="account.create",
        records=(
            AuditRecord(
                unit=school, target=user, target_repr=user.full_name,
                after={"username": user.username, "account_type": account_type, "batch": batch.pk,
                       "national_id": user.national_id, "unit": row.get("unit_name", "")},
            )
            for user, row in zip(created, rows, strict=True)
        ),
        batch_size=BATCH,
    )  # fmt: skip
    sheet_rows = [
        {"username": u.username, "full_name": u.full_name, "unit": row.get("unit_name", ""), "code": codes[u.pk],
         "date_of_birth": row.get("date_of_birth", "")}
        for u, row in zip(created, rows, strict=True)
    ]  # fmt: skip
    if account_type == T.STUDENT and any(row.get("parent") for row in rows):
        from .parents import import_parents_create

        sheet_rows += import_parents_create(actor=actor, school=school, batch=batch, rows=rows, children=created)
    sheet_store(batch=batch, rows=sheet_rows)
    return created


# --- spreadsheet imports -----------------------------------------------------------------------
def header_key(text) -> str:
    """A header cell as it is matched: accents and case folded (truonghoc.text.fold), notes in brackets
    ("Ngày sinh (dd/mm/yyyy)", "Họ và tên (*)") and punctuation dropped, spaces collapsed."""
    folded = re.sub(r"\(.*?\)", " ", fold(str(text or "")))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


_ALIASES = {key: tuple(header_key(alias) for alias in aliases) for key, _label, aliases in COLUMNS}
_KNOWN = {alias for aliases in _ALIASES.values() for alias in aliases} | set(FAMILY_NAME_ALIASES)


def _looks_like_header(cells: list[str]) -> bool:
    """The header row names a full-name column, or at least two columns we know (a title line above it
    names none)."""
    keys = {header_key(c) for c in cells if c}
    return bool(keys & set(_ALIASES["full_name"])) or len(keys & _KNOWN) >= 2


def _header_map(header: list[str]) -> dict[str, int]:
    """{column key: index} of the header. A refusal names the columns found and what each was read as,
    the columns expected, and the ones missing."""
    keys = [header_key(h) for h in header]
    duplicates = sorted({k for k, n in Counter(k for k in keys if k in _KNOWN).items() if n > 1})
    if duplicates:
        raise SpreadsheetError(
            _("The header has the same column more than once: %(columns)s.")
            % {"columns": ", ".join(header[keys.index(d)] for d in duplicates)}
        )
    positions: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for alias in aliases:  # in order of preference
            index = next((i for i, k in enumerate(keys) if k == alias and i not in positions.values()), None)
            if index is not None:
                positions[key] = index
                break
    if "full_name" in positions and keys[positions["full_name"]] in GIVEN_NAME_ALIASES:
        family = next((i for i, k in enumerate(keys) if k in FAMILY_NAME_ALIASES), None)
        if family is not None:
            positions["family_name"] = family
    missing = [label for key, label, _a in COLUMNS if key in REQUIRED_COLUMNS and key not in positions]
    if missing:
        labels = {key: label for key, label, _a in COLUMNS}
        labels["family_name"] = _("family and middle names")
        read_as = {index: labels[key] for key, index in positions.items()}
        found = [
            (_("%(column)s → %(meaning)s") % {"column": header[i], "meaning": read_as[i]})
            if i in read_as
            else (_("%(column)s (not used)") % {"column": header[i]})
            for i, k in enumerate(keys)
            if k and k not in IGNORED_COLUMNS
        ]
        required = [labels[key] for key in REQUIRED_COLUMNS]
        raise SpreadsheetError(
            _(
                "The header row lacks required columns. Columns found: %(found)s. Required: %(required)s. "
                "Missing: %(missing)s. Name them so (other names are understood too, such as “Tên học sinh”, "
                "“CCCD” or “Lớp”), or download the template."
            )
            % {
                "found": "; ".join(found) or "—",
                "required": ", ".join(required),
                "missing": ", ".join(missing),
            }
        )
    return positions


class AccountImport(Importer):
    """Account issuing as a user of the import engine (truonghoc.imports): what is its own is reading
    and checking people, and creating their accounts within the quota."""

    model = IssueBatch
    crash_message = gettext_lazy("Something went wrong on our side; nothing was created. Please try again or tell us.")

    def check(self, batch: IssueBatch, content: bytes) -> IssueBatch:
        return _check_file(batch, content)

    def apply(self, batch: IssueBatch, actor) -> IssueBatch:
        return _create_all_or_none(batch, actor)


IMPORTER = AccountImport()


def import_validate(*, batch: IssueBatch, content: bytes) -> IssueBatch:
    """Check every row of the file and record the result; writes no account."""
    return IMPORTER.validate(batch, content)


def _check_file(batch: IssueBatch, content: bytes) -> IssueBatch:
    batch.over_quota_by = 0
    try:
        header, rows = read_table(
            content, is_header=_looks_like_header, max_lines=settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS + 1000
        )
        positions = _header_map(header)
        raw = []
        for line, cells in rows:
            values = {key: (cells[i] if i < len(cells) else "") for key, i in positions.items()}
            if "family_name" in values:
                parts = [str(part or "").strip() for part in (values.pop("family_name"), values["full_name"])]
                formula = next((part for part in parts if part.startswith("=")), None)  # refused as one
                values["full_name"] = formula or " ".join(part for part in parts if part)
            raw.append((line, values))
            if len(raw) > settings.IMPORT_MAX_ROWS:
                raise SpreadsheetError(
                    _("The file has more than %(max)d rows. Split it into several files and import them one by one.")
                    % {"max": settings.IMPORT_MAX_ROWS}
                )
        if not raw:
            raise SpreadsheetError(_("The file has a header but no rows of people."))
    except SpreadsheetError as exc:
        message = str(exc)
        if message == _("The file has no header row naming its columns."):
            message = _(
                "None of the first rows names the columns. The first row of the list must name them: %(columns)s "
                "(“Họ và tên”, “Mã định danh” and “Lớp / Tổ chuyên môn” are required). Download the template."
            ) % {"columns": ", ".join(label for _key, label, _a in COLUMNS)}
        return batch_finish(batch, status=IssueBatch.Status.INVALID, message=message)

    ctx = SchoolContext.load(school=batch.school, account_type=batch.account_type)
    checked = []
    for n, (line, values) in enumerate(raw, start=1):
        data, problems = check_person(values, ctx)
        checked.append([line, data, problems])
        if n % 1000 == 0:
            progress_set(batch, n, len(raw), "check")
    # Duplicates inside the file: the same personal ID or email on two lines.
    for key, message in (
        ("national_id", _("the personal ID %(value)s is also on line %(line)d")),
        ("email", _("the email %(value)s is also on line %(line)d")),
    ):
        first_line: dict[str, int] = {}
        for line, data, problems in checked:
            value = data.get(key)
            if value and value in first_line:
                problems.append(message % {"value": value, "line": first_line[value]})
            elif value:
                first_line[value] = line
    for (_line, _data, problems), conflicts in zip(
        checked, _conflicts_in_database([c[1] for c in checked], batch.school), strict=True
    ):
        problems += conflicts
    if batch.account_type == T.STUDENT:
        from .parents import import_parent_problems

        import_parent_problems(checked=checked, school=batch.school)
    existing_ids = set(_active_here([c[1]["national_id"] for c in checked], batch.school))

    objs = []
    for line, data, problems in checked:
        if problems:
            action = ImportRow.Action.ERROR
        elif data["national_id"] in existing_ids:
            action = ImportRow.Action.UNCHANGED
        else:
            action = ImportRow.Action.CREATE
        objs.append(ImportRow(batch=batch, line=line, data=data, errors=problems, action=action))
    ImportRow.objects.bulk_create(objs, batch_size=BATCH)
    counts = Counter(o.action for o in objs)
    batch.total_rows = len(objs)
    batch.error_rows = counts[ImportRow.Action.ERROR]
    batch.new_rows = counts[ImportRow.Action.CREATE]
    batch.unchanged_rows = counts[ImportRow.Action.UNCHANGED]
    message = ""
    remaining = quota_usage(school=batch.school)[batch.account_type]["remaining"]
    batch.over_quota_by = max(batch.new_rows - remaining, 0)
    if batch.new_rows > remaining:
        message = _over_quota_message(new=batch.new_rows, remaining=remaining)
    ok = not batch.error_rows and not message and batch.new_rows > 0
    if not batch.error_rows and not message and batch.new_rows == 0:
        message = _("Everybody in this file already has an account: there is nothing to import.")
    return batch_finish(batch, status=IssueBatch.Status.READY if ok else IssueBatch.Status.INVALID, message=message)


def _over_quota_message(*, new: int, remaining: int) -> str:
    return _(
        "Over quota: the file has %(new)s new people but the school has only %(remaining)s places left. "
        "Request %(missing)s more accounts; once they are granted, confirm this import from this page, "
        "without uploading the file again."
    ) % {"new": number(new), "remaining": number(remaining), "missing": number(new - remaining)}


def _waits_for_quota(batch: IssueBatch) -> bool:
    """A checked file whose every row is correct, with new people in it: only the quota decides
    whether it may be confirmed (an invalid file without bad rows and with new people is over quota)."""
    return (
        batch.kind == IssueBatch.Kind.IMPORT
        and batch.status in (IssueBatch.Status.INVALID, IssueBatch.Status.READY)
        and not batch.error_rows
        and batch.new_rows > 0
    )


def import_quota_gap(*, batch: IssueBatch, usage: dict | None = None) -> int:
    """How many more places a checked import needs than its school has left (0 when it fits): the
    number a quota request made from it asks for. `usage` is quota_usage of the school, if at hand."""
    if batch.kind != IssueBatch.Kind.IMPORT or batch.status not in (
        IssueBatch.Status.INVALID,
        IssueBatch.Status.READY,
    ):
        return 0
    usage = usage or quota_usage(school=batch.school)
    return max(0, batch.new_rows - usage[batch.account_type]["remaining"])


def import_quota_recheck(*, actor, batch: IssueBatch) -> IssueBatch:
    """Hold a checked file against the quota as it is now, when its page is opened: one refused only
    for want of places becomes ready once they are granted (no new upload), and a ready one that no
    longer fits says so before anyone clicks. Writes only when the answer changes."""
    if not _waits_for_quota(batch):
        return batch
    with transaction.atomic():
        batch = (
            IssueBatch.objects.select_for_update(of=("self",)).select_related("school", "created_by").get(pk=batch.pk)
        )
        if not _waits_for_quota(batch):
            return batch
        remaining = quota_usage(school=batch.school)[batch.account_type]["remaining"]
        if batch.new_rows <= remaining:
            status, message = IssueBatch.Status.READY, ""
        else:
            status, message = IssueBatch.Status.INVALID, _over_quota_message(new=batch.new_rows, remaining=remaining)
        if (status, message) == (batch.status, batch.message):
            return batch
        before = batch.status
        batch.over_quota_by = max(batch.new_rows - remaining, 0)
        batch = batch_finish(batch, status=status, message=message)
        if before != status:
            audit_log(
                actor=actor, action="account.import_quota_recheck", unit=batch.school, target=batch,
                before={"status": before}, after={"status": status, "remaining": remaining},
            )  # fmt: skip
        return batch


@transaction.atomic
def import_recheck(*, actor, batch: IssueBatch) -> IssueBatch:
    """Check a kept file again from the start (its rows, the database, the quota) without a new upload,
    e.g. once places were granted or a missing class created. The caller then runs import_validate
    (or its task), as after an upload."""
    batch = IssueBatch.objects.select_for_update().select_related("school").get(pk=batch.pk)
    if batch.kind != IssueBatch.Kind.IMPORT or not batch.upload:
        raise ValidationError(_("Only an uploaded file can be checked again."))
    if batch.status == IssueBatch.Status.DONE:
        raise ValidationError(_("This file has already been imported: there is nothing to check again."))
    if batch.status in (IssueBatch.Status.VALIDATING, IssueBatch.Status.IMPORTING):
        raise ValidationError(_("This file is being worked on; wait until it finishes, then check it again."))
    before = batch.status
    batch.status = IssueBatch.Status.VALIDATING
    batch.save(update_fields=["status"])
    audit_log(actor=actor, action="account.import_recheck", unit=batch.school, target=batch, before={"status": before})
    return batch


def import_apply(*, actor, batch: IssueBatch) -> IssueBatch:
    """Create every new account of a checked file, or none (the engine's apply step)."""
    return IMPORTER.run_apply(batch, actor)


def _create_all_or_none(batch: IssueBatch, actor) -> IssueBatch:
    """Checks again what may have changed since the preview (another import, a quota change) inside
    the transaction; refuses (ImportRefused: everything rolled back) when it did."""
    quota_lock(school=batch.school)
    rows = list(batch.rows.filter(action=ImportRow.Action.CREATE).order_by("line"))
    # People who got their account here since the check (the same file confirmed twice, another
    # admin's import): they are now simply "already have an account".
    now_here = _active_here([r.data["national_id"] for r in rows], batch.school)
    if now_here:
        arrived = [r for r in rows if r.data["national_id"] in now_here]
        for row in arrived:
            row.action = ImportRow.Action.UNCHANGED
        ImportRow.objects.bulk_update(arrived, ["action"], batch_size=BATCH)
        rows = [r for r in rows if r.action == ImportRow.Action.CREATE]
        batch.new_rows, batch.unchanged_rows = len(rows), batch.unchanged_rows + len(arrived)
    datas = [r.data for r in rows]
    conflicts = _conflicts_in_database(datas, batch.school)
    problems = [(row.line, p) for row, ps in zip(rows, conflicts, strict=True) for p in ps]
    if not problems:
        try:
            quota_check(school=batch.school, account_type=batch.account_type, adding=len(rows))
        except ValidationError as exc:
            problems = [(0, exc.messages[0])]
    if problems:
        text = "; ".join(
            (_("line %(line)d: %(problem)s") % {"line": line, "problem": p}) if line else p for line, p in problems[:20]
        )
        raise ImportRefused(
            _("Nothing was imported: the situation changed since the check. %(problems)s") % {"problems": text}
        )
    school, account_type = batch.school, batch.account_type
    created = _create_accounts(actor=actor, school=school, account_type=account_type, rows=datas, batch=batch)
    for row, user in zip(rows, created, strict=True):
        row.user = user
    ImportRow.objects.bulk_update(rows, ["user"], batch_size=BATCH)
    audit_log(
        actor=actor, action="account.import", unit=batch.school, target=batch,
        after={"created": len(created), "unchanged": batch.unchanged_rows, "file": batch.original_name},
    )  # fmt: skip
    return batch_finish(batch, status=IssueBatch.Status.DONE)


@transaction.atomic
def import_start(*, actor, school: Unit, account_type: str, upload) -> IssueBatch:
    """Register an uploaded file; the caller runs (or enqueues) import_validate."""
    batch = IMPORTER.start(
        upload=upload, stored_name=f"{school.code}-{timezone.now():%Y%m%d-%H%M%S}.bin",
        school=school, kind=IssueBatch.Kind.IMPORT, account_type=account_type, created_by=actor,
    )  # fmt: skip
    audit_log(
        actor=actor, action="account.import_upload", unit=school, target=batch, after={"file": batch.original_name}
    )
    return batch


def import_confirm(*, actor, batch: IssueBatch) -> IssueBatch:
    return IMPORTER.confirm(batch)


@transaction.atomic
def credentials_reissue(*, actor, accounts: list[User], school: Unit) -> IssueBatch:
    """New one-time credentials for these accounts (forgotten password, lost slip). Their old password
    and any earlier code stop working; the new sheet is on the returned batch.

    Checked again here, whoever calls: only those `can_reissue_credentials` names (the school's own
    admins; a staff account's issuing unit) hand an account over; anyone else is refused and nothing
    changes."""
    accounts = [a for a in accounts if a.is_active]
    if not accounts:
        raise ValidationError(_("Choose at least one active account."))
    if any(a.unit_id != school.pk for a in accounts):
        raise ValidationError(_("These accounts do not all belong to %(unit)s.") % {"unit": school.name})
    if not all(can_reissue_credentials(actor, a) for a in accounts):
        raise PermissionDenied(_("Only the school's own account administrators may re-issue these credentials."))
    # A principal's or school admin's new credential goes to the unit above, like their first one.
    from_above = all(named_from_above(a) for a in accounts)
    batch = IssueBatch.objects.create(
        school=school, kind=IssueBatch.Kind.FROM_ABOVE if from_above else IssueBatch.Kind.REISSUE,
        status=IssueBatch.Status.DONE,
        account_type=accounts[0].account_type, created_by=actor, total_rows=len(accounts), finished_at=timezone.now(),
    )  # fmt: skip
    User.objects.filter(pk__in=[a.pk for a in accounts]).update(password=unusable_password(), must_change_password=True)
    codes = credentials_issue(users=accounts, batch=batch)
    units = _membership_names(accounts)
    sheet_store(
        batch=batch,
        rows=[
            {"username": a.username, "full_name": a.full_name, "unit": units.get(a.pk, ""), "code": codes[a.pk],
             "date_of_birth": a.date_of_birth.isoformat() if a.date_of_birth else ""}
            for a in accounts
        ],
    )  # fmt: skip
    for account in accounts:
        audit_log(actor=actor, action="credentials.reissue", unit=school, target=account, after={"batch": batch.pk})
    return batch


def _membership_names(accounts: list[User]) -> dict[int, str]:
    from units.models import RoleAssignment

    names: dict[int, str] = {}
    for user_id, unit_name in RoleAssignment.objects.filter(
        Q(role=Role.STUDENT) | Q(role=Role.TEACHER),
        user__in=[a.pk for a in accounts],
        unit__kind__in=["class", "group"],
    ).values_list("user_id", "unit__name"):
        names.setdefault(user_id, unit_name)
    return names
