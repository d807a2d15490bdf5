from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.text import fold, name_sort_key, nfc


def name_fields(full_name: str) -> dict[str, str]:
    """The stored forms of a name: NFC for display, folded for search, sort key by given name.

    Bulk paths call this directly because bulk_create does not run save().
    """
    name = nfc(full_name)
    return {"full_name": name, "name_folded": fold(name), "name_sort": name_sort_key(name)}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, username, password, **extra):
        if not username:
            raise ValueError("A username is required.")
        email = self.normalize_email(extra.pop("email", "") or "")
        user = self.model(username=self.model.normalize_username(username), email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, username, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(username, password, **extra)

    def create_superuser(self, username, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("account_type", User.AccountType.STAFF)
        return self._create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One person, one account ("mỗi giáo viên, học sinh 01 tài khoản")."""

    class AccountType(models.TextChoices):
        STAFF = "staff", _("Staff")
        TEACHER = "teacher", _("Teacher")
        STUDENT = "student", _("Student")

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        OTHER = "other", _("Other")

    class PhotoStatus(models.TextChoices):
        PROPER = "proper", _("Proper")
        NOT_PROPER = "not_proper", _("Not proper")
        MISSING = "missing", _("Missing")

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        validators=[ASCIIUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only."),
        error_messages={"unique": _("This username is already taken.")},
    )
    full_name = models.CharField(_("full name"), max_length=150)
    name_folded = models.CharField(max_length=150, db_index=True, editable=False)
    name_sort = models.CharField(max_length=320, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    national_id = models.CharField(
        _("personal ID (mã định danh)"),
        max_length=20,
        null=True,
        blank=True,
        help_text=_("The national education database's personal ID; unique, never reused."),
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    account_type = models.CharField(
        _("account type"), max_length=10, choices=AccountType.choices, default=AccountType.STAFF, db_index=True
    )
    photo = models.ImageField(_("profile photo"), upload_to="photos/%Y/%m/", blank=True)
    photo_status = models.CharField(
        _("photo status"), max_length=12, choices=PhotoStatus.choices, default=PhotoStatus.MISSING
    )
    photo_status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("The user is sent to the password change page until they set their own password."),
    )
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name_sort"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=Q(national_id__isnull=False), name="unique_national_id_when_present"
            ),
            models.CheckConstraint(
                condition=~Q(photo_status="proper") | ~Q(photo=""), name="proper_photo_needs_a_photo"
            ),
        ]
        indexes = [models.Index(fields=["unit", "account_type", "is_active"], name="user_unit_type_idx")]

    def __str__(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        for key, value in name_fields(self.full_name).items():
            setattr(self, key, value)
        self.national_id = (self.national_id or "").strip() or None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_folded", "name_sort"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[-1] if self.full_name else self.username

    @property
    def roles(self) -> list[str]:
        """The roles this person holds, wherever they hold them."""
        from units.permissions import role_rows

        return sorted({role for role, _path, _kind in role_rows(self)})
