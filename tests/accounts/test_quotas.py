"""Quotas: set by the unit above; requests, decisions, notifications; deactivation frees a place."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import AccountQuota, QuotaRequest
from accounts.services.quotas import quota_check, quota_request_create, quota_request_decide, quota_usage
from notifications.models import Notification
from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture
def setup(tree):
    AccountQuota.objects.create(school=tree.s1, teachers=2, students=4)
    admin = make_person(unit=tree.s1, role=Role.SCHOOL_ADMIN, account_type="teacher")
    office = make_person(unit=tree.office_a1, role=Role.OFFICE_STAFF)
    return tree, admin, office


def test_usage_counts_active_accounts_only(setup):
    tree, _admin, _office = setup
    student = make_person(unit=tree.c1, role=Role.STUDENT)
    make_person(unit=tree.c1, role=Role.STUDENT)
    assert quota_usage(school=tree.s1)["student"] == {"limit": 4, "used": 2, "remaining": 2}
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert quota_usage(school=tree.s1)["student"]["remaining"] == 3  # deactivating frees a place
    assert quota_usage(school=tree.s1)["teacher"] == {"limit": 2, "used": 1, "remaining": 1}


def test_the_school_with_4_places_and_45_new_students(setup):
    """The complaint in the seeds, end to end: refused with the numbers, asked, approved, then possible."""
    tree, admin, office = setup
    with pytest.raises(ValidationError) as excinfo:
        quota_check(school=tree.s1, account_type="student", adding=45)
    message = excinfo.value.messages[0]
    assert "4" in message and "45" in message and tree.office_a1.name in message

    request = quota_request_create(
        actor=admin, school=tree.s1, account_type="student", amount=41, reason="45 học sinh mới nhập học"
    )
    assert Notification.objects.filter(recipient=office, title__contains="41").exists()
    quota_request_decide(actor=office, request=request, approve=True, note="Đồng ý")
    assert AccountQuota.objects.get(school=tree.s1).students == 45
    assert Notification.objects.filter(recipient=admin, title__contains="41").exists()
    quota_check(school=tree.s1, account_type="student", adding=45)  # no longer refused
    with pytest.raises(ValidationError):
        quota_request_decide(actor=office, request=request, approve=False, note="late")  # decided once only


def test_refusing_needs_a_reason(setup):
    tree, admin, office = setup
    request = quota_request_create(
        actor=admin, school=tree.s1, account_type="teacher", amount=3, reason="Giáo viên mới"
    )
    with pytest.raises(ValidationError):
        quota_request_decide(actor=office, request=request, approve=False, note="  ")
    quota_request_decide(actor=office, request=request, approve=False, note="Chưa có biên chế")
    request.refresh_from_db()
    assert request.status == "refused" and AccountQuota.objects.get(school=tree.s1).teachers == 2


def test_request_needs_a_positive_amount_and_a_reason(setup):
    tree, admin, _office = setup
    with pytest.raises(ValidationError):
        quota_request_create(actor=admin, school=tree.s1, account_type="student", amount=0, reason="x")
    with pytest.raises(ValidationError):
        quota_request_create(actor=admin, school=tree.s1, account_type="student", amount=5, reason=" ")
    assert not QuotaRequest.objects.exists()


def test_quota_pages_school_asks_office_decides_others_cannot(client, setup):
    tree, admin, office = setup
    client.force_login(admin)
    url = reverse("accounts:quota", args=[tree.s1.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="send-request"' in page and 'name="set"' not in page
    client.post(url, {"request": "1", "account_type": "student", "amount": 41, "reason": "Tuyển sinh bổ sung"})
    request = QuotaRequest.objects.get()
    # A school admin cannot set its own quota, even by posting the form.
    client.post(url, {"set": "1", "teachers": 999, "students": 999})
    assert AccountQuota.objects.get(school=tree.s1).students == 4
    # The Office sees and decides it.
    client.force_login(office)
    listing = client.get(reverse("accounts:quota_requests")).content.decode()
    assert tree.s1.name in listing and "Tuyển sinh bổ sung" in listing
    client.post(reverse("accounts:quota_request_decide", args=[request.pk]), {"decision": "approve", "note": ""})
    assert AccountQuota.objects.get(school=tree.s1).students == 45
    client.post(url, {"set": "1", "teachers": 30, "students": 500})
    assert AccountQuota.objects.get(school=tree.s1).students == 500
    # Another Office's staff sees nothing of it and cannot decide.
    other = make_person(unit=tree.office_b1, role=Role.OFFICE_STAFF)
    client.force_login(other)
    assert list(client.get(reverse("accounts:quota_requests") + "?status=all").context["page"]) == []
    request2 = quota_request_create(actor=admin, school=tree.s1, account_type="teacher", amount=1, reason="x")
    assert (
        client.post(reverse("accounts:quota_request_decide", args=[request2.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert client.get(url).status_code == 404


def test_numbers_in_refusals_requests_and_notifications_are_written_the_vietnamese_way(setup):
    """Point 8 of the first-week issue: "2.587", not "2587", in the refusal, the request's notification
    and the decision's notification."""
    tree, admin, office = setup
    AccountQuota.objects.filter(school=tree.s1).update(students=1500)
    with translation.override("vi"), pytest.raises(ValidationError) as excinfo:
        quota_check(school=tree.s1, account_type="student", adding=2587)
    assert "1.500" in excinfo.value.messages[0] and "2.587" in excinfo.value.messages[0]
    with translation.override("vi"):
        request = quota_request_create(
            actor=admin, school=tree.s1, account_type="student", amount=1087, reason="Khối 6 năm học mới"
        )
        asked = Notification.objects.get(recipient=office)
        assert "1.087" in asked.title
        quota_request_decide(actor=office, request=request, approve=True)
    told = Notification.objects.filter(recipient=admin).latest("created_at")
    assert "1.087" in told.title and "1087" not in told.title
