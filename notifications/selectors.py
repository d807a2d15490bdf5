from django.db.models import QuerySet

from truonghoc import fragments

from .models import Notification


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:
    """The bell's count, on every page: kept a minute per person (truonghoc.fragments.personal). A new
    notification (services.notify) and the person's own reading drop it at once."""
    return fragments.personal(
        user, "unread-notifications", lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    )
