"""The production process model: gunicorn with truonghoc/gunicorn.conf.py under the production settings,
the Procfile, and `make serve` refusing an environment it cannot run with."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
HONCHO = Path(sys.executable).parent / "honcho"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, headers=None):
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (a local http URL, checked above)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _wait_until_up(base, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped while starting"
        try:
            return _get(base + "/healthz")
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn did not answer in time")


def test_gunicorn_serves_probes_metrics_and_reloads_gracefully(production_env, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **production_env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_PIDFILE": str(tmp_path / "gunicorn.pid"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "METRICS_ALLOWED_IPS": "127.0.0.1",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "truonghoc.wsgi", "--config", "truonghoc/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        status, headers, body = _wait_until_up(base, process)
        assert status == 200 and body == '{"status": "ok"}'
        # Probes answer over plain HTTP; every other page is sent to HTTPS by the production settings.
        assert _get(base + "/")[0] == 301
        status, _, body = _get(base + "/readyz")
        assert status == 200, body
        for _ in range(6):
            status, headers, _ = _get(base + "/healthz", {"X-Request-ID": "ops-test-42"})
            assert headers["X-Request-ID"] == "ops-test-42"
        # Both workers' samples add up in one scrape (PROMETHEUS_MULTIPROC_DIR).
        status, _, text = _get(base + "/metrics")
        assert status == 200
        count = next(
            line
            for line in text.splitlines()
            if line.startswith('django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}')
        )
        assert float(count.rsplit(" ", 1)[1]) >= 7

        master = int((tmp_path / "gunicorn.pid").read_text())
        assert master == process.pid
        os.kill(master, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while "Hang up: Master" not in (tmp_path / "gunicorn.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        for _ in range(5):
            assert _get(base + "/healthz")[0] == 200
            time.sleep(0.2)
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=60)
        log.close()
    output = (tmp_path / "gunicorn.log").read_text()
    assert returncode == 0, output[-3000:]
    assert "Hang up: Master" in output and "Booting worker" in output
    assert '"GET /healthz HTTP/1.1" 200' in output and "rid=ops-test-42" in output
    assert production_env["SECRET_KEY"] not in output


def test_the_procfile_runs_web_worker_and_beat():
    result = subprocess.run(
        [str(HONCHO), "--procfile", "Procfile", "check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    processes = {
        line.split(":", 1)[0]: line.split(":", 1)[1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert set(processes) == {"web", "worker_interactive", "worker_bulk", "beat"}
    assert "gunicorn truonghoc.wsgi --config truonghoc/gunicorn.conf.py" in processes["web"]
    # One worker per queue, each consuming only its own (truonghoc/queues.py); one beat, and no worker runs it.
    assert "--queues=interactive " in processes["worker_interactive"]
    assert "--queues=bulk " in processes["worker_bulk"]
    assert " beat " in processes["beat"]
    assert not any(" -B" in command or "--beat" in command for command in processes.values())


def _procfile() -> dict[str, str]:
    return {
        line.split(":", 1)[0]: line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    }


@pytest.mark.parametrize("process", ["web", "worker_interactive", "worker_bulk", "beat"])
def test_each_procfile_command_loads_with_its_options(production_env, process, tmp_path):
    """Each command as honcho runs it (through a shell, with the variables' defaults), asked only to check
    itself: gunicorn loads its config and the WSGI application under the production settings; a Celery
    command loads the app (-A truonghoc) and refuses an option it does not know before printing its help."""
    command = _procfile()[process]
    command += " --check-config" if process == "web" else " --help"
    env = {**production_env, "SERVE_DIR": str(tmp_path), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    result = subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    if process != "web":
        assert "Usage: celery" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_starts_one_worker_on_both_queues_with_beat():
    """`make run` with REDIS_URL: the newcomer's one worker takes interactive and bulk work, and runs beat."""
    result = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (command,) = [line for line in result.stdout.splitlines() if "celery -A truonghoc worker" in line]
    assert "--queues=interactive,bulk" in command and " -B " in command


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"DATABASE_URL": None}, "DATABASE_URL is not set"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "DATABASE_URL is not a PostgreSQL URL"),
        ({"REDIS_URL": None}, "REDIS_URL is not set"),
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
    ],
)
def test_make_serve_refuses_without_postgresql_and_redis(change, words, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    env.update(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/truonghoc",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": "ops-test-" + "s3cr3t-" * 8,
        }
    )
    for key, value in change.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    if (ROOT / ".env").exists():
        pytest.skip("a .env file would fill in the missing variables")
    result = subprocess.run(["make", "-s", "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert words in result.stderr
    assert "make run" in result.stderr
