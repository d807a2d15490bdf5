from types import SimpleNamespace

import pytest

from tests.accounts.factories import complete_profile, make_person
from units.models import Role


@pytest.fixture
def people(tree):
    """Teachers, students and managers around School S1 (groups G1/G2, classes C1/C2), the units above
    it, and outsiders."""
    return SimpleNamespace(
        teacher=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Nguyễn Văn An")),
        teacher2=complete_profile(make_person(unit=tree.g1, role=Role.TEACHER, full_name="Trần Thị Bình")),
        teacher3=complete_profile(make_person(unit=tree.g2, role=Role.TEACHER, full_name="Lê Văn Cường")),
        leader=complete_profile(make_person(unit=tree.g1, role=Role.GROUP_LEADER, full_name="Vũ Thị Giang")),
        leader2=complete_profile(make_person(unit=tree.g2, role=Role.GROUP_LEADER, full_name="Phan Văn Hòa")),
        student=complete_profile(make_person(unit=tree.c1, role=Role.STUDENT, full_name="Hoàng Minh Em")),
        admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="staff", full_name="Mai Văn Kiên"),
        principal=make_person(unit=tree.s1, role=Role.PRINCIPAL, account_type="staff", full_name="Đỗ Văn Hải"),
        office=make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Tạ Thị Loan"),
        other_office=make_person(unit=tree.office_b1, role=Role.OFFICE_STAFF, full_name="Hồ Văn Minh"),
        dept=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF, full_name="Kiều Thị Nga"),
        other_school=complete_profile(make_person(unit=tree.g3, role=Role.TEACHER, full_name="Bùi Văn Khoa")),
        other_principal=make_person(unit=tree.s2, role=Role.PRINCIPAL, account_type="staff", full_name="Lò Văn Ơn"),
        far_teacher=complete_profile(make_person(unit=tree.s3, role=Role.TEACHER, full_name="Cao Thị Phượng")),
        bo=make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF, full_name="Ngô Thị Lan"),
    )
