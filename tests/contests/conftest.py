from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from contests import services
from contests.models import Audience, Participation, Round
from tests.accounts.factories import make_person
from tests.units.factories import make_unit
from units.models import Role, Unit


@pytest.fixture
def people(tree):
    """Organisers at the Department and Office, school managers, students and teachers in several schools."""
    c3 = make_unit(tree.s2, Unit.Kind.CLASS, "6B", grade=6)
    c4 = make_unit(tree.s3, Unit.Kind.CLASS, "6C", grade=6)
    return SimpleNamespace(
        c3=c3,
        c4=c4,
        dept=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, full_name="Kiều Thị Nga"),
        other_dept=make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF, full_name="Lý Văn Sơn"),
        bo=make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF, full_name="Ngô Thị Lan"),
        office=make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Tạ Thị Loan"),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Mai Văn Kiên"),
        admin2=make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, full_name="Đinh Văn Tú"),
        teacher=make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An"),
        student=make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em"),
        student_b=make_person(unit=tree.c1, role=Role.STUDENT, full_name="Phạm Thu Hà"),
        student7=make_person(unit=tree.c2, role=Role.STUDENT, full_name="Trịnh Văn Bảy"),
        student_s2=make_person(unit=c3, role=Role.STUDENT, full_name="Lê Thị Hồng"),
        student_far=make_person(unit=c4, role=Role.STUDENT, full_name="Cao Văn Xa"),
    )


def contest_fields(**overrides):
    now = timezone.now()
    fields = {
        "title": "Tìm hiểu khoa học tự nhiên",
        "audience": Audience.STUDENTS,
        "participation": Participation.INDIVIDUAL,
        "rules": "<p>Thể lệ</p><script>alert(1)</script>",
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": now + timedelta(days=2),
    }
    fields.update(overrides)
    return fields


def make_contest(*, actor, organiser, rounds=1, announce=True, open_to=None, **overrides):
    """A contest of `rounds` product rounds (top 2 per unit go on), announced unless told otherwise."""
    contest = services.contest_create(actor=actor, organiser=organiser, open_to=open_to, **contest_fields(**overrides))
    now = timezone.now()
    levels = {1: Round.Kind.PRODUCT}
    for n in range(1, rounds + 1):
        services.round_create(
            actor=actor,
            contest=contest,
            title=f"Vòng {n}",
            level="school" if n == 1 else organiser_level(organiser),
            kind=levels.get(n, Round.Kind.PRODUCT),
            closes_at=now + timedelta(days=3 * n),
            allowed_types=["pdf"],
            qualify_rule=Round.Qualify.TOP_N if n < rounds else Round.Qualify.NONE,
            qualify_top_n=2 if n < rounds else None,
        )
    if announce:
        contest = services.contest_announce(actor=actor, contest=contest)
    contest.refresh_from_db()
    return contest


def organiser_level(unit):
    from contests.permissions import UNIT_LEVEL

    return UNIT_LEVEL[unit.kind]
