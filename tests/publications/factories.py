"""Files of every kind a person might upload, and report requests built through the services."""

import io
import zipfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from publications.services import report_request_create


def pdf_file(name: str = "bao-cao.pdf", size: int | None = None) -> SimpleUploadedFile:
    content = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size is not None:
        content = content + b"0" * (size - len(content))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_file(name: str = "bao-cao.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def xlsx_file(name: str = "so-lieu.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(["Trường", "Số giáo viên"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def exe_named_pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, content_type="application/pdf")


def in_days(days: float) -> timezone.datetime:
    return timezone.now() + timedelta(days=days)


def make_request(*, actor, issuer, kinds=(), units=(), deadline=None, title="Báo cáo kết quả thực hiện", **extra):
    return report_request_create(
        actor=actor,
        issuer=issuer,
        title=title,
        instructions=extra.pop("instructions", "Gửi báo cáo về Sở trước hạn.\nKèm số liệu."),
        deadline=deadline or in_days(7),
        kinds=kinds,
        units=units,
        **extra,
    )
