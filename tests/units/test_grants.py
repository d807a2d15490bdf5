"""`holds_grant`: a person's object grants (django-guardian's) read by one query a request, with guardian's own
answers — direct and group grants, superusers always, inactive people and visitors never."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from tests.accounts.factories import make_person
from units.models import Role
from units.permissions import forget_grants, holds_grant

pytestmark = pytest.mark.django_db
PERMS = ("units.change_unit", "units.delete_unit", "units.view_unit")


def fresh(person) -> User:
    return User.objects.get(pk=person.pk)  # a new request's copy: nothing cached


def test_the_same_answers_as_guardian_for_direct_and_group_grants(tree):
    person = make_person(unit=tree.s1, role=Role.TEACHER)
    other = make_person(unit=tree.s1, role=Role.TEACHER)
    assign_perm("units.change_unit", person, tree.g1)
    assign_perm("units.view_unit", other, tree.g1)  # someone else's grant counts for nobody else
    group = Group.objects.create(name="Tổ trưởng")
    person.groups.add(group)
    assign_perm("units.delete_unit", group, tree.g2)
    assign_perm("units.view_unit", group, tree.g1)
    units = [tree.s1, tree.g1, tree.g2, tree.c1]
    expected = {
        (perm, unit.pk) for perm in PERMS for unit in units if ObjectPermissionChecker(person).has_perm(perm, unit)
    }
    assert expected == {
        ("units.change_unit", tree.g1.pk),
        ("units.view_unit", tree.g1.pk),
        ("units.delete_unit", tree.g2.pk),
    }
    person = fresh(person)
    with CaptureQueriesContext(connection) as queries:
        got = {(perm, unit.pk) for perm in PERMS for unit in units if holds_grant(person, perm, unit)}
    assert got == expected
    assert len(queries) == 1  # every grant of the person at once, for every object checked


def test_a_grant_on_one_kind_of_object_is_not_one_on_another_with_the_same_pk(tree):
    person = make_person(unit=tree.s1, role=Role.TEACHER)
    assign_perm("units.change_unit", person, tree.g1)
    group = Group.objects.create(pk=tree.g1.pk, name="Cùng số")
    assert holds_grant(fresh(person), "units.change_unit", tree.g1)
    assert not holds_grant(fresh(person), "auth.change_group", group)
    assert not holds_grant(fresh(person), "units.delete_unit", tree.g1)


def test_superusers_always_inactive_people_and_visitors_never(tree):
    admin = make_person(unit=tree.s1, role=Role.TEACHER, is_superuser=True)
    closed = make_person(unit=tree.s1, role=Role.TEACHER, is_active=False)
    assign_perm("units.change_unit", closed, tree.g1)
    assert holds_grant(admin, "units.change_unit", tree.g1)
    assert not holds_grant(closed, "units.change_unit", tree.g1)
    assert not holds_grant(AnonymousUser(), "units.change_unit", tree.g1)


def test_a_revoked_grant_shows_on_the_next_request_and_after_forget_grants(tree):
    person = make_person(unit=tree.s1, role=Role.TEACHER)
    assign_perm("units.change_unit", person, tree.g1)
    assert holds_grant(person, "units.change_unit", tree.g1)
    remove_perm("units.change_unit", person, tree.g1)
    assert holds_grant(person, "units.change_unit", tree.g1)  # this request's copy read its grants already
    assert not holds_grant(fresh(person), "units.change_unit", tree.g1)
    forget_grants(person)
    assert not holds_grant(person, "units.change_unit", tree.g1)
