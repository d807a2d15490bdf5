"""Settings shared by every environment. Everything that differs between machines comes from the
environment (django-environ); see README.md for the variables."""

from importlib.util import find_spec
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue as KombuQueue

from truonghoc.queues import BULK, PUBLISH_RETRY, celery_routes
from truonghoc.queues import KINDS as TASK_KINDS
from truonghoc.storage import file_storages

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "guardian",
    "treebeard",
    "django_htmx",
    "template_partials",
    "import_export",
    "csp",
    "django_prometheus",
    # Ours, in dependency order: each app may import only the ones above it. `truonghoc` itself is an app
    # for its site-wide commands (backup, restore) and its one model, the tasks kept while the broker was
    # down (truonghoc/enqueue.py).
    "truonghoc",
    "units",
    "notifications",
    "accounts",
    "approvals",
    "forums",
    "courses",
    "materials",
    "publications",
    "gradebook",
    "teaching",
    "contests",
    "reports",
    "portal",
]

MIDDLEWARE = [
    # Metrics first and last (django-prometheus times the whole stack); the request id before anything logs.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "truonghoc.observability.RequestIdMiddleware",
    # A read cut off by a PostgreSQL restart is served again once (issue #19, point 5).
    "truonghoc.middleware.RetryReadOnDatabaseRestartMiddleware",
    "truonghoc.replica.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "truonghoc.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "truonghoc.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A person's own writes drop their minute-long personal fragments (truonghoc/fragments.py).
    "truonghoc.fragments.PersonalCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "accounts.middleware.GraduatedReadOnlyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "truonghoc.urls"
WSGI_APPLICATION = "truonghoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
                "truonghoc.context_processors.frame",
                "csp.context_processors.nonce",
            ],
            # One way to write numbers for people, and the pages' "?" help links, in every template without {% load %}.
            "builtins": ["truonghoc.template_filters", "truonghoc.help_tags", "truonghoc.frame_tags"],
            "libraries": {"richtext": "truonghoc.richtext_tags"},
        },
    },
]

# --- Content-Security-Policy (django-csp 4) --------------------------------------------------------
# Pages run only the portal's own scripts and styles, from /static/ (our js/ and css/, and the vendored
# libraries of static/vendor/): no inline <script>, no on…= attributes, no hx-on, no eval. A script that
# truly must be inline carries nonce="{{ CSP_NONCE }}" (the nonce is added to the header only when a page
# uses it). tests/truonghoc/test_csp.py checks the header and that templates keep no inline code.
# Simulation packages send their own "sandbox allow-scripts" policy, which the middleware leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # Style ATTRIBUTES only (never <style> elements or scripts): KaTeX writes style="…" with
        # setAttribute on the formulas it cannot read (their red message) and on some MathML (\fcolorbox,
        # \boldsymbol's shadow). Our templates have no style attributes (the test above checks it).
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# --- Data --------------------------------------------------------------------------------------
# Embedded default: SQLite in the project folder. DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two writers at once (two students handing in, a race test) must wait for each other, not fail:
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a transaction
    # begins, so a transaction that read first never has to upgrade its lock and fail with "database is
    # locked"; the timeout is how long a writer waits. SQLite has no row locks (select_for_update is a
    # no-op there): IMMEDIATE serialises the same critical sections PostgreSQL's row locks protect.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # A kept connection that died (PostgreSQL restarted) is checked and replaced before a request uses it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica (issue #19): dashboards, archive and library search and exports read it where they opt in
# (truonghoc/replica.py), except for a person who wrote something in the last READ_YOUR_WRITES_SECONDS.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        ATOMIC_REQUESTS=False, CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=60), CONN_HEALTH_CHECKS=True
    )
    DATABASE_ROUTERS = ["truonghoc.replica.ReplicaRouter"]
READ_YOUR_WRITES_SECONDS = env.int("READ_YOUR_WRITES_SECONDS", default=10)
# A person's own summaries (their home page's lists) are kept this long (truonghoc/fragments.py); their own
# writes show at once. 0 turns the personal cache off.
PERSONAL_CACHE_SECONDS = env.int("PERSONAL_CACHE_SECONDS", default=60)
# PostgreSQL coming back from a restart refuses connections for a moment: our backend tries the connect again
# (truonghoc/postgresql/base.py), so a request or a task waits instead of failing.
for _alias in DATABASES.values():
    if _alias["ENGINE"] == "django.db.backends.postgresql":
        _alias["ENGINE"] = "truonghoc.postgresql"
# Behind PgBouncer in transaction mode a session spans several server connections: no server-side cursors
# (`.iterator()` then fetches in chunks on the client). The project holds no session state on the server
# otherwise: its advisory locks are per transaction, its temporary tables live inside one transaction.
if env.bool("DATABASE_POOLER_TRANSACTION_MODE", default=False):
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis stopped: the cache answers from each process's memory until it returns (truonghoc/cache.py says
    # what that means for rate limits and progress bars); sessions are in the database (Django's default
    # engine), never in the cache alone, so nobody is logged out. A Redis host that vanished without closing
    # its connections costs a request at most these timeouts, not the client's default of forever.
    CACHES = {
        "default": {
            "BACKEND": "truonghoc.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="th"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------------
# Without REDIS_URL tasks run in-process (eagerly), so `make run` needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Work by kind (truonghoc/queues.py): interactive work never waits behind bulk work. Each queue has its own
# workers (Procfile); ROUTES is THE table of which task goes where, and a task outside it lands on "bulk".
CELERY_TASK_QUEUES = [KombuQueue(kind.queue) for kind in TASK_KINDS.values()]
CELERY_TASK_DEFAULT_QUEUE = BULK
CELERY_TASK_ROUTES = celery_routes()
# Every task declares its limits within its kind's (tests/truonghoc/test_queues.py); these catch the rest.
CELERY_TASK_TIME_LIMIT = TASK_KINDS[BULK].time_limit
CELERY_TASK_SOFT_TIME_LIMIT = TASK_KINDS[BULK].soft_time_limit
# Acknowledged once the task ran: a worker lost mid-task (killed, its host gone) leaves the message on the
# queue for another one, so every task is idempotent (they take ids and check the state they start from).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands an unacknowledged message to another worker after this long: more than the longest task may
# run, or a slow bulk task would run twice at once.
# A whole worker lost (its host gone, SIGKILL) cannot give its task back: Redis does, after this. Tests of a
# killed worker shorten it (and the sweep's interval) through the environment.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * TASK_KINDS[BULK].time_limit),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing retries for about a second, then a request runs the task here or keeps it (truonghoc/enqueue.py).
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = PUBLISH_RETRY
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic work is declared in code; other apps add entries here as they need them. Beat, the one scheduler,
# runs once per site (the Procfile's `beat`; `make run` starts it inside its one worker). A run not started
# before the next one is due expires instead of piling up behind a stopped worker.
CELERY_BEAT_SCHEDULE: dict = {
    "purge-expired-credential-sheets": {
        "task": "accounts.tasks.purge_expired_credential_sheets",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Tasks kept in the database while Redis was down, queued as soon as it answers (truonghoc/enqueue.py).
    "send-pending-tasks": {
        "task": "truonghoc.tasks.pending_tasks_send",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Attempts left open past their deadline (the student closed the page): closed and graded.
    "close-overdue-attempts": {
        "task": "materials.tasks.attempts.attempts_close_overdue_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Contest results whose publication time has come: published (recorded, participants told).
    "publish-due-contest-results": {
        "task": "contests.tasks.results_publish_due_task",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Participation statistics, recomputed every night (and on demand from the dashboards).
    "recompute-statistics": {
        "task": "reports.tasks.stats_recompute_task",
        "schedule": crontab(hour=env.int("STATS_RECOMPUTE_HOUR", default=2), minute=0),
        "options": {"expires": 12 * 3600},
    },
}

# --- Authentication ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# One backend checks logins (password or one-time code): every refusal costs the same one password
# hash, whichever check failed (accounts/backends.py). Guardian only answers object permissions.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*"]
# Accounts are issued by schools, never self-registered.
ACCOUNT_ALLOW_SIGNUPS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
# Logging in by email needs it; two accounts sharing one email would make the login ambiguous.
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A reset asked for an address that has no account sends nothing (allauth would mail "no account
# here"): no mail to strangers, and the page answers the same for known and unknown addresses.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trường học kết nối] "
# A whole school often sits behind one NAT address: failed logins are limited per username + IP
# (the adapter builds that key), and the per-IP limits are generous enough for a class logging in at once.
ACCOUNT_RATE_LIMITS = {
    "login": "600/m/ip",
    "login_failed": env("LOGIN_FAILED_RATE", default="5/5m/key,300/m/ip"),
    "reset_password": "60/m/ip,5/m/key",
    "reset_password_from_key": "60/m/ip",
}
# How many reverse proxies in front of the site append the client's address to X-Forwarded-For
# (nginx alone: 1; a load balancer and nginx: 2). 0 (the default, and right when the site is reached
# directly) ignores the header, which any client can write. Behind a proxy, leaving it at 0 makes
# every visitor share the proxy's address, so one person's failed logins would lock out everyone.
# truonghoc.http.client_ip reads it for our code; allauth's limits ask it through the account adapter.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth's own setting, kept equal for any allauth code that reads it directly; the adapter's
# get_client_ip (accounts/adapter.py) answers with client_ip, so the two can never disagree. No
# custom client-IP header (X-Real-IP, CF-Connecting-IP): X-Forwarded-For and the count above decide.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["truonghoc.formats"]

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "private")
# Object storage (S3-compatible) when STORAGE_URL is set, e.g. s3://KEY:SECRET@minio.local:9000/truonghoc?region=…
# (truonghoc.storage.file_storages says the scheme); else the local disk. Downloads of private files are then
# redirected to a signed URL that lives this many seconds, after the view's permission check.
STORAGE_SIGNED_URL_SECONDS = env.int("STORAGE_SIGNED_URL_SECONDS", default=60)
# Not kept as a setting of its own (settings are printed by diffsettings): only inside STORAGES' options.
_storage_url = env.url("STORAGE_URL", default=None)
FILE_STORAGES = file_storages(_storage_url, signed_url_seconds=STORAGE_SIGNED_URL_SECONDS)
OBJECT_STORAGE = bool(_storage_url)
if OBJECT_STORAGE and not all(find_spec(module) for module in ("storages", "boto3")):
    raise ImproperlyConfigured(
        "STORAGE_URL is set but django-storages and boto3 are not installed: pip install -r requirements.txt."
    )
STORAGES = {
    **FILE_STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One-time initial credentials expire after this many days; the sheet listing them stays
# downloadable (encrypted at rest) for this many hours after issuing.
INITIAL_CREDENTIAL_DAYS = env.int("INITIAL_CREDENTIAL_DAYS", default=30)
CREDENTIAL_SHEET_HOURS = env.int("CREDENTIAL_SHEET_HOURS", default=24)
# Spreadsheet imports (truonghoc.imports): the ONE rule for what goes to Celery. A step (check, check
# again, confirm) on a file larger than this many bytes runs in a worker while the page shows a progress
# bar; a smaller file is handled within the request. Bytes, not rows, because the size is known before
# the file is read. 100 KB is about 3,000 people in an .xlsx list, or a few hundred questions.
IMPORT_SYNC_MAX_BYTES = env.int("IMPORT_SYNC_MAX_BYTES", default=100_000)
# A step that runs in a worker goes to the interactive queue for a file of up to this many rows (a school's
# list), to the bulk queue above it (an Office's or a province's): truonghoc.imports.engine.import_kind.
IMPORT_INTERACTIVE_MAX_ROWS = env.int("IMPORT_INTERACTIVE_MAX_ROWS", default=5_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The A3 class book's PDF is laid out in this many processes at most (gradebook.printing: chunks of pages,
# merged in order); 1 keeps it in the request's process. Never more than the CPUs.
GRADEBOOK_PDF_PROCESSES = env.int("GRADEBOOK_PDF_PROCESSES", default=2)
# No single uploaded file may pass this (a course video is the largest thing people upload); larger ones
# are dropped while they stream in, with a message (truonghoc.uploads.SizeLimitUploadHandler).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=500 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "truonghoc.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Email -------------------------------------------------------------------------------------
# Console by default; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) switches to SMTP.
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Trường học kết nối <no-reply@truonghoc.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Whether notifications also go out by email (the in-app bell always works).
NOTIFICATIONS_EMAIL = env.bool("NOTIFICATIONS_EMAIL", default=bool(EMAIL_URL))

MESSAGE_TAGS = {40: "danger"}

# --- Operations (truonghoc/health.py, metrics.py, observability.py) ------------------------------------
# /metrics answers only these addresses or networks (client_ip, so behind TRUSTED_PROXY_COUNT proxies) or a
# request with "Authorization: Bearer <METRICS_TOKEN>"; everyone else gets a 404. Empty: nobody.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /readyz fails (503: the load balancer sends no new work) when a Celery queue holds more messages than this.
READY_QUEUE_MAX_DEPTH = env.int("READY_QUEUE_MAX_DEPTH", default=10_000)

# Every handler adds the request id and masks secrets (passwords in URLs, keys, signatures). Text here;
# production.py switches the root to one JSON object per line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "truonghoc.observability.RequestIdFilter"},
        "secrets": {"()": "truonghoc.observability.RedactSecretsFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601 in UTC
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id", "secrets"], "formatter": "text"},
        "json": {"class": "logging.StreamHandler", "filters": ["request_id", "secrets"], "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    "loggers": {
        # A task's start and end, with its request id and duration (INFO in production).
        "truonghoc.tasks": {"level": env("TASK_LOG_LEVEL", default="WARNING")},
        # The object storage's client logs every request's signed headers at DEBUG: never below INFO in
        # production (production.py refuses STORAGE_LOG_LEVEL=DEBUG with STORAGE_URL set).
        **{
            name: {"level": env("STORAGE_LOG_LEVEL", default="WARNING")}
            for name in ("boto3", "botocore", "s3transfer", "urllib3", "storages")
        },
    },
}
