"""Every write to accounts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from units.models import Unit
from units.services import audit_log

from ..models import User, name_fields
from .credentials import credential_consume, unusable_password


@dataclass
class AccountSpec:
    """One account to create in bulk."""

    username: str
    full_name: str
    account_type: str
    unit: Unit
    gender: str = ""
    date_of_birth: date | None = None
    national_id: str | None = None
    email: str = ""
    phone: str = ""
    photo: str = ""
    photo_status: str = User.PhotoStatus.MISSING
    photo_status_reason: str = ""
    password_hash: str | None = None


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    full_name: str,
    unit: Unit | None,
    account_type: str,
    password: str | None = None,
    must_change_password: bool = False,
    **fields,
) -> User:
    user = User(
        username=username.strip(),
        full_name=full_name,
        unit=unit,
        account_type=account_type,
        must_change_password=must_change_password,
        **fields,
    )
    user.set_password(password)
    user.full_clean(exclude=["password", "name_folded", "name_sort"])
    user.save()
    audit_log(
        actor=actor,
        action="account.create",
        unit=unit,
        target=user,
        after={"username": user.username, "account_type": account_type},
    )
    return user


def users_bulk_create(*, specs: Iterable[AccountSpec], batch_size: int = 2000) -> list[User]:
    """Create many accounts in few writes. Passwords are unusable unless a precomputed hash is given:
    hashing 45,000 passwords one by one is what makes naive imports take hours. Callers run this inside
    their own transaction and audit the batch."""
    users = []
    for spec in specs:
        user = User(
            username=spec.username,
            **name_fields(spec.full_name),
            account_type=spec.account_type,
            unit=spec.unit,
            gender=spec.gender,
            date_of_birth=spec.date_of_birth,
            national_id=spec.national_id or None,
            email=spec.email,
            phone=spec.phone,
            photo=spec.photo,
            photo_status=spec.photo_status,
            photo_status_reason=spec.photo_status_reason,
            password=spec.password_hash or unusable_password(),
        )
        users.append(user)
    return User.objects.bulk_create(users, batch_size=batch_size)


@transaction.atomic
def user_set_password(*, actor, user: User, password: str, must_change: bool = False) -> User:
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "must_change_password", "updated_at"])
    audit_log(
        actor=actor, action="account.password_set", unit=user.unit, target=user, after={"must_change": must_change}
    )
    return user


def user_password_changed(*, user: User) -> None:
    credential_consume(user=user)
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password", "updated_at"])
        audit_log(actor=user, action="account.password_changed", unit=user.unit, target=user)


def user_copy_fields(*, source: User, target: User, fields) -> None:
    """Keep the caller's user object (often request.user) in step with what a service saved on its
    own, locked copy of the row."""
    for name in (*fields, "updated_at"):
        value = getattr(source, name)
        setattr(target, name, value.name if hasattr(value, "name") and hasattr(value, "storage") else value)
    target.__dict__.pop("_role_rows_cache", None)
