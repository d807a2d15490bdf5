"""School admins issue accounts in a browser; the new student logs in with the slip's credential."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import AccountQuota, User
from accounts.services.credentials import sheet_load
from accounts.services.issuing import account_issue
from tests.accounts.factories import make_person
from tests.accounts.spreadsheets import students, xlsx
from tests.e2e.conftest import issue_student, log_in
from units.models import Role


@pytest.fixture
def admin(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=40)
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.tp", full_name="Lê Quản Trị")


def test_admin_issues_a_student_who_then_logs_in_and_sets_a_password(live_server, page, tree, admin):
    log_in(page, live_server.url, "quantri.tp", home=False)
    username, code = issue_student(page)
    assert username.endswith(".hs0001") and len(code) == 10
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()

    log_in(page, live_server.url, username, code, home=False)
    expect(page).to_have_url(re.compile(r"/tai-khoan/password/set/"))
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.fill("input[name=password1]", "Hoc-sinh-moi-2026")
    page.fill("input[name=password2]", "Hoc-sinh-moi-2026")
    page.get_by_test_id("password-submit").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert User.objects.get(username=username).check_password("Hoc-sinh-moi-2026")


def test_admin_imports_a_class_from_a_spreadsheet(live_server, page, tree, admin, tmp_path):
    path = tmp_path / "lop-6a1.xlsx"
    path.write_bytes(xlsx(students(12)))
    log_in(page, live_server.url, "quantri.tp", home=False)
    page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
    page.check("input[name=account_type][value=student]")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("batch-done")).to_be_visible()
    expect(page.get_by_test_id("sheet-code")).to_have_count(12)
    with page.expect_download() as download:
        page.get_by_test_id("sheet-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert User.objects.filter(unit=tree.s1, account_type="student").count() == 12


def test_a_file_with_problems_is_shown_row_by_row_and_nothing_is_created(live_server, page, tree, admin, tmp_path):
    path = tmp_path / "loi.xlsx"
    path.write_bytes(xlsx([*students(3), ["", "01/01/2012", "Nam", "0999999999", "6A1", "", ""]]))
    log_in(page, live_server.url, "quantri.tp", home=False)
    page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
    page.check("input[name=account_type][value=student]")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("batch-problems")).to_be_visible()
    expect(page.get_by_test_id("import-rows")).to_contain_text("5")  # the line number of the bad row
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    assert not User.objects.filter(account_type="student").exists()


def test_new_student_chooses_a_password_and_lands_home_welcomed(live_server, page, tree, admin):
    student, batch = account_issue(
        actor=admin,
        school=tree.s1,
        account_type="student",
        values={"full_name": "Phạm Minh Khôi", "national_id": "0123456789", "unit": "6A1"},
    )
    code = sheet_load(batch=batch)[0]["code"]
    log_in(page, live_server.url, student.username, code, home=False)
    expect(page).to_have_url(re.compile(r"/tai-khoan/password/set/$"))
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.fill("input[name=password1]", "Hoc-sinh-moi-2026")
    page.fill("input[name=password2]", "Hoc-sinh-moi-2026")
    page.get_by_test_id("password-submit").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_contain_text("Chào mừng Phạm Minh Khôi!")
    expect(page.locator("h1")).not_to_contain_text("Đổi mật khẩu")
    student.refresh_from_db()
    assert student.check_password("Hoc-sinh-moi-2026") and not student.must_change_password
