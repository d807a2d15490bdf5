"""Password reset sends mail only to an address that has an account (issue #14 point 8), and the page
answers the same whether the address is known or not: nobody learns who has an account here."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.accounts.factories import make_person
from units.models import Role


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # allauth's reset limits live in the cache
    yield
    cache.clear()


def test_an_unknown_address_gets_no_mail_and_the_same_answer(client, tree):
    make_person(unit=tree.g1, role=Role.TEACHER, email="co.lan@truong.edu.vn")
    url = reverse("account_reset_password")

    unknown = client.post(url, {"email": "nobody@example.com"})
    assert mail.outbox == []

    known = client.post(url, {"email": "co.lan@truong.edu.vn"})
    assert [m.to for m in mail.outbox] == [["co.lan@truong.edu.vn"]]

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("account_reset_password_done")


def test_an_unknown_address_still_gets_no_mail_when_it_looks_like_a_deactivated_one(client, tree):
    person = make_person(unit=tree.g1, role=Role.TEACHER, email="thay.nam@truong.edu.vn")
    person.is_active = False
    person.save(update_fields=["is_active"])
    response = client.post(reverse("account_reset_password"), {"email": "thay.nam@truong.edu.vn"})
    assert response.status_code == 302 and mail.outbox == []
