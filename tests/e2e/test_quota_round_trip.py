"""The quota round trip in a browser: from a refused import, through the request and the decision above,
back to the same import confirmed without a new upload."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import AccountQuota, IssueBatch, QuotaRequest, User
from tests.accounts.factories import make_person
from tests.accounts.spreadsheets import students, xlsx
from tests.e2e.conftest import log_in
from units.models import Role


@pytest.fixture
def admin(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=10)
    return make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.tp", full_name="Lê Quản Trị")


@pytest.fixture
def office(tree):
    return make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, username="phong.phuly", full_name="Đỗ Văn Phòng")


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()


def test_over_quota_import_request_approval_and_confirmation_without_reupload(
    live_server, page, tree, admin, office, tmp_path
):
    path = tmp_path / "tuyen-sinh-6a1.xlsx"
    path.write_bytes(xlsx(students(45)))
    log_in(page, live_server.url, "quantri.tp", home=False)
    page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
    page.check("input[name=account_type][value=student]")
    page.set_input_files("input[name=file]", str(path))
    page.get_by_test_id("upload").click()

    # Refused, with why and how many more places are needed; nothing to confirm yet.
    expect(page.get_by_test_id("batch-over-quota")).to_contain_text("45")
    expect(page.get_by_test_id("quota-gap")).to_contain_text("Cần thêm 35 chỗ")
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    batch_url = page.url

    # The link opens the request already filled in: student, 35, a reason naming the file.
    page.get_by_test_id("request-quota").click()
    expect(page.locator("#id_account_type")).to_have_value("student")
    expect(page.locator("#id_amount")).to_have_value("35")
    expect(page.locator("#id_reason")).to_contain_text("tuyen-sinh-6a1.xlsx")
    page.get_by_test_id("send-request").click()
    # Back on the import, which waits for the answer.
    expect(page).to_have_url(batch_url)
    expect(page.get_by_test_id("request-waiting")).to_contain_text("35")
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    log_out(page)

    # The Office sees the school's use of its quota next to the request, and approves.
    log_in(page, live_server.url, "phong.phuly", home=False)
    page.goto(f"{live_server.url}/ho-so/dinh-muc/yeu-cau/")
    request_card = page.get_by_test_id("quota-request").filter(has_text=tree.s1.name)
    students_row = request_card.get_by_test_id("usage-student")
    expect(students_row).to_contain_text("Học sinh")
    expect(students_row.locator("td")).to_have_text(["10", "0", "10", "45"])  # quota, in use, free, if approved
    expect(request_card.get_by_test_id("usage-teacher").locator("td")).to_have_text(["20", "0", "20", "20"])
    request_card.get_by_test_id("approve").click()
    expect(page.locator(".alert-success")).to_be_visible()
    assert QuotaRequest.objects.get().status == "approved"
    log_out(page)

    # The admin is told, follows the notification back to the same import and confirms it.
    log_in(page, live_server.url, "quantri.tp", home=False)
    page.locator("[data-testid=notification-bell]:visible").click()
    page.get_by_test_id("notification-list").get_by_role("link", name=re.compile("tuyen-sinh-6a1.xlsx")).click()
    expect(page).to_have_url(batch_url)
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("batch-done")).to_be_visible()
    expect(page.get_by_test_id("credential-sheet")).to_be_visible()
    assert User.objects.filter(unit=tree.s1, account_type="student").count() == 45
    assert IssueBatch.objects.filter(kind="import").count() == 1  # no second upload
