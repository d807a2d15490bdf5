"""Prometheus metrics at /metrics: django-prometheus's request metrics (latency per view and method, status
codes, exceptions), the Celery queues' lengths read from the broker at each scrape, and task durations.

gunicorn runs several processes: with PROMETHEUS_MULTIPROC_DIR set (truonghoc/gunicorn.conf.py and the
Procfile set it) each process writes its samples there and one scrape of any process adds them all up, the
Celery workers' task durations included when they share the folder (one host; on several hosts each worker
host needs its own folder and exporter). The page is not public: only the addresses of METRICS_ALLOWED_IPS
(addresses or networks, seen through `http.client_ip`) or a request with `Authorization: Bearer
<METRICS_TOKEN>` get it; everyone else gets a 404."""

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from .http import client_ip

TASK_DURATION = Histogram(
    "truonghoc_celery_task_duration_seconds",
    "Time a Celery task took, by task and final state",
    ["task", "state"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
# kombu's Redis transport keeps a queue's prioritised messages in sibling lists.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def observe_task(name: str, state: str, seconds: float) -> None:
    TASK_DURATION.labels(name, state).observe(seconds)


def queue_names() -> list[str]:
    from .celery import app

    queues = app.conf.task_queues
    names = [queue.name for queue in queues] if queues else []
    return names or [app.conf.task_default_queue]


def queue_depths() -> dict[str, int] | None:
    """Messages waiting in each Celery queue, or None when the broker is not Redis (tasks run in-process)."""
    broker = settings.CELERY_BROKER_URL or ""
    if not broker.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
    try:
        names = queue_names()
        pipe = client.pipeline()
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        lengths = pipe.execute()
    finally:
        client.close()
    step = len(_PRIORITY_SUFFIXES)
    return {name: sum(lengths[i * step : (i + 1) * step]) for i, name in enumerate(names)}


class QueueCollector:
    def collect(self):
        gauge = GaugeMetricFamily(
            "truonghoc_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
        )
        try:
            depths = queue_depths() or {}
        except Exception:  # the broker is down: the scrape still answers (readyz says what is wrong)
            depths = {}
        for name, depth in depths.items():
            gauge.add_metric([name], depth)
        yield gauge


_queue_registry = CollectorRegistry()
_queue_registry.register(QueueCollector())


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if ip in ipaddress.ip_network(allowed.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_queue_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
