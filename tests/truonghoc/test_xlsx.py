"""Writing spreadsheets and sending them, the one way (truonghoc.xlsx)."""

import io

from openpyxl import Workbook, load_workbook

from truonghoc.xlsx import XLSX_CONTENT_TYPE, safe_cell, xlsx_bytes, xlsx_response


def _cells(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_a_workbook_has_its_title_header_and_rows_with_formulas_neutralised():
    content = xlsx_bytes(
        title="Bảng điểm 6A1",
        header=["Họ và tên", "Điểm"],
        rows=[['=HYPERLINK("http://x")', 8.5], ["Nguyễn Văn An", 10], ["@SUM(A1)", None]],
        sheet_name="Điểm",
    )
    assert _cells(content) == [
        ("Bảng điểm 6A1", None),
        ("Họ và tên", "Điểm"),
        ('\'=HYPERLINK("http://x")', 8.5),
        ("Nguyễn Văn An", 10),
        ("'@SUM(A1)", None),
    ]


def test_only_text_that_starts_like_a_formula_is_neutralised():
    assert [safe_cell(v) for v in ("-1", "+84", "\tx", "Lê", -1, None)] == ["'-1", "'+84", "'\tx", "Lê", -1, None]


def test_the_response_is_an_uncached_attachment_with_an_ascii_name_as_before():
    response = xlsx_response(xlsx_bytes(title=None, header=["a"], rows=[]), "ket-qua-de-7.xlsx", audit=None)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-de-7.xlsx"'
    assert response["Cache-Control"] == "private, no-store" and response["X-Content-Type-Options"] == "nosniff"


def test_a_vietnamese_file_name_is_sent_as_rfc_5987_and_a_workbook_object_is_saved():
    book = Workbook()
    book.active.append(["Tổ Toán – Tin"])
    response = xlsx_response(book, "Bảng điểm 6A1.xlsx", audit=None)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "B%E1%BA%A3ng%20%C4%91i%E1%BB%83m%206A1.xlsx" in disposition
    assert _cells(response.content) == [("Tổ Toán – Tin",)]
