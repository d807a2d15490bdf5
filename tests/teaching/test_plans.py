"""Teaching plans: created pre-filled from the programme or drafted from another plan, edited row by row,
refused at submission while the periods do not add up, approved by the group then the principal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from approvals.models import Decision, Level, Status
from courses.models import LiveSession
from teaching import services
from teaching.models import LessonMode, PlanLesson, PlanLevel, PlanReview
from teaching.permissions import can_view_plan
from teaching.selectors import plan_list, plans_visible_to
from tests.courses.factories import make_course, make_section
from units.models import AuditEntry

from .conftest import approve, group_plan, set_modes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("total", "rows", "first", "last"),
    [(140, 35, 4, 4), (52, 35, 2, 1), (105, 35, 3, 3), (20, 20, 1, 1), (0, 0, None, None)],
)
def test_programme_rows_spread_the_periods_over_the_weeks(total, rows, first, last):
    spread = services.programme_rows(total)
    assert len(spread) == rows
    assert sum(periods for _week, periods in spread) == total
    if rows:
        assert spread[0] == (1, first)
        assert spread[-1][1] == last
        assert [week for week, _p in spread] == list(range(1, rows + 1))


def test_a_new_plan_is_prefilled_from_the_programme(school):
    plan = group_plan(school, subject="Công nghệ", grade=8)
    lessons = list(plan.lessons.order_by("position"))
    assert len(lessons) == 35
    assert sum(lesson.periods for lesson in lessons) == 52  # Công nghệ 8: 52 periods a year
    assert {lesson.mode for lesson in lessons} == {LessonMode.DIRECT}
    assert plan.status == Status.DRAFT
    assert plan.unit == school.group and plan.school == school.school
    assert AuditEntry.objects.filter(action="teaching.plan_create", target_id=str(plan.pk)).exists()


def test_a_teacher_drafts_from_the_group_plan(school):
    source = group_plan(school)
    set_modes(source, school.leader, {1: LessonMode.LIVE, 2: LessonMode.LMS})
    mine = services.plan_create(
        actor=school.teacher, school=school.school, level=PlanLevel.TEACHER, subject="Toán", grade=6,
        group=school.group, source=source,
    )  # fmt: skip
    copied = list(mine.lessons.order_by("position").values_list("title", "periods", "week", "mode"))
    original = list(source.lessons.order_by("position").values_list("title", "periods", "week", "mode"))
    assert copied == original
    assert mine.source == source and mine.author == school.teacher


def test_who_may_create_at_which_level(school, in_english):
    with pytest.raises(PermissionDenied):  # a teacher does not write the group's plan
        services.plan_create(
            actor=school.teacher, school=school.school, level=PlanLevel.GROUP, subject="Toán", grade=6,
            group=school.group,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # nor the school's
        services.plan_create(actor=school.teacher, school=school.school, level="school", subject="Toán", grade=6)
    with pytest.raises(PermissionDenied):  # another school's principal writes nothing here
        services.plan_create(actor=school.stranger, school=school.school, level="school", subject="Toán", grade=6)
    with pytest.raises(PermissionDenied):  # a teacher of G2 does not plan in G1
        services.plan_create(
            actor=school.colleague, school=school.school, level=PlanLevel.TEACHER, subject="Toán", grade=6,
            group=school.group,
        )  # fmt: skip
    plan = services.plan_create(
        actor=school.principal, school=school.school, level=PlanLevel.SCHOOL, subject="Toán", grade=6
    )
    assert plan.unit == school.school


def test_bad_subjects_and_duplicates_are_refused(school, in_english):
    with pytest.raises(ValidationError, match="Thiên văn học is not in the programme for grade 6"):
        group_plan(school, subject="Thiên văn học", grade=6)
    group_plan(school)
    with pytest.raises(ValidationError, match="already such a plan"):
        group_plan(school)
    assert PlanLesson.objects.filter(plan__subject="Thiên văn học").count() == 0


def test_a_draft_may_not_add_up_but_is_refused_at_submission(school, in_english):
    plan = group_plan(school)
    first = plan.lessons.order_by("position").first()
    services.lesson_update(
        actor=school.leader, lesson=first, title="Số tự nhiên", periods=10, week=1, mode=LessonMode.DIRECT
    )
    plan.refresh_from_db()
    assert services.plan_totals(plan)["planned"] == 146
    with pytest.raises(ValidationError) as refused:
        services.plan_submit(actor=school.leader, plan=plan)
    message = " ".join(refused.value.messages)
    assert "146" in message and "140" in message and "Toán" in message
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    assert not PlanReview.objects.filter(plan=plan).exists()


def test_rows_add_move_and_remove(school):
    plan = group_plan(school)
    second = plan.lessons.get(position=2)
    added = services.lesson_add(actor=school.leader, plan=plan, after=second)
    assert added.position == 3 and added.week == second.week
    assert list(plan.lessons.order_by("position").values_list("position", flat=True)) == list(range(1, 37))
    services.lesson_move(actor=school.leader, lesson=added, offset=-1)
    added.refresh_from_db()
    second.refresh_from_db()
    assert (added.position, second.position) == (2, 3)
    services.lesson_remove(actor=school.leader, lesson=added)
    assert plan.lessons.count() == 35
    assert list(plan.lessons.order_by("position").values_list("position", flat=True)) == list(range(1, 36))
    first = plan.lessons.get(position=1)
    services.lesson_move(actor=school.leader, lesson=first, offset=-1)  # already first: nothing moves
    first.refresh_from_db()
    assert first.position == 1


def test_lesson_links_must_be_the_schools_and_of_the_right_mode(school, in_english):
    plan = group_plan(school)
    lesson = plan.lessons.get(position=1)
    here = make_course(unit=school.school, author=school.leader, kind="lesson", title="Toán 6 trực tuyến")
    there = make_course(unit=school.tree.s2, kind="lesson", title="Trường khác")
    ours = LiveSession.objects.create(
        course=here, title="Buổi 1", starts_at=timezone.now(), url="https://meet.jit.si/toan6", created_by=school.leader
    )
    theirs = LiveSession.objects.create(
        course=there, title="Khác", starts_at=timezone.now(), url="https://meet.jit.si/x", created_by=school.leader
    )
    section = make_section(course=here)
    args = {"actor": school.leader, "lesson": lesson, "title": "Bài 1", "periods": 4, "week": 1}
    with pytest.raises(ValidationError, match="live session of a course of this school"):
        services.lesson_update(**args, mode=LessonMode.LIVE, live_session_id=theirs.pk)
    with pytest.raises(ValidationError, match="Only an online live lesson"):
        services.lesson_update(**args, mode=LessonMode.DIRECT, live_session_id=ours.pk)
    with pytest.raises(ValidationError, match="Only an online LMS lesson"):
        services.lesson_update(**args, mode=LessonMode.LIVE, section_id=section.pk)
    with pytest.raises(ValidationError, match="from 1 to 52"):
        services.lesson_update(**{**args, "week": 53}, mode=LessonMode.DIRECT)
    with pytest.raises(ValidationError):
        services.lesson_update(**{**args, "title": "=SUM(A1)"}, mode=LessonMode.DIRECT)
    lesson.refresh_from_db()
    assert lesson.mode == LessonMode.DIRECT and lesson.live_session is None  # nothing half-saved
    services.lesson_update(**args, mode=LessonMode.LIVE, live_session_id=ours.pk)
    lesson.refresh_from_db()
    assert lesson.live_session == ours and lesson.title == "Bài 1"


def test_a_teachers_plan_goes_through_the_group_leader_then_the_principal(school, in_english):
    plan = services.plan_create(
        actor=school.teacher, school=school.school, level=PlanLevel.TEACHER, subject="Toán", grade=6,
        group=school.group,
    )  # fmt: skip
    with pytest.raises(ValidationError):  # nobody else sends it
        services.plan_submit(actor=school.leader, plan=plan)
    services.plan_submit(actor=school.teacher, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Status.SUBMITTED
    with pytest.raises(ValidationError):  # locked while it waits
        services.lesson_add(actor=school.teacher, plan=plan)
    with pytest.raises(ValidationError):  # the principal does not take the group's step
        services.plan_approve(actor=school.principal, plan=plan)
    with pytest.raises(ValidationError):  # nor does another school's principal
        services.plan_approve(actor=school.stranger, plan=plan)
    services.plan_approve(actor=school.leader, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Status.GROUP_APPROVED
    services.plan_approve(actor=school.principal, plan=plan)
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED and plan.shared_with == school.school
    steps = list(plan.reviews.order_by("at", "pk").values_list("level", "decision", "by"))
    assert steps == [
        (Level.GROUP, Decision.SUBMITTED, school.teacher.pk),
        (Level.GROUP, Decision.APPROVED, school.leader.pk),
        (Level.SCHOOL, Decision.APPROVED, school.principal.pk),
    ]
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.lesson_add(actor=school.teacher, plan=plan)


def test_a_refused_plan_is_corrected_and_sent_again(school, in_english):
    plan = group_plan(school)
    services.plan_submit(actor=school.leader, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="Say why"):
        services.plan_refuse(actor=school.principal, plan=plan, reason="  ")
    services.plan_refuse(actor=school.principal, plan=plan, reason="Chưa đạt 10% trực tuyến")
    plan.refresh_from_db()
    assert plan.status == Status.REFUSED
    set_modes(plan, school.leader, dict.fromkeys(range(1, 5), LessonMode.LIVE))
    plan.refresh_from_db()
    assert plan.status == Status.DRAFT
    assert approve(plan, school).status == Status.APPROVED


def test_who_sees_which_plan(school):
    draft = services.plan_create(
        actor=school.teacher, school=school.school, level=PlanLevel.TEACHER, subject="Toán", grade=6,
        group=school.group,
    )  # fmt: skip
    approved = approve(group_plan(school, subject="Ngữ văn"), school)
    assert can_view_plan(school.teacher, draft) and can_view_plan(school.leader, draft)
    assert can_view_plan(school.principal, draft)
    assert not can_view_plan(school.colleague, draft)  # another group's teacher: not a draft
    assert can_view_plan(school.colleague, approved)  # but the school's approved plans
    assert not can_view_plan(school.stranger, approved)  # another school: nothing
    for user in (school.teacher, school.leader, school.principal, school.colleague, school.stranger):
        listed = set(plans_visible_to(user=user))
        assert listed == {p for p in (draft, approved) if can_view_plan(user, p)}
    assert list(plan_list(user=school.principal, subject="Ngữ văn")) == [approved]
    assert list(plan_list(user=school.principal, q="ngu van")) == [approved]  # accent-free
    assert list(plan_list(user=school.principal, q="nguyen van toan")) == [draft]  # the author
    assert list(plan_list(user=school.principal, q="khong co")) == []
    assert list(plan_list(user=school.principal, status=Status.DRAFT)) == [draft]
    assert list(plan_list(user=school.teacher, scope="mine")) == [draft]
