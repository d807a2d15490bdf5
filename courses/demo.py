"""Courses for the demo province, built through the services as people would: an Office's training
course for its teachers, and a teacher's lesson for a class, each with sections, something to hand in
and a live session, so every demo login finds something to do on its home page."""

from contextlib import suppress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from units.models import Role, RoleAssignment, Unit

from .models import Course
from .services import authoring, enrolment, live, submissions

TRAINING_TITLE = "Bồi dưỡng thường xuyên: dạy học phát triển phẩm chất, năng lực học sinh"
LESSON_TITLE = "Phân số và các phép tính với phân số – Toán 6"


def seed_demo_courses(*, office_staff: User | None, teacher: User | None, leader: User | None, student: User | None):
    """Idempotent: nothing is added when the demo courses exist already."""
    if Course.objects.filter(title__in=[TRAINING_TITLE, LESSON_TITLE]).exists():
        return 0
    now = timezone.now()
    made = 0
    if office_staff is not None and teacher is not None:
        office = office_staff.role_assignments.get(role=Role.OFFICE_STAFF).unit
        course = authoring.course_create(
            actor=office_staff,
            unit=office,
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
        for title, body in (
            ("Phần 1. Chương trình GDPT 2018 và yêu cầu cần đạt", "<p>Đọc và ghi chú các yêu cầu cần đạt.</p>"),
            ("Phần 2. Thiết kế hoạt động học", "<p>Bốn bước: mở đầu, hình thành kiến thức, luyện tập, vận dụng.</p>"),
            ("Phần 3. Đánh giá thường xuyên", "<p>Các công cụ: bảng kiểm, thang đo, hồ sơ học tập.</p>"),
        ):
            authoring.section_create(actor=office_staff, course=course, title=title, body=body)
        authoring.course_publish(actor=office_staff, course=course)
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
        course = authoring.course_create(
            actor=teacher,
            unit=school,
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
        for title, body in (
            ("Khái niệm phân số", "<p>Phân số a/b với b khác 0. Ví dụ: 3/4.</p>"),
            ("So sánh phân số", "<p>Quy đồng mẫu số rồi so sánh tử số.</p>"),
        ):
            authoring.section_create(actor=teacher, course=course, title=title, body=body)
        authoring.course_publish(actor=teacher, course=course)
        submissions.assignment_create(
            actor=teacher,
            course=course,
            title="Phiếu bài tập số 1",
            kind="report",
            instructions="<p>Làm các bài 1–5 của phiếu bài tập.</p>",
            due_at=now + timedelta(days=7),
            allowed_types="pdf,jpg,png",
            max_size_mb=10,
            max_files=5,
        )
        if student_class is not None:
            enrolment.enrolment_add_unit(actor=teacher, course=course, unit=student_class.unit)
        made += 1
    return made
