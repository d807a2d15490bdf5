from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


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

    def _get_login_attempts_cache_key(self, request, **credentials):
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"
