from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the bell (errors, downloads) never pay for the query.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}
