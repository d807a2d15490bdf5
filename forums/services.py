"""Every write of the discussion engine. Each refusal raises ValidationError with a message for the
person and leaves the database as it was; moderation actions leave an audit entry."""

import re
import unicodedata
from datetime import timedelta

import nh3
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.profile import missing_profile_items, profile_is_complete
from notifications.services import notify
from truonghoc.text import nfc
from units.models import Unit
from units.services import audit_log

from .models import Forum, Post, PostReport, PostRevision, Thread
from .permissions import (
    MODERATE_PERM,
    can_delete_post,
    can_delete_thread,
    can_manage_forum,
    can_moderate_forum,
    can_post_in_forum,
    can_view_forum,
)

ALLOWED_TAGS = {"p", "br", "strong", "em", "u", "ol", "ul", "li", "blockquote", "a", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
BODY_MAX_CHARS = 50_000
_TAG = re.compile(r"<[a-zA-Z/!]")


def clean_body(value: str | None) -> str:
    """Sanitised HTML from what the person typed: plain text becomes paragraphs; HTML keeps only a
    small allow-list (scripts, styles, event handlers and javascript: links never survive)."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if not _TAG.search(text):
        text = linebreaks(escape(text))
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel="noopener nofollow",
        url_schemes=URL_SCHEMES,
    ).strip()


def _has_text(html: str) -> bool:
    return bool(nh3.clean(html, tags=set()).replace("&nbsp;", " ").strip())


def _body_or_refuse(value: str | None) -> str:
    if len(value or "") > BODY_MAX_CHARS:
        raise ValidationError({"body": _("A post can have at most %(max)d characters.") % {"max": BODY_MAX_CHARS}})
    body = clean_body(value)
    if not _has_text(body):
        raise ValidationError({"body": _("Write something before posting.")})
    return body


def _check_may_post(actor, forum: Forum) -> None:
    if not getattr(actor, "is_active", False):
        raise ValidationError(_("Your account is not active, so you cannot post."))
    if not can_post_in_forum(actor, forum):
        raise ValidationError(_("You cannot post in this forum."))
    if not profile_is_complete(actor):
        raise ValidationError(
            _("Please complete your profile before posting (%(missing)s).")
            % {"missing": ", ".join(missing_profile_items(actor))}
        )


def _check_thread_open(thread: Thread) -> None:
    if thread.is_deleted:
        raise ValidationError(_("This thread has been removed."))
    if thread.is_locked:
        raise ValidationError(_("This thread is locked: no new replies can be posted."))


def _check_moderator(actor, forum: Forum) -> None:
    if not can_moderate_forum(actor, forum):
        raise ValidationError(_("Only the forum's moderators can do this."))


def _post_url(post: Post) -> str:
    return reverse("forums:post", args=[post.pk])


# --- forums ----------------------------------------------------------------------------------


@transaction.atomic
def forum_for_unit(*, unit: Unit) -> Forum:
    """The unit's own forum, created on first use."""
    forum = Forum.objects.filter(unit=unit, owner_type__isnull=True).first()
    if forum is not None:
        return forum
    forum = Forum(unit=unit, title=unit.name)
    forum.full_clean(validate_constraints=False)
    forum, _created = Forum.objects.get_or_create(unit=unit, owner_type=None, defaults={"title": unit.name})
    return forum


@transaction.atomic
def forum_for_owner(*, owner, unit: Unit, title: str, kind: str = Forum.Kind.DISCUSSION) -> Forum:
    """The forum of a course or learning group (one per kind), created on first use. `unit` is where the
    owner lives; who may see and moderate it comes from the owner's registered rules."""
    owner_type = ContentType.objects.get_for_model(owner)
    forum, _created = Forum.objects.get_or_create(
        owner_type=owner_type,
        owner_id=owner.pk,
        kind=kind,
        defaults={"unit": unit, "title": nfc(title)[:255] or str(owner)[:255]},
    )
    return forum


@transaction.atomic
def forum_national_create(*, actor, subject: str, title: str, description: str = "") -> Forum:
    """An open forum of the whole country on teaching one subject (Ministry staff)."""
    subject, title = nfc(subject), nfc(title)
    probe = Forum(subject=subject or "-", title=title or "-")
    if not can_manage_forum(actor, probe):
        raise ValidationError(_("Only the Ministry's staff can open a national forum."))
    forum = Forum(subject=subject, title=title, description=(description or "").strip())
    forum.full_clean()
    forum.save()
    audit_log(actor=actor, action="forum_create", target=forum, after={"subject": subject, "title": title})
    return forum


@transaction.atomic
def moderator_grant(*, actor, forum: Forum, user) -> None:
    if not can_manage_forum(actor, forum):
        raise ValidationError(_("You cannot appoint moderators of this forum."))
    if not can_view_forum(user, forum):
        raise ValidationError(_("%(name)s cannot see this forum, so cannot moderate it.") % {"name": user})
    assign_perm(MODERATE_PERM, user, forum)
    audit_log(actor=actor, action="forum_moderator_grant", unit=forum.unit, target=forum, after={"user": user.pk})


@transaction.atomic
def moderator_revoke(*, actor, forum: Forum, user) -> None:
    if not can_manage_forum(actor, forum):
        raise ValidationError(_("You cannot remove moderators of this forum."))
    remove_perm(MODERATE_PERM, user, forum)
    audit_log(actor=actor, action="forum_moderator_revoke", unit=forum.unit, target=forum, before={"user": user.pk})


# --- threads and posts -----------------------------------------------------------------------


@transaction.atomic
def thread_create(*, actor, forum: Forum, title: str, body: str) -> Thread:
    """A new thread with its opening post."""
    _check_may_post(actor, forum)
    title = nfc(title)
    if not title:
        raise ValidationError({"title": _("Give the thread a title.")})
    body = _body_or_refuse(body)
    now = timezone.now()
    thread = Thread(forum=forum, title=title, author=actor, post_count=1, last_post_at=now, created_at=now)
    thread.updated_at = now
    thread.full_clean()
    thread.save()
    post = Post(thread=thread, author=actor, body=body, created_at=now, updated_at=now)
    post.full_clean()
    post.save()
    return thread


@transaction.atomic
def post_reply(*, actor, thread: Thread, body: str, quoted: Post | None = None) -> Post:
    """A reply; the thread's other participants are told once each, never the author."""
    thread = Thread.objects.select_for_update(of=("self",)).select_related("forum__unit").get(pk=thread.pk)
    _check_may_post(actor, thread.forum)
    _check_thread_open(thread)
    if quoted is not None and (quoted.thread_id != thread.pk or quoted.is_deleted or quoted.is_hidden):
        raise ValidationError({"quoted": _("The quoted post is not in this thread or has been removed.")})
    body = _body_or_refuse(body)
    now = timezone.now()
    post = Post(thread=thread, author=actor, body=body, quoted=quoted, created_at=now, updated_at=now)
    post.full_clean()
    post.save()
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, last_post_at=now, updated_at=now)
    User = get_user_model()
    participants = (
        User.objects.filter(forum_posts__thread=thread, forum_posts__deleted_at__isnull=True, is_active=True)
        .exclude(pk=actor.pk)
        .distinct()
    )
    notify(
        recipients=participants,
        title=_("%(name)s replied in “%(thread)s”") % {"name": actor, "thread": thread.title},
        body=nh3.clean(body, tags=set())[:300],
        url=_post_url(post),
    )
    return post


@transaction.atomic
def post_edit(*, actor, post: Post, body: str) -> Post:
    """The author changes their post; the previous text is kept as a revision."""
    post = Post.objects.select_for_update(of=("self",)).select_related("thread__forum__unit").get(pk=post.pk)
    if post.author_id != actor.pk:
        raise ValidationError(_("Only the author can edit a post."))
    if post.is_deleted or post.is_hidden:
        raise ValidationError(_("A removed or hidden post cannot be edited."))
    _check_may_post(actor, post.thread.forum)
    _check_thread_open(post.thread)
    window = post.thread.forum.edit_window_minutes
    if window and timezone.now() > post.created_at + timedelta(minutes=window):
        raise ValidationError(
            _("Posts in this forum can be edited only within %(minutes)d minutes of posting.") % {"minutes": window}
        )
    body = _body_or_refuse(body)
    if body == post.body:
        return post
    now = timezone.now()
    PostRevision.objects.create(post=post, body=post.body, edited_by=actor, edited_at=now)
    post.body = body
    post.updated_at = now
    post.full_clean()
    post.save(update_fields=["body", "updated_at"])
    return post


@transaction.atomic
def post_report(*, actor, post: Post, reason: str) -> PostReport:
    if not can_view_forum(actor, post.thread.forum):
        raise ValidationError(_("You cannot report this post."))
    if post.is_deleted:
        raise ValidationError(_("This post has already been removed."))
    if post.author_id == actor.pk:
        raise ValidationError(_("You cannot report your own post."))
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with the post.")})
    if PostReport.objects.filter(post=post, reporter=actor, resolved_at__isnull=True).exists():
        raise ValidationError(_("You have already reported this post; the moderators will look at it."))
    report = PostReport(post=post, reporter=actor, reason=reason[:500])
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def post_report_resolve(*, actor, report: PostReport) -> PostReport:
    """A moderator looked at the report and left the post as it is."""
    _check_moderator(actor, report.post.thread.forum)
    if report.resolved_at is None:
        report.resolved_at, report.resolved_by = timezone.now(), actor
        report.save(update_fields=["resolved_at", "resolved_by"])
        audit_log(actor=actor, action="forum_report_resolve", unit=report.post.thread.forum.unit, target=report.post)
    return report


def _resolve_reports(actor, post: Post) -> None:
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=actor)


@transaction.atomic
def post_hide(*, actor, post: Post, reason: str) -> Post:
    forum = post.thread.forum
    _check_moderator(actor, forum)
    reason = nfc(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for hiding the post.")})
    if post.is_hidden:
        raise ValidationError(_("This post is already hidden."))
    post.is_hidden, post.hidden_by, post.hidden_at, post.hidden_reason = True, actor, timezone.now(), reason[:255]
    post.full_clean()
    post.save(update_fields=["is_hidden", "hidden_by", "hidden_at", "hidden_reason"])
    _resolve_reports(actor, post)
    audit_log(actor=actor, action="forum_post_hide", unit=forum.unit, target=post, after={"reason": reason})
    return post


@transaction.atomic
def post_restore(*, actor, post: Post) -> Post:
    forum = post.thread.forum
    _check_moderator(actor, forum)
    if not post.is_hidden:
        raise ValidationError(_("This post is not hidden."))
    before = {"reason": post.hidden_reason, "hidden_by": post.hidden_by_id}
    post.is_hidden, post.hidden_by, post.hidden_at, post.hidden_reason = False, None, None, ""
    post.save(update_fields=["is_hidden", "hidden_by", "hidden_at", "hidden_reason"])
    audit_log(actor=actor, action="forum_post_restore", unit=forum.unit, target=post, before=before)
    return post


@transaction.atomic
def post_delete(*, actor, post: Post) -> Post:
    """Soft delete by the author or a moderator: the post stays, shown as removed by whom and when."""
    if post.is_deleted:
        raise ValidationError(_("This post has already been removed."))
    if not can_delete_post(actor, post):
        raise ValidationError(_("You cannot remove this post."))
    post.deleted_at, post.deleted_by = timezone.now(), actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    _resolve_reports(actor, post)
    if post.author_id != actor.pk:
        audit_log(actor=actor, action="forum_post_delete", unit=post.thread.forum.unit, target=post)
    return post


@transaction.atomic
def thread_delete(*, actor, thread: Thread) -> Thread:
    if thread.is_deleted:
        raise ValidationError(_("This thread has already been removed."))
    if not can_delete_thread(actor, thread):
        raise ValidationError(_("You cannot remove this thread."))
    thread.deleted_at, thread.deleted_by = timezone.now(), actor
    thread.save(update_fields=["deleted_at", "deleted_by"])
    if thread.author_id != actor.pk:
        audit_log(actor=actor, action="forum_thread_delete", unit=thread.forum.unit, target=thread)
    return thread


def _set_lock(actor, thread: Thread, locked: bool) -> Thread:
    _check_moderator(actor, thread.forum)
    if thread.is_locked == locked:
        raise ValidationError(_("This thread is already locked.") if locked else _("This thread is not locked."))
    thread.is_locked = locked
    thread.save(update_fields=["is_locked"])
    audit_log(
        actor=actor,
        action="forum_thread_lock" if locked else "forum_thread_unlock",
        unit=thread.forum.unit,
        target=thread,
    )
    return thread


@transaction.atomic
def thread_lock(*, actor, thread: Thread) -> Thread:
    return _set_lock(actor, thread, True)


@transaction.atomic
def thread_unlock(*, actor, thread: Thread) -> Thread:
    return _set_lock(actor, thread, False)
