"""Issue #17, points 3 and 4 in a real browser: a student joins a live lesson from the timetable on their home
page (the slot links to the lesson's live session) through the portal's join step (which records the join,
then opens the meeting), the teacher confirms the attendance on a phone, and the student appears as
present — on the teacher's sheet and on the student's own page.

The meeting tool is not on the network here: the session's link is a page of the test server, and the
test checks that the portal sent the student there."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Course, LiveSession
from courses.services.live import live_session_create
from teaching.models import Attendance, AttendanceStatus, LiveLesson
from teaching.services_timetable import SlotInput, slot_set, timetable_create
from tests.courses.factories import enrol, make_course
from tests.e2e.conftest import horizontal_overflow, log_in, person, screenshots
from units.models import Role

MEETING = "https://meet.jit.si/toan-6a1-phan-so"
shot = screenshots("live-attendance")


@pytest.fixture
def lesson(tree):
    teacher = person(tree.g1, Role.TEACHER, "gv.toan", "Nguyễn Văn Toán")
    student = person(tree.c1, Role.STUDENT, "hs.em", "Hoàng Minh Em")
    absent = person(tree.c1, Role.STUDENT, "hs.ha", "Đặng Thu Hà")
    course = make_course(
        unit=tree.s1, author=teacher, kind=Course.Kind.LESSON, title="Toán 6 – Phân số", subject="Toán", grade=6
    )
    for learner in (student, absent):
        enrol(course=course, user=learner)
    session = live_session_create(
        actor=teacher,
        course=course,
        title="Phân số bằng nhau",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=45,
        tool="jitsi",
        url=MEETING,
    )
    # The lesson started five minutes ago (scheduling refuses a past time; the clock moved on since).
    LiveSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    # 6A1's timetable: today's first period (Saturday's on a Sunday, when there is no lesson) is this Toán
    # lesson, linked to the session ("làm đường link gắn vào TKB").
    admin = person(tree.s1, Role.SCHOOL_ADMIN, "qt.tkb", "Quản Trị Trường")
    today = timezone.localdate()
    timetable = timetable_create(actor=admin, school_class=tree.c1, valid_from=today - timedelta(days=7))
    slot_set(
        actor=admin, timetable=timetable, weekday=min(today.isoweekday(), 6), session="am", period=1,
        values=SlotInput(subject="Toán", teacher_id=teacher.pk, link_kind="live", live_session_id=session.pk),
    )  # fmt: skip
    return course, session, student, absent


def test_student_joins_from_the_timetable_and_the_teacher_confirms_them_present(live_server, page, phone, lesson):
    course, session, student, absent = lesson
    base = live_server.url
    # The meeting tool is not reachable here (and a browser does not let a test answer a redirect's target):
    # the session's link is a page of the test server, as a row written before the https rule could be.
    meeting_url = base + reverse("courses:calendar") + "?phong=toan-6a1"
    LiveSession.objects.filter(pk=session.pk).update(url=meeting_url)
    log_in(page, base, "hs.em", fresh=True)  # lands on the home page, with the week's timetable
    live_slot = page.get_by_test_id("home-timetable").locator("[data-testid=slot-link][data-kind=live]").first
    expect(live_slot).to_be_visible()
    with page.expect_popup() as opened:
        live_slot.click()
    meeting = opened.value
    meeting.wait_for_load_state()
    assert meeting.url == meeting_url
    meeting.close()
    assert Attendance.objects.get(student=student).joins == 1
    assert LiveLesson.objects.get(session=session).is_held

    # The teacher, on a phone, opens the session's attendance from the course's sessions page.
    log_in(phone, base, "gv.toan", fresh=True)
    phone.goto(base + reverse("courses:live_sessions", args=[course.pk]))
    phone.get_by_test_id("attendance-link").first.click()
    sheet = phone.get_by_test_id("attendance-sheet")
    expect(sheet).to_be_visible()
    row = phone.locator(f"[data-testid=attendance-row][data-student='{student.pk}']")
    other = phone.locator(f"[data-testid=attendance-row][data-student='{absent.pk}']")
    expect(row).to_have_attribute("data-status", "present")  # pre-filled from the join
    expect(other).to_have_attribute("data-status", "unexcused")  # never joined
    expect(row.get_by_test_id("not-confirmed")).to_be_visible()
    other.get_by_test_id("status").select_option("excused")  # Hà's parents called: excused
    shot(phone, "sheet")
    assert horizontal_overflow(phone) <= 0
    phone.get_by_test_id("confirm").click()
    expect(phone.get_by_test_id("saved")).to_be_visible()  # answered in place (htmx)
    expect(row.get_by_test_id("not-confirmed")).to_have_count(0)
    expect(row).to_have_attribute("data-status", "present")
    expect(other).to_have_attribute("data-status", "excused")
    expect(phone.get_by_test_id("held")).to_contain_text("Nguyễn Văn Toán đã xác nhận")
    shot(phone, "confirmed")
    assert dict(Attendance.objects.values_list("student__username", "status")) == {
        "hs.em": AttendanceStatus.PRESENT,
        "hs.ha": AttendanceStatus.EXCUSED,
    }

    # The student sees themselves present on their own attendance page.
    log_in(page, base, "hs.em", fresh=True)
    page.goto(base + reverse("teaching:my_attendance"))
    mine = page.locator(f"[data-testid=my-attendance-row][data-session='{session.pk}']")
    expect(mine).to_have_attribute("data-status", "present")
    expect(mine).to_contain_text("Có mặt")
