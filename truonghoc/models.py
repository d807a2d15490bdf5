"""The one model of the shared package: tasks kept while the broker was down (truonghoc/enqueue.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A Celery task that could not be queued because the broker (Redis) was unreachable: kept in the
    database, which is the one store that must be up for anything to have been written, and queued by
    `enqueue.pending_tasks_send` once the broker answers again. Its arguments are ids (DESIGN.md §3)."""

    name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    options = models.JSONField(_("queueing options"), default=dict, blank=True)
    created_at = models.DateTimeField(_("kept at"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("task waiting for the queue")
        verbose_name_plural = _("tasks waiting for the queue")

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"
