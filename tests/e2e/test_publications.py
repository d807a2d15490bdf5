"""Official letters and news (issue #7) walked in a real browser: a Department writes and issues a letter with
a PDF to every THCS school, a school opens it, the Department follows the read receipts and reminds the school
that has not; a teacher finds the letter in the archive without accents and in any word order (and not a
letter sent elsewhere); a teacher writes an article with a cover picture, the Office approves it, anyone can
open its link, also on a 360 px phone; promoted up to the Ministry, it is on the public home page.

The publications strings are still being translated, so the tests find things by data-testid and accept
either language where they read a label."""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from notifications.models import Notification
from publications.models import Article, Letter, LetterAttachment, LetterRecipient, ReportRequest
from publications.permissions import news as news_perms
from publications.services import letters as letter_services
from publications.services import news as news_services
from tests.e2e.conftest import horizontal_overflow, log_in, person, screenshots
from units.models import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUBJECT = "hướng dẫn nhiệm vụ năm học 2025-2026"  # the page writes it after "V/v" (Re:)
REFERENCE = "1364/SGDĐT-GDTrH"
ARTICLE = "Trường THCS Trần Phú khai giảng năm học mới"
DATE_TIME = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
A = ReportRequest.Audience


shot = screenshots("publications")


def success(page):
    return page.locator(".messages .alert-success")


def cover_loaded(page) -> int:
    """The natural width of the article's cover once the browser has loaded it (0 if it failed)."""
    cover = page.get_by_test_id("cover")
    cover.wait_for()
    page.wait_for_function("img => img.complete", arg=cover.element_handle())
    return cover.evaluate("img => img.naturalWidth")


def pdf_path(tmp_path, name="huong-dan-nhiem-vu.pdf", padding=3000) -> Path:
    path = tmp_path / name
    path.write_bytes(PDF + b"x" * padding)
    return path


def jpeg_path(tmp_path, name="khai-giang.jpg", size=(800, 450)) -> Path:
    path = tmp_path / name
    Image.new("RGB", size, (30, 90, 160)).save(path, "JPEG", quality=80)
    return path


def make_letter(*, actor, issuer, number, symbol, subject, kinds=(), units=(), **extra) -> Letter:
    letter = letter_services.letter_create(
        actor=actor,
        issuer=issuer,
        number=number,
        symbol=symbol,
        issued_on=timezone.localdate(),
        subject=subject,
        signer_name=extra.pop("signer_name", "Nguyễn Văn Bình"),
        signer_title=extra.pop("signer_title", "Phó Giám đốc"),
        body=extra.pop("body", "<p>Sở hướng dẫn các đơn vị thực hiện nhiệm vụ năm học như sau.</p>"),
        kinds=kinds,
        units=units,
        **extra,
    )
    return letter_services.letter_issue(actor=actor, letter=letter)


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        bo=person(tree.ministry, Role.MINISTRY_STAFF, "bo.vu", "Vũ Minh Đức"),
        so=person(tree.dept_a, Role.DEPARTMENT_STAFF, "so.hanam", "Phạm Thị Hương"),
        so_b=person(tree.dept_b, Role.DEPARTMENT_STAFF, "so.namdinh", "Lê Văn Tùng"),
        phong=person(tree.office_a1, Role.OFFICE_STAFF, "pgd.phuly", "Trần Quốc Khánh"),
        s1_admin=person(tree.s1, Role.SCHOOL_ADMIN, "qt.tranphu", "Đỗ Thị Mai"),
        s2_admin=person(tree.s2, Role.SCHOOL_ADMIN, "qt.tientan", "Ngô Văn Hải"),
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
    )


# --- 1. the Department issues a letter; a school opens it; receipts and a reminder -----------------------


def test_department_issues_a_letter_the_school_opens_it_and_the_department_reminds_the_other(
    live_server, page, tree, people, tmp_path
):
    log_in(page, live_server.url, "so.hanam")
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("new-letter").click()

    form = page.get_by_test_id("letter-form")
    form.locator("#id_number").fill("1364")
    form.locator("#id_symbol").fill("SGDĐT-GDTrH")
    expect(form.locator("#id_issued_on")).to_have_value(timezone.localdate().strftime("%d/%m/%Y"))
    form.locator("#id_subject").fill(SUBJECT)
    form.locator("#id_signer_name").fill("Nguyễn Văn Bình")
    form.locator("#id_signer_title").fill("Phó Giám đốc")
    form.locator("#id_body + .rich-text-editor .ql-editor").fill(
        "Căn cứ kế hoạch năm học, Sở hướng dẫn các trường THCS thực hiện nhiệm vụ năm học."
    )
    form.locator("#id_attachments").set_input_files(str(pdf_path(tmp_path)))
    # The kinds of unit are checkboxes; Dept A offers "All THCS schools" (Tất cả trường THCS).
    thcs = form.locator(f"input[name=kinds][value={A.THCS.value}]")
    expect(form.locator(f"label[for='{thcs.get_attribute('id')}']")).to_have_text(re.compile(r"THCS"))
    thcs.check()
    shot(page, "1-letter-form")
    page.get_by_test_id("save-letter").click()

    # A draft, sent to nobody yet.
    expect(page.get_by_test_id("draft")).to_be_visible()
    expect(page.get_by_test_id("reference")).to_contain_text(REFERENCE)
    letter = Letter.objects.get(issuer=tree.dept_a, number=1364)
    assert letter.status == Letter.Status.DRAFT and not letter.recipients.exists()
    assert (letter.symbol, letter.subject, letter.created_by) == ("SGDĐT-GDTrH", SUBJECT, people.so)
    assert letter.audience["kinds"] == [A.THCS.value]

    page.get_by_test_id("issue").click()
    confirm = page.get_by_test_id("issue-confirm")
    expect(confirm).to_contain_text(REFERENCE)
    # Every THCS school below Dept A (not Dept B's School S3, nor the THPT school).
    expect(confirm.locator("ul li")).to_have_count(2)
    expect(confirm).to_contain_text("Trường THCS Trần Phú")
    expect(confirm).to_contain_text("Trường THCS Tiên Tân")
    expect(confirm).not_to_contain_text("Trường THCS Yên Thắng")
    shot(page, "1-issue-confirm")
    page.get_by_test_id("confirm-issue").click()

    expect(success(page)).to_contain_text(REFERENCE)
    expect(page.get_by_test_id("draft")).to_have_count(0)
    expect(page.get_by_test_id("subject")).to_have_text(re.compile(rf"^(V/v|Re:) {re.escape(SUBJECT)}$"))
    expect(page.get_by_test_id("signer")).to_have_text("Nguyễn Văn Bình")
    letter.refresh_from_db()
    assert letter.status == Letter.Status.ISSUED and letter.issued_at is not None
    assert set(letter.recipients.values_list("unit_id", flat=True)) == {tree.s1.pk, tree.s2.pk}
    attachment = LetterAttachment.objects.get(letter=letter)
    assert (attachment.name, attachment.size) == ("huong-dan-nhiem-vu.pdf", len(PDF) + 3000)
    assert Notification.objects.filter(recipient=people.s1_admin).count() == 1

    # The school admin of S1: the letter is new in "Công văn đến".
    log_in(page, live_server.url, "qt.tranphu", fresh=True)
    page.get_by_test_id("nav-letters").click()
    row = page.get_by_test_id("inbox-row").filter(has_text=SUBJECT)
    expect(row.get_by_test_id("unread")).to_be_visible()
    shot(page, "1-inbox-unread")
    row.get_by_test_id("unread").click()

    expect(page.get_by_test_id("reference")).to_contain_text(REFERENCE)
    link = page.get_by_test_id("attachments").get_by_role("link", name="huong-dan-nhiem-vu.pdf")
    expect(link).to_be_visible()
    expect(link).to_have_attribute("href", f"/cong-van/tep/{attachment.pk}/")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.body().startswith(b"%PDF-")
    shot(page, "1-letter-opened")
    s1_row = LetterRecipient.objects.get(letter=letter, unit=tree.s1)
    assert s1_row.read_at is not None and s1_row.read_by == people.s1_admin
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s2).read_at is None
    page.get_by_test_id("nav-letters").click()
    expect(page.get_by_test_id("inbox-row").filter(has_text=SUBJECT).get_by_test_id("read")).to_be_visible()

    # The Department follows who opened it, from "Công văn đi".
    log_in(page, live_server.url, "so.hanam", fresh=True)
    page.get_by_test_id("nav-letters").click()
    page.get_by_test_id("tab-sent").click()
    count = page.get_by_test_id("sent-row").filter(has_text=SUBJECT).get_by_test_id("read-count")
    expect(count).to_contain_text(re.compile(r"1\s*/\s*2"))
    count.click()

    expect(page.get_by_test_id("count-total")).to_have_text("2")
    expect(page.get_by_test_id("count-read")).to_have_text("1")
    expect(page.get_by_test_id("count-unread")).to_have_text("1")
    opened = page.get_by_test_id("receipt-row").filter(has_text="Trường THCS Trần Phú")
    expect(opened.get_by_test_id("opened")).to_have_text(timezone.localtime(s1_row.read_at).strftime("%d/%m/%Y %H:%M"))
    expect(opened).to_contain_text("Đỗ Thị Mai")
    not_opened = page.get_by_test_id("receipt-row").filter(has_text="Trường THCS Tiên Tân")
    expect(not_opened.get_by_test_id("not-opened")).to_be_visible()
    expect(not_opened.get_by_test_id("opened")).to_have_count(0)
    shot(page, "1-receipts")

    page.get_by_test_id("remind").click()
    remind = page.get_by_test_id("remind-confirm")
    expect(remind).to_contain_text("Trường THCS Tiên Tân")
    expect(remind).not_to_contain_text("Trường THCS Trần Phú")
    page.get_by_test_id("confirm-remind").click()

    expect(page).to_have_url(re.compile(rf"/cong-van/{letter.pk}/da-doc/$"))
    expect(success(page)).to_be_visible()
    expect(success(page)).to_contain_text("1")
    expect(not_opened).to_contain_text(re.compile(r"(reminded|nhắc)"))
    shot(page, "1-reminded")
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s2).reminded_at is not None
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s1).reminded_at is None
    assert Notification.objects.filter(recipient=people.s2_admin).count() == 2  # issued, then the reminder
    assert Notification.objects.filter(recipient=people.s1_admin).count() == 1


# --- 2. the archive: no accents, any word order, only what the reader may see ---------------------------


def test_teacher_finds_the_letter_in_the_archive_without_accents_in_any_word_order(live_server, page, tree, people):
    # Addressed to the heads and the teachers, so the teacher's opening is the school's reading (issue #12).
    letter = make_letter(
        actor=people.so,
        issuer=tree.dept_a,
        number=1364,
        symbol="SGDĐT-GDTrH",
        subject=SUBJECT,
        kinds=[A.THCS],
        addressed_to=Letter.Addressees.STAFF,
    )
    # Dept B's letter uses the same words but goes only to School S3: the teacher of S1 must not find it.
    elsewhere = make_letter(
        actor=people.so_b,
        issuer=tree.dept_b,
        number=2001,
        symbol="SGDĐT-GDTrH",
        subject="Hướng dẫn nhiệm vụ năm học của Trường THCS Yên Thắng",
        units=[tree.s3],
    )
    assert set(elsewhere.recipients.values_list("unit_id", flat=True)) == {tree.s3.pk}
    assert all(word in elsewhere.search_text for word in ("huong", "dan", "nhiem", "vu"))

    log_in(page, live_server.url, "gv.an")
    page.get_by_test_id("home-archive").click()
    form = page.get_by_test_id("archive-form")
    for query in ("huong dan nhiem vu", "nhiem vu huong dan"):
        form.locator("#id_q").fill(query)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"q=" + re.escape(query.replace(" ", "+"))))
        rows = page.get_by_test_id("archive-row")
        expect(rows).to_have_count(1)
        expect(rows.get_by_test_id("letter-reference")).to_contain_text(REFERENCE)
        expect(rows).to_contain_text(SUBJECT)
        expect(rows).to_contain_text("Sở GDĐT Hà Nam")
        expect(page.get_by_test_id("archive-results")).not_to_contain_text("Yên Thắng")
    shot(page, "2-archive-search")

    # A word only Dept B's letter has finds nothing for this teacher.
    form.locator("#id_q").fill("yen thang")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("archive-empty")).to_be_visible()
    expect(page.get_by_test_id("archive-row")).to_have_count(0)

    # Opening the letter found counts as the school's reading (a teacher of S1, and the letter is to them).
    form.locator("#id_q").fill("nhiem vu huong dan")
    form.locator("button[type=submit]").click()
    page.get_by_test_id("archive-row").get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_test_id("reference")).to_contain_text(REFERENCE)
    assert LetterRecipient.objects.get(letter=letter, unit=tree.s1).read_by == people.teacher
    # And Dept B's letter stays hidden even by its address.
    assert page.goto(f"{live_server.url}/cong-van/{elsewhere.pk}/").status == 404


# --- 3. news: written with a cover, approved by the Office, open to anyone, fits a phone ------------------


def test_teacher_writes_an_article_the_office_approves_it_and_anyone_opens_its_link(
    live_server, browser, page, phone, tree, people, tmp_path
):
    log_in(page, live_server.url, "gv.an")
    page.get_by_test_id("nav-news").click()
    page.get_by_test_id("write-article").click()

    form = page.get_by_test_id("article-form")
    expect(form.locator("#id_unit")).to_have_value(str(tree.s1.pk))  # a teacher of a group writes for the school
    form.locator("#id_title").fill(ARTICLE)
    form.locator("#id_summary").fill("Sáng 5/9, thầy và trò nhà trường long trọng tổ chức lễ khai giảng.")
    form.locator("#id_body + .rich-text-editor .ql-editor").fill(
        "Buổi lễ có sự tham dự của đại diện Phòng GDĐT Phủ Lý và cha mẹ học sinh."
    )
    form.locator("#id_cover").set_input_files(str(jpeg_path(tmp_path)))
    shot(page, "3-article-form")
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("not-public")).to_be_visible()
    expect(page.get_by_test_id("cover")).to_have_count(1)
    article = Article.objects.get(title=ARTICLE)
    assert article.status == Article.Status.DRAFT
    assert (article.unit, article.author) == (tree.s1, people.teacher)
    assert article.cover and Path(article.cover.path).is_file()
    with Image.open(article.cover.path) as cover:
        assert cover.format == "JPEG" and cover.size == (800, 450)

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("submit")).to_have_count(0)  # sent: nothing more to send
    expect(page.get_by_test_id("status")).to_have_text(re.compile(r"Chờ duyệt|Waiting for approval"))
    expect(success(page)).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED and article.published_at is None

    # Office A1, directly above the school, approves it from its queue.
    log_in(page, live_server.url, "pgd.phuly", fresh=True)
    page.goto(f"{live_server.url}/tin-tuc/cho-duyet/")
    row = page.get_by_test_id("queue-row").filter(has_text=ARTICLE)
    expect(row).to_contain_text("Nguyễn Văn An")
    row.click()
    review = page.get_by_test_id("review-form")
    review.locator("input[name=decision][value=approve]").check()
    shot(page, "3-review")
    page.get_by_test_id("decide").click()

    expect(page).to_have_url(re.compile(r"/tin-tuc/cho-duyet/$"))
    expect(success(page)).to_be_visible()
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.APPROVED and article.published_at is not None
    assert article.reviewed_by == people.phong

    # The article's page: author, unit and publication date; a link to share.
    page.goto(f"{live_server.url}/tin-tuc/{article.pk}/")
    meta = page.get_by_test_id("article-meta")
    expect(meta).to_contain_text("Nguyễn Văn An")
    expect(meta).to_contain_text("Trường THCS Trần Phú")
    published = timezone.localtime(article.published_at).strftime("%d/%m/%Y %H:%M")
    expect(meta).to_contain_text(published)
    expect(page.get_by_test_id("not-public")).to_have_count(0)
    share = page.get_by_test_id("share-link")
    expect(share).to_have_value(f"{live_server.url}/tin-tuc/{article.pk}/")
    link = share.input_value()

    # Anyone with the link: a fresh browser, nobody logged in.
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    try:
        visitor = context.new_page()
        assert visitor.goto(link).status == 200
        expect(visitor.locator("main h1")).to_have_text(ARTICLE)
        expect(visitor.get_by_test_id("article-meta")).to_contain_text(published)
        expect(visitor.get_by_test_id("article-body")).to_contain_text("cha mẹ học sinh")
        expect(visitor.get_by_test_id("cover")).to_have_attribute("src", article.cover_url)
        assert cover_loaded(visitor) == 800  # the re-encoded picture itself, served to anyone
        expect(visitor.get_by_test_id("article-actions")).to_have_count(0)
        expect(visitor.get_by_test_id("user-menu")).to_have_count(0)
        shot(visitor, "3-anonymous-article")
    finally:
        context.close()

    # On a 360 px phone (also not logged in) the article does not scroll sideways.
    phone.goto(link)
    expect(phone.locator("main h1")).to_have_text(ARTICLE)
    assert cover_loaded(phone) == 800
    shot(phone, "3-phone-article")
    assert horizontal_overflow(phone) <= 1


# --- 4. promoted up to the Ministry, the article is on the public front page -----------------------------


@pytest.fixture
def approved_article(tree, people):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), (200, 120, 40)).save(buffer, "JPEG")
    cover = SimpleUploadedFile("khai-giang.jpg", buffer.getvalue(), content_type="image/jpeg")
    article = news_services.article_create(
        actor=people.teacher,
        unit=tree.s1,
        title=ARTICLE,
        summary="Thầy và trò Trường THCS Trần Phú khai giảng năm học mới.",
        body="<p>Buổi lễ diễn ra trang trọng.</p>",
        cover=cover,
    )
    news_services.article_submit(actor=people.teacher, article=article)
    return news_services.article_review(actor=people.phong, article=article, approve=True)


def test_an_article_promoted_to_the_ministry_appears_on_the_public_front_page(
    live_server, page, tree, people, approved_article
):
    article = approved_article
    public_letter = make_letter(
        actor=people.bo,
        issuer=tree.ministry,
        number=4567,
        symbol="BGDĐT-GDTrH",
        subject="Hướng dẫn thực hiện chương trình giáo dục phổ thông",
        kinds=[A.DEPARTMENTS],
        is_public=True,
    )
    private_letter = make_letter(
        actor=people.so, issuer=tree.dept_a, number=1364, symbol="SGDĐT-GDTrH", subject=SUBJECT, kinds=[A.THCS]
    )

    # Approved, it is shown on the Office's space only: not yet on the national front page.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("front-login")).to_be_visible()
    expect(page.get_by_test_id("front-no-news")).to_be_visible()
    expect(page.get_by_test_id("front-letter")).to_have_count(1)
    expect(page.get_by_test_id("front-letter")).to_contain_text(public_letter.reference)
    expect(page.get_by_test_id("front-letters")).not_to_contain_text(private_letter.subject)

    # The Office approved it and already shows it; only the units above can move it up, one level at a time.
    assert news_perms.article_level(article) == tree.office_a1
    with pytest.raises(ValidationError):
        news_services.article_promote(actor=people.phong, article=article)
    log_in(page, live_server.url, "so.hanam")
    page.goto(f"{live_server.url}/tin-tuc/{article.pk}/")
    page.get_by_test_id("promote").click()
    expect(success(page)).to_contain_text("Sở GDĐT Hà Nam")
    expect(page.get_by_test_id("article-level")).to_contain_text("Sở GDĐT Hà Nam")
    article.refresh_from_db()
    assert article.promoted_to == tree.dept_a

    log_in(page, live_server.url, "bo.vu", fresh=True)
    page.goto(f"{live_server.url}/tin-tuc/{article.pk}/")
    expect(page.get_by_test_id("promote")).to_contain_text("Bộ Giáo dục và Đào tạo")
    page.get_by_test_id("promote").click()
    expect(page.get_by_test_id("article-level")).to_contain_text("Bộ Giáo dục và Đào tạo")
    expect(page.get_by_test_id("promote")).to_have_count(0)  # nothing above the Ministry
    article.refresh_from_db()
    assert article.promoted_to == tree.ministry and article.promoted_at is not None

    # An anonymous visitor on "/" now sees it, with its unit, author and publication date.
    page.goto("about:blank")  # end the last page's requests first: a late answer would set another CSRF cookie
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("front-login")).to_be_visible()
    card = page.get_by_test_id("front-article").filter(has_text=ARTICLE)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Trường THCS Trần Phú")
    expect(card).to_contain_text("Nguyễn Văn An")
    expect(card).to_contain_text(timezone.localtime(article.published_at).strftime("%d/%m/%Y %H:%M"))
    shot(page, "4-front-page")
    card.get_by_role("link", name=ARTICLE).click()
    expect(page).to_have_url(re.compile(rf"/tin-tuc/{article.pk}/$"))
    expect(page.locator("main h1")).to_have_text(ARTICLE)
    expect(page.get_by_test_id("article-level")).to_contain_text("Bộ Giáo dục và Đào tạo")
