"""The timetable on the student's home and on the parent's home for the chosen child (issue #17, point 3):
the right week, today's slots highlighted, the live link only in a course the child is in, and a query
count that does not grow with the slots (10 or 40) or the children (1 or 3)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services.parents import parent_link
from courses.models import LiveSession
from teaching import selectors_timetable as reads
from teaching.models import DaySession, TimetableSlot, Weekday
from teaching.services_timetable import SlotInput, slot_set, timetable_create
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_course
from units.models import Role

pytestmark = pytest.mark.django_db
WEDNESDAY = date(2026, 11, 4)


@pytest.fixture
def week(tkb, monkeypatch):
    """6A1's timetable from 02/11 with Toán on Wednesday (period 1, a live session of a course An is in)
    and Văn on Monday; 7A1's with Tin on Wednesday. The pages' day is pinned to Wednesday 04/11."""
    monkeypatch.setattr(reads, "today", lambda: WEDNESDAY)
    c1 = timetable_create(actor=tkb.admin, school_class=tkb.tree.c1, valid_from=date(2026, 11, 2))
    c2 = timetable_create(actor=tkb.admin, school_class=tkb.tree.c2, valid_from=date(2026, 11, 2))
    course = make_course(unit=tkb.tree.s1, author=tkb.teacher, title="Toán 6")
    enrol(course=course, user=tkb.an)
    session = LiveSession.objects.create(
        course=course, title="Phân số", starts_at=timezone.now(), url="https://meet.jit.si/toan-6a1",
        created_by=tkb.teacher,
    )  # fmt: skip
    other = make_course(unit=tkb.tree.s1, author=tkb.teacher, title="Lớp khác")
    closed_session = LiveSession.objects.create(
        course=other, title="Không phải của An", starts_at=timezone.now(), url="https://meet.jit.si/rieng",
        created_by=tkb.teacher,
    )  # fmt: skip

    def put(timetable, weekday, period, subject, **link):
        slot_set(actor=tkb.admin, timetable=timetable, weekday=weekday, session="am", period=period,
                 values=SlotInput(subject=subject, teacher_id=tkb.teacher.pk if subject == "Toán" else None,
                                  **link))  # fmt: skip

    put(c1, 3, 1, "Toán", link_kind="live", live_session_id=session.pk)
    put(c1, 3, 2, "Văn", link_kind="live", live_session_id=closed_session.pk)
    put(c1, 1, 1, "Văn", link_kind="url", link_url="https://olm.vn/van-6")
    put(c2, 3, 1, "Tin")
    c1.toan_session = session
    return c1, c2


def test_the_student_sees_today_and_the_week_with_the_links(client, tkb, week):
    client.force_login(tkb.an)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-timetable"' in page and "6A1" in page
    today = page.split('data-testid="timetable-today"')[1].split("</section>")[0]
    assert "04/11/2026" in today and today.count('data-testid="today-slot"') == 2
    # A live session of a course An is in: the portal's join step (it records the attendance), never the
    # meeting's own address; a course An is not in: no link.
    join = reverse("teaching:live_join", args=[week[0].toan_session.pk])
    assert join in today and "https://meet.jit.si/toan-6a1" not in page
    assert "https://meet.jit.si/rieng" not in page and 'data-kind="live"' in today
    assert page.count('data-testid="week-day"') == 6 and 'data-today="1"' in page
    assert "https://olm.vn/van-6" in page  # Monday's plain link
    assert "Tin học" not in page  # 7A1's lessons


def test_the_parent_sees_the_chosen_childs_week_only(client, tkb, week):
    client.force_login(tkb.mother)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="parent-home"' in page and 'data-testid="home-timetable"' in page
    # The child's live lesson is named, not joinable by the parent (only the pupil joins, from their account).
    assert 'data-testid="slot-live"' in page and "Phân số" in page and "Tin học" not in page
    assert reverse("teaching:live_join", args=[week[0].toan_session.pk]) not in page
    client.force_login(tkb.father)  # Hoa's father: 7A1's week, nothing of 6A1
    page = client.get(reverse("home")).content.decode()
    assert "Tin học" in page and "Phân số" not in page and "https://olm.vn/van-6" not in page
    assert client.get(reverse("home"), {"hs": tkb.an.pk}).status_code == 404
    client.force_login(tkb.far_parent)  # another school: no timetable yet
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="timetable-empty"' in page and "Toán" not in page.split('data-testid="home-timetable"')[1]


def _fill(timetable, slots: int):
    """Fill the first `slots` places of the week directly (the page, not the service, is under test)."""
    TimetableSlot.objects.filter(timetable=timetable).delete()
    places = [(w, s, p) for w in Weekday.values for s in DaySession.values for p in range(1, 6)]
    TimetableSlot.objects.bulk_create(
        TimetableSlot(timetable=timetable, weekday=w, session=s, period=p, subject="Toán", link_url="https://olm.vn")
        for w, s, p in places[:slots]
    )


def _count(client, django_assert_max_num_queries, **params) -> int:
    with django_assert_max_num_queries(100) as queries:
        assert client.get(reverse("home"), params).status_code == 200
    return len(queries.captured_queries)


def test_the_home_pages_cost_the_same_for_10_or_40_slots_and_1_or_3_children(
    client, tkb, week, django_assert_max_num_queries
):
    c1, _c2 = week
    client.force_login(tkb.an)
    _fill(c1, 10)
    student_10 = _count(client, django_assert_max_num_queries)
    _fill(c1, 40)
    assert _count(client, django_assert_max_num_queries) == student_10
    client.force_login(tkb.mother)
    parent_one = _count(client, django_assert_max_num_queries)
    _fill(c1, 10)
    assert _count(client, django_assert_max_num_queries) == parent_one
    for n in (1, 2):
        kid = make_person(unit=tkb.tree.c2, role=Role.STUDENT, full_name=f"Con thứ {n}")
        parent_link(actor=tkb.principal, parent=tkb.mother, child=kid, relation="mother")
    client.force_login(tkb.mother)
    assert _count(client, django_assert_max_num_queries) == parent_one


def test_the_pupils_week_is_three_queries(tkb, week, django_assert_num_queries):
    with django_assert_num_queries(3):  # the timetable, its slots, the pupil's courses
        got = reads.student_week(student=tkb.an)
    assert got.today.date == WEDNESDAY and got.timetable == week[0]
    assert [(s.period, s.link_kind) for s in got.today.slots] == [(1, "live"), (2, "")]
    assert got.days[0].date == WEDNESDAY - timedelta(days=2)
