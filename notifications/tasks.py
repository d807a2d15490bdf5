from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from truonghoc.queues import RETRY

from .models import Notification
from .services import notification_emailed

BATCH_SIZE = 200


@shared_task(**RETRY, time_limit=120, soft_time_limit=100)
def notifications_send_email(notification_ids: list[int]) -> int:
    """Email each notification once (idempotent: already-emailed ones are skipped)."""
    sent = 0
    qs = Notification.objects.filter(pk__in=notification_ids[:BATCH_SIZE], emailed_at__isnull=True).select_related(
        "recipient"
    )
    for note in qs:
        if not note.recipient.email:
            continue
        context = {"notification": note, "user": note.recipient}
        subject = render_to_string("notifications/email/notification_subject.txt", context).strip()
        message = render_to_string("notifications/email/notification_message.txt", context)
        send_mail(subject, message, settings.DEFAULT_FROM_EMAIL, [note.recipient.email])
        notification_emailed(notification=note)
        sent += 1
    if len(notification_ids) > BATCH_SIZE:
        notifications_send_email.delay(notification_ids[BATCH_SIZE:])
    return sent
