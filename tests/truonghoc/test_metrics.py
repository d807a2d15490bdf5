"""/metrics (truonghoc/metrics.py): django-prometheus's per-view latency, Celery queue lengths and task
durations, for the allowed addresses or the token only."""

import os
import uuid

import pytest

from truonghoc import metrics
from truonghoc.celery import app

pytestmark = pytest.mark.django_db


def test_metrics_are_hidden_from_everyone_not_allowed(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1
    settings.METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"}).status_code == 200


def test_behind_a_proxy_the_clients_address_decides(client, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    settings.TRUSTED_PROXY_COUNT = 1
    # Through the proxy on 127.0.0.1, a visitor from outside is not the scraper.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_request_latency_per_view_queue_lengths_and_task_durations(client, settings, monkeypatch):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.0/8", "::1"]
    client.get("/healthz")
    monkeypatch.setattr(metrics, "queue_depths", lambda: {"celery": 7, "bulk": 0})

    @app.task(name="tests.metrics.timed")
    def timed():
        return 1

    try:
        timed.delay()  # eager in tests: the same prerun/postrun signals as on a worker
    finally:
        app.tasks.pop(timed.name, None)
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}' in text
    assert 'truonghoc_celery_queue_length{queue="celery"} 7.0' in text
    assert 'truonghoc_celery_queue_length{queue="bulk"} 0.0' in text
    assert 'truonghoc_celery_task_duration_seconds_count{state="SUCCESS",task="tests.metrics.timed"}' in text


def test_a_broker_that_is_down_does_not_break_the_scrape(client, settings, monkeypatch):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]

    def down():
        raise ConnectionError("redis://:secret@broker:6379 refused")

    monkeypatch.setattr(metrics, "queue_depths", down)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert "truonghoc_celery_queue_length{" not in response.content.decode()


def test_no_broker_means_no_queue_to_measure(settings):
    settings.CELERY_BROKER_URL = "memory://"
    assert metrics.queue_depths() is None


@pytest.mark.redis
def test_queue_depths_are_read_from_the_real_redis(settings, monkeypatch):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set (CI sets it)")
    import redis

    queue = f"test-depth-{uuid.uuid4().hex}"
    settings.CELERY_BROKER_URL = redis_url
    monkeypatch.setattr(metrics, "queue_names", lambda: [queue])
    client = redis.Redis.from_url(redis_url)
    try:
        client.rpush(queue, "a", "b", "c")
        client.rpush(queue + "\x06\x163", "prioritised")
        assert metrics.queue_depths() == {queue: 4}
    finally:
        client.delete(queue, queue + "\x06\x163")
        client.close()
