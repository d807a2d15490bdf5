from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.dispatch import receiver
from django.utils.translation import gettext as _


@receiver(password_changed)
@receiver(password_set)
def _clear_forced_change(sender, request, user, **kwargs):
    # Setting one's own password is exactly what the flag asks for.
    from .services.core import user_password_changed

    if user_password_changed(user=user) and request is not None:
        # The first password after a one-time credential: the adapter sends the person to their home
        # page, welcomed by name, instead of back to "Change password".
        request.first_password_chosen = True
        messages.success(
            request,
            _("Welcome, %(name)s! Your password is saved: from now on, log in with it.") % {"name": user.full_name},
        )


@receiver(password_reset)
def _clear_forced_change_on_reset(sender, request, user, **kwargs):
    from .services.core import user_password_changed

    user_password_changed(user=user)
