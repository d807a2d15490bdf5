"""Writing spreadsheets and sending them, the one way (reading them: truonghoc.spreadsheets).

- `safe_cell`: a cell a spreadsheet program would run as a formula (=, +, -, @, tab, CR at the start)
  is written as text with a leading apostrophe, so an export can never carry a formula a pupil typed
  into their name ("=HYPERLINK(…)").
- `xlsx_bytes`: a one-sheet workbook from a title, a header and rows, streamed (write-only).
- `workbook_bytes`: any openpyxl Workbook an app styled itself (reports, templates to fill in).
- `xlsx_response`: the download, with a Content-Disposition that survives a Vietnamese file name
  (RFC 6266/5987 `filename*=utf-8''…`), never cached by a shared proxy, never sniffed by the browser.
"""

import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(*, title: str | None, header: list[str], rows: Iterable[Iterable], sheet_name: str = "Sheet1") -> bytes:
    """A one-sheet workbook: a bold title line (if any), a header, then the rows (formulas neutralised).

    Written with openpyxl's write-only mode, so 45,000 rows do not sit in memory as cell objects.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    if title:
        title_cell = WriteOnlyCell(sheet, value=safe_cell(title))
        title_cell.font = Font(bold=True, size=13)
        sheet.append([title_cell])
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(name))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    return workbook_bytes(workbook)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file made for one person (an export, a list of passwords), downloaded under `filename`.

    `private, no-store`: it may hold personal data, so neither a shared cache nor the browser's keeps it.
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(workbook_or_bytes: Workbook | bytes, filename: str) -> HttpResponse:
    """The one xlsx download: `xlsx_response(xlsx_bytes(...), "bang-diem.xlsx")`."""
    content = workbook_or_bytes if isinstance(workbook_or_bytes, bytes) else workbook_bytes(workbook_or_bytes)
    return download_response(content, filename, XLSX_CONTENT_TYPE)
