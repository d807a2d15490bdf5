"""gunicorn's settings for the web processes (`make serve`, the Procfile's `web`), every number from the
environment with a default that suits a small machine. gunicorn reads this file with `--config`.

Graceful reload (new code or settings, no request dropped): `kill -HUP <master pid>` (the pid is in
GUNICORN_PIDFILE; `make serve-reload` sends it): new workers start, the old ones finish their requests
within graceful_timeout and exit. TERM stops the same way; INT/QUIT stop at once."""

import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Where and how many. WEB_CONCURRENCY is the usual name for the number of processes; threads > 1 switch
# to the gthread worker (each process then serves that many requests at once, sharing its memory).
bind = os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
backlog = _int("GUNICORN_BACKLOG", 2048)

# Time. A request that takes longer than `timeout` is killed (its worker is replaced): the slowest pages
# (exports, A3 books) go through Celery, so 60 s is generous. keepalive suits a load balancer in front.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Each worker is replaced after this many requests (plus jitter, so they do not all restart at once):
# whatever memory a long run gathers is given back.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# The workers' heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
# Requests far larger than any form we take are refused before Django sees them.
limit_request_line = 8190
limit_request_fields = 100

pidfile = os.environ.get("GUNICORN_PIDFILE") or None
proc_name = "truonghoc-web"
# Behind the load balancer: trust X-Forwarded-* only from these addresses (the site reads the client's
# address itself through TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stdout/stderr for the process manager. The access log carries the request id that the
# site's logs and its Celery tasks carry too, and the time taken in ms.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'


# Prometheus (truonghoc/metrics.py): with several processes each writes its samples to this folder, which
# must start empty (scripts/serve.sh empties it before the web and the Celery processes start: they share
# it); a dead worker's live gauges are dropped.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
