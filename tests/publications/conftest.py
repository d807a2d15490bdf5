from types import SimpleNamespace

import pytest

from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def people(tree):
    """Who works where in the `tree` country, one person per role that matters to report requests."""
    return SimpleNamespace(
        bo=make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF),
        so=make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF),
        so_b=make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF),
        phong=make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF),
        phong_a2=make_person(unit=tree.office_a2, role=Role.OFFICE_STAFF),
        s1_admin=make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN),
        s1_principal=make_person(unit=tree.s1, role=Role.PRINCIPAL),
        s2_admin=make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN),
        t1_principal=make_person(unit=tree.t1, role=Role.PRINCIPAL),
        teacher=make_person(unit=tree.g1, role=Role.TEACHER),
        leader=make_person(unit=tree.g1, role=Role.GROUP_LEADER),
    )


@pytest.fixture(autouse=True)
def _in_english(english_pages):
    """Every test here reads English (tests/conftest.py)."""
