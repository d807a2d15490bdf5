"""The one discussion engine: forums, threads, posts, their edit history, reports and moderation.

A forum belongs either to a unit (a school, a professional group, an Office…) or to the nation (an
open forum on teaching methods for one subject). A course or learning group that wants its own
discussion owns a forum through the generic `owner` link and still names the unit it lives in, so
scope rules keep working. Nothing is hard-deleted: threads and posts are soft-deleted with who and
when, and moderators hide posts with a reason.
"""

import os
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from truonghoc.formatting import datetime_text
from truonghoc.softdelete import SoftDeleted, soft_delete_constraint
from truonghoc.storage import private_storage
from truonghoc.uploads import family_of, human_size, normal_extension
from units.models import Unit


class Forum(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTIONS = "questions", _("Questions to the instructors")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="forums"
    )
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("owner type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(_("owner id"), null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    # How long after posting an author may still edit (0: always, while the thread is open).
    edit_window_minutes = models.PositiveIntegerField(_("edit window (minutes)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["title", "id"]
        permissions = [("moderate_forum", _("Can moderate the forum"))]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="forum_has_title"),
            # A unit's forum, or a national forum on a subject: exactly one of the two.
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(subject="")) | (Q(unit__isnull=True) & ~Q(subject="")),
                name="forum_unit_xor_subject",
            ),
            models.CheckConstraint(
                condition=Q(owner_type__isnull=True, owner_id__isnull=True)
                | Q(owner_type__isnull=False, owner_id__isnull=False),
                name="forum_owner_complete",
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(owner_type__isnull=True, unit__isnull=False), name="forum_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(unit__isnull=True, owner_type__isnull=True),
                name="forum_one_per_subject",
            ),
            # An owner (a course, a learning group) has at most one forum of each kind.
            models.UniqueConstraint(fields=["owner_type", "owner_id", "kind"], name="forum_one_per_owner_kind"),
        ]

    def __str__(self):
        return self.title


class Thread(SoftDeleted):
    forum = models.ForeignKey(Forum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("title"), max_length=255)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="forum_threads"
    )
    is_locked = models.BooleanField(_("locked"), default=False)
    # In a questions forum a question is seen only by its asker and the moderators until a moderator
    # makes it visible to everyone who sees the forum; threads of other forums are always public.
    is_public = models.BooleanField(_("visible to everyone in the forum"), default=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted_post = models.ForeignKey(
        "Post",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    last_post_at = models.DateTimeField(_("last post at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_post_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="thread_has_title"),
            soft_delete_constraint("thread"),
        ]
        indexes = [models.Index(fields=["forum", "-last_post_at"], name="thread_forum_activity_idx")]

    def __str__(self):
        return self.title

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None or self.accepted_post_id is not None

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class Post(SoftDeleted):
    thread = models.ForeignKey(Thread, verbose_name=_("thread"), on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="forum_posts"
    )
    body = models.TextField(_("text"))  # sanitised HTML (forums.services.clean_body)
    quoted = models.ForeignKey(
        "self", verbose_name=_("quoted post"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="post_has_body"),
            models.CheckConstraint(
                condition=Q(is_hidden=False, hidden_at__isnull=True, hidden_by__isnull=True)
                | Q(is_hidden=True, hidden_at__isnull=False),
                name="post_hidden_has_date",
            ),
            soft_delete_constraint("post"),
        ]
        indexes = [models.Index(fields=["thread", "created_at"], name="post_thread_created_idx")]

    def __str__(self):
        return f"{self.thread} · #{self.pk}"

    @property
    def was_edited(self) -> bool:
        return (self.updated_at - self.created_at).total_seconds() > 1


def attachment_path(instance, filename: str) -> str:
    # The stored name is opaque; the person's own file name is kept in `name`.
    extension = os.path.splitext(filename)[1].lower()
    return f"forums/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class PostAttachment(models.Model):
    """A file under a post, kept in private storage and served only through a permission-checked view."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="post_attachment_has_name")]

    def __str__(self):
        return self.name

    @property
    def extension(self) -> str:
        return normal_extension(os.path.splitext(self.name)[1])

    @property
    def is_image(self) -> bool:
        return family_of(self.extension) == "image"

    @property
    def size_label(self) -> str:
        return human_size(self.size)


class ThreadSubscription(models.Model):
    """Who follows a thread. Authors and repliers follow automatically; an explicit "unfollow" is kept as
    `following=False`, so replying again later does not silently subscribe the person back."""

    thread = models.ForeignKey(Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("follower", "person"),
        on_delete=models.CASCADE,
        related_name="forum_subscriptions",
    )
    following = models.BooleanField(_("following"), default=True)
    # When the person last opened the thread (kept for a child's homeroom conversation, issue #17): posts
    # after it are unread for them.
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("thread subscription")
        verbose_name_plural = _("thread subscriptions")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_subscription_once")]

    def __str__(self):
        return f"{self.user} · {self.thread}"


class PostRevision(models.Model):
    """A post's text before an edit: the edit history."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("text"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("edited by"), on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")
        ordering = ["-edited_at", "-id"]
        indexes = [models.Index(fields=["post", "edited_at"], name="post_revision_post_idx")]

    def __str__(self):
        return f"{self.post} · {datetime_text(self.edited_at)}"


class PostReport(models.Model):
    """ "Report this post": one open report per person and post, resolved by a moderator."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("post report")
        verbose_name_plural = _("post reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="post_report_has_reason"),
            models.CheckConstraint(
                condition=Q(resolved_by__isnull=True) | Q(resolved_at__isnull=False),
                name="post_report_resolved_has_date",
            ),
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(resolved_at__isnull=True), name="post_report_one_open"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "created_at"], name="post_report_open_idx")]

    def __str__(self):
        return f"{self.post} · {self.reporter}"
