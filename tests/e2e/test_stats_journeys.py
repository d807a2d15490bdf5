"""A Department follows its schools' figures in a browser: the table, the charts, the exports."""

import re

from playwright.sync_api import expect

from reports.services import stats_recompute
from tests.accounts.factories import make_person
from units.models import Role


def test_department_opens_its_figures_sorts_them_and_exports(live_server, page, tree):
    for _ in range(3):
        make_person(unit=tree.g1, role=Role.TEACHER)
    make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, username="so.hanam")
    stats_recompute()
    page.goto(f"{live_server.url}/tai-khoan/login/")
    page.fill("#id_login", "so.hanam")
    page.fill("#id_password", "secret-pass-123")
    page.locator("main form button[type=submit]").click()
    page.get_by_test_id("home-stats").click()
    expect(page.get_by_test_id("total-teachers")).to_have_text("3")
    expect(page.locator("#chart-units")).to_be_visible()
    tables = page.get_by_test_id("section-table")
    expect(tables.first).to_contain_text(tree.t1.name)
    expect(tables.nth(1)).to_contain_text(tree.s1.name)
    # Sorting by teacher accounts, largest first, puts Trần Phú (3 teachers) above Tiên Tân (0).
    tables.nth(1).get_by_role("link", name=re.compile("Tài khoản giáo viên|Teacher accounts")).click()
    tables.nth(1).get_by_role("link", name=re.compile("Tài khoản giáo viên|Teacher accounts")).click()
    first_row = page.get_by_test_id("section-table").nth(1).locator("tbody tr").first
    expect(first_row).to_contain_text(tree.s1.name)
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    # Drill down: the school's number of teachers opens the list behind it.
    first_row.get_by_role("link", name="3").first.click()
    expect(page).to_have_url(re.compile(r"type=teacher"))
    expect(page.get_by_test_id("account-table").locator("tbody tr")).to_have_count(3)
