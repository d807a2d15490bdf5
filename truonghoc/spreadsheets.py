"""Reading spreadsheets the same way everywhere (writing them, and the download response: truonghoc.xlsx).

Reading: xlsx (openpyxl, streamed) and csv (UTF-8 with or without BOM, or Windows-1258), rows of
strings/dates with NFC text, and clear messages for files that are not what they claim to be.
"""

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from .text import nfc

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and every password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message says why, for the person who uploaded it."""


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


HEADER_SEARCH_ROWS = 10


def read_table(
    content: bytes, *, is_header=None, max_lines: int | None = None
) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """(header, rows) from xlsx or csv bytes. Rows are (line number, cells); formula cells come back
    as the formula text (starting with "="), so callers can refuse them.

    The header is the first non-empty row, or, with `is_header`, the first of the first ten rows it
    accepts (a title line above the header is common). The kind of file is decided by its content,
    not its name. `max_lines` counts blank lines too, so a sheet of a million empty rows stops early.
    """
    refuse_unreadable(content)
    if content.startswith(ZIP_MAGIC):
        rows, close = _read_xlsx(content)
    elif b"\x00" in content[:4096]:
        raise SpreadsheetError(_("This file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    else:
        rows, close = _read_csv(content), None
    for line, cells in rows:
        if line > HEADER_SEARCH_ROWS and is_header is not None:
            break
        header = [str(c).strip() if isinstance(c, str) else "" for c in cells]
        if is_header is None or is_header(header):
            return header, _rest(rows, close, max_lines)
    if close:
        close()
    raise SpreadsheetError(_("The file has no header row naming its columns."))


def refuse_unreadable(content: bytes) -> None:
    """The refusals every import gives before it reads a file: an empty one, and an old .xls or a
    password-protected workbook (both are OLE files, which we do not read)."""
    if not content:
        raise SpreadsheetError(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise SpreadsheetError(
            _(
                "This file is password-protected or in the old .xls format. Open it, remove the password, "
                "save it as .xlsx (Excel workbook) and upload it again."
            )
        )


# Errors openpyxl and the XML/zip layers raise on damaged files, at opening or while rows are read.
DAMAGED = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, EOFError,
           zlib.error, ElementTree.ParseError, TypeError, AttributeError)  # fmt: skip
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # 50,000 rows of people are ~20 MB of XML; more is a zip bomb


DAMAGED_MESSAGE = _lazy("The workbook is damaged and cannot be read. Save it again as .xlsx.")


def open_xlsx(content: bytes, *, too_much: str = ""):
    """(workbook, first sheet) of xlsx bytes, read-only and streamed (close the workbook after use).
    SpreadsheetError for a damaged file, or one that unpacks to more than MAX_UNZIPPED_BYTES (a zip
    bomb; `too_much` says it in the words of what the file should hold)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise SpreadsheetError(
                    too_much or _("This workbook unpacks to far more data than a list of people could hold.")
                )
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        return workbook, workbook.worksheets[0]
    except SpreadsheetError:
        raise  # a ValueError too: not to be taken for a damaged file
    except DAMAGED as exc:
        raise SpreadsheetError(str(DAMAGED_MESSAGE)) from exc


def _read_xlsx(content: bytes):
    damaged = str(DAMAGED_MESSAGE)
    workbook, sheet = open_xlsx(content)

    def rows():
        try:
            for line, row in _sheet_values(workbook, sheet):
                cells = [_cell_text(v) for v in row]
                if any(cells):
                    yield line, cells
        except DAMAGED as exc:
            raise SpreadsheetError(damaged) from exc

    return rows(), workbook.close


_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"


class _PlainTextParser(WorkSheetParser):
    """openpyxl's sheet parser with a short way for the cell most lists are made of: an inline string of
    one plain run (`<c t="inlineStr"><is><t>…</t></is></c>`, what openpyxl's write-only workbooks and many
    exports write), read without building openpyxl's rich-text objects. Every other cell (shared strings,
    numbers, dates, formulas, rich text) goes through openpyxl's own parse_cell, unchanged."""

    def parse_cell(self, element):
        if element.get("t") == "inlineStr" and element.find(FORMULA_TAG) is None:
            child = element.find(INLINE_STRING)
            if child is not None and len(child) == 1 and child[0].tag == _TEXT_TAG:
                coordinate = element.get("r")
                if coordinate:
                    row, column = coordinate_to_tuple(coordinate)
                    self.col_counter = column
                else:
                    self.col_counter += 1
                    row, column = self.row_counter, self.col_counter
                return {"row": row, "column": column, "value": child[0].text or "", "data_type": "s"}
        return super().parse_cell(element)


def _sheet_values(workbook, sheet):
    """(row number, values) of a read-only sheet, as `sheet.iter_rows(values_only=True)` gives them (rows
    padded to the sheet's width, stopping at its declared last row), with _PlainTextParser: a national list
    of 45,000 schools is read in half the time. Rows that are missing from the file are not yielded (the
    callers skip empty rows anyway), so the number is the row's own, as the file says it."""
    max_row, max_col = sheet.max_row, sheet.max_column
    with sheet._get_source() as source:
        parser = _PlainTextParser(
            source,
            sheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for line, cells in parser.parse():
            if max_row is not None and line > max_row:
                break
            yield line, sheet._get_row(cells, 1, max_col, values_only=True)


def _rest(rows, close, max_lines):
    try:
        for line, cells in rows:
            if max_lines is not None and line > max_lines:
                raise SpreadsheetError(
                    _("The file goes on past line %(max)d. Split it into several files.") % {"max": max_lines}
                )
            yield line, cells
    finally:
        if close:
            close()


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Windows-1258 writes tone marks as combining characters: nfc() below composes them.
            text = content.decode("cp1258")
        except UnicodeDecodeError as exc:
            raise SpreadsheetError(_("The text of this CSV file cannot be read. Save it as CSV UTF-8.")) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for line, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [nfc(c) for c in row]
        if any(cells):
            yield line, cells
