"""Request ids (truonghoc/observability.py): from X-Request-ID or made here, in the response and every log
line, carried into the Celery tasks enqueued during the request; secrets masked in every log record."""

import io
import json
import logging
import os
import re
import uuid

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from tests.celery_broker import celery_broker
from truonghoc import observability
from truonghoc.celery import app
from truonghoc.observability import (
    RedactSecretsFilter,
    RequestIdFilter,
    RequestIdMiddleware,
    current_request_id,
    redact,
    secret_values,
)

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def _through_middleware(headers=None):
    seen = {}

    def view(request):
        seen["id"] = current_request_id.get()
        seen["attribute"] = request.request_id
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers=headers or {})
    response = RequestIdMiddleware(view)(request)
    return response, seen


def test_the_load_balancers_request_id_is_kept_and_returned():
    response, seen = _through_middleware({"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == seen["id"] == seen["attribute"] == "lb-7f3a.42"
    assert current_request_id.get() == ""  # reset once the request is over


@pytest.mark.parametrize("given", [None, "", "two words", "x" * 129, 'quote"d', "new\nline", "đ"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(given):
    response, seen = _through_middleware({"X-Request-ID": given} if given is not None else None)
    assert HEX_ID.match(response["X-Request-ID"]) and response["X-Request-ID"] == seen["id"]


@pytest.mark.django_db
def test_every_page_answers_with_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX_ID.match(first) and HEX_ID.match(second) and first != second
    assert client.get("/", headers={"X-Request-ID": "abc-123"})["X-Request-ID"] == "abc-123"


def _handler(formatter):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.observability.{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, stream


def test_log_lines_carry_the_request_id_in_json():
    from pythonjsonlogger.json import JsonFormatter

    logger, stream = _handler(JsonFormatter("%(levelname)s %(message)s %(request_id)s"))
    logger.info("outside")
    token = current_request_id.set("req-1")
    try:
        logger.info("inside %s", "a request")
    finally:
        current_request_id.reset(token)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["message"], line["request_id"]) for line in lines] == [
        ("outside", "-"),
        ("inside a request", "req-1"),
    ]


def test_storage_and_database_credentials_never_reach_the_logs(monkeypatch):
    from pythonjsonlogger.json import JsonFormatter

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("STORAGE_URL", "s3://AKIAEXAMPLE:st0rage-pa55word@minio.local:9000/truonghoc")
    monkeypatch.setenv("DATABASE_URL", "postgres://th:db-pa55word@127.0.0.1:5432/truonghoc")
    logger, stream = _handler(JsonFormatter("%(message)s"))
    logger.warning("boto: signing with %s", "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY")
    logger.warning("upload to https://minio.local/b/x.pdf?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abcdef0123456789")
    logger.warning("Authorization: AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/2026, Signature=0123456789abcdef0123")
    try:
        raise ConnectionError("could not connect to redis://:r3dis-pa55word@cache:6379/0")
    except ConnectionError:
        logger.exception("cache down; storage %s", "s3://AKIAEXAMPLE:st0rage-pa55word@minio.local:9000/truonghoc")
    try:
        raise OSError("retry with st0rage-pa55word")
    except OSError:
        logger.exception("storage failed")
    text = stream.getvalue()
    for secret in ("wJalrXUtnFEMI", "st0rage-pa55word", "r3dis-pa55word", "abcdef0123456789", "0123456789abcdef0123"):
        assert secret not in text, secret
    assert "AKIA%2F1" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert records[3]["message"] == "cache down; storage s3://AKIAEXAMPLE:***@minio.local:9000/truonghoc"
    assert "ConnectionError" in records[3]["exc_info"] and "redis://:***@cache:6379/0" in records[3]["exc_info"]
    assert "retry with ***" in records[4]["exc_info"]


def test_secret_values_take_passwords_from_urls_and_named_secrets_only():
    environ = {
        "DATABASE_URL": "postgres://th:db-pa55word@127.0.0.1/x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SECRET_KEY": "a-long-django-secret-key",
        "METRICS_TOKEN": "scrape-token-123",
        "HOME": "/root",
        "SHORT_KEY": "abc",
    }
    assert secret_values(environ) == ["a-long-django-secret-key", "scrape-token-123", "db-pa55word"]
    assert redact("smtp+tls://mailer:p%40ss@smtp.example.vn:587") == "smtp+tls://mailer:***@smtp.example.vn:587"
    assert redact("plain text with no secret") == "plain text with no secret"


@pytest.fixture
def recorded_task():
    """A task that records the request id its worker sees (registered on the project's app for the test)."""
    seen = []

    @app.task(name="tests.observability.record_request_id", bind=True)
    def record(self):
        seen.append((current_request_id.get(), getattr(self.request, "request_id", None)))
        return "done"

    yield record, seen
    app.tasks.pop(record.name, None)


def test_a_task_enqueued_during_a_request_carries_its_id_to_the_worker(recorded_task):
    """Through a real broker hop (the real Redis when REDIS_URL is set, else kombu's in-memory transport) and a
    real worker thread: the id is put in the message headers when the task is published and set again in the
    worker around the task."""
    from celery.contrib.testing.worker import start_worker

    record, seen = recorded_task
    broker = os.environ.get("REDIS_URL") or "memory://"
    queue = f"test-request-id-{uuid.uuid4().hex}"  # so that no other worker on this broker takes our task
    backend = broker if broker.startswith("redis") else "cache+memory://"
    with (
        celery_broker(broker, result_backend=backend) as broker_app,
        start_worker(broker_app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10),
    ):
        token = current_request_id.set("req-into-task")
        try:
            result = record.apply_async(queue=queue)
        finally:
            current_request_id.reset(token)
        assert result.get(timeout=30) == "done"
        untraced = record.apply_async(queue=queue)
        assert untraced.get(timeout=30) == "done"
    assert seen[0] == ("req-into-task", "req-into-task")
    # A task enqueued outside any request (beat) is logged under its own task id.
    assert seen[1][0] == f"task-{untraced.id}" and seen[1][1] is None


def test_a_task_run_is_logged_with_its_request_id_and_duration(recorded_task, caplog):
    record, _seen = recorded_task
    token = current_request_id.set("req-eager")
    try:
        with caplog.at_level(logging.INFO, logger="truonghoc.tasks"):
            record.delay()
    finally:
        current_request_id.reset(token)
    finished = [r for r in caplog.records if r.name == "truonghoc.tasks" and "finished" in r.getMessage()]
    assert len(finished) == 1
    assert finished[0].task_name == "tests.observability.record_request_id" and finished[0].task_state == "SUCCESS"
    assert finished[0].duration_ms >= 0
    assert observability.current_request_id.get() == ""
