"""Parent accounts on request (issue #17): the parent names the school, the child's code and date of
birth; a wrong code, a wrong date or a child of another school are refused with the same words and
nothing stored; the school admin approves (the same one-time credential and sheet as every account)
or declines with a reason."""

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Guardianship, IssueBatch, ParentRequest, User
from accounts.services.parent_requests import (
    parent_request_approve,
    parent_request_create,
    parent_request_decline,
)
from notifications.models import Notification
from tests.accounts.family import make_family

pytestmark = pytest.mark.django_db
BORN = date(2014, 9, 5)
VALUES = {"parent_name": "Trần Văn Ba", "parent_phone": "0903 123 456", "parent_relation": "father"}


@pytest.fixture
def f(tree):
    family = make_family(tree)
    User.objects.filter(pk=family.cuong.pk).update(national_id="035214000123", date_of_birth=BORN)
    User.objects.filter(pk=family.other.pk).update(national_id="035214000999", date_of_birth=BORN)
    family.cuong.refresh_from_db()
    return family


def ask(f, *, school=None, code="035214000123", born=BORN, values=VALUES, requester=None):
    return parent_request_create(
        school_code=(school or f.tree.s1).code, student_code=code, date_of_birth=born, values=values,
        requester=requester,
    )  # fmt: skip


def test_a_wrong_code_date_or_school_is_refused_alike_and_nothing_is_stored(f):
    messages = set()
    for kwargs in (
        {"code": "035214000000"},  # no such child
        {"born": date(2014, 9, 6)},  # the wrong date
        {"code": "035214000999"},  # Khác exists, but at S2
        {"code": f.an.username},  # An has no date of birth on record: nothing to check against
    ):
        with pytest.raises(ValidationError) as refused:
            ask(f, **kwargs)
        messages.add(" ".join(refused.value.messages))
    assert len(messages) == 1  # one wording: the form tells nobody whether a child exists
    assert not ParentRequest.objects.exists() and not Notification.objects.exists()
    with pytest.raises(ValidationError) as refused:
        ask(f, school=f.tree.s1, values={**VALUES, "parent_phone": ""})
    assert "parent_phone" in refused.value.message_dict


def test_approval_issues_the_account_with_its_one_time_credential(f):
    request = ask(f, code=f.cuong.username.upper())  # the username works too, in any case
    assert request.child == f.cuong and request.phone == "0903123456"
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {f.principal.pk, f.admin.pk}
    with pytest.raises(ValidationError):  # the same request twice waits once
        ask(f)
    with pytest.raises(PermissionDenied):
        parent_request_approve(actor=f.homeroom, request=request)
    with pytest.raises(PermissionDenied):
        parent_request_approve(actor=f.other_admin, request=request)
    decided = parent_request_approve(actor=f.admin, request=request)
    parent = decided.request.parent
    assert decided.created and parent.account_type == User.AccountType.PARENT and parent.unit == f.tree.s1
    assert decided.batch.kind == IssueBatch.Kind.PARENT and parent.must_change_password
    assert Guardianship.objects.filter(parent=parent, child=f.cuong, ended_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        parent_request_approve(actor=f.admin, request=request)


def test_a_known_phone_is_linked_again_and_a_decline_needs_a_reason(f):
    mine = ask(f, values={**VALUES, "parent_phone": "0912345678"})  # Bình's phone: she has an account
    decided = parent_request_approve(actor=f.principal, request=mine)
    assert not decided.created and decided.request.parent == f.mother and decided.batch is None
    other = ask(f, values={**VALUES, "parent_phone": "0977000000"})
    with pytest.raises(ValidationError):
        parent_request_decline(actor=f.admin, request=other, reason="  ")
    parent_request_decline(actor=f.admin, request=other, reason="Không liên lạc được số điện thoại")
    other.refresh_from_db()
    assert other.status == ParentRequest.Status.DECLINED and other.parent is None


def test_a_parent_account_asks_for_a_child_of_its_own_school_only(f):
    with pytest.raises(ValidationError) as refused:  # Khác's parent asks for Cường of S1: the account is S2's
        ask(f, requester=f.other_parent)
    assert "No student of this school" in " ".join(refused.value.messages) or refused.value.code == "no_match"
    request = ask(f, requester=f.mother, values={"parent_relation": "mother"})  # Bình, for Cường of her school
    assert request.parent_name == f.mother.full_name and request.phone == "0912345678"
    decided = parent_request_approve(actor=f.admin, request=request)
    assert decided.request.parent == f.mother and not decided.created
    assert Notification.objects.filter(recipient=f.mother).exists()
    with pytest.raises(ValidationError):  # already followed
        ask(f, requester=f.mother, values={"parent_relation": "mother"})


def test_the_pages(client, f):
    cache.clear()  # the open form counts tries per address
    url = reverse("accounts:parent_request_new")
    page = client.get(url)
    assert page.status_code == 200 and "school_code" in page.text
    data = {"school_code": f.tree.s1.code.lower(), "student_code": "035214000123", "date_of_birth": "05/09/2014",
            "parent_name": "Trần Văn Ba", "parent_relation": "father", "parent_phone": "0903123456"}  # fmt: skip
    wrong = client.post(url, {**data, "date_of_birth": "06/09/2014"})
    assert wrong.status_code == 200 and "form-errors" in wrong.text and not ParentRequest.objects.exists()
    sent = client.post(url, data)
    assert "parent-request-sent" in sent.text
    request = ParentRequest.objects.get()
    client.force_login(f.maths)
    assert client.get(reverse("accounts:parent_requests", args=[f.tree.s1.pk])).status_code == 404
    assert (
        client.post(reverse("accounts:parent_request_decide", args=[request.pk]), {"decision": "approve"}).status_code
        == 404
    )
    client.force_login(f.admin)
    listing = client.get(reverse("accounts:parent_requests", args=[f.tree.s1.pk]))
    assert list(listing.context["page"].object_list) == [request]
    done = client.post(reverse("accounts:parent_request_decide", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert done.url == reverse("accounts:batch", args=[request.batch_id])
    assert client.get(done.url).status_code == 200


def test_the_open_form_is_limited_per_address(client, f, monkeypatch):
    cache.clear()
    monkeypatch.setattr("accounts.views.parent_requests.TRIES_PER_HOUR", 1)
    url = reverse("accounts:parent_request_new")
    data = {"school_code": f.tree.s1.code, "student_code": "035214000000", "date_of_birth": "05/09/2014",
            "parent_name": "Trần Văn Ba", "parent_relation": "father", "parent_phone": "0903123456"}  # fmt: skip
    client.post(url, data)
    refused = client.post(url, {**data, "student_code": "035214000123"})  # right this time, but too many tries
    assert "form-errors" in refused.text and not ParentRequest.objects.exists()
