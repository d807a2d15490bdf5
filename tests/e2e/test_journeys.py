"""The first journeys of the portal, walked in a real browser as a person would."""

import re

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import make_person
from tests.e2e.conftest import PASSWORD, log_in
from units.models import Role


@pytest.fixture
def people(tree):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER, username="gv.tranphu", full_name="Nguyễn Thị Lan")
    student = make_person(unit=tree.c1, role=Role.STUDENT, username="hs.tranphu", full_name="Trần Văn Nam")
    return teacher, student


def test_teacher_logs_in_sees_their_space_and_logs_out(live_server, page, people, tree):
    # As a person would: the fields and the button found by their Vietnamese labels (the other journeys
    # log in through tests/e2e/conftest.py's log_in).
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.get_by_label("Tên đăng nhập hoặc email").fill("gv.tranphu")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Không gian của tôi")).to_be_visible()
    expect(page.get_by_text("Nguyễn Thị Lan").first).to_be_visible()
    units = page.get_by_test_id("home-units")
    expect(units).to_contain_text("Tổ Khoa học tự nhiên")
    # The teacher opens their school's space from the group's breadcrumb.
    units.get_by_text("Tổ Khoa học tự nhiên").click()
    page.get_by_role("link", name="Trường THCS Trần Phú").click()
    expect(page.get_by_test_id("children-table")).to_contain_text("Tổ Khoa học xã hội")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/login/"))
    # Logged out, "/" is the public front page (national news and letters), with a way to log in.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("front-login")).to_be_visible()


def test_wrong_password_is_told_clearly(live_server, page, people):
    log_in(page, live_server.url, "gv.tranphu", "khong-dung", home=False)
    expect(page.get_by_test_id("login-error")).to_contain_text("không đúng")
    expect(page.get_by_label("Tên đăng nhập hoặc email")).to_have_value("gv.tranphu")


def test_student_cannot_open_the_admin_pages(live_server, page, people):
    log_in(page, live_server.url, "hs.tranphu", home=False)
    expect(page.get_by_role("heading", name="Không gian của tôi")).to_be_visible()
    page.goto(f"{live_server.url}/quan-tri/")
    expect(page).to_have_url(re.compile(r"/quan-tri/login/"))
    expect(page.locator("body")).not_to_contain_text("Site administration")
    page.goto(f"{live_server.url}/quan-tri/accounts/user/")
    expect(page).to_have_url(re.compile(r"/quan-tri/login/"))
    # Nor another class's space.
    response = page.goto(f"{live_server.url}/don-vi/{people[1].unit_id}/")
    assert response.status == 200
    from units.models import Unit

    other_class = Unit.objects.get(name="7A1")
    response = page.goto(f"{live_server.url}/don-vi/{other_class.pk}/")
    assert response.status == 404


def test_phone_layout_fits_360px_and_the_menu_opens(live_server, phone, people):
    log_in(phone, live_server.url, "gv.tranphu", home=False)
    expect(phone.get_by_role("heading", name="Không gian của tôi")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    phone.get_by_test_id("menu-toggle").click()
    expect(phone.get_by_test_id("user-menu")).to_be_visible()


def test_language_switch_in_the_header(live_server, page, people):
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.select_option("#language-select", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.select_option("#language-select", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


def test_search_without_accents_filters_as_you_type(live_server, page, people, tree):
    log_in(page, live_server.url, "gv.tranphu", home=False)
    page.goto(f"{live_server.url}/don-vi/{tree.s1.pk}/")
    table = page.get_by_test_id("children-table")
    expect(table).to_contain_text("6A1")
    page.get_by_placeholder("Tìm theo tên").fill("khoa hoc xa hoi")
    expect(table).not_to_contain_text("6A1")  # htmx replaced the list without a page load
    expect(table).to_contain_text("Tổ Khoa học xã hội")
    expect(page).to_have_url(re.compile(r"q=khoa"))


def test_a_teacher_starts_a_discussion_in_their_group(live_server, page, people, tree):
    from accounts.models import User

    # Posting needs a complete profile (the Hà Nam rule).
    User.objects.filter(pk=people[0].pk).update(
        email="lan@example.edu.vn", phone="0912345678", date_of_birth="1985-09-05", photo="photos/a.jpg",
        photo_status="proper",
    )  # fmt: skip
    log_in(page, live_server.url, "gv.tranphu", home=False)
    page.goto(f"{live_server.url}/don-vi/{tree.g1.pk}/")
    page.get_by_test_id("unit-forum").click()
    page.locator("input[name=title]").fill("Dạy học dự án môn Toán 6")
    page.locator("textarea[name=body] + .rich-text-editor .ql-editor").fill(
        "Mời các thầy cô chia sẻ kinh nghiệm <script>alert(1)</script>"
    )
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("Dạy học dự án môn Toán 6")
    expect(page.locator("main")).to_contain_text("Mời các thầy cô chia sẻ kinh nghiệm")
    assert "<script>alert(1)</script>" not in page.content()
