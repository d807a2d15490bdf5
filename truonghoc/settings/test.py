"""Test runs (pytest). Same database switch as local; fast hashing and in-memory email."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default=BASE_DIR / "test-output" / "media")
# Rate-limit counters must not leak between tests (or test runs): a local cache per process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests read what they have just written through services, as no person would within a minute: the personal
# cache is off, and tests/truonghoc/test_fragments.py turns it on to test it.
PERSONAL_CACHE_SECONDS = 0
# Tests that commit (browser tests, races) end with a flush: DELETE, not TRUNCATE, on PostgreSQL
# (truonghoc/postgresql/base.py says why: 0.05 s against 2.5 s).
FLUSH_WITH_DELETE = True
# Each test process copies a test database migrated once (truonghoc/testdb.py) instead of migrating its own.
TEST_DB_TEMPLATES = True
# Tests decide for themselves when a task runs on a real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the app folders without collectstatic (the browser tests need them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PRIVATE_ROOT = BASE_DIR / "test-output" / "private"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "truonghoc.sqlite3"  # Django's, with the test database copied (below)
    # A test database file, not SQLite's in-memory default: that one uses a shared cache whose table
    # locks fail at once ("database table is locked") where the file's writers wait for each other
    # (base.py: WAL, IMMEDIATE, timeout), so the race tests run the same on SQLite and PostgreSQL.
    _test_db = Path(env.str("SQLITE_TEST_NAME", default=str(BASE_DIR / "test-output" / "test-db.sqlite3")))
    _test_db.parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}

if "replica" in DATABASES:
    # Tests run on one database: the replica alias is the default's test database under another name.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
