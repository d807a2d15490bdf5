"""What an operator reads: the request id that ties a page's log lines to the Celery tasks it enqueued, and the
logging filters every handler carries (the request id, and secrets masked).

The id comes from the X-Request-ID header a load balancer sets (kept when it is a sane token) or is made
here; `RequestIdMiddleware` puts it in `current_request_id` for the request's duration and in the response's
X-Request-ID header (gunicorn's access log prints it too: truonghoc/gunicorn.conf.py). A task enqueued
during the request carries it in its message headers (`before_task_publish`) and the worker sets it again
around the task (`task_prerun`/`task_postrun`), logging the task's start and end with its duration. The
signal handlers are connected by truonghoc/celery.py, so the web processes (which publish) and the workers
(which run) both have them."""

import contextlib
import logging
import os
import re
import time
import uuid
from contextvars import ContextVar
from urllib.parse import urlsplit

from celery import signals

HEADER = "X-Request-ID"
# A load balancer's id (uuid, hex, AWS's "Root=1-…") is kept; anything else (too long, spaces, quotes,
# newlines that would forge log lines) is replaced by our own.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:=@+/-]{1,128}$")

current_request_id: ContextVar[str] = ContextVar("request_id", default="")
task_logger = logging.getLogger("truonghoc.tasks")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a sane token, else a new one."""
    return value if value and _SANE_ID.match(value) else new_request_id()


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line of the request, and the response, carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response


# --- Celery: the id travels in the task's headers -------------------------------------------------------
_started: dict[str, float] = {}
_task_tokens: dict[str, object] = {}


@signals.before_task_publish.connect(weak=False)
def _put_request_id_in_headers(headers=None, **kwargs):
    request_id = current_request_id.get()
    if request_id and headers is not None and "request_id" not in headers:
        headers["request_id"] = request_id


@signals.task_prerun.connect(weak=False)
def _task_started(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, "request_id", None) or current_request_id.get() or f"task-{task_id}"
    _task_tokens[task_id] = current_request_id.set(request_id)
    _started[task_id] = time.perf_counter()
    task_logger.info("task %s started", task.name, extra={"task_id": task_id, "task_name": task.name})


@signals.task_postrun.connect(weak=False)
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    duration = time.perf_counter() - started if started is not None else None
    if duration is not None:
        from .metrics import observe_task

        observe_task(task.name, state or "", duration)
    task_logger.info(
        "task %s finished: %s",
        task.name,
        state,
        extra={
            "task_id": task_id,
            "task_name": task.name,
            "task_state": state,
            "duration_ms": round(duration * 1000, 1) if duration is not None else None,
        },
    )
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        # Set in another context (an eager task inside a request): nothing to undo there.
        with contextlib.suppress(ValueError):
            current_request_id.reset(token)


# --- Logging filters ---------------------------------------------------------------------------------------
class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request or task)."""

    def filter(self, record):
        record.request_id = current_request_id.get() or "-"
        return True


MASK = "***"
# user:password@ in any URL (database, Redis, SMTP, S3 endpoints).
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@", re.IGNORECASE)
# Signed URLs and headers of S3-compatible storage: the signature and the key id.
_SIGNED = re.compile(
    r"(?P<head>\b(?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)=)[^&\s\"']+",
    re.IGNORECASE,
)
_AWS_HEADER = re.compile(r"(?P<head>\bCredential=)[^,\s]+|(?P<head2>\bSignature=)[0-9a-f]{16,}", re.IGNORECASE)
_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|_KEY$|_URL$)", re.IGNORECASE)
_MIN_SECRET_LENGTH = 6


def secret_values(environ=None) -> list[str]:
    """Values that must never appear in a log: secrets named in the environment, and the passwords inside
    URLs there (DATABASE_URL, REDIS_URL, STORAGE_URL, EMAIL_URL…). Longest first, so a key is masked whole."""
    values = set()
    for name, value in (os.environ if environ is None else environ).items():
        if not value or not _SECRET_NAME.search(name):
            continue
        if name.upper().endswith("_URL"):
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password and len(password) >= _MIN_SECRET_LENGTH:
                values.add(password)
        elif len(value) >= _MIN_SECRET_LENGTH:
            values.add(value)
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: list[str] = ()) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK + "@", text)
    text = _SIGNED.sub(lambda m: m["head"] + MASK, text)
    return _AWS_HEADER.sub(lambda m: (m["head"] or m["head2"]) + MASK, text)


class RedactSecretsFilter(logging.Filter):
    """On every handler: the record's message and traceback with passwords, keys and signatures masked, so
    a connection error or a storage library's debug line never writes a credential to the logs."""

    def __init__(self, name=""):
        super().__init__(name)
        self.secrets = secret_values()
        self._formatter = logging.Formatter()

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        cleaned = redact(message, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            # Formatters write exc_text when exc_info is gone (the JSON one would format exc_info anew).
            record.exc_info = None
            record.exc_text = redact(record.exc_text, self.secrets)
        return True
