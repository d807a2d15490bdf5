"""Test runs (pytest). Same database switch as local; fast hashing and in-memory email."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=BASE_DIR / "test-output" / "media")
# Rate-limit counters must not leak between tests (or test runs): a local cache per process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests decide for themselves when a task runs on a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the app folders without collectstatic (the browser tests need them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PRIVATE_ROOT = BASE_DIR / "test-output" / "private"
