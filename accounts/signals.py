from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _clear_forced_change(sender, request, user, **kwargs):
    # Setting one's own password is exactly what the flag asks for.
    from .services.core import user_password_changed

    user_password_changed(user=user)
