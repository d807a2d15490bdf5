"""The scope matrix: every role × (own unit, a unit below, a sibling unit, a unit above) × action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.accounts.factories import UserFactory, make_person
from units.models import Role, Unit
from units.permissions import Action, can, unit_for_user_or_404
from units.selectors import units_visible_to

V, M, A, R = Action.VIEW, Action.MANAGE, Action.MANAGE_ACCOUNTS, Action.VIEW_REPORTS

# role: (where it is held, below, sibling, above) as attribute names of the `tree` fixture.
PLACES = {
    Role.MINISTRY_STAFF: ("ministry", "dept_a", None, None),
    Role.DEPARTMENT_STAFF: ("dept_a", "office_a1", "dept_b", "ministry"),
    Role.OFFICE_STAFF: ("office_a1", "s1", "office_a2", "dept_a"),
    Role.SCHOOL_ADMIN: ("s1", "g1", "s2", "office_a1"),
    Role.PRINCIPAL: ("s1", "c1", "s2", "office_a1"),
    Role.GROUP_LEADER: ("g1", None, "g2", "s1"),
    Role.TEACHER: ("g1", None, "g2", "s1"),
    Role.STUDENT: ("c1", None, "c2", "s1"),
}

T, F = True, False
# role: {action: (own, below, sibling, above)}
EXPECTED = {
    Role.MINISTRY_STAFF: {V: (T, T, F, F), M: (T, T, F, F), A: (T, T, F, F), R: (T, T, F, F)},
    Role.DEPARTMENT_STAFF: {V: (T, T, F, F), M: (T, T, F, F), A: (T, T, F, F), R: (T, T, F, F)},
    Role.OFFICE_STAFF: {V: (T, T, F, F), M: (T, T, F, F), A: (T, T, F, F), R: (T, T, F, F)},
    Role.SCHOOL_ADMIN: {V: (T, T, F, F), M: (T, T, F, F), A: (T, T, F, F), R: (T, T, F, F)},
    Role.PRINCIPAL: {V: (T, T, F, F), M: (T, T, F, F), A: (F, F, F, F), R: (T, T, F, F)},
    # Teachers and group leaders see their whole school (other groups, the school's space)…
    Role.GROUP_LEADER: {V: (T, F, T, T), M: (T, F, F, F), A: (F, F, F, F), R: (F, F, F, F)},
    Role.TEACHER: {V: (T, F, T, T), M: (F, F, F, F), A: (F, F, F, F), R: (F, F, F, F)},
    # …students see their class and their school's own space, not the other classes.
    Role.STUDENT: {V: (T, F, F, T), M: (F, F, F, F), A: (F, F, F, F), R: (F, F, F, F)},
}

CASES = [
    (role, action, position, expected[index])
    for role, by_action in EXPECTED.items()
    for action, expected in by_action.items()
    for index, position in enumerate(("own", "below", "sibling", "above"))
    if PLACES[role][index] is not None
]


@pytest.mark.parametrize(("role", "action", "position", "allowed"), CASES, ids=lambda v: str(v))
def test_scope_matrix(tree, role, action, position, allowed):
    held_at, *others = PLACES[role]
    target_name = {"own": held_at, "below": others[0], "sibling": others[1], "above": others[2]}[position]
    user = make_person(unit=getattr(tree, held_at), role=role)
    target = getattr(tree, target_name)

    assert can(user, action, target) is allowed
    # The queryset form ("which units does this user see") agrees with the yes/no form.
    assert units_visible_to(user=user, action=action).filter(pk=target.pk).exists() is allowed


@pytest.mark.parametrize("role", list(PLACES))
@pytest.mark.parametrize("action", Action.ALL)
def test_queryset_and_check_agree_on_the_whole_tree(tree, role, action):
    user = make_person(unit=getattr(tree, PLACES[role][0]), role=role)
    visible = set(units_visible_to(user=user, action=action).values_list("pk", flat=True))
    assert visible == {u.pk for u in Unit.objects.all() if can(user, action, u)}


def test_role_reaches_whole_subtree_not_other_provinces(tree):
    user = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    visible = set(units_visible_to(user=user).values_list("code", flat=True))
    assert {tree.c1.code, tree.g3.code, tree.t1.code, tree.office_a2.code} <= visible
    assert not visible & {tree.dept_b.code, tree.office_b1.code, tree.s3.code, tree.ministry.code}


def test_superuser_sees_everything_and_nobody_else_does(tree):
    root = UserFactory(is_superuser=True)
    assert all(can(root, action, tree.s3) for action in Action.ALL)
    assert not any(can(AnonymousUser(), action, tree.s1) for action in Action.ALL)
    loner = UserFactory(unit=tree.s1)  # belongs to a school but holds no role there yet
    assert not can(loner, V, tree.s1)


def test_deactivated_user_loses_every_scope(tree):
    user = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    user.is_active = False
    assert not can(user, V, tree.s1)


def test_roles_at_an_inactive_merged_unit_reach_nothing(tree):
    user = make_person(unit=tree.office_a2, role=Role.OFFICE_STAFF)
    Unit.objects.filter(pk=tree.office_a2.pk).update(is_active=False)
    assert not can(user, V, tree.office_a2)


def test_out_of_scope_unit_looks_missing(tree):
    from django.http import Http404

    user = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    assert unit_for_user_or_404(user, tree.g1.pk, M) == tree.g1
    with pytest.raises(Http404):
        unit_for_user_or_404(user, tree.s2.pk, V)
