"""`manage.py pending_tasks_send`: queue now the tasks kept while the broker was down (beat does it every
minute; truonghoc/enqueue.py)."""

from django.core.management.base import BaseCommand

from truonghoc.enqueue import pending_tasks_send
from truonghoc.models import PendingTask


class Command(BaseCommand):
    help = "Queue the Celery tasks kept in the database while the broker was unreachable."

    def handle(self, *args, **options):
        sent = pending_tasks_send()
        self.stdout.write(f"{sent} queued, {PendingTask.objects.count()} waiting")
