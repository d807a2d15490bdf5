import factory

from accounts.models import User
from units.services import role_assign


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    account_type = User.AccountType.TEACHER
    password = factory.django.Password("secret-pass-123")


def make_person(*, unit, role: str, account_type: str | None = None, home=None, **fields) -> User:
    """A user holding `role` at `unit`; `home` is the unit they belong to (defaults to `unit`'s school)."""
    if home is None:
        home = unit.school() or unit
    if account_type is None:
        account_type = {"teacher": "teacher", "group_leader": "teacher", "student": "student"}.get(role, "staff")
    user = UserFactory(unit=home, account_type=account_type, **fields)
    role_assign(actor=None, user=user, unit=unit, role=role)
    return user


def complete_profile(user: User) -> User:
    """Fill in what a complete profile needs (a proper photo is set directly: no upload here)."""
    User.objects.filter(pk=user.pk).update(
        email=f"{user.username}@truong.edu.vn",
        phone="0912345678",
        date_of_birth="1985-05-20",
        photo="photos/x.jpg",
        photo_status=User.PhotoStatus.PROPER,
    )
    user.refresh_from_db()
    return user
