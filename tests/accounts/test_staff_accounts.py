"""Issue #15 point 2: the unit above issues the accounts of a school's principal and school admin and of
an Office's or Department's staff, with their role, a one-time credential whose sheet reaches the issuer
(not the school), audited and notified; nobody issues an account with a role at or above their own."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AccountQuota, InitialCredential, IssueBatch, User
from accounts.permissions import can_download_sheet, can_reissue_credentials
from accounts.services.credentials import sheet_load
from accounts.services.issuing import credentials_reissue
from accounts.services.staff import staff_account_issue, staff_roles_issuable
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role, RoleAssignment

R = Role
PERSON = {"full_name": "Nguyễn Thị Hiền", "national_id": "035190001234", "email": "hien@pgd.edu.vn"}


@pytest.fixture
def office(tree):
    return make_person(unit=tree.office_a1, role=R.OFFICE_STAFF, full_name="Trần Văn Phòng")


@pytest.fixture
def department(tree):
    return make_person(unit=tree.dept_a, role=R.DEPARTMENT_STAFF, full_name="Lê Thị Sở")


def _state():
    return User.objects.count(), RoleAssignment.objects.count(), IssueBatch.objects.count(), AuditEntry.objects.count()


def test_an_office_issues_a_principal_account(tree, school, admin, office):
    user, batch = staff_account_issue(actor=office, unit=school, role=R.PRINCIPAL, values=dict(PERSON))
    assert user.unit == school and user.account_type == User.AccountType.TEACHER and user.must_change_password
    assert user.username.endswith(".gv001")
    assert RoleAssignment.objects.filter(user=user, unit=school, role=R.PRINCIPAL).exists()
    assert InitialCredential.objects.filter(user=user, batch=batch).exists()
    assert batch.kind == IssueBatch.Kind.FROM_ABOVE and batch.created_by == office
    assert [row["username"] for row in sheet_load(batch=batch)] == [user.username]
    # The sheet reaches the issuer, never the school's admin.
    assert can_download_sheet(office, batch) and not can_download_sheet(admin, batch)
    assert set(AuditEntry.objects.filter(target_id=str(user.pk), actor=office).values_list("action", flat=True)) == {
        "account.create",
        "role.assign",
    }
    assert Notification.objects.filter(recipient=user).count() == 1


def test_a_department_issues_an_office_staff_account_and_hands_out_its_sheet(tree, department):
    user, batch = staff_account_issue(actor=department, unit=tree.office_a1, role=R.OFFICE_STAFF, values=dict(PERSON))
    assert user.unit == tree.office_a1 and user.account_type == User.AccountType.STAFF
    assert user.username.endswith(".cb001")
    assert RoleAssignment.objects.filter(user=user, unit=tree.office_a1, role=R.OFFICE_STAFF).exists()
    assert can_download_sheet(department, batch)
    office_colleague = make_person(unit=tree.office_a1, role=R.OFFICE_STAFF)
    assert not can_download_sheet(office_colleague, batch)
    # Its credentials stay with the Department: the same unit re-issues them.
    assert can_reissue_credentials(department, user) and not can_reissue_credentials(office_colleague, user)


def test_the_creator_from_further_above_reads_the_sheet(tree, school, department, office):
    _user, batch = staff_account_issue(actor=department, unit=school, role=R.SCHOOL_ADMIN, values=dict(PERSON))
    assert can_download_sheet(department, batch) and can_download_sheet(office, batch)
    other_department = make_person(unit=tree.dept_b, role=R.DEPARTMENT_STAFF)
    assert not can_download_sheet(other_department, batch)


@pytest.mark.parametrize(
    ("role", "where", "unit", "granted"),
    [
        (R.OFFICE_STAFF, "office_a1", "office_a1", R.OFFICE_STAFF),
        (R.DEPARTMENT_STAFF, "dept_a", "dept_a", R.DEPARTMENT_STAFF),
        (R.MINISTRY_STAFF, "ministry", "ministry", R.MINISTRY_STAFF),
        (R.SCHOOL_ADMIN, "s1", "s1", R.PRINCIPAL),
        (R.SCHOOL_ADMIN, "s1", "s1", R.SCHOOL_ADMIN),
        (R.PRINCIPAL, "s1", "s1", R.SCHOOL_ADMIN),
        (R.OFFICE_STAFF, "office_a2", "s1", R.PRINCIPAL),
        (R.TEACHER, "g1", "s1", R.PRINCIPAL),
    ],
)
def test_nobody_issues_an_account_at_or_above_their_own(tree, school, role, where, unit, granted):
    actor = make_person(unit=getattr(tree, where), role=role)
    before = _state()
    with pytest.raises(PermissionDenied):
        staff_account_issue(actor=actor, unit=getattr(tree, unit), role=granted, values=dict(PERSON))
    assert _state() == before


def test_bad_input_changes_nothing(tree, school, office):
    existing = make_person(unit=tree.g1, role=R.TEACHER, national_id="035190009999")
    elsewhere = make_person(unit=tree.g3, role=R.TEACHER, national_id="035190008888")
    before = _state()
    cases = [
        ({"full_name": "", "national_id": "035190001234"}, "full_name"),
        ({"full_name": "=HYPERLINK(1)", "national_id": "035190001234"}, "full_name"),
        ({"full_name": "Nguyễn Thị Hiền", "national_id": ""}, "national_id"),
        ({"full_name": "Nguyễn Thị Hiền", "national_id": existing.national_id}, "national_id"),
        ({"full_name": "Nguyễn Thị Hiền", "national_id": elsewhere.national_id}, "national_id"),
        ({"full_name": "Nguyễn Thị Hiền", "national_id": "035190001234", "email": "bad@"}, "email"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as refused:
            staff_account_issue(actor=office, unit=school, role=R.PRINCIPAL, values=values)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        staff_account_issue(actor=office, unit=tree.g1, role=R.GROUP_LEADER, values=dict(PERSON))
    assert _state() == before


def test_a_school_without_teacher_places_is_refused(tree, school, office):
    AccountQuota.objects.filter(school=school).update(teachers=0)
    before = _state()
    with pytest.raises(ValidationError):
        staff_account_issue(actor=office, unit=school, role=R.PRINCIPAL, values=dict(PERSON))
    assert _state() == before


def test_the_unit_above_reissues_a_principals_credentials_and_reads_them(tree, school, admin, office):
    principal = make_person(unit=school, role=R.PRINCIPAL, account_type="teacher")
    assert can_reissue_credentials(office, principal) and not can_reissue_credentials(admin, principal)
    batch = credentials_reissue(actor=office, accounts=[principal], school=school)
    assert batch.kind == IssueBatch.Kind.FROM_ABOVE
    assert can_download_sheet(office, batch) and not can_download_sheet(admin, batch)
    with pytest.raises(PermissionDenied):
        credentials_reissue(actor=admin, accounts=[principal], school=school)


def test_roles_offered(tree, school, office, department):
    assert staff_roles_issuable(actor=office, unit=school) == [R.PRINCIPAL, R.SCHOOL_ADMIN]
    assert staff_roles_issuable(actor=office, unit=tree.office_a1) == []
    assert staff_roles_issuable(actor=department, unit=tree.office_a1) == [R.OFFICE_STAFF]


# --- the page ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "where", "unit", "status"),
    [
        (R.MINISTRY_STAFF, "ministry", "dept_a", 200),
        (R.MINISTRY_STAFF, "ministry", "ministry", 404),
        (R.DEPARTMENT_STAFF, "dept_a", "office_a1", 200),
        (R.DEPARTMENT_STAFF, "dept_a", "t1", 200),
        (R.DEPARTMENT_STAFF, "dept_a", "dept_a", 404),
        (R.OFFICE_STAFF, "office_a1", "s1", 200),
        (R.OFFICE_STAFF, "office_a1", "office_a1", 404),
        (R.OFFICE_STAFF, "office_b1", "s1", 404),
        (R.SCHOOL_ADMIN, "s1", "s1", 404),
        (R.PRINCIPAL, "s1", "s1", 404),
        (R.TEACHER, "g1", "s1", 404),
    ],
)
def test_staff_account_page_matrix(client, tree, role, where, unit, status):
    client.force_login(make_person(unit=getattr(tree, where), role=role))
    assert client.get(reverse("accounts:staff_account_new", args=[getattr(tree, unit).pk])).status_code == status


def test_issuing_from_the_page_leads_to_the_credential_sheet(client, tree, school, admin, office):
    client.force_login(office)
    url = reverse("accounts:staff_account_new", args=[school.pk])
    response = client.post(url, {"role": R.SCHOOL_ADMIN, **PERSON})
    assert response.status_code == 302
    user = User.objects.get(national_id=PERSON["national_id"])
    assert RoleAssignment.objects.filter(user=user, unit=school, role=R.SCHOOL_ADMIN).exists()
    page = client.get(response.url)
    assert page.status_code == 200 and page.context["may_hand_out"] and page.context["sheet"]
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[page.context["batch"].pk])).status_code == 200
    # The school's admin sees the batch but not the codes.
    client.force_login(admin)
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[page.context["batch"].pk])).status_code == 403
    # The page refuses a role not offered, and a second account for the same person.
    client.force_login(office)
    before = _state()
    response = client.post(url, {"role": R.OFFICE_STAFF, **PERSON})
    assert response.status_code == 200 and response.context["form"].errors["role"]
    response = client.post(url, {"role": R.PRINCIPAL, **PERSON})
    assert response.status_code == 200 and response.context["form"].errors["national_id"]
    assert _state() == before


def test_people_and_roles_page_links_the_account_page(client, tree, school, office):
    client.force_login(office)
    body = client.get(reverse("units:roles", args=[school.pk])).content.decode()
    assert reverse("accounts:staff_account_new", args=[school.pk]) in body
