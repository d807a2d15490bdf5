"""Issue #15, point 7, in a real browser: the help centre's screenshots are taken from the running portal.

On the demo province (`manage.py seed_demo`, as tests/e2e/test_demo_home_pages.py), each demo login opens
the pages its guide describes and a screenshot of each is saved as static/help/shots/<name>.png, the
name a guide's `![…](shot:<name>)` line gives (portal/helpcentre.py). The folder is git-ignored: the
pictures are made on each machine by this test, never committed, and a guide shows only those present.
Then the guides show them, and a page's "?" opens its section."""

import re
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from portal import helpcentre
from reports.demo import DEMO_PASSWORD
from tests.e2e.conftest import horizontal_overflow, log_in, screenshots
from units.models import Role, RoleAssignment

TABLE = (
    "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\ttopics_posted\n"
    "THPT\t1\tA Phủ Lý\t6\t20\t4\t1\n"
    "THCS Phủ Lý\t1\tTrần Phú\t8\t30\t8\t2\n"
    "THCS Phủ Lý\t2\tTiên Tân\t5\t12\t3\t1\n"
)


keep = screenshots("help")  # the help pages themselves, for a person to look at (test-output/e2e/)


def shot(page, name):
    """The visible part of the page (not the whole length: a guide shows what the reader sees first)."""
    helpcentre.SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(helpcentre.SHOTS_DIR / f"{name}.png"))


def unit_of(username, role):
    return RoleAssignment.objects.select_related("unit").filter(user__username=username, role=role).first().unit


def named_shots() -> set[str]:
    return {s.name for g in helpcentre.guides() for section in g.sections for s in section.shots}


def test_the_guides_screenshots_are_taken_from_the_running_portal(live_server, page, phone, tmp_path):
    table = tmp_path / "ha_nam.tsv"
    table.write_text(TABLE, encoding="utf-8")
    call_command("seed_demo", "--table", str(table), "--province", "Hà Nam", stdout=StringIO())
    base = live_server.url
    for old in helpcentre.SHOTS_DIR.glob("*.png") if helpcentre.SHOTS_DIR.exists() else []:
        old.unlink()

    # A teacher: the home page, a course taught, the grading of a submission, the library, the tests.
    log_in(page, base, "giaovien", DEMO_PASSWORD, fresh=True)
    page.goto(f"{base}/")  # without the "logged in" message
    shot(page, "giaovien-khong-gian")
    page.get_by_test_id("taught-course").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("course-title")).to_be_visible()
    shot(page, "giaovien-khoa-hoc")
    page.goto(f"{base}/")
    page.get_by_test_id("home-grade-next").click()
    expect(page).to_have_url(re.compile(r"/cham-diem/$"))
    shot(page, "giaovien-cham-bai")
    page.get_by_test_id("nav-materials").click()
    expect(page.get_by_test_id("library-form")).to_be_visible()
    shot(page, "giaovien-hoc-lieu")
    page.get_by_test_id("nav-quizzes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bài kiểm tra của tôi")
    shot(page, "giaovien-bai-kiem-tra")

    # A student: the home page and the tests.
    log_in(page, base, "hocsinh", DEMO_PASSWORD, fresh=True)
    page.goto(f"{base}/")
    shot(page, "hocsinh-khong-gian")
    page.get_by_test_id("nav-quizzes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bài kiểm tra của tôi")
    shot(page, "hocsinh-bai-kiem-tra")

    # The school admin's account list, the principal's school, the group leader's group.
    log_in(page, base, "quantri", DEMO_PASSWORD, fresh=True)
    page.get_by_test_id("home-accounts").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tài khoản")
    shot(page, "quantri-tai-khoan")
    log_in(page, base, "hieutruong", DEMO_PASSWORD, fresh=True)
    page.goto(f"{base}/don-vi/{unit_of('hieutruong', Role.PRINCIPAL).pk}/")
    expect(page.get_by_test_id("unit-totals")).to_be_visible()
    shot(page, "hieutruong-trang-truong")
    log_in(page, base, "totruong", DEMO_PASSWORD, fresh=True)
    page.goto(f"{base}/khoa-hoc/to-chuyen-mon/{unit_of('totruong', Role.GROUP_LEADER).pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "totruong-khong-gian-to")

    # The Office's space and the Department's participation figures.
    log_in(page, base, "phong", DEMO_PASSWORD, fresh=True)
    page.goto(f"{base}/don-vi/{unit_of('phong', Role.OFFICE_STAFF).pk}/")
    expect(page.get_by_test_id("children-table")).to_be_visible()
    shot(page, "phong-don-vi")
    log_in(page, base, "so", DEMO_PASSWORD, fresh=True)
    page.get_by_test_id("home-stats").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Số liệu tham gia")
    shot(page, "so-so-lieu")

    # Every screenshot a guide names was taken.
    taken = {path.stem for path in helpcentre.SHOTS_DIR.glob("*.png")}
    assert named_shots() <= taken, named_shots() - taken

    # The guide shows them as loaded pictures, and a page's "?" opens its section there.
    page.goto(f"{base}/hoc-lieu/")
    page.locator("h1 .help-link").click()
    expect(page).to_have_url(re.compile(r"/tro-giup/giao-vien/#giao-vien-hoc-lieu$"))
    section = page.locator("#giao-vien-hoc-lieu")
    expect(section).to_be_in_viewport()
    picture = section.get_by_test_id("help-shot").locator("img")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    keep(page, "1-guide-section")

    # The help reads on a phone: searched without accents, nothing wider than the screen.
    phone.goto(f"{base}/tro-giup/")
    phone.fill("#help-q", "cap tai khoan")
    phone.locator("[data-testid=help-search-form] button").click()
    expect(phone.get_by_test_id("help-hit").first).to_contain_text("Cấp một tài khoản")
    assert horizontal_overflow(phone) <= 0
    phone.get_by_test_id("help-hit").first.click()
    expect(phone).to_have_url(re.compile(r"#quan-tri-cap-tai-khoan$"))
    assert horizontal_overflow(phone) <= 0
    keep(phone, "2-phone-guide")
