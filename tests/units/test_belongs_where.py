"""`belongs_where`: a current role in a unit's school (or, for an Office's or Department's unit, in that
unit) or above it — what authorship and object grants need to count (issue #14). The queryset form
`belongs_where_q` keeps exactly the same units."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.accounts.factories import UserFactory, make_person
from units.models import Role, Unit
from units.permissions import belongs_where, belongs_where_q

UNITS = ("ministry", "dept_a", "office_a1", "office_a2", "s1", "g1", "g2", "c1", "s2", "g3", "t1", "s3")

# (role, held at): the units where the holder belongs.
CASES = [
    (Role.TEACHER, "g1", {"ministry", "dept_a", "office_a1", "s1", "g1", "g2", "c1"}),
    (Role.STUDENT, "c1", {"ministry", "dept_a", "office_a1", "s1", "g1", "g2", "c1"}),
    (Role.SCHOOL_ADMIN, "s2", {"ministry", "dept_a", "office_a1", "s2", "g3"}),
    (Role.OFFICE_STAFF, "office_a1", {"ministry", "dept_a", "office_a1", "s1", "g1", "g2", "c1", "s2", "g3"}),
    (
        Role.DEPARTMENT_STAFF,
        "dept_a",
        {"ministry", "dept_a", "office_a1", "office_a2", "s1", "g1", "g2", "c1", "s2", "g3", "t1"},
    ),
]


@pytest.mark.parametrize(("role", "held_at", "expected"), CASES, ids=[f"{r}@{u}" for r, u, _e in CASES])
def test_belongs_within_the_school_or_unit_and_above(tree, role, held_at, expected):
    person = make_person(unit=getattr(tree, held_at), role=role)
    got = {name for name in UNITS if belongs_where(person, getattr(tree, name))}
    assert got == expected
    units = Unit.objects.filter(pk__in=[getattr(tree, name).pk for name in UNITS])
    listed = set(units.filter(belongs_where_q(person, "")).values_list("pk", flat=True))
    assert listed == {getattr(tree, name).pk for name in expected}


def test_nobody_without_a_role_an_inactive_account_or_a_visitor_belongs_anywhere(tree):
    roleless = UserFactory(unit=tree.s1)
    closed = make_person(unit=tree.g1, role=Role.TEACHER, is_active=False)
    for user in (roleless, closed, AnonymousUser()):
        assert not belongs_where(user, tree.s1)
        assert not Unit.objects.filter(belongs_where_q(user, "")).exists()
    superuser = UserFactory(unit=None, is_superuser=True)
    assert belongs_where(superuser, tree.s3)
