"""A school to plan in: school S1 of the `tree` fixture (classes 6A1 and 7A1, groups G1 and G2), its
principal, the leader of G1, a teacher of G1 and one of G2, and the principal of another school (S2)."""

from types import SimpleNamespace

import pytest

from gradebook.services import current_school_year
from teaching import services
from teaching.models import PlanLesson, PlanLevel
from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def school(tree):
    s1 = tree.s1
    return SimpleNamespace(
        tree=tree,
        school=s1,
        group=tree.g1,
        other_group=tree.g2,
        principal=make_person(unit=s1, role=Role.PRINCIPAL, full_name="Lương Anh Khương"),
        leader=make_person(unit=tree.g1, role=Role.GROUP_LEADER, full_name="Trần Tổ Trưởng"),
        teacher=make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn Toán"),
        colleague=make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Thị Văn"),
        stranger=make_person(unit=tree.s2, role=Role.PRINCIPAL, full_name="Phạm Hiệu Trưởng"),
        year=current_school_year(s1),
    )


def group_plan(school, subject="Toán", grade=6):
    return services.plan_create(
        actor=school.leader, school=school.school, level=PlanLevel.GROUP, subject=subject, grade=grade,
        group=school.group,
    )  # fmt: skip


def set_modes(plan, actor, modes: dict[int, str], links: dict[int, dict] | None = None):
    """Set the mode of the rows at these positions (1-based) through the service."""
    for lesson in PlanLesson.objects.filter(plan=plan, position__in=list(modes)):
        services.lesson_update(
            actor=actor, lesson=lesson, title=lesson.title, periods=lesson.periods, week=lesson.week,
            mode=modes[lesson.position], **(links or {}).get(lesson.position, {}),
        )  # fmt: skip


def approve(plan, school):
    """Submit (by its author) and approve both steps: the group step by whoever decides it, then the principal."""
    from approvals.permissions import can_review_group

    services.plan_submit(actor=plan.author, plan=plan)
    plan.refresh_from_db()
    group_step = school.leader if can_review_group(school.leader, plan) else school.principal
    services.plan_approve(actor=group_step, plan=plan)
    plan.refresh_from_db()
    services.plan_approve(actor=school.principal, plan=plan)
    plan.refresh_from_db()
    return plan


# --- the timetable ---------------------------------------------------------------------------------------


@pytest.fixture
def tkb(school):
    """The timetable's people at S1: the school admin, teachers (Hòa and Tin of G1; the `school` fixture's
    teacher and colleague), pupils An (6A1) and Hoa (7A1), An's mother, Hoa's father (a parent of another
    class); a pupil of S2 and her parent (another school)."""
    from accounts.models import AccountQuota
    from accounts.services.parents import parent_issue

    tree = school.tree
    AccountQuota.objects.create(school=tree.s1, teachers=20, students=20)
    AccountQuota.objects.create(school=tree.s2, teachers=20, students=20)
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, full_name="Quản Trị Trường")
    hoa_teacher = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Phạm Thị Hòa", national_id="GV0001")
    tin = make_person(unit=tree.g1, role=Role.TEACHER, full_name="Đỗ Văn Tin", national_id="GV0002")
    an = make_person(unit=tree.c1, role=Role.STUDENT, full_name="Nguyễn Văn An")
    hoa = make_person(unit=tree.c2, role=Role.STUDENT, full_name="Nguyễn Thị Hoa")
    far = make_person(unit=tree.s2, role=Role.STUDENT, full_name="Vũ Thị Xa")
    mother = parent_issue(actor=school.principal, child=an, values={"parent_phone": "0912345678"}).parent
    father = parent_issue(actor=school.principal, child=hoa, values={"parent_phone": "0987654321"}).parent
    far_parent = parent_issue(actor=school.stranger, child=far, values={"parent_phone": "0911222333"}).parent
    for person in (mother, father, far_parent):  # past the first login
        person.must_change_password = False
        person.save(update_fields=["must_change_password"])
    return SimpleNamespace(
        **vars(school), admin=admin, hoa_teacher=hoa_teacher, tin=tin, an=an, hoa=hoa, far=far, mother=mother,
        father=father, far_parent=far_parent,
    )  # fmt: skip
