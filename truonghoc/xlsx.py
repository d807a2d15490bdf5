"""Writing spreadsheets and sending them, the one way (reading them: truonghoc.spreadsheets).

- `safe_cell`: a cell a spreadsheet program would run as a formula (=, +, -, @, tab, CR at the start)
  is written as text with a leading apostrophe, so an export can never carry a formula a pupil typed
  into their name ("=HYPERLINK(…)").
- `xlsx_bytes`: a one-sheet workbook from a title, a header and rows, streamed (write-only).
- `workbook_bytes`: any openpyxl Workbook an app styled itself (reports, templates to fill in).
- `xlsx_response`: the download, with a Content-Disposition that survives a Vietnamese file name
  (RFC 6266/5987 `filename*=utf-8''…`), never cached by a shared proxy, never sniffed by the browser.
- Every download says whether it is audited: `audit=` has no default. An export of personal data passes
  the audit of `units.services.audit_export` (bound to actor, kind, unit and target with
  `functools.partial`); the download calls it with the file name and the row count once the file is
  made, so a refused or failed export writes nothing. `audit=None` only for files without personal
  data (templates to fill in, question banks) or audited otherwise (credential sheets).
"""

import io
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Called as audit(filename=…, rows=…) once the file is made: `units.services.audit_export` with the rest bound.
ExportAudit = Callable[..., object]


class SheetBytes(bytes):
    """The workbook `xlsx_bytes` wrote, knowing how many data rows it holds (`rows`: neither the title
    nor the header), so the download's audit entry counts them without a second pass over a generator."""

    rows: int = 0


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_bytes(
    *, title: str | None, header: list[str], rows: Iterable[Iterable], sheet_name: str = "Sheet1"
) -> SheetBytes:
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
    count = 0
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
        count += 1
    content = SheetBytes(workbook_bytes(workbook))
    content.rows = count
    return content


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download_response(
    content: bytes, filename: str, content_type: str, *, audit: ExportAudit | None, rows: int | None = None
) -> HttpResponse:
    """A file made for one person (an export, a list of passwords), downloaded under `filename`.

    `private, no-store`: it may hold personal data, so neither a shared cache nor the browser's keeps it.
    `audit` (see the module's doc) is called with the file name and `rows` (by default the rows
    `xlsx_bytes` counted); an audited file of unknown size is a programming error, refused.
    """
    if audit is not None:
        rows = getattr(content, "rows", None) if rows is None else rows
        if rows is None:
            raise TypeError("An audited download needs its row count (rows=).")
        audit(filename=filename, rows=rows)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(
    workbook_or_bytes: Workbook | bytes, filename: str, *, audit: ExportAudit | None, rows: int | None = None
) -> HttpResponse:
    """The one xlsx download: `xlsx_response(xlsx_bytes(...), "bang-diem.xlsx", audit=partial(audit_export, …))`."""
    content = workbook_or_bytes if isinstance(workbook_or_bytes, bytes) else workbook_bytes(workbook_or_bytes)
    return download_response(content, filename, XLSX_CONTENT_TYPE, audit=audit, rows=rows)
