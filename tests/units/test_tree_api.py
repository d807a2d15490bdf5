"""The tree API other apps use: UnitQuerySet, the subtree filters, the path helpers, people_holding and
units_where (built on the per-user cached roles), and the admin going through the audited services."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.accounts.factories import UserFactory, make_person
from units.models import AuditEntry, Cluster, Role, RoleAssignment, Unit
from units.permissions import (
    AUTHORITY_ROLES,
    SCHOOL_MANAGER_ROLES,
    STAFF_ROLES,
    SUBTREE_ROLES,
    TEACHING_ROLES,
    UNIT_MANAGER_ROLES,
    Action,
    forget_roles,
    holds_role_at,
    holds_role_within,
    role_ancestor_paths,
    role_reaches,
    units_where,
)
from units.selectors import (
    ancestor_path_at,
    ancestor_paths,
    at_or_above_q,
    children_q,
    common_ancestor_path,
    in_subtree_q,
    in_subtrees,
    is_below,
    parent_path,
    path_depth,
    people_holding,
    school_path_of,
)

K = Unit.Kind


def codes(units) -> set[str]:
    return {u.code for u in units}


# --- UnitQuerySet ------------------------------------------------------------------------------


def test_below_is_the_subtree_with_or_without_the_unit(tree):
    assert codes(Unit.objects.below(tree.s1)) == codes([tree.s1, tree.g1, tree.g2, tree.c1, tree.c2])
    assert codes(Unit.objects.below(tree.s1, include_self=False)) == codes([tree.g1, tree.g2, tree.c1, tree.c2])
    assert codes(Unit.objects.below(tree.s1.path)) == codes(Unit.objects.below(tree.s1))
    assert Unit.objects.below(tree.c1, include_self=False).count() == 0


def test_children_are_one_level_down_optionally_of_some_kinds(tree):
    assert codes(Unit.objects.children(tree.dept_a)) == codes([tree.office_a1, tree.office_a2, tree.t1])
    assert codes(Unit.objects.children(tree.dept_a, kinds=[K.OFFICE])) == codes([tree.office_a1, tree.office_a2])
    assert codes(Unit.objects.children(tree.s1, kinds=[K.CLASS])) == codes([tree.c1, tree.c2])


def test_children_of_several_units_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(Unit.objects.filter(kind=K.GROUP).children_of([tree.s1.pk, tree.s2.pk]))
    assert found == codes([tree.g1, tree.g2, tree.g3])


def test_schools_under_take_every_level_below(tree):
    assert codes(Unit.objects.schools_under(tree.dept_a)) == codes([tree.t1, tree.s1, tree.s2])
    assert codes(Unit.objects.schools_under(tree.ministry)) == codes([tree.t1, tree.s1, tree.s2, tree.s3])
    assert codes(Unit.objects.schools_under(tree.s1)) == {tree.s1.code}
    assert codes(Unit.objects.schools_under(tree.s1, include_self=False)) == set()


def test_the_manager_keeps_treebeards_methods_and_order(tree):
    assert isinstance(Unit.objects.all().below(tree.s1), type(Unit.objects.all()))
    child = Unit.objects.add_child(Unit.objects.get(pk=tree.s2.pk), instance=Unit(code="X1", name="Tổ", kind=K.GROUP))
    assert Unit.objects.get_parent(child) == tree.s2
    paths = list(Unit.objects.values_list("path", flat=True))
    assert paths == sorted(paths)


def test_a_school_path_without_a_query(tree):
    assert tree.s1.school_path == tree.s1.path
    assert tree.g1.school_path == tree.s1.path
    assert tree.c2.school_path == tree.s1.path
    assert tree.office_a1.school_path is None
    assert school_path_of(tree.office_a1.path, K.OFFICE) == tree.office_a1.path


# --- filters on other models and path helpers ----------------------------------------------------


def test_in_subtree_q_filters_rows_by_their_unit(tree):
    for unit in (tree.s1, tree.g1, tree.s3):
        make_person(unit=unit, role=Role.TEACHER)
    in_s1 = RoleAssignment.objects.filter(in_subtree_q(tree.s1))
    assert {a.unit.code for a in in_s1} == {tree.s1.code, tree.g1.code}
    strictly = RoleAssignment.objects.filter(in_subtree_q(tree.s1.path, include_self=False))
    assert {a.unit.code for a in strictly} == {tree.g1.code}
    people = get_user_model().objects.filter(in_subtree_q(tree.office_a1, "role_assignments__unit"))
    assert people.count() == 2
    assert codes(Unit.objects.filter(in_subtree_q(tree.office_b1, ""))) == codes([tree.office_b1, tree.s3])
    # "" is the whole tree (reports computed for the country)
    assert Unit.objects.filter(in_subtree_q("", "")).count() == Unit.objects.count()


def test_in_subtrees_for_many_units_at_once(tree, django_assert_num_queries):
    for unit in (tree.g1, tree.g3, tree.s3, tree.t1):
        make_person(unit=unit, role=Role.TEACHER)
    rows = in_subtrees(RoleAssignment.objects.select_related("unit"), [tree.s1.path, tree.s3.path])
    with django_assert_num_queries(1):
        assert {a.unit.code for a in rows} == {tree.g1.code, tree.s3.code}
    assert not in_subtrees(RoleAssignment.objects.all(), []).exists()


def test_children_q_and_at_or_above_q(tree):
    assert codes(Unit.objects.filter(children_q(tree.s1, ""), kind=K.GROUP)) == codes([tree.g1, tree.g2])
    for unit in (tree.ministry, tree.dept_a, tree.s1, tree.g1, tree.s2):
        AuditEntry.objects.create(action="test", unit=unit)
    above_g1 = AuditEntry.objects.filter(at_or_above_q(tree.g1.pk), action="test")
    assert {e.unit.code for e in above_g1} == codes([tree.ministry, tree.dept_a, tree.s1, tree.g1])


def test_path_helpers(tree):
    assert parent_path(tree.g1.path) == tree.s1.path
    assert parent_path(tree.ministry.path) == ""
    assert path_depth(tree.g1.path) == tree.g1.depth
    assert ancestor_paths(tree.s1.path) == [tree.ministry.path, tree.dept_a.path, tree.office_a1.path, tree.s1.path]
    assert ancestor_paths(tree.s1.path, include_self=False)[-1] == tree.office_a1.path
    assert ancestor_path_at(tree.c1.path, tree.dept_a.depth) == tree.dept_a.path
    assert is_below(tree.c1.path, tree.office_a1.path)
    assert is_below(tree.s1.path, tree.s1.path) and not is_below(tree.s1.path, tree.s1.path, include_self=False)
    assert not is_below(tree.s3.path, tree.dept_a.path)
    assert common_ancestor_path([tree.s1.path, tree.s2.path]) == tree.office_a1.path
    assert common_ancestor_path([tree.s1.path, tree.s3.path]) == tree.ministry.path


# --- role sets -----------------------------------------------------------------------------------


def test_role_sets_are_named_once_and_agree_with_the_scope_rules():
    assert SUBTREE_ROLES[Action.MANAGE] == UNIT_MANAGER_ROLES
    assert SUBTREE_ROLES[Action.VIEW_REPORTS] == AUTHORITY_ROLES == STAFF_ROLES | SCHOOL_MANAGER_ROLES
    assert {Role.TEACHER, Role.GROUP_LEADER} == TEACHING_ROLES


# --- people_holding and units_where ----------------------------------------------------------


def test_people_holding_a_role_at_units_or_below_each_once(tree):
    principal = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN)
    leader = make_person(unit=tree.g1, role=Role.GROUP_LEADER)
    RoleAssignment.objects.create(user=leader, unit=tree.g2, role=Role.GROUP_LEADER)
    gone = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    make_person(unit=tree.s2, role=Role.PRINCIPAL)

    assert set(people_holding(roles=SCHOOL_MANAGER_ROLES, units=tree.s1)) == {principal, admin}
    assert set(people_holding(roles=SCHOOL_MANAGER_ROLES, units=tree.s1, active_only=False)) == {
        principal,
        admin,
        gone,
    }
    assert list(people_holding(roles=[Role.GROUP_LEADER], units=[tree.g1, tree.g2])) == [leader]
    assert list(people_holding(roles=[Role.GROUP_LEADER], units=Unit.objects.filter(kind=K.GROUP))) == [leader]
    assert set(people_holding(roles=[Role.PRINCIPAL, Role.GROUP_LEADER], below=tree.s1)) == {principal, leader}
    # Role and unit hold for the same assignment: the principal of s1 is no group leader of g1.
    assert list(people_holding(roles=[Role.PRINCIPAL], units=tree.g1)) == []


def test_people_holding_is_one_query(tree, django_assert_num_queries):
    for _ in range(3):
        make_person(unit=tree.g1, role=Role.TEACHER)
    with django_assert_num_queries(1):
        assert len(list(people_holding(roles=TEACHING_ROLES, units=tree.g1))) == 3
    with django_assert_num_queries(1):
        assert len(list(people_holding(roles=TEACHING_ROLES, below=tree.office_a1))) == 3


def test_units_where_reads_the_cached_roles_once(tree, django_assert_num_queries):
    person = make_person(unit=tree.g1, role=Role.GROUP_LEADER)
    RoleAssignment.objects.create(user=person, unit=tree.g1, role=Role.TEACHER)
    RoleAssignment.objects.create(user=person, unit=tree.s1, role=Role.PRINCIPAL)
    person = get_user_model().objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        assert {h.role for h in units_where(person)} == {Role.GROUP_LEADER, Role.TEACHER, Role.PRINCIPAL}
        leading = units_where(person, [Role.GROUP_LEADER])
        assert [(h.path, h.kind) for h in leading] == [(tree.g1.path, K.GROUP)]
        assert [h.role for h in units_where(person, kinds=[K.SCHOOL])] == [Role.PRINCIPAL]
        assert leading[0].school_path == tree.s1.path and leading[0].is_within(tree.s1)
        assert holds_role_at(person, tree.g1, TEACHING_ROLES)
        assert not holds_role_at(person, tree.s1, TEACHING_ROLES)
        assert holds_role_within(person, tree.s1, TEACHING_ROLES)
        assert role_reaches(person, tree.c1, SCHOOL_MANAGER_ROLES)
        assert not role_reaches(person, tree.s2, SCHOOL_MANAGER_ROLES)
        assert role_ancestor_paths(person) == set(ancestor_paths(tree.g1.path))
    # A service that changed the roles on another copy of the row drops the cache.
    RoleAssignment.objects.filter(user=person, role=Role.PRINCIPAL).delete()
    forget_roles(person)
    with django_assert_num_queries(1):
        assert {h.role for h in units_where(person)} == {Role.GROUP_LEADER, Role.TEACHER}


def test_units_where_of_anonymous_or_inactive_people_is_empty(tree, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    person = make_person(unit=tree.s1, role=Role.PRINCIPAL)
    person.is_active = False
    with django_assert_num_queries(0):
        assert units_where(AnonymousUser()) == []
        assert units_where(person) == []


# --- the admin goes through the audited services ----------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, account_type="staff")


def test_admin_rename_and_move_write_audit_entries(client, tree, superuser):
    client.force_login(superuser)
    url = reverse("admin:units_unit_change", args=[tree.s2.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"parent": tree.office_a2.pk, "code": tree.s2.code, "name": "Trường THCS Mới"})
    assert response.status_code == 302, response.content.decode()[:2000]
    s2 = Unit.objects.get(pk=tree.s2.pk)
    assert s2.name == "Trường THCS Mới"
    assert Unit.objects.get_parent(s2) == tree.office_a2
    assert Unit.objects.get(pk=tree.g3.pk).path.startswith(s2.path)  # the subtree followed
    actions = list(AuditEntry.objects.filter(unit=s2).values_list("action", flat=True))
    assert "unit.rename" in actions and "unit.move" in actions


def test_admin_refuses_a_move_the_service_would_refuse(client, tree, superuser):
    client.force_login(superuser)
    url = reverse("admin:units_unit_change", args=[tree.s1.pk])
    response = client.post(url, {"parent": tree.g1.pk, "code": tree.s1.code, "name": tree.s1.name})
    assert response.status_code == 200  # the form again, with the error
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.s1.pk)) == tree.office_a1
    assert not AuditEntry.objects.filter(action="unit.move").exists()


def test_admin_add_goes_through_unit_create(client, tree, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:units_unit_add"),
        {"parent": tree.s3.pk, "code": "NEW-G", "name": "Tổ Toán", "kind": K.GROUP, "school_level": "", "grade": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="NEW-G")
    assert Unit.objects.get_parent(unit) == tree.s3
    assert AuditEntry.objects.filter(action="unit.create", unit=unit).exists()


def test_admin_drag_and_drop_moves_through_unit_move(client, tree, superuser):
    client.force_login(superuser)
    url = reverse("admin:units_unit_changelist") + "move/"
    response = client.post(url, {"node": tree.s2.pk, "target": tree.office_b1.pk, "relation": "child"})
    assert response.status_code == 200
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.s2.pk)) == tree.office_b1
    assert AuditEntry.objects.filter(action="unit.move", unit=tree.s2).exists()
    # Reordering among siblings is refused: the order is by kind and name.
    response = client.post(url, {"node": tree.s2.pk, "target": tree.s3.pk, "relation": "sibling"})
    assert response.status_code == 400


def test_units_cannot_be_deleted_in_the_admin(client, tree, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:units_unit_delete", args=[tree.c2.pk])).status_code == 403


def test_admin_gives_and_takes_back_roles_through_the_audited_services(client, tree, superuser):
    client.force_login(superuser)
    person = UserFactory(account_type="teacher")
    response = client.post(
        reverse("admin:units_roleassignment_add"), {"user": person.pk, "unit": tree.s1.pk, "role": Role.TEACHER}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=person, unit=tree.s1, role=Role.TEACHER)
    assert AuditEntry.objects.filter(action="role.assign", unit=tree.s1).exists()
    # A role the unit cannot hold is refused on the form.
    response = client.post(
        reverse("admin:units_roleassignment_add"), {"user": person.pk, "unit": tree.g1.pk, "role": Role.PRINCIPAL}
    )
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=person, role=Role.PRINCIPAL).exists()
    response = client.post(reverse("admin:units_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action="role.revoke", unit=tree.s1).exists()


def test_admin_creates_and_changes_clusters_through_the_services(client, tree, superuser):
    client.force_login(superuser)
    url = reverse("admin:units_cluster_add")
    response = client.post(url, {"owner": tree.office_a1.pk, "code": "C1", "name": "Cụm 1", "schools": [tree.s1.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    cluster = Cluster.objects.get(code="C1")
    assert list(cluster.schools.all()) == [tree.s1]
    assert AuditEntry.objects.filter(action="cluster.create", unit=tree.office_a1).exists()
    # A school outside the owner is refused on the form.
    response = client.post(url, {"owner": tree.office_a1.pk, "code": "C2", "name": "Cụm 2", "schools": [tree.s3.pk]})
    assert response.status_code == 200 and not Cluster.objects.filter(code="C2").exists()
    # Changing it goes through cluster_update (issue #15), the owner stays.
    change = reverse("admin:units_cluster_change", args=[cluster.pk])
    response = client.post(change, {"code": "X", "name": "Cụm X", "schools": [tree.s2.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    cluster.refresh_from_db()
    assert (cluster.name, list(cluster.schools.all()), cluster.owner) == ("Cụm X", [tree.s2], tree.office_a1)
    assert AuditEntry.objects.filter(action="cluster.update", unit=tree.office_a1).exists()
