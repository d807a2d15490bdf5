"""The quota round trip: refused import → pre-filled request → decision seeing the usage → the same import
confirmed without a new upload."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccountQuota, IssueBatch, QuotaRequest, User
from accounts.services.issuing import (
    import_quota_gap,
    import_quota_recheck,
    import_start,
    import_validate,
)
from accounts.services.quotas import quota_request_create, quota_request_decide, quota_set
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import AuditEntry, Role

from .spreadsheets import students, xlsx


@pytest.fixture
def office(tree):
    return make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF, full_name="Đỗ Văn Phòng")


def run_import(admin, school, content, name="lop-6a1.xlsx", account_type="student"):
    batch = import_start(
        actor=admin, school=school, account_type=account_type, upload=SimpleUploadedFile(name, content)
    )
    return import_validate(batch=batch, content=content)


# --- a) the request pre-filled from the refused import ------------------------------------------------
def test_refused_import_links_to_a_request_prefilled_with_the_places_missing(client, school, admin):
    batch = run_import(admin, school, xlsx(students(45)))
    assert batch.status == "invalid" and import_quota_gap(batch=batch) == 35
    client.force_login(admin)
    page = client.get(reverse("accounts:batch", args=[batch.pk])).content.decode()
    link = f"{reverse('accounts:quota', args=[school.pk])}?lo={batch.pk}"
    assert link in page and "Cần thêm 35 chỗ" in page and 'data-testid="confirm-import"' not in page

    form = client.get(link).context["request_form"]
    assert form.initial["account_type"] == "student" and form.initial["amount"] == 35
    assert form.initial["batch"] == batch.pk and "lop-6a1.xlsx" in form.initial["reason"]
    assert "45" in form.initial["reason"] and "10" in form.initial["reason"]

    response = client.post(
        reverse("accounts:quota", args=[school.pk]),
        {"request": "1", "account_type": "student", "amount": 35, "reason": form.initial["reason"], "batch": batch.pk},
    )
    request = QuotaRequest.objects.get()
    assert request.batch == batch and request.amount == 35 and request.account_type == "student"
    # Back on the import, which now says the request is waiting rather than inviting a second one.
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="request-waiting"' in page and "Đề nghị cấp thêm 35 tài khoản" in page
    assert 'data-testid="request-quota"' not in page


def test_a_request_cannot_name_another_schools_import(client, tree, school, admin):
    other_admin = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="teacher")
    other = import_start(
        actor=other_admin, school=tree.s2, account_type="student", upload=SimpleUploadedFile("x.xlsx", b"x")
    )
    client.force_login(admin)
    url = reverse("accounts:quota", args=[school.pk])
    assert client.get(f"{url}?lo={other.pk}").context["request_form"].initial == {}  # nothing pre-filled
    response = client.post(
        url, {"request": "1", "account_type": "student", "amount": 5, "reason": "Tuyển sinh", "batch": other.pk}
    )
    assert "Lần nhập tệp này không thuộc trường này." in response.content.decode()
    assert not QuotaRequest.objects.exists()
    with pytest.raises(Exception, match="không thuộc trường này"):
        quota_request_create(
            actor=admin, school=school, account_type="student", amount=5, reason="Tuyển sinh", batch=other
        )
    assert not QuotaRequest.objects.exists()


# --- b) the approver sees the school's usage ------------------------------------------------------
def test_the_decider_sees_each_schools_quota_use_and_free_places(client, tree, school, admin, office):
    make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.c1, role=Role.STUDENT)
    batch = run_import(admin, school, xlsx(students(45)))
    quota_request_create(
        actor=admin, school=school, account_type="student", amount=37, reason="Tuyển sinh", batch=batch
    )
    client.force_login(office)
    page = client.get(reverse("accounts:quota_requests")).content.decode()
    row = re.search(r'data-testid="usage-student">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row)
    assert cells == ["Học sinh", "10", "2", "8", "47"]  # quota, in use, free, quota if approved
    teachers = re.findall(
        r"<t[dh][^>]*>([^<]*)</t[dh]>", re.search(r'data-testid="usage-teacher">(.*?)</tr>', page, re.S).group(1)
    )
    assert teachers == ["Giáo viên", "10", "1", "9", "10"]  # the admin holds a teacher account
    assert "lop-6a1.xlsx" in page and "45 người mới" in page


def test_the_request_list_costs_the_same_few_queries_for_many_schools(
    client, tree, school, admin, office, django_assert_max_num_queries
):
    other_admin = make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="teacher")
    AccountQuota.objects.create(school=tree.s2, teachers=1, students=1)

    def ask():
        for who, unit in ((admin, school), (other_admin, tree.s2)):
            batch = run_import(who, unit, xlsx(students(3)))
            quota_request_create(
                actor=who, school=unit, account_type="student", amount=3, reason="Tuyển sinh", batch=batch
            )

    client.force_login(office)
    url = reverse("accounts:quota_requests")
    ask()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _round in range(4):
        ask()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 10
    assert page.content.decode().count('data-testid="request-usage"') == 10


# --- c) after the approval, the same import is confirmed --------------------------------------------
def test_after_approval_the_waiting_import_is_confirmed_without_a_new_upload(client, school, admin, office):
    batch = run_import(admin, school, xlsx(students(45)))
    request = quota_request_create(
        actor=admin, school=school, account_type="student", amount=35, reason="Tuyển sinh", batch=batch
    )
    quota_request_decide(actor=office, request=request, approve=True)
    note = Notification.objects.get(recipient=admin)
    assert note.url == reverse("accounts:batch", args=[batch.pk]) and "lop-6a1.xlsx" in note.title

    client.force_login(admin)
    page = client.get(note.url).content.decode()
    batch.refresh_from_db()
    assert batch.status == "ready" and batch.message == ""
    assert 'data-testid="confirm-import"' in page
    assert AuditEntry.objects.filter(action="account.import_quota_recheck", target_id=str(batch.pk)).exists()
    client.post(reverse("accounts:batch_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "done" and batch.new_rows == 45
    assert User.objects.filter(unit=school, account_type="student").count() == 45
    assert IssueBatch.objects.filter(kind="import").count() == 1  # the same batch: no second upload


def test_a_partial_approval_keeps_the_import_waiting_with_the_new_numbers(client, school, admin, office):
    batch = run_import(admin, school, xlsx(students(45)))
    quota_set(actor=office, school=school, teachers=10, students=30)
    batch = import_quota_recheck(actor=admin, batch=batch)
    assert batch.status == "invalid" and "15" in batch.message and "30" in batch.message
    assert import_quota_gap(batch=batch) == 15
    client.force_login(admin)
    page = client.get(reverse("accounts:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="confirm-import"' not in page and "Cần thêm 15 chỗ" in page
    assert User.objects.filter(account_type="student").count() == 0


def test_a_ready_import_that_no_longer_fits_says_so_before_the_click(client, school, admin, office):
    batch = run_import(admin, school, xlsx(students(8)))
    assert batch.status == "ready"
    quota_set(actor=office, school=school, teachers=10, students=5)
    client.force_login(admin)
    page = client.get(reverse("accounts:batch", args=[batch.pk])).content.decode()
    batch.refresh_from_db()
    assert batch.status == "invalid" and 'data-testid="confirm-import"' not in page
    assert "Cần thêm 3 chỗ" in page


def test_check_again_rereads_the_kept_file(client, school, admin, office):
    batch = run_import(admin, school, xlsx(students(12)))
    assert batch.status == "invalid"
    client.force_login(admin)
    page = client.get(reverse("accounts:batch", args=[batch.pk])).content.decode()
    assert 'data-testid="recheck-import"' in page and "Kiểm tra lại" in page
    quota_set(actor=office, school=school, teachers=10, students=12)
    response = client.post(reverse("accounts:batch_recheck", args=[batch.pk]))
    assert response.url == reverse("accounts:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == "ready" and batch.new_rows == 12 and batch.rows.count() == 12
    assert AuditEntry.objects.filter(action="account.import_recheck", target_id=str(batch.pk)).exists()


def test_check_again_is_refused_with_a_reason_once_imported_and_outside_the_school(client, tree, school, admin):
    batch = run_import(admin, school, xlsx(students(3)))
    client.force_login(admin)
    client.post(reverse("accounts:batch_confirm", args=[batch.pk]))
    response = client.post(reverse("accounts:batch_recheck", args=[batch.pk]), follow=True)
    assert "Tệp này đã được nhập xong: không còn gì để kiểm tra lại." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "done" and User.objects.filter(account_type="student").count() == 3
    client.force_login(make_person(unit=tree.s2, role=Role.SCHOOL_ADMIN, account_type="teacher"))
    assert client.post(reverse("accounts:batch_recheck", args=[batch.pk])).status_code == 404


def test_approval_for_an_import_with_bad_rows_does_not_promise_a_confirmation(school, admin, office):
    batch = run_import(admin, school, xlsx([*students(12), ["", "01/01/2012", "Nam", "0999999999", "6A1", "", ""]]))
    assert batch.error_rows == 1 and import_quota_gap(batch=batch) == 2
    request = quota_request_create(
        actor=admin, school=school, account_type="student", amount=2, reason="Tuyển sinh", batch=batch
    )
    quota_request_decide(actor=office, request=request, approve=True)
    assert Notification.objects.get(recipient=admin).url == reverse("accounts:quota", args=[school.pk])
    batch = import_quota_recheck(actor=admin, batch=batch)
    assert batch.status == "invalid"  # the bad row still has to be corrected
