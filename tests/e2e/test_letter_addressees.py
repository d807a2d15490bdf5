"""Issue #12, points 5 and 6, in a real browser (Vietnamese pages): an Office writes a letter to the
principals of one school, with its "Căn cứ" mixing a letter on the system and documents that are not;
the school's student never sees it (home page, inbox; its link says why); a teacher may read it but is told their
opening is not the school's; the principal opens it; and the Office's receipts show the school as read,
by whom, as what and when."""

import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from publications.models import Letter, LetterRecipient
from tests.e2e.conftest import log_in, person, screenshots
from units.models import Role

from .test_publications import make_letter

SUBJECT = "triệu tập hiệu trưởng họp giao ban đầu năm học"
DECREE = "Nghị định 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư"
MINISTRY_LETTER = "Công văn số 4567/BGDĐT-GDTrH ngày 05/9/2024 của Bộ GDĐT"


shot = screenshots("publications")


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        phong=person(tree.office_a1, Role.OFFICE_STAFF, "pgd.phuly", "Trần Quốc Khánh"),
        principal=person(tree.s1, Role.PRINCIPAL, "ht.tranphu", "Lê Thị Thu"),
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        student=person(tree.c1, Role.STUDENT, "hs.binh", "Phạm Gia Bình"),
    )


def test_office_writes_to_the_principals_the_student_never_sees_it_the_principal_reads_for_the_school(
    live_server, page, tree, people
):
    earlier = make_letter(
        actor=people.phong,
        issuer=tree.office_a1,
        number=12,
        symbol="PGDĐT",
        subject="kế hoạch năm học 2025-2026",
        units=[tree.s1],
    )

    # 1. The Office writes the letter to School S1, addressed to its heads, with three lines of "Căn cứ".
    log_in(page, live_server.url, "pgd.phuly")
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("new-letter").click()
    form = page.get_by_test_id("letter-form")
    form.locator("#id_number").fill("45")
    form.locator("#id_symbol").fill("PGDĐT-THCS")
    form.locator("#id_subject").fill(SUBJECT)
    form.locator("#id_signer_name").fill("Trần Quốc Khánh")
    form.locator("#id_signer_title").fill("Trưởng phòng")
    form.locator("#id_body + .rich-text-editor .ql-editor").fill(
        "Kính gửi Hiệu trưởng trường THCS Trần Phú. Phòng GDĐT triệu tập họp giao ban."
    )
    form.locator("#id_cites").fill(f"Căn cứ {DECREE};\n12/PGDĐT\n{MINISTRY_LETTER};")
    form.locator("#id_units").select_option(str(tree.s1.pk))
    addressees = form.get_by_test_id("addressed-to")
    expect(addressees).to_contain_text("Kính gửi")
    heads = addressees.locator("input[value=heads]")
    expect(heads).to_be_checked()  # an Office writes to the heads of the schools
    expect(addressees).to_contain_text("Học sinh chỉ xem được công văn gửi toàn thể đơn vị")
    shot(page, "first-week-1-letter-form")
    page.get_by_test_id("save-letter").click()
    expect(page.get_by_test_id("draft")).to_be_visible()
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("issue-addressed-to")).to_contain_text("Lãnh đạo đơn vị")
    page.get_by_test_id("confirm-issue").click()
    expect(page.get_by_test_id("draft")).to_have_count(0)
    letter = Letter.objects.get(issuer=tree.office_a1, number=45)
    assert letter.status == Letter.Status.ISSUED and letter.addressed_to == Letter.Addressees.HEADS
    assert [c.cited_id or c.text for c in letter.citations.all()] == [DECREE, earlier.pk, MINISTRY_LETTER]
    expect(page.get_by_test_id("addressed-to")).to_contain_text("Lãnh đạo đơn vị")
    items = page.get_by_test_id("cites-item")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text(DECREE)
    expect(items.nth(0)).to_contain_text("không có trên hệ thống")
    expect(items.nth(1).get_by_test_id("cites-link")).to_have_text("12/PGDĐT")
    expect(items.nth(2)).to_contain_text(MINISTRY_LETTER)
    letter_url = page.url

    # 2. The school's student: not on the home page, not in the inbox, and its link is not theirs.
    log_in(page, live_server.url, "hs.binh", fresh=True)
    expect(page.get_by_test_id("home-front")).to_be_visible()
    expect(page.get_by_test_id("front-letters")).not_to_contain_text(SUBJECT)
    page.goto(f"{live_server.url}/cong-van/")
    expect(page.locator("main")).not_to_contain_text(SUBJECT)
    response = page.goto(letter_url)
    assert response.status == 403
    expect(page.get_by_test_id("refused")).to_contain_text("không gửi tới học sinh")
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s1).read_at is None
    shot(page, "first-week-2-student")

    # 3. A teacher of the school may read it, and is told it does not count as the school's reading.
    log_in(page, live_server.url, "gv.an", fresh=True)
    page.goto(letter_url)
    expect(page.get_by_test_id("not-counted")).to_contain_text("không được tính là đơn vị đã xem")
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s1).read_at is None

    # 4. The principal finds it new in the inbox and opens it.
    log_in(page, live_server.url, "ht.tranphu", fresh=True)
    page.get_by_test_id("nav-letters").click()
    row = page.get_by_test_id("inbox-row").filter(has_text=SUBJECT)
    expect(row.get_by_test_id("unread")).to_be_visible()
    row.get_by_test_id("unread").click()
    expect(page.get_by_test_id("subject")).to_contain_text(SUBJECT)
    expect(page.get_by_test_id("not-counted")).to_have_count(0)
    receipt = LetterRecipient.objects.get(letter=letter, unit=tree.s1)
    assert receipt.read_by == people.principal and receipt.read_role == Role.PRINCIPAL
    shot(page, "first-week-3-principal")

    # 5. The Office sees the school as read: by the principal, as principal, at that time.
    log_in(page, live_server.url, "pgd.phuly", fresh=True)
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("tab-sent").click()
    count = page.get_by_test_id("sent-row").filter(has_text=SUBJECT).get_by_test_id("read-count")
    expect(count).to_contain_text(re.compile(r"1\s*/\s*1"))
    count.click()
    expect(page.get_by_test_id("count-read")).to_have_text("1")
    expect(page.get_by_test_id("receipts-rule")).to_contain_text("Học sinh mở không được tính")
    opened = page.get_by_test_id("receipt-row").filter(has_text="Trường THCS Trần Phú")
    expect(opened.get_by_test_id("opened")).to_have_text(timezone.localtime(receipt.read_at).strftime("%d/%m/%Y %H:%M"))
    expect(opened.get_by_test_id("read-by")).to_contain_text("Lê Thị Thu")
    expect(opened.get_by_test_id("read-by")).to_contain_text("Hiệu trưởng")
    shot(page, "first-week-4-receipts")
