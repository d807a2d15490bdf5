# Load Celery when Django starts so @shared_task binds to our app.
from .celery import app as celery_app
from .converters import register as _register_converters

# `<id:pk>` must exist before any module declaring routes is imported (some views modules hold their own).
_register_converters()

__all__ = ("celery_app",)
