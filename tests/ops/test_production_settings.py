"""The production settings refuse to start, with one clear message, when they would leak; and log JSON."""

import json
import subprocess
import sys
from importlib.util import find_spec

import pytest

from .conftest import ROOT

# With STORAGE_URL set the settings need the object storage's libraries (requirements.txt); CI installs them.
needs_s3 = pytest.mark.skipif(
    not (find_spec("storages") and find_spec("boto3")), reason="django-storages and boto3 are not installed"
)


def _run(env, code="import django; django.setup(); print('started')"):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_documented_settings_start(production_env):
    result = _run(production_env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("started")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me"}, "SECRET_KEY is a published default"),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 8}, "SECRET_KEY is a published default"),
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": "a" * 64}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
        pytest.param(
            {"STORAGE_URL": "s3+http://k:st0rage-pa55word@127.0.0.1:9000/b", "STORAGE_LOG_LEVEL": "DEBUG"},
            "STORAGE_LOG_LEVEL is DEBUG with STORAGE_URL set",
            marks=needs_s3,
        ),
    ],
)
def test_unsafe_settings_refuse_to_start(production_env, change, words):
    result = _run({**production_env, **change})
    assert result.returncode != 0
    assert "The production settings refuse to start" in result.stderr
    assert words in result.stderr
    assert "started" not in result.stdout


def test_a_storage_url_without_a_bucket_refuses_to_start_naming_the_scheme(production_env):
    result = _run({**production_env, "STORAGE_URL": "s3://k:st0rage-pa55word@127.0.0.1:9000"})
    assert result.returncode != 0 and "started" not in result.stdout
    assert "STORAGE_URL must read s3://KEY:SECRET@host:port/bucket" in result.stderr


@needs_s3
def test_a_storage_log_level_of_info_or_no_storage_starts(production_env):
    # DEBUG without object storage logs no storage request; INFO with it logs no signature.
    assert _run({**production_env, "STORAGE_LOG_LEVEL": "DEBUG"}).returncode == 0
    env = {
        **production_env,
        "STORAGE_URL": "s3+http://k:st0rage-pa55word@127.0.0.1:9000/b",
        "STORAGE_LOG_LEVEL": "INFO",
    }
    result = _run(env)
    assert result.returncode == 0, result.stderr[-3000:]


def test_every_problem_is_named_at_once(production_env):
    env = {**production_env, "DEBUG": "on", "ALLOWED_HOSTS": ""}
    env.pop("SECRET_KEY")
    result = _run(env)
    assert result.returncode != 0
    for words in ("DEBUG is on", "SECRET_KEY is missing", "ALLOWED_HOSTS is empty"):
        assert words in result.stderr


@needs_s3
def test_production_logs_are_json_with_request_ids_and_no_credentials(production_env):
    env = {
        **production_env,
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY",
        "STORAGE_URL": "s3://AKIAEXAMPLE:st0rage-pa55word@minio.local:9000/truonghoc",
    }
    code = (
        "import django, logging; django.setup()\n"
        "from truonghoc.observability import current_request_id\n"
        "current_request_id.set('req-prod')\n"
        "log = logging.getLogger('storages.backends.s3')\n"
        "log.warning('signing with key %s for %s', 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY',"
        " 's3://AKIAEXAMPLE:st0rage-pa55word@minio.local:9000/truonghoc')\n"
    )
    result = _run(env, code)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    record = next(line for line in lines if line["logger"] == "storages.backends.s3")
    assert record["level"] == "WARNING" and record["request_id"] == "req-prod"
    assert record["message"] == "signing with key *** for s3://AKIAEXAMPLE:***@minio.local:9000/truonghoc"
    assert "st0rage-pa55word" not in result.stderr and "wJalrXUtnFEMI" not in result.stderr
