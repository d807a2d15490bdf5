"""Every login door is rate-limited and gives nothing away (issue #14, point 2): the admin logs in through
the portal's login, the failure limit counts per account (username and email alike) and address, and a
refusal costs the same password hashing whichever check failed."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import InitialCredential
from accounts.services.credentials import code_generate, code_hash
from tests.accounts.factories import make_person
from tests.accounts.test_login import PASSWORD, login
from tests.accounts.test_login import teacher as teacher  # the login tests' teacher fixture, shared
from units.models import Role


@pytest.fixture(autouse=True)
def fresh_limits():
    # The failure counters live in the cache, which outlives a test's database rollback.
    cache.clear()


def test_admin_login_goes_to_the_portal_login_keeping_next(client, db):
    response = client.get("/quan-tri/login/?next=/quan-tri/accounts/user/")
    assert response.status_code == 302
    target = urlparse(response.url)
    assert target.path == reverse("account_login")
    assert parse_qs(target.query)["next"] == ["/quan-tri/accounts/user/"]
    # The admin's own pages send an anonymous visitor the same way.
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_admin_login_form_logs_nobody_in_and_is_limited_like_the_portal(client, teacher):
    teacher.is_staff = True
    teacher.save(update_fields=["is_staff"])
    for _ in range(6):
        response = client.post("/quan-tri/login/", {"username": "gv.tranphu", "password": PASSWORD})
        assert response.status_code == 302 and "_auth_user_id" not in client.session
    # The portal door counts failures for the staff account too.
    for _ in range(5):
        login(client, "gv.tranphu", "wrong")
    login(client, "gv.tranphu")
    assert "_auth_user_id" not in client.session


def test_failures_by_username_lock_the_same_account_typed_by_email(client, teacher):
    for _ in range(5):
        login(client, "gv.tranphu", "wrong")
    response = login(client, "GV@example.edu.vn")
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    # Another address is not locked out.
    assert login(client, "gv@example.edu.vn", ip="10.9.9.9").status_code == 302


def test_an_unknown_name_has_its_own_counter(client, teacher):
    for _ in range(5):
        login(client, "khong.ai", "wrong")
    assert login(client, "gv.tranphu").status_code == 302


@pytest.fixture
def hashes(monkeypatch):
    """Counts password-hash computations (the test settings hash with MD5)."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(1)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


def _hashes_for(client, hashes, login_value, password):
    hashes.clear()
    login(client, login_value, password)
    client.logout()
    return len(hashes)


def test_a_refusal_costs_the_same_hashing_whichever_check_failed(client, teacher, tree, hashes):
    pupil = make_person(unit=tree.c1, role=Role.STUDENT, username="hs.moi")
    pupil.set_unusable_password()
    pupil.save()
    code = code_generate()
    InitialCredential.objects.update_or_create(
        user=pupil,
        defaults={
            "code_hash": code_hash(user_id=pupil.pk, code=code),
            "expires_at": timezone.now() + timedelta(days=3),
        },
    )
    counts = {
        "unknown user": _hashes_for(client, hashes, "khong.ai", PASSWORD),
        "unknown email": _hashes_for(client, hashes, "khong@example.edu.vn", PASSWORD),
        "wrong password": _hashes_for(client, hashes, "gv.tranphu", "wrong-password"),
        "wrong password by email": _hashes_for(client, hashes, "gv@example.edu.vn", "wrong-password"),
        "one-time code miss": _hashes_for(client, hashes, "hs.moi", "ABCDEFGHJK"),
        "right password": _hashes_for(client, hashes, "gv.tranphu", PASSWORD),
        "one-time code hit": _hashes_for(client, hashes, "hs.moi", code),
    }
    assert set(counts.values()) == {1}, counts
