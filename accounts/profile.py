"""What a complete profile is. The Hà Nam rule: "chỉ những tài khoản có đầy đủ thông tin mới tham gia
được các tính năng" — until their profile is complete, people cannot post, enrol or submit."""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import User

REQUIRED = {
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone number"),
    "date_of_birth": gettext_lazy("date of birth"),
    "photo": gettext_lazy("a proper ID photo"),
}


def missing_profile_items(user: User) -> list[str]:
    """The labels of what the user still has to fill in (empty when the profile is complete)."""
    missing = [label for field, label in REQUIRED.items() if field != "photo" and not getattr(user, field)]
    if user.photo_status != User.PhotoStatus.PROPER:
        missing.append(REQUIRED["photo"])
    return [str(m) for m in missing]


def profile_is_complete(user: User) -> bool:
    # Staff accounts of the Ministry, Departments and Offices are not held to the school rule.
    if user.account_type == User.AccountType.STAFF:
        return True
    return not missing_profile_items(user)


def require_complete_profile(view):
    """For views that post, enrol or submit: people with an incomplete profile are sent to complete it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated and not profile_is_complete(request.user):
            messages.warning(
                request,
                _("Please complete your profile first (%(missing)s).")
                % {"missing": ", ".join(missing_profile_items(request.user))},
            )
            return redirect("accounts:profile_edit")
        return view(request, *args, **kwargs)

    return wrapped
