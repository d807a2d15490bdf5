"""The online share: online periods ÷ the programme's periods, planned (approved plans) and taught (live
sessions that took place, LMS sections opened by their week), per subject and grade, group, teacher and
school; the 10% flag at secondary level; Offices; `manage.py online_share`."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from courses.models import Course, LiveSession, Section
from teaching import services
from teaching.attendance import attendance_confirm, live_join
from teaching.models import LessonMode, PlanLevel
from teaching.selectors import online_share, share_percent
from tests.accounts.factories import make_person
from tests.courses.factories import enrol, make_course, make_section
from truonghoc.formatting import percent
from units.selectors import school_year_labelled

from .conftest import approve, group_plan, set_modes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("online", "total", "expected"),
    [
        (14, 140, Decimal("10.0")),
        (1, 8, Decimal("12.5")),
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 16, Decimal("6.3")),  # 6.25: half up, not to even (6.2)
        (1, 80, Decimal("1.3")),  # 1.25
        (7, 1015, Decimal("0.7")),
        (0, 140, Decimal("0.0")),
        (140, 140, Decimal("100.0")),
        (5, 0, None),
    ],
)
def test_share_percent_rounds_half_up_to_one_decimal(online, total, expected):
    assert share_percent(online, total) == expected


def _programme_total(school, grades=(6, 7)):
    programme = services.programme_of_year(school.year)
    return sum(
        periods for (grade, subject), periods in programme.items() if grade in grades and "(lựa chọn)" not in subject
    )


def test_a_school_without_approved_plans_has_every_subject_at_zero_and_is_flagged(school):
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    assert {(row.subject, row.grade) for row in share.rows} >= {("Toán", 6), ("Toán", 7), ("Ngữ văn", 6)}
    assert {row.grade for row in share.rows} == {6, 7}  # the grades of its classes
    assert all(row.planned == 0 and row.source == "" for row in share.rows)
    assert share.total.programme == _programme_total(school)
    assert share.total.planned_percent == Decimal("0.0")
    assert share.below_target
    # The biggest subjects pull it down most: 140-period subjects first.
    assert share.pulling_down[0].programme == 140


def test_planned_versus_taught(school):
    """Toán 6: 4 rows live (16 periods), 2 rows on the LMS (8 periods). Taught: one live session held (a
    student joined through the portal: 4 periods), one ended that nobody joined nor confirmed (not held),
    one in the future; one LMS section opened in its week (4), one opened too late."""
    year = school_year_labelled(int(school.year[:4]), school.school)
    course = make_course(unit=school.school, author=school.leader, kind=Course.Kind.LESSON, title="Toán 6")
    Course.objects.filter(pk=course.pk).update(published_at=timezone.make_aware(
        timezone.datetime.combine(year.start, timezone.datetime.min.time())))  # fmt: skip
    now = timezone.now()
    held = LiveSession.objects.create(
        course=course, title="Đã học", starts_at=now - timedelta(hours=3), duration_minutes=45,
        url="https://meet.jit.si/a", created_by=school.leader,
    )  # fmt: skip
    not_held = LiveSession.objects.create(
        course=course, title="Không ai vào", starts_at=now - timedelta(hours=5), duration_minutes=45,
        url="https://meet.jit.si/c", created_by=school.leader,
    )  # fmt: skip
    student = make_person(unit=school.tree.c1, role="student")
    enrol(course=course, user=student)
    live_join(user=student, session=held, now=held.starts_at + timedelta(minutes=2))
    coming = LiveSession.objects.create(
        course=course, title="Sắp học", starts_at=now + timedelta(days=1), url="https://meet.jit.si/b",
        created_by=school.leader,
    )  # fmt: skip
    on_time = make_section(course=course, title="Bài 1")
    late = make_section(course=course, position=2, title="Bài 2")
    Section.objects.filter(pk=on_time.pk).update(created_at=timezone.make_aware(
        timezone.datetime.combine(year.start, timezone.datetime.min.time())))  # fmt: skip
    plan = group_plan(school)
    set_modes(
        plan,
        school.leader,
        {1: LessonMode.LIVE, 2: LessonMode.LIVE, 3: LessonMode.LIVE, 4: LessonMode.LIVE, 5: LessonMode.LMS,
         6: LessonMode.LMS},
        {
            1: {"live_session_id": held.pk},
            2: {"live_session_id": coming.pk},
            3: {"live_session_id": not_held.pk},
            5: {"section_id": on_time.pk},
            6: {"section_id": late.pk},
        },
    )  # fmt: skip
    # Rows 5 and 6 are weeks 5 and 6; "on time" was opened before week 5 ended; "late" is made today, long
    # after week 6 of this school year (the test runs in its second half) unless it is still September.
    assert services.plan_totals(plan)["online"] == 24
    before = online_share(unit=school.school, school_year=school.year).schools[0]
    assert next(r for r in before.rows if r.subject == "Toán" and r.grade == 6).planned == 0  # not approved yet
    approve(plan, school)
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    row = next(r for r in share.rows if r.subject == "Toán" and r.grade == 6)
    assert (row.programme, row.planned, row.source) == (140, 24, "group")
    assert row.planned_percent == Decimal("17.1")  # 24 / 140 = 17.14
    late_counts = timezone.localdate() <= year.start + timedelta(days=6 * 7 - 1)
    assert row.taught == (12 if late_counts else 8)
    assert row.taught_percent == share_percent(row.taught, 140)
    assert [g.label for g in share.groups] == [school.group.name]
    assert (share.groups[0].planned, share.groups[0].programme) == (24, 140)
    # Removing the held session takes its periods out of the taught share.
    LiveSession.objects.filter(pk=held.pk).update(deleted_at=now)
    again = next(
        r for r in online_share(unit=school.school, school_year=school.year).schools[0].rows if r.subject == "Toán"
    )
    assert again.taught == row.taught - 4


def test_the_schools_plan_wins_over_the_groups_and_teachers_count_apart(school):
    group = group_plan(school)
    set_modes(group, school.leader, {1: LessonMode.LMS})  # 4 periods
    approve(group, school)
    school_plan = services.plan_create(
        actor=school.principal, school=school.school, level=PlanLevel.SCHOOL, subject="Toán", grade=6, source=group
    )
    set_modes(school_plan, school.principal, {2: LessonMode.LIVE, 3: LessonMode.LIVE})  # 4 + 4 more
    vice = make_person(unit=school.school, role="vice_principal")
    services.plan_submit(actor=school.principal, plan=school_plan)
    services.plan_approve(actor=vice, plan=school_plan)  # the school's own plan: its managers take both steps
    school_plan.refresh_from_db()
    services.plan_approve(actor=vice, plan=school_plan)
    mine = services.plan_create(
        actor=school.teacher, school=school.school, level=PlanLevel.TEACHER, subject="Toán", grade=6,
        group=school.group, source=group,
    )  # fmt: skip
    set_modes(mine, school.teacher, dict.fromkeys(range(2, 6), LessonMode.LIVE))  # 4 + 16
    approve(mine, school)
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    row = next(r for r in share.rows if r.subject == "Toán" and r.grade == 6)
    assert (row.source, row.planned, row.planned_percent) == ("school", 12, Decimal("8.6"))
    teacher = next(t for t in share.teachers if t.label == school.teacher.full_name)
    assert (teacher.planned, teacher.programme, teacher.planned_percent) == (20, 140, Decimal("14.3"))


def test_a_school_reaching_ten_percent_is_not_flagged(school):
    total = _programme_total(school)
    needed = -(-total // 10)  # at least 10%
    plans = [group_plan(school, "Toán", 6), group_plan(school, "Toán", 7)]
    rows = {1: needed // 2, 0: needed - needed // 2}
    for n, plan in enumerate(plans):
        count = -(-rows[n % 2] // 4)  # rows of 4 periods
        set_modes(plan, school.leader, dict.fromkeys(range(1, count + 1), LessonMode.LMS))
        approve(plan, school)
    share = online_share(unit=school.school, school_year=school.year).schools[0]
    assert share.total.planned >= needed
    assert share.total.planned_percent >= Decimal(10)
    assert not share.below_target and share.pulling_down == []
    # A subject without online lessons stays in the table at 0.
    literature = next(r for r in share.rows if r.subject == "Ngữ văn" and r.grade == 6)
    assert (literature.planned, literature.planned_percent, literature.source) == (0, Decimal("0.0"), "")


def test_an_office_lists_its_schools_then_the_average(school):
    plan = group_plan(school)
    set_modes(plan, school.leader, dict.fromkeys(range(1, 8), LessonMode.LIVE))  # 28 periods
    approve(plan, school)
    office = online_share(unit=school.tree.office_a1, school_year=school.year)
    names = [s.school.name for s in office.schools]
    assert names == sorted([school.school.name, school.tree.s2.name])
    s1 = next(s for s in office.schools if s.school == school.school)
    assert s1.total.planned == 28
    assert office.total.programme == sum(s.total.programme for s in office.schools)
    assert office.total.planned_percent == share_percent(28, office.total.programme)
    assert {s.school for s in office.flagged} == {school.school, school.tree.s2}


def test_the_command_prints_what_the_page_shows(school, client, in_english):
    plan = group_plan(school)
    set_modes(plan, school.leader, {1: LessonMode.LIVE, 2: LessonMode.LIVE})  # 8 of 140 = 5.7%
    approve(plan, school)
    out = StringIO()
    call_command("online_share", unit=school.school.code, year=school.year, stdout=out)
    text = out.getvalue()
    share = online_share(unit=school.school, school_year=school.year)
    assert f"Toán 6\t140\t{percent(Decimal('5.7'))}\t{percent(Decimal('0'))}" in text
    assert f"Average: planned {percent(share.total.planned_percent)}, taught {percent(Decimal(0))}" in text
    assert "pulled down by: " in text
    client.force_login(school.principal)
    page = client.get(f"/ke-hoach-day-hoc/ti-le-truc-tuyen/{school.school.pk}/?year={school.year[:4]}")
    assert page.status_code == 200
    html = page.content.decode()
    with translation.override("vi"):  # the page is Vietnamese: the same numbers, written the Vietnamese way
        assert percent(share.total.planned_percent) in html and "5,7%" in html
    translation.activate("en")  # the test client's request left Vietnamese active
    office = StringIO()
    call_command("online_share", unit=school.tree.office_a1.code, stdout=office)
    lines = office.getvalue().splitlines()
    assert any(line.startswith(school.school.name + "\t") and "below target" in line for line in lines)
    with pytest.raises(CommandError, match="No school"):
        call_command("online_share", unit="KHONG-CO", stdout=StringIO())
    with pytest.raises(CommandError, match="not a school year"):
        call_command("online_share", unit=school.school.code, year="2026-2028", stdout=StringIO())


@pytest.mark.parametrize(
    ("case", "taught"),
    [
        ("planned, its time to come", 0),
        ("ended, nobody joined, not confirmed", 0),
        ("a student joined through the portal", 4),
        ("the teacher joined through the portal", 4),
        ("nobody joined, the teacher confirmed (all absent)", 4),
        ("held, then the session removed", 0),
    ],
)
def test_a_live_lesson_counts_as_taught_once_its_session_took_place(school, case, taught):
    """Point 4 sharpens point 2: a live lesson is taught when its session was held (someone joined through
    the portal, or the attendance was confirmed), not merely because its time is past."""
    course = make_course(unit=school.school, author=school.leader, kind=Course.Kind.LESSON, title="Toán 6")
    student = make_person(unit=school.tree.c1, role="student")
    enrol(course=course, user=student)
    now = timezone.now()
    starts_at = now + timedelta(days=1) if case.startswith("planned") else now - timedelta(hours=3)
    session = LiveSession.objects.create(
        course=course, title="Buổi 1", starts_at=starts_at, duration_minutes=45, url="https://meet.jit.si/a",
        created_by=school.leader,
    )  # fmt: skip
    during = session.starts_at + timedelta(minutes=5)
    if case.startswith("a student joined") or case.startswith("held"):
        live_join(user=student, session=session, now=during)
    elif case.startswith("the teacher joined"):
        live_join(user=school.leader, session=session, now=during)
    elif case.startswith("nobody joined, the teacher"):
        attendance_confirm(actor=school.leader, session=session, statuses={})
    plan = group_plan(school)
    set_modes(plan, school.leader, {1: LessonMode.LIVE}, {1: {"live_session_id": session.pk}})
    approve(plan, school)
    if case.startswith("held, then"):
        LiveSession.objects.filter(pk=session.pk).update(deleted_at=now)
    row = next(
        r for r in online_share(unit=school.school, school_year=school.year).schools[0].rows if r.subject == "Toán"
    )
    assert (row.planned, row.taught) == (4, taught)
