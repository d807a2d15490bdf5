"""/healthz and /readyz (truonghoc/health.py): per-check status and timing, 200/503, no secrets."""

import json

import pytest
from django.conf import settings
from django.core.files.storage import storages

from truonghoc import health

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readiness_checks_database_cache_storage_and_queues(client, settings):
    settings.CELERY_BROKER_URL = "memory://"  # tasks run in-process (make run): no queue to measure
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage:default", "storage:private", "queues"}
    for name, check in body["checks"].items():
        assert check["status"] in {"ok", "skipped"}, name
        assert isinstance(check["ms"], float) and check["ms"] >= 0
    assert body["checks"]["queues"]["status"] == "skipped"
    # The probe leaves nothing behind in the storages it wrote to.
    assert storages["default"].listdir("readyz")[1] == []


def test_a_failed_check_gives_503_and_reveals_no_secret(client, monkeypatch):
    secret = "postgres://th:Sup3r-s3cret@db.internal:5432/truonghoc"

    def refuse(*args, **kwargs):
        raise PermissionError(f"cannot write to {secret}")

    monkeypatch.setattr(type(storages["private"]), "save", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["storage:private"] == {
        "status": "fail",
        "error": "PermissionError",
        "ms": body["checks"]["storage:private"]["ms"],
    }
    assert body["checks"]["database"]["status"] == "ok"
    text = response.content.decode()
    assert "Sup3r" not in text and "db.internal" not in text


def test_the_database_failing_is_reported_by_name_only(client, monkeypatch):
    def broken(alias):
        raise ConnectionError(f"could not connect to {settings.DATABASES[alias]['NAME']}")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["error"] == "ConnectionError"
    assert str(settings.DATABASES["default"]["NAME"]) not in response.content.decode()


def test_a_queue_longer_than_the_threshold_makes_the_process_not_ready(client, monkeypatch, settings):
    settings.READY_QUEUE_MAX_DEPTH = 100
    monkeypatch.setattr(health, "queue_depths", lambda: {"celery": 100})
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(health, "queue_depths", lambda: {"celery": 101})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queues"] == {
        "status": "fail",
        "depths": {"celery": 101},
        "limit": 100,
        "ms": response.json()["checks"]["queues"]["ms"],
    }


def test_every_configured_database_alias_is_checked(monkeypatch):
    """A replica (any alias besides default) gets its own check."""
    seen = []
    monkeypatch.setattr(health, "_check_database", seen.append)
    monkeypatch.setattr(health, "connections", ["default", "replica"])
    report = health.readiness()
    assert seen == ["default", "replica"]
    assert report["checks"]["database:replica"]["status"] == "ok"
    json.dumps(report)
