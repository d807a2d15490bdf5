"""The participation table as files: xlsx in the published layout (title, sections, numbered rows,
totals that are the column sums), csv, and the rows the printable page shows."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from truonghoc.xlsx import safe_cell, workbook_bytes
from units.periods import Period

FIGURES = ("teacher_accounts", "student_accounts", "teachers_photo_ok", "topics")


def header() -> list[str]:
    return [
        _("No."),
        _("Unit"),
        _("Teacher accounts"),
        _("Student accounts"),
        _("Teachers with a proper photo"),
        _("Topics posted"),
        _("Notes"),
    ]


def table_rows(sections, flags_of):
    """(kind, values) lines: "section" titles, numbered "row"s, and "total" lines per section."""
    for section in sections:
        yield "section", [section.title]
        for number, row in enumerate(section.rows, start=1):
            yield "row", [number, row.unit.name, *(getattr(row, f) for f in FIGURES), "; ".join(flags_of(row))]
        if section.rows:
            sums = [sum(getattr(r, f) for r in section.rows) for f in FIGURES]
            yield "total", ["", _("Total"), *sums, ""]


def participation_xlsx(*, unit, period: Period, own, sections, flags_of) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "So lieu"
    sheet.append([safe_cell(_("Participation in “Trường học kết nối” — %(unit)s") % {"unit": unit.name})])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(period.label)])
    sheet.append([])
    sheet.append(header())
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for kind, values in table_rows(sections, flags_of):
        sheet.append([safe_cell(v) for v in values])
        if kind in ("section", "total"):
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    if own is not None:
        sheet.append(["", _("Grand total"), *(getattr(own, f) for f in FIGURES), ""])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    for letter, width in {"A": 6, "B": 34, "C": 12, "D": 12, "E": 14, "F": 12, "G": 60}.items():
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(book)


def participation_csv(*, sections, flags_of, own) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Section"), *header()])
    for section in sections:
        for number, row in enumerate(section.rows, start=1):
            writer.writerow(
                [safe_cell(section.title), number, safe_cell(row.unit.name), *(getattr(row, f) for f in FIGURES),
                 safe_cell("; ".join(flags_of(row)))]
            )  # fmt: skip
    if own is not None:
        writer.writerow(["", "", _("Grand total"), *(getattr(own, f) for f in FIGURES), ""])
    return "\ufeff" + buffer.getvalue()  # with a BOM, so Excel opens the Vietnamese text as UTF-8
