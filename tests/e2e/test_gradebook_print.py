"""The principal opens a class's book and downloads its A3 PDF: the page is A3 landscape and the
Vietnamese text (the title, a student's name with its diacritics) is in the file as typed."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect
from pypdf import PdfReader

from gradebook import services
from tests.accounts.factories import make_person
from tests.e2e.conftest import log_in, person
from units.models import Role


def test_the_principal_downloads_the_a3_class_book(live_server, page, tree):
    principal = person(tree.s1, Role.PRINCIPAL, "hieutruong.tp", "Đỗ Thị Hiệu")
    teacher = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán")
    student = make_person(
        unit=tree.c1, role=Role.STUDENT, full_name="Phạm Thị Ngọc Ánh", date_of_birth=date(2014, 5, 2)
    )
    services.assignment_set(actor=principal, school_class=tree.c1, subject="Toán", semester=1, teacher=teacher)
    for kind, index, value in (("tx", 1, "7"), ("tx", 2, "8"), ("gk", 1, "8"), ("ck", 1, "9")):
        services.mark_set(
            actor=teacher, student_id=student.pk, school_class=tree.c1, subject="Toán", semester=1,
            kind=kind, index=index, value=Decimal(value), level="",
        )  # fmt: skip

    log_in(page, live_server.url, "hieutruong.tp")
    page.goto(f"{live_server.url}/so-diem/lop/{tree.c1.pk}/in/")
    expect(page.get_by_role("heading", name="Sổ gọi tên và ghi điểm — 6A1")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("class-book-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.value.path())
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (1190.55, 841.89)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Sổ gọi tên và ghi điểm" in text
    assert "Phạm Thị Ngọc Ánh" in text and "02/05/2014" in text
    assert "8,3" in text or "8.3" in text  # (7 + 8 + 2 × 8 + 3 × 9) / 7 = 8,29 → 8,3
