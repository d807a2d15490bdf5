"""Issue #12 in a real browser, on the demo province: the demo logins' home pages are not empty. The
teacher `giaovien` sees news of the school and of the Department, the worksheet `hocsinh` handed in
waiting for a mark, and the lesson's live session; the Department's `so` sees the Department's news but
not the school's; `hocsinh` still has a worksheet to hand in.

The province is a small table with the demo province's names (Hà Nam, Phòng GDĐT Phủ Lý, Trường THCS
Trần Phú), seeded by `manage.py seed_demo` as `make run` does. The UI is Vietnamese by default."""

import re
from io import StringIO

from django.core.management import call_command
from playwright.sync_api import expect

from reports.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in, screenshots

TABLE = (
    "section\tno\tschool\tteacher_accounts\tstudent_accounts\tteacher_photo_ok\ttopics_posted\n"
    "THPT\t1\tA Phủ Lý\t6\t20\t4\t1\n"
    "THCS Phủ Lý\t1\tTrần Phú\t8\t30\t8\t2\n"
    "THCS Phủ Lý\t2\tTiên Tân\t5\t12\t3\t1\n"
)
SCHOOL_NEWS = "Giáo viên Toán Trường THCS Trần Phú chia sẻ chuyên đề"
DEPARTMENT_NEWS = "Sở GDĐT Hà Nam tập huấn dạy học trực tuyến"


shot = screenshots("first-week-demo")


def test_demo_logins_find_news_work_to_mark_and_a_session_on_their_home_pages(live_server, page, tmp_path):
    table = tmp_path / "ha_nam.tsv"
    table.write_text(TABLE, encoding="utf-8")
    call_command("seed_demo", "--table", str(table), "--province", "Hà Nam", stdout=StringIO())
    base = live_server.url

    log_in(page, base, "giaovien", DEMO_PASSWORD, fresh=True)
    front = page.get_by_test_id("home-front")
    expect(front.get_by_test_id("front-no-news")).to_have_count(0)
    expect(front).to_contain_text(SCHOOL_NEWS)
    expect(front).to_contain_text(DEPARTMENT_NEWS)
    expect(page.get_by_test_id("home-grading-total")).to_have_text("1")
    expect(page.get_by_test_id("grading-item")).to_contain_text("Phiếu bài tập số 1")
    expect(page.get_by_test_id("taught-course").filter(has_text="Phân số và các phép tính với phân số")).to_be_visible()
    expect(page.get_by_test_id("session-item").filter(has_text="Chữa phiếu bài tập số 1 trực tuyến")).to_be_visible()
    shot(page, "1-giaovien-home")
    # The article opens, dated days ago by the people who wrote and approved it.
    front.get_by_role("link", name=re.compile("Dạy học phân số qua trò chơi")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dạy học phân số qua trò chơi")
    expect(page.get_by_test_id("article-meta")).to_contain_text("Trường THCS Trần Phú")
    # The work handed in opens straight from the home page for a mark.
    page.goto(f"{base}/")
    page.get_by_test_id("home-grade-next").click()
    expect(page).to_have_url(re.compile(r"/khoa-hoc/bai-nop/\d+/cham-diem/$"))
    expect(page.get_by_test_id("file")).to_have_text("phieu-bai-tap-1.pdf")
    shot(page, "2-giaovien-grading")

    # The Department's staff read the Department's and the Ministry's news, not the school's.
    log_in(page, base, "so", DEMO_PASSWORD, fresh=True)
    front = page.get_by_test_id("home-front")
    expect(front).to_contain_text(DEPARTMENT_NEWS)
    expect(front).to_contain_text("Bộ GDĐT hướng dẫn đẩy mạnh chuyển đổi số")
    expect(front).not_to_contain_text(SCHOOL_NEWS)

    # The student has handed in the first worksheet and still has the second to do.
    log_in(page, base, "hocsinh", DEMO_PASSWORD, fresh=True)
    expect(page.get_by_test_id("due-item").filter(has_text="Phiếu bài tập số 2")).to_be_visible()
    expect(page.get_by_test_id("due-item").filter(has_text="Phiếu bài tập số 1")).to_have_count(0)
    expect(page.get_by_test_id("home-front")).to_contain_text(SCHOOL_NEWS)
    shot(page, "3-hocsinh-home")
