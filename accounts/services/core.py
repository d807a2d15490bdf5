"""Every write to accounts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from units.models import Unit
from units.permissions import forget_roles
from units.services import audit_log, bulk_copy_rows

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


def users_bulk_create(*, specs: Iterable[AccountSpec], batch_size: int = 2000) -> list[User]:
    """Create many accounts in few writes. Passwords are unusable unless a precomputed hash is given:
    hashing 45,000 passwords one by one is what makes naive imports take hours. Callers run this inside
    their own transaction and audit the batch."""
    return User.objects.bulk_create([_user_from_spec(spec) for spec in specs], batch_size=batch_size)


def user_password_changed(*, user: User) -> bool:
    """The person set their own password: the one-time credential stops working and the forced change
    is over. True when it was that forced change (their first password after a credential slip)."""
    credential_consume(user=user)
    if not user.must_change_password:
        return False
    user.must_change_password = False
    user.save(update_fields=["must_change_password", "updated_at"])
    audit_log(actor=user, action="account.password_changed", unit=user.unit, target=user)
    return True


def user_copy_fields(*, source: User, target: User, fields) -> None:
    """Keep the caller's user object (often request.user) in step with what a service saved on its
    own, locked copy of the row."""
    for name in (*fields, "updated_at"):
        value = getattr(source, name)
        setattr(target, name, value.name if hasattr(value, "name") and hasattr(value, "storage") else value)
    forget_roles(target)


# --- Loading very many accounts: a synthetic country (reports.scale), a migration ------------------


@dataclass
class AccountLoadSpec(AccountSpec):
    """An AccountSpec with the dates an account already has (generated or migrated data)."""

    date_joined: datetime | None = None
    last_login: datetime | None = None


_LOAD_COLUMNS = [
    "id",
    "username",
    "full_name",
    "name_folded",
    "name_sort",
    "account_type",
    "unit_id",
    "gender",
    "date_of_birth",
    "national_id",
    "email",
    "phone",
    "photo",
    "photo_status",
    "photo_status_reason",
    "password",
    "date_joined",
    "last_login",
]


@lru_cache(maxsize=65536)
def _stored_name(full_name: str) -> tuple[str, str, str]:
    # Generated and imported names repeat a lot; folding each once keeps 1,000,000 accounts cheap.
    fields = name_fields(full_name)
    return fields["full_name"], fields["name_folded"], fields["name_sort"]


def _user_from_spec(spec: AccountSpec) -> User:
    """The stored form of a new account, for every bulk path: NFC, folded and sort forms of the name,
    mã định danh or NULL, an unusable password unless a hash is given, and the dates of a load spec."""
    full_name, folded, sort = _stored_name(spec.full_name)
    user = User(
        username=spec.username,
        full_name=full_name,
        name_folded=folded,
        name_sort=sort,
        account_type=spec.account_type,
        unit=spec.unit,
        gender=spec.gender,
        date_of_birth=spec.date_of_birth,
        national_id=(spec.national_id or "").strip() or None,
        email=spec.email,
        phone=spec.phone,
        photo=spec.photo,
        photo_status=spec.photo_status,
        photo_status_reason=spec.photo_status_reason,
        password=spec.password_hash or unusable_password(),
        last_login=getattr(spec, "last_login", None),
    )
    if getattr(spec, "date_joined", None) is not None:
        user.date_joined = spec.date_joined
    return user


def users_bulk_load(*, specs: Iterable[AccountSpec], batch_size: int = 5000) -> list[int]:
    """users_bulk_create for very many accounts, returning the new ids in the order of the specs.

    Same stored forms (NFC name, folded name, sort key; unusable password unless a hash is given),
    plus `date_joined` and `last_login` from an AccountLoadSpec. On PostgreSQL the ids are drawn from
    the table's sequence and the rows go in with COPY, `batch_size` at a time; elsewhere bulk_create.
    Callers run it inside their own transaction and audit the batch. The usernames must be free: COPY
    does not skip conflicts, a taken username aborts the transaction.
    """
    if connection.vendor != "postgresql":
        return [user.pk for user in users_bulk_create(specs=specs, batch_size=batch_size)]

    table, pk = User._meta.db_table, User._meta.pk.column
    now = timezone.now()
    ids = []
    batch_specs: list[AccountSpec] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, len(batch_specs)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
        rows = []
        for user_id, spec in zip(new_ids, batch_specs, strict=True):
            full_name, folded, sort = _stored_name(spec.full_name)
            rows.append(
                (
                    user_id,
                    spec.username,
                    full_name,
                    folded,
                    sort,
                    spec.account_type,
                    spec.unit.pk if spec.unit is not None else None,
                    spec.gender,
                    spec.date_of_birth,
                    (spec.national_id or "").strip() or None,
                    spec.email,
                    spec.phone,
                    spec.photo,
                    spec.photo_status,
                    spec.photo_status_reason,
                    spec.password_hash or unusable_password(),
                    getattr(spec, "date_joined", None) or now,
                    getattr(spec, "last_login", None),
                )
            )
        bulk_copy_rows(model=User, columns=_LOAD_COLUMNS, rows=rows)
        ids.extend(new_ids)
        batch_specs.clear()

    for spec in specs:
        batch_specs.append(spec)
        if len(batch_specs) >= batch_size:
            flush()
    if batch_specs:
        flush()
    return ids
