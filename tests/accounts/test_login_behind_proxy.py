"""Failed-login limits count the real client address (TRUSTED_PROXY_COUNT), never a spoofed one."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.accounts.factories import make_person
from units.models import Role

PASSWORD = "secret-pass-123"
LOGIN = "/tai-khoan/login/"
PROXY = "10.0.0.254"  # every request reaches Django from our reverse proxy


@pytest.fixture
def teacher(tree):
    # Rate-limit counters live in the (per-process) cache: start from none.
    cache.clear()
    return make_person(unit=tree.g1, role=Role.TEACHER, username="gv.proxy")


def login(client, password, forwarded=None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(LOGIN, {"login": "gv.proxy", "password": password}, **headers)


def fail_five_times(client, forwarded=None):
    for _ in range(5):
        assert login(client, "wrong", forwarded).status_code == 200


def logged_in(client):
    return "_auth_user_id" in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_two_clients_behind_one_proxy_have_separate_failed_login_limits(client, teacher):
    fail_five_times(client, "203.0.113.7")
    # The client who failed is locked out, even with the right password…
    login(client, PASSWORD, "203.0.113.7")
    assert not logged_in(client)
    # …but the teacher at another address, behind the same proxy, logs in.
    assert login(client, PASSWORD, "198.51.100.2").status_code == 302
    assert logged_in(client)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_with_no_trusted_proxy_a_spoofed_header_does_not_escape_the_limit(client, teacher):
    for n in range(5):
        login(client, "wrong", f"203.0.113.{n}")
    login(client, PASSWORD, "198.51.100.2")
    assert not logged_in(client)


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_a_header_shorter_than_the_count_logs_in_without_an_error(client, teacher):
    # allauth alone would raise ImproperlyConfigured here (a 500): the address falls back to the peer.
    assert login(client, PASSWORD, "203.0.113.7").status_code == 302
    assert logged_in(client)
