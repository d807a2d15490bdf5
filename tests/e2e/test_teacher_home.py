"""Issue #12 in a real browser: a teacher's first week. The teacher logs in and sees how much work waits
for a mark; a student hands in work from their own home page; the teacher gets the notification, the
count on the home page rises, and the teacher opens the work to grade straight from the home page. And
the school's own news shows on its teacher's home page (a neighbouring school's does not).

The UI is Vietnamese by default; the tests find things by data-testid and read Vietnamese text."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from courses.models import Course, Submission
from courses.services.authoring import course_publish
from courses.services.submissions import submission_create
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from tests.e2e.conftest import log_in, person, screenshots
from tests.publications.test_front import make_article
from units.models import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


shot = screenshots("first-week-teacher")


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        student=person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em"),
        student2=person(tree.c1, Role.STUDENT, "hs.ha", "Đặng Thu Hà"),
        other_teacher=person(tree.g3, Role.TEACHER, "gv.khoa", "Bùi Văn Khoa"),
        s2_admin=make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="staff", full_name="Mai Văn Kiên"),
    )


@pytest.fixture
def assignment(tree, people):
    """A published lesson of the teacher's school with an assignment taking PDFs; Hà has handed in already."""
    draft = make_course(
        unit=tree.s1, author=people.teacher, status=Course.Status.DRAFT, title="Khoa học tự nhiên 6 – Chương 1"
    )
    make_section(course=draft, position=1)
    course = course_publish(actor=people.teacher, course=draft)
    for student in (people.student, people.student2):
        enrol(course=course, user=student)
    work = make_assignment(course=course, title="Báo cáo thực hành đo chiều dài", due_in=timedelta(days=5))
    first = SimpleUploadedFile("bai-cua-ha.pdf", PDF, content_type="application/pdf")
    work.first = submission_create(actor=people.student2, assignment=work, uploads=[first])
    return work


def test_teacher_sees_work_handed_in_notified_and_opens_it_from_home(live_server, page, people, assignment, tmp_path):
    base = live_server.url
    log_in(page, base, "gv.an", fresh=True)
    teaching = page.get_by_test_id("home-teaching")
    expect(teaching).to_be_visible()
    expect(page.get_by_test_id("home-grading-total")).to_have_text("1")
    item = page.get_by_test_id("grading-item").filter(has_text=assignment.title)
    expect(item).to_contain_text("1 bài chờ chấm")
    expect(page.get_by_test_id("taught-course").filter(has_text="Khoa học tự nhiên 6")).to_contain_text("2 học viên")
    shot(page, "1-home-before")
    # Reading the first notification now lets the next submission bring a fresh, unread one.
    page.goto(f"{base}/thong-bao/")
    page.get_by_role("button", name=re.compile("Đánh dấu tất cả là đã đọc|Mark all as read")).click()
    expect(page.get_by_test_id("notification-bell").locator(".badge")).to_have_count(0)

    # The student hands in from their own home page.
    log_in(page, base, "hs.em", fresh=True)
    page.get_by_test_id("due-item").filter(has_text=assignment.title).get_by_test_id("home-hand-in").click()
    path = tmp_path / "bai-cua-em.pdf"
    path.write_bytes(PDF + b"x" * 1000)
    page.get_by_test_id("submission-files").set_input_files(str(path))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    expect(page.get_by_test_id("home-teaching")).to_have_count(0)

    # Back to the teacher: the bell, the notification, the count.
    log_in(page, base, "gv.an", fresh=True)
    bell = page.get_by_test_id("notification-bell").locator("visible=true")  # the header has one per screen size
    expect(bell.locator(".badge")).to_have_text("1")
    expect(page.get_by_test_id("home-grading-total")).to_have_text("2")
    expect(page.get_by_test_id("grading-item").filter(has_text=assignment.title)).to_contain_text("2 bài chờ chấm")
    shot(page, "2-home-after")
    bell.click()
    note = page.get_by_test_id("notification-list").locator(".list-group-item").first
    expect(note).to_contain_text(f"“{assignment.title}”: 2 bài nộp chờ chấm")
    expect(note).to_contain_text("Hoàng Minh Em")
    note.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/khoa-hoc/bai-tap/{assignment.pk}/cham-bai/\?show=ungraded$"))
    expect(page.get_by_text("bai-cua-em.pdf").or_(page.get_by_text("Hoàng Minh Em")).first).to_be_visible()

    # From the home page, "Chấm bài" opens the work that has waited longest (Hà's) in the grading form.
    page.goto(f"{base}/")
    grade = page.get_by_test_id("grading-item").filter(has_text=assignment.title).get_by_test_id("home-grade-next")
    expect(grade).to_have_text("Chấm bài")
    grade.click()
    expect(page).to_have_url(re.compile(rf"/khoa-hoc/bai-nop/{assignment.first.pk}/cham-diem/$"))
    expect(page.get_by_test_id("file")).to_have_text("bai-cua-ha.pdf")
    expect(page.get_by_test_id("save-next")).to_be_visible()
    shot(page, "3-grading")
    assert Submission.objects.filter(assignment=assignment, is_current=True, grade__isnull=True).count() == 2


def test_the_schools_own_news_is_on_its_teachers_home_page(live_server, page, tree, people):
    make_article(unit=tree.s1, author=people.teacher, title="Trần Phú khai giảng năm học mới", days_ago=1)
    make_article(unit=tree.s2, author=people.s2_admin, title="Tiên Tân trồng cây xanh", days_ago=0)
    log_in(page, live_server.url, "gv.an", fresh=True)
    front = page.get_by_test_id("home-front")
    expect(front).to_contain_text("Trần Phú khai giảng năm học mới")
    expect(front).not_to_contain_text("Tiên Tân trồng cây xanh")
    shot(page, "4-school-news")
    # A teacher of the other school reads their own school's news instead.
    log_in(page, live_server.url, "gv.khoa", fresh=True)
    front = page.get_by_test_id("home-front")
    expect(front).to_contain_text("Tiên Tân trồng cây xanh")
    expect(front).not_to_contain_text("Trần Phú khai giảng năm học mới")


def test_the_teacher_home_fits_a_360px_phone(live_server, phone, people, assignment):
    log_in(phone, live_server.url, "gv.an", fresh=True)
    expect(phone.get_by_test_id("home-grading-total")).to_have_text("1")
    expect(phone.get_by_test_id("home-grade-next")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "5-phone")
