"""A student opens the week's timetable on a phone and follows a slot's link (issue #17, point 3)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from teaching.services_timetable import SlotInput, slot_set, timetable_create
from tests.courses.factories import enrol, make_course
from units.models import Role

from .conftest import log_in, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_student_follows_a_lesson_of_the_week_from_the_phone(live_server, phone, tree):
    admin = person(tree.s1, Role.SCHOOL_ADMIN, "qt.tkb", "Quản Trị Trường")
    teacher = person(tree.g1, Role.TEACHER, "gv.tkb", "Nguyễn Văn Toán")
    student = person(tree.c1, Role.STUDENT, "hs.tkb", "Lê Văn An")
    course = make_course(unit=tree.s1, author=teacher, title="Toán 6 trên LMS")
    section = course.sections.create(title="Bài 5: Phân số bằng nhau", body="<p>Đọc và làm bài.</p>")
    enrol(course=course, user=student)
    timetable = timetable_create(actor=admin, school_class=tree.c1, valid_from=timezone.localdate() - timedelta(days=7))
    for weekday in range(1, 7):  # every day, so the journey runs any day of the week
        slot_set(
            actor=admin, timetable=timetable, weekday=weekday, session="am", period=1,
            values=SlotInput(subject="Toán", teacher_id=teacher.pk, link_kind="lms", section_id=section.pk),
        )  # fmt: skip
        slot_set(
            actor=admin, timetable=timetable, weekday=weekday, session="am", period=2,
            values=SlotInput(subject="Văn"),
        )  # fmt: skip

    log_in(phone, live_server.url, "hs.tkb", fresh=True)
    timetable_box = phone.get_by_test_id("home-timetable")
    expect(timetable_box).to_be_visible()
    expect(timetable_box).to_contain_text("Thời khóa biểu")
    expect(timetable_box).to_contain_text("Ngữ văn")
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    link = timetable_box.get_by_test_id("slot-link").filter(visible=True).first
    expect(link).to_contain_text("Bài học trên LMS")
    link.click()
    expect(phone.locator(f"#section-{section.pk}")).to_be_visible()
    expect(phone.locator(f"#section-{section.pk}")).to_contain_text("Phân số bằng nhau")
