"""Every write of the discussion engine. Each refusal raises ValidationError with a message for the
person and leaves the database as it was; moderation actions leave an audit entry."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from accounts.profile import profile_refusal
from notifications.services import notify
from truonghoc.richtext import clean_html, excerpt, html_has_text, html_text
from truonghoc.storage import private_storage
from truonghoc.text import nfc
from truonghoc.uploads import CheckedFile, check_upload, files_removed_on_failure
from units.models import Unit
from units.permissions import forget_grants
from units.selectors import in_subtree_q
from units.services import audit_log
from units.trash import soft_remove

from .models import Forum, Post, PostAttachment, PostReport, PostRevision, Thread, ThreadSubscription
from .permissions import (
    MODERATE_PERM,
    can_accept_answer,
    can_delete_post,
    can_delete_thread,
    can_manage_forum,
    can_moderate_forum,
    can_post_in_forum,
    can_publish_question,
    can_view_forum,
    can_view_thread,
    is_questions,
    owner_rules,
)
from .words import question_words

BODY_MAX_CHARS = 50_000
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "jpg", "png")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENTS_MAX = 5
NOTIFICATION_EXCERPT_CHARS = 300
# The one sanitiser (truonghoc.richtext); `clean_body` is the name the apps have always imported from here.
clean_body = clean_html


def _body_or_refuse(value: str | None) -> str:
    if len(value or "") > BODY_MAX_CHARS:
        raise ValidationError({"body": _("A post can have at most %(max)d characters.") % {"max": BODY_MAX_CHARS}})
    body = clean_body(value)
    if not html_has_text(body):
        raise ValidationError({"body": _("Write something before posting.")})
    return body


def _check_may_post(actor, forum: Forum) -> None:
    if not getattr(actor, "is_active", False):
        raise ValidationError(_("Your account is not active, so you cannot post."))
    if not can_post_in_forum(actor, forum):
        raise ValidationError(_("You cannot post in this forum."))
    if refusal := profile_refusal(actor, _("Please complete your profile before posting (%(missing)s).")):
        raise ValidationError(refusal)


def _check_thread_open(thread: Thread, actor) -> None:
    if thread.is_deleted:
        raise ValidationError(_("This thread has been removed."))
    # Moderators may still post in a locked thread (to explain why it was locked, to conclude).
    if thread.is_locked and not can_moderate_forum(actor, thread.forum):
        raise ValidationError(_("This thread is locked: no new replies can be posted."))


def _checked_attachments(files) -> list[CheckedFile]:
    """Every file checked (count, type by content, size) before anything is written; all refusals are
    reported at once under the `files` field."""
    files = [f for f in (files or []) if f]
    if len(files) > ATTACHMENTS_MAX:
        raise ValidationError(
            {
                "files": _("You can attach at most %(max)d files to a post; you chose %(count)d.")
                % {"max": ATTACHMENTS_MAX, "count": len(files)}
            }
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(check_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _body_and_files_or_refuse(body, files, errors: dict) -> tuple[str, list[CheckedFile]]:
    """The cleaned body and checked files, or one ValidationError with every problem (and `errors`
    already found), so the person fixes everything in one go."""
    cleaned, checked = "", []
    try:
        cleaned = _body_or_refuse(body)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    try:
        checked = _checked_attachments(files)
    except ValidationError as exc:
        exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return cleaned, checked


def _attach(post: Post, checked: list[CheckedFile], saved: list[str]) -> None:
    for item in checked:
        attachment = PostAttachment(post=post, name=item.name, size=item.size, created_at=post.created_at)
        attachment.file.save(item.name, item.upload, save=False)
        saved.append(attachment.file.name)
        attachment.full_clean()
        attachment.save()


def _follow_automatically(thread: Thread, user) -> None:
    # get_or_create keeps an explicit "unfollow" (following=False) as it is.
    ThreadSubscription.objects.get_or_create(thread=thread, user=user)


def _check_moderator(actor, forum: Forum) -> None:
    if not can_moderate_forum(actor, forum):
        raise ValidationError(_("Only the forum's moderators can do this."))


def _post_url(post: Post) -> str:
    return reverse("forums:post", args=[post.pk])


def _tell_watchers(forum: Forum, actor, *, told: set[int], thread: Thread, body: str) -> None:
    """Those who watch every post of the forum's owner (a topic's author) and were not told otherwise: one
    unread entry per forum, updated with the latest post rather than piled up."""
    rules = owner_rules(forum)
    if rules is None or rules.watchers is None:
        return
    people = [u for u in rules.watchers(forum.owner) if u.pk != actor.pk and u.pk not in told]
    people = [u for u in people if can_view_forum(u, forum)]
    if people:
        notify(
            recipients=people,
            title=_("New posts in “%(forum)s”, the latest by %(name)s") % {"forum": forum.title, "name": actor},
            body=f"“{thread.title}”: {excerpt(html_text(body), NOTIFICATION_EXCERPT_CHARS)}",
            url=reverse("forums:forum", args=[forum.pk]),
            merge_unread=True,
        )


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
    forget_grants(user)
    audit_log(actor=actor, action="forum_moderator_grant", unit=forum.unit, target=forum, after={"user": user.pk})


@transaction.atomic
def moderator_grants_end(*, actor, person, unit: Unit, to_school: Unit | None = None) -> list[Forum]:
    """`person` left `unit` (a school, for another: issue #14): their moderator grants on the forums of
    `unit`'s subtree end, in bulk, with one audit entry at `unit` naming the forums. Their posts stay.
    Called by the `accounts.signals.person_left_school` receiver (registered in `apps.py`)."""
    forums = list(
        get_objects_for_user(
            person,
            MODERATE_PERM,
            klass=Forum.objects.filter(in_subtree_q(unit)),
            accept_global_perms=False,
            with_superuser=False,
        ).order_by("pk")
    )
    if not forums:
        return []
    remove_perm(MODERATE_PERM, person, Forum.objects.filter(pk__in=[f.pk for f in forums]))
    person.__dict__.pop("_forum_moderation_cache", None)
    forget_grants(person)
    audit_log(
        actor=actor,
        action="forum_moderator_departure",
        unit=unit,
        target=person,
        before={"moderator_of": [f.title for f in forums]},
        after={"school": to_school.name if to_school is not None else None},
    )
    return forums


def person_left_school_receiver(sender, *, actor, person, from_school, to_school=None, **kwargs) -> None:
    moderator_grants_end(actor=actor, person=person, unit=from_school, to_school=to_school)


@transaction.atomic
def moderator_revoke(*, actor, forum: Forum, user) -> None:
    if not can_manage_forum(actor, forum):
        raise ValidationError(_("You cannot remove moderators of this forum."))
    remove_perm(MODERATE_PERM, user, forum)
    user.__dict__.pop("_forum_moderation_cache", None)
    forget_grants(user)
    audit_log(actor=actor, action="forum_moderator_revoke", unit=forum.unit, target=forum, before={"user": user.pk})


# --- threads and posts -----------------------------------------------------------------------


@transaction.atomic
def thread_create(*, actor, forum: Forum, title: str, body: str, files=()) -> Thread:
    """A new thread with its opening post and its files. In a questions forum the thread is a question:
    seen only by the asker and the moderators until a moderator makes it public, and the moderators are
    told of it."""
    _check_may_post(actor, forum)
    title = nfc(title)
    errors = {} if title else {"title": [_("Give the thread a title.")]}
    body, checked = _body_and_files_or_refuse(body, files, errors)
    now = timezone.now()
    questions = is_questions(forum)
    thread = Thread(
        forum=forum,
        title=title,
        author=actor,
        post_count=1,
        last_post_at=now,
        created_at=now,
        updated_at=now,
        is_public=not questions,
    )
    thread.full_clean()
    thread.save()
    post = Post(thread=thread, author=actor, body=body, created_at=now, updated_at=now)
    post.full_clean()
    with files_removed_on_failure(private_storage()) as saved:
        post.save()
        _attach(post, checked, saved)
        _follow_automatically(thread, actor)
        if questions:
            from .selectors import question_recipients

            notify(
                recipients=(u for u in question_recipients(forum=forum) if u.pk != actor.pk),
                title=_("New question from %(name)s: “%(title)s”") % {"name": actor, "title": title},
                body=excerpt(html_text(body), NOTIFICATION_EXCERPT_CHARS),
                url=reverse("forums:thread", args=[thread.pk]),
            )
        else:
            _tell_watchers(forum, actor, told=set(), thread=thread, body=body)
    return thread


@transaction.atomic
def unit_thread_create(*, actor, unit: Unit, title: str, body: str, files=()) -> Thread:
    """The first thread of a unit's forum creates the forum; a refused thread leaves no forum behind."""
    forum = forum_for_unit(unit=unit)
    return thread_create(actor=actor, forum=forum, title=title, body=body, files=files)


@transaction.atomic
def post_reply(*, actor, thread: Thread, body: str, quoted: Post | None = None, files=()) -> Post:
    """A reply with its files. The replier follows the thread; its followers are told once each, never
    the replier. In a questions forum a moderator's reply marks the question answered."""
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("forum__unit", "forum__owner_type")
        .get(pk=thread.pk)
    )
    _check_may_post(actor, thread.forum)
    if not can_view_thread(actor, thread):
        raise ValidationError(_("You cannot post in this forum."))
    _check_thread_open(thread, actor)
    if quoted is not None and (quoted.thread_id != thread.pk or quoted.is_deleted or quoted.is_hidden):
        raise ValidationError({"quoted": _("The quoted post is not in this thread or has been removed.")})
    body, checked = _body_and_files_or_refuse(body, files, {})
    now = timezone.now()
    post = Post(thread=thread, author=actor, body=body, quoted=quoted, created_at=now, updated_at=now)
    post.full_clean()
    with files_removed_on_failure(private_storage()) as saved:
        post.save()
        _attach(post, checked, saved)
        changes = {"post_count": F("post_count") + 1, "last_post_at": now, "updated_at": now}
        if (
            is_questions(thread.forum)
            and thread.answered_at is None
            and actor.pk != thread.author_id
            and can_moderate_forum(actor, thread.forum)
        ):
            changes["answered_at"] = now
        Thread.objects.filter(pk=thread.pk).update(**changes)
        _follow_automatically(thread, actor)
        followers = (
            get_user_model()
            .objects.filter(forum_subscriptions__thread=thread, forum_subscriptions__following=True, is_active=True)
            .exclude(pk=actor.pk)
        )
        followers = list(followers)
        notify(
            recipients=followers,
            title=_("%(name)s replied in “%(thread)s”") % {"name": actor, "thread": thread.title},
            body=excerpt(html_text(body), NOTIFICATION_EXCERPT_CHARS),
            url=_post_url(post),
        )
        if thread.is_public:
            _tell_watchers(thread.forum, actor, told={u.pk for u in followers}, thread=thread, body=body)
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
    _check_thread_open(post.thread, actor)
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


def _drop_accepted(post: Post) -> None:
    # A hidden or removed post can no longer stand as the accepted answer.
    Thread.objects.filter(pk=post.thread_id, accepted_post=post).update(accepted_post=None)


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
    _drop_accepted(post)
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
    # Moderation is audited; an author removing their own post is not moderation.
    moderated = post.author_id != actor.pk
    soft_remove(post, by=actor, action="forum_post_delete", unit=post.thread.forum.unit, audited=moderated)
    _resolve_reports(actor, post)
    _drop_accepted(post)
    return post


@transaction.atomic
def thread_delete(*, actor, thread: Thread) -> Thread:
    if thread.is_deleted:
        raise ValidationError(_("This thread has already been removed."))
    if not can_delete_thread(actor, thread):
        raise ValidationError(_("You cannot remove this thread."))
    moderated = thread.author_id != actor.pk
    soft_remove(thread, by=actor, action="forum_thread_delete", unit=thread.forum.unit, audited=moderated)
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


# --- following a thread -------------------------------------------------------------------------


@transaction.atomic
def thread_follow(*, actor, thread: Thread) -> ThreadSubscription:
    if not can_view_thread(actor, thread):
        raise ValidationError(_("You cannot follow this thread."))
    if thread.is_deleted:
        raise ValidationError(_("This thread has been removed."))
    subscription, created = ThreadSubscription.objects.get_or_create(thread=thread, user=actor)
    if not created and not subscription.following:
        subscription.following, subscription.updated_at = True, timezone.now()
        subscription.save(update_fields=["following", "updated_at"])
    return subscription


@transaction.atomic
def thread_unfollow(*, actor, thread: Thread) -> ThreadSubscription:
    """Stops the notifications of new replies, also after the person replies again."""
    if not can_view_thread(actor, thread):
        raise ValidationError(_("You cannot follow this thread."))
    subscription, _created = ThreadSubscription.objects.get_or_create(
        thread=thread, user=actor, defaults={"following": False}
    )
    if subscription.following:
        subscription.following, subscription.updated_at = False, timezone.now()
        subscription.save(update_fields=["following", "updated_at"])
    return subscription


# --- questions to the instructors --------------------------------------------------------------


def _question_to_answer(actor, thread_id: int) -> Thread:
    """The question locked for choosing (or clearing) its accepted answer, by one who may choose it."""
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("forum__unit", "forum__owner_type")
        .get(pk=thread_id)
    )
    if not can_view_thread(actor, thread) or not can_accept_answer(actor, thread):
        raise ValidationError(str(question_words(thread.forum)["accept_refused"]))
    return thread


@transaction.atomic
def answer_accept(*, actor, post: Post) -> Thread:
    """The asker or a moderator marks one reply as the accepted answer (replacing an earlier choice)."""
    thread = _question_to_answer(actor, post.thread_id)
    post = Post.objects.get(pk=post.pk)
    opening = Post.objects.filter(thread=thread).order_by("created_at", "id").values_list("pk", flat=True).first()
    if post.pk == opening:
        raise ValidationError(_("The question itself cannot be its answer: choose a reply."))
    if post.is_deleted or post.is_hidden:
        raise ValidationError(_("A removed or hidden reply cannot be the accepted answer."))
    if thread.accepted_post_id == post.pk:
        raise ValidationError(_("This reply is already the accepted answer."))
    before = {"accepted_post": thread.accepted_post_id}
    now = timezone.now()
    thread.accepted_post = post
    thread.answered_at = thread.answered_at or now
    thread.updated_at = now
    thread.save(update_fields=["accepted_post", "answered_at", "updated_at"])
    audit_log(
        actor=actor,
        action="forum_answer_accept",
        unit=thread.forum.unit,
        target=thread,
        before=before,
        after={"accepted_post": post.pk},
    )
    return thread


@transaction.atomic
def answer_unaccept(*, actor, thread: Thread) -> Thread:
    thread = _question_to_answer(actor, thread.pk)
    if thread.accepted_post_id is None:
        raise ValidationError(_("This question has no accepted answer."))
    before = {"accepted_post": thread.accepted_post_id}
    thread.accepted_post, thread.updated_at = None, timezone.now()
    thread.save(update_fields=["accepted_post", "updated_at"])
    audit_log(actor=actor, action="forum_answer_unaccept", unit=thread.forum.unit, target=thread, before=before)
    return thread


@transaction.atomic
def question_publish(*, actor, thread: Thread) -> Thread:
    """A moderator makes a question (and its answers) visible to everyone who sees the forum."""
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("forum__unit", "forum__owner_type")
        .get(pk=thread.pk)
    )
    if thread.is_public:
        raise ValidationError(str(question_words(thread.forum)["already_visible"]))
    if not can_publish_question(actor, thread):
        raise ValidationError(str(question_words(thread.forum)["publish_refused"]))
    thread.is_public, thread.updated_at = True, timezone.now()
    thread.save(update_fields=["is_public", "updated_at"])
    audit_log(actor=actor, action="forum_question_publish", unit=thread.forum.unit, target=thread)
    return thread
