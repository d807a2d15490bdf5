import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truonghoc.formatting import datetime_text
from truonghoc.softdelete import SoftDeleted, soft_delete_constraint
from truonghoc.storage import private_storage
from units.models import Role, Unit

# Report templates and submitted reports: PDF, Word or Excel files up to this size.
REPORT_FILE_MAX_BYTES = 20 * 1024 * 1024
DEADLINE_SOON = timedelta(days=3)


def report_file_path(instance, filename: str) -> str:
    """A random name in a dated folder; the name the person gave the file is kept in a column, so
    nothing they typed reaches the file system."""
    extension = os.path.splitext(filename)[1].lower()
    return f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def _someone(verbose_name) -> models.ForeignKey:
    """Who did something (created, submitted, reminded, opened, reviewed): optional, and kept empty rather
    than blocking when the account goes; no reverse accessor on User."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ReportRequest(models.Model):
    """An upper unit (Ministry, Department, Office) asks the units below it for a report by a deadline.

    The recipients chosen (kinds of unit and single units) are resolved once, at creation, into one
    ReportRecipient row per unit; `audience` keeps what was chosen, for the record.
    """

    class Audience(models.TextChoices):
        DEPARTMENTS = "department", _("All Departments")
        OFFICES = "office", _("All Offices")
        THPT = "thpt", _("All THPT schools")
        THCS = "thcs", _("All THCS schools")
        PRIMARY = "th", _("All primary schools")
        MULTI_LEVEL = "lien_cap", _("All multi-level schools")
        CONTINUING = "gdtx", _("All continuing-education centres")
        UNIVERSITIES = "university", _("All teacher-training universities")

    issuer = models.ForeignKey(
        Unit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="report_requests_issued"
    )
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"))
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    template_file = models.FileField(
        _("template file"), upload_to=report_file_path, storage=private_storage, blank=True, max_length=255
    )
    template_name = models.CharField(_("template file name"), max_length=255, blank=True)
    audience = models.JSONField(_("recipients chosen"), default=dict, blank=True)
    created_by = _someone(_("created by"))
    # The form's one-time token: a second click on "Send" finds the request the first one made.
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "token"], name="report_request_unique_token"),
            models.CheckConstraint(condition=~Q(title=""), name="report_request_has_title"),
            models.CheckConstraint(
                condition=Q(template_file="", template_name="") | (~Q(template_file="") & ~Q(template_name="")),
                name="report_request_template_named",
            ),
        ]
        indexes = [models.Index(fields=["issuer", "created_at"], name="report_request_issuer_idx")]

    def __str__(self):
        return self.title

    @property
    def is_past_deadline(self) -> bool:
        return timezone.now() > self.deadline

    @property
    def deadline_state(self) -> str:
        """ "past", "soon" (within DEADLINE_SOON) or "open": how pages colour the countdown."""
        left = self.deadline - timezone.now()
        if left <= timedelta(0):
            return "past"
        return "soon" if left <= DEADLINE_SOON else "open"


class ReportRecipient(models.Model):
    """One unit asked for one report, with the state of its submissions kept up to date by the
    submission service, so the issuer's table is one query however many units were asked."""

    class Status(models.TextChoices):
        MISSING = "missing", _("Not submitted")
        ON_TIME = "on_time", _("Submitted")
        LATE = "late", _("Submitted late")

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report request"), on_delete=models.CASCADE, related_name="recipients"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="report_recipients")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.MISSING)
    version_count = models.PositiveIntegerField(_("versions"), default=0)
    latest_submission = models.ForeignKey(
        "ReportSubmission",
        verbose_name=_("latest version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("report recipient")
        verbose_name_plural = _("report recipients")
        constraints = [
            models.UniqueConstraint(fields=["request", "unit"], name="report_recipient_once_per_unit"),
            models.CheckConstraint(
                condition=(
                    Q(status="missing", version_count=0, last_submitted_at__isnull=True)
                    | (~Q(status="missing") & Q(version_count__gte=1, last_submitted_at__isnull=False))
                ),
                name="report_recipient_status_matches_versions",
            ),
        ]
        indexes = [
            models.Index(fields=["request", "status"], name="report_recipient_status_idx"),
            models.Index(fields=["unit", "status"], name="report_recipient_unit_idx"),
        ]

    def __str__(self):
        return f"{self.request} · {self.unit}"


class ReportSubmission(models.Model):
    """One version of a unit's report. Every version is kept; the newest is the one that counts."""

    recipient = models.ForeignKey(
        ReportRecipient, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="submissions"
    )
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=report_file_path, storage=private_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    note = models.TextField(_("note"), blank=True)
    submitted_by = _someone(_("submitted by"))
    is_late = models.BooleanField(_("late"), default=False)
    token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "version"], name="report_submission_unique_version"),
            models.UniqueConstraint(fields=["recipient", "token"], name="report_submission_unique_token"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_submission_version_positive"),
            models.CheckConstraint(condition=~Q(file=""), name="report_submission_has_file"),
        ]

    def __str__(self):
        return f"{self.recipient} · v{self.version}"


class ReportReminder(models.Model):
    """One click on "Remind": who sent it, when, and how many units and people it reached."""

    request = models.ForeignKey(
        ReportRequest, verbose_name=_("report request"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = _someone(_("sent by"))
    unit_count = models.PositiveIntegerField(_("units reminded"))
    people_count = models.PositiveIntegerField(_("people notified"))
    # Units that had not submitted but have nobody on the system who manages them.
    unreached_count = models.PositiveIntegerField(_("units with nobody to notify"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["request", "created_at"], name="report_reminder_request_idx")]

    def __str__(self):
        return f"{self.request} · {datetime_text(self.created_at)}"


# --- official letters (công văn) -------------------------------------------------------------


def letter_file_path(instance, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()
    return f"letters/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Letter(models.Model):
    """An official letter (công văn) issued by a unit to units below it.

    Its recipients are resolved once, when it is issued, into LetterRecipient rows (which also carry the
    read receipts); an Office forwarding a Department's letter to its schools adds rows to the same
    letter, marked with the forwarding unit, so every receipt stays on one letter.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    class Addressees(models.TextChoices):
        """Whom in each recipient unit the letter is written to ("Kính gửi"): whose opening counts as the
        unit having read it, and whether its students see it. A student's opening never counts."""

        HEADS = "heads", _("The heads of each unit (principal, school admin, Office staff, group leader)")
        STAFF = "staff", _("The heads and the teachers")
        EVERYONE = "everyone", _("Everyone, students included (students may read it)")

    issuer = models.ForeignKey(Unit, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="letters")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=60, help_text=_("For example SGDĐT-GDTrH"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    issued_on = models.DateField(_("date"))
    subject = models.CharField(_("subject (V/v)"), max_length=500)
    signer_name = models.CharField(_("signed by"), max_length=150)
    signer_title = models.CharField(_("signer's title"), max_length=150)
    body = models.TextField(_("text"), blank=True)  # sanitised HTML
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Shown on the public front page (the Ministry's and Departments' letters meant for everyone).
    is_public = models.BooleanField(_("public"), default=False)
    # The letters in the system it cites, both ways (what "Cited by" reads); `citations` keeps every line
    # of the "Căn cứ", these letters and typed references to letters outside the system, in order.
    cites = models.ManyToManyField(
        "self", verbose_name=_("cites (căn cứ)"), symmetrical=False, related_name="cited_by", blank=True
    )
    audience = models.JSONField(_("recipients chosen"), default=dict, blank=True)
    addressed_to = models.CharField(
        _("addressed to"),
        max_length=10,
        choices=Addressees.choices,
        default=Addressees.HEADS,
        db_default=Addressees.HEADS,
    )
    # Also addressed to the parents of the students of this unit (issue #17): the issuer itself (all the
    # parents below it) or, for a school, one of its classes. Parents see nothing else of the letters.
    parents_unit = models.ForeignKey(
        Unit,
        verbose_name=_("also addressed to the parents of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Folded (accent-free, lower-case) number, symbol, subject, issuer, signer and text: what the archive
    # searches. Kept by the services.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_by = _someone(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("official letter")
        verbose_name_plural = _("official letters")
        ordering = ["-issued_on", "-number", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(subject=""), name="letter_has_subject"),
            models.CheckConstraint(condition=~Q(symbol=""), name="letter_has_symbol"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(number__isnull=False) & Q(issued_at__isnull=False)),
                name="letter_issued_has_number",
            ),
            # "Số 1364/SGDĐT-GDTrH": a unit numbers its letters once per year.
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], condition=Q(status="issued"), name="letter_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-issued_on", "-id"], name="letter_archive_idx"),
            models.Index(fields=["issuer", "year"], name="letter_issuer_year_idx"),
        ]

    def __str__(self):
        return f"{self.reference} · {self.subject}"

    @property
    def reference(self) -> str:
        """The letter's number and symbol as written on it: 1364/SGDĐT-GDTrH."""
        return f"{self.number}/{self.symbol}" if self.number else self.symbol


class LetterCitation(models.Model):
    """One line of a letter's "Căn cứ", in the order written: a letter in the system (`cited`), or the
    typed reference of one that is not (a Ministry letter, a decree: "Nghị định 30/2020/NĐ-CP")."""

    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="citations")
    position = models.PositiveSmallIntegerField(_("position"))
    cited = models.ForeignKey(
        Letter, verbose_name=_("letter cited"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(_("reference"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("citation (căn cứ)")
        verbose_name_plural = _("citations (căn cứ)")
        ordering = ["letter", "position"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "position"], name="letter_citation_position_unique"),
            models.CheckConstraint(
                condition=(Q(cited__isnull=False) & Q(text="")) | (Q(cited__isnull=True) & ~Q(text="")),
                name="letter_citation_letter_or_text",
            ),
        ]

    def __str__(self):
        return self.text or str(self.cited)


class LetterAttachment(models.Model):
    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=letter_file_path, storage=private_storage, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("letter attachment")
        verbose_name_plural = _("letter attachments")
        ordering = ["letter", "id"]

    def __str__(self):
        return self.name


class LetterRecipient(models.Model):
    """One unit a letter was sent (or forwarded) to, and its read receipt."""

    letter = models.ForeignKey(Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="letters_received")
    # Set when an Office forwarded the letter to this unit (null: sent by the issuer itself).
    forwarded_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("forwarded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters_forwarded",
    )
    added_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    read_by = _someone(_("first opened by"))
    # The role `read_by` held at the unit when they opened it (a units.Role value): why it counted.
    # (A database default too: the benchmark and imports COPY rows in without it.)
    read_role = models.CharField(
        _("opened as"), max_length=20, choices=Role.choices, blank=True, default="", db_default=""
    )
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter recipient")
        verbose_name_plural = _("letter recipients")
        ordering = ["letter", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "unit"], name="letter_recipient_once"),
            models.CheckConstraint(
                condition=Q(read_by__isnull=True) | Q(read_at__isnull=False), name="letter_read_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "letter"], name="letter_recipient_unit_idx"),
            models.Index(fields=["letter", "read_at"], name="letter_recipient_read_idx"),
        ]

    def __str__(self):
        return f"{self.letter} → {self.unit}"


# --- news (tin bài) ----------------------------------------------------------------------------


def news_image_path(instance, filename: str) -> str:
    return f"news/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def _picture_url(url_name: str, args: list, field) -> str:
    """A picture's address: the view that checks who may see it, with the stored file's name in the query
    so a replaced picture gets a new address (published pictures are cached)."""
    version = field.name.rsplit("/", 1)[-1].split(".", 1)[0]
    return f"{reverse(url_name, args=args)}?v={version}"


class Article(SoftDeleted):
    """A news article from a unit. The unit above approves it before it appears on the unit's and its
    parent's spaces; approved articles can be promoted up, to the national front page at the top.
    Its pictures (re-encoded, EXIF removed) are private files served by a view: anyone sees those of a
    published article, only those who see the article the others (issue #14)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Returned for changes")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="articles")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=255)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("text"))  # sanitised HTML
    # Private files (issue #14): a draft's pictures are no public file; views.news.cover serves them.
    cover = models.ImageField(
        _("cover image"), upload_to=news_image_path, storage=private_storage, blank=True, max_length=255
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    reviewed_by = _someone(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("reviewer's note"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    # The highest unit whose front page shows the article (the Ministry: the national front page).
    promoted_to = models.ForeignKey(
        Unit,
        verbose_name=_("promoted to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="promoted_articles",
    )
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    # Written for parents too (issue #17): once approved it shows on the home page of the parents of the
    # students of the unit's subtree.
    for_parents = models.BooleanField(_("for parents too"), default=False, db_default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="article_has_title"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(published_at__isnull=False), name="article_approved_has_date"
            ),
            soft_delete_constraint("article"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_published_idx"),
            models.Index(fields=["unit", "status", "-published_at"], name="article_unit_idx"),
            models.Index(fields=["promoted_to", "-published_at"], name="article_promoted_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def cover_url(self) -> str:
        return _picture_url("news:cover", [self.pk], self.cover) if self.cover else ""


class ArticleImage(models.Model):
    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=news_image_path, storage=private_storage, max_length=255)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("article image")
        verbose_name_plural = _("article images")
        ordering = ["article", "position", "id"]

    def __str__(self):
        return self.caption or f"{self.article} · {self.pk}"

    @property
    def url(self) -> str:
        return _picture_url("news:picture", [self.article_id, self.pk], self.image)
