"""Reading a participation table (Số liệu tham gia) like the one the Hà Nam Department published.

Columns: section, no, school, teacher_accounts, student_accounts, teacher_photo_ok, topics_posted,
and optionally `code` (the school's unit code). Sections are "THPT" (schools under the Department)
or "THCS <Office>" / "TH <Office>" (schools of a district Office); "GDTX" rows are continuing-education
centres under the Department.

The reader checks every row before anything is written and reports all problems at once, with
line numbers: errors (the table cannot be loaded) and warnings (impossible rows, loaded as far as the
data allows and flagged).
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from truonghoc.params import parse_int
from truonghoc.text import nfc

REQUIRED_COLUMNS = (
    "section",
    "no",
    "school",
    "teacher_accounts",
    "student_accounts",
    "teacher_photo_ok",
    "topics_posted",
)
NUMBER_COLUMNS = REQUIRED_COLUMNS[3:]
# Section prefix -> (school level, managed by an Office?)
SECTION_KINDS = {
    "THPT": ("thpt", False),
    "GDTX": ("gdtx", False),
    "THCS": ("thcs", True),
    "TH": ("th", True),
}


@dataclass
class ParticipationRow:
    line: int
    section: str
    no: int
    school: str
    school_level: str
    office: str  # "" for schools under the Department
    teacher_accounts: int
    student_accounts: int
    teacher_photo_ok: int
    topics_posted: int
    code: str = ""
    photo_ok_published: int | None = None  # set when the published figure was impossible

    @property
    def is_impossible(self) -> bool:
        return self.photo_ok_published is not None


@dataclass
class ParticipationTable:
    rows: list[ParticipationRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def offices(self) -> list[str]:
        seen: dict[str, None] = {}
        for row in self.rows:
            if row.office:
                seen.setdefault(row.office, None)
        return list(seen)


def _parse_section(section: str) -> tuple[str, str] | None:
    head, _sep, rest = section.partition(" ")
    kind = SECTION_KINDS.get(head.upper())
    if kind is None:
        return None
    level, needs_office = kind
    office = nfc(rest)
    if needs_office != bool(office):
        return None
    return level, office


def read_participation_table(path: Path | str) -> ParticipationTable:
    table = ParticipationTable()
    try:
        # utf-8-sig: spreadsheets saved on Windows start with a BOM.
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            header = [nfc(h).lower() for h in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                table.errors.append(_("The table lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})
                return table
            if len(set(header)) != len(header):
                table.errors.append(_("The table has the same column twice."))
                return table
            reader.fieldnames = header
            for line, raw in enumerate(reader, start=2):
                _read_row(table, line, raw)
    except UnicodeDecodeError:
        table.errors.append(_("The file is not UTF-8 text. Save it as UTF-8 (tab-separated) and try again."))
        return table
    except OSError as exc:
        table.errors.append(_("The file cannot be read: %(error)s") % {"error": exc.strerror or exc})
        return table
    if not table.rows and not table.errors:
        table.errors.append(_("The table has no rows."))
    _check_duplicates(table)
    return table


def _read_row(table: ParticipationTable, line: int, raw: dict) -> None:
    if None in raw:
        table.errors.append(_("Line %(line)d: more cells than columns.") % {"line": line})
        return
    values = {key: nfc(value) for key, value in raw.items()}
    if not any(values.values()):
        return  # blank line
    problems = []
    parsed_section = _parse_section(values["section"])
    if parsed_section is None:
        problems.append(
            _("unknown section “%(section)s” (expected THPT, GDTX, or THCS/TH followed by the Office's name)")
            % {"section": values["section"]}
        )
    if not values["school"]:
        problems.append(_("the school's name is missing"))
    numbers = {}
    for column in ("no", *NUMBER_COLUMNS):
        text = values[column]
        if text == "":
            problems.append(_("%(column)s is missing") % {"column": column})
        elif parse_int(text) is None:
            problems.append(
                _("%(column)s is not a whole number (“%(value)s”)") % {"column": column, "value": values[column]}
            )
        elif int(text) < 0:
            problems.append(_("%(column)s is negative (%(value)s)") % {"column": column, "value": text})
        else:
            numbers[column] = int(text)
    if problems:
        table.errors.append(_("Line %(line)d: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
        return
    level, office = parsed_section
    row = ParticipationRow(
        line=line,
        section=values["section"],
        no=numbers["no"],
        school=values["school"],
        school_level=level,
        office=office,
        teacher_accounts=numbers["teacher_accounts"],
        student_accounts=numbers["student_accounts"],
        teacher_photo_ok=numbers["teacher_photo_ok"],
        topics_posted=numbers["topics_posted"],
        code=values.get("code", "") or "",
    )
    if row.teacher_photo_ok > row.teacher_accounts:
        table.warnings.append(
            _(
                "Line %(line)d (%(section)s, %(school)s): %(photos)d teachers with a proper photo but only "
                "%(teachers)d teacher accounts — impossible; loaded as %(teachers)d and flagged."
            )
            % {
                "line": line,
                "section": row.section,
                "school": row.school,
                "photos": row.teacher_photo_ok,
                "teachers": row.teacher_accounts,
            }
        )
        row.photo_ok_published = row.teacher_photo_ok
        row.teacher_photo_ok = row.teacher_accounts
    table.rows.append(row)


def _check_duplicates(table: ParticipationTable) -> None:
    seen: dict[tuple[str, int], int] = {}
    codes: dict[str, int] = {}
    for row in table.rows:
        key = (row.section.lower(), row.no)
        if key in seen:
            table.errors.append(
                _("Line %(line)d: row number %(no)d of section %(section)s already appears on line %(first)d.")
                % {"line": row.line, "no": row.no, "section": row.section, "first": seen[key]}
            )
        seen.setdefault(key, row.line)
        if row.code:
            if row.code in codes:
                table.errors.append(
                    _("Line %(line)d: the code %(code)s already appears on line %(first)d.")
                    % {"line": row.line, "code": row.code, "first": codes[row.code]}
                )
            codes.setdefault(row.code, row.line)
