"""Issue #15 point 2, staff and roles: who names whom (`can_grant_role`: nobody grants a role at or
above their own), the audited and notified grant and removal services, and the pages — "People and
roles" per unit and a school's homeroom teachers — with their permission matrices."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import Notification
from tests.accounts.factories import UserFactory, make_person
from units.models import AuditEntry, Role, RoleAssignment, Unit
from units.permissions import can_grant_role, can_manage_roles, can_set_homerooms, grantable_roles
from units.services import homerooms_set, role_grant, role_remove

R = Role
# Refusals are compared in their English source form (tests/conftest.py `in_english`).
pytestmark = pytest.mark.usefixtures("in_english")


def _actor(tree, role, where):
    if role == "superuser":
        return UserFactory(is_superuser=True, unit=None)
    return make_person(unit=getattr(tree, where), role=role)


# --- who may grant what: a matrix per level ---------------------------------------------------------
# (actor's role, where they hold it, role granted, where, allowed)
MATRIX = [
    # The Ministry names Departments' staff (and anything below), never its own staff.
    (R.MINISTRY_STAFF, "ministry", R.MINISTRY_STAFF, "ministry", False),
    (R.MINISTRY_STAFF, "ministry", R.DEPARTMENT_STAFF, "dept_a", True),
    (R.MINISTRY_STAFF, "ministry", R.PRINCIPAL, "s3", True),
    # A Department: its Offices' staff and the schools it runs; not its own staff, not another province.
    (R.DEPARTMENT_STAFF, "dept_a", R.DEPARTMENT_STAFF, "dept_a", False),
    (R.DEPARTMENT_STAFF, "dept_a", R.MINISTRY_STAFF, "ministry", False),
    (R.DEPARTMENT_STAFF, "dept_a", R.OFFICE_STAFF, "office_a1", True),
    (R.DEPARTMENT_STAFF, "dept_a", R.PRINCIPAL, "t1", True),
    (R.DEPARTMENT_STAFF, "dept_a", R.SCHOOL_ADMIN, "t1", True),
    (R.DEPARTMENT_STAFF, "dept_a", R.OFFICE_STAFF, "office_b1", False),
    # An Office: its schools' principal and school admin; not Office staff, not the Department's schools.
    (R.OFFICE_STAFF, "office_a1", R.OFFICE_STAFF, "office_a1", False),
    (R.OFFICE_STAFF, "office_a1", R.DEPARTMENT_STAFF, "dept_a", False),
    (R.OFFICE_STAFF, "office_a1", R.PRINCIPAL, "s1", True),
    (R.OFFICE_STAFF, "office_a1", R.SCHOOL_ADMIN, "s2", True),
    (R.OFFICE_STAFF, "office_a1", R.PRINCIPAL, "t1", False),
    (R.OFFICE_STAFF, "office_a1", R.PRINCIPAL, "s3", False),
    (R.OFFICE_STAFF, "office_a2", R.PRINCIPAL, "s1", False),
    # A school admin: vice-principals, group leaders and teachers of their own school only.
    (R.SCHOOL_ADMIN, "s1", R.PRINCIPAL, "s1", False),
    (R.SCHOOL_ADMIN, "s1", R.SCHOOL_ADMIN, "s1", False),
    (R.SCHOOL_ADMIN, "s1", R.VICE_PRINCIPAL, "s1", True),
    (R.SCHOOL_ADMIN, "s1", R.GROUP_LEADER, "g1", True),
    (R.SCHOOL_ADMIN, "s1", R.GROUP_LEADER, "g3", False),
    # A principal: the same, never a school admin.
    (R.PRINCIPAL, "s1", R.SCHOOL_ADMIN, "s1", False),
    (R.PRINCIPAL, "s1", R.PRINCIPAL, "s1", False),
    (R.PRINCIPAL, "s1", R.VICE_PRINCIPAL, "s1", True),
    (R.PRINCIPAL, "s1", R.GROUP_LEADER, "g2", True),
    (R.PRINCIPAL, "s1", R.TEACHER, "g1", True),
    (R.PRINCIPAL, "s1", R.VICE_PRINCIPAL, "s2", False),
    # A vice-principal: below their own rank only.
    (R.VICE_PRINCIPAL, "s1", R.VICE_PRINCIPAL, "s1", False),
    (R.VICE_PRINCIPAL, "s1", R.GROUP_LEADER, "g1", True),
    # Group leaders, teachers and students carry no authority: they grant nothing.
    (R.GROUP_LEADER, "g1", R.TEACHER, "g1", False),
    (R.TEACHER, "g1", R.GROUP_LEADER, "g1", False),
    (R.STUDENT, "c1", R.GROUP_LEADER, "g1", False),
    # A role only where it can be held.
    ("superuser", None, R.PRINCIPAL, "g1", False),
    ("superuser", None, R.MINISTRY_STAFF, "ministry", True),
]


@pytest.mark.parametrize(("role", "where", "granted", "at", "allowed"), MATRIX)
def test_who_may_grant_which_role_where(tree, role, where, granted, at, allowed):
    actor = _actor(tree, role, where)
    assert can_grant_role(actor, getattr(tree, at), granted) is allowed


def test_grantable_roles_per_level(tree):
    office = make_person(unit=tree.office_a1, role=R.OFFICE_STAFF)
    principal = make_person(unit=tree.s1, role=R.PRINCIPAL)
    assert grantable_roles(office, tree.s1) == [R.PRINCIPAL, R.SCHOOL_ADMIN, R.VICE_PRINCIPAL, R.TEACHER]
    assert grantable_roles(office, tree.office_a1) == []
    assert grantable_roles(principal, tree.s1) == [R.VICE_PRINCIPAL, R.TEACHER]
    assert grantable_roles(principal, tree.g1) == [R.GROUP_LEADER, R.TEACHER]
    assert not can_manage_roles(make_person(unit=tree.g1, role=R.TEACHER), tree.s1)
    assert can_set_homerooms(principal, tree.s1) and not can_set_homerooms(principal, tree.s2)


def test_a_closed_unit_takes_no_grants(tree):
    Unit.objects.filter(pk=tree.g1.pk).update(is_active=False)
    principal = make_person(unit=tree.s1, role=R.PRINCIPAL)
    assert not can_grant_role(principal, Unit.objects.get(pk=tree.g1.pk), R.GROUP_LEADER)


# --- the services ------------------------------------------------------------------------------------
@pytest.fixture
def principal(tree):
    return make_person(unit=tree.s1, role=R.PRINCIPAL, full_name="Lê Văn Hiệu")


@pytest.fixture
def teacher(tree):
    return make_person(unit=tree.g1, role=R.TEACHER, full_name="Phạm Thị Thu")


def _nothing_changed(before_roles: int, before_audit: int, before_notes: int) -> bool:
    return (RoleAssignment.objects.count(), AuditEntry.objects.count(), Notification.objects.count()) == (
        before_roles,
        before_audit,
        before_notes,
    )


def _counts():
    return RoleAssignment.objects.count(), AuditEntry.objects.count(), Notification.objects.count()


def test_a_principal_names_a_group_leader_audited_and_notified(tree, principal, teacher):
    assignment = role_grant(actor=principal, user=teacher, unit=tree.g1, role=R.GROUP_LEADER)
    assert RoleAssignment.objects.filter(pk=assignment.pk, user=teacher, unit=tree.g1, role=R.GROUP_LEADER).exists()
    entry = AuditEntry.objects.get(action="role.assign", target_id=str(teacher.pk), actor=principal)
    assert entry.unit == tree.g1 and entry.after == {"role": R.GROUP_LEADER, "unit": tree.g1.code}
    note = Notification.objects.get(recipient=teacher)
    assert tree.g1.name in note.title and note.url == reverse("units:space", args=[tree.g1.pk])


def test_an_office_names_a_principal_and_takes_the_role_back(tree, teacher):
    office = make_person(unit=tree.office_a1, role=R.OFFICE_STAFF)
    role_grant(actor=office, user=teacher, unit=tree.s1, role=R.PRINCIPAL)
    role_remove(actor=office, user=teacher, unit=tree.s1, role=R.PRINCIPAL)
    assert not RoleAssignment.objects.filter(user=teacher, role=R.PRINCIPAL).exists()
    assert AuditEntry.objects.filter(action="role.revoke", target_id=str(teacher.pk)).count() == 1
    assert Notification.objects.filter(recipient=teacher).count() == 2


@pytest.mark.parametrize(
    ("role", "where"), [(R.SCHOOL_ADMIN, "s1"), (R.VICE_PRINCIPAL, "s1"), (R.GROUP_LEADER, "g1"), (R.TEACHER, "g1")]
)
def test_nobody_in_the_school_names_a_principal_or_a_school_admin(tree, teacher, role, where):
    actor = make_person(unit=getattr(tree, where), role=role)
    before = _counts()
    for granted in (R.PRINCIPAL, R.SCHOOL_ADMIN):
        with pytest.raises(PermissionDenied):
            role_grant(actor=actor, user=teacher, unit=tree.s1, role=granted)
    assert _nothing_changed(*before)


def test_office_staff_cannot_create_office_staff(tree):
    office = make_person(unit=tree.office_a1, role=R.OFFICE_STAFF)
    colleague = UserFactory(unit=tree.office_a1, account_type="staff")
    before = _counts()
    with pytest.raises(PermissionDenied):
        role_grant(actor=office, user=colleague, unit=tree.office_a1, role=R.OFFICE_STAFF)
    assert _nothing_changed(*before)
    department = make_person(unit=tree.dept_a, role=R.DEPARTMENT_STAFF)
    role_grant(actor=department, user=colleague, unit=tree.office_a1, role=R.OFFICE_STAFF)
    assert RoleAssignment.objects.filter(user=colleague, unit=tree.office_a1, role=R.OFFICE_STAFF).exists()


def test_someone_of_another_school_is_refused(tree, principal):
    stranger = make_person(unit=tree.g3, role=R.TEACHER)  # a teacher of school S2
    before = _counts()
    with pytest.raises(ValidationError, match="does not belong"):
        role_grant(actor=principal, user=stranger, unit=tree.g1, role=R.GROUP_LEADER)
    assert _nothing_changed(*before)


def test_a_student_or_a_deactivated_account_is_refused(tree, principal, teacher):
    pupil = make_person(unit=tree.c1, role=R.STUDENT)
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])
    before = _counts()
    with pytest.raises(ValidationError, match="student"):
        role_grant(actor=principal, user=pupil, unit=tree.s1, role=R.VICE_PRINCIPAL)
    with pytest.raises(ValidationError, match="deactivated"):
        role_grant(actor=principal, user=teacher, unit=tree.s1, role=R.VICE_PRINCIPAL)
    assert _nothing_changed(*before)


def test_a_duplicate_grant_is_refused(tree, principal, teacher):
    role_grant(actor=principal, user=teacher, unit=tree.s1, role=R.VICE_PRINCIPAL)
    before = _counts()
    with pytest.raises(ValidationError, match="already"):
        role_grant(actor=principal, user=teacher, unit=tree.s1, role=R.VICE_PRINCIPAL)
    assert _nothing_changed(*before)


def test_removing_a_role_not_held_is_refused(tree, principal, teacher):
    before = _counts()
    with pytest.raises(ValidationError, match="is not"):
        role_remove(actor=principal, user=teacher, unit=tree.s1, role=R.VICE_PRINCIPAL)
    assert _nothing_changed(*before)


def test_the_last_school_admin_of_a_school_is_kept(tree):
    office = make_person(unit=tree.office_a1, role=R.OFFICE_STAFF)
    only = make_person(unit=tree.s1, role=R.SCHOOL_ADMIN, full_name="Vũ Thị Quản")
    before = _counts()
    with pytest.raises(ValidationError, match="last school admin"):
        role_remove(actor=office, user=only, unit=tree.s1, role=R.SCHOOL_ADMIN)
    assert _nothing_changed(*before)
    # With a second admin named first, the first may go.
    second = make_person(unit=tree.g1, role=R.TEACHER)
    role_grant(actor=office, user=second, unit=tree.s1, role=R.SCHOOL_ADMIN)
    role_remove(actor=office, user=only, unit=tree.s1, role=R.SCHOOL_ADMIN)
    assert list(RoleAssignment.objects.filter(unit=tree.s1, role=R.SCHOOL_ADMIN).values_list("user", flat=True)) == [
        second.pk
    ]


def test_a_school_admin_cannot_remove_the_principal_or_themselves(tree, principal):
    admin = make_person(unit=tree.s1, role=R.SCHOOL_ADMIN)
    before = _counts()
    with pytest.raises(PermissionDenied):
        role_remove(actor=admin, user=principal, unit=tree.s1, role=R.PRINCIPAL)
    with pytest.raises(PermissionDenied):
        role_remove(actor=admin, user=admin, unit=tree.s1, role=R.SCHOOL_ADMIN)
    assert _nothing_changed(*before)


def test_homerooms_set_all_or_nothing(tree, principal, teacher):
    other = make_person(unit=tree.g3, role=R.TEACHER)  # of school S2
    with pytest.raises(ValidationError):
        homerooms_set(actor=principal, school=tree.s1, choices={tree.c1.pk: teacher, tree.c2.pk: other})
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher is None
    assert homerooms_set(actor=principal, school=tree.s1, choices={tree.c1.pk: teacher, tree.c2.pk: None}) == 1
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher == teacher
    assert AuditEntry.objects.filter(action="class.homeroom").count() == 1
    with pytest.raises(PermissionDenied):
        homerooms_set(actor=teacher, school=tree.s1, choices={tree.c1.pk: None})


# --- the pages -----------------------------------------------------------------------------------------
PAGE_MATRIX = [
    (R.MINISTRY_STAFF, "ministry", "dept_a", 200),
    (R.MINISTRY_STAFF, "ministry", "ministry", 404),
    (R.DEPARTMENT_STAFF, "dept_a", "office_a1", 200),
    (R.DEPARTMENT_STAFF, "dept_a", "dept_a", 404),
    (R.DEPARTMENT_STAFF, "dept_a", "s3", 404),
    (R.OFFICE_STAFF, "office_a1", "s1", 200),
    (R.OFFICE_STAFF, "office_a1", "office_a1", 404),
    (R.OFFICE_STAFF, "office_a1", "t1", 404),
    (R.SCHOOL_ADMIN, "s1", "s1", 200),
    (R.SCHOOL_ADMIN, "s1", "s2", 404),
    (R.PRINCIPAL, "s1", "g1", 200),
    (R.TEACHER, "g1", "s1", 404),
    (R.TEACHER, "g1", "g1", 404),
    (R.STUDENT, "c1", "s1", 404),
]


@pytest.mark.parametrize(("role", "where", "page", "status"), PAGE_MATRIX)
def test_people_and_roles_page_matrix(client, tree, role, where, page, status):
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("units:roles", args=[getattr(tree, page).pk])).status_code == status


def test_the_page_lists_holders_and_finds_teachers_by_name_without_accents(client, tree, principal, teacher):
    leader = make_person(unit=tree.g2, role=R.GROUP_LEADER, full_name="Đỗ Văn Tổ")
    make_person(unit=tree.g1, role=R.TEACHER, full_name="Hoàng Văn Nam")
    client.force_login(principal)
    url = reverse("units:roles", args=[tree.s1.pk])
    response = client.get(url)
    holders = [(row.user, row.role) for row, _may in response.context["rows"]]
    assert (principal, R.PRINCIPAL) in holders and (leader, R.GROUP_LEADER) in holders
    # The principal's own row cannot be taken back from this page; the group leader's can.
    may = {row.user: may_remove for row, may_remove in response.context["rows"]}
    assert may[principal] is False and may[leader] is True
    response = client.get(url, {"q": "pham thi"})
    assert list(response.context["form"].fields["person"].queryset) == [teacher]
    assert response.context["found_count"] == 1


def test_granting_from_the_page(client, tree, principal, teacher):
    client.force_login(principal)
    url = reverse("units:roles", args=[tree.s1.pk])
    response = client.post(url, {"role": R.VICE_PRINCIPAL, "person": teacher.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=teacher, unit=tree.s1, role=R.VICE_PRINCIPAL).exists()
    assert Notification.objects.filter(recipient=teacher).exists()


def test_the_page_refuses_a_role_at_or_above_ones_own_and_a_duplicate(client, tree, teacher):
    admin = make_person(unit=tree.s1, role=R.SCHOOL_ADMIN)
    client.force_login(admin)
    url = reverse("units:roles", args=[tree.s1.pk])
    before = _counts()
    response = client.post(url, {"role": R.PRINCIPAL, "person": teacher.pk})
    assert response.status_code == 200 and response.context["form"].errors["role"]
    stranger = make_person(unit=tree.g3, role=R.TEACHER)
    before = _counts()
    response = client.post(url, {"role": R.VICE_PRINCIPAL, "person": stranger.pk})
    assert response.status_code == 200 and response.context["form"].errors["person"]
    assert _nothing_changed(*before)
    client.post(url, {"role": R.VICE_PRINCIPAL, "person": teacher.pk})
    before = _counts()
    response = client.post(url, {"role": R.VICE_PRINCIPAL, "person": teacher.pk})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert _nothing_changed(*before)


def test_removing_from_the_page(client, tree, principal, teacher):
    assignment = role_grant(actor=principal, user=teacher, unit=tree.g1, role=R.GROUP_LEADER)
    url = reverse("units:role_remove", args=[tree.s1.pk])
    # A teacher of the school may not; the school admin may not take the principal's role back.
    client.force_login(make_person(unit=tree.g2, role=R.TEACHER))
    assert client.post(url, {"assignment": assignment.pk}).status_code == 404
    admin = make_person(unit=tree.s1, role=R.SCHOOL_ADMIN)
    client.force_login(admin)
    own = RoleAssignment.objects.get(user=principal, role=R.PRINCIPAL)
    assert client.post(url, {"assignment": own.pk}).status_code == 403
    assert client.post(url, {"assignment": "x"}).status_code == 404
    # An assignment of another school, through this school's page: missing.
    elsewhere = make_person(unit=tree.g3, role=R.GROUP_LEADER)
    other = RoleAssignment.objects.get(user=elsewhere)
    assert client.post(url, {"assignment": other.pk}).status_code == 404
    assert client.get(url).status_code == 405
    response = client.post(url, {"assignment": assignment.pk})
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


def test_the_last_school_admin_is_kept_from_the_page(client, tree):
    only = make_person(unit=tree.s1, role=R.SCHOOL_ADMIN)
    client.force_login(make_person(unit=tree.office_a1, role=R.OFFICE_STAFF))
    assignment = RoleAssignment.objects.get(user=only)
    response = client.post(reverse("units:role_remove", args=[tree.s1.pk]), {"assignment": assignment.pk}, follow=True)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert any("only" in str(m) or "cuối" in str(m) or only.full_name in str(m) for m in response.context["messages"])


def test_unit_space_links_the_pages(client, tree, principal):
    client.force_login(principal)
    body = client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    assert reverse("units:roles", args=[tree.s1.pk]) in body
    assert reverse("units:homerooms", args=[tree.s1.pk]) in body
    client.force_login(make_person(unit=tree.g1, role=R.TEACHER))
    body = client.get(reverse("units:space", args=[tree.s1.pk])).content.decode()
    assert reverse("units:roles", args=[tree.s1.pk]) not in body


@pytest.mark.parametrize(
    ("role", "where", "status"),
    [
        (R.PRINCIPAL, "s1", 200),
        (R.SCHOOL_ADMIN, "s1", 200),
        (R.VICE_PRINCIPAL, "s1", 200),
        (R.OFFICE_STAFF, "office_a1", 200),
        (R.GROUP_LEADER, "g1", 404),
        (R.TEACHER, "g1", 404),
        (R.PRINCIPAL, "s2", 404),
        (R.OFFICE_STAFF, "office_b1", 404),
    ],
)
def test_homerooms_page_matrix(client, tree, role, where, status):
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("units:homerooms", args=[tree.s1.pk])).status_code == status


def test_homerooms_page_sets_every_class_in_one_form(client, tree, principal, teacher):
    second = make_person(unit=tree.g2, role=R.TEACHER)
    stranger = make_person(unit=tree.g3, role=R.TEACHER)
    client.force_login(principal)
    url = reverse("units:homerooms", args=[tree.s1.pk])
    response = client.post(url, {f"class_{tree.c1.pk}": teacher.pk, f"class_{tree.c2.pk}": stranger.pk})
    assert response.status_code == 200
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher is None  # nothing changed
    response = client.post(url, {f"class_{tree.c1.pk}": teacher.pk, f"class_{tree.c2.pk}": second.pk})
    assert response.status_code == 302
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher == teacher
    assert Unit.objects.get(pk=tree.c2.pk).homeroom_teacher == second
    response = client.post(url, {f"class_{tree.c1.pk}": "", f"class_{tree.c2.pk}": second.pk})
    assert Unit.objects.get(pk=tree.c1.pk).homeroom_teacher is None
    assert AuditEntry.objects.filter(action="class.homeroom").count() == 3
