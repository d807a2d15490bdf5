import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truonghoc.settings.local")

app = Celery("truonghoc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels from the request into the tasks it enqueues, and each task's run is logged and timed.
from . import observability  # noqa: E402, F401
