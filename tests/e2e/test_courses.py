"""Courses (issue #5) walked in a real browser: a teacher writes and publishes a training course, a student
finds it without accents, registers, studies, hands in work (twice) and reads the grade; the instructor grades
with "Save and next" and answers a question in Hỏi – Đáp; and the pages fit a 360 px phone.

The UI is Vietnamese by default and its course strings are still being translated, so the tests find things by
data-testid and accept either language where they read a label."""

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from courses.models import Course, Enrolment, Section, SectionProgress, Submission
from courses.services.authoring import course_publish
from courses.services.submissions import submission_create
from forums.models import Forum, Thread
from forums.selectors import owner_forums
from tests.courses.factories import enrol, make_assignment, make_course, make_section
from tests.e2e.conftest import horizontal_overflow, log_in, person, screenshots
from units.models import Role

TITLE = "Bồi dưỡng chương trình GDPT 2018 môn Toán"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


shot = screenshots("courses")


def pdf_file(tmp_path, name, padding=2000):
    path = tmp_path / name
    path.write_bytes(PDF + b"x" * padding)
    return path


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        teacher=person(tree.g1, Role.TEACHER, "gv.an", "Nguyễn Văn An"),
        student=person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em"),
        student2=person(tree.c1, Role.STUDENT, "hs.ha", "Đặng Thu Hà"),
    )


@pytest.fixture
def course(tree, people):
    """A training course of the school's science group, published the way the page publishes it (so it has
    its two forums), with two sections and an assignment that takes PDFs."""
    draft = make_course(
        unit=tree.g1, author=people.teacher, status=Course.Status.DRAFT, title=TITLE, subject="Toán", grade=6
    )
    make_section(course=draft, position=1, title="Tổng quan chương trình", body="<p>Đọc tài liệu.</p>")
    make_section(course=draft, position=2, title="Dạy học phát triển năng lực", body="<p>Xem ví dụ.</p>")
    published = course_publish(actor=people.teacher, course=draft)
    published.assignment = make_assignment(
        course=published, title="Bài thu hoạch cuối khóa", due_in=timedelta(days=7), allowed_types="pdf,docx"
    )
    return published


@pytest.fixture
def enrolled(course, people):
    enrol(course=course, user=people.student)
    return course


# --- 1. a teacher writes and publishes a training course ---------------------------------------------


def test_teacher_creates_a_training_course_with_a_pdf_section_and_publishes_it(
    live_server, page, tree, people, tmp_path
):
    log_in(page, live_server.url, "gv.an")
    # The school's space, reached from the teacher's professional group.
    page.get_by_test_id("home-units").get_by_text("Tổ Khoa học tự nhiên").click()
    page.get_by_role("link", name="Trường THCS Trần Phú").click()
    page.get_by_test_id("create-training").click()

    form = page.get_by_test_id("course-form")
    expect(form.locator("#id_kind")).to_have_value("training")
    form.locator("#id_title").fill("Bồi dưỡng dạy học STEM cấp THCS")
    form.locator("#id_subject").fill("Khoa học tự nhiên")
    form.locator("#id_grade").fill("7")
    form.locator("#id_audience").select_option(f"u{tree.s1.pk}")
    form.locator("#id_purpose + .rich-text-editor .ql-editor").fill(
        "Nắm vững quy trình dạy học STEM; nộp một kế hoạch bài dạy."
    )
    shot(page, "1-course-form")
    page.get_by_test_id("course-save").click()

    expect(page.get_by_test_id("course-title")).to_have_text("Bồi dưỡng dạy học STEM cấp THCS")
    expect(page.get_by_test_id("status-draft")).to_be_visible()
    expect(page.get_by_test_id("no-purpose")).to_have_count(0)
    course = Course.objects.get(title="Bồi dưỡng dạy học STEM cấp THCS")
    assert course.status == Course.Status.DRAFT and course.kind == Course.Kind.TRAINING
    assert (course.unit, course.audience_unit, course.author) == (tree.s1, tree.s1, people.teacher)
    assert (course.subject, course.grade) == ("Khoa học tự nhiên", 7)

    page.get_by_test_id("add-section").click()
    section_form = page.get_by_test_id("section-form")
    section_form.locator("#id_title").fill("Quy trình dạy học STEM")
    section_form.locator("#id_body + .rich-text-editor .ql-editor").fill(
        "Đọc tài liệu hướng dẫn rồi làm bài tập cuối phần."
    )
    section_form.locator("#id_upload").set_input_files(str(pdf_file(tmp_path, "huong-dan-stem.pdf")))
    page.get_by_test_id("section-save").click()

    section_card = page.get_by_test_id("section")
    expect(section_card).to_have_count(1)
    expect(section_card).to_contain_text("Quy trình dạy học STEM")
    expect(section_card).to_contain_text("Đọc tài liệu hướng dẫn")
    page.get_by_test_id("publish").click()

    expect(page.get_by_test_id("status-published")).to_be_visible()
    expect(page.get_by_test_id("purpose")).to_contain_text("Nắm vững quy trình dạy học STEM")
    # Purpose first, then the sections.
    assert page.evaluate(
        """() => {
            const purpose = document.querySelector('[data-testid="purpose"]');
            const section = document.querySelector('[data-testid="section"]');
            return Boolean(purpose.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    # The PDF is shown in the page, and its address answers with a PDF to show inline.
    pdf = section_card.get_by_test_id("section-pdf")
    expect(pdf).to_be_visible()
    response = page.request.get(live_server.url + pdf.get_attribute("src"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.body().startswith(b"%PDF-")
    shot(page, "1-course-published")

    course.refresh_from_db()
    assert course.status == Course.Status.PUBLISHED and course.published_at is not None
    section = Section.objects.get(course=course)
    assert (section.file_kind, section.file_name) == (Section.FileKind.PDF, "huong-dan-stem.pdf")
    assert set(owner_forums(owner=course)) == {"discussion", "questions"}


# --- 2. a student finds the course without accents, registers and studies -----------------------------


def test_student_finds_the_course_without_accents_registers_and_progresses(live_server, page, tree, people, course):
    make_course(unit=tree.g1, author=people.teacher, title="Sinh hoạt chuyên môn theo nghiên cứu bài học")
    log_in(page, live_server.url, "hs.em")
    page.goto(f"{live_server.url}/khoa-hoc/")
    expect(page.get_by_test_id("course-row")).to_have_count(2)
    page.fill("#f-q", "boi duong")
    page.press("#f-q", "Enter")
    expect(page).to_have_url(re.compile(r"q=boi\+duong"))
    rows = page.get_by_test_id("course-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(TITLE)
    shot(page, "2-catalogue-search")
    rows.get_by_role("link", name=TITLE).click()

    page.get_by_test_id("register").click()
    bar = page.get_by_test_id("progress").get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    enrolment = Enrolment.objects.get(course=course, user=people.student)
    assert enrolment.withdrawn_at is None

    sections = page.get_by_test_id("section")
    expect(sections).to_have_count(2)
    sections.first.get_by_test_id("mark-done").click()  # htmx: no page load
    expect(sections.first.get_by_test_id("section-done")).to_be_visible()
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(page.get_by_test_id("progress")).to_contain_text("50%")
    expect(sections.nth(1).get_by_test_id("mark-done")).to_be_visible()
    shot(page, "2-progress")

    enrolment.refresh_from_db()
    assert enrolment.sections_done == 1 and enrolment.completed_at is None
    assert SectionProgress.objects.filter(enrolment=enrolment).count() == 1


# --- 3. handing in from the home page, twice ---------------------------------------------------------


def test_student_hands_in_from_home_in_two_clicks_and_a_second_version_keeps_the_first(
    live_server, page, people, enrolled, tmp_path
):
    assignment = enrolled.assignment
    log_in(page, live_server.url, "hs.em")
    due = page.get_by_test_id("due-item").filter(has_text=assignment.title)
    expect(due).to_be_visible()
    button = due.get_by_test_id("home-hand-in")
    expect(button).to_be_visible()
    expect(button).to_have_text(re.compile(r"Nộp bài|Hand in"))
    shot(page, "3-home-due")

    button.click()  # click 1
    page.get_by_test_id("submission-files").set_input_files(str(pdf_file(tmp_path, "bai-thu-hoach.pdf")))
    page.get_by_test_id("submit").click()  # click 2

    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_be_visible()
    expect(page.get_by_test_id("receipt-time")).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}"))
    expect(page.get_by_test_id("receipt-version")).to_contain_text("1")
    expect(receipt.get_by_test_id("file")).to_have_text("bai-thu-hoach.pdf")
    expect(receipt).to_contain_text(re.compile(r"2[.,]0\s*KB"))  # the file's size
    shot(page, "3-receipt-v1")
    first = Submission.objects.get(assignment=assignment, learner=people.student)
    assert (first.version, first.is_current, first.files.count()) == (1, True, 1)
    assert first.total_size == len(PDF) + 2000 and not first.is_late

    page.get_by_test_id("hand-in-again").click()
    expect(page.get_by_test_id("last-version")).to_be_visible()
    page.get_by_test_id("submission-files").set_input_files(str(pdf_file(tmp_path, "bai-thu-hoach-v2.pdf", 5000)))
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("receipt-version")).to_contain_text("2")
    expect(page.get_by_test_id("receipt").get_by_test_id("file")).to_have_text("bai-thu-hoach-v2.pdf")
    versions = page.get_by_test_id("versions").locator("li")
    expect(versions).to_have_count(2)
    expect(versions.nth(1)).to_contain_text("1")
    shot(page, "3-receipt-v2")
    rows = list(Submission.objects.filter(assignment=assignment, learner=people.student).order_by("version"))
    assert [(s.version, s.is_current) for s in rows] == [(1, False), (2, True)]
    assert rows[0].files.get().name == "bai-thu-hoach.pdf" and rows[1].files.get().name == "bai-thu-hoach-v2.pdf"

    # The home page no longer asks for it.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("due-item").filter(has_text=assignment.title)).to_have_count(0)


# --- 4. grading with "Save and next"; the student reads the grade ------------------------------------


def test_instructor_grades_with_save_and_next_and_the_student_sees_grade_and_feedback(
    live_server, page, people, enrolled
):
    assignment = enrolled.assignment
    enrol(course=enrolled, user=people.student2)
    handed_in = {}
    for learner in (people.student, people.student2):
        upload = SimpleUploadedFile(f"{learner.username}.pdf", PDF, content_type="application/pdf")
        handed_in[learner.pk] = submission_create(actor=learner, assignment=assignment, uploads=[upload])
    first, second = sorted(handed_in.values(), key=lambda s: s.pk)

    log_in(page, live_server.url, "gv.an")
    page.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/")
    page.get_by_test_id("assignments-link").click()
    page.get_by_test_id("assignment").filter(has_text=assignment.title).get_by_test_id("grading-link").click()
    rows = page.get_by_test_id("submission-row")
    expect(rows).to_have_count(2)
    rows.filter(has_text=first.learner.full_name).get_by_role("link").click()

    expect(page.locator("main h1")).to_have_text(first.learner.full_name)
    page.fill("#id_grade", "8,5")
    page.fill("#id_feedback", "Bài làm tốt, cần thêm ví dụ minh họa.")
    shot(page, "4-grading")
    page.get_by_test_id("save-next").click()

    # "Save and next" opens the next ungraded submission.
    expect(page).to_have_url(re.compile(rf"/bai-nop/{second.pk}/cham-diem/"))
    expect(page.locator("main h1")).to_have_text(second.learner.full_name)
    first.refresh_from_db()
    assert first.grade == Decimal("8.5") and first.feedback == "Bài làm tốt, cần thêm ví dụ minh họa."
    assert first.graded_by == people.teacher and first.graded_at is not None
    second.refresh_from_db()
    assert second.grade is None

    log_in(page, live_server.url, first.learner.username, fresh=True)
    page.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/bai-tap/")
    status = page.get_by_test_id("assignment").filter(has_text=assignment.title).get_by_test_id("my-status")
    expect(status.get_by_test_id("status-graded")).to_contain_text(re.compile(r"8[,.]5/10"))
    status.locator(f"a[href$='/bai-nop/{first.pk}/']").click()
    expect(page.get_by_test_id("grade")).to_have_text(re.compile(r"8[,.]5/10"))
    expect(page.get_by_test_id("grade-box")).to_contain_text("Bài làm tốt, cần thêm ví dụ minh họa.")
    shot(page, "4-student-grade")


# --- 5. a 360 px phone --------------------------------------------------------------------------------


def test_course_and_hand_in_pages_fit_a_360px_phone(live_server, phone, people, enrolled):
    log_in(phone, live_server.url, "hs.em")
    hand_in = phone.get_by_test_id("home-hand-in")
    expect(hand_in).to_be_visible()
    expect(hand_in).to_have_text(re.compile(r"Nộp bài|Hand in"))
    assert horizontal_overflow(phone) <= 1

    phone.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/")
    expect(phone.get_by_test_id("course-title")).to_be_visible()
    expect(phone.get_by_test_id("section")).to_have_count(2)
    expect(phone.get_by_test_id("mark-done").first).to_be_visible()
    shot(phone, "5-phone-course")
    assert horizontal_overflow(phone) <= 1

    phone.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/bai-tap/")
    phone.get_by_test_id("hand-in").click()
    submit = phone.get_by_test_id("submit")
    expect(submit).to_be_visible()
    expect(submit).to_have_text(re.compile(r"Nộp bài|Hand in"))
    expect(phone.get_by_test_id("submission-files")).to_be_visible()
    shot(phone, "5-phone-hand-in")
    assert horizontal_overflow(phone) <= 1


# --- 6. Hỏi – Đáp ----------------------------------------------------------------------------------


def test_student_asks_in_questions_the_instructor_answers_and_it_shows_answered(live_server, page, people, enrolled):
    log_in(page, live_server.url, "hs.em")
    page.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/")
    page.get_by_test_id("questions-link").click()
    expect(page.get_by_test_id("questions-note")).to_be_visible()
    new = page.locator("#new-thread")
    new.locator("input[name=title]").fill("Bài thu hoạch nộp định dạng nào?")
    new.locator("textarea[name=body] + .rich-text-editor .ql-editor").fill(
        "Thưa thầy, em nộp file Word có được không ạ?"
    )
    new.locator("button[type=submit]").click()

    expect(page.locator("main h1")).to_have_text("Bài thu hoạch nộp định dạng nào?")
    expect(page.get_by_test_id("unanswered")).to_be_visible()
    expect(page.get_by_test_id("private-note")).to_be_visible()
    shot(page, "6-question-asked")
    thread = Thread.objects.get(title="Bài thu hoạch nộp định dạng nào?")
    assert thread.forum.kind == Forum.Kind.QUESTIONS and thread.answered_at is None and not thread.is_public

    log_in(page, live_server.url, "gv.an", fresh=True)
    page.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/")
    page.get_by_test_id("questions-link").click()
    row = page.get_by_test_id("thread-row").filter(has_text="Bài thu hoạch nộp định dạng nào?")
    expect(row.get_by_test_id("unanswered")).to_be_visible()
    row.get_by_role("link", name="Bài thu hoạch nộp định dạng nào?").click()
    reply = page.locator("#reply-form")
    reply.locator("textarea[name=body] + .rich-text-editor .ql-editor").fill("Em nộp PDF hoặc DOCX đều được.")
    reply.locator("button[type=submit]").click()
    expect(page.get_by_test_id("post").filter(has_text="Em nộp PDF hoặc DOCX đều được.")).to_be_visible()
    thread.refresh_from_db()
    assert thread.answered_at is not None and thread.posts.count() == 2

    log_in(page, live_server.url, "hs.em", fresh=True)
    page.goto(f"{live_server.url}/khoa-hoc/{enrolled.pk}/")
    page.get_by_test_id("questions-link").click()
    row = page.get_by_test_id("thread-row").filter(has_text="Bài thu hoạch nộp định dạng nào?")
    expect(row.get_by_test_id("answered")).to_be_visible()
    row.get_by_role("link", name="Bài thu hoạch nộp định dạng nào?").click()
    expect(page.get_by_test_id("answered")).to_be_visible()
    expect(page.get_by_test_id("post").filter(has_text="Em nộp PDF hoặc DOCX đều được.")).to_contain_text(
        "Nguyễn Văn An"
    )
    shot(page, "6-question-answered")
