"""truonghoc.http.client_ip: the client's address behind TRUSTED_PROXY_COUNT proxies, never a spoofed one."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from truonghoc.http import client_ip

PROXY = "10.0.0.254"  # REMOTE_ADDR as Django sees it behind our proxy


def request(forwarded=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_allauth_trusts_the_same_proxies():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT
    assert settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER is None


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_with_no_trusted_proxy_a_spoofed_header_is_ignored():
    assert client_ip(request("203.0.113.7")) == PROXY
    assert client_ip(request("203.0.113.7, 198.51.100.2")) == PROXY
    assert client_ip(request()) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_the_last_entry_is_the_client():
    assert client_ip(request("203.0.113.7")) == "203.0.113.7"
    # Whatever the client wrote itself stays on the left, where nobody reads it.
    assert client_ip(request("1.1.1.1, 203.0.113.7")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_the_second_entry_from_the_right_is_the_client():
    # The load balancer appended the client, nginx appended the load balancer.
    assert client_ip(request("203.0.113.7, 10.0.0.9")) == "203.0.113.7"
    assert client_ip(request("6.6.6.6, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"
    assert client_ip(request(" 2001:DB8::1 ,10.0.0.9")) == "2001:db8::1"


@pytest.mark.parametrize("forwarded", [None, "", " ", "203.0.113.7"])
@override_settings(TRUSTED_PROXY_COUNT=2)
def test_a_header_shorter_than_the_count_falls_back_to_the_peer(forwarded):
    assert client_ip(request(forwarded)) == PROXY


@pytest.mark.parametrize("forwarded", ["not-an-address, 10.0.0.9", "unknown, 10.0.0.9", ", 10.0.0.9"])
@override_settings(TRUSTED_PROXY_COUNT=2)
def test_an_entry_that_is_no_address_falls_back_to_the_peer(forwarded):
    assert client_ip(request(forwarded)) == PROXY


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_port_added_by_the_proxy_is_not_part_of_the_address():
    assert client_ip(request("203.0.113.7:51234")) == "203.0.113.7"
    assert client_ip(request("[2001:db8::1]:443")) == "2001:db8::1"
