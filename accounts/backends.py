from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.hashers import make_password

from .selectors import account_for_login
from .services.credentials import credential_matches


class LoginBackend(AuthenticationBackend):
    """The one backend that checks a login (username or email) and a password or one-time code.

    Why one backend: with Django's, allauth's and a credential backend in a row, a wrong password ran
    two full password hashes and a right one ran one, so the answer's timing told a right guess from a
    wrong one. Here every attempt — unknown name, wrong password, one-time code hit or miss, right
    password — runs the password hasher exactly once, and the account is looked up once.

    It inherits allauth's backend only for its "right password, inactive account" stash (allauth then
    shows the "account inactive" page) and ModelBackend's permission methods (the admin needs them)."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = username or email
        if not login or not password:
            return None
        user = account_for_login(login)
        if user is None:
            # The same hash a real check would run, on nothing (Django's dummy-hash trick).
            make_password(password)
            return None
        if user.has_usable_password():
            if not user.check_password(password):
                return None
            if not self.user_can_authenticate(user):
                self._stash_user(user)
                return None
            return user
        # No password of its own yet: check_password on an unusable hash runs the hasher once (Django
        # fakes the runtime) and is always False; the one-time code is an HMAC, microseconds.
        user.check_password(password)
        if not user.is_active or not credential_matches(user=user, code=password):
            return None
        # Logged in with the code from the credential slip: they must choose their own password now.
        if not user.must_change_password:
            user.must_change_password = True
            user.save(update_fields=["must_change_password", "updated_at"])
        return user
