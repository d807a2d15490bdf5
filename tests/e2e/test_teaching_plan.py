"""Issue #17, a browser journey: a teacher builds their teaching plan from the programme, marks lessons online
until the plan reaches the 10% share, sends it; the group leader then the principal approve it, and the
school's share page counts it."""

import re

from playwright.sync_api import expect

from teaching.models import LessonMode, PlanLevel, TeachingPlan
from units.models import Role

from .conftest import log_in, person, screenshots

shot = screenshots("teaching-plan")


def _approve(page, base, username):
    log_in(page, base, username, fresh=True)
    page.get_by_test_id("home-teaching-plans").click()
    waiting = page.get_by_test_id("waiting")
    expect(waiting).to_contain_text("Toán")
    waiting.get_by_role("link").first.click()  # straight to the decision, below the plan's lessons
    expect(page.get_by_test_id("review-form")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"16\s*\(11[,.]4"))  # the share they decide on
    page.locator("input[name=decision][value=approve]").check()
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("review-form")).to_have_count(0)


def test_a_teacher_plans_ten_percent_online_and_gets_the_plan_approved(live_server, page, tree):
    base = live_server.url
    person(tree.s1, Role.PRINCIPAL, "ht.kh", "Lương Anh Khương")
    person(tree.g1, Role.GROUP_LEADER, "tt.kh", "Trần Tổ Trưởng")
    teacher = person(tree.g1, Role.TEACHER, "gv.kh", "Nguyễn Văn Toán")

    # 1. From the home page, a new plan of their own for Toán 6, pre-filled from the programme.
    log_in(page, base, "gv.kh")
    page.get_by_test_id("home-teaching-plans").click()
    page.get_by_test_id("plan-new").click()
    form = page.get_by_test_id("plan-form")
    form.locator("select[name=level]").select_option(PlanLevel.TEACHER)
    form.locator("select[name=group]").select_option(label=tree.g1.name)
    form.locator("select[name=subject_grade]").select_option("6|Toán")
    page.get_by_test_id("plan-create").click()  # straight to the lessons table
    rows = page.get_by_test_id("lesson-row")
    expect(rows).to_have_count(35)  # 140 periods: 35 weeks of 4
    expect(page.get_by_test_id("totals")).to_contain_text("140")

    # 2. Lessons marked online one by one (each change saves itself) until the plan reaches 10%:
    #    3 rows of 4 periods are 8.6%, the 4th makes 16 of 140 = 11.4%.
    for index, mode in enumerate([LessonMode.LMS, LessonMode.LMS, LessonMode.LIVE, LessonMode.LMS]):
        row = page.get_by_test_id("lesson-row").nth(5 + 7 * index)
        row.locator("select[name=mode]").select_option(mode)
        # The saved row comes back in a new table: wait for its online total ("…: 8 (5,7%)") before the next.
        expect(page.get_by_test_id("totals")).to_contain_text(re.compile(rf":\s*{4 * (index + 1)}\s*\("))
    expect(page.get_by_test_id("totals")).to_contain_text(re.compile(r"11[,.]4"))
    shot(page, "plan-edit")
    plan = TeachingPlan.objects.get(author=teacher, subject="Toán", grade=6)
    assert sum(lesson.periods for lesson in plan.lessons.all() if lesson.mode != LessonMode.DIRECT) == 16

    # 3. Sent for approval: the plan is locked while it waits.
    page.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("trail")).to_be_visible()
    expect(page.get_by_test_id("plan-edit")).to_have_count(0)

    # 4. The group leader, then the principal, approve it from their lists.
    _approve(page, base, "tt.kh")
    _approve(page, base, "ht.kh")
    plan.refresh_from_db()
    assert plan.status == "approved"
    shot(page, "approved")

    # 5. The teacher sees it approved, and their line on the school's share page is above 10%.
    log_in(page, base, "gv.kh", fresh=True)
    page.get_by_test_id("home-teaching-plans").click()
    expect(page.get_by_test_id("plan-row").first).to_contain_text("Toán")
    page.get_by_test_id("share-link").first.click()
    expect(page.get_by_text("Nguyễn Văn Toán").first).to_be_visible()
    shot(page, "share")
