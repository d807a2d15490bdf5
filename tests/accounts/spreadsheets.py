"""Build the spreadsheets tests upload, the way schools fill them in."""

import io

from openpyxl import Workbook

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp / Tổ chuyên môn", "Email", "Điện thoại"]


def xlsx(rows, header=HEADER, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def students(n, class_name="6A1", start=0):
    return [
        [f"Nguyễn Văn Học Sinh {i}", "05/09/2012", "Nam", f"{100000000 + i:010d}", class_name, "", ""]
        for i in range(start, start + n)
    ]


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: vowels with their shape (ơ, ư, â…) precomposed, tone marks as
    separate combining characters after them."""
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = [p for p in parts if p in TONE_MARKS]
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        out.append(base + "".join(tones))
    return "".join(out).encode("cp1258")
