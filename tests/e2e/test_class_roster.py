"""Issue #12, point 3, walked in a real browser: a course given to a class follows the class. A teacher
gives a lesson to 6A1; the school admin issues a new student into 6A1, who logs in for the first time and
finds the lesson on their home page; a student the admin moves to 7A1 no longer has it, and the teacher's
people page shows who came with the class and who left it.

The UI is Vietnamese by default: the tests find things by data-testid and read Vietnamese text."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from accounts.models import AccountQuota
from courses.models import Course, Enrolment
from courses.services.authoring import course_publish
from tests.accounts.factories import make_person
from tests.courses.factories import make_course, make_section
from tests.e2e.conftest import issue_student, log_in, person
from units.models import Role

TITLE = "Toán 6 – Phân số và số thập phân"


@pytest.fixture
def people(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=40)
    return SimpleNamespace(
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.tp", full_name="Lê Quản Trị"),
        student=person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em"),
    )


@pytest.fixture
def lesson(tree, people):
    draft = make_course(
        unit=tree.s1, author=people.teacher, kind=Course.Kind.LESSON, status=Course.Status.DRAFT, title=TITLE
    )
    make_section(course=draft, position=1, title="Phân số", body="<p>Đọc sách giáo khoa trang 10.</p>")
    return course_publish(actor=people.teacher, course=draft)


def test_a_course_given_to_a_class_follows_the_class(live_server, page, tree, people, lesson):
    base = live_server.url

    # 1. The teacher gives the lesson to 6A1 from the people page.
    log_in(page, base, "gv.an", home=False, fresh=True)
    page.goto(f"{base}/khoa-hoc/{lesson.pk}/tien-do/")
    page.get_by_role("link", name="Đăng ký cho lớp hoặc tổ").click()
    page.get_by_test_id("enrol-unit-form").locator("select").select_option(str(tree.c1.pk))
    page.get_by_test_id("enrol-unit-form").locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/khoa-hoc/{lesson.pk}/tien-do/"))
    expect(page.get_by_test_id("enrolled-unit")).to_contain_text("6A1")
    expect(page.get_by_test_id("via-unit")).to_have_count(1)

    # 2. The school admin issues a new student into 6A1.
    log_in(page, base, "quantri.tp", home=False, fresh=True)
    username, code = issue_student(page)

    # 3. The new student's first login: a password of their own, then the lesson is on their home page.
    log_in(page, base, username, code, home=False, fresh=True)
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.fill("input[name=password1]", "Hoc-sinh-moi-2026")
    page.fill("input[name=password2]", "Hoc-sinh-moi-2026")
    page.get_by_test_id("password-submit").click()
    expect(page.get_by_text("Mật khẩu của bạn đã được lưu")).to_be_visible()  # the welcome on the home page
    page.get_by_role("link", name="Không gian của tôi").click()
    expect(page.get_by_test_id("home-courses")).to_contain_text(TITLE)
    page.get_by_test_id("home-courses").get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Phân số").first).to_be_visible()

    # 4. Em is on the lesson's roll too, until the admin moves Em to 7A1.
    log_in(page, base, "hs.em", home=False, fresh=True)
    expect(page.get_by_test_id("home-courses")).to_contain_text(TITLE)
    log_in(page, base, "quantri.tp", home=False, fresh=True)
    page.goto(f"{base}/ho-so/tai-khoan/{people.student.pk}/")
    form = page.get_by_test_id("move-class-form")
    form.locator("select").select_option(str(tree.c2.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("7A1")

    log_in(page, base, "hs.em", home=False, fresh=True)
    expect(page.get_by_test_id("home-units")).to_be_visible()
    expect(page.get_by_test_id("home-courses")).to_have_count(0)
    expect(page.get_by_text(TITLE)).to_have_count(0)

    # 5. The teacher sees who came with the class and that Em left (the row, and Em's work, are kept).
    log_in(page, base, "gv.an", home=False, fresh=True)
    page.goto(f"{base}/khoa-hoc/{lesson.pk}/tien-do/")
    expect(page.get_by_test_id("via-unit")).to_have_count(2)
    # issue #12, words fit the content: a lesson counts students, not trainees
    expect(page.get_by_test_id("enrolled-unit")).to_contain_text("1 học sinh")
    left = page.get_by_test_id("progress-row").filter(has_text="Hoàng Minh Em")
    expect(left).to_contain_text("6A1")
    enrolment = Enrolment.objects.get(course=lesson, user=people.student)
    assert enrolment.withdrawn_at is not None and enrolment.via_unit_id == tree.c1.pk
    assert Enrolment.objects.filter(course=lesson, withdrawn_at__isnull=True).count() == 1
