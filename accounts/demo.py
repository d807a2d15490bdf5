"""The demo logins of the demo province (`manage.py seed_demo`, reports/demo.py): written here because
accounts owns User; reports picks the people and the units."""

import zlib

from units.models import Unit
from units.services import role_assignments_bulk_create

from .models import User

T = User.AccountType
P = User.PhotoStatus


def seed_demo_logins(
    *,
    picks: dict[str, User | None],
    staff: list[tuple[str, str, Unit, str]],
    ministry: Unit,
    password: str,
    student_photo: str,
) -> int:
    """Give seeded people (`picks`: username → person) their demo username and password, create the
    staff logins (username, full name, unit, role) and the site administrator. Idempotent: a username
    that exists already is left alone. `password` is hashed already. Returns the staff accounts created."""
    for username, user in picks.items():
        existing = User.objects.filter(username=username).first()
        if existing is not None or user is None:
            continue  # seeded before: the demo login already exists
        # Demo logins have complete profiles, so every feature is open to them from the start.
        user.username = username
        user.password = password
        user.email = f"{username}@demo.truonghoc.edu.vn"
        user.phone = f"09{zlib.crc32(username.encode()) % 10**8:08d}"
        if user.account_type == T.STUDENT:
            # Teachers' photos are figures of the table and stay as seeded (the pick below prefers
            # teachers whose photo is proper); a student's photo is not counted.
            user.photo = student_photo
            user.photo_status, user.photo_status_reason = P.PROPER, ""
        user.save(
            update_fields=["username", "password", "email", "phone", "photo", "photo_status",
                           "photo_status_reason", "updated_at"]
        )  # fmt: skip
    created = 0
    for username, full_name, unit, role in staff:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            full_name=full_name,
            unit=unit,
            account_type=T.STAFF,
            password=password,
            email=f"{username}@demo.truonghoc.edu.vn",
        )
        user.save()
        role_assignments_bulk_create(rows=[(user.pk, unit, role)])
        created += 1
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin",
            full_name="Quản trị hệ thống (demo)",
            unit=ministry,
            account_type=T.STAFF,
            is_staff=True,
            is_superuser=True,
            password=password,
        )
        created += 1
    return created
