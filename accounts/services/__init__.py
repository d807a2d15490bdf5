"""Every write to accounts, one module per area; import from `accounts.services`."""

from .core import (
    AccountSpec,
    user_create,
    user_deactivate,
    user_password_changed,
    user_set_password,
    users_bulk_create,
)

__all__ = [
    "AccountSpec",
    "user_create",
    "user_deactivate",
    "user_password_changed",
    "user_set_password",
    "users_bulk_create",
]
