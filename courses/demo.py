"""Courses for the demo province, built through the services as people would: an Office's training
course for its teachers, and a teacher's lesson for a class, each with sections, something to hand in
and a live session, so every demo login finds something to do on its home page: the demo student has
handed in the lesson's first worksheet, which waits for the demo teacher's mark, and has the second
one still to do."""

import io
from contextlib import suppress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from units.models import Role, RoleAssignment, Unit

from .models import Assignment, Course, LiveSession, Submission
from .services import authoring, enrolment, live, submissions

TRAINING_TITLE = "Bồi dưỡng thường xuyên: dạy học phát triển phẩm chất, năng lực học sinh"
LESSON_TITLE = "Phân số và các phép tính với phân số – Toán 6"
WORKSHEET_1 = "Phiếu bài tập số 1"
WORKSHEET_2 = "Phiếu bài tập số 2"
LESSON_SESSION = "Chữa phiếu bài tập số 1 trực tuyến"


def _published_course(actor, unit, *, sections, **fields) -> Course:
    """A demo course created by `actor` in `unit`, given its (title, body) sections, then published."""
    course = authoring.course_create(actor=actor, unit=unit, **fields)
    for title, body in sections:
        authoring.section_create(actor=actor, course=course, title=title, body=body)
    authoring.course_publish(actor=actor, course=course)
    return course


def seed_demo_courses(*, office_staff: User | None, teacher: User | None, leader: User | None, student: User | None):
    """Idempotent: nothing is added when the demo courses exist already."""
    if Course.objects.filter(title__in=[TRAINING_TITLE, LESSON_TITLE]).exists():
        return 0
    now = timezone.now()
    made = 0
    if office_staff is not None and teacher is not None:
        office = office_staff.role_assignments.get(role=Role.OFFICE_STAFF).unit
        course = _published_course(
            office_staff,
            office,
            sections=(
                ("Phần 1. Chương trình GDPT 2018 và yêu cầu cần đạt", "<p>Đọc và ghi chú các yêu cầu cần đạt.</p>"),
                (
                    "Phần 2. Thiết kế hoạt động học",
                    "<p>Bốn bước: mở đầu, hình thành kiến thức, luyện tập, vận dụng.</p>",
                ),
                ("Phần 3. Đánh giá thường xuyên", "<p>Các công cụ: bảng kiểm, thang đo, hồ sơ học tập.</p>"),
            ),
            kind=Course.Kind.TRAINING,
            title=TRAINING_TITLE,
            subject="Chung",
            purpose=(
                "<p><strong>Mục đích:</strong> giúp giáo viên thiết kế kế hoạch bài dạy theo định hướng phát triển "
                "phẩm chất, năng lực.</p><p><strong>Yêu cầu:</strong> học đủ các phần, tham gia thảo luận nhóm và "
                "nộp một bài thu hoạch (PDF hoặc Word) trước hạn.</p>"
            ),
            audience=f"u{office.pk}",
            starts_on=now.date(),
            ends_on=(now + timedelta(days=60)).date(),
        )
        submissions.assignment_create(
            actor=office_staff,
            course=course,
            title="Bài thu hoạch cuối khóa",
            kind="report",
            instructions="<p>Trình bày một kế hoạch bài dạy đã điều chỉnh theo nội dung khóa học.</p>",
            due_at=now + timedelta(days=14),
            allowed_types="pdf,docx",
            max_size_mb=20,
            max_files=3,
        )
        live.live_session_create(
            actor=office_staff,
            course=course,
            title="Trao đổi trực tuyến với báo cáo viên",
            starts_at=now + timedelta(days=3),
            duration_minutes=90,
            tool="jitsi",
            url="https://meet.jit.si/truonghoc-ket-noi-demo",
        )
        for person in (teacher, leader):
            if person is not None:
                # A demo teacher whose profile the table leaves incomplete registers after completing it.
                with suppress(ValidationError):
                    enrolment.enrolment_register(actor=person, course=course)
        made += 1
    if teacher is not None and student is not None:
        school = teacher.unit
        student_class = (
            RoleAssignment.objects.filter(user=student, role=Role.STUDENT, unit__kind=Unit.Kind.CLASS)
            .select_related("unit")
            .first()
        )
        course = _published_course(
            teacher,
            school,
            sections=(
                ("Khái niệm phân số", "<p>Phân số a/b với b khác 0. Ví dụ: 3/4.</p>"),
                ("So sánh phân số", "<p>Quy đồng mẫu số rồi so sánh tử số.</p>"),
            ),
            kind=Course.Kind.LESSON,
            title=LESSON_TITLE,
            subject="Toán",
            grade=6,
            purpose=(
                "<p>Hiểu phân số, so sánh và thực hiện các phép tính với phân số.</p>"
                "<p>Hoàn thành phiếu bài tập và nộp ảnh chụp hoặc bản PDF trước hạn.</p>"
            ),
            audience=f"u{school.pk}",
        )
        _lesson_worksheet(
            teacher, course, WORKSHEET_1, "<p>Làm các bài 1–5 của phiếu bài tập.</p>", now + timedelta(days=7)
        )
        if student_class is not None:
            enrolment.enrolment_add_unit(actor=teacher, course=course, unit=student_class.unit)
        made += 1
    return made


def _lesson_worksheet(teacher, lesson, title: str, instructions: str, due_at):
    """A worksheet of the demo maths lesson: handed in as photos or a PDF, up to five files of 10 MB."""
    return submissions.assignment_create(
        actor=teacher,
        course=lesson,
        title=title,
        kind="report",
        instructions=instructions,
        due_at=due_at,
        allowed_types="pdf,jpg,png",
        max_size_mb=10,
        max_files=5,
    )


def seed_demo_teacher_work(*, teacher: User | None, student: User | None) -> int:
    """What the demo teacher's home page shows beside the lesson they teach: the demo student's worksheet
    waiting for a mark, a second worksheet the student still has to do, and an online session to go over
    the first one. Idempotent, piece by piece (a database seeded before these existed gets them)."""
    if teacher is None:
        return 0
    lesson = Course.objects.alive().filter(title=LESSON_TITLE, author=teacher).first()
    if lesson is None:
        return 0
    now = timezone.now()
    made = 0
    worksheets = {a.title: a for a in Assignment.objects.alive().filter(course=lesson)}
    if WORKSHEET_2 not in worksheets:
        worksheets[WORKSHEET_2] = _lesson_worksheet(
            teacher,
            lesson,
            WORKSHEET_2,
            "<p>Làm các bài 6–10: cộng, trừ phân số khác mẫu.</p>",
            now + timedelta(days=12),
        )
        made += 1
    if not LiveSession.objects.alive().filter(course=lesson).exists():
        live.live_session_create(
            actor=teacher,
            course=lesson,
            title=LESSON_SESSION,
            # Two evenings from now, 19:30 local time, when students are at home.
            starts_at=timezone.localtime(now + timedelta(days=2)).replace(hour=19, minute=30, second=0, microsecond=0),
            duration_minutes=45,
            tool="jitsi",
            url="https://meet.jit.si/truonghoc-ket-noi-demo-toan6",
        )
        made += 1
    first = worksheets.get(WORKSHEET_1)
    if (
        student is not None
        and first is not None
        and not Submission.objects.filter(assignment=first, learner=student).exists()
    ):
        # A student whose profile or enrolment the data leaves incomplete simply has nothing handed in.
        with suppress(ValidationError):
            submissions.submission_create(
                actor=student, assignment=first, uploads=[_worksheet_pdf()], note="Em gửi bài làm phiếu số 1 ạ."
            )
            made += 1
    return made


def _worksheet_pdf() -> SimpleUploadedFile:
    """A one-page PDF "photo" of a worksheet, made with Pillow (a real PDF, which the upload check accepts)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    lines = ["Phieu bai tap so 1 - Toan 6", "", "Bai 1: 3/4 = 6/8", "Bai 2: 2/3 < 3/4", "Bai 3: 1/2 + 1/3 = 5/6"]
    for n, line in enumerate(lines):
        draw.text((60, 80 + 36 * n), line, fill="black")
    buffer = io.BytesIO()
    page.save(buffer, "PDF")
    return SimpleUploadedFile("phieu-bai-tap-1.pdf", buffer.getvalue(), content_type="application/pdf")
