"""The demo school's teaching plan (called by reports/demo.py after the grade book): the group leader's
plan for Toán of the school's first secondary grade, with 8 of its rows online (4 live, 4 on the LMS),
sent and approved by the principal, so the plans' pages and the online share show something."""

from units.models import Role, Unit
from units.permissions import units_where

from .models import LessonMode, PlanLevel, TeachingPlan
from .selectors import grades_taught
from .services import current_school_year, lesson_update, plan_approve, plan_create, plan_submit

DEMO_SUBJECT = "Toán"


def seed_demo_teaching(*, school: Unit | None, principal, leader) -> int:
    """Returns the number of plans made (0 when the school has one already, or lacks what it needs)."""
    if school is None or principal is None or leader is None:
        return 0
    group_path = next(
        (
            h.path
            for h in units_where(leader, {Role.GROUP_LEADER}, kinds=[Unit.Kind.GROUP])
            if h.path.startswith(school.path)
        ),
        None,
    )
    grades = sorted(g for g in grades_taught(school) if g >= 6)
    if group_path is None or not grades:
        return 0
    year = current_school_year(school)
    if TeachingPlan.objects.alive().filter(school=school, school_year=year).exists():
        return 0
    plan = plan_create(
        actor=leader,
        school=school,
        level=PlanLevel.GROUP,
        subject=DEMO_SUBJECT,
        grade=grades[0],
        group=Unit.objects.get(path=group_path),
        school_year=year,
    )
    for lesson in plan.lessons.filter(position__lte=8).order_by("position"):
        lesson_update(
            actor=leader,
            lesson=lesson,
            title=lesson.title,
            periods=lesson.periods,
            week=lesson.week,
            mode=LessonMode.LIVE if lesson.position <= 4 else LessonMode.LMS,
        )
    plan_submit(actor=leader, plan=plan)
    plan_approve(actor=principal, plan=plan)  # the leader wrote it: the school takes the group step
    plan_approve(actor=principal, plan=plan)
    return 1
