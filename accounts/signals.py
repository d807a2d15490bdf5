from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.dispatch import Signal, receiver
from django.utils.translation import gettext as _

# A person left a school for another (issue #14): sent by `services.lifecycle.transfer_accept` inside its
# transaction, after their roles at the old school ended, with `actor`, `person`, `from_school` and
# `to_school`. The apps above accounts (courses, forums) receive it, registered in their `apps.py`
# `ready()`, and end what the person held there: a co-instructor's or moderator's grant, enrolments.
# Nothing the person made is removed. The only path that takes a person out of a school; deactivating
# an account does not send it (an inactive account reaches nothing, and reopening it restores all).
person_left_school = Signal()


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


@receiver(person_left_school)
def _end_parent_links(sender, *, actor, person, from_school, to_school, **kwargs):
    # A parent account follows only children of the school that issued it (issue #17).
    from .services.parents import guardianships_end_for_transfer

    guardianships_end_for_transfer(actor=actor, person=person, from_school=from_school, to_school=to_school)
