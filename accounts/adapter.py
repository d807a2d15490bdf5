from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from truonghoc.http import client_ip

from .selectors import account_for_login

# allauth's "password set / changed" notes, replaced by a welcome after the first password (signals.py).
PASSWORD_MESSAGES = ("account/messages/password_set.txt", "account/messages/password_changed.txt")


class AccountAdapter(DefaultAccountAdapter):
    """Our rules on top of allauth's: accounts are issued, never self-registered; failed logins are
    counted per username *and* IP, so one pupil's typos cannot lock a whole school behind its NAT,
    and nobody can lock a teacher out from elsewhere."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("The username or password is not correct."),
        "email_password_mismatch": _("The email or password is not correct."),
        "too_many_login_attempts": _(
            "Too many failed attempts for this account from your network. Please wait a few minutes and try again."
        ),
        "account_inactive": _("This account has been deactivated. Please contact your school's administrator."),
    }

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # Every allauth limit (login, failed logins, password reset) asks here: the same address as
        # the rest of our code, by settings.TRUSTED_PROXY_COUNT. allauth's own reading would raise
        # ImproperlyConfigured (a 500) on a header shorter than the count; client_ip falls back.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials):
        # Keyed on the ACCOUNT, not the typed string: the username and the email of one account share
        # one counter (else five tries by name, then five by email…); a name that is no account gets
        # its own key. Plus the client address (see the class docstring).
        login = credentials.get("email") or credentials.get("username") or ""
        account = account_for_login(login)
        # The account's own (unique) username names it: stable, unlike a typed email or mixed case.
        who = f"account:{account.username.lower()}" if account is not None else f"name:{login.strip().lower()}"
        return f"{get_current_site(request).domain}:{who}:{self.get_client_ip(request)}"

    def get_password_change_redirect_url(self, request):
        # Someone who just chose their first password (after a one-time credential) goes home.
        if getattr(request, "first_password_chosen", False):
            return reverse("home")
        return super().get_password_change_redirect_url(request)

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        # allauth says "password set" before its signal clears the forced change; a person still
        # flagged is choosing their first password and gets the welcome (signals.py) instead.
        user = getattr(request, "user", None)
        if message_template in PASSWORD_MESSAGES and getattr(user, "must_change_password", False):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)
