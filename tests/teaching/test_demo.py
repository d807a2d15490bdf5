"""The demo school's teaching plan (reports/demo.py calls seed_demo_teaching after the grade book)."""

from decimal import Decimal

import pytest

from approvals.models import Status
from teaching.demo import seed_demo_teaching
from teaching.models import TeachingPlan
from teaching.selectors import online_share

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_approved_and_counted_once(school):
    assert seed_demo_teaching(school=school.school, principal=school.principal, leader=school.leader) == 1
    plan = TeachingPlan.objects.get(school=school.school)
    assert (plan.subject, plan.grade, plan.status) == ("Toán", 6, Status.APPROVED)
    row = next(
        r for r in online_share(unit=school.school, school_year=school.year).schools[0].rows if r.subject == "Toán"
    )
    assert (row.planned, row.planned_percent) == (32, Decimal("22.9"))
    assert seed_demo_teaching(school=school.school, principal=school.principal, leader=school.leader) == 0
    assert seed_demo_teaching(school=school.school, principal=None, leader=school.leader) == 0
    assert TeachingPlan.objects.count() == 1


def test_the_demo_classes_get_a_week_without_clashes(school):
    from teaching.demo import seed_demo_timetables
    from teaching.models import Timetable, TimetableSlot

    seed_demo_teaching(school=school.school, principal=school.principal, leader=school.leader)
    assert seed_demo_timetables(school=school.school, principal=school.principal) == 2  # 6A1 and 7A1
    c1 = Timetable.objects.get(school_class=school.tree.c1)
    assert c1.slots.count() == 30
    first = c1.slots.get(weekday=1, period=1)
    assert first.subject == "Hoạt động trải nghiệm, hướng nghiệp"
    linked = c1.slots.filter(subject="Toán").exclude(plan_lesson=None).first()
    assert linked is not None and linked.plan_lesson.mode == "live"
    assert c1.slots.filter(link_url="https://olm.vn").exists()
    taught = list(TimetableSlot.objects.exclude(teacher=None).values_list("teacher_id", "weekday", "session", "period"))
    assert len(taught) == len(set(taught))  # no teacher in two classes at once
    assert seed_demo_timetables(school=school.school, principal=school.principal) == 0
