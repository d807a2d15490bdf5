import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

ROOT = Path(__file__).resolve().parents[2]


def test_vietnamese_default_time_zone_and_dates():
    assert settings.LANGUAGE_CODE == "vi"
    assert dict(settings.LANGUAGES).keys() == {"vi", "en"}
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh" and settings.USE_TZ
    moment = timezone.make_aware(datetime(2015, 10, 28, 8, 30))
    for language in ("vi", "en"):
        with translation.override(language):
            rendered = Template('{{ d|date:"SHORT_DATE_FORMAT" }} {{ m|date:"SHORT_DATETIME_FORMAT" }}').render(
                Context({"d": date(2015, 10, 28), "m": moment})
            )
            assert rendered == "28/10/2015 28/10/2015 08:30"


def test_production_settings_pass_the_deploy_check():
    """`manage.py check --deploy` reports nothing when the documented production variables are set."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "truonghoc.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "truonghocketnoi.example.vn",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/th-prod-check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DJANGO_SETTINGS_MODULE": "truonghoc.settings.production", "ALLOWED_HOSTS": "x.vn"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_health_check(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_no_page_loads_anything_from_a_cdn():
    """The portal must work on a school intranet: every asset is served by the project itself."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if "//cdn" in text or "unpkg.com" in text or "jsdelivr" in text or 'src="http' in text or 'href="http' in text:
            offenders.append(str(template))
    assert offenders == []


def test_the_embedded_default_makes_two_writers_wait_for_each_other():
    """With no settings at all (`make run`'s SQLite), concurrent writers queue instead of failing with
    "database is locked": WAL, a busy timeout and transactions that take the write lock when they begin."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "truonghoc.settings.local"
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; print(json.dumps([d['ENGINE'], d['OPTIONS']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    engine, options = json.loads(result.stdout.strip().splitlines()[-1])
    assert engine == "django.db.backends.sqlite3"
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
