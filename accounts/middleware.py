from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """Users flagged `must_change_password` can reach only the password change page (and logout,
    static files, the language switch) until they set their own password."""

    ALLOWED_URL_NAMES = ("account_change_password", "account_set_password", "account_logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            if request.path not in allowed and not request.path.startswith(("/static/", "/media/")):
                # Someone who logged in with a one-time credential has no password yet: they set one.
                return redirect("account_change_password" if user.has_usable_password() else "account_set_password")
        return self.get_response(request)


class GraduatedReadOnlyMiddleware:
    """A graduated student's account (`User.graduated_at`, set by the year-end rollover) is kept to read
    their past work: it may log in and look, but every write (any request but GET, HEAD, OPTIONS) is
    refused, except logging out, the language switch and changing the password."""

    ALLOWED_URL_NAMES = ("account_change_password", "account_set_password", "account_logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and user is not None
            and user.is_authenticated
            and getattr(user, "graduated_at", None) is not None
            and request.path not in {reverse(name) for name in self.ALLOWED_URL_NAMES}
        ):
            raise PermissionDenied
        return self.get_response(request)
