"""The timetable (issue #17, point 3): versions in force from a date, slots with their rules (subject of the
grade, teacher of the school, one class at a time, one http(s) link), the permission matrix and the pages
(the class's week, the htmx editor, a teacher's week)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses.models import LiveSession
from teaching import selectors_timetable as reads
from teaching.models import Timetable, TimetableSlot
from teaching.permissions import can_edit_timetable, can_view_class_timetable
from teaching.services_timetable import SlotInput, slot_clear, slot_set, subject_of_grade, timetable_create
from tests.courses.factories import enrol, make_course
from units.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
MONDAY = date(2026, 11, 2)  # a Monday of the school year 2026-2027


def _timetable(tkb, school_class=None, valid_from=None, actor=None):
    return timetable_create(
        actor=actor or tkb.admin, school_class=school_class or tkb.tree.c1,
        valid_from=valid_from or timezone.localdate() - timedelta(days=30),
    )  # fmt: skip


def _set(tkb, timetable, weekday=1, session="am", period=1, actor=None, **values):
    values.setdefault("subject", "Toán")
    return slot_set(
        actor=actor or tkb.admin, timetable=timetable, weekday=weekday, session=session, period=period,
        values=SlotInput(**values),
    )  # fmt: skip


# --- subjects as schools write them ------------------------------------------------------------------------


def test_subjects_are_read_as_schools_write_them(tkb):
    year = tkb.year
    assert subject_of_grade("Toán", school_year=year, grade=6) == "Toán"
    assert subject_of_grade("toan", school_year=year, grade=6) == "Toán"
    assert subject_of_grade("Văn", school_year=year, grade=6) == "Ngữ văn"
    assert subject_of_grade("KHTN", school_year=year, grade=7) == "Khoa học tự nhiên"
    assert subject_of_grade("Chào cờ", school_year=year, grade=6) == "Hoạt động trải nghiệm, hướng nghiệp"
    assert subject_of_grade("Tin", school_year=year, grade=6) == "Tin học"
    with pytest.raises(ValidationError, match="Hóa học nâng cao"):
        subject_of_grade("Hóa học nâng cao", school_year=year, grade=6)


# --- versions ------------------------------------------------------------------------------------------------


def test_a_newer_timetable_applies_from_its_date_and_the_older_stays(tkb):
    old = _timetable(tkb, valid_from=MONDAY)
    _set(tkb, old, subject="Toán", teacher_id=tkb.teacher.pk)
    _set(tkb, old, period=2, subject="Văn", teacher_id=tkb.colleague.pk)
    new = _timetable(tkb, valid_from=MONDAY + timedelta(days=14))
    # The new one starts as a copy; changing it leaves the old one as it was.
    assert new.slots.count() == 2
    _set(tkb, new, subject="Tin", teacher_id=tkb.tin.pk)
    assert old.slots.get(period=1).subject == "Toán" and new.slots.get(period=1).subject == "Tin học"
    c1 = tkb.tree.c1
    assert reads.timetable_in_force(school_class=c1, day=MONDAY - timedelta(days=1)) is None
    assert reads.timetable_in_force(school_class=c1, day=MONDAY + timedelta(days=13)) == old
    assert reads.timetable_in_force(school_class=c1, day=MONDAY + timedelta(days=14)) == new
    assert [t.pk for t in reads.timetable_versions(school_class=c1)] == [new.pk, old.pk]
    with pytest.raises(ValidationError, match="already has a timetable"):
        _timetable(tkb, valid_from=MONDAY)
    assert Timetable.objects.filter(school_class=c1).count() == 2
    assert AuditEntry.objects.filter(action="teaching.timetable_create").count() == 2


def test_the_week_is_arranged_by_day_session_and_period(tkb):
    timetable = _timetable(tkb, valid_from=MONDAY)
    _set(tkb, timetable, weekday=3, period=2, subject="Văn")
    _set(tkb, timetable, weekday=3, period=1, subject="Toán")
    _set(tkb, timetable, weekday=3, session="pm", period=1, subject="Tin")
    week = reads.class_week(timetable=timetable, day=MONDAY + timedelta(days=2))  # Wednesday
    assert next(d.date for d in week.days) == MONDAY and len(week.days) == 6
    assert week.today.weekday == 3 and [s.subject for s in week.today.slots] == ["Toán", "Ngữ văn", "Tin học"]
    assert [r["session"] for r in week.rows].count("pm") == 1  # afternoon rows up to the last one used
    sunday = reads.class_week(timetable=timetable, day=MONDAY + timedelta(days=6))
    assert sunday.today is None and sunday.days[0].date == MONDAY + timedelta(days=7)  # the week to come


# --- slot rules: nothing half-saved -----------------------------------------------------------------------


def test_bad_slots_are_refused_and_change_nothing(tkb):
    timetable = _timetable(tkb)
    slot = _set(tkb, timetable, subject="Toán", teacher_id=tkb.teacher.pk)
    refusals = [
        ({"subject": "Thiên văn"}, "is not a subject of grade 6"),
        ({"teacher_id": tkb.stranger.pk}, "Choose a teacher of this school"),
        ({"link_kind": "url", "link_url": "javascript:alert(1)"}, "http:// or https://"),
        ({"link_kind": "url", "link_url": "data:text/html,hi"}, "http:// or https://"),
        ({"link_kind": "url", "link_url": "ftp://example.vn/a"}, "http:// or https://"),
        ({"link_kind": "live", "live_session_id": 999999}, "live session of a course of this school"),
        ({"link_kind": "plan_lesson", "plan_lesson_id": 999999}, "lesson of a teaching plan of this school"),
    ]
    for values, message in refusals:
        with pytest.raises(ValidationError, match=message):
            _set(tkb, timetable, **values)
    slot.refresh_from_db()
    assert (slot.subject, slot.teacher_id, slot.link_url) == ("Toán", tkb.teacher.pk, "")
    assert TimetableSlot.objects.count() == 1


def test_the_database_refuses_a_javascript_link_and_two_links(tkb):
    timetable = _timetable(tkb)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimetableSlot.objects.create(timetable=timetable, weekday=1, session="am", period=1, subject="Toán",
                                     link_url="javascript:alert(1)")  # fmt: skip
    course = make_course(unit=tkb.tree.s1, author=tkb.teacher)
    session = LiveSession.objects.create(
        course=course, title="Học trực tuyến", starts_at=timezone.now(), url="https://meet.jit.si/lop6a1",
        created_by=tkb.teacher,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        TimetableSlot.objects.create(timetable=timetable, weekday=1, session="am", period=1, subject="Toán",
                                     live_session=session, link_url="https://example.vn")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # two lessons in one slot
        for _n in range(2):
            TimetableSlot.objects.create(timetable=timetable, weekday=1, session="am", period=1, subject="Toán")


def test_a_teacher_is_in_one_class_at_a_time(tkb):
    c1_week, c2_week = _timetable(tkb), _timetable(tkb, school_class=tkb.tree.c2)
    _set(tkb, c1_week, weekday=2, period=3, teacher_id=tkb.teacher.pk)
    with pytest.raises(ValidationError, match="already teaches 6A1"):
        _set(tkb, c2_week, weekday=2, period=3, teacher_id=tkb.teacher.pk)
    _set(tkb, c2_week, weekday=2, period=4, teacher_id=tkb.teacher.pk)  # the next period is free
    # A later version of 6A1 that moves the lesson frees the slot from its date on, not before.
    later = _timetable(tkb, valid_from=timezone.localdate() + timedelta(days=10))
    slot_clear(actor=tkb.admin, timetable=later, weekday=2, session="am", period=3)
    c2_later = _timetable(tkb, school_class=tkb.tree.c2, valid_from=timezone.localdate() + timedelta(days=10))
    _set(tkb, c2_later, weekday=2, period=3, teacher_id=tkb.teacher.pk)
    assert TimetableSlot.objects.filter(teacher=tkb.teacher, weekday=2, period=3).count() == 2


def test_links_to_a_plan_lesson_a_live_session_a_section_or_the_web(tkb):
    from tests.teaching.conftest import group_plan

    timetable = _timetable(tkb)
    course = make_course(unit=tkb.tree.s1, author=tkb.teacher)
    section = course.sections.create(title="Bài 3: Phân số")
    session = LiveSession.objects.create(
        course=course,
        title="Ôn tập",
        starts_at=timezone.now(),
        url="https://meet.jit.si/on-tap",
        created_by=tkb.teacher,
    )
    lesson = group_plan(tkb).lessons.first()
    assert _set(tkb, timetable, period=1, link_kind="plan_lesson", plan_lesson_id=lesson.pk).plan_lesson == lesson
    assert _set(tkb, timetable, period=2, link_kind="live", live_session_id=session.pk).live_session == session
    assert _set(tkb, timetable, period=3, link_kind="lms", section_id=section.pk).section == section
    assert _set(tkb, timetable, period=4, link_kind="url", link_url=" https://olm.vn/bai-4 ").link_url == (
        "https://olm.vn/bai-4"
    )
    # Changing the kind drops the other link (one link per slot).
    slot = _set(tkb, timetable, period=2, link_kind="url", link_url="https://example.vn")
    assert slot.live_session is None and slot.link_url == "https://example.vn"
    other_school_course = make_course(unit=tkb.tree.s2, author=tkb.stranger)
    foreign = other_school_course.sections.create(title="Không phải của trường")
    with pytest.raises(ValidationError, match="section of a course of this school"):
        _set(tkb, timetable, period=5, link_kind="lms", section_id=foreign.pk)


# --- permissions ------------------------------------------------------------------------------------------


def test_who_may_edit_and_see_a_class_timetable(tkb):
    s1, c1, c2 = tkb.tree.s1, tkb.tree.c1, tkb.tree.c2
    for manager in (tkb.admin, tkb.principal):
        assert can_edit_timetable(manager, s1)
    for person in (tkb.teacher, tkb.an, tkb.mother, tkb.stranger):
        assert not can_edit_timetable(person, s1)
    assert can_view_class_timetable(tkb.admin, c1) and can_view_class_timetable(tkb.teacher, c1)
    assert can_view_class_timetable(tkb.an, c1) and not can_view_class_timetable(tkb.an, c2)
    assert can_view_class_timetable(tkb.mother, c1) and not can_view_class_timetable(tkb.mother, c2)
    assert not can_view_class_timetable(tkb.father, c1)  # a parent of another class
    assert not can_view_class_timetable(tkb.stranger, c1) and not can_view_class_timetable(tkb.far_parent, c1)
    timetable = _timetable(tkb)
    for outsider in (tkb.teacher, tkb.stranger, tkb.an):
        with pytest.raises(PermissionDenied):
            _set(tkb, timetable, actor=outsider)
        with pytest.raises(PermissionDenied):
            _timetable(tkb, valid_from=MONDAY, actor=outsider)
    assert not TimetableSlot.objects.exists()


def test_the_pages_answer_each_role(client, tkb):
    timetable = _timetable(tkb)
    _set(tkb, timetable, subject="Toán", teacher_id=tkb.teacher.pk)
    c1 = tkb.tree.c1
    pages = {
        "school": reverse("teaching:timetables", args=[tkb.tree.s1.pk]),
        "class": reverse("teaching:timetable_class", args=[c1.pk]),
        "edit": reverse("teaching:timetable_edit", args=[timetable.pk]),
        "slot": reverse("teaching:timetable_slot", args=[timetable.pk, 1, "am", 1]),
        "template": reverse("teaching:timetable_template", args=[tkb.tree.s1.pk]),
    }
    expected = {
        tkb.admin: {"school": 200, "class": 200, "edit": 200, "slot": 200, "template": 200},
        tkb.principal: {"school": 200, "class": 200, "edit": 200, "slot": 200, "template": 200},
        tkb.teacher: {"school": 404, "class": 200, "edit": 404, "slot": 404, "template": 404},
        tkb.an: {"school": 404, "class": 200, "edit": 404, "slot": 404, "template": 404},
        tkb.mother: {"school": 404, "class": 200, "edit": 404, "slot": 404, "template": 404},
        tkb.father: {"school": 404, "class": 404, "edit": 404, "slot": 404, "template": 404},
        tkb.hoa: {"school": 404, "class": 404, "edit": 404, "slot": 404, "template": 404},
        tkb.stranger: {"school": 404, "class": 404, "edit": 404, "slot": 404, "template": 404},
    }
    for person, codes in expected.items():
        client.force_login(person)
        got = {name: client.get(url).status_code for name, url in pages.items()}
        assert got == codes, person.full_name
    client.force_login(tkb.teacher)  # a POST to the editor by a teacher changes nothing
    assert client.post(pages["slot"], {"subject": "Ngữ văn"}).status_code == 404
    assert timetable.slots.get().subject == "Toán"


def test_the_admin_edits_a_slot_with_htmx(client, tkb):
    timetable = _timetable(tkb)
    client.force_login(tkb.admin)
    url = reverse("teaching:timetable_slot", args=[timetable.pk, 2, "am", 3])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="slot-form"' in form and "<html" not in form
    page = client.post(
        url, {"subject": "Ngữ văn", "teacher": tkb.colleague.pk, "link_kind": "url", "link_url": "javascript:x"},
        HTTP_HX_REQUEST="true",
    ).content.decode()  # fmt: skip
    assert "http:// or https://" in page or "http:// hoặc https://" in page
    assert not timetable.slots.exists()
    page = client.post(
        url, {"subject": "Ngữ văn", "teacher": tkb.colleague.pk, "link_kind": "url", "link_url": "https://olm.vn/x"},
        HTTP_HX_REQUEST="true",
    ).content.decode()  # fmt: skip
    assert 'data-testid="slot-saved"' in page and 'hx-swap-oob="true"' in page and "Lê Thị Văn" in page
    slot = timetable.slots.get()
    assert (slot.weekday, slot.session, slot.period, slot.subject, slot.link_url) == (
        2,
        "am",
        3,
        "Ngữ văn",
        "https://olm.vn/x",
    )
    grid = client.get(reverse("teaching:timetable_edit", args=[timetable.pk])).content.decode()
    assert 'data-testid="timetable-grid"' in grid and "Ngữ văn" in grid
    client.post(url, {"clear": "1"}, HTTP_HX_REQUEST="true")
    assert not timetable.slots.exists()


def test_the_admin_starts_a_new_version_from_the_class_page(client, tkb):
    old = _timetable(tkb, valid_from=MONDAY)
    _set(tkb, old, subject="Toán")
    client.force_login(tkb.admin)
    url = reverse("teaching:timetable_class", args=[tkb.tree.c1.pk])
    response = client.post(url, {"valid_from": "2026-11-16"})
    new = Timetable.objects.get(school_class=tkb.tree.c1, valid_from=date(2026, 11, 16))
    assert response.status_code == 302 and response["Location"] == reverse("teaching:timetable_edit", args=[new.pk])
    assert new.slots.count() == 1
    again = client.post(url, {"valid_from": "2026-11-16"}).content.decode()
    assert "16/11/2026" in again and Timetable.objects.filter(school_class=tkb.tree.c1).count() == 2
    client.force_login(tkb.teacher)  # a teacher sees the page but cannot add a version
    assert client.post(url, {"valid_from": "2026-11-23"}).status_code == 404


def test_a_teacher_sees_their_own_week_across_classes(client, tkb, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(reads, "today", lambda: MONDAY + timedelta(days=1))  # a Tuesday
    c1_week, c2_week = _timetable(tkb, valid_from=MONDAY), _timetable(tkb, school_class=tkb.tree.c2, valid_from=MONDAY)
    _set(tkb, c1_week, weekday=2, period=1, subject="Toán", teacher_id=tkb.teacher.pk)
    _set(tkb, c2_week, weekday=2, period=2, subject="Toán", teacher_id=tkb.teacher.pk)
    _set(tkb, c2_week, weekday=2, period=3, subject="Văn", teacher_id=tkb.colleague.pk)
    client.force_login(tkb.teacher)
    with django_assert_max_num_queries(50) as two:
        page = client.get(reverse("teaching:my_timetable")).content.decode()
    assert page.count('data-testid="today-slot"') == 2 and "6A1" in page and "7A1" in page
    for period in (3, 4, 5):
        _set(tkb, c1_week, weekday=4, period=period, subject="Toán", teacher_id=tkb.teacher.pk)
    with django_assert_max_num_queries(len(two.captured_queries)):  # the same for 2 or 5 lessons
        assert client.get(reverse("teaching:my_timetable")).content.decode().count('data-testid="week-slot"') == 5
    week = reads.teacher_week(teacher=tkb.colleague, day=MONDAY + timedelta(days=1))
    assert [(s.timetable.school_class.name, s.subject) for s in week.today.slots] == [("7A1", "Ngữ văn")]


def test_a_pupil_follows_a_live_session_only_in_a_course_they_are_in(tkb):
    timetable = _timetable(tkb)
    course = make_course(unit=tkb.tree.s1, author=tkb.teacher, title="Toán 6 trực tuyến")
    session = LiveSession.objects.create(
        course=course, title="Phân số", starts_at=timezone.now(), url="https://meet.jit.si/phan-so",
        created_by=tkb.teacher,
    )  # fmt: skip
    _set(tkb, timetable, period=1, link_kind="live", live_session_id=session.pk)
    _set(tkb, timetable, period=2, link_kind="url", link_url="https://olm.vn/bai-2")

    def links():
        return {s.period: (s.link, s.link_kind) for d in reads.student_week(student=tkb.an).days for s in d.slots}

    assert links() == {1: ("", ""), 2: ("https://olm.vn/bai-2", "url")}
    enrol(course=course, user=tkb.an)
    # Through the portal's join step, which records the attendance (never the meeting's address itself).
    assert links()[1] == (reverse("teaching:live_join", args=[session.pk]), "live")
    session.deleted_at, session.deleted_by = timezone.now(), tkb.teacher
    session.save(update_fields=["deleted_at", "deleted_by"])
    assert links()[1] == ("", "")
