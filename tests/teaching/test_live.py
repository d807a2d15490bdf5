"""Live lessons with attendance (issue #17, point 4): the join step (members only, its window, the link
checked again), repeated joins, the late rule, the teacher's confirmation and corrections, absences in the
grade book exactly once, recordings, the permission matrix (with parents) and the pages' query counts."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.parents import parent_issue
from courses.models import Course, LiveRecording, LiveSession
from courses.services.live import live_recording_add, live_session_create, web_link_or_none
from gradebook.models import Absence
from teaching import attendance
from teaching.attendance import LATE_AFTER, attendance_confirm, attendance_sheet, live_join
from teaching.models import Attendance, AttendanceStatus, LiveLesson
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_course
from units.models import Role
from units.selectors import school_year_for

pytestmark = pytest.mark.django_db
S = AttendanceStatus


class Live:
    """A lesson course of school S1 (Toán 6) taught by a teacher of G1, with students of 6A1 enrolled, and
    one live session at 08:00 on the third Monday of the school year (a fixed day inside it)."""

    def __init__(self, tree, students=3):
        self.tree = tree
        self.teacher = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán")
        self.principal = make_person(unit=tree.s1, role=Role.PRINCIPAL, full_name="Đỗ Văn Hải")
        self.colleague = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Lê Thị Văn")
        self.stranger = make_person(unit=tree.s2, role=Role.PRINCIPAL, full_name="Phạm Hiệu Trưởng")
        self.admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Mai Văn Kiên")
        self.course = make_course(
            unit=tree.s1, author=self.teacher, kind=Course.Kind.LESSON, title="Toán 6", subject="Toán", grade=6
        )
        self.students = []
        self.add_students(students)
        self.outsider = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Lý Văn Ích")  # not enrolled
        self.session = live_session_create(
            actor=self.teacher,
            course=self.course,
            title="Phân số",
            starts_at=timezone.now() + timedelta(days=1),
            duration_minutes=45,
            tool="jitsi",
            url="https://meet.jit.si/toan-6a1",
        )
        year = school_year_for(tree.s1)
        day = year.start + timedelta(days=14)
        self.start = timezone.make_aware(datetime.combine(day, time(8, 0)))
        self.move(self.start)

    def add_students(self, n):
        for i in range(n):
            student = make_person(unit=self.tree.c1, role=Role.STUDENT, full_name=f"Học Sinh {len(self.students):02d}")
            enrol(course=self.course, user=student)
            self.students.append(student)
            del i

    def move(self, starts_at):
        LiveSession.objects.filter(pk=self.session.pk).update(starts_at=starts_at)
        self.session.refresh_from_db()
        self.start = starts_at

    def at(self, minutes):
        return self.start + timedelta(minutes=minutes)


@pytest.fixture
def live(tree):
    return Live(tree)


# --- joining ------------------------------------------------------------------------------------------------


def test_join_window_opens_15_minutes_before_and_closes_at_the_end(live):
    student = live.students[0]
    with pytest.raises(ValidationError) as early:
        live_join(user=student, session=live.session, now=live.at(-16))
    assert early.value.code == "too_early"
    assert not LiveLesson.objects.exists() and not Attendance.objects.exists()  # nothing recorded
    assert live_join(user=student, session=live.session, now=live.at(-15)) == "https://meet.jit.si/toan-6a1"
    assert live_join(user=student, session=live.session, now=live.at(44)) == "https://meet.jit.si/toan-6a1"
    with pytest.raises(ValidationError) as over:
        live_join(user=student, session=live.session, now=live.at(45))
    assert over.value.code == "over"
    assert Attendance.objects.get().joins == 2


def test_repeated_joins_keep_the_first_and_the_last_and_count(live):
    student = live.students[0]
    for minutes in (2, 20, 31):
        live_join(user=student, session=live.session, now=live.at(minutes))
    row = Attendance.objects.get(student=student)
    assert (row.first_joined_at, row.last_joined_at, row.joins) == (live.at(2), live.at(31), 3)
    assert row.status == ""  # not confirmed yet
    lesson = LiveLesson.objects.get(session=live.session)
    assert lesson.first_join_at == live.at(2) and lesson.is_held


def test_only_members_join(live):
    with pytest.raises(PermissionDenied):
        live_join(user=live.outsider, session=live.session, now=live.at(1))
    with pytest.raises(PermissionDenied):
        live_join(user=live.principal, session=live.session, now=live.at(1))
    assert not LiveLesson.objects.exists()
    # A teacher of the course joins (the lesson is held) but is no row of the students' attendance.
    live_join(user=live.teacher, session=live.session, now=live.at(-5))
    assert LiveLesson.objects.get().first_join_at == live.at(-5)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.jit.si/x", True),
        ("http://127.0.0.1:8000/phong", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("ftp://files.truong.edu.vn/a", False),
        ("//evil.example/x", False),
        ("https://user:pass@evil.example/", False),
        ("https://meet.jit.si/a b", False),
        ("meet.jit.si/x", False),
        ("", False),
    ],
)
def test_only_web_links_are_followed(url, ok):
    assert (web_link_or_none(url) is not None) is ok


def test_a_link_that_is_not_a_url_is_refused_at_save_and_at_join(live):
    with pytest.raises(ValidationError) as saved:
        live_session_create(
            actor=live.teacher,
            course=live.course,
            title="X",
            starts_at=timezone.now() + timedelta(days=2),
            tool="other",
            url="javascript:alert(document.cookie)",
        )
    assert "url" in saved.value.message_dict
    assert LiveSession.objects.count() == 1
    # A row written otherwise (before the rule, by hand) is checked again before anyone is sent there.
    LiveSession.objects.filter(pk=live.session.pk).update(url="javascript:alert(1)")
    live.session.refresh_from_db()
    with pytest.raises(ValidationError) as joined:
        live_join(user=live.students[0], session=live.session, now=live.at(1))
    assert joined.value.code == "bad_link"
    assert not Attendance.objects.exists()


# --- the sheet: late rule, confirmation, corrections, the grade book ------------------------------------------


def test_the_sheet_is_prefilled_from_the_joins(live):
    on_time, late, absent = live.students
    live_join(user=on_time, session=live.session, now=live.at(10))  # exactly N minutes after: on time
    live_join(user=late, session=live.session, now=live.at(11))  # more than N minutes after: late
    live_join(user=late, session=live.session, now=live.at(-3))  # a later join does not make the first earlier
    assert timedelta(minutes=10) == LATE_AFTER
    sheet = {row.student.pk: row for row in attendance_sheet(live.session, attendance.lesson_of(live.session))}
    assert sheet[on_time.pk].status == S.PRESENT
    assert sheet[late.pk].status == S.LATE
    assert sheet[absent.pk].status == S.UNEXCUSED and sheet[absent.pk].attendance is None
    assert not any(row.confirmed for row in sheet.values())


def _absences(live):
    return {
        a.student_id: (a.with_permission, a.period, a.subject, a.school_class_id)
        for a in Absence.objects.filter(source=f"live:{live.session.pk}")
    }


def test_confirm_files_absences_in_the_grade_book_once_and_corrections_update_them(live):
    present, excused, unexcused = live.students
    live_join(user=present, session=live.session, now=live.at(1))
    done = attendance_confirm(
        actor=live.teacher, session=live.session, statuses={excused.pk: S.EXCUSED}, now=live.at(50)
    )
    lesson = LiveLesson.objects.get()
    assert lesson.confirmed_by == live.teacher and lesson.period == 2  # 08:00: the second period (07:50–08:35)
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        present.pk: S.PRESENT,
        excused.pk: S.EXCUSED,
        unexcused.pk: S.UNEXCUSED,  # never joined: absent without permission
    }
    c1 = live.tree.c1.pk
    assert _absences(live) == {excused.pk: (True, 2, "Toán", c1), unexcused.pk: (False, 2, "Toán", c1)}
    assert (done.absences.written, done.absences.removed) == (2, 0)
    # Confirming again changes nothing and adds nothing.
    again = attendance_confirm(actor=live.teacher, session=live.session, statuses={}, now=live.at(60))
    assert (again.absences.written, again.absences.unchanged) == (0, 2)
    assert Absence.objects.count() == 2
    # Corrections: the unexcused one was there after all, the excused one had no excuse, another period.
    attendance_confirm(
        actor=live.teacher,
        session=live.session,
        statuses={unexcused.pk: S.LATE, excused.pk: S.UNEXCUSED},
        period=3,
        now=live.at(70),
    )
    assert _absences(live) == {excused.pk: (False, 3, "Toán", c1)}
    assert Absence.objects.count() == 1
    assert Attendance.objects.get(student=unexcused).status == S.LATE


def test_a_class_book_absence_in_the_same_period_is_kept_apart(live):
    student = live.students[2]
    Absence.objects.create(  # typed in the class book for the same day and period
        student=student, school=live.tree.s1, school_class=live.tree.c1, day=timezone.localdate(live.start),
        school_year=school_year_for(live.tree.s1).label, period=2, subject="Toán", recorded_by=live.principal,
    )  # fmt: skip
    attendance_confirm(actor=live.teacher, session=live.session, statuses={}, now=live.at(50))
    attendance_confirm(actor=live.teacher, session=live.session, statuses={student.pk: S.PRESENT}, now=live.at(55))
    assert Absence.objects.filter(student=student, source="").count() == 1  # the class book's, untouched
    assert not Absence.objects.filter(student=student).exclude(source="").exists()


def test_confirmation_is_refused_cleanly(live):
    student = live.students[0]
    with pytest.raises(ValidationError):
        attendance_confirm(actor=live.teacher, session=live.session, statuses={}, now=live.at(-1))  # not started
    with pytest.raises(PermissionDenied):
        attendance_confirm(actor=live.principal, session=live.session, statuses={}, now=live.at(50))
    with pytest.raises(ValidationError):
        attendance_confirm(actor=live.teacher, session=live.session, statuses={live.outsider.pk: S.PRESENT})
    with pytest.raises(ValidationError):
        attendance_confirm(actor=live.teacher, session=live.session, statuses={student.pk: "asleep"})
    with pytest.raises(ValidationError):
        attendance_confirm(actor=live.teacher, session=live.session, statuses={}, period=11)
    assert not LiveLesson.objects.exists() and not Attendance.objects.exists() and not Absence.objects.exists()


# --- recordings ---------------------------------------------------------------------------------------------


def test_recordings_are_web_links_attached_after_the_start_by_a_teacher(live):
    future = live_session_create(
        actor=live.teacher,
        course=live.course,
        title="Sau",
        starts_at=timezone.now() + timedelta(days=3),
        tool="jitsi",
        url="https://meet.jit.si/sau",
    )
    with pytest.raises(ValidationError):
        live_recording_add(actor=live.teacher, session=future, url="https://drive.google.com/file/d/1")
    with pytest.raises(ValidationError):
        live_recording_add(actor=live.teacher, session=live.session, url="javascript:alert(1)")
    with pytest.raises(ValidationError):
        live_recording_add(actor=live.students[0], session=live.session, url="https://youtu.be/abc")
    assert not LiveRecording.objects.exists()
    first = live_recording_add(actor=live.teacher, session=live.session, url=" https://youtu.be/abc ", title="Phần 1")
    live_recording_add(actor=live.teacher, session=live.session, url="http://video.truong.edu.vn/2")
    assert first.url == "https://youtu.be/abc" and live.session.recordings.alive().count() == 2


# --- permissions --------------------------------------------------------------------------------------------


@pytest.fixture
def parent(live):
    parent = parent_issue(actor=live.admin, child=live.students[0], values={"parent_phone": "0912345678"}).parent
    User.objects.filter(pk=parent.pk).update(must_change_password=False)  # past the one-time password
    parent.refresh_from_db()
    return parent


@pytest.mark.parametrize(
    ("who", "sheet", "post", "own_page", "child_page"),
    [
        ("teacher", 200, 302, 200, 404),
        ("principal", 200, 403, 200, 404),
        ("student", 403, 403, 200, 200),
        ("other_student", 403, 403, 200, 404),
        ("outsider", 403, 403, 200, 404),  # sees the course (its audience), not the sheet
        ("parent", 404, 404, 200, 200),
        ("colleague", 403, 403, 200, 404),
        ("stranger", 404, 404, 200, 404),
    ],
)
def test_permission_matrix(client, live, parent, who, sheet, post, own_page, child_page):
    """Sheet: the course's teacher (writes), the school's managers (read); students see only their own
    attendance, a parent their child's; others nothing."""
    live.move(timezone.now() - timedelta(hours=2))
    user = {
        "teacher": live.teacher,
        "principal": live.principal,
        "student": live.students[0],
        "other_student": live.students[1],
        "outsider": live.outsider,
        "parent": parent,
        "colleague": live.colleague,
        "stranger": live.stranger,
    }[who]
    client.force_login(user)
    url = reverse("teaching:attendance", args=[live.session.pk])
    assert client.get(url).status_code == sheet
    assert client.post(url, {f"status-{live.students[0].pk}": S.PRESENT}).status_code == post
    assert LiveLesson.objects.filter(confirmed_at__isnull=False).exists() is (post == 302)
    assert client.get(reverse("teaching:my_attendance")).status_code == own_page
    child = reverse("teaching:child_attendance", args=[live.students[0].pk])
    assert client.get(child).status_code == child_page


def test_a_student_and_a_parent_read_the_students_own_status(client, live, parent):
    live.move(timezone.now() - timedelta(hours=2))
    child, other = live.students[0], live.students[1]
    attendance_confirm(actor=live.teacher, session=live.session, statuses={child.pk: S.EXCUSED, other.pk: S.PRESENT})
    client.force_login(parent)
    home = client.get(reverse("home")).content.decode()
    assert reverse("teaching:child_attendance", args=[child.pk]) in home  # from the parent's home page
    page = client.get(reverse("teaching:child_attendance", args=[child.pk])).content.decode()
    assert 'data-status="excused"' in page and "Vắng có phép" in page and 'data-status="present"' not in page
    assert client.get(reverse("teaching:child_attendance", args=[other.pk])).status_code == 404
    client.force_login(other)
    page = client.get(reverse("teaching:my_attendance")).content.decode()
    assert 'data-status="present"' in page and 'data-status="excused"' not in page


# --- views ----------------------------------------------------------------------------------------------------


def test_the_join_page_records_and_redirects_or_explains(client, live):
    student = live.students[0]
    client.force_login(student)
    url = reverse("teaching:live_join", args=[live.session.pk])
    live.move(timezone.now() + timedelta(hours=2))
    refused = client.get(url, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("courses:live_sessions", args=[live.course.pk])
    assert "Buổi học mở lúc" in refused.content.decode()
    assert not Attendance.objects.exists()
    live.move(timezone.now() - timedelta(minutes=5))
    response = client.get(url)
    assert response.status_code == 302 and response.url == "https://meet.jit.si/toan-6a1"
    assert response["Cache-Control"] == "private, no-store"
    assert Attendance.objects.get(student=student).joins == 1
    client.force_login(live.stranger)
    assert client.get(url).status_code == 404


def test_the_course_page_joins_through_the_portal(client, live):
    live.move(timezone.now() - timedelta(minutes=5))
    client.force_login(live.students[0])
    page = client.get(reverse("courses:live_sessions", args=[live.course.pk])).content.decode()
    assert reverse("teaching:live_join", args=[live.session.pk]) in page
    assert "https://meet.jit.si/toan-6a1" not in page  # the meeting link is reached only through the join step


def test_htmx_confirmation_answers_the_sheet(client, live):
    live.move(timezone.now() - timedelta(hours=2))
    client.force_login(live.teacher)
    data = {f"status-{s.pk}": S.PRESENT for s in live.students} | {"period": "4"}
    response = client.post(reverse("teaching:attendance", args=[live.session.pk]), data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="attendance-sheet"')
    assert 'data-testid="saved"' in body and "<html" not in body
    assert set(Attendance.objects.values_list("status", flat=True)) == {S.PRESENT}
    assert LiveLesson.objects.get().period == 4
    bad = client.post(
        reverse("teaching:attendance", args=[live.session.pk]),
        {f"status-{live.students[0].pk}": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="form-error"' in bad.content.decode()
    assert set(Attendance.objects.values_list("status", flat=True)) == {S.PRESENT}


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_sheet_costs_the_same_queries_for_10_or_40_students(client, live, django_assert_max_num_queries, method):
    live.move(timezone.now() - timedelta(hours=2))
    url = reverse("teaching:attendance", args=[live.session.pk])
    client.force_login(live.teacher)
    counts = []
    for size in (10, 40):
        live.add_students(size - len(live.students))
        for student in live.students[: size // 2]:
            live_join(user=student, session=live.session, now=live.start + timedelta(minutes=1))
        data = {f"status-{s.pk}": S.EXCUSED for s in live.students[-3:]}
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code in (200, 302)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(url) if method == "get" else client.post(url, {})


def test_my_attendance_costs_the_same_queries_for_few_or_many_sessions(client, live):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    student = live.students[0]
    client.force_login(student)
    counts = []
    for more in (0, 12):
        for i in range(more):
            LiveSession.objects.create(
                course=live.course,
                title=f"Buổi {i}",
                starts_at=timezone.now() - timedelta(days=i + 1),
                url="https://meet.jit.si/x",
                created_by=live.teacher,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("teaching:my_attendance")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("hour", "minute", "period"),
    [(6, 30, 1), (7, 0, 1), (7, 49, 1), (7, 50, 2), (10, 30, 5), (11, 50, 5), (13, 0, 6), (14, 45, 8), (19, 30, 10)],
)
def test_default_period_from_the_start_time(hour, minute, period):
    moment = timezone.make_aware(datetime(2026, 10, 5, hour, minute))
    assert attendance.default_period(moment) == period


def test_attendance_of_a_closed_school_year_is_read_only(live, in_english):
    """Point 5: once the year has closed its records are archived; the attendance sheet with them."""
    from tests.teaching.test_records import close_year

    close_year(school_year_for(live.tree.s1, timezone.localdate(live.start)).label)
    with pytest.raises(ValidationError, match="read-only") as refused:
        attendance_confirm(
            actor=live.teacher, session=live.session, statuses={live.students[0].pk: S.PRESENT}, now=live.at(50)
        )
    assert refused.value.code == "year_closed"
    assert not LiveLesson.objects.exists() and not Attendance.objects.exists() and not Absence.objects.exists()
