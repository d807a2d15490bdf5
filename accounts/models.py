from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from truonghoc.formatting import date_text, datetime_text, number
from truonghoc.imports.models import BatchRow, ImportBatch, status_choices, status_field
from truonghoc.storage import private_storage
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
        # Cha mẹ học sinh (issue #17): issued by the child's school, linked to the children (Guardianship);
        # holds no role, so reaches no unit; counts against no quota (accounts.services.quotas counts
        # teachers and students only).
        PARENT = "parent", _("Parent")

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
    # ID photos (many of minors) are private files: served only by accounts.views.profile.photo,
    # which checks who is asking.
    photo = models.ImageField(_("profile photo"), upload_to="photos/%Y/%m/", storage=private_storage, blank=True)
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
    deactivated_reason = models.CharField(_("why deactivated"), max_length=255, blank=True)
    # Set by the year-end rollover (services/rollover.py) for the last grade's students: the account is
    # kept and may log in to read, but writes nothing (middleware) and counts in no active figure.
    graduated_at = models.DateTimeField(_("graduated at"), null=True, blank=True)
    photo_note = models.CharField(_("admin's note on the photo"), max_length=255, blank=True)
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
            # updated_at too: the pages that keep a name in the cache key it by that (forums' thread page).
            kwargs["update_fields"] = {*update_fields, "name_folded", "name_sort", "updated_at"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[-1] if self.full_name else self.username

    @property
    def roles(self) -> list[str]:
        """The roles this person holds, wherever they hold them."""
        from units.permissions import units_where

        return sorted({held.role for held in units_where(self)})


class AccountQuota(models.Model):
    """How many teacher and student accounts a school may hold, set by the unit above it.

    Active accounts count against the quota; deactivating one frees its place.
    """

    school = models.OneToOneField(
        "units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="account_quota"
    )
    teachers = models.PositiveIntegerField(_("teacher accounts"), default=0)
    students = models.PositiveIntegerField(_("student accounts"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("account quota")
        verbose_name_plural = _("account quotas")

    def __str__(self):
        return f"{self.school}: {self.teachers} / {self.students}"

    def limit_for(self, account_type: str) -> int:
        return self.teachers if account_type == User.AccountType.TEACHER else self.students


class ProfileRule(models.Model):
    """Which profile details one account type must fill in before posting, enrolling or submitting,
    set by a unit for its whole subtree (a Department for its schools, an Office for its own).

    The nearest rule up the unit tree applies; with none, accounts.profile.DEFAULT_REQUIRED does
    (teachers: the Hà Nam photo-and-profile rule; students: nothing beyond what the school imported).
    """

    ACCOUNT_TYPES = [(User.AccountType.TEACHER, _("Teachers")), (User.AccountType.STUDENT, _("Students"))]
    FIELDS = ("email", "phone", "date_of_birth", "photo")  # in the order the profile lists them
    UNIT_KINDS = ("ministry", "department", "office")  # the levels above the schools set the rules

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    account_type = models.CharField(_("account type"), max_length=10, choices=ACCOUNT_TYPES)
    require_email = models.BooleanField(_("email"), default=False)
    require_phone = models.BooleanField(_("phone number"), default=False)
    require_date_of_birth = models.BooleanField(_("date of birth"), default=False)
    require_photo = models.BooleanField(_("a proper ID photo"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("updated by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("profile rule")
        verbose_name_plural = _("profile rules")
        constraints = [
            models.UniqueConstraint(fields=["unit", "account_type"], name="one_profile_rule_per_unit_and_type")
        ]

    def __str__(self):
        return f"{self.unit}: {self.get_account_type_display()}"

    @property
    def required(self) -> tuple[str, ...]:
        """The required fields, in the order the profile lists them."""
        return tuple(f for f in self.FIELDS if getattr(self, f"require_{f}"))


class Request(models.Model):
    """Something one unit asks of another, and the answer: who asked, who decided, when, and why."""

    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True


class QuotaRequest(Request):
    """A school asks the unit above for more accounts ("4 left and 45 new students")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    school = models.ForeignKey(
        "units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="quota_requests"
    )
    account_type = models.CharField(
        _("account type"),
        max_length=10,
        choices=[(User.AccountType.TEACHER, _("Teacher")), (User.AccountType.STUDENT, _("Student"))],
    )
    amount = models.PositiveIntegerField(_("how many more"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # The import refused for want of places, if the request came from one: the school is sent back to
    # it once the request is approved, to confirm it without uploading the file again.
    batch = models.ForeignKey(
        "IssueBatch",
        verbose_name=_("refused import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quota_requests",
    )

    class Meta:
        verbose_name = _("quota request")
        verbose_name_plural = _("quota requests")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="quota_request_amount_positive")]

    def __str__(self):
        return f"{self.school} +{self.amount} {self.get_account_type_display()}"


class IssueBatch(ImportBatch):
    """One act of issuing accounts: a single account, a spreadsheet import, or a re-issue of credentials.

    The one-time credentials it produced are kept only encrypted (`sheet_ciphertext`) and only until
    `sheet_expires_at` or until the admin discards them; after that the way to hand out credentials
    again is to re-issue them (audited).
    """

    class Kind(models.TextChoices):
        SINGLE = "single", _("One account")
        IMPORT = "import", _("Spreadsheet import")
        REISSUE = "reissue", _("Credentials re-issued")
        # A school's principal or school admin issued by the unit above: its sheet is that unit's.
        FROM_ABOVE = "above", _("Issued by the unit above")
        # Parent accounts issued on a student's page (issue #17); from an import they share its batch.
        PARENT = "parent", _("Parent accounts")

    Status = status_choices(invalid=_("The file has problems"), importing=_("Creating the accounts"))

    UPLOAD_TO = "imports/%Y/%m/"
    COUNT_FIELDS = ("total_rows", "error_rows", "new_rows", "unchanged_rows", "over_quota_by")

    school = models.ForeignKey("units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = status_field(Status)
    account_type = models.CharField(_("account type"), max_length=10, choices=User.AccountType.choices)
    created_by = models.ForeignKey(
        User, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # created_at, finished_at, upload, original_name, message, total_rows, error_rows, new_rows: ImportBatch
    unchanged_rows = models.PositiveIntegerField(default=0)
    # An import refused only because the quota is short: by how many accounts (0 otherwise).
    over_quota_by = models.PositiveIntegerField(_("over quota by"), default=0)
    sheet_ciphertext = models.BinaryField(null=True, blank=True, editable=False)
    sheet_expires_at = models.DateTimeField(_("credentials available until"), null=True, blank=True)

    class Meta(ImportBatch.Meta):
        verbose_name = _("issuing batch")
        verbose_name_plural = _("issuing batches")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.school} · {datetime_text(self.created_at)}"

    @property
    def outcome(self) -> str:
        """The status, told apart where "invalid" hides a file without a fault: "over_quota" (every row is
        right but the school lacks places) and "nothing_new" (everybody already has an account)."""
        if self.status == self.Status.INVALID and self.total_rows and not self.error_rows:
            if self.over_quota_by:
                return "over_quota"
            if not self.new_rows:
                return "nothing_new"
        return self.status

    @property
    def status_label(self) -> str:
        outcome = self.outcome
        if outcome == "over_quota":
            return ngettext("Over quota by %(n)s account", "Over quota by %(n)s accounts", self.over_quota_by) % {
                "n": number(self.over_quota_by)
            }
        if outcome == "nothing_new":
            return gettext("Nothing new: every row already has an account")
        return self.get_status_display()

    @property
    def sheet_available(self) -> bool:
        return (
            bool(self.sheet_ciphertext) and self.sheet_expires_at is not None and self.sheet_expires_at > timezone.now()
        )


class ImportRow(BatchRow):
    """One checked row of an uploaded spreadsheet (data, errors: BatchRow), kept so the preview can list
    every row with its problems."""

    class Action(models.TextChoices):
        CREATE = "create", _("New account")
        UNCHANGED = "unchanged", _("Already has an account")
        ERROR = "error", _("Has problems")

    batch = models.ForeignKey(IssueBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("line"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["batch", "line"]
        indexes = [models.Index(fields=["batch", "action", "line"], name="importrow_batch_action_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"


class InitialCredential(models.Model):
    """A one-time initial credential: a random code handed to the person on a slip.

    Only a keyed hash (HMAC with a key derived from SECRET_KEY) is stored: issuing 45,000 accounts
    costs 45,000 HMACs, not 45,000 password hashes, and a leaked database alone reveals nothing usable.
    It works until it expires or until the person sets their own password.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="initial_credential")
    code_hash = models.CharField(max_length=64)
    batch = models.ForeignKey(IssueBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="credentials")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("initial credential")
        verbose_name_plural = _("initial credentials")

    def __str__(self):
        return f"{self.user} ({date_text(self.expires_at)})"


class TransferRequest(Request):
    """A teacher or student moving to another school; the receiving school accepts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving school")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="transfers")
    from_school = models.ForeignKey("units.Unit", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_school = models.ForeignKey(
        "units.Unit", verbose_name=_("to"), on_delete=models.PROTECT, related_name="incoming_transfers"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_transfer_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.from_school} → {self.to_school}"


class CredentialRequest(Request):
    """Office, Department or Ministry staff ask a school to re-issue the credentials of one of its
    accounts: they may not hand an account over themselves (issue #14), the school's admins decide
    (re-issue through the normal re-issue, or decline with a reason)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the school")
        DONE = "done", _("Credentials re-issued")
        DECLINED = "declined", _("Declined")

    account = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, related_name="credential_requests"
    )
    # The school asked (the account's school when the request was made): its admins list and answer it.
    school = models.ForeignKey(
        "units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="credential_requests"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(
        IssueBatch,
        verbose_name=_("re-issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credential_requests",
    )

    class Meta:
        verbose_name = _("credential request")
        verbose_name_plural = _("credential requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "status"], name="credrequest_school_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="pending"), name="one_pending_credential_request_per_account"
            )
        ]

    def __str__(self):
        return f"{self.account} ({self.get_status_display()})"


class Rollover(models.Model):
    """One school's year-end rollover (services/rollover.py): which school year it closed and opened,
    who ran it, and what it changed (`undo_data`), so that it can be undone until the school's first
    new activity. A school rolls over once per school year; an undone rollover may be run again."""

    school = models.ForeignKey(
        "units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="rollovers"
    )
    from_year = models.CharField(_("from school year"), max_length=9)
    to_year = models.CharField(_("to school year"), max_length=9)
    # The SchoolYear rows closed and opened (the Ministry's or the Department's adjustment); empty where
    # the school read the fixed calendar (no row at all: units.rollover.rollover_school_years).
    from_school_year = models.ForeignKey(
        "units.SchoolYear",
        verbose_name=_("school year closed"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_school_year = models.ForeignKey(
        "units.SchoolYear",
        verbose_name=_("school year opened"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applied_by = models.ForeignKey(
        User, verbose_name=_("applied by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    # Counts shown on the pages: promoted, created, closed, graduated, left.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    undo_data = models.JSONField(_("what changed"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        User, verbose_name=_("undone by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("year-end rollover")
        verbose_name_plural = _("year-end rollovers")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "to_year"], condition=Q(undone_at__isnull=True), name="one_rollover_per_school_year"
            )
        ]

    def __str__(self):
        return f"{self.school} {self.from_year} → {self.to_year}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class Guardianship(models.Model):
    """A parent's link to one child (issue #17): what lets the parent follow that child, and nothing
    else. Ended links are kept (ended_at) so that who followed whom stays on record."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian")

    parent = models.ForeignKey(User, verbose_name=_("parent"), on_delete=models.PROTECT, related_name="guardianships")
    child = models.ForeignKey(User, verbose_name=_("child"), on_delete=models.PROTECT, related_name="guardians")
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices, default=Relation.GUARDIAN)
    created_by = models.ForeignKey(
        User, verbose_name=_("linked by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("linked at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, verbose_name=_("ended by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("parent link")
        verbose_name_plural = _("parent links")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "child"], condition=Q(ended_at__isnull=True), name="one_current_guardianship"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="guardianship_not_self"),
        ]
        indexes = [models.Index(fields=["child", "ended_at"], name="guardianship_child_idx")]

    def __str__(self):
        return f"{self.parent} → {self.child}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class ParentRequest(models.Model):
    """A parent asks the school for a parent account linked to their child (issue #17, "on request"): the
    child named by the student's code (mã định danh or username) and date of birth, which must match a
    student of the school, else nothing is stored. The school's admin or principal approves it (the same
    one-time credential as every account, through `parent_issue`) or declines it with a reason. A parent
    who already has an account asks from it to be linked to another child of the same school."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the school")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    school = models.ForeignKey(
        "units.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="parent_requests"
    )
    child = models.ForeignKey(User, verbose_name=_("child"), on_delete=models.PROTECT, related_name="parent_requests")
    # A parent account asking to follow another child; null for someone without an account yet.
    requester = models.ForeignKey(
        User, verbose_name=_("asked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_name = models.CharField(_("parent's full name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("email"), blank=True)
    relation = models.CharField(
        _("relation"), max_length=10, choices=Guardianship.Relation.choices, default=Guardianship.Relation.GUARDIAN
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=500, blank=True)
    parent = models.ForeignKey(
        User, verbose_name=_("parent account"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        IssueBatch,
        verbose_name=_("credential sheet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("parent account request")
        verbose_name_plural = _("parent account requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "phone"], condition=Q(status="waiting"), name="parent_request_one_waiting"
            ),
            models.CheckConstraint(
                condition=Q(status="waiting") | Q(decided_at__isnull=False), name="parent_request_decided_has_date"
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "-created_at"], name="parent_request_school_idx")]

    def __str__(self):
        return f"{self.parent_name} → {self.child}"
