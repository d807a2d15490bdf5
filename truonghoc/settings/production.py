"""Production. Every secret and host comes from the environment; see README.md ("Production").

Settings that would leak refuse to start, with one message naming every problem (`refuse_unsafe`): DEBUG on
(tracebacks with settings and local variables shown to anyone), no SECRET_KEY or a known/short one (sessions
and password-reset links forgeable), no ALLOWED_HOSTS, the object storage's client logging at DEBUG (its signed
requests). Logs are JSON, one object per line, with the request
id, and passwords, keys and signatures are masked in every record (truonghoc/observability.py)."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import FILE_STORAGES, LOGGING, OBJECT_STORAGE, env

# Keys that must never sign a production session: the development default and the test runs' key.
KNOWN_KEYS = {"dev-only-insecure-key-change-me", "test-secret-key-not-for-production"}
MIN_SECRET_KEY_LENGTH = 32


def refuse_unsafe(
    *, debug: bool, secret_key: str, allowed_hosts: list[str], object_storage: bool = False, storage_log_level: str = ""
) -> list[str]:
    """What keeps these settings from serving the public, in words an operator can act on ([] when none)."""
    problems = []
    if object_storage and storage_log_level.strip().upper() in {"DEBUG", "NOTSET", "10", "0"}:
        problems.append(
            "STORAGE_LOG_LEVEL is DEBUG with STORAGE_URL set: the storage client would log its signed requests "
            "(credentials); unset STORAGE_LOG_LEVEL or set it to INFO or above."
        )
    if debug:
        problems.append("DEBUG is on: unset DEBUG (or set DEBUG=false); tracebacks would show settings to anyone.")
    if not secret_key:
        problems.append(
            "SECRET_KEY is missing: set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    elif secret_key in KNOWN_KEYS or secret_key.startswith("django-insecure"):
        problems.append("SECRET_KEY is a published default: set it to your own long random value.")
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH or len(set(secret_key)) < 5:
        problems.append(f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters.")
    if not [host for host in allowed_hosts if host.strip()]:
        problems.append("ALLOWED_HOSTS is empty: set it to the site's host names, e.g. ALLOWED_HOSTS=truonghoc.edu.vn.")
    return problems


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
_problems = refuse_unsafe(
    debug=DEBUG,
    secret_key=SECRET_KEY,
    allowed_hosts=ALLOWED_HOSTS,
    object_storage=OBJECT_STORAGE,
    storage_log_level=env.str("STORAGE_LOG_LEVEL", default=""),
)
if _problems:
    raise ImproperlyConfigured(
        "The production settings refuse to start:\n  - " + "\n  - ".join(_problems) + "\nSee README.md, Production."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's probes and the metrics scraper call the processes directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    **FILE_STORAGES,  # the local disk, or the object storage of STORAGE_URL (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per line (LOG_FORMAT=text for people reading a terminal), in web processes and workers.
LOGGING["root"]["handlers"] = ["json" if env("LOG_FORMAT", default="json") == "json" else "console"]
LOGGING["loggers"]["truonghoc.tasks"]["level"] = env("TASK_LOG_LEVEL", default="INFO")
# Celery workers keep Django's logging (JSON, request ids) instead of installing their own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
