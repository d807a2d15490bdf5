"""Issue #12, point 2 — a newly issued student can study from day one. In a real browser:

1. the school admin imports a grade-6 class; a student of it logs in from the front page with the slip's
   one-time code, sets a password, opens a course, registers and hands in work, with no email and no photo
   (students need nothing beyond what the school imported, unless the level above says otherwise);
2. a new teacher, under the default rule (the Hà Nam photo-and-profile rule), sees before any click that the
   course's register button and the home page's "Nộp bài" wait for a complete profile, what is missing,
   and the link to complete it — and nothing is created.

The UI is Vietnamese by default; the tests read the Vietnamese text where it is what the person reads."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from accounts.models import AccountQuota, User
from courses.models import Course, Enrolment, Submission
from courses.services.authoring import course_publish
from tests.accounts.factories import complete_profile, make_person
from tests.accounts.spreadsheets import students, xlsx
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from tests.e2e.conftest import log_in, screenshots
from units.models import Role

TITLE = "Ôn tập Toán 6 – Số tự nhiên"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSING_ALL = "Cần hoàn thiện hồ sơ trước: còn thiếu email, số điện thoại, ngày sinh, ảnh thẻ đúng quy định."


shot = screenshots("first-week")


@pytest.fixture
def people(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=40)
    return SimpleNamespace(
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="quantri.tp", full_name="Lê Quản Trị"),
        author=complete_profile(
            make_person(unit=tree.g1, role=Role.TEACHER, username="gv.an", full_name="Nguyễn Văn An")
        ),
        # A teacher issued this week: nothing filled in yet.
        new_teacher=make_person(unit=tree.g2, role=Role.TEACHER, username="gv.moi", full_name="Trần Thị Mới"),
    )


@pytest.fixture
def course(tree, people):
    """A course for the whole school, published the way the page publishes it, with an assignment."""
    draft = make_course(unit=tree.g1, author=people.author, status=Course.Status.DRAFT, title=TITLE, grade=6)
    make_section(course=draft, position=1, title="Số tự nhiên và tập hợp", body="<p>Đọc bài.</p>")
    published = course_publish(actor=people.author, course=draft)
    published.assignment = make_assignment(
        course=published, title="Bài tập tuần 1", due_in=timedelta(days=5), allowed_types="pdf,docx"
    )
    return published


def test_a_freshly_imported_student_registers_and_hands_in_with_no_email_or_photo(
    live_server, page, tree, people, course, tmp_path
):
    # The school admin imports the class 6A1 and reads one slip.
    sheet = tmp_path / "lop-6a1.xlsx"
    sheet.write_bytes(xlsx(students(3)))
    log_in(page, live_server.url, "quantri.tp", home=False, front=True)
    page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
    page.check("input[name=account_type][value=student]")
    page.set_input_files("input[name=file]", str(sheet))
    page.get_by_test_id("upload").click()
    page.get_by_test_id("confirm-import").click()
    expect(page.get_by_test_id("batch-done")).to_be_visible()
    username = page.get_by_test_id("sheet-username").first.inner_text().strip()
    code = page.get_by_test_id("sheet-code").first.inner_text().strip()
    student = User.objects.get(username=username)
    assert (student.account_type, student.email, student.phone, student.photo_status) == ("student", "", "", "missing")

    # The student, on their first day: from the front page, with the slip's code, then their own password.
    log_in(page, live_server.url, username, code, home=False, fresh=True, front=True)
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.fill("input[name=password1]", "Hoc-sinh-moi-2026")
    page.fill("input[name=password2]", "Hoc-sinh-moi-2026")
    page.get_by_test_id("password-submit").click()
    expect(page.get_by_text("Mật khẩu của bạn đã được lưu")).to_be_visible()  # the welcome on the home page
    page.goto(f"{live_server.url}/")  # (allauth shows its change-password page after a set; not this point's)
    expect(page.get_by_test_id("home-units")).to_be_visible()
    expect(page.get_by_test_id("profile-banner")).to_have_count(0)  # nothing to complete before studying
    shot(page, "1-student-home")

    # Opens the course from the catalogue and registers: the real button, no detour.
    page.goto(f"{live_server.url}/khoa-hoc/")
    page.get_by_test_id("course-row").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("profile-needed")).to_have_count(0)
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("progress")).to_be_visible()
    assert Enrolment.objects.filter(course=course, user=student, withdrawn_at__isnull=True).exists()
    shot(page, "2-student-registered")

    # Hands in from the home page: "Nộp bài", choose the file, send.
    page.goto(f"{live_server.url}/")
    due = page.get_by_test_id("due-item").filter(has_text="Bài tập tuần 1")
    button = due.get_by_test_id("home-hand-in")
    expect(button).to_have_text(re.compile("Nộp bài"))
    button.click()
    pdf = tmp_path / "bai-tap-tuan-1.pdf"
    pdf.write_bytes(PDF + b"x" * 1500)
    page.get_by_test_id("submission-files").set_input_files(str(pdf))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    expect(page.get_by_test_id("receipt").get_by_test_id("file")).to_have_text("bai-tap-tuan-1.pdf")
    shot(page, "3-student-receipt")

    submission = Submission.objects.get(assignment=course.assignment, learner=student)
    assert submission.is_current and submission.files.count() == 1
    student.refresh_from_db()
    assert (student.email, student.photo_status) == ("", "missing")  # still nothing asked of them


def test_a_new_teacher_sees_what_is_missing_before_clicking_and_nothing_is_created(
    live_server, page, tree, people, course
):
    # An instructor already put the teacher in another course that has work due.
    other = make_course(unit=tree.g1, author=people.author, title="Sinh hoạt chuyên môn tháng 9")
    make_assignment(course=other, title="Báo cáo tháng 9", due_in=timedelta(days=3))
    enrol(course=other, user=people.new_teacher)

    log_in(page, live_server.url, "gv.moi", home=False, front=True)
    expect(page.get_by_test_id("profile-banner")).to_be_visible()  # the default rule for teachers

    # Home: the due item says what is missing instead of a green "Nộp bài".
    due = page.get_by_test_id("due-item").filter(has_text="Báo cáo tháng 9")
    expect(due.get_by_test_id("home-hand-in")).to_have_count(0)
    expect(due.get_by_test_id("profile-needed-button")).to_be_disabled()
    expect(due.get_by_test_id("profile-needed-button")).to_have_text(re.compile("Nộp bài"))
    expect(due.get_by_test_id("profile-needed-reason")).to_contain_text(MISSING_ALL)
    shot(page, "4-teacher-home")

    # The course page: the register button waits for the profile, and says why, before any click.
    page.goto(f"{live_server.url}/khoa-hoc/{course.pk}/")
    expect(page.get_by_test_id("register")).to_have_count(0)
    needed = page.get_by_test_id("profile-needed")
    expect(needed.get_by_test_id("profile-needed-button")).to_be_disabled()
    expect(needed.get_by_test_id("profile-needed-button")).to_have_text(re.compile("Đăng ký khóa học này"))
    expect(needed.get_by_test_id("profile-needed-reason")).to_contain_text(MISSING_ALL)
    shot(page, "5-teacher-course")
    assert not Enrolment.objects.filter(course=course, user=people.new_teacher).exists()

    # The link goes straight to the profile form.
    needed.get_by_test_id("profile-needed-link").click()
    expect(page).to_have_url(re.compile(r"/ho-so/sua/$"))
    expect(page.locator("#id_email")).to_be_visible()


def test_a_department_asks_students_for_an_email_and_their_button_says_so_before_the_click(
    live_server, page, tree, people, course
):
    make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, username="so.hanam", full_name="Vũ Văn Sở")
    student = make_person(unit=tree.c1, role=Role.STUDENT, username="hs.em", full_name="Hoàng Minh Em")
    enrol(course=course, user=student)

    # The Department sets the rule for students of every school below it, from its home page.
    log_in(page, live_server.url, "so.hanam", home=False, front=True)
    page.get_by_test_id("home-profile-rules").click()
    card = page.get_by_test_id("rule-student")
    expect(card.get_by_test_id("rule-now-student")).to_contain_text("Hiện không bắt buộc gì thêm")
    card.locator("input[name=student-mode][value=own]").check()
    card.locator("input[name=student-required][value=email]").check()
    card.get_by_test_id("save-student").click()
    expect(page.get_by_test_id("rule-now-student")).to_contain_text("Hiện bắt buộc: email.")
    shot(page, "6-department-rule")

    # The student's "Nộp bài" now waits for an email, and says so before any click.
    page.goto("about:blank")  # end the last page's requests first: a late answer would set another CSRF cookie
    page.context.clear_cookies()
    log_in(page, live_server.url, "hs.em", home=False, front=True)
    due = page.get_by_test_id("due-item").filter(has_text="Bài tập tuần 1")
    expect(due.get_by_test_id("home-hand-in")).to_have_count(0)
    expect(due.get_by_test_id("profile-needed-button")).to_be_disabled()
    expect(due.get_by_test_id("profile-needed-reason")).to_contain_text("Cần hoàn thiện hồ sơ trước: còn thiếu email.")
    expect(page.get_by_test_id("profile-missing-items")).to_have_text(re.compile(r"^\s*email\s*$"))
    shot(page, "7-student-needs-email")
    assert not Submission.objects.exists()
