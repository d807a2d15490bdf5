"""A read cut off by a PostgreSQL restart is served again once; a write is never replayed (issue #19, point 5).
The PostgreSQL run of tests/ops/test_faults.py cuts real connections under gunicorn; here each case alone."""

from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

calls: list[str] = []


def _flaky(failures: int, error=OperationalError):
    @csrf_exempt
    def view(request):
        calls.append(request.method)
        if len(calls) <= failures:
            raise error("server closed the connection unexpectedly")
        return HttpResponse("served")

    return view


urlpatterns = [
    path("once/", _flaky(1)),
    path("always/", _flaky(99)),
    path("other-error/", _flaky(1, ValueError)),
]


@pytest.fixture(autouse=True)
def _urls():
    calls.clear()
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_a_read_whose_connection_was_cut_is_served_again(client):
    response = client.get("/once/")
    assert response.status_code == 200
    assert response.content == b"served"
    assert calls == ["GET", "GET"]


def test_a_write_is_never_replayed(client):
    assert client.post("/once/").status_code == 500
    assert calls == ["POST"]


def test_only_once_and_only_for_the_database(client):
    assert client.get("/always/").status_code == 500
    assert calls == ["GET", "GET"]
    calls.clear()
    assert client.get("/other-error/").status_code == 500
    assert calls == ["GET"]


@pytest.mark.django_db
def test_readiness_reconnects_once_before_saying_the_database_is_down():
    from truonghoc import health

    real = health._select_one
    tries = []

    def cut_once(alias):
        tries.append(alias)
        if len(tries) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real(alias)

    # The test's own connection holds its transaction: the close is recorded, not done.
    default = connections["default"]
    with mock.patch.object(health, "_select_one", cut_once), mock.patch.object(default, "close") as close:
        health._check_database("default")
    assert tries == ["default", "default"]
    close.assert_called_once_with()
