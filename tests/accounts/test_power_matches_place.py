"""Issue #14 point 8, "power matches place": only a school's own admins hand its accounts over
(re-issue credentials, read credential sheets); a staff account only its issuing unit; staff above a
school ask the school instead (CredentialRequest), and the school answers."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import CredentialRequest, InitialCredential, IssueBatch, User
from accounts.permissions import can_download_sheet, can_reissue_credentials
from accounts.services.credentials import sheet_load
from accounts.services.issuing import account_issue, credentials_reissue
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

S = CredentialRequest.Status
ABOVE_OR_BESIDE = [
    (Role.OFFICE_STAFF, "office_a1"),
    (Role.DEPARTMENT_STAFF, "dept_a"),
    (Role.MINISTRY_STAFF, "ministry"),
    (Role.PRINCIPAL, "s1"),
]


@pytest.fixture
def student(tree, school):
    return make_person(unit=tree.c1, role=Role.STUDENT, username="hs.an", full_name="Nguyễn Văn An")


@pytest.fixture
def issued(school, admin):
    """A batch issued by the school's admin, its credential sheet still available."""
    values = {"full_name": "Trần Thị Bình", "national_id": "0012345678", "unit": "6A1"}
    _user, batch = account_issue(actor=admin, school=school, account_type="student", values=values)
    return batch


def _unchanged(student):
    fresh = User.objects.get(pk=student.pk)
    return fresh.password == student.password and not fresh.must_change_password


# --- who may re-issue and read sheets ------------------------------------------------------------
@pytest.mark.parametrize(("role", "where"), ABOVE_OR_BESIDE)
def test_staff_above_and_the_principal_cannot_reissue(client, tree, school, student, role, where):
    actor = make_person(unit=getattr(tree, where), role=role)
    assert not can_reissue_credentials(actor, student)
    client.force_login(actor)
    assert client.post(reverse("accounts:account_reissue", args=[student.pk])).status_code == 404
    assert client.post(reverse("accounts:class_reissue", args=[tree.c1.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        credentials_reissue(actor=actor, accounts=[student], school=school)
    assert _unchanged(student)
    assert not IssueBatch.objects.filter(kind=IssueBatch.Kind.REISSUE).exists()
    assert not InitialCredential.objects.filter(user=student).exists()
    assert not AuditEntry.objects.filter(action="credentials.reissue").exists()
    page = client.get(reverse("accounts:account_detail", args=[student.pk])).content.decode()
    assert 'data-testid="reissue"' not in page


@pytest.mark.parametrize(("role", "where"), ABOVE_OR_BESIDE)
def test_staff_above_and_the_principal_cannot_read_credential_sheets(client, tree, school, issued, role, where):
    actor = make_person(unit=getattr(tree, where), role=role)
    assert not can_download_sheet(actor, issued)
    client.force_login(actor)
    for name in ("accounts:batch_sheet_xlsx", "accounts:batch_sheet_print"):
        assert client.get(reverse(name, args=[issued.pk])).status_code in (403, 404)
    assert client.post(reverse("accounts:batch_sheet_discard", args=[issued.pk])).status_code in (403, 404)
    # Staff above may still open the batch's page; the codes are not on it.
    page = client.get(reverse("accounts:batch", args=[issued.pk]))
    assert page.status_code in (200, 404)
    assert 'data-testid="sheet-code"' not in page.content.decode()
    if page.status_code == 200:
        assert 'data-testid="sheet-for-the-school"' in page.content.decode()
    assert not AuditEntry.objects.filter(action="credentials.sheet_download").exists()
    assert sheet_load(batch=IssueBatch.objects.get(pk=issued.pk))  # not erased either


def test_the_schools_admin_reissues_and_reads_the_sheet(client, tree, school, admin, student):
    assert can_reissue_credentials(admin, student)
    client.force_login(admin)
    response = client.post(reverse("accounts:account_reissue", args=[student.pk]))
    batch = IssueBatch.objects.get(kind=IssueBatch.Kind.REISSUE)
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    assert not _unchanged(student)
    sheet = client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk]))
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[2][3] == "hs.an"
    assert 'data-testid="sheet-code"' in client.get(reverse("accounts:batch", args=[batch.pk])).content.decode()
    # Another admin of the same school may hand them out; an admin who lost the role no longer may.
    co_admin = make_person(unit=school, role=Role.SCHOOL_ADMIN)
    assert can_download_sheet(co_admin, batch)
    admin.role_assignments.all().delete()
    assert not can_download_sheet(User.objects.get(pk=admin.pk), batch)


def test_the_schools_admin_still_cannot_take_over_the_principal(tree, school, admin):
    principal = make_person(unit=school, role=Role.PRINCIPAL)
    assert not can_reissue_credentials(admin, principal)
    with pytest.raises(PermissionDenied):
        credentials_reissue(actor=admin, accounts=[principal], school=school)


# --- staff accounts: the unit that issued them --------------------------------------------------
def test_a_staff_account_is_reissued_only_by_its_issuing_unit(client, tree):
    office_staff = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, username="phong.a1")
    department = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    refused = [
        make_person(unit=tree.ministry, role=Role.MINISTRY_STAFF),  # above the issuing unit
        make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF),  # a colleague
        make_person(unit=tree.dept_b, role=Role.DEPARTMENT_STAFF),  # another Department
        make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN),
    ]
    for actor in refused:
        assert not can_reissue_credentials(actor, office_staff)
        client.force_login(actor)
        assert client.post(reverse("accounts:account_reissue", args=[office_staff.pk])).status_code == 404
    assert _unchanged(office_staff)

    assert can_reissue_credentials(department, office_staff)
    client.force_login(department)
    response = client.post(reverse("accounts:account_reissue", args=[office_staff.pk]))
    batch = IssueBatch.objects.get(kind=IssueBatch.Kind.REISSUE)
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    assert not _unchanged(office_staff)
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk])).status_code == 200
    client.force_login(refused[0])
    assert client.get(reverse("accounts:batch_sheet_xlsx", args=[batch.pk])).status_code in (403, 404)


# --- above that: a request the school sees ------------------------------------------------------
def test_a_request_goes_to_the_school_which_reissues(client, tree, school, admin, student):
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Phạm Văn Phòng")
    client.force_login(office)
    url = reverse("accounts:credential_request_new", args=[student.pk])
    page = client.get(reverse("accounts:account_detail", args=[student.pk])).content.decode()
    assert 'data-testid="credential-request-form"' in page

    # A reason is required: nothing is sent without one.
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and 'data-testid="credential-request-form"' in response.content.decode()
    assert not CredentialRequest.objects.exists() and not Notification.objects.exists()

    response = client.post(url, {"reason": "Phụ huynh báo em quên mật khẩu"})
    assert response.status_code == 302
    request = CredentialRequest.objects.get()
    assert (request.account, request.school, request.requested_by, request.status) == (
        student,
        school,
        office,
        S.PENDING,
    )
    note = Notification.objects.get(recipient=admin)
    assert note.url == reverse("accounts:credential_requests", args=[school.pk])
    assert student.full_name in note.title and note.body == "Phụ huynh báo em quên mật khẩu"
    assert AuditEntry.objects.filter(action="credentials.request", target_id=str(student.pk), actor=office).exists()
    assert _unchanged(student)

    # A second request while one waits is refused with a clear message.
    department = make_person(unit=tree.dept_a, role=Role.DEPARTMENT_STAFF)
    client.force_login(department)
    page = client.get(reverse("accounts:account_detail", args=[student.pk])).content.decode()
    assert 'data-testid="credential-request-waiting"' in page
    response = client.post(url, {"reason": "Lần nữa"})
    assert response.status_code == 200 and "Phạm Văn Phòng" in response.content.decode()
    assert CredentialRequest.objects.count() == 1

    # Staff above and the principal cannot answer it.
    for outsider in (office, make_person(unit=school, role=Role.PRINCIPAL)):
        client.force_login(outsider)
        assert client.get(reverse("accounts:credential_requests", args=[school.pk])).status_code == 404
        decide = reverse("accounts:credential_request_decide", args=[request.pk])
        assert client.post(decide, {"decision": "reissue"}).status_code == 404
    assert CredentialRequest.objects.get().status == S.PENDING and _unchanged(student)

    # The school's admin sees it (tab and list) and re-issues through the normal re-issue.
    client.force_login(admin)
    tabs = client.get(reverse("accounts:school_accounts", args=[school.pk])).content.decode()
    assert 'data-testid="credential-requests-tab"' in tabs
    listing = client.get(reverse("accounts:credential_requests", args=[school.pk])).content.decode()
    assert listing.count('data-testid="credential-request"') == 1 and "Phụ huynh báo em quên mật khẩu" in listing
    response = client.post(reverse("accounts:credential_request_decide", args=[request.pk]), {"decision": "reissue"})
    request.refresh_from_db()
    assert request.status == S.DONE and request.decided_by == admin and request.batch is not None
    assert response.url == reverse("accounts:batch", args=[request.batch.pk])
    assert [row["username"] for row in sheet_load(batch=request.batch)] == ["hs.an"]
    assert not _unchanged(student)
    assert AuditEntry.objects.filter(action="credentials.reissue", target_id=str(student.pk), actor=admin).exists()
    assert AuditEntry.objects.filter(action="credentials.request_done", actor=admin).exists()
    told = Notification.objects.get(recipient=office)
    assert told.url == reverse("accounts:account_detail", args=[student.pk]) and student.full_name in told.title
    # Answered: it cannot be answered again.
    client.post(reverse("accounts:credential_request_decide", args=[request.pk]), {"decision": "reissue"})
    assert IssueBatch.objects.filter(kind=IssueBatch.Kind.REISSUE).count() == 1


def test_the_school_declines_with_a_reason(client, tree, school, admin, student):
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    client.force_login(office)
    client.post(reverse("accounts:credential_request_new", args=[student.pk]), {"reason": "Kiểm tra"})
    request = CredentialRequest.objects.get()
    client.force_login(admin)
    decide = reverse("accounts:credential_request_decide", args=[request.pk])
    client.post(decide, {"decision": "decline", "note": ""})
    assert CredentialRequest.objects.get().status == S.PENDING  # a reason is required
    client.post(decide, {"decision": "decline", "note": "Em đã tự đặt lại mật khẩu"})
    request.refresh_from_db()
    assert request.status == S.DECLINED and request.decision_note == "Em đã tự đặt lại mật khẩu"
    assert _unchanged(student) and not IssueBatch.objects.filter(kind=IssueBatch.Kind.REISSUE).exists()
    assert Notification.objects.get(recipient=office).body == "Em đã tự đặt lại mật khẩu"
    assert AuditEntry.objects.filter(action="credentials.request_declined", actor=admin).exists()
    # Nothing waits any more: the list says so, and a new request may be made.
    page = client.get(reverse("accounts:credential_requests", args=[school.pk])).content.decode()
    assert 'data-testid="credential-requests-empty"' in page
    client.force_login(office)
    client.post(reverse("accounts:credential_request_new", args=[student.pk]), {"reason": "Lại quên"})
    assert CredentialRequest.objects.filter(status=S.PENDING).count() == 1


def test_a_school_admin_or_teacher_cannot_file_a_request(client, tree, school, admin, student):
    teacher = make_person(unit=tree.g1, role=Role.TEACHER)
    for actor in (admin, teacher, make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN)):
        client.force_login(actor)
        response = client.post(reverse("accounts:credential_request_new", args=[student.pk]), {"reason": "x"})
        assert response.status_code == 404
    assert not CredentialRequest.objects.exists()
