"""Issue #12 point 6, "words fit the content", walked in a real browser in Vietnamese: a student opens a class
lesson and reads teachers and students, not instructors, trainees or "Đăng ký khóa học này"; an untimed practice
test shows no countdown; a professional group's page counts its teachers; and an account import whose header
uses the school's own column names is understood, and said to hold nothing new when sent again."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AccountQuota, User
from courses.models import Course, Enrolment
from courses.services.authoring import course_publish
from materials.models import Attempt, Quiz
from tests.accounts.factories import make_person
from tests.accounts.spreadsheets import xlsx
from tests.courses.factories import make_course, make_section
from tests.e2e.conftest import log_in, person, screenshots
from tests.materials.factories import make_question, make_quiz
from units.models import Role

TRAINING_WORDS = ("giảng viên", "học viên", "đăng ký khóa học này")


shot = screenshots("first-week-words")


def visible_text(page) -> str:
    return page.locator("body").inner_text().lower()


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        student=person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em"),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, username="qt.tp", account_type="staff"),
    )


@pytest.fixture
def lesson(tree, people):
    """A published lesson of the school, given to 6A1, with one section."""
    lesson = make_course(
        unit=tree.s1,
        author=people.teacher,
        kind=Course.Kind.LESSON,
        audience_unit=tree.c1,
        title="Phân số bằng nhau",
        status=Course.Status.DRAFT,
    )
    make_section(course=lesson, position=1, title="Khởi động")
    course_publish(actor=people.teacher, course=lesson)
    return lesson


def test_a_student_opens_a_class_lesson_and_reads_no_training_words(live_server, page, tree, people, lesson):
    log_in(page, live_server.url, "hs.em")
    page.goto(f"{live_server.url}/khoa-hoc/{lesson.pk}/")
    expect(page.get_by_test_id("course-title")).to_have_text("Phân số bằng nhau")
    text = visible_text(page)
    for word in TRAINING_WORDS:
        assert word not in text, word
    expect(page.get_by_test_id("instructors")).to_have_text("Nguyễn Văn An")
    expect(page.get_by_test_id("course-meta")).to_contain_text("Giáo viên")
    expect(page.get_by_test_id("study-hint")).to_contain_text("Vào học bài này")
    shot(page, "1-lesson")

    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("withdraw-link")).to_have_text("Rời bài học")
    expect(page.get_by_test_id("questions-link")).to_contain_text("Hỏi – Đáp với giáo viên")
    text = visible_text(page)
    for word in TRAINING_WORDS:
        assert word not in text, word
    assert Enrolment.objects.filter(course=lesson, user=people.student, withdrawn_at__isnull=True).exists()
    shot(page, "2-lesson-started")


def test_a_practice_test_without_time_limit_shows_no_countdown(live_server, page, tree, people):
    quiz = make_quiz(
        author=people.teacher,
        unit=tree.g1,
        questions=[make_question(author=people.teacher, unit=tree.g1)],
        classes=[tree.c1],
        title="Luyện tập phân số",
        mode=Quiz.Mode.PRACTICE,
        time_limit=None,
        closes_at=timezone.now() + timedelta(days=60),
    )
    log_in(page, live_server.url, "hs.em")
    page.goto(f"{live_server.url}/hoc-lieu/bai-kiem-tra/{quiz.pk}/")
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("attempt-form")).to_be_visible()
    page.wait_for_timeout(1500)  # a countdown would have ticked by now
    expect(page.get_by_test_id("attempt-timer")).to_have_count(0)
    assert "1439:" not in visible_text(page)
    assert Attempt.objects.get(quiz=quiz).deadline is not None  # the close still holds
    shot(page, "3-untimed-practice")


def test_a_professional_groups_page_counts_its_teachers(live_server, page, tree, people):
    for i in range(4):
        make_person(unit=tree.g1, role=Role.TEACHER, full_name=f"Giáo viên Tổ {i}")
    log_in(page, live_server.url, "qt.tp")
    page.goto(f"{live_server.url}/don-vi/{tree.g1.pk}/")
    expect(page.get_by_test_id("total-teachers")).to_have_text("5")  # gv.an and the four
    shot(page, "4-group-counts")


def test_an_import_with_the_schools_own_header_then_again_says_nothing_new(live_server, page, tree, people, tmp_path):
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=40)
    header = ["STT", "Họ và tên học sinh", "Ngày tháng năm sinh", "Giới tính", "Số CCCD", "Lớp"]
    rows = [[i + 1, f"Nguyễn Văn Số {i}", "05/09/2012", "Nam", f"0013120000{i:02d}", "6A1"] for i in range(3)]
    path = tmp_path / "ds-6a1.xlsx"
    path.write_bytes(xlsx(rows, header=header, title="DANH SÁCH HỌC SINH LỚP 6A1"))
    log_in(page, live_server.url, "qt.tp")
    for attempt in range(2):
        page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
        page.check("input[name=account_type][value=student]")
        page.set_input_files("input[name=file]", str(path))
        page.get_by_test_id("upload").click()
        if attempt == 0:
            page.get_by_test_id("confirm-import").click()
            expect(page.get_by_test_id("batch-done")).to_be_visible()
    expect(page.get_by_test_id("batch-nothing-new")).to_contain_text("Không có gì mới")
    expect(page.get_by_test_id("batch-problems")).to_have_count(0)
    shot(page, "5-import-nothing-new")
    page.goto(f"{live_server.url}/ho-so/truong/{tree.s1.pk}/nhap-tu-tep/")
    expect(page.get_by_test_id("import-status").first).to_contain_text("Không có gì mới")
    assert "tệp có lỗi" not in visible_text(page)
    assert User.objects.filter(unit=tree.s1, account_type="student", national_id__startswith="00131200").count() == 3


def test_a_teacher_removes_her_lesson_and_every_step_speaks_of_a_lesson(live_server, page, tree, people, lesson):
    log_in(page, live_server.url, "gv.an")
    page.goto(f"{live_server.url}/khoa-hoc/{lesson.pk}/giang-vien/")
    expect(page.locator("h1")).to_have_text("Giáo viên cùng dạy")
    expect(page.get_by_test_id("no-co-instructors")).to_have_text("Chưa có giáo viên cùng dạy.")
    text = visible_text(page)
    for word in TRAINING_WORDS:
        assert word not in text, word
    expect(page.locator(".breadcrumb")).to_contain_text("Bài học")

    page.goto(f"{live_server.url}/khoa-hoc/{lesson.pk}/truc-tuyen/them/")
    expect(page.locator("main")).to_contain_text("Học sinh đã vào học bài sẽ nhận được thông báo.")
    assert not any(word in visible_text(page) for word in TRAINING_WORDS)

    page.goto(f"{live_server.url}/khoa-hoc/xoa/course/{lesson.pk}/")
    expect(page.get_by_test_id("what")).to_contain_text("Bài học: “Phân số bằng nhau”")
    expect(page.locator("main")).to_contain_text("sẽ không còn hiển thị với học sinh")
    assert not any(word in visible_text(page) for word in TRAINING_WORDS)
    shot(page, "5-remove-lesson")
    page.get_by_test_id("confirm-delete").click()
    page.goto(f"{live_server.url}/khoa-hoc/{lesson.pk}/")
    expect(page.get_by_test_id("removed-banner")).to_contain_text("Học sinh không còn thấy nội dung này.")
    assert not any(word in visible_text(page) for word in TRAINING_WORDS)
    assert Course.objects.get(pk=lesson.pk).is_deleted
