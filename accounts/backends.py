from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User
from .services.credentials import credential_matches


class InitialCredentialBackend(ModelBackend):
    """Logs a person in with the one-time code from their credential slip, then makes them choose
    their own password (User.must_change_password). Listed after the password backends."""

    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        login = username or email
        if not login or not password:
            return None
        candidates = User.objects.filter(
            Q(username__iexact=login) | Q(email__iexact=login), is_active=True, initial_credential__isnull=False
        ).select_related("initial_credential")[:5]
        for user in candidates:
            if credential_matches(user=user, code=password):
                if not user.must_change_password:
                    user.must_change_password = True
                    user.save(update_fields=["must_change_password", "updated_at"])
                return user
        return None
