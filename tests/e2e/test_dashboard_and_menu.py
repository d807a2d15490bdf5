"""Issue #12, points 10 and 12, in a real browser: the participation dashboard of a Department with 141
schools on a 360 px phone, and the menu at 1366 and 360 px."""

import pytest
from playwright.sync_api import expect

from reports.services import stats_recompute
from tests.accounts.factories import complete_profile, make_person
from tests.e2e.conftest import log_in
from units.models import Role
from units.periods import all_time
from units.services import UnitSpec, unit_declare_numbers, units_bulk_create

# Every visible link, button, select and folding title of the page's content, with its size.
TAP_TARGETS = """() => [...document.querySelectorAll('main a, main button, main select, main summary')]
  .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.width, r.height]; })"""
NAV_LABELS = """() => [...document.querySelectorAll('#main-nav .nav-link')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const s = getComputedStyle(e); const inner = e.getBoundingClientRect().height
      - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
    return [e.textContent.trim(), inner, parseFloat(s.lineHeight)]; })"""

# The language selector's width and the width its chosen option's text needs.
SELECT_FIT = """() => { const s = document.getElementById('language-select');
  const c = document.createElement('canvas').getContext('2d'); c.font = getComputedStyle(s).font;
  return [s.getBoundingClientRect().width, c.measureText(s.selectedOptions[0].text).width]; }"""


@pytest.fixture
def province(tree):
    """The tree's Department grown to 141 schools (like Hà Nam), a few people, computed figures."""
    for parent, n, level in ((tree.office_a1, 60, "thcs"), (tree.office_a2, 57, "thcs"), (tree.dept_a, 21, "thpt")):
        units_bulk_create(
            actor=None,
            parent=parent,
            specs=[
                UnitSpec(code=f"{parent.code}-{i}", name=f"Trường {level.upper()} Số {i} {parent.name[-6:]}",
                         kind="school", school_level=level)
                for i in range(n)
            ],
        )  # fmt: skip
    for _ in range(3):
        make_person(unit=tree.g1, role=Role.TEACHER)
    complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, username="gv.tranphu", full_name="Nguyễn Thị Lan"))
    make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, username="so.hanam", full_name="Cán bộ Sở GDĐT Hà Nam")
    unit_declare_numbers(actor=None, unit=tree.s2, teachers=20, students=300)
    stats_recompute(periods=[all_time()])
    return tree


def test_the_dashboard_of_141_schools_reads_well_on_a_360px_phone(live_server, phone, province):
    log_in(phone, live_server.url, "so.hanam", home=False)
    phone.goto(f"{live_server.url}/so-lieu/don-vi/{province.dept_a.pk}/")
    # One notice says how many schools have not declared their numbers and how to do it.
    notice = phone.get_by_test_id("declare-notice")
    expect(notice).to_contain_text("140/141 trường chưa khai báo số giáo viên, học sinh")
    expect(notice).to_contain_text("Số liệu khai báo")
    # The page fits the screen's width and is a page, not a 50,000 px scroll.
    size = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size[0] <= 360, size
    assert size[1] < 9000, size
    # Lagging units are listed worst first, each with its figure.
    expect(phone.get_by_test_id("lagging-list").first.locator("li").first).to_contain_text("chưa cấp tài khoản")
    # Each Office opens on a tap; its schools are cards with their flags in view.
    section = phone.get_by_test_id("section").filter(has_text="Phòng GDĐT Phủ Lý")
    section.locator("summary").click()
    row = section.locator(f'tr[data-unit="{province.s1.code}"]')
    expect(row).to_contain_text(province.s1.name)
    badge = row.locator(".badge").first
    badge.scroll_into_view_if_needed()
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("giáo viên có ảnh đại diện đúng quy định")
    box = badge.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert "chưa khai báo số giáo viên, học sinh" not in row.inner_text()  # told once, above, not per row
    # Coverage shows on the card of a school that declared its numbers, not as "— / —" on the others.
    expect(section.locator(f'tr[data-unit="{province.s2.code}"] td.stat-coverage')).to_be_visible()
    expect(row.locator("td.stat-coverage")).to_be_hidden()
    # Every link, button and folding title is at least 40 px to tap.
    small = [t for t in phone.evaluate(TAP_TARGETS) if t[1] < 40 or t[2] < 40]
    assert small == [], small[:10]


@pytest.mark.parametrize("width", [1366, 360])
def test_the_menu_labels_stay_on_one_line_and_the_language_selector_is_readable(live_server, browser, province, width):
    mobile = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="vi-VN", is_mobile=mobile, has_touch=mobile
    )
    page = context.new_page()
    try:
        for username in ("gv.tranphu", "so.hanam"):  # the teacher has the most items, the Sở the longest name
            context.clear_cookies()
            log_in(page, live_server.url, username, home=False)
            expect(page.get_by_test_id("user-menu")).to_be_attached()
            if mobile:
                page.get_by_test_id("menu-toggle").click()
                expect(page.get_by_test_id("user-menu")).to_be_visible()
            labels = page.evaluate(NAV_LABELS)
            assert len(labels) >= 7, labels
            for text, height, line in labels:
                assert height < 1.5 * line, (username, width, text, height, line)
            select = page.locator("#language-select")
            expect(select).to_be_visible()
            fits = page.evaluate(SELECT_FIT)
            assert fits[0] >= fits[1] + 30, fits  # the whole "Tiếng Việt" and the arrow
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            nav = page.locator("nav.navbar").bounding_box()
            if not mobile:
                assert nav["height"] < 80, nav  # one row of menu
    finally:
        context.close()
