"""The one notification service every app calls: an in-app entry per recipient, and an email sent
from a Celery task after the transaction commits, when email is configured."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from truonghoc import fragments
from truonghoc.enqueue import enqueue
from truonghoc.richtext import excerpt

from .models import Notification

TITLE_MAX_CHARS = 255


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    url: str = "",
    email: bool | None = None,
    merge_unread: bool = False,
) -> list[Notification]:
    """Notify each recipient once. `email=None` follows settings.NOTIFICATIONS_EMAIL. A title too long
    for its column is shortened without cutting a formula (truonghoc.richtext.excerpt); callers quoting
    a post or a question shorten their body the same way.

    `merge_unread=True` batches a stream of events about one thing (work handed in for an assignment,
    posts in a topic): a recipient who still has an unread entry with the same `url` sees that entry
    updated (new title and text, moved to the top) instead of a new one, and is not emailed again."""
    title = excerpt(title, TITLE_MAX_CHARS)
    seen: set[int] = set()
    people = []
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        people.append(user)
    merged: list[Notification] = []
    if merge_unread and url and people:
        now = timezone.now()
        by_recipient = {}
        for note in Notification.objects.filter(recipient_id__in=seen, url=url, read_at__isnull=True).order_by(
            "recipient_id", "-created_at", "-id"
        ):
            by_recipient.setdefault(note.recipient_id, note)
        for note in by_recipient.values():
            note.title, note.body, note.created_at = title, body, now
        merged = list(by_recipient.values())
        Notification.objects.bulk_update(merged, ["title", "body", "created_at"])
        people = [user for user in people if user.pk not in by_recipient]
    notes = [Notification(recipient=user, title=title, body=body, url=url) for user in people]
    created = Notification.objects.bulk_create(notes)
    fragments.people_changed([note.recipient_id for note in created + merged])  # their bells' counts
    send_email = settings.NOTIFICATIONS_EMAIL if email is None else email
    if send_email and created:
        from .tasks import notifications_send_email

        ids = [n.pk for n in created]
        transaction.on_commit(lambda: enqueue(notifications_send_email, args=[ids]))
    return created + merged


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's unread notifications as read; returns how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    changed = qs.update(read_at=timezone.now())
    fragments.people_changed([user.pk])
    return changed


def notification_emailed(*, notification: Notification) -> None:
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
