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
